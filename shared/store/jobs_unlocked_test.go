package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/firestore"

	"github.com/lembra-app/lembra/shared/domain"
)

// A job written field by field (JobFieldUpdates, over whatever was stored) leaves the
// document a set of the job leaves: fields set are written, empty omitempty fields go.
func TestJobFieldUpdatesLeavesWhatASetLeaves(t *testing.T) {
	ctx := context.Background()
	_, fs := newStore(t)
	full := &domain.Job{ID: "j", TenantID: "t1", AppointmentID: "a", ClientName: "Maria", Type: domain.JobCreated, Status: domain.JobRead,
		Counted: []string{"sent"}, ScheduledFor: t0, Attempts: []domain.Attempt{{N: 1, At: t0, Outcome: "sent"}},
		NextRetryAt: t0, ProviderMessageID: "wamid.1", ProviderStatus: "read", SentAt: t0, ReasonCode: "x", Reason: "y", ErrorCode: 131000,
		ProviderStatusTimes: map[string]time.Time{"sent": t0}, Pricing: &domain.Pricing{Billable: true, Category: "utility"},
		Timeline: []domain.TimelineEntry{{At: t0, Event: "created"}}, CreatedAt: t0, UpdatedAt: t0}
	sparse := &domain.Job{ID: "j", TenantID: "t1", Type: domain.JobCreated, Status: domain.JobPending, ScheduledFor: t0.Add(time.Hour),
		ProviderStatusTimes: map[string]time.Time{}, Counted: []string{}, CreatedAt: t0}
	for _, c := range []struct {
		name        string
		stored, job *domain.Job
	}{{"sparse over full", full, sparse}, {"full over sparse", sparse, full}, {"full over full", full, full}} {
		over, set := fs.Doc("x/over-"+c.name), fs.Doc("x/set-"+c.name)
		if _, err := over.Set(ctx, c.stored); err != nil {
			t.Fatal(err)
		}
		if _, err := over.Update(ctx, JobFieldUpdates(c.job)); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if _, err := set.Set(ctx, c.job); err != nil {
			t.Fatal(err)
		}
		a, err := over.Get(ctx)
		if err != nil {
			t.Fatal(err)
		}
		b, err := set.Get(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a.Data(), b.Data()) {
			t.Errorf("%s:\nfield by field %v\nset            %v", c.name, a.Data(), b.Data())
		}
	}
}

func TestUpdateJobUnlocked(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	if err := s.PutTenant(ctx, tenant("t1", "pn-1", "waba-1")); err != nil {
		t.Fatal(err)
	}
	apt, jobs := appointment("t1", "ext-1", t0.Add(72*time.Hour))
	if _, _, _, err := s.CreateAppointment(ctx, apt, jobs); err != nil {
		t.Fatal(err)
	}
	jobID := jobs[0].ID
	mark := func(key string) func(*JobTx) error {
		return func(tx *JobTx) error {
			if _, ok := tx.Job.ProviderStatusTimes[key]; ok {
				return ErrNoChange
			}
			if tx.Job.ProviderStatusTimes == nil {
				tx.Job.ProviderStatusTimes = map[string]time.Time{}
			}
			tx.Job.ProviderStatusTimes[key] = t0
			return nil
		}
	}
	stored := func() *domain.Job {
		t.Helper()
		j, err := s.GetJob(ctx, "t1", jobID)
		if err != nil {
			t.Fatal(err)
		}
		return j
	}

	// Writers at once: none loses another's change (each is conditional on what it read).
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.UpdateJobUnlocked(ctx, "t1", jobID, mark(fmt.Sprint("w", i))); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := len(stored().ProviderStatusTimes); n != 6 {
		t.Errorf("%d of 6 concurrent changes stored: %v", n, stored().ProviderStatusTimes)
	}

	// A change another instance made after the kept version (a write this process's
	// store did not see): the kept version's write is refused, the job read again, and
	// both changes kept.
	if _, err := s.job("t1", jobID).Update(ctx,
		[]firestore.Update{{Path: "reason", Value: "por outro caminho"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateJobUnlocked(ctx, "t1", jobID, mark("after")); err != nil {
		t.Fatal(err)
	}
	if j := stored(); j.Reason != "por outro caminho" || j.ProviderStatusTimes["after"].IsZero() {
		t.Errorf("reason %q, times %v: a change was lost", j.Reason, j.ProviderStatusTimes)
	}

	// "No change" on the kept version is checked on what is stored: the key was removed
	// since, so it is added again.
	if _, err := s.UpdateJob(ctx, "t1", jobID, func(tx *JobTx) error { delete(tx.Job.ProviderStatusTimes, "after"); return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateJobUnlocked(ctx, "t1", jobID, mark("after")); err != nil {
		t.Fatal(err)
	}
	if stored().ProviderStatusTimes["after"].IsZero() {
		t.Error("a kept version's 'no change' hid a change")
	}

	// Only the job: its appointment is read in UpdateJob's transaction.
	_, err := s.UpdateJobUnlocked(ctx, "t1", jobID, func(tx *JobTx) error { _, err := tx.Appointment(); return err })
	if !errors.Is(err, errUnlocked) {
		t.Errorf("appointment without a transaction: %v", err)
	}
	if _, err := s.UpdateJobUnlocked(ctx, "t1", "missing", mark("x")); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("missing job: %v", err)
	}
}
