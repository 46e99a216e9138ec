package webhook

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/logging"
	"github.com/lembra-app/lembra/shared/meta"
	"github.com/lembra-app/lembra/shared/secrets"
)

// fakeSecrets is a secrets.Source holding fixed values; an id it lacks is not found.
type fakeSecrets map[string]string

func (f fakeSecrets) Secret(_ context.Context, id string) ([]byte, error) {
	v, ok := f[id]
	if !ok {
		return nil, fmt.Errorf("secret %s: %w", id, secrets.ErrNotFound)
	}
	return []byte(v), nil
}

const (
	goodAppSecret   = "3f1c9a0e5b7d2c4e6a8b0d1f3e5c7a9b"
	goodVerifyToken = "lembra-verify-token-8c1f0a2b"
)

// newHandler builds the webhook with the given secrets. It has no publisher: every
// case here must be answered before anything is published (a publish would panic).
func newHandler(sec secrets.Source, logs io.Writer) *handler {
	return &handler{
		log: logging.New(logs, slog.LevelDebug), secrets: sec,
		appSecretID: "meta-app-secret", verifyTokenID: "meta-webhook-verify-token", maxBody: 1 << 20,
	}
}

func TestWebhookSecretsTooWeakAnswer503(t *testing.T) {
	body := []byte(`{"object":"whatsapp_business_account","entry":[]}`)
	cases := []struct {
		name        string
		appSecret   *string // nil: not in Secret Manager
		verifyToken *string
		method      string
		// For GET: the token Meta sends; for POST: the key the signature is made with.
		given  string
		status int
	}{
		{"handshake, empty verify token, empty token sent", nil, ptr(""), "GET", "", 503},
		{"handshake, short verify token sent right", nil, ptr("short-token"), "GET", "short-token", 503},
		{"handshake, 15-byte verify token sent right", nil, ptr(strings.Repeat("v", 15)), "GET", strings.Repeat("v", 15), 503},
		{"handshake, no verify token stored", nil, nil, "GET", "", 503},
		{"handshake, good token, right", nil, ptr(goodVerifyToken), "GET", goodVerifyToken, 200},
		{"handshake, good token, wrong", nil, ptr(goodVerifyToken), "GET", "guess", 403},
		{"handshake, good token, none sent", nil, ptr(goodVerifyToken), "GET", "", 403},
		{"delivery, empty app secret, signed with the empty key", ptr(""), nil, "POST", "", 503},
		{"delivery, short app secret, signed with it", ptr("s3cr3tval10"), nil, "POST", "s3cr3tval10", 503},
		{"delivery, no app secret stored", nil, nil, "POST", goodAppSecret, 503},
		{"delivery, good app secret, signed with another key", ptr(goodAppSecret), nil, "POST", "0000000000000000", 403},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sec := fakeSecrets{}
			if c.appSecret != nil {
				sec["meta-app-secret"] = *c.appSecret
			}
			if c.verifyToken != nil {
				sec["meta-webhook-verify-token"] = *c.verifyToken
			}
			var logs bytes.Buffer
			h := newHandler(sec, &logs)
			var req *http.Request
			if c.method == "GET" {
				q := url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {c.given}, "hub.challenge": {"1158201444"}}
				req = httptest.NewRequest("GET", "/webhook?"+q.Encode(), nil)
			} else {
				req = httptest.NewRequest("POST", "/webhook", bytes.NewReader(body))
				req.Header.Set("X-Hub-Signature-256", meta.Sign(body, []byte(c.given)))
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d (%s)", rec.Code, c.status, rec.Body.String())
			}
			if c.status == 200 && rec.Body.String() != "1158201444" {
				t.Errorf("challenge not echoed: %q", rec.Body.String())
			}
			if c.status == 503 && !strings.Contains(logs.String(), "unavailable") {
				t.Errorf("no log line says why: %s", logs.String())
			}
			for _, v := range []*string{c.appSecret, c.verifyToken} {
				if v != nil && len(*v) > 0 && strings.Contains(logs.String(), *v) {
					t.Errorf("a secret value reached the log: %s", logs.String())
				}
			}
		})
	}
}

func ptr(s string) *string { return &s }

func TestWebhookFixedSecretWorksAtOnceDespiteTheCache(t *testing.T) {
	src := fakeSecrets{"meta-webhook-verify-token": ""}
	h := newHandler(secrets.NewCache(src, time.Hour), io.Discard)
	handshake := func() int {
		q := url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {goodVerifyToken}, "hub.challenge": {"1"}}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/webhook?"+q.Encode(), nil))
		return rec.Code
	}
	if got := handshake(); got != 503 {
		t.Fatalf("empty verify token: %d, want 503", got)
	}
	src["meta-webhook-verify-token"] = goodVerifyToken // the operator adds a proper version
	if got := handshake(); got != 200 {
		t.Fatalf("after the fix: %d, want 200 (the unusable value must not stay cached)", got)
	}
}
