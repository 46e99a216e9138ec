// Package devstack assembles Lembra on one machine: the stand-ins for Cloud Tasks,
// Secret Manager and Meta's Graph API, and every function mounted under its own path
// prefix on one HTTP server, all talking to the Firestore (and Pub/Sub) emulators. The
// local run command and the end-to-end tests both use it, so what runs locally is what
// is tested. Production client code is used unchanged: only endpoints differ.
package devstack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"
	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	apifn "github.com/lembra-app/lembra/functions/api"
	dispatchfn "github.com/lembra-app/lembra/functions/dispatch"
	eventsfn "github.com/lembra-app/lembra/functions/events"
	remindersfn "github.com/lembra-app/lembra/functions/reminders"
	voucherfn "github.com/lembra-app/lembra/functions/voucher"
	webhookfn "github.com/lembra-app/lembra/functions/webhook"
	"github.com/lembra-app/lembra/scripts/internal/standin/metastandin"
	"github.com/lembra-app/lembra/scripts/internal/standin/oidcsigner"
	"github.com/lembra-app/lembra/scripts/internal/standin/secretstandin"
	"github.com/lembra-app/lembra/scripts/internal/standin/taskstandin"
	"github.com/lembra-app/lembra/shared/app"
	"github.com/lembra-app/lembra/shared/config"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/logging"
	"github.com/lembra-app/lembra/shared/secrets"
	"github.com/lembra-app/lembra/shared/tenants"
)

// Options configures a stack. Empty addresses pick free loopback ports.
type Options struct {
	Project       string // default lembra-local
	FirestoreHost string // a running Firestore emulator (required)
	PubSubHost    string // a running Pub/Sub emulator (required)
	// AuthHost is a running Firebase Auth emulator, for staff sign-in; empty: staff
	// requests cannot be verified.
	AuthHost    string
	HTTPAddr    string
	TasksAddr   string
	SecretsAddr string
	MetaAddr    string
	// Configure adjusts the configuration the functions get (mode, retry delays, …).
	Configure func(*config.Config)
	// MetaPairRate is the Meta stand-in's pair-rate window (metastandin.SetPairRate):
	// metastandin.PairRateWindow is Meta's 6 s, which the local run uses; 0, the
	// default of the end-to-end tests, turns it off, and the tests of the pair rate
	// turn it on.
	MetaPairRate time.Duration
	// MetaThroughputScale scales the Meta stand-in's per-number caps
	// (metastandin.SetThroughputScale: Meta's 80/s, 20/s for coexistence numbers, 130429
	// beyond): 0 (the default, also of the end-to-end tests) means 1, Meta's caps; 0.1
	// runs them at 8/s and 2/s for tests at scaled-down caps; a negative value turns
	// them off.
	MetaThroughputScale float64
	// AutoStatuses are the statuses the Meta stand-in posts back for every accepted
	// message (e.g. sent, delivered, read); none by default.
	AutoStatuses []string
	// QueueRetry is the tenant queues' retry policy (default: Terraform's).
	QueueRetry *cloudtaskspb.RetryConfig
	Log        *slog.Logger
	// DashboardDir is the built staff dashboard served at / (default:
	// DefaultDashboardDir, this checkout's dashboard/dist).
	DashboardDir string
	// PubSubSuffix is appended to the webhook topic's and the subscriptions' names, so
	// stacks sharing one emulator project (the Auth emulator's) never push each other's
	// webhooks; empty: Terraform's names (the local stack).
	PubSubSuffix string
}

// Stack is a running local Lembra.
type Stack struct {
	Config config.Config
	Env    *app.Env
	URL    string // functions at URL+"/api", URL+"/dispatch"
	// DashboardURL is the staff dashboard (URL+"/"), with its /config.json.
	DashboardURL string
	AuthHost     string // the Firebase Auth emulator (host:port), when the stack has one
	Tasks        *taskstandin.Server
	Secrets      *secretstandin.Server
	Meta         *metastandin.Server
	MetaURL      string
	Signer       *oidcsigner.Signer

	// The webhook subscriptions' names (EventsSubscription, … plus Options.PubSubSuffix).
	EventsSubscription, DeadLetterTopic, DeadLetterSubscription string

	secretWriter *secrets.SecretManager
	firestoreOps *firestoreCounter // the functions' Firestore operations (firestoreops.go)
	srv          *http.Server
	requests     requestStats // RequestStats
	closers      []func()
}

