package config

import (
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
)

func env(m map[string]string) Getenv { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := Load(env(map[string]string{"GOOGLE_CLOUD_PROJECT": "p"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Mode != domain.ModeDisabled {
		t.Errorf("default mode %q, want disabled", c.Mode)
	}
	if c.MaxRetries != 5 || c.RetryBaseDelay != 30*time.Second || c.UnknownOutcomeWait != 15*time.Minute {
		t.Errorf("defaults: %+v", c)
	}
	if c.PairGap != 7*time.Second || c.Retry().PairGap != 7*time.Second {
		t.Errorf("pair gap %v (policy %v), want Meta's 6 s plus 1 s", c.PairGap, c.Retry().PairGap)
	}
	if !c.TenantAllowed("anyone") {
		t.Error("an empty allowlist must allow every tenant")
	}
}

func TestValues(t *testing.T) {
	c, err := Load(env(map[string]string{
		"GOOGLE_CLOUD_PROJECT":                         "p",
		"WHATSAPP_AUTOMATION_MODE":                     "DRY_RUN",
		"WHATSAPP_AUTOMATION_ALLOWED_TENANT_IDS":       " a, b ,,",
		"WHATSAPP_AUTOMATION_RETRY_BASE_DELAY_SECONDS": "0.25",
		"LEMBRA_DISPATCH_URL":                          "http://x/dispatch",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Mode != domain.ModeDryRun || len(c.AllowedTenantIDs) != 2 || !c.TenantAllowed("b") || c.TenantAllowed("c") {
		t.Errorf("parsed: %+v", c)
	}
	if c.RetryBaseDelay != 250*time.Millisecond || c.Retry().Delay(3) != time.Second {
		t.Errorf("retry delays: base %v, third %v", c.RetryBaseDelay, c.Retry().Delay(3))
	}
	if c.TasksAudience != "http://x/dispatch" {
		t.Errorf("audience defaults to dispatch url, got %q", c.TasksAudience)
	}
}

func TestBadValuesAreAllReported(t *testing.T) {
	_, err := Load(env(map[string]string{
		"WHATSAPP_AUTOMATION_MODE":                "on",
		"WHATSAPP_AUTOMATION_MAX_RETRIES":         "-1",
		"WHATSAPP_AUTOMATION_META_TEST_RECIPIENT": "11987654321",
	}))
	if err == nil {
		t.Fatal("want an error")
	}
	for _, name := range []string{"GOOGLE_CLOUD_PROJECT", "WHATSAPP_AUTOMATION_MODE", "WHATSAPP_AUTOMATION_MAX_RETRIES", "WHATSAPP_AUTOMATION_META_TEST_RECIPIENT"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
}

func TestVoucherTTL(t *testing.T) {
	cases := []struct {
		value string
		want  time.Duration
		bad   bool
	}{
		{"", 30 * 24 * time.Hour, false},
		{"7", 7 * 24 * time.Hour, false},
		{" 90 ", 90 * 24 * time.Hour, false},
		{"0", 0, true},
		{"-1", 0, true},
		{"1.5", 0, true},
		{"3651", 0, true},
		{"trinta", 0, true},
	}
	for _, c := range cases {
		got, err := Load(env(map[string]string{"GOOGLE_CLOUD_PROJECT": "p", "LEMBRA_VOUCHER_TTL_DAYS": c.value}))
		switch {
		case c.bad && (err == nil || !strings.Contains(err.Error(), "LEMBRA_VOUCHER_TTL_DAYS")):
			t.Errorf("%q: got %v, want an error naming LEMBRA_VOUCHER_TTL_DAYS", c.value, err)
		case !c.bad && (err != nil || got.VoucherTTL != c.want):
			t.Errorf("%q: got %v (%v), want %v", c.value, got.VoucherTTL, err, c.want)
		}
	}
}
