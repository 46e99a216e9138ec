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

// windowTapThenCancel books two appointments of one client (X and Y), has the client tap
// Confirmar on X's booking notice, then cancels Y with the notice, and returns Y's
// notice job and the tap's id.
func windowTapThenCancel(t *testing.T, strict bool) (*domain.Job, string, *devstack.Stack) {
	t.Helper()
	// On the Auth emulator's project (the cancel dialog's preview is a staff read), as a
	// studio of its own.
	s := devstack.ForTest(t, devstack.Options{Project: emulators.AuthProject, Configure: func(c *config.Config) {
		c.RetryBaseDelay, c.MetaTimeout, c.UnknownOutcomeWait = 200*time.Millisecond, time.Second, 3*time.Second
	}})
	id, waba, number := "window-ledger", "102290129371311", "106540352271311"
	if strict {
		id, waba, number = "window-strict", "102290129371312", "106540352271312"
	}
	ten, key := demo(t, s, func(d *devstack.Tenant) {
		d.ID, d.APIKey = id, ""
		d.WhatsApp.WABAID, d.WhatsApp.PhoneNumberID = waba, number
		d.StrictCancelWindow = strict
	})
	ctx := context.Background()
	x := call(t, s, key, "POST", "/v1/appointments", appointmentBody("win-x", time.Now().Add(72*time.Hour)))
	y := call(t, s, key, "POST", "/v1/appointments", appointmentBody("win-y", time.Now().Add(96*time.Hour)))
	xID, yID := appointmentID(t, x), appointmentID(t, y)
	noticeX := waitJob(t, s, ten.ID, domain.JobID(xID, domain.JobCreated, 0), 10*time.Second, final)
	waitJob(t, s, ten.ID, domain.JobID(yID, domain.JobCreated, 0), 10*time.Second, final)
	tap, _, err := s.Meta.TapButton(ctx, noticeX.ProviderMessageID, "Confirmar", "Confirmar")
	if err != nil {
		t.Fatal(err)
	}
	waitJob(t, s, ten.ID, eventsReplyID(tap), 10*time.Second, final)
	// The cancel dialog's preview says the same as the notice will.
	owner, _ := signedIn(t, s, ten.ID, domain.RoleOwner, "dona-window")
	if p := call(t, s, owner, "GET", "/v1/staff/appointments/"+yID+"/window", nil); p.Status != 200 || p.Body["open"] != !strict {
		t.Errorf("cancel dialog's preview of Y: %d %s", p.Status, p.Raw)
	}
	if p := call(t, s, owner, "GET", "/v1/staff/appointments/"+yID, nil); p.Status != 200 || p.Body["window"].(map[string]any)["open"] != !strict {
		t.Errorf("appointment view's window of Y: %d %v", p.Status, p.Body["window"])
	}
	r := call(t, s, key, "POST", "/v1/appointments/"+yID+"/cancel", map[string]any{"notify_client": true})
	if r.Status != 200 {
		t.Fatalf("cancel Y: %d %s", r.Status, r.Raw)
	}
	return waitJob(t, s, ten.ID, domain.JobID(yID, domain.JobCanceled, 0), 10*time.Second, final), tap, s
}

// The window as Meta counts it: a tap on appointment X opens it for the cancel notice of
// the same client's appointment Y, and the job says which message opened it and that
// it was about another appointment.
func TestWindowLedgerTapOnXOpensCancelNoticeOfY(t *testing.T) {
	t.Parallel()
	job, tap, s := windowTapThenCancel(t, false)
	if job.Status != domain.JobSent || job.WindowInboundID != tap || job.WindowInboundAt.IsZero() {
		t.Fatalf("notice of Y: %s %s %q, window %q %v; want sent on the tap %q", job.Status, job.ReasonCode, job.Reason, job.WindowInboundID, job.WindowInboundAt, tap)
	}
	if detail := timelineDetail(job, ptbr.EventWindowOpenedBy); !strings.Contains(detail, "outro assunto") {
		t.Errorf("timeline does not say the window was opened by a message about another appointment: %q (%+v)", detail, job.Timeline)
	}
	if n := textsContaining(s, "foi cancelado"); n != 1 {
		t.Errorf("%d cancellation notices sent", n)
	}
}

