package devstack_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/scripts/internal/emulators"
	"github.com/lembra-app/lembra/scripts/internal/standin/metastandin"
	"github.com/lembra-app/lembra/shared/config"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/logging"
	"github.com/lembra-app/lembra/shared/onboarding"
	"github.com/lembra-app/lembra/shared/ptbr"
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
		{"attempt-eva-0002", map[string]any{"event": "CANCEL", "current_step": "PHONE_NUMBER_SETUP"}, "cancel", "Cadastro na Meta cancelado antes de terminar (tela da Meta: PHONE_NUMBER_SETUP)"},
		{"attempt-eva-0003", map[string]any{"event": "CANCEL", "error_id": "524126", "error_message": "Erro", "session_id": "s1"}, "error", "Erro informado pela Meta (id 524126)"},
		{"attempt-eva-0004", map[string]any{"event": "LOGIN_CANCELLED"}, "login_cancelled", "Janela da Meta fechada sem concluir"},
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

// lifecycleStudio is a studio connected through POST /v1/staff/whatsapp/connect with
// a business of the Meta stand-in.
type lifecycleStudio struct {
	ten   *domain.Tenant
	key   string // the booking API key
	owner string // the owner's ID token
	b     metastandin.Business
}

func connectedStudio(t *testing.T, s *devstack.Stack, id, name, suffix string, coexistence bool) lifecycleStudio {
	t.Helper()
	ten, key := unconnected(t, s, id, name)
	owner, _, _, _ := opsTokens(t, s, ten.ID, ten.ID)
	b := metastandin.Business{Code: "code-" + id, Token: "EAAG-" + id + "-token", WABAID: "1022901293602" + suffix,
		PhoneNumberID: "1065403522602" + suffix, DisplayPhoneNumber: "+55 11 4000-62" + suffix, VerifiedName: name, Coexistence: coexistence}
	fakeBusiness(s, ten, b)
	body := map[string]any{"code": b.Code, "waba_id": b.WABAID, "phone_number_id": b.PhoneNumberID, "coexistence": coexistence, "attempt_id": "attempt-" + id + "-1"}
	if coexistence {
		body["phone_number_id"] = "" // the coexistence finish carries only the WABA id
	}
	if r := connect(t, s, owner, body); r.Status != 200 || r.Body["outcome"] != "complete" {
		t.Fatalf("connect %s: %d %s", id, r.Status, r.Raw)
	}
	return lifecycleStudio{ten: ten, key: key, owner: owner, b: b}
}

// connection is GET /v1/staff/whatsapp.
func connection(t *testing.T, s *devstack.Stack, tok string) map[string]any {
	t.Helper()
	r := call(t, s, tok, "GET", "/v1/staff/whatsapp", nil)
	if r.Status != 200 {
		t.Fatalf("GET /v1/staff/whatsapp: %d %s", r.Status, r.Raw)
	}
	return r.Body
}

func waitConnection(t *testing.T, s *devstack.Stack, tok, what string, cond func(c map[string]any) bool) map[string]any {
	t.Helper()
	var last map[string]any
	eventually(t, 15*time.Second, what, func() bool {
		last = connection(t, s, tok)
		return cond(last)
	})
	return last
}

func historyProgress(c map[string]any) float64 {
	sync, _ := c["sync"].(map[string]any)
	h, _ := sync["history"].(map[string]any)
	p, _ := h["progress"].(float64)
	return p
}

func jobStatus(t *testing.T, s *devstack.Stack, tenantID, jobID string) *domain.Job {
	t.Helper()
	j, err := mustStore(t, s).GetJob(context.Background(), tenantID, jobID)
	if err != nil {
		t.Fatalf("job %s: %v", jobID, err)
	}
	return j
}

