package tokencheck

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"

	"github.com/lembra-app/lembra/shared/meta"
	"github.com/lembra-app/lembra/shared/onboarding"
)

func TestVerdict(t *testing.T) {
	withErr := func(code int, msg string) onboarding.TokenInfo {
		return onboarding.TokenInfo{Error: &onboarding.TokenError{Code: code, Message: msg}}
	}
	cases := []struct {
		name             string
		info             onboarding.TokenInfo
		err              error
		valid, decided   bool
		reasonStartsWith string
	}{
		{"valid", onboarding.TokenInfo{IsValid: true}, nil, true, true, ""},
		{"is_valid false", onboarding.TokenInfo{}, nil, false, true, "is_valid false"},
		{"error 190 in data", withErr(190, "Error validating access token: The session has been invalidated"), nil, false, true, "código 190"},
		{"is_valid false with another code", withErr(102, "Session key invalid"), nil, false, true, "código 102"},
		// A top-level error is about the app token, not the studio's: no verdict.
		{"Meta answers 190 as a top-level error: the app token, no verdict", onboarding.TokenInfo{}, &meta.APIError{HTTPStatus: 400, Code: 190, Message: "Invalid OAuth access token - Cannot parse access token"}, false, false, ""},
		{"Meta down: no verdict", onboarding.TokenInfo{}, meta.ErrTransport, false, false, ""},
		{"another API error: no verdict", onboarding.TokenInfo{}, &meta.APIError{Code: 4, Message: "rate"}, false, false, ""},
		{"unknown error: no verdict", onboarding.TokenInfo{}, errors.New("x"), false, false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			valid, reason, decided := Verdict(c.info, c.err)
			if valid != c.valid || decided != c.decided || len(reason) < len(c.reasonStartsWith) || reason[:len(c.reasonStartsWith)] != c.reasonStartsWith {
				t.Fatalf("%v %q %v", valid, reason, decided)
			}
			if valid && reason != "" {
				t.Fatalf("a valid token with a reason %q", reason)
			}
		})
	}
}

func TestAppTokenRefused(t *testing.T) {
	cases := []struct {
		name    string
		err     error
		refused bool
	}{
		{"no error", nil, false},
		{"top-level 190", &meta.APIError{HTTPStatus: 400, Code: 190, Message: "Invalid OAuth access token - Cannot parse access token"}, true},
		{"top-level other code", &meta.APIError{HTTPStatus: 400, Code: 4, Message: "Application request limit reached"}, true},
		{"wrapped", fmt.Errorf("debug_token: %w", &meta.APIError{HTTPStatus: 401}), true},
		{"Meta down", meta.ErrTransport, false},
		{"unknown error", errors.New("x"), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			apiErr, refused := AppTokenRefused(c.err)
			if refused != c.refused || refused != (apiErr != nil) {
				t.Fatalf("%v %v, want refused %v", apiErr, refused, c.refused)
			}
		})
	}
}

func TestSuperseded(t *testing.T) {
	start := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	checked := domain.WhatsApp{AccessTokenSecret: "meta-token-a",
		EventTimes: map[string]time.Time{domain.FactConnection: start.Add(-48 * time.Hour), domain.FactBan: start.Add(-time.Hour)}}
	with := func(f func(w *domain.WhatsApp)) domain.WhatsApp {
		w := checked
		w.EventTimes = map[string]time.Time{}
		for k, v := range checked.EventTimes {
			w.EventTimes[k] = v
		}
		f(&w)
		return w
	}
	connecting := with(func(w *domain.WhatsApp) { w.ConnectingSince = start.Add(-time.Hour) })
	cases := []struct {
		name        string
		before, now domain.WhatsApp
		superseded  bool
	}{
		{"unchanged", checked, checked, false},
		{"another fact's event (a ban) does not count", checked, with(func(w *domain.WhatsApp) { w.EventTimes[domain.FactBan] = start.Add(time.Minute) }), false},
		{"a token check recorded meanwhile does not count", checked, with(func(w *domain.WhatsApp) { w.TokenCheck = &domain.TokenCheck{CheckedAt: start, Valid: true} }), false},
		{"an attempt indexed the number", checked, with(func(w *domain.WhatsApp) { w.ConnectingSince = start.Add(time.Second) }), true},
		{"an attempt activated (reconnected, token check cleared)", checked, with(func(w *domain.WhatsApp) {
			w.EventTimes[domain.FactConnection] = start.Add(time.Second)
		}), true},
		{"an attempt indexed before the check activated after it", connecting, with(func(w *domain.WhatsApp) {
			w.EventTimes[domain.FactConnection] = connecting.ConnectingSince.Truncate(time.Second)
		}), true},
		{"a first connection (no event time before)", domain.WhatsApp{AccessTokenSecret: "meta-token-a"}, with(func(w *domain.WhatsApp) {}), true},
		{"a disconnection applied meanwhile", checked, with(func(w *domain.WhatsApp) {
			w.Status = domain.AccountDisconnected
			w.EventTimes[domain.FactConnection] = start.Add(time.Minute)
		}), true},
		{"another token secret", checked, with(func(w *domain.WhatsApp) { w.AccessTokenSecret = "meta-token-b" }), true},
		{"the same instant in another zone", checked, with(func(w *domain.WhatsApp) {
			w.EventTimes[domain.FactConnection] = w.EventTimes[domain.FactConnection].In(time.FixedZone("BRT", -3*3600))
		}), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Superseded(c.before, c.now); got != c.superseded {
				t.Fatalf("Superseded = %v, want %v", got, c.superseded)
			}
		})
	}
}
