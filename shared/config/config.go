// Package config reads Lembra's environment-wide settings once, into a typed struct with
// defaults, and rejects bad values with a clear message. Names keep the old system's
// WHATSAPP_AUTOMATION_* prefix so operators recognise them.
package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/meta"
)

// Config is every environment-wide setting.
type Config struct {
	Environment string // local, dev, prod: only for logs
	Project     string // GOOGLE_CLOUD_PROJECT

	Mode             domain.Mode
	AllowedTenantIDs []string // empty: every tenant
	MaxRetries       int      // attempts after the first, for retryable failures
	RetryBaseDelay   time.Duration
	BatchLimit       int
	MetaAPIVersion   string
	MetaBaseURL      string
	MetaTimeout      time.Duration
	TestRecipient    string // routes every send to this number (development)
	// UnknownOutcomeWait is how long a send whose answer was lost waits for a status
	// webhook before it is tried again.
	UnknownOutcomeWait time.Duration
	// PairGap is the spacing kept between two messages to the same client: answers to
	// quick taps are scheduled this far apart, and a 131056 is retried no sooner.
	// Meta's pair rate is one message every 6 s (meta.PairRateGap); the extra second
	// absorbs the dispatch's own latency. Not read from the environment: 0 (tests
	// only) stops the spacing of answers.
	PairGap time.Duration

	// Cloud Tasks: each tenant's sends go through its own queues (queue.QueueID),
	// created and paced by the code under TasksLocation.
	TasksLocation    string // projects/P/locations/L
	TasksQueuePrefix string // tenant queue ids start with it
	// TasksFallbackQueue (projects/P/locations/L/queues/Q) takes a task whose tenant
	// queue was just created and cannot take tasks yet; empty: none.
	TasksFallbackQueue string
	// TasksNowSharePercent and TasksReminderSharePercent are the shares of a number's
	// throughput cap its notice and reminder lanes dispatch at (queue.Pacing).
	TasksNowSharePercent      int
	TasksReminderSharePercent int
	// The tenant queues' retry_config: Cloud Tasks retries a dispatch that did not
	// answer 2xx (dispatch unreachable, a store error, 503 not_due).
	TasksMaxAttempts    int
	TasksMinBackoff     time.Duration
	TasksMaxBackoff     time.Duration
	TasksMaxDoublings   int
	DispatchURL         string // where Cloud Tasks deliver jobs
	TasksServiceAccount string // identity of the OIDC token on tasks
	TasksAudience       string // OIDC audience; defaults to DispatchURL

	SecretCacheTTL time.Duration
	VoucherBaseURL string
	VoucherTTL     time.Duration // a voucher link works until this long after the appointment

	WebhookTopic        string // Pub/Sub topic the webhook publishes deliveries to
	MetaAppSecretID     string // Secret Manager id of the Meta app secret
	MetaVerifyTokenID   string // Secret Manager id of the webhook verify token
	WebhookMaxBodyBytes int64

	// MetaAppID is the Meta app's id (App Dashboard), for the Embedded Signup code
	// exchange; empty: connecting a number from the dashboard is not available.
	MetaAppID string
	// Embedded Signup in the dashboard (GET /v1/staff/whatsapp's signup): the
	// configuration id (App Dashboard > Facebook Login for Business > Configurations;
	// empty: no signup offered), the Facebook JS SDK's URL and the origins whose
	// WA_EMBEDDED_SIGNUP message events the dashboard accepts.
	MetaESConfigID    string
	MetaSDKURL        string
	MetaSignupOrigins []string

	// The reminder scan: how far ahead it looks, and who may call it.
	ReminderHorizon         time.Duration
	SchedulerServiceAccount string
	RemindersAudience       string
	OIDCIssuers             []string
	OIDCJWKSURL             string

	// Local stand-ins for services with no official emulator (never set in production).
	CloudTasksEmulatorHost    string
	SecretManagerEmulatorHost string
	// FirebaseAuthEmulatorHost (FIREBASE_AUTH_EMULATOR_HOST) makes the Firebase Admin
	// SDK accept the Auth emulator's unsigned ID tokens: refused in prod.
	FirebaseAuthEmulatorHost string

	// DashboardOrigins are the origins (scheme://host[:port], exact) of the staff
	// dashboard allowed to call the api from a browser (CORS); none by default.
	DashboardOrigins []string

	// The public pages (privacy policy, terms of use; shared/legal): the company that runs
	// Lembra and acts as the studios' operator under the LGPD, the e-mail data subjects and
	// studios write to, and the data protection officer (encarregado, LGPD art. 41).
	// Required in prod; placeholders elsewhere.
	OperatorName string
	ContactEmail string
	DPOName      string
}

// Getenv lets tests supply their own environment.
type Getenv func(string) string

// FromEnv reads the process environment.
func FromEnv() (Config, error) { return Load(os.Getenv) }

