package devstack_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/scripts/internal/emulators"
	"github.com/lembra-app/lembra/shared/config"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/ptbr"
)

// sendTextTimes posts a client's text message from the Meta stand-in, then the very
// same signed body again (Meta redelivers a webhook it got no quick 200 for), n in all.
func sendTextTimes(t *testing.T, s *devstack.Stack, ten *domain.Tenant, from, body string, n int) string {
	t.Helper()
	ctx := context.Background()
	id, status, err := s.Meta.SendText(ctx, ten.WhatsApp.PhoneNumberID, from, body, "")
	if err != nil || status != 200 {
		t.Fatalf("client text %q: %d %v", body, status, err)
	}
	var raw []byte
	for _, d := range s.Meta.Webhooks() {
		if d.WAMID == id {
			raw = d.Body
		}
	}
	for range n - 1 {
		postSigned(t, s, raw)
	}
	return id
}

func textsContaining(s *devstack.Stack, part string) int {
	n := 0
	for _, m := range textSends(s.Meta) {
		if strings.Contains(m.Text, part) {
			n++
		}
	}
	return n
}

// PARAR from the client, delivered three times: one confirmation in the window, with
// the studio's name; the next reminder is skipped with the reason (on the appointment's
// job and in the staff's conversation view); VOLTAR resumes, and the next one is sent.
func TestOptOutStopsRemindersUntilVoltar(t *testing.T) {
	t.Parallel()
	// On the Auth emulator's project (the owner signs in), as a studio of its own.
	s := devstack.ForTest(t, devstack.Options{Project: emulators.AuthProject, Configure: func(c *config.Config) {
		c.RetryBaseDelay, c.MetaTimeout, c.UnknownOutcomeWait = 200*time.Millisecond, time.Second, 3*time.Second
	}})
	ten, key := demo(t, s, func(d *devstack.Tenant) {
		d.ID, d.APIKey = "optout-jana", ""
		d.WhatsApp.WABAID, d.WhatsApp.PhoneNumberID = "102290129371301", "106540352271301"
	})
	const phone = "+5511987654321"

	// A booking, so the client is a client of the studio, then her PARAR (three deliveries).
	first := notice(t, s, ten, key, "opt-0")
	if first.Status != domain.JobSent && first.Status != domain.JobDelivered && first.Status != domain.JobRead {
		t.Fatalf("booking notice: %s %s", first.Status, first.Reason)
	}
	stop := sendTextTimes(t, s, ten, phone, "Parar!", 3)
	conf := waitJob(t, s, ten.ID, eventsReplyID(stop), 10*time.Second, final)
	want := ptbr.OptOutConfirmation(ten.Name)
	if conf.Status == domain.JobSkipped || conf.Status == domain.JobFailed || conf.Text != want {
		t.Fatalf("confirmation: %s %q (%s)", conf.Status, conf.Text, conf.Reason)
	}
	waitTenant(t, s, ten.ID, "the client in the opt-out set", func(x *domain.Tenant) bool { return x.ClientOptedOut(phone) })
	time.Sleep(6 * time.Second) // every instance's tenant cache (5 s) has seen it
	if n := textsContaining(s, "não vai mais receber"); n != 1 {
		t.Fatalf("confirmation sent %d times, want 1", n)
	}

	// The next reminder: skipped with the reason, nothing sent.
	r := call(t, s, key, "POST", "/v1/appointments", appointmentBody("opt-1", time.Now().Add(24*time.Hour+3*time.Second)))
	aptID := appointmentID(t, r)
	created := waitJob(t, s, ten.ID, domain.JobID(aptID, domain.JobCreated, 0), 10*time.Second, final)
	if created.Status != domain.JobSkipped || created.ReasonCode != ptbr.ReasonClientOptedOut {
		t.Errorf("booking notice after PARAR: %s %s", created.Status, created.ReasonCode)
	}
	before := len(reminderRequests(s))
	if res := scanResult(t, s); res.Enqueued < 1 {
		t.Fatalf("scan: %+v", res)
	}
	rem := waitJob(t, s, ten.ID, domain.JobID(aptID, domain.JobReminder, 1), 15*time.Second, final)
	if rem.Status != domain.JobSkipped || rem.ReasonCode != ptbr.ReasonClientOptedOut || !strings.Contains(rem.Reason, "VOLTAR") {
		t.Fatalf("reminder after PARAR: %s %s %q", rem.Status, rem.ReasonCode, rem.Reason)
	}
	if n := len(reminderRequests(s)) - before; n != 0 {
		t.Fatalf("%d reminders sent to a client who opted out", n)
	}
	// The appointment's view and the conversation say so.
	owner, _ := signedIn(t, s, ten.ID, domain.RoleOwner, "dona-optout")
	view := call(t, s, owner, "GET", "/v1/staff/appointments/"+aptID, nil)
	if !strings.Contains(string(view.Raw), "não receber mensagens automáticas") {
		t.Errorf("appointment view lacks the reason: %s", view.Raw)
	}
	conv := call(t, s, owner, "GET", "/v1/staff/conversations/5511987654321", nil)
	if oo, _ := conv.Body["opt_out"].(map[string]any); oo == nil || oo["active"] != true || !strings.Contains(oo["label"].(string), "PARAR") {
		t.Errorf("conversation's opt-out: %v", conv.Body["opt_out"])
	}

	// VOLTAR: confirmed, and the next reminder goes.
	back := sendTextTimes(t, s, ten, phone, "voltar", 2)
	if j := waitJob(t, s, ten.ID, eventsReplyID(back), 10*time.Second, final); j.Text != ptbr.OptOutResumed(ten.Name, "PARAR") || j.Status == domain.JobSkipped {
		t.Fatalf("VOLTAR's answer: %s %q", j.Status, j.Text)
	}
	waitTenant(t, s, ten.ID, "the client out of the opt-out set", func(x *domain.Tenant) bool { return !x.ClientOptedOut(phone) })
	time.Sleep(6 * time.Second)
	r = call(t, s, key, "POST", "/v1/appointments", appointmentBody("opt-2", time.Now().Add(24*time.Hour+3*time.Second)))
	aptID = appointmentID(t, r)
	waitJob(t, s, ten.ID, domain.JobID(aptID, domain.JobCreated, 0), 10*time.Second, final)
	if res := scanResult(t, s); res.Enqueued < 1 {
		t.Fatalf("scan: %+v", res)
	}
	rem = waitJob(t, s, ten.ID, domain.JobID(aptID, domain.JobReminder, 1), 15*time.Second, final)
	if rem.Status == domain.JobSkipped || rem.Status == domain.JobFailed {
		t.Fatalf("reminder after VOLTAR: %s %s", rem.Status, rem.Reason)
	}
	if n := textsContaining(s, "voltou a receber"); n != 1 {
		t.Errorf("VOLTAR answered %d times", n)
	}
}