// The seed's strict rule, as the tenant's setting: the same tap does not open the window
// for Y's notice, which is skipped with the reason and never reaches Meta.
func TestWindowStrictSettingSkipsCancelNoticeOfY(t *testing.T) {
	t.Parallel()
	job, _, s := windowTapThenCancel(t, true)
	if job.Status != domain.JobSkipped || job.ReasonCode != domain.ReasonWindowNoInbound || !strings.Contains(job.Reason, "regra estrita") {
		t.Fatalf("notice of Y: %s %s %q", job.Status, job.ReasonCode, job.Reason)
	}
	if n := textsContaining(s, "foi cancelado"); n != 0 {
		t.Errorf("%d cancellation notices sent under the strict rule", n)
	}
}

// A history backfill of the client's own message and an echo of the studio's manual
// message never open the window: both are in the conversation, the ledger's last
// client message stays unset, and the cancel notice is skipped.
func TestWindowNeverOpenedByHistoryOrEcho(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, key := demo(t, s, nil)
	ctx := context.Background()
	const client = "5511955550000"
	body := appointmentBody("win-h", time.Now().Add(72*time.Hour))
	body["client_phone"] = "+" + client
	aptID := appointmentID(t, call(t, s, key, "POST", "/v1/appointments", body))
	waitJob(t, s, ten.ID, domain.JobID(aptID, domain.JobCreated, 0), 10*time.Second, final)

	ts := fmt.Sprint(time.Now().Add(-time.Minute).Unix())
	meta := fmt.Sprintf(`"messaging_product":"whatsapp","metadata":{"display_phone_number":%q,"phone_number_id":%q}`,
		ten.WhatsApp.DisplayPhoneNumber, ten.WhatsApp.PhoneNumberID)
	history := fmt.Sprintf(`{"object":"whatsapp_business_account","entry":[{"id":%q,"changes":[{"field":"history","value":{%s,
		"history":[{"metadata":{"phase":0,"chunk_order":1,"progress":100},"threads":[{"id":%q,"messages":[
		{"from":%q,"id":"wamid.HIST1","timestamp":%q,"type":"text","text":{"body":"Oi, posso remarcar?"},"history_context":{"status":"READ"}}]}]}]}}]}]}`,
		ten.WhatsApp.WABAID, meta, client, client, ts)
	echo := fmt.Sprintf(`{"object":"whatsapp_business_account","entry":[{"id":%q,"changes":[{"field":"smb_message_echoes","value":{%s,
		"message_echoes":[{"from":%q,"to":%q,"id":"wamid.ECHO1","timestamp":%q,"type":"text","text":{"body":"Oi Maria, tudo certo!"}}]}}]}]}`,
		ten.WhatsApp.WABAID, meta, ten.WhatsApp.DisplayPhoneNumber, client, ts)
	postSigned(t, s, []byte(strings.ReplaceAll(history, "\n", "")))
	postSigned(t, s, []byte(strings.ReplaceAll(echo, "\n", "")))

	st := mustStore(t, s)
	eventually(t, 10*time.Second, "the history message and the echo in the conversation", func() bool {
		ms, err := st.ConversationMessages(ctx, ten.ID, client)
		return err == nil && len(ms) >= 2
	})
	conv, err := st.GetConversation(ctx, ten.ID, client)
	if err != nil || !conv.LastInboundAt.IsZero() || conv.LastInboundID != "" {
		t.Fatalf("ledger after a backfill and an echo: %+v %v", conv, err)
	}
	r := call(t, s, key, "POST", "/v1/appointments/"+aptID+"/cancel", map[string]any{"notify_client": true})
	if r.Status != 200 {
		t.Fatalf("cancel: %d %s", r.Status, r.Raw)
	}
	j := getJob(t, s, ten.ID, domain.JobID(aptID, domain.JobCanceled, 0))
	if j.Status != domain.JobSkipped || j.ReasonCode != domain.ReasonWindowNoInbound {
		t.Fatalf("notice after a backfill and an echo: %s %s %q", j.Status, j.ReasonCode, j.Reason)
	}
}
