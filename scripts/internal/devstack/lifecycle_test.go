package devstack_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/scripts/internal/emulators"
	"github.com/lembra-app/lembra/shared/config"
)

// TestWhatsAppSignupEvents: the browser's Embedded Signup events (FINISH, CANCEL at a
// step, CANCEL with an error id, LOGIN_CANCELLED) are recorded on their attempts and
// shown in GET /v1/staff/whatsapp with a Portuguese ended_label; the same event twice
// is recorded once; staff read GET but get 403 on the owner's routes; the signup
// configuration is answered.
func TestWhatsAppSignupEvents(t *testing.T) {
	s := devstack.ForTest(t, devstack.Options{Project: emulators.AuthProject,
		Configure: func(c *config.Config) { c.MetaAppID, c.MetaESConfigID = onboardingAppID, "cfg-1234" }})
	eva, _ := unconnected(t, s, "signup-eva", "Studio Eva")
	owner, _, staff, _ := opsTokens(t, s, eva.ID, eva.ID)

	post := func(tok string, body map[string]any) reply {
		return call(t, s, tok, "POST", "/v1/staff/whatsapp/signup-events", body)
	}
	if r := post(staff, map[string]any{"attempt_id": "attempt-eva-0001", "event": "FINISH", "coexistence": false}); r.Status != 403 {
		t.Errorf("staff: %d %s", r.Status, r.Raw)
	}
	if r := call(t, s, staff, "POST", "/v1/staff/whatsapp/disconnect", map[string]any{"reason": "x"}); r.Status != 403 {
		t.Errorf("staff disconnect: %d %s", r.Status, r.Raw)
	}
	if r := post(owner, map[string]any{"attempt_id": "attempt-eva-0001", "event": "NOPE", "coexistence": false}); r.Status != 400 {
		t.Errorf("unknown event: %d %s", r.Status, r.Raw)
	}
	cases := []struct {
		attempt string
		body    map[string]any
		ended   string
		label   string
	}{
		{"attempt-eva-0001", map[string]any{"event": "FINISH", "waba_id": "102290129360001", "phone_number_id": "106540352260001"}, "finish", "concluído"},
		{"attempt-eva-0002", map[string]any{"event": "CANCEL", "current_step": "PHONE_NUMBER_SETUP"}, "cancel", "Cancelado na etapa PHONE_NUMBER_SETUP"},
		{"attempt-eva-0003", map[string]any{"event": "CANCEL", "error_id": "524126", "error_message": "Erro", "session_id": "s1"}, "error", "Erro informado pelo Meta (id 524126)"},
		{"attempt-eva-0004", map[string]any{"event": "LOGIN_CANCELLED"}, "login_cancelled", "Janela do Meta fechada sem concluir"},
	}
	for _, c := range cases {
		c.body["attempt_id"], c.body["coexistence"] = c.attempt, false
		for i := 0; i < 2; i++ { // twice: recorded once
			r := post(owner, c.body)
			if r.Status != 200 || r.Body["ended"] != c.ended || !strings.Contains(fmt.Sprint(r.Body["ended_label"]), c.label) {
				t.Fatalf("%s: %d %s", c.attempt, r.Status, r.Raw)
			}
			if evs, _ := r.Body["events"].([]any); len(evs) != 1 {
				t.Fatalf("%s: events %v", c.attempt, r.Body["events"])
			}
		}
	}
	g := call(t, s, staff, "GET", "/v1/staff/whatsapp", nil)
	if g.Status != 200 || g.Body["state"] != "not_connected" || g.Body["state_label"] != "Não conectado" || g.Body["can_send"] != false {
		t.Fatalf("GET: %d %s", g.Status, g.Raw)
	}
	atts, _ := g.Body["attempts"].([]any)
	if len(atts) != len(cases) {
		t.Fatalf("attempts: %s", g.Raw)
	}
	seen := map[string]string{}
	for _, a := range atts {
		m := a.(map[string]any)
		seen[fmt.Sprint(m["attempt_id"])] = fmt.Sprint(m["ended"])
	}
	for _, c := range cases {
		if seen[c.attempt] != c.ended {
			t.Errorf("GET: %s ended %q, want %q", c.attempt, seen[c.attempt], c.ended)
		}
	}
	signup, _ := g.Body["signup"].(map[string]any)
	if signup["app_id"] != onboardingAppID || signup["config_id"] != "cfg-1234" || fmt.Sprint(signup["message_origins"]) == "[]" {
		t.Errorf("signup: %v", g.Body["signup"])
	}
	// Not connected: nothing to disconnect.
	if r := call(t, s, owner, "POST", "/v1/staff/whatsapp/disconnect", map[string]any{"reason": "teste"}); r.Status != 409 {
		t.Errorf("disconnect unconnected: %d %s", r.Status, r.Raw)
	}
	if r := call(t, s, owner, "POST", "/v1/staff/whatsapp/disconnect", map[string]any{"reason": ""}); r.Status != 400 {
		t.Errorf("disconnect without reason: %d %s", r.Status, r.Raw)
	}
}