var (
	tasksLocation = regexp.MustCompile(`^projects/[a-z0-9.:-]+/locations/[a-z0-9-]+$`)
	queuePrefix   = regexp.MustCompile(`^[a-z][a-z0-9-]{0,11}$`)
	fallbackQueue = regexp.MustCompile(`^projects/[a-z0-9.:-]+/locations/[a-z0-9-]+/queues/[A-Za-z0-9-]{1,100}$`)
)

// Load reads settings through getenv and validates them.
func Load(getenv Getenv) (Config, error) {
	p := parser{getenv: getenv}
	c := Config{
		Environment:               p.str("LEMBRA_ENVIRONMENT", "local"),
		Project:                   p.str("GOOGLE_CLOUD_PROJECT", ""),
		Mode:                      p.mode("WHATSAPP_AUTOMATION_MODE", domain.ModeDisabled),
		AllowedTenantIDs:          p.list("WHATSAPP_AUTOMATION_ALLOWED_TENANT_IDS"),
		MaxRetries:                p.integer("WHATSAPP_AUTOMATION_MAX_RETRIES", 5, 0, 50),
		RetryBaseDelay:            p.seconds("WHATSAPP_AUTOMATION_RETRY_BASE_DELAY_SECONDS", 30*time.Second),
		BatchLimit:                p.integer("WHATSAPP_AUTOMATION_BATCH_LIMIT", 200, 1, 5000),
		MetaAPIVersion:            p.str("WHATSAPP_AUTOMATION_META_API_VERSION", "v23.0"),
		MetaBaseURL:               strings.TrimRight(p.str("WHATSAPP_AUTOMATION_META_BASE_URL", "https://graph.facebook.com"), "/"),
		MetaTimeout:               p.seconds("WHATSAPP_AUTOMATION_META_TIMEOUT_SECONDS", 15*time.Second),
		TestRecipient:             p.str("WHATSAPP_AUTOMATION_META_TEST_RECIPIENT", ""),
		UnknownOutcomeWait:        p.seconds("WHATSAPP_AUTOMATION_UNKNOWN_OUTCOME_WAIT_SECONDS", 15*time.Minute),
		PairGap:                   DefaultPairGap,
		TasksLocation:             p.str("LEMBRA_TASKS_LOCATION", ""),
		TasksQueuePrefix:          p.str("LEMBRA_TASKS_QUEUE_PREFIX", "send"),
		TasksFallbackQueue:        p.str("LEMBRA_TASKS_FALLBACK_QUEUE", ""),
		TasksNowSharePercent:      p.integer("LEMBRA_TASKS_NOW_SHARE_PERCENT", 95, 1, 99),
		TasksReminderSharePercent: p.integer("LEMBRA_TASKS_REMINDER_SHARE_PERCENT", 4, 1, 99),
		TasksMaxAttempts:          p.integer("LEMBRA_TASKS_MAX_ATTEMPTS", 20, 1, 100),
		TasksMinBackoff:           p.seconds("LEMBRA_TASKS_MIN_BACKOFF_SECONDS", 10*time.Second),
		TasksMaxBackoff:           p.seconds("LEMBRA_TASKS_MAX_BACKOFF_SECONDS", 10*time.Minute),
		TasksMaxDoublings:         p.integer("LEMBRA_TASKS_MAX_DOUBLINGS", 5, 0, 16),
		DispatchURL:               p.str("LEMBRA_DISPATCH_URL", ""),
		TasksServiceAccount:       p.str("LEMBRA_TASKS_SERVICE_ACCOUNT", ""),
		TasksAudience:             p.str("LEMBRA_TASKS_AUDIENCE", ""),
		SecretCacheTTL:            p.seconds("LEMBRA_SECRET_CACHE_SECONDS", 5*time.Minute),
		VoucherBaseURL:            strings.TrimRight(p.str("LEMBRA_VOUCHER_BASE_URL", ""), "/"),
		VoucherTTL:                time.Duration(p.integer("LEMBRA_VOUCHER_TTL_DAYS", 30, 1, 3650)) * 24 * time.Hour,
		WebhookTopic:              p.str("LEMBRA_WEBHOOK_TOPIC", "meta-webhooks"),
		MetaAppSecretID:           p.str("LEMBRA_META_APP_SECRET_ID", "meta-app-secret"),
		MetaAppID:                 p.str("LEMBRA_META_APP_ID", ""),
		MetaESConfigID:            p.str("LEMBRA_META_ES_CONFIG_ID", ""),
		MetaSDKURL:                p.str("LEMBRA_META_SDK_URL", "https://connect.facebook.net/en_US/sdk.js"),
		MetaSignupOrigins:         p.listOr("LEMBRA_META_SIGNUP_ORIGINS", []string{"https://www.facebook.com", "https://web.facebook.com"}),
		MetaVerifyTokenID:         p.str("LEMBRA_META_VERIFY_TOKEN_ID", "meta-webhook-verify-token"),
		WebhookMaxBodyBytes:       4 << 20,

		ReminderHorizon:         p.seconds("LEMBRA_REMINDER_HORIZON_SECONDS", 10*time.Minute),
		SchedulerServiceAccount: p.str("LEMBRA_SCHEDULER_SERVICE_ACCOUNT", ""),
		RemindersAudience:       p.str("LEMBRA_REMINDERS_AUDIENCE", ""),
		OIDCIssuers:             p.list("LEMBRA_OIDC_ISSUERS"),
		OIDCJWKSURL:             p.str("LEMBRA_OIDC_JWKS_URL", "https://www.googleapis.com/oauth2/v3/certs"),

		CloudTasksEmulatorHost:    p.str("CLOUD_TASKS_EMULATOR_HOST", ""),
		SecretManagerEmulatorHost: p.str("SECRET_MANAGER_EMULATOR_HOST", ""),
		FirebaseAuthEmulatorHost:  p.str("FIREBASE_AUTH_EMULATOR_HOST", ""),
		DashboardOrigins:          p.list("LEMBRA_DASHBOARD_ORIGINS"),

		OperatorName: p.str("LEMBRA_OPERATOR_NAME", ""),
		ContactEmail: p.str("LEMBRA_CONTACT_EMAIL", ""),
		DPOName:      p.str("LEMBRA_DPO_NAME", ""),
	}
	p.legal(&c)
	for _, o := range c.DashboardOrigins {
		if !IsOrigin(o) {
			p.fail("LEMBRA_DASHBOARD_ORIGINS", fmt.Sprintf("holds %q, not an origin: want scheme://host[:port] (http or https, no path or trailing slash), e.g. https://painel.example.com", o))
		}
	}
	if (strings.EqualFold(c.Environment, "prod") || strings.EqualFold(c.Environment, "production")) && c.FirebaseAuthEmulatorHost != "" {
		p.fail("FIREBASE_AUTH_EMULATOR_HOST", "must not be set in prod: with it the Firebase Admin SDK accepts unsigned ID tokens")
	}
	if c.Project == "" {
		p.fail("GOOGLE_CLOUD_PROJECT", "is required")
	}
	if c.TasksLocation != "" && !tasksLocation.MatchString(c.TasksLocation) {
		p.fail("LEMBRA_TASKS_LOCATION", fmt.Sprintf("must look like projects/PROJECT/locations/REGION, not %q", c.TasksLocation))
	}
	if c.TasksFallbackQueue != "" && !fallbackQueue.MatchString(c.TasksFallbackQueue) {
		p.fail("LEMBRA_TASKS_FALLBACK_QUEUE", fmt.Sprintf("must look like projects/PROJECT/locations/REGION/queues/QUEUE, not %q", c.TasksFallbackQueue))
	}
	if !queuePrefix.MatchString(c.TasksQueuePrefix) {
		p.fail("LEMBRA_TASKS_QUEUE_PREFIX", fmt.Sprintf("must be 1 to 12 lowercase letters, digits or hyphens starting with a letter, not %q", c.TasksQueuePrefix))
	}
	if c.TasksNowSharePercent+c.TasksReminderSharePercent > 100 {
		p.fail("LEMBRA_TASKS_NOW_SHARE_PERCENT + LEMBRA_TASKS_REMINDER_SHARE_PERCENT", "must not exceed 100: together the lanes would send above the number's cap")
	}
	if c.TasksMinBackoff > c.TasksMaxBackoff {
		p.fail("LEMBRA_TASKS_MIN_BACKOFF_SECONDS", "must not exceed LEMBRA_TASKS_MAX_BACKOFF_SECONDS")
	}
	if c.TestRecipient != "" && !domain.E164.MatchString(c.TestRecipient) {
		p.fail("WHATSAPP_AUTOMATION_META_TEST_RECIPIENT", "must be a phone number in E.164 form, e.g. +5511987654321")
	}
	if !strings.HasPrefix(c.MetaAPIVersion, "v") {
		p.fail("WHATSAPP_AUTOMATION_META_API_VERSION", "must look like v23.0")
	}
	if c.MetaTimeout < time.Second || c.MetaTimeout > time.Minute {
		p.fail("WHATSAPP_AUTOMATION_META_TIMEOUT_SECONDS", "must be from 1 to 60 seconds")
	}
	if c.RetryBaseDelay < 100*time.Millisecond || c.UnknownOutcomeWait < time.Second {
		p.fail("WHATSAPP_AUTOMATION_RETRY_BASE_DELAY_SECONDS / _UNKNOWN_OUTCOME_WAIT_SECONDS", "are too small (at least 0.1 s and 1 s)")
	}
	if len(c.OIDCIssuers) == 0 {
		c.OIDCIssuers = []string{"https://accounts.google.com", "accounts.google.com"}
	}
	if c.TasksAudience == "" {
		c.TasksAudience = c.DispatchURL
	}
	if len(p.errs) > 0 {
		return Config{}, fmt.Errorf("configuration: %w", errors.Join(p.errs...))
	}
	return c, nil
}

