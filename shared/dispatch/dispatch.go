// Package dispatch sends one job through the WhatsApp Cloud API and records what
// became of it. A job is claimed in a transaction before Meta is called, so concurrent
// deliveries of the same task send once; a send whose answer was lost waits for a
// status webhook instead of being sent again.
package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"github.com/lembra-app/lembra/shared/config"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/meta"
	"github.com/lembra-app/lembra/shared/ptbr"
	"github.com/lembra-app/lembra/shared/queue"
	"github.com/lembra-app/lembra/shared/secrets"
	"github.com/lembra-app/lembra/shared/store"
)

// Secrets reads tenants' tokens and forgets one Meta rejected.
type Secrets interface {
	secrets.Source
	Forget(id string)
}

// Service dispatches jobs.
type Service struct {
	Config  config.Config
	Store   *store.Store
	Tasks   queue.Enqueuer
	Secrets Secrets
	Meta    *meta.Client
	Log     *slog.Logger
	Now     func() time.Time
}

// earlySkew tolerates a task delivered slightly before its job's time.
const earlySkew = time.Minute

// CallbackData is what a send carries in biz_opaque_callback_data; Meta echoes it on
// status webhooks, so a send whose answer was lost can still be matched to its job.
func CallbackData(tenantID, jobID string) string { return tenantID + "/" + jobID }

// followUp is a task to create once the transaction has committed.
type followUp struct {
	purpose queue.Purpose
	at      time.Time
}

// send is a claimed send, to perform outside the transaction.
type send struct {
	attempt int
	msg     meta.Message
}

// Dispatch handles one delivery of a job's task. A nil error acknowledges the task;
// an error asks Cloud Tasks to deliver it again.
func (s *Service) Dispatch(ctx context.Context, tenantID, jobID string) error {
	log := s.Log.With("tenant_id", tenantID, "job_id", jobID)
	tenant, err := s.Store.GetTenant(ctx, tenantID)
	if errors.Is(err, domain.ErrNotFound) {
		log.ErrorContext(ctx, "job of an unknown tenant; dropped")
		return nil
	}
	if err != nil {
		return err
	}

	now := s.Now().UTC()
	// A plain read first: a duplicate or early delivery bounces off what is stored
	// without opening a transaction, so it never waits on the lock of the delivery that
	// holds the claim. The transaction below decides again on what it reads.
	if j, err := s.Store.GetJob(ctx, tenantID, jobID); err == nil {
		if j.Status.Final() {
			log.DebugContext(ctx, "job already settled; delivery acknowledged", "status", string(j.Status))
			return nil
		}
		if at, wait := notDue(j, now); wait {
			return &NotYetError{At: at}
		}
	} else if errors.Is(err, domain.ErrNotFound) {
		log.ErrorContext(ctx, "task for an unknown job; dropped")
		return nil
	}
	var (
		claimed *send
		next    *followUp
		later   time.Time // the job is not due yet: redeliver this task then
	)
	job, err := s.Store.UpdateJob(ctx, tenantID, jobID, func(tx *store.JobTx) error {
		claimed, next, later = nil, nil, time.Time{}
		j := tx.Job
		if at, wait := notDue(j, now); wait {
			later = at
			return store.ErrNoChange
		}
		switch j.Status {
		case domain.JobSending:
			// The last claim never recorded an outcome: its request may have reached Meta.
			j.AddAttempt(domain.Attempt{N: j.AttemptCount() + 1, At: now, Outcome: "unknown",
				Error: "the claim expired before an outcome was recorded"})
			j.Status = domain.JobUnknown
			j.NextRetryAt = now.Add(s.Config.UnknownOutcomeWait)
			j.LeaseUntil = time.Time{}
			j.AddEvent(now, string(domain.JobUnknown), ptbr.TextLeaseExpired)
			next = &followUp{purpose: queue.CheckPurpose(len(j.Attempts)), at: j.NextRetryAt}
			return nil
		case domain.JobUnknown:
			if j.ProviderMessageID != "" {
				// Meta's id for the send is known after all: it went out.
				j.Status = domain.JobSent
				j.NextRetryAt = time.Time{}
				j.AddEvent(now, "sent", "")
				return nil
			}
			if len(j.Attempts) > s.Config.MaxRetries {
				j.Finish(now, domain.JobFailed, ptbr.Reason(ptbr.ReasonOutcomeUnknown))
				return nil
			}
			j.AddEvent(now, "retry", ptbr.TextUnknownRetry)
		case domain.JobPending, domain.JobQueued:
		default: // sent, delivered, read, failed, skipped: nothing more to do
			return store.ErrNoChange
		}
		msg, reason, skip, err := s.plan(tx, tenant, now)
		if err != nil {
			return err
		}
		if skip {
			j.Finish(now, domain.JobSkipped, reason)
			return nil
		}
		if domain.EffectiveMode(s.Config.Mode, tenant.Mode) == domain.ModeDryRun {
			body, _ := json.Marshal(msg)
			j.DryRunRequest = string(body)
			j.Finish(now, domain.JobSkipped, ptbr.Reason(ptbr.ReasonDryRun))
			return nil
		}
		j.Status = domain.JobSending
		j.LeaseUntil = now.Add(s.Config.MetaTimeout + 30*time.Second) // > the send deadline below
		j.NextRetryAt = time.Time{}
		claimed = &send{attempt: len(j.Attempts) + 1, msg: msg}
		return nil
	})
	if errors.Is(err, domain.ErrNotFound) {
		log.ErrorContext(ctx, "task for an unknown job; dropped")
		return nil
	}
	if err != nil {
		return err
	}
	if !later.IsZero() {
		log.DebugContext(ctx, "task delivered before its job is due; asking for redelivery", "due", later)
		return &NotYetError{At: later}
	}
	if claimed == nil {
		s.logDecision(ctx, log, job)
		return s.schedule(ctx, tenantID, jobID, next)
	}
	// The outcome must be recorded even if the caller gives up waiting.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.Config.MetaTimeout+20*time.Second)
	defer cancel()
	return s.send(ctx, log, tenant, job, claimed)
}

// notDue reports whether a delivery of the job's task comes too early, and when to
// come back: another delivery holds the claim (until its lease ends, in case it dies
// without recording an outcome), an unknown outcome is still waiting for its status
// webhook, a retry's time has not come, or the job's own time has not come.
func notDue(j *domain.Job, now time.Time) (time.Time, bool) {
	switch j.Status {
	case domain.JobSending:
		return j.LeaseUntil, now.Before(j.LeaseUntil)
	case domain.JobUnknown:
		return j.NextRetryAt, now.Before(j.NextRetryAt)
	case domain.JobPending, domain.JobQueued:
		if !j.NextRetryAt.IsZero() && now.Before(j.NextRetryAt) {
			return j.NextRetryAt, true
		}
		if now.Add(earlySkew).Before(j.ScheduledFor) {
			return j.ScheduledFor, true
		}
	}
	return time.Time{}, false
}

// NotYetError asks the queue to deliver the task again at At.
type NotYetError struct{ At time.Time }

func (e *NotYetError) Error() string { return "job not due until " + e.At.Format(time.RFC3339) }