// The studio's own keyword list (Settings) replaces the defaults; the owner resumes a
// client who opted out from the dashboard, with a reason, in the settings history;
// staff may not; the next booking notice goes out again.
func TestOptOutOwnKeywordsAndOwnerResume(t *testing.T) {
	t.Parallel()
	s := devstack.ForTest(t, devstack.Options{Project: emulators.AuthProject, Configure: func(c *config.Config) {
		c.RetryBaseDelay, c.MetaTimeout, c.UnknownOutcomeWait = 200*time.Millisecond, time.Second, 3*time.Second
	}})
	ten, key := demo(t, s, func(d *devstack.Tenant) {
		d.ID, d.APIKey = "optout-flor", ""
		d.WhatsApp.WABAID, d.WhatsApp.PhoneNumberID = "102290129371302", "106540352271302"
	})
	ctx := context.Background()
	owner, ownerEmail := signedIn(t, s, ten.ID, domain.RoleOwner, "dona-optout")
	staff, _ := signedIn(t, s, ten.ID, domain.RoleStaff, "equipe-optout")
	const phone, waID = "+5511987654321", "5511987654321"

	r := call(t, s, owner, "GET", "/v1/staff/settings", nil)
	if oo, _ := r.Body["opt_out"].(map[string]any); oo == nil || oo["opt_out_keywords_default"] != true || oo["resume_keyword"] != "VOLTAR" || oo["strict_cancel_window"] != false {
		t.Fatalf("settings' opt-out: %v", r.Body["opt_out"])
	}
	if r := call(t, s, owner, "PATCH", "/v1/staff/settings", map[string]any{"opt_out_keywords": []string{"Voltar"}}); r.Status != 400 {
		t.Fatalf("VOLTAR as an opt-out keyword: %d %s", r.Status, r.Raw)
	}
	r = call(t, s, owner, "PATCH", "/v1/staff/settings", map[string]any{"opt_out_keywords": []string{"Chega"}})
	if oo, _ := r.Body["opt_out"].(map[string]any); r.Status != 200 || oo == nil || fmt.Sprint(oo["opt_out_keywords"]) != "[Chega]" {
		t.Fatalf("own keywords: %d %s", r.Status, r.Raw)
	}
	time.Sleep(6 * time.Second) // the events function's tenant cache

	notice(t, s, ten, key, "own-0")
	parar := sendTextTimes(t, s, ten, phone, "PARAR", 1)
	chega := sendTextTimes(t, s, ten, phone, "chega!!", 1)
	waitJob(t, s, ten.ID, eventsReplyID(chega), 10*time.Second, final)
	if _, err := mustStore(t, s).GetJob(ctx, ten.ID, eventsReplyID(parar)); err == nil {
		t.Error("PARAR answered although the studio's list replaced the defaults")
	}
	waitTenant(t, s, ten.ID, "opted out by the studio's own word", func(x *domain.Tenant) bool { return x.ClientOptedOut(phone) })

	resume := "/v1/staff/conversations/" + waID + "/resume"
	if r := call(t, s, staff, "POST", resume, map[string]any{"reason": "pediu por telefone"}); r.Status != 403 {
		t.Errorf("staff resuming: %d %s", r.Status, r.Raw)
	}
	if r := call(t, s, owner, "POST", resume, map[string]any{"reason": " "}); r.Status != 400 {
		t.Errorf("no reason: %d %s", r.Status, r.Raw)
	}
	r = call(t, s, owner, "POST", resume, map[string]any{"reason": "pediu por telefone"})
	if r.Status != 200 || r.Body["active"] != false || r.Body["by"] != ownerEmail || !strings.Contains(r.Body["label"].(string), "pediu por telefone") {
		t.Fatalf("owner resumes: %d %s", r.Status, r.Raw)
	}
	if r := call(t, s, owner, "POST", resume, map[string]any{"reason": "de novo"}); r.Status != 409 {
		t.Errorf("resuming a client who did not opt out: %d %s", r.Status, r.Raw)
	}
	h := call(t, s, owner, "GET", "/v1/staff/settings/audit", nil)
	if !strings.Contains(h.Raw, "client_opt_out") || !strings.Contains(h.Raw, "4321") || strings.Contains(h.Raw, waID) {
		t.Errorf("history of the resumption (masked number): %s", h.Raw)
	}
	ten2 := waitTenant(t, s, ten.ID, "out of the set", func(x *domain.Tenant) bool { return !x.ClientOptedOut(phone) })
	time.Sleep(6 * time.Second)
	if j := notice(t, s, ten2, key, "own-1"); j.Status == domain.JobSkipped || j.Status == domain.JobFailed {
		t.Fatalf("booking notice after the owner resumed: %s %s", j.Status, j.Reason)
	}
}
