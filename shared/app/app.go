// Package app is the environment a function runs in: configuration, logger, clock and
// the cloud clients, each created on first use (never at start-up, so a function does
// not pay for another function's clients) and retried after a failed setup.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"

	cloudtasks "cloud.google.com/go/cloudtasks/apiv2"
	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"
	"cloud.google.com/go/firestore"
	"cloud.google.com/go/pubsub/v2"
	secretmanager "cloud.google.com/go/secretmanager/apiv1"
	firebase "firebase.google.com/go/v4"
	"firebase.google.com/go/v4/auth"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/lembra-app/lembra/shared/config"
	"github.com/lembra-app/lembra/shared/logging"
	"github.com/lembra-app/lembra/shared/meta"
	"github.com/lembra-app/lembra/shared/queue"
	"github.com/lembra-app/lembra/shared/secrets"
	"github.com/lembra-app/lembra/shared/store"
)

// Env carries what handlers need. Build it with New; it is safe for concurrent use.
type Env struct {
	Config config.Config
	Log    *slog.Logger
	Now    func() time.Time

	firestore lazy[*firestore.Client]
	tasks     lazy[*queue.Tasks]
	secrets   lazy[*secrets.Cache]
	sm        lazy[*secrets.SecretManager]
	pubsub    lazy[*pubsub.Client]
	auth      lazy[*auth.Client]
	meta      *meta.Client

	// FirestoreOptions are added to the Firestore client's options when it is first
	// created (the local stack counts Firestore operations through them).
	FirestoreOptions []option.ClientOption
}

// New returns an environment for cfg. Clients are created when first asked for.
func New(cfg config.Config, log *slog.Logger) *Env {
	if log == nil {
		log = logging.New(os.Stdout, slog.LevelInfo)
	}
	e := &Env{Config: cfg, Log: log, Now: time.Now}
	e.meta = meta.NewClient(cfg.MetaBaseURL, cfg.MetaAPIVersion, cfg.MetaTimeout)
	e.firestore.make = func(ctx context.Context) (*firestore.Client, error) {
		// FIRESTORE_EMULATOR_HOST, when set, is honoured by the client itself.
		return firestore.NewClient(ctx, cfg.Project, e.FirestoreOptions...)
	}
	e.tasks.make = func(ctx context.Context) (*queue.Tasks, error) {
		if cfg.TasksLocation == "" || cfg.DispatchURL == "" {
			return nil, fmt.Errorf("LEMBRA_TASKS_LOCATION and LEMBRA_DISPATCH_URL are required to enqueue jobs")
		}
		c, err := cloudtasks.NewClient(ctx, emulatorOptions(cfg.CloudTasksEmulatorHost)...)
		if err != nil {
			return nil, err
		}
		return &queue.Tasks{
			Client: c, Location: cfg.TasksLocation, Prefix: cfg.TasksQueuePrefix,
			Pacing: queue.Pacing{
				NowShare:      float64(cfg.TasksNowSharePercent) / 100,
				ReminderShare: float64(cfg.TasksReminderSharePercent) / 100,
			},
			Retry: &cloudtaskspb.RetryConfig{
				MaxAttempts:  int32(cfg.TasksMaxAttempts),
				MinBackoff:   durationpb.New(cfg.TasksMinBackoff),
				MaxBackoff:   durationpb.New(cfg.TasksMaxBackoff),
				MaxDoublings: int32(cfg.TasksMaxDoublings),
			},
			CapOf: func(ctx context.Context, tenantID string) (int, error) {
				st, err := e.Store(ctx)
				if err != nil {
					return 0, err
				}
				t, err := st.GetTenant(ctx, tenantID)
				if err != nil {
					return 0, err
				}
				return t.WhatsApp.Cap(), nil
			},
			Fallback: cfg.TasksFallbackQueue, Log: log,
			URL: cfg.DispatchURL, ServiceAccount: cfg.TasksServiceAccount, Audience: cfg.TasksAudience,
			Deadline: cfg.MetaTimeout + time.Minute,
		}, nil
	}
	e.pubsub.make = func(ctx context.Context) (*pubsub.Client, error) {
		// PUBSUB_EMULATOR_HOST, when set, is honoured by the client itself.
		return pubsub.NewClient(ctx, cfg.Project)
	}
	e.auth.make = func(ctx context.Context) (*auth.Client, error) {
		// FIREBASE_AUTH_EMULATOR_HOST, when set, is honoured by the client itself: it
		// then accepts the emulator's unsigned tokens (config refuses it in prod).
		fb, err := firebase.NewApp(ctx, &firebase.Config{ProjectID: cfg.Project})
		if err != nil {
			return nil, err
		}
		return fb.Auth(ctx)
	}
	e.sm.make = func(ctx context.Context) (*secrets.SecretManager, error) {
		c, err := secretmanager.NewClient(ctx, emulatorOptions(cfg.SecretManagerEmulatorHost)...)
		if err != nil {
			return nil, err
		}
		return &secrets.SecretManager{Project: cfg.Project, Client: c}, nil
	}
	e.secrets.make = func(ctx context.Context) (*secrets.Cache, error) {
		sm, err := e.sm.get(ctx)
		if err != nil {
			return nil, err
		}
		return secrets.NewCache(sm, cfg.SecretCacheTTL), nil
	}
	return e
}

