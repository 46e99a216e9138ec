package store

import (
	"context"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
)

// UpdateJob keeps the job it wrote with the update time its commit gave the job's own
// write, also when fn wrote another document first (the messaging-limit usage), so the
// next UpdateJobUnlocked of it in this process (a send's outcome after its claim)
// writes conditional on that time without reading; a transaction that writes nothing
// keeps nothing. (Every document a commit changes gets the commit's time, so this
// checks the time kept, not which of the commit's results it was taken from.)
func TestUpdateJobKeepsTheVersionItWrote(t *testing.T) {
	ctx := context.Background()
	s, fs := newStore(t)
	if err := s.PutTenant(ctx, tenant("k", "pn-k", "waba-k")); err != nil {
		t.Fatal(err)
	}
	apt, jobs := appointment("k", "ext-k", time.Now().Add(72*time.Hour))
	if _, _, _, err := s.CreateAppointment(ctx, apt, jobs); err != nil {
		t.Fatal(err)
	}
	ref := s.job("k", jobs[0].ID)
	storedAt := func() time.Time {
		t.Helper()
		snap, err := fs.Collection("tenants").Doc("k").Collection("jobs").Doc(jobs[0].ID).Get(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return snap.UpdateTime
	}
	for _, c := range []struct {
		name       string
		usageWrite bool
	}{{"the job alone", false}, {"after the messaging-limit usage", true}} {
		if _, err := s.UpdateJob(ctx, "k", jobs[0].ID, func(tx *JobTx) error {
			if c.usageWrite {
				if err := tx.PutMessagingUsage(domain.LimitUsage{UpdatedAt: time.Now()}); err != nil {
					return err
				}
			}
			tx.Job.Reason = c.name
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		kept, ok := jobVersions.get(ref.Path, time.Now())
		if !ok {
			t.Fatalf("%s: no version kept", c.name)
		}
		if at := storedAt(); !kept.updated.Equal(at) {
			t.Errorf("%s: kept with update time %v, stored %v", c.name, kept.updated, at)
		}
		// The kept version's precondition holds: the unlocked write succeeds at once.
		if _, err := s.commitUnlocked(ctx, "k", ref, domain.CounterState{}, &domain.Job{ID: jobs[0].ID, TenantID: "k", Type: domain.JobCreated,
			Status: domain.JobPending, Reason: "unlocked " + c.name}, kept.updated); err != nil {
			t.Errorf("%s: a write conditional on the kept update time: %v", c.name, err)
		}
		jobVersions.forget(ref.Path)
	}
	if _, err := s.UpdateJob(ctx, "k", jobs[0].ID, func(*JobTx) error { return ErrNoChange }); err != nil {
		t.Fatal(err)
	}
	if _, ok := jobVersions.get(ref.Path, time.Now()); ok {
		t.Error("a transaction that wrote nothing kept a version")
	}
}
