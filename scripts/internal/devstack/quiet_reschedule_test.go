package devstack_test

import (
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
)

// A notice the quiet hours held is timed again when its appointment is rescheduled:
// moved to a start too near for waiting, it goes at once (it would otherwise wait for
// the quiet hours' end, past the new start, and be skipped).
func TestQuietHoursNoticeRetimedOnReschedule(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, key, end := quietNow(t, s, 60)
	body := appointmentBody("quiet-resched", time.Now().Add(30*time.Hour))
	body["client_phone"] = "+5511987650777"
	r := call(t, s, key, "POST", "/v1/appointments", body)
	id := appointmentID(t, r)
	noticeID := domain.JobID(id, domain.JobCreated, 0)
	held := waitJob(t, s, ten.ID, noticeID, 5*time.Second, func(j *domain.Job) bool { return j.ScheduledFor.After(time.Now()) })
	if !held.ScheduledFor.Equal(end.UTC()) {
		t.Fatalf("notice held until %v, want the quiet hours' end %v", held.ScheduledFor, end)
	}
	// The appointment moves to 20 minutes after the quiet hours end: less than the
	// 60-minute lead is left, so the notice goes at once.
	newStart := end.Add(20 * time.Minute)
	if p := call(t, s, key, "PATCH", "/v1/appointments/"+id, map[string]any{"starts_at": newStart.Format(time.RFC3339)}); p.Status != 200 {
		t.Fatalf("reschedule: %d %s", p.Status, p.Raw)
	}
	j := waitJob(t, s, ten.ID, noticeID, 10*time.Second, final)
	if j.Status != domain.JobSent || !j.SentAt.Before(end) {
		t.Errorf("notice: %s at %v (quiet hours end %v); want sent before their end, at once", j.Status, j.SentAt, end)
	}
	if n := noticeRequests(s, "+5511987650777"); n != 1 {
		t.Errorf("%d notices sent, want 1", n)
	}
}