// legal checks the public pages' operator settings: required in prod (a privacy policy
// naming a placeholder company is no policy), placeholders for local and test stacks.
func (p *parser) legal(c *Config) {
	prod := strings.EqualFold(c.Environment, "prod") || strings.EqualFold(c.Environment, "production")
	for _, f := range []struct {
		name string
		v    *string
		def  string
	}{
		{"LEMBRA_OPERATOR_NAME", &c.OperatorName, "Lembra (ambiente " + c.Environment + ")"},
		{"LEMBRA_CONTACT_EMAIL", &c.ContactEmail, "privacidade@lembra.example"},
		{"LEMBRA_DPO_NAME", &c.DPOName, "Encarregado de dados (ambiente " + c.Environment + ")"},
	} {
		switch {
		case *f.v == "" && prod:
			p.fail(f.name, "is required in prod: the privacy policy and the terms of use name it")
		case *f.v == "":
			*f.v = f.def
		}
	}
	if c.ContactEmail != "" && !IsEmail(c.ContactEmail) {
		p.fail("LEMBRA_CONTACT_EMAIL", fmt.Sprintf("must be an e-mail address such as privacidade@empresa.com.br, not %q", c.ContactEmail))
	}
}

// IsEmail reports whether s is a plain e-mail address (local@domain.tld, no spaces, no
// display name), as the public pages print it in a mailto: link.
func IsEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".") &&
		!strings.ContainsAny(s, " \t\r\n<>()[],;:\"") && !strings.Contains(domain, "@")
}

