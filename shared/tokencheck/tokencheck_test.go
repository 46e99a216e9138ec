package tokencheck

import (
	"errors"
	"testing"

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
		{"Meta answers 190 as an error", onboarding.TokenInfo{}, &meta.APIError{Code: 190, Message: "Invalid OAuth access token."}, false, true, "código 190"},
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
