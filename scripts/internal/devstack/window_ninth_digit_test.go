package devstack_test

import (
	"context"
	"testing"
	"time"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/shared/domain"
)

// Meta's wa_id of a Brazilian mobile often lacks the ninth digit the booking system
// writes: a client booked as +55 11 98765-4321 writes from the wa_id 551187654321, her
// ledger is kept under that, and the window for her cancel notice must still be found.
func TestWindowLedgerFoundWithoutTheNinthDigit(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, key := demo(t, s, func(d *devstack.Tenant) {
		d.ID, d.APIKey = "window-nine", ""
		d.WhatsApp.WABAID, d.WhatsApp.PhoneNumberID = "102290129371399", "106540352271399"
	})
	ctx := context.Background()
	y := call(t, s, key, "POST", "/v1/appointments", appointmentBody("nine-y", time.Now().Add(96*time.Hour)))
	yID := appointmentID(t, y)
	waitJob(t, s, ten.ID, domain.JobID(yID, domain.JobCreated, 0), 10*time.Second, final)
	// She writes to the studio from the wa_id without the ninth digit.
	if _, _, err := s.Meta.SendText(ctx, ten.WhatsApp.PhoneNumberID, "551187654321", "Oi! Posso trocar o horário?", ""); err != nil {
		t.Fatal(err)
	}
	st := mustStore(t, s)
	eventually(t, 10*time.Second, "her message on a ledger", func() bool {
		c, err := st.GetConversation(ctx, ten.ID, "551187654321")
		return err == nil && !c.LastInboundAt.IsZero()
	})
	r := call(t, s, key, "POST", "/v1/appointments/"+yID+"/cancel", map[string]any{"notify_client": true})
	if r.Status != 200 {
		t.Fatalf("cancel: %d %s", r.Status, r.Raw)
	}
	job := waitJob(t, s, ten.ID, domain.JobID(yID, domain.JobCanceled, 0), 10*time.Second, final)
	if job.Status != domain.JobSent || job.WindowInboundAt.IsZero() {
		t.Errorf("cancel notice: %s %s %q; want sent, her message opening the window", job.Status, job.ReasonCode, job.Reason)
	}
}