// SchedulerServiceAccount is the identity the local scheduler calls the reminder scan with.
const SchedulerServiceAccount = "lembra-scheduler@lembra-local.iam.gserviceaccount.com"

// RunReminderScan calls the reminder scan as Cloud Scheduler does: a POST with an OIDC
// token of the scheduler's service account for the function's URL.
func (s *Stack) RunReminderScan(ctx context.Context) (*http.Response, error) {
	tok, err := s.Signer.IDToken(s.Config.RemindersAudience, SchedulerServiceAccount, 5*time.Minute)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+"/reminders", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	return http.DefaultClient.Do(req)
}

// RunTokenCheck calls the daily token check as Cloud Scheduler does: a POST to the
// reminders function's /token-check with an OIDC token of the scheduler's service
// account for the function's URL (terraform/scheduler.tf).
func (s *Stack) RunTokenCheck(ctx context.Context) (*http.Response, error) {
	tok, err := s.Signer.IDToken(s.Config.RemindersAudience, SchedulerServiceAccount, 5*time.Minute)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+"/reminders/token-check", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	return http.DefaultClient.Do(req)
}

// Schedule calls the reminder scan every interval until ctx ends (the local Cloud
// Scheduler).
func (s *Stack) Schedule(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			resp, err := s.RunReminderScan(ctx)
			if err != nil {
				s.Env.Log.WarnContext(ctx, "local scheduler: scan call failed", "error", err.Error())
				continue
			}
			resp.Body.Close()
		}
	}
}

// TasksServiceAccount is the identity Cloud Tasks (the stand-in) signs dispatch calls with.
const TasksServiceAccount = "lembra-tasks@lembra-local.iam.gserviceaccount.com"

// DefaultQueueRetry mirrors the tenant queues' retry settings in Terraform.
func DefaultQueueRetry() *cloudtaskspb.RetryConfig {
	return &cloudtaskspb.RetryConfig{
		MaxAttempts: 20, MinBackoff: durationpb.New(10 * time.Second),
		MaxBackoff: durationpb.New(10 * time.Minute), MaxDoublings: 5,
	}
}

