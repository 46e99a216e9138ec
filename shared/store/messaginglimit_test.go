package store

import (
	"context"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
)

// The messaging-limit usage is written with the job in its transaction, read back in
// the next, and is empty before anything was counted.
func TestMessagingUsageWithTheJob(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	if u, err := s.GetMessagingUsage(ctx, "lim"); err != nil || len(u.Recipients) != 0 {
		t.Fatalf("before: %+v %v", u, err)
	}
	apt, jobs := appointment("lim", "ext-lim", t0.Add(72*time.Hour))
	if _, _, _, err := s.CreateAppointment(ctx, apt, jobs); err != nil {
		t.Fatal(err)
	}
	key := domain.LimitKey("+5511987654321")
	for i := range 2 { // the second run sees what the first wrote
		_, err := s.UpdateJob(ctx, "lim", jobs[0].ID, func(tx *JobTx) error {
			if _, err := tx.Appointment(); err != nil {
				return err
			}
			u, err := tx.MessagingUsage()
			if err != nil {
				return err
			}
			if got := u.Count(t0); got != i {
				t.Errorf("run %d read %d counted", i, got)
			}
			tx.Job.Status = domain.JobSending
			return tx.PutMessagingUsage(u.Note(key+string(rune('a'+i)), t0))
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	u, err := s.GetMessagingUsage(ctx, "lim")
	if err != nil || u.Count(t0) != 2 || !u.Counts(key+"a", t0) {
		t.Fatalf("after: %+v %v", u, err)
	}
	if j, err := s.GetJob(ctx, "lim", jobs[0].ID); err != nil || j.Status != domain.JobSending {
		t.Fatalf("the job was not written with it: %v %v", j, err)
	}
}
