package devstack_test

import (
	"context"
	"testing"
	"time"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/scripts/internal/emulators"
	"github.com/lembra-app/lembra/shared/domain"
)

// TestStaffDeleteClient: the owner erases one client from her studio: the appointment
// and its jobs keep their ids and statuses without the client's name and phone, the
// waiting reminder is skipped with the owner's reason, a second run finds nothing to
// do; staff get 403, another studio's owner erases nothing of hers, a bad number is 404
// and no reason is 400.
func TestStaffDeleteClient(t *testing.T) {
	s := devstack.ForTest(t, devstack.Options{Project: emulators.AuthProject})
	jana, key := demoStudio(t, s, "privacy-jana", "", "102290129348201", "106540352248201")
	other, _ := demoStudio(t, s, "privacy-bela", "Studio Bela", "102290129348202", "106540352248202")
	owner, _, staff, stranger := opsTokens(t, s, jana.ID, other.ID)
	db := mustStore(t, s)

	created := call(t, s, key, "POST", "/v1/appointments", appointmentBody("privacy-1", time.Now().Add(72*time.Hour).Truncate(time.Minute)))
	if created.Status != 201 {
		t.Fatalf("create: %d %s", created.Status, created.Raw)
	}
	aptID := appointmentID(t, created)
	noticeID, reminderID := domain.JobID(aptID, domain.JobCreated, 0), domain.JobID(aptID, domain.JobReminder, 1)
	waitJob(t, s, jana.ID, noticeID, 15*time.Second, func(j *domain.Job) bool { return j.Status == domain.JobSent })

	del := func(tok, waID string, body map[string]any) reply {
		return call(t, s, tok, "POST", "/v1/staff/clients/"+waID+"/delete", body)
	}
	reason := map[string]any{"reason": "a cliente pediu a exclusão no balcão"}
	if r := del(staff, "5511987654321", reason); r.Status != 403 {
		t.Errorf("staff: %d %s", r.Status, r.Raw)
	}
	if r := del(owner, "5511987654321", map[string]any{}); r.Status != 400 {
		t.Errorf("no reason: %d %s", r.Status, r.Raw)
	}
	if r := del(owner, "abc", reason); r.Status != 404 {
		t.Errorf("bad number: %d %s", r.Status, r.Raw)
	}
	// Another studio's owner: her studio has no such client; Jana's data stays.
	if r := del(stranger, "5511987654321", reason); r.Status != 200 || r.Body["found"] != false {
		t.Errorf("another studio: %d %s", r.Status, r.Raw)
	}
	apt, err := db.GetAppointment(context.Background(), jana.ID, aptID)
	if err != nil || apt.ClientName != "Maria Souza" {
		t.Fatalf("another studio's erasure touched Jana's appointment: %+v, %v", apt, err)
	}

	r := del(owner, "5511987654321", reason)
	if r.Status != 200 || r.Body["found"] != true || r.Body["appointments"].(float64) < 1 || r.Body["skipped"].(float64) != 1 {
		t.Fatalf("erase: %d %s", r.Status, r.Raw)
	}
	apt, err = db.GetAppointment(context.Background(), jana.ID, aptID)
	if err != nil || apt.ClientName == "Maria Souza" || apt.ClientPhone != "" {
		t.Errorf("appointment after the erasure: %+v, %v", apt, err)
	}
	notice, reminder := getJob(t, s, jana.ID, noticeID), getJob(t, s, jana.ID, reminderID)
	if notice.Status != domain.JobSent || notice.ClientPhone != "" || notice.Recipient != "" || notice.ProviderMessageID == "" {
		t.Errorf("notice after the erasure: status %s phone %q recipient %q wamid %q", notice.Status, notice.ClientPhone, notice.Recipient, notice.ProviderMessageID)
	}
	if reminder.Status != domain.JobSkipped || reminder.ReasonCode != domain.ReasonDiscarded {
		t.Errorf("reminder after the erasure: %s %s", reminder.Status, reminder.ReasonCode)
	}
	if r := del(owner, "5511987654321", reason); r.Status != 200 || r.Body["skipped"].(float64) != 0 {
		t.Errorf("second run: %d %s", r.Status, r.Raw)
	}
}