// Start brings the stack up. Close it when done.
func Start(ctx context.Context, o Options) (s *Stack, err error) {
	if o.FirestoreHost == "" || o.PubSubHost == "" {
		return nil, errors.New("devstack: Firestore and Pub/Sub emulator hosts are required")
	}
	if o.Project == "" {
		o.Project = "lembra-local"
	}
	if o.Log == nil {
		o.Log = logging.New(os.Stdout, slog.LevelInfo)
	}
	if o.QueueRetry == nil {
		o.QueueRetry = DefaultQueueRetry()
	}
	// The Firestore client reads the emulator host from the environment.
	if err := os.Setenv("FIRESTORE_EMULATOR_HOST", o.FirestoreHost); err != nil {
		return nil, err
	}
	if err := os.Setenv("PUBSUB_EMULATOR_HOST", o.PubSubHost); err != nil {
		return nil, err
	}
	// The Firebase Admin SDK reads the Auth emulator's host from the environment, and
	// then accepts its unsigned ID tokens (config refuses the variable in prod).
	if o.AuthHost != "" {
		if err := os.Setenv("FIREBASE_AUTH_EMULATOR_HOST", o.AuthHost); err != nil {
			return nil, err
		}
	}
	s = &Stack{AuthHost: o.AuthHost}
	// `return nil, err` clears s: close what was started through its own variable, so
	// the caller sees the error that stopped the start, not a nil dereference.
	started := s
	defer func() {
		if err != nil {
			started.Close()
		}
	}()

	lis, err := net.Listen("tcp", orFree(o.HTTPAddr))
	if err != nil {
		return nil, fmt.Errorf("devstack: functions listener: %w", err)
	}
	s.closers = append(s.closers, func() { lis.Close() })
	s.URL = "http://" + lis.Addr().String()

	if s.Signer, err = oidcsigner.New(s.URL + "/oidc"); err != nil {
		return nil, err
	}

	s.Tasks = taskstandin.New(taskstandin.Options{Signer: s.Signer, Logger: o.Log.With("component", "cloudtasks-standin")})
	s.closers = append(s.closers, s.Tasks.Close)
	tasksHost, err := s.Tasks.Serve(orFree(o.TasksAddr))
	if err != nil {
		return nil, fmt.Errorf("devstack: cloud tasks stand-in: %w", err)
	}
	// The tenants' queues are created by the code (queue.Tasks), as in production; the
	// shared queue Terraform keeps takes what a just-created one cannot yet.
	tasksLocation := "projects/" + o.Project + "/locations/southamerica-east1"
	fallbackQueue := tasksLocation + "/queues/dispatch"
	s.Tasks.AddQueue(fallbackQueue, o.QueueRetry, &cloudtaskspb.RateLimits{MaxDispatchesPerSecond: 20, MaxConcurrentDispatches: 20})

	s.Secrets = secretstandin.New()
	s.closers = append(s.closers, s.Secrets.Close)
	secretsHost, err := s.Secrets.Serve(orFree(o.SecretsAddr))
	if err != nil {
		return nil, fmt.Errorf("devstack: secret manager stand-in: %w", err)
	}

	s.Meta = metastandin.New()
	s.closers = append(s.closers, s.Meta.Close)
	s.Meta.SetPairRate(o.MetaPairRate)
	if o.MetaThroughputScale != 0 {
		s.Meta.SetThroughputScale(o.MetaThroughputScale)
	}
	if s.MetaURL, err = s.Meta.Serve(orFree(o.MetaAddr)); err != nil {
		return nil, fmt.Errorf("devstack: meta stand-in: %w", err)
	}

	vars := map[string]string{
		"LEMBRA_ENVIRONMENT":                "local",
		"GOOGLE_CLOUD_PROJECT":              o.Project,
		"WHATSAPP_AUTOMATION_MODE":          "enabled",
		"WHATSAPP_AUTOMATION_META_BASE_URL": s.MetaURL,
		"LEMBRA_TASKS_LOCATION":             tasksLocation,
		"LEMBRA_TASKS_FALLBACK_QUEUE":       fallbackQueue,
		"LEMBRA_TASKS_MAX_ATTEMPTS":         strconv.Itoa(int(o.QueueRetry.GetMaxAttempts())),
		"LEMBRA_TASKS_MIN_BACKOFF_SECONDS":  seconds(o.QueueRetry.GetMinBackoff().AsDuration()),
		"LEMBRA_TASKS_MAX_BACKOFF_SECONDS":  seconds(o.QueueRetry.GetMaxBackoff().AsDuration()),
		"LEMBRA_TASKS_MAX_DOUBLINGS":        strconv.Itoa(int(o.QueueRetry.GetMaxDoublings())),
		"LEMBRA_DISPATCH_URL":               s.URL + "/dispatch",
		"LEMBRA_TASKS_SERVICE_ACCOUNT":      TasksServiceAccount,
		"LEMBRA_VOUCHER_BASE_URL":           s.URL + "/voucher",
		"CLOUD_TASKS_EMULATOR_HOST":         tasksHost,
		"SECRET_MANAGER_EMULATOR_HOST":      secretsHost,
		"LEMBRA_SCHEDULER_SERVICE_ACCOUNT":  SchedulerServiceAccount,
		"LEMBRA_REMINDERS_AUDIENCE":         s.URL + "/reminders",
		"LEMBRA_OIDC_ISSUERS":               s.Signer.Issuer,
		"LEMBRA_OIDC_JWKS_URL":              s.URL + "/oidc/jwks",
		"FIREBASE_AUTH_EMULATOR_HOST":       o.AuthHost,
		"LEMBRA_WEBHOOK_TOPIC":              "meta-webhooks" + o.PubSubSuffix,
		// Embedded Signup against the Meta stand-in: its fake SDK and popup origin.
		"LEMBRA_META_APP_ID":         LocalMetaAppID,
		"LEMBRA_META_ES_CONFIG_ID":   LocalESConfigID,
		"LEMBRA_META_SDK_URL":        s.MetaURL + "/sdk.js",
		"LEMBRA_META_SIGNUP_ORIGINS": s.MetaURL,
	}
	s.EventsSubscription = EventsSubscription + o.PubSubSuffix
	s.DeadLetterTopic, s.DeadLetterSubscription = DeadLetterTopic+o.PubSubSuffix, DeadLetterSubscription+o.PubSubSuffix
	cfg, err := config.Load(func(k string) string { return vars[k] })
	if err != nil {
		return nil, err
	}
	if o.Configure != nil {
		o.Configure(&cfg)
	}
	s.Config = cfg
	s.Env = app.New(cfg, o.Log)
	s.firestoreOps = newFirestoreCounter()
	if s.Env.FirestoreOptions, err = s.firestoreOps.clientOptions(o.FirestoreHost); err != nil {
		return nil, err
	}
	s.closers = append(s.closers, s.Env.Close)

	if s.secretWriter, err = s.Env.SecretManager(ctx); err != nil {
		return nil, err
	}

	api, err := apifn.Handler(s.Env)
	if err != nil {
		return nil, fmt.Errorf("devstack: api: %w", err)
	}
	dispatch, err := dispatchfn.Handler(s.Env)
	if err != nil {
		return nil, fmt.Errorf("devstack: dispatch: %w", err)
	}
	for id, value := range map[string]string{cfg.MetaAppSecretID: AppSecret, cfg.MetaVerifyTokenID: VerifyToken} {
		if err := s.secretWriter.Put(ctx, id, []byte(value)); err != nil {
			return nil, fmt.Errorf("devstack: webhook secrets: %w", err)
		}
	}
	reminders, err := remindersfn.Handler(s.Env)
	if err != nil {
		return nil, fmt.Errorf("devstack: reminders: %w", err)
	}
	voucherPages, err := voucherfn.Handler(s.Env)
	if err != nil {
		return nil, fmt.Errorf("devstack: voucher: %w", err)
	}
	webhook, err := webhookfn.Handler(s.Env)
	if err != nil {
		return nil, fmt.Errorf("devstack: webhook: %w", err)
	}
	evSvc, err := eventsfn.Service(s.Env)
	if err != nil {
		return nil, fmt.Errorf("devstack: events: %w", err)
	}
	if err := s.pushSubscription(ctx, cfg, s.URL+"/events"); err != nil {
		return nil, err
	}
	s.Meta.SetApp(cfg.MetaAppID, AppSecret) // the code exchange and debug_token check the app's credentials
	s.Meta.SetWebhook(metastandin.WebhookOptions{URL: s.URL + "/webhook", AppSecret: AppSecret, AutoStatuses: o.AutoStatuses})
	mux := http.NewServeMux()
	mux.Handle("/api/", http.StripPrefix("/api", api))
	mux.Handle("/dispatch", dispatch) // checks the tasks stand-in's OIDC token itself
	mux.Handle("/webhook", webhook)
	mux.Handle("/webhook/", http.StripPrefix("/webhook", webhook)) // the data deletion callback and its status page
	mux.Handle("/reminders", reminders)
	mux.Handle("/reminders/token-check", http.StripPrefix("/reminders", reminders))
	mux.Handle("/voucher/", http.StripPrefix("/voucher", voucherPages))
	mux.Handle("/events", eventsfn.PushHandler(evSvc))
	mux.Handle("/oidc/jwks", s.Signer.JWKSHandler()) // the key of the tasks' and scheduler's tokens
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	if o.DashboardDir == "" {
		o.DashboardDir = DefaultDashboardDir()
	}
	dashConfig, dashFiles := s.dashboardHandler(o.DashboardDir, o.Project)
	mux.Handle("GET /config.json", dashConfig)
	mux.Handle("/", dashFiles) // the staff dashboard, on the api's origin
	s.DashboardURL = s.URL + "/"
	s.srv = &http.Server{Handler: s.requests.wrap(mux), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(lis) }()
	return s, nil
}

