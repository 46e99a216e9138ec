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
	q := s.fs.CollectionGroup(colJobs).
		Where("type", "==", string(domain.JobReminder)).
		Where("status", "==", string(domain.JobPending)).
		Where("scheduled_for", "<=", until).
		OrderBy("scheduled_for", firestore.Asc).
		Limit(limit)
	js, err := s.jobsOf(q.Documents(ctx))
	if err != nil {
		return nil, fmt.Errorf("due reminders: %w", err)
	}
	return js, nil
}

// MarkQueued records that a pending job has its Cloud Task. It reads only the job.
func (s *Store) MarkQueued(ctx context.Context, tenantID, jobID string, at time.Time) error {
	return s.updateJobOnly(ctx, tenantID, jobID, func(j *domain.Job) bool {
		if j.Status != domain.JobPending {
			return false // dispatch or another scan got there first
		}
		j.Status = domain.JobQueued
		j.AddEvent(at, "queued", "")
		return true
	})
}

// SkipJob records a job that has not gone out as skipped with its reason. It reads only the job.
func (s *Store) SkipJob(ctx context.Context, tenantID, jobID string, at time.Time, r domain.Reason) error {
	return s.updateJobOnly(ctx, tenantID, jobID, func(j *domain.Job) bool {
		if j.Status != domain.JobPending && j.Status != domain.JobQueued {
			return false
		}
		j.Finish(at, domain.JobSkipped, r)
		return true
	})
}

// updateJobOnly changes a job in a transaction that reads nothing else; fn reports
// whether it changed the job.
func (s *Store) updateJobOnly(ctx context.Context, tenantID, jobID string, fn func(*domain.Job) bool) error {
	ref := s.job(tenantID, jobID)
	err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		snap, err := tx.Get(ref)
		if err != nil {
			return err
		}
		j, err := decodeJob(snap)
		if err != nil {
			return err
		}
		if !fn(j) {
			return nil
		}
		return tx.Set(ref, j)
	})
	if err != nil {
		return fmt.Errorf("update job %s: %w", jobID, err)
	}
	return nil
}