// TestConnectionLifecycle: a studio connected by Embedded Signup through the whole
// lifecycle against the Meta stand-in: (a) the Business App's disconnect
// (PARTNER_REMOVED) stops sends with the reason, a reconnection (a new login and
// attempt) resumes them and keeps every appointment and job; (b) the owner's
// disconnect unsubscribes the app at Meta (DELETE subscribed_apps), stops sends
// with her reason and is audited; (c) coexistence: the webhooks Meta sends during
// the onboarding (PARTNER_ADDED, the state sync, a history chunk) are applied while
// the attempt is still connecting, the history's progress keeps the maximum of
// out-of-order chunks, syncing_history then connected at 100; (d) a revoked token:
// the daily check marks it invalid (the ERROR line), sends stop with the reason, a
// valid check lifts it.
func TestConnectionLifecycle(t *testing.T) {
	logs := &syncBuffer{}
	s := devstack.ForTest(t, devstack.Options{Project: emulators.AuthProject, Log: logging.New(logs, slog.LevelInfo)})
	ctx := context.Background()
	db := mustStore(t, s)
	defer func() {
		if t.Failed() {
			t.Log(logs.String())
		}
	}()

	t.Run("disconnected from the Business App, then reconnected", func(t *testing.T) {
		st := connectedStudio(t, s, "life-ana", "Studio Ana", "01", false)
		first := notice(t, s, st.ten, st.key, "life-ana-1")
		if first.Status != domain.JobSent {
			t.Fatalf("first notice: %s %s", first.Status, first.Reason)
		}
		if status, err := s.Meta.DisconnectFromBusinessApp(ctx, st.b.WABAID); err != nil || status != 200 {
			t.Fatalf("PARTNER_REMOVED: %d %v", status, err)
		}
		c := waitConnection(t, s, st.owner, "disconnected", func(c map[string]any) bool { return c["state"] == domain.StateDisconnected })
		if c["can_send"] != false || c["state_label"] != "Desconectado" || c["disconnection"] == nil {
			t.Errorf("connection after PARTNER_REMOVED: %v", c)
		}
		held := notice(t, s, st.ten, st.key, "life-ana-2")
		if held.Status != domain.JobSkipped || held.ReasonCode != domain.ReasonAccountDisconnected ||
			!strings.HasPrefix(held.Reason, ptbr.TextAccountDisconnected) || !strings.Contains(held.Reason, "desconectada da plataforma no aplicativo") {
			t.Fatalf("notice while disconnected: %s %s %q", held.Status, held.ReasonCode, held.Reason)
		}
		// Reconnect: a new Embedded Signup login (a new code) and a new attempt.
		code, err := s.Meta.NewCode(st.b.WABAID)
		if err != nil {
			t.Fatal(err)
		}
		r := connect(t, s, st.owner, map[string]any{"code": code, "waba_id": st.b.WABAID, "phone_number_id": st.b.PhoneNumberID, "coexistence": false, "attempt_id": "attempt-life-ana-2"})
		if r.Status != 200 || r.Body["outcome"] != "complete" {
			t.Fatalf("reconnect: %d %s", r.Status, r.Raw)
		}
		if c := connection(t, s, st.owner); c["state"] != domain.StateConnected || c["can_send"] != true || c["disconnection"] != nil {
			t.Errorf("connection after reconnecting: %v", c)
		}
		if again := notice(t, s, st.ten, st.key, "life-ana-3"); again.Status != domain.JobSent {
			t.Fatalf("notice after reconnecting: %s %s %q", again.Status, again.ReasonCode, again.Reason)
		}
		// Nothing lost: the earlier appointments and their jobs as they were.
		for _, j := range []*domain.Job{first, held} {
			got := jobStatus(t, s, st.ten.ID, j.ID)
			if got.Status != j.Status || got.ReasonCode != j.ReasonCode {
				t.Errorf("job %s: %s %s, was %s %s", j.ID, got.Status, got.ReasonCode, j.Status, j.ReasonCode)
			}
			if a, err := db.GetAppointment(ctx, st.ten.ID, j.AppointmentID); err != nil || a == nil {
				t.Errorf("appointment %s: %v", j.AppointmentID, err)
			}
		}
	})

	t.Run("the owner disconnects", func(t *testing.T) {
		st := connectedStudio(t, s, "life-bea", "Studio Bea", "02", false)
		r := call(t, s, st.owner, "POST", "/v1/staff/whatsapp/disconnect", map[string]any{"reason": "Trocando de número"})
		if r.Status != 200 || r.Body["state"] != domain.StateDisconnected || r.Body["webhooks_subscribed"] != false {
			t.Fatalf("disconnect: %d %s", r.Status, r.Raw)
		}
		b, _ := s.Meta.Business(st.b.WABAID)
		if b.Subscribed || b.Calls[metastandin.EndpointUnsubscribeApp] != 1 {
			t.Errorf("Meta saw: subscribed %v, %d DELETEs", b.Subscribed, b.Calls[metastandin.EndpointUnsubscribeApp])
		}
		deleted := false
		for _, q := range s.Meta.Requests() {
			if q.Method == "DELETE" && strings.HasSuffix(q.Path, "/"+st.b.WABAID+"/subscribed_apps") && q.Status == 200 {
				deleted = q.Authorization == "Bearer "+st.b.Token
			}
		}
		if !deleted {
			t.Error("no DELETE subscribed_apps with the studio's token")
		}
		held := notice(t, s, st.ten, st.key, "life-bea-1")
		if held.Status != domain.JobSkipped || held.ReasonCode != domain.ReasonAccountDisconnected ||
			!strings.Contains(held.Reason, "desconectada pelo estúdio") || !strings.Contains(held.Reason, "Trocando de número") {
			t.Fatalf("notice after the owner's disconnect: %s %s %q", held.Status, held.ReasonCode, held.Reason)
		}
		h := call(t, s, st.owner, "GET", "/v1/staff/settings/audit", nil)
		entries, _ := h.Body["entries"].([]any)
		found := false
		for _, e := range entries {
			m := e.(map[string]any)
			found = found || (m["field"] == "whatsapp" && strings.Contains(fmt.Sprint(m["new"]), "Trocando de número") && m["by"] != "")
		}
		if h.Status != 200 || !found {
			t.Errorf("audit: %d %s", h.Status, h.Raw)
		}
	})

	t.Run("the owner disconnects with a token Meta refuses", func(t *testing.T) {
		// A 5xx at Meta stays 502 (retry later); after the token lost its access
		// (revoked: 401 code 190) nothing is left to unsubscribe: 200 with a note.
		st := connectedStudio(t, s, "life-eli", "Studio Eli", "05", false)
		s.Meta.FailNextOn(metastandin.EndpointUnsubscribeApp, metastandin.Fault{HTTPStatus: 500})
		r := call(t, s, st.owner, "POST", "/v1/staff/whatsapp/disconnect", map[string]any{"reason": "Fechando o estúdio"})
		if r.Status != 502 || r.Body["state"] != domain.StateDisconnected {
			t.Fatalf("disconnect with Meta failing: %d %s", r.Status, r.Raw)
		}
		if err := s.Meta.RevokeToken(st.b.WABAID); err != nil {
			t.Fatal(err)
		}
		r = call(t, s, st.owner, "POST", "/v1/staff/whatsapp/disconnect", map[string]any{"reason": "Fechando o estúdio"})
		if r.Status != 200 || r.Body["state"] != domain.StateDisconnected || r.Body["webhooks_subscribed"] != false || r.Body["note"] == nil {
			t.Fatalf("disconnect with the token revoked: %d %s", r.Status, r.Raw)
		}
		if x, _ := db.GetTenant(ctx, st.ten.ID); !x.WhatsApp.Unsubscribed {
			t.Errorf("not recorded as unsubscribed: %+v", x.WhatsApp)
		}
		// Nothing more to do: a third call asks Meta nothing.
		before := len(s.Meta.Requests())
		if r := call(t, s, st.owner, "POST", "/v1/staff/whatsapp/disconnect", map[string]any{"reason": "Fechando o estúdio"}); r.Status != 200 {
			t.Errorf("again: %d %s", r.Status, r.Raw)
		}
		if n := len(s.Meta.Requests()) - before; n != 0 {
			t.Errorf("%d requests to Meta after the disconnection was complete", n)
		}
	})

	t.Run("the owner's disconnection stops a failed Reconectar", func(t *testing.T) {
		// A Reconectar subscribes the app and fails later; the owner disconnects (the
		// app unsubscribed at Meta); "Tentar de novo" on the old attempt is refused
		// with the reason and does not undo her disconnection.
		st := connectedStudio(t, s, "life-fia", "Studio Fia", "06", false)
		code, err := s.Meta.NewCode(st.b.WABAID)
		if err != nil {
			t.Fatal(err)
		}
		s.Meta.FailNextOn(metastandin.EndpointRegister, metastandin.Fault{Code: 2})
		body := map[string]any{"code": code, "waba_id": st.b.WABAID, "phone_number_id": st.b.PhoneNumberID, "coexistence": false, "attempt_id": "attempt-life-fia-2"}
		if r := connect(t, s, st.owner, body); r.Status != 502 || r.Body["next"] != "register" {
			t.Fatalf("Reconectar: %d %s", r.Status, r.Raw)
		}
		if r := call(t, s, st.owner, "POST", "/v1/staff/whatsapp/disconnect", map[string]any{"reason": "Parando por um tempo"}); r.Status != 200 || r.Body["state"] != domain.StateDisconnected {
			t.Fatalf("disconnect: %d %s", r.Status, r.Raw)
		}
		body["code"] = ""
		r := connect(t, s, st.owner, body)
		if r.Status != 409 || r.Body["outcome"] != "stopped" || r.Body["reason"] != onboarding.ReasonOwnerDisconnected {
			t.Fatalf("Tentar de novo after the disconnection: %d %s", r.Status, r.Raw)
		}
		if _, ok := stepsOf(t, r)[onboarding.StepActivate]; ok {
			t.Errorf("the old attempt activated: %s", r.Raw)
		}
		c := connection(t, s, st.owner)
		if c["state"] != domain.StateDisconnected || c["can_send"] != false || c["webhooks_subscribed"] != false {
			t.Errorf("connection after the refused retry: %v", c)
		}
		if b, _ := s.Meta.Business(st.b.WABAID); b.Subscribed {
			t.Error("subscribed at Meta")
		}
		if held := notice(t, s, st.ten, st.key, "life-fia-1"); held.Status != domain.JobSkipped || held.ReasonCode != domain.ReasonAccountDisconnected {
			t.Errorf("notice: %s %s", held.Status, held.ReasonCode)
		}
		// A new login reconnects (and subscribes again).
		code, err = s.Meta.NewCode(st.b.WABAID)
		if err != nil {
			t.Fatal(err)
		}
		body["code"], body["attempt_id"] = code, "attempt-life-fia-3"
		if r := connect(t, s, st.owner, body); r.Status != 200 || r.Body["outcome"] != "complete" {
			t.Fatalf("a new login: %d %s", r.Status, r.Raw)
		}
		if b, _ := s.Meta.Business(st.b.WABAID); !b.Subscribed {
			t.Error("not subscribed at Meta after the new login")
		}
	})

	t.Run("Meta's shapes: PARTNER_ADDED routed by waba_info, a bare PARTNER_REMOVED", func(t *testing.T) {
		st := connectedStudio(t, s, "life-gal", "Studio Gal", "07", false)
		// PARTNER_ADDED's entry.id is the partner's business, not the WABA: found by waba_info.
		waitTenant(t, s, st.ten.ID, "PARTNER_ADDED applied", func(x *domain.Tenant) bool { return x.WhatsApp.LastEvent == "PARTNER_ADDED" })
		if status, err := s.Meta.RemovePartner(ctx, st.b.WABAID); err != nil || status != 200 {
			t.Fatalf("bare PARTNER_REMOVED: %d %v", status, err)
		}
		c := waitConnection(t, s, st.owner, "disconnected", func(c map[string]any) bool { return c["state"] == domain.StateDisconnected })
		d, _ := c["disconnection"].(map[string]any)
		if c["can_send"] != false || d["by"] != "pela Meta" {
			t.Errorf("after a bare PARTNER_REMOVED: %v", c)
		}
	})

	t.Run("coexistence: the onboarding's webhooks are kept", func(t *testing.T) {
		// Meta's webhooks come 1.5 s apart; templates fail once, so the attempt stops
		// between the syncs and the activation, still connecting, while they arrive.
		s.Meta.SetLifecycleDelay(1500 * time.Millisecond)
		defer s.Meta.SetLifecycleDelay(0)
		ten, _ := unconnected(t, s, "life-cia", "Studio Cia")
		owner, _, _, _ := opsTokens(t, s, ten.ID, ten.ID)
		b := metastandin.Business{Code: "code-life-cia", Token: "EAAG-life-cia-token", WABAID: "102290129360203",
			PhoneNumberID: "106540352260203", DisplayPhoneNumber: "+55 11 4000-6203", VerifiedName: "Studio Cia", Coexistence: true}
		fakeBusiness(s, ten, b)
		s.Meta.FailNextOn(metastandin.EndpointMessageTemplates, metastandin.Fault{Code: 2})
		body := map[string]any{"code": b.Code, "waba_id": b.WABAID, "phone_number_id": "", "coexistence": true, "attempt_id": "attempt-life-cia-1"}
		if r := connect(t, s, owner, body); r.Status != 502 || r.Body["next"] != "templates" {
			t.Fatalf("first call: %d %s", r.Status, r.Raw)
		}
		// The first history chunk (chunk_order 2, 66%), the state sync and PARTNER_ADDED
		// arrive while connecting: applied, not lost. (On a loaded machine Pub/Sub may
		// push the later chunks together with the first: 66% or more.)
		got := waitTenant(t, s, ten.ID, "the onboarding's webhooks applied", func(x *domain.Tenant) bool {
			return x.WhatsApp.Sync != nil && x.WhatsApp.Sync.HistoryProgress >= 66 && !x.WhatsApp.Sync.ContactsDoneAt.IsZero() && x.WhatsApp.LastEvent == "PARTNER_ADDED"
		})
		if got.WhatsApp.ConnectingSince.IsZero() {
			t.Fatalf("not connecting any more: %+v", got.WhatsApp)
		}
		if c := connection(t, s, owner); c["state"] != domain.StateConnecting || c["can_send"] != false {
			t.Errorf("connection while connecting: %v", c)
		}
		if ct, err := db.GetContact(ctx, ten.ID, metastandin.StateSyncContact.PhoneNumber); err != nil || ct == nil {
			t.Errorf("the state sync's contact: %+v %v", ct, err)
		}
		// The retry activates: syncing the history at 66%.
		body["code"] = ""
		if r := connect(t, s, owner, body); r.Status != 200 || r.Body["outcome"] != "complete" {
			t.Fatalf("retry: %d %s", r.Status, r.Raw)
		}
		if c := connection(t, s, owner); c["can_send"] != true || historyProgress(c) < 66 ||
			(c["state"] != domain.StateSyncingHistory && !(c["state"] == domain.StateConnected && historyProgress(c) == 100)) {
			t.Errorf("after the activation: %v, want syncing the history at 66%% (or connected, had the last chunk come too)", c)
		}
		// The out-of-order chunk (33%) does not lower it; the last (100%) completes it.
		eventually(t, 10*time.Second, "the 33% chunk", func() bool {
			msgs, err := db.ConversationMessages(ctx, ten.ID, metastandin.HistoryClient)
			return err == nil && len(msgs) >= 2
		})
		if x, _ := db.GetTenant(ctx, ten.ID); x.WhatsApp.Sync == nil || x.WhatsApp.Sync.HistoryProgress < 66 {
			t.Errorf("progress after the out-of-order chunk: %+v", x.WhatsApp.Sync)
		}
		c := waitConnection(t, s, owner, "history complete", func(c map[string]any) bool { return c["state"] == domain.StateConnected })
		sync, _ := c["sync"].(map[string]any)
		h, _ := sync["history"].(map[string]any)
		if historyProgress(c) != 100 || h["state"] != domain.SyncDone {
			t.Errorf("history at the end: %v", c["sync"])
		}
		if msgs, err := db.ConversationMessages(ctx, ten.ID, metastandin.HistoryClient); err != nil || len(msgs) != 3 {
			t.Errorf("history messages: %d %v", len(msgs), err)
		}
	})

	t.Run("a revoked token", func(t *testing.T) {
		st := connectedStudio(t, s, "life-dea", "Studio Dea", "04", false)
		run := func() {
			t.Helper()
			resp, err := s.RunTokenCheck(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("token check: %d", resp.StatusCode)
			}
		}
		run() // valid
		if x, _ := db.GetTenant(ctx, st.ten.ID); x.WhatsApp.TokenCheck == nil || !x.WhatsApp.TokenCheck.Valid {
			t.Fatalf("first check: %+v", x.WhatsApp.TokenCheck)
		}
		if err := s.Meta.RevokeToken(st.b.WABAID); err != nil {
			t.Fatal(err)
		}
		run()
		c := connection(t, s, st.owner)
		tok, _ := c["token"].(map[string]any)
		if c["state"] != domain.StateTokenInvalid || c["can_send"] != false || tok["valid"] != false {
			t.Errorf("connection after the check: %v", c)
		}
		held := notice(t, s, st.ten, st.key, "life-dea-1")
		if held.Status != domain.JobSkipped || held.ReasonCode != domain.ReasonTokenInvalid || held.Reason != ptbr.TextTokenInvalid {
			t.Fatalf("notice with the token invalid: %s %s %q", held.Status, held.ReasonCode, held.Reason)
		}
		// The operator's signal: one ERROR line for this studio.
		tokenLines := func() []map[string]any {
			var lines []map[string]any
			sc := bufio.NewScanner(strings.NewReader(logs.String()))
			sc.Buffer(make([]byte, 1<<20), 1<<20)
			for sc.Scan() {
				var line map[string]any
				if json.Unmarshal(sc.Bytes(), &line) == nil && line["message"] == logging.MsgTokenCheckInvalid && line["tenant_id"] == st.ten.ID {
					lines = append(lines, line)
				}
			}
			return lines
		}
		lines := tokenLines()
		if len(lines) != 1 || lines[0]["severity"] != "ERROR" || !strings.Contains(fmt.Sprint(lines[0]["reason"]), "190") {
			t.Errorf("token check lines: %v", lines)
		}
		// Valid again: the next check lifts the block, with no new alert.
		if err := s.Meta.RestoreToken(st.b.WABAID); err != nil {
			t.Fatal(err)
		}
		run()
		if c := connection(t, s, st.owner); c["state"] != domain.StateConnected || c["can_send"] != true {
			t.Errorf("connection after a valid check: %v", c)
		}
		if again := notice(t, s, st.ten, st.key, "life-dea-2"); again.Status != domain.JobSent {
			t.Fatalf("notice after a valid check: %s %s %q", again.Status, again.ReasonCode, again.Reason)
		}
		if n := len(tokenLines()); n != 1 {
			t.Errorf("%d token check lines after the valid check, want still 1", n)
		}
	})
}
