// Package webhook is the Cloud Function Meta calls: the verification handshake (GET)
// and signed event deliveries (POST), which it publishes to Pub/Sub and acknowledges
// only once the publish is durable.
package webhook

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"cloud.google.com/go/pubsub/v2"
	"github.com/GoogleCloudPlatform/functions-framework-go/functions"

	"github.com/lembra-app/lembra/shared/app"
	"github.com/lembra-app/lembra/shared/logging"
	"github.com/lembra-app/lembra/shared/meta"
	"github.com/lembra-app/lembra/shared/secrets"
	"github.com/lembra-app/lembra/shared/store"
)

// EntryPoint is the registered function name (Terraform's entry_point).
const EntryPoint = "webhook"

func init() { functions.HTTP(EntryPoint, app.LazyHTTP(Handler)) }

// Handler builds the webhook from an environment.
func Handler(env *app.Env) (http.Handler, error) {
	sec, err := env.Secrets(context.Background())
	if err != nil {
		return nil, err
	}
	ps, err := env.PubSub(context.Background())
	if err != nil {
		return nil, err
	}
	st, err := env.Store(context.Background()) // the data deletion callback (datadeletion.go)
	if err != nil {
		return nil, err
	}
	pub := ps.Publisher(env.Config.WebhookTopic)
	pub.PublishSettings.DelayThreshold = time.Millisecond
	return &handler{
		log: env.Log, project: env.Config.Project, secrets: sec, publisher: pub,
		appSecretID: env.Config.MetaAppSecretID, verifyTokenID: env.Config.MetaVerifyTokenID,
		maxBody: env.Config.WebhookMaxBodyBytes, store: st, retry: env.Config.Retry(),
	}, nil
}

type handler struct {
	log                        *slog.Logger
	project                    string
	secrets                    secrets.Source
	publisher                  *pubsub.Publisher
	appSecretID, verifyTokenID string
	maxBody                    int64
	store                      *store.Store
	retry                      meta.RetryPolicy
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := logging.WithTrace(r.Context(), r, h.project)
	switch {
	case r.URL.Path == dataDeletionPath && r.Method == http.MethodPost:
		h.dataDeletion(ctx, w, r)
		return
	case r.URL.Path == dataDeletionStatusPath && r.Method == http.MethodGet:
		h.deletionStatus(ctx, w, r)
		return
	}
	switch r.Method {
	case http.MethodGet:
		h.verify(ctx, w, r)
	case http.MethodPost:
		h.receive(ctx, w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// verify answers Meta's subscription handshake.
func (h *handler) verify(ctx context.Context, w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	want, ok := h.secret(ctx, w, h.verifyTokenID, "webhook verify token")
	if !ok {
		return
	}
	token := q.Get("hub.verify_token")
	if q.Get("hub.mode") != "subscribe" || token == "" || subtle.ConstantTimeCompare([]byte(token), want) != 1 {
		h.log.WarnContext(ctx, "webhook verification refused", "mode", q.Get("hub.mode"))
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, q.Get("hub.challenge"))
}

// secret reads one of the webhook's two secrets. A missing, unreadable, empty or too
// short one answers 503, so that Meta retries once it is fixed: a handshake or a
// signature checked against an empty key would be one anybody can pass.
func (h *handler) secret(ctx context.Context, w http.ResponseWriter, id, what string) ([]byte, bool) {
	v, err := h.secrets.Secret(ctx, id)
	if err == nil {
		if err = meta.CheckWebhookSecret(v); err != nil {
			// Read again next time, so a fixed secret works at once, not after the cache's TTL.
			if c, ok := h.secrets.(interface{ Forget(id string) }); ok {
				c.Forget(id)
			}
		}
	}
	if err != nil {
		h.log.ErrorContext(ctx, what+" unavailable", "secret_id", id, "error", err.Error())
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return nil, false
	}
	return v, true
}

// receive checks the signature on the raw body, then publishes it untouched.
func (h *handler) receive(ctx context.Context, w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.log.WarnContext(ctx, logging.MsgWebhookRejected, logging.KeyRejectedCheck, logging.CheckBodySize, "reason", "body too large")
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "could not read body", http.StatusBadRequest)
		return
	}
	secret, ok := h.secret(ctx, w, h.appSecretID, "meta app secret")
	if !ok {
		return
	}
	if err := meta.VerifySignature(body, r.Header.Get("X-Hub-Signature-256"), secret); err != nil {
		status := http.StatusForbidden
		if errors.Is(err, meta.ErrSignatureMissing) {
			status = http.StatusUnauthorized
		}
		h.log.WarnContext(ctx, logging.MsgWebhookRejected, logging.KeyRejectedCheck, logging.CheckSignature, "reason", err.Error(), "bytes", len(body))
		http.Error(w, http.StatusText(status), status)
		return
	}
	sum := sha256.Sum256(body)
	id, err := h.publisher.Publish(ctx, &pubsub.Message{
		Data: body,
		Attributes: map[string]string{
			"sha256":      hex.EncodeToString(sum[:]),
			"received_at": time.Now().UTC().Format(time.RFC3339Nano),
		},
	}).Get(ctx)
	if err != nil {
		h.log.ErrorContext(ctx, "webhook publish failed; Meta will retry", "error", err.Error())
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	h.log.DebugContext(ctx, "webhook published", "message_id", id, "bytes", len(body))
	w.WriteHeader(http.StatusOK)
}
