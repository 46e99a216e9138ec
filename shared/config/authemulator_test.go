package config

import (
	"strings"
	"testing"
)

// TestAuthEmulatorRefusedInProd: with FIREBASE_AUTH_EMULATOR_HOST the Admin SDK accepts
// unsigned ID tokens, so prod refuses the variable; other environments keep it.
func TestAuthEmulatorRefusedInProd(t *testing.T) {
	for _, c := range []struct {
		environment, host string
		refused           bool
	}{
		{"local", "127.0.0.1:9099", false},
		{"dev", "127.0.0.1:9099", false},
		{"prod", "", false},
		{"prod", "127.0.0.1:9099", true},
		{"PROD", "127.0.0.1:9099", true},
		{"production", "127.0.0.1:9099", true},
	} {
		cfg, err := Load(env(map[string]string{"GOOGLE_CLOUD_PROJECT": "p", "LEMBRA_ENVIRONMENT": c.environment, "FIREBASE_AUTH_EMULATOR_HOST": c.host,
			"LEMBRA_OPERATOR_NAME": "Op", "LEMBRA_CONTACT_EMAIL": "dpo@op.com.br", "LEMBRA_DPO_NAME": "Ana"})) // prod requires these (legal_test.go)
		if refused := err != nil; refused != c.refused {
			t.Errorf("%s with %q: error %v, want refused %v", c.environment, c.host, err, c.refused)
			continue
		}
		if c.refused && !strings.Contains(err.Error(), "FIREBASE_AUTH_EMULATOR_HOST") {
			t.Errorf("%s: error %q does not name the variable", c.environment, err)
		}
		if !c.refused && cfg.FirebaseAuthEmulatorHost != c.host {
			t.Errorf("%s: host %q, want %q", c.environment, cfg.FirebaseAuthEmulatorHost, c.host)
		}
	}
}