// emulatorOptions points a Google client at a local stand-in, when one is configured.
func emulatorOptions(host string) []option.ClientOption {
	if host == "" {
		return nil
	}
	return []option.ClientOption{
		option.WithEndpoint(host),
		option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())),
	}
}

// Store returns the Firestore-backed store.
func (e *Env) Store(ctx context.Context) (*store.Store, error) {
	c, err := e.firestore.get(ctx)
	if err != nil {
		return nil, fmt.Errorf("firestore client: %w", err)
	}
	return store.New(c), nil
}

// Firestore returns the raw client (for tools and tests).
func (e *Env) Firestore(ctx context.Context) (*firestore.Client, error) { return e.firestore.get(ctx) }

// Tasks returns the Cloud Tasks queue of dispatch jobs.
func (e *Env) Tasks(ctx context.Context) (*queue.Tasks, error) {
	q, err := e.tasks.get(ctx)
	if err != nil {
		return nil, fmt.Errorf("cloud tasks client: %w", err)
	}
	return q, nil
}

// Secrets returns the cached Secret Manager source.
func (e *Env) Secrets(ctx context.Context) (*secrets.Cache, error) {
	s, err := e.secrets.get(ctx)
	if err != nil {
		return nil, fmt.Errorf("secret manager client: %w", err)
	}
	return s, nil
}

// SecretManager returns the uncached Secret Manager, for writing secrets.
func (e *Env) SecretManager(ctx context.Context) (*secrets.SecretManager, error) {
	s, err := e.sm.get(ctx)
	if err != nil {
		return nil, fmt.Errorf("secret manager client: %w", err)
	}
	return s, nil
}

// PubSub returns the Pub/Sub client.
func (e *Env) PubSub(ctx context.Context) (*pubsub.Client, error) {
	c, err := e.pubsub.get(ctx)
	if err != nil {
		return nil, fmt.Errorf("pubsub client: %w", err)
	}
	return c, nil
}

// Auth returns the Firebase Authentication (Identity Platform) client, which verifies
// staff ID tokens.
func (e *Env) Auth(ctx context.Context) (*auth.Client, error) {
	c, err := e.auth.get(ctx)
	if err != nil {
		return nil, fmt.Errorf("firebase auth client: %w", err)
	}
	return c, nil
}

// Meta returns the WhatsApp Cloud API client.
func (e *Env) Meta() *meta.Client { return e.meta }

// Close releases the clients that were created.
func (e *Env) Close() {
	if c, ok := e.firestore.peek(); ok {
		c.Close()
	}
	if q, ok := e.tasks.peek(); ok {
		q.Client.Close()
	}
	if c, ok := e.pubsub.peek(); ok {
		c.Close()
	}
	if sm, ok := e.sm.peek(); ok {
		sm.Client.Close()
	}
}

// lazy builds a value on first successful use. Unlike sync.Once it does not remember
// a failure: the next call tries again.
type lazy[T any] struct {
	mu   sync.Mutex
	val  T
	ok   bool
	make func(context.Context) (T, error)
}

func (l *lazy[T]) peek() (T, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.val, l.ok
}

func (l *lazy[T]) get(ctx context.Context) (T, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ok {
		return l.val, nil
	}
	v, err := l.make(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	l.val, l.ok = v, true
	return v, nil
}

var defaultEnv = lazy[*Env]{make: func(context.Context) (*Env, error) {
	cfg, err := config.FromEnv()
	if err != nil {
		return nil, err
	}
	return New(cfg, nil), nil
}}

// Default is the process's environment, read from its environment variables once.
func Default(ctx context.Context) (*Env, error) { return defaultEnv.get(ctx) }

// Lazy is a value built from the default environment on first use, and built again
// after a failure.
type Lazy[T any] struct{ l lazy[T] }

// NewLazy returns a Lazy built by build.
func NewLazy[T any](build func(*Env) (T, error)) *Lazy[T] {
	return &Lazy[T]{l: lazy[T]{make: func(ctx context.Context) (T, error) {
		env, err := Default(ctx)
		if err != nil {
			var zero T
			return zero, err
		}
		return build(env)
	}}}
}

// Get returns the value, building it if needed.
func (l *Lazy[T]) Get(ctx context.Context) (T, error) { return l.l.get(ctx) }

// LazyHTTP serves the handler that build makes from the default environment, building
// it on the first request. A failed build answers 503 and is tried again next time.
func LazyHTTP(build func(*Env) (http.Handler, error)) http.HandlerFunc {
	h := NewLazy(build)
	return func(w http.ResponseWriter, r *http.Request) {
		handler, err := h.Get(r.Context())
		if err != nil {
			slog.Default().ErrorContext(r.Context(), "function setup failed", "error", err.Error())
			http.Error(w, `{"error":{"code":"unavailable","message":"service not configured"}}`, http.StatusServiceUnavailable)
			return
		}
		handler.ServeHTTP(w, r)
	}
}
