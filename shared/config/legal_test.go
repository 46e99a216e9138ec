package config

import (
	"strings"
	"testing"
)

// TestLegalOperatorSettings: the public pages' operator name, contact e-mail and data
// protection officer are required in prod, default to placeholders elsewhere, and the
// e-mail must be one.
func TestLegalOperatorSettings(t *testing.T) {
	all := map[string]string{"LEMBRA_OPERATOR_NAME": "Lembra Tecnologia Ltda.", "LEMBRA_CONTACT_EMAIL": "privacidade@lembra.com.br", "LEMBRA_DPO_NAME": "Ana Lima"}
	without := func(name string) map[string]string {
		m := map[string]string{}
		for k, v := range all {
			if k != name {
				m[k] = v
			}
		}
		return m
	}
	for _, c := range []struct {
		name        string
		environment string
		vars        map[string]string
		refused     string // the variable the error names; empty: accepted
	}{
		{"prod with all three", "prod", all, ""},
		{"prod without the operator", "prod", without("LEMBRA_OPERATOR_NAME"), "LEMBRA_OPERATOR_NAME"},
		{"production without the e-mail", "production", without("LEMBRA_CONTACT_EMAIL"), "LEMBRA_CONTACT_EMAIL"},
		{"PROD without the officer", "PROD", without("LEMBRA_DPO_NAME"), "LEMBRA_DPO_NAME"},
		{"prod with blanks only", "prod", map[string]string{"LEMBRA_OPERATOR_NAME": "  ", "LEMBRA_CONTACT_EMAIL": "privacidade@lembra.com.br", "LEMBRA_DPO_NAME": "Ana"}, "LEMBRA_OPERATOR_NAME"},
		{"local without any", "local", nil, ""},
		{"a bad e-mail", "local", map[string]string{"LEMBRA_CONTACT_EMAIL": "Lembra <x@y.com>"}, "LEMBRA_CONTACT_EMAIL"},
		{"an e-mail without a domain", "dev", map[string]string{"LEMBRA_CONTACT_EMAIL": "privacidade@lembra"}, "LEMBRA_CONTACT_EMAIL"},
	} {
		vars := map[string]string{"GOOGLE_CLOUD_PROJECT": "p", "LEMBRA_ENVIRONMENT": c.environment}
		for k, v := range c.vars {
			vars[k] = v
		}
		cfg, err := Load(env(vars))
		if c.refused != "" {
			if err == nil || !strings.Contains(err.Error(), c.refused) {
				t.Errorf("%s: error %v, want one naming %s", c.name, err, c.refused)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if cfg.OperatorName == "" || cfg.ContactEmail == "" || cfg.DPOName == "" {
			t.Errorf("%s: empty setting in %q %q %q", c.name, cfg.OperatorName, cfg.ContactEmail, cfg.DPOName)
		}
		if c.vars == nil && (!strings.Contains(cfg.OperatorName, "ambiente local") || cfg.ContactEmail != "privacidade@lembra.example") {
			t.Errorf("%s: placeholders %q %q, want the local ones", c.name, cfg.OperatorName, cfg.ContactEmail)
		}
		if c.vars != nil && c.vars["LEMBRA_OPERATOR_NAME"] != "" && cfg.OperatorName != c.vars["LEMBRA_OPERATOR_NAME"] {
			t.Errorf("%s: operator %q", c.name, cfg.OperatorName)
		}
	}
}

func TestIsEmail(t *testing.T) {
	for s, want := range map[string]bool{
		"privacidade@lembra.com.br": true, "a.b+c@x.io": true,
		"": false, "lembra.com.br": false, "a@b": false, "a@.com": false, "a@b.": false, "@b.com": false,
		"a b@c.com": false, "<a@b.com>": false, "a@b@c.com": false, `"a"@b.com`: false,
	} {
		if got := IsEmail(s); got != want {
			t.Errorf("IsEmail(%q) = %v, want %v", s, got, want)
		}
	}
}
