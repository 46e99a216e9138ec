package store

import (
	"context"
	"fmt"
	"time"

	"cloud.google.com/go/firestore"

	"github.com/lembra-app/lembra/shared/domain"
)

// DueReminders returns pending reminder jobs due at or before until, oldest first, at
// most limit, across tenants. It reads only the jobs it returns (a collection-group
// query on jobs over type, status and scheduled_for, indexed in Terraform).
func (s *Store) DueReminders(ctx context.Context, until time.Time, limit int) ([]*domain.Job, error) {
	return s.reminders(ctx, domain.JobPending, until, limit)
}

// QueuedReminders returns reminder jobs marked queued whose time was at or before
// until: the reminder scan checks that their task exists (the same index serves it).
func (s *Store) QueuedReminders(ctx context.Context, until time.Time, limit int) ([]*domain.Job, error) {
	return s.reminders(ctx, domain.JobQueued, until, limit)
}

func (s *Store) reminders(ctx context.Context, st domain.JobStatus, until time.Time, limit int) ([]*domain.Job, error) {
	q := s.fs.CollectionGroup(colJobs).
		Where("type", "==", string(domain.JobReminder)).
		Where("status", "==", string(st)).
		Where("scheduled_for", "<=", until).
		OrderBy("scheduled_for", firestore.Asc).
		Limit(limit)
	js, err := s.jobsOf(q.Documents(ctx))
	if err != nil {
		return nil, fmt.Errorf("%s reminders: %w", st, err)
	}
	return js, nil
}

// MarkQueued records that a pending job's task is about to be created, before it is:
// once the task exists only dispatch writes the job, so the two never contend on it.
// It reads only the job and reports whether it marked it (false: another scan or
// dispatch got there first).
func (s *Store) MarkQueued(ctx context.Context, tenantID, jobID string, at time.Time) (bool, error) {
	return s.updateJobOnly(ctx, tenantID, jobID, func(j *domain.Job) bool { return j.MarkQueued(at) })
}

// ReleaseQueued puts back to pending a job marked queued whose task could not be
// created, so that the next scan tries again. No task exists, so nothing contends.
func (s *Store) ReleaseQueued(ctx context.Context, tenantID, jobID string, at time.Time, detail string) error {
	_, err := s.updateJobOnly(ctx, tenantID, jobID, func(j *domain.Job) bool {
		if !j.AwaitsFirstTask() {
			return false
		}
		j.Status = domain.JobPending
		j.AddEvent(at, "enqueue_failed", detail)
		return true
	})
	return err
}

// SkipJob records a job that has not gone out as skipped with its reason. It reads only the job.
func (s *Store) SkipJob(ctx context.Context, tenantID, jobID string, at time.Time, r domain.Reason) error {
	_, err := s.updateJobOnly(ctx, tenantID, jobID, func(j *domain.Job) bool {
		if !j.Status.Unsent() {
			return false
		}
		j.Finish(at, domain.JobSkipped, r)
		return true
	})
	return err
}

// updateJobOnly changes a job in a transaction that reads nothing else; fn reports
// whether it changed the job, and so does updateJobOnly.
func (s *Store) updateJobOnly(ctx context.Context, tenantID, jobID string, fn func(*domain.Job) bool) (bool, error) {
	ref := s.job(tenantID, jobID)
	var changed bool
	err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		j, err := getTx(tx, ref, setJobID)
		if err != nil {
			return err
		}
		before := domain.CounterStateOf(j)
		if changed = fn(j); !changed {
			return nil
		}
		return s.writeJob(ctx, tx, tenantID, before, j, false)
	})
	if err != nil {
		return false, fmt.Errorf("update job %s: %w", jobID, err)
	}
	return changed, nil
}