// The local Meta app's id and Embedded Signup configuration id.
const (
	LocalMetaAppID  = "1900000000000009"
	LocalESConfigID = "local-es-config"
)

// The local Meta app's webhook secrets (stored in the Secret Manager stand-in).
const (
	AppSecret   = "local-meta-app-secret"
	VerifyToken = "local-verify-token"
)

// EventsMaxDeliveryAttempts is how many times a delivery is pushed to events before it
// goes to the dead-letter topic, here as in Terraform (pubsub.tf,
// events_max_delivery_attempts; the drift test keeps them equal).
const EventsMaxDeliveryAttempts = 20

// Names of the local webhook subscriptions (the topic's name is the configuration's),
// with Options.PubSubSuffix appended (Stack.EventsSubscription, …).
const (
	EventsSubscription     = "meta-webhooks-events"
	DeadLetterTopic        = "meta-webhooks-dead-letter"
	DeadLetterSubscription = "meta-webhooks-dead-letter"
)

// pushSubscription creates the webhook topic and the push subscription feeding the events
// function, as Terraform does when deployed (pubsub.tf): a dead-letter topic with a pull
// subscription, and at most EventsMaxDeliveryAttempts pushes of one delivery. Backoff is
// shorter than deployed (100 ms to 10 s instead of 10 s to 600 s) so tests see retries.
func (s *Stack) pushSubscription(ctx context.Context, cfg config.Config, endpoint string) error {
	ps, err := s.Env.PubSub(ctx)
	if err != nil {
		return err
	}
	project := "projects/" + cfg.Project
	topic := project + "/topics/" + cfg.WebhookTopic
	deadLetters := project + "/topics/" + s.DeadLetterTopic
	for _, t := range []string{topic, deadLetters} {
		if _, err := ps.TopicAdminClient.CreateTopic(ctx, &pubsubpb.Topic{Name: t}); err != nil && status.Code(err) != codes.AlreadyExists {
			return fmt.Errorf("devstack: create topic %s: %w", t, err)
		}
	}
	subs := []*pubsubpb.Subscription{
		{
			Name: project + "/subscriptions/" + s.DeadLetterSubscription, Topic: deadLetters, AckDeadlineSeconds: 60,
		},
		{
			Name:               project + "/subscriptions/" + s.EventsSubscription,
			Topic:              topic,
			PushConfig:         &pubsubpb.PushConfig{PushEndpoint: endpoint},
			AckDeadlineSeconds: 60,
			RetryPolicy: &pubsubpb.RetryPolicy{
				MinimumBackoff: durationpb.New(100 * time.Millisecond), MaximumBackoff: durationpb.New(10 * time.Second),
			},
			DeadLetterPolicy: &pubsubpb.DeadLetterPolicy{DeadLetterTopic: deadLetters, MaxDeliveryAttempts: EventsMaxDeliveryAttempts},
		},
	}
	for _, sub := range subs {
		if _, err := ps.SubscriptionAdminClient.CreateSubscription(ctx, sub); err != nil && status.Code(err) != codes.AlreadyExists {
			return fmt.Errorf("devstack: create subscription %s: %w", sub.Name, err)
		}
	}
	return nil
}