// IsOrigin reports whether o is a web origin as a browser sends it in the Origin header
// (https://www.rfc-editor.org/rfc/rfc6454#section-6.1): http or https, a host, an
// optional port, nothing else.
func IsOrigin(o string) bool {
	u, err := url.Parse(o)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil &&
		u.Path == "" && u.RawQuery == "" && u.Fragment == "" && !strings.HasSuffix(o, "?") && !strings.HasSuffix(o, "#") &&
		o == u.Scheme+"://"+u.Host
}

// TenantAllowed applies the environment's allowlist (empty: every tenant).
func (c Config) TenantAllowed(id string) bool {
	if len(c.AllowedTenantIDs) == 0 {
		return true
	}
	for _, allowed := range c.AllowedTenantIDs {
		if allowed == id {
			return true
		}
	}
	return false
}

// DefaultPairGap is Config.PairGap's value: Meta's pair rate plus a second.
const DefaultPairGap = meta.PairRateGap + time.Second

// Retry is the configured part of the retry rule (meta.RetryPolicy).
func (c Config) Retry() meta.RetryPolicy {
	return meta.RetryPolicy{MaxRetries: c.MaxRetries, BaseDelay: c.RetryBaseDelay, UnknownWait: c.UnknownOutcomeWait, PairGap: c.PairGap}
}

type parser struct {
	getenv Getenv
	errs   []error
}

func (p *parser) fail(name, msg string) { p.errs = append(p.errs, fmt.Errorf("%s %s", name, msg)) }

func (p *parser) str(name, def string) string {
	if v := strings.TrimSpace(p.getenv(name)); v != "" {
		return v
	}
	return def
}

// listOr is list with a default for an unset (or empty) variable.
func (p *parser) listOr(name string, def []string) []string {
	if l := p.list(name); len(l) > 0 {
		return l
	}
	return def
}

func (p *parser) list(name string) []string {
	var out []string
	for _, part := range strings.Split(p.getenv(name), ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func (p *parser) mode(name string, def domain.Mode) domain.Mode {
	v := p.str(name, "")
	if v == "" {
		return def
	}
	m, err := domain.ParseMode(v)
	if err != nil {
		p.fail(name, "must be disabled, dry_run or enabled, not "+strconv.Quote(v))
		return def
	}
	return m
}

func (p *parser) integer(name string, def, lo, hi int) int {
	v := p.str(name, "")
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		p.fail(name, fmt.Sprintf("must be a whole number from %d to %d, not %q", lo, hi, v))
		return def
	}
	return n
}

// seconds accepts a number of seconds, fractions allowed (tests use short delays).
func (p *parser) seconds(name string, def time.Duration) time.Duration {
	v := p.str(name, "")
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f <= 0 || f > 7*24*3600 {
		p.fail(name, fmt.Sprintf("must be a positive number of seconds, not %q", v))
		return def
	}
	return time.Duration(f * float64(time.Second))
}