// Tenant is a tenant to set up on the stack: its document, its token in the Secret
// Manager stand-in, its number and approved templates in the Meta stand-in, an API key.
type Tenant struct {
	domain.Tenant
	AccessToken string
	APIKey      string // fixed key to register; empty: a new random key
}

// AddTenant sets up a tenant and returns it with its API key.
func (s *Stack) AddTenant(ctx context.Context, t Tenant) (*domain.Tenant, string, error) {
	now := time.Now()
	st, err := s.Env.Store(ctx)
	if err != nil {
		return nil, "", err
	}
	// Tests on one emulator project (the Auth emulator's) share the number index: a
	// number given to two studios routes one studio's webhooks to the other's.
	if pn := t.WhatsApp.PhoneNumberID; pn != "" {
		owner, err := st.TenantForPhoneNumber(ctx, pn)
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			return nil, "", err
		}
		if err == nil && owner != t.ID {
			return nil, "", fmt.Errorf("devstack: phone number id %s already belongs to tenant %s in project %s: give tenant %s a number of its own", pn, owner, s.Config.Project, t.ID)
		}
	}
	saved, err := tenants.Save(ctx, st, s.secretWriter, tenants.Spec{Tenant: t.Tenant, AccessToken: t.AccessToken}, now)
	if err != nil {
		return nil, "", err
	}
	wa := saved.WhatsApp
	s.Meta.AddNumber(metastandin.Number{
		PhoneNumberID: wa.PhoneNumberID, DisplayPhoneNumber: wa.DisplayPhoneNumber, WABAID: wa.WABAID, AccessToken: t.AccessToken,
		Coexistence: wa.Coexistence,
	})
	for _, ref := range saved.Templates {
		s.Meta.AddTemplate(wa.PhoneNumberID, metastandin.Template{Name: ref.Name, Language: ref.Language, BodyParams: 5, Status: "APPROVED"})
	}
	key := t.APIKey
	if key == "" {
		key, err = tenants.NewAPIKey(ctx, st, saved.ID, "devstack", now)
	} else {
		err = tenants.PutAPIKey(ctx, st, saved.ID, key, "devstack", now)
	}
	if err != nil && !errors.Is(err, domain.ErrConflict) {
		return nil, "", err
	}
	return saved, key, nil
}

func orFree(addr string) string {
	if addr == "" {
		return "127.0.0.1:0"
	}
	return addr
}

// Close stops everything the stack started, in reverse order.
func (s *Stack) Close() {
	if s.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = s.srv.Shutdown(ctx)
		cancel()
	}
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
	s.closers = nil
}

// seconds writes d as the configuration's seconds (fractions allowed).
func seconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) }
