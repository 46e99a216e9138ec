// Package dispatch sends one job through the WhatsApp Cloud API and records what
// became of it. A job is claimed in a transaction before Meta is called, so concurrent
// deliveries of the same task send once; a send whose answer was lost waits for a
// status webhook instead of being sent again.
package dispatch

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/lembra-app/lembra/shared/config"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/meta"
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

// Dispatch handles one delivery of a job's task. A nil error acknowledges the task;
// an error asks Cloud Tasks to deliver it again.
func (s *Service) Dispatch(ctx context.Context, tenantID, jobID string) error {
	log := s.Log.With("tenant_id", tenantID, "job_id", jobID)
	tenant, err := s.Store.CachedTenant(ctx, tenantID) // store.TenantCacheTTL
	if errors.Is(err, domain.ErrNotFound) {
		log.ErrorContext(ctx, "job of an unknown tenant; dropped")
		return nil
	}
	if err != nil {
		return err
	}

	now := s.Now().UTC()
	var d Decision
	settled := false
	// One transaction decides on what it reads. A duplicate or early delivery bounces
	// off the job alone (no read of its appointment, nothing written): a plain read
	// before the transaction would spare it a short wait on the claim's lock, at the
	// cost of one more read for every send (docs/firestore-ops.md).
	job, err := s.Store.UpdateJob(ctx, tenantID, jobID, func(tx *store.JobTx) error {
		if tx.Job.Status.Final() {
			settled = true
			return store.ErrNoChange
		}
		if at, wait := notDue(tx.Job, now); wait {
			d = Decision{Step: Wait, At: at}
			return store.ErrNoChange
		}
		apt, err := tx.Appointment()
		if err != nil {
			return err
		}
		in := Input{Job: tx.Job, Appointment: apt, Tenant: tenant, Config: s.Config, Now: now}
		d = Decide(in)
		// The client's conversation is read (a locked read, beside the events function's
		// writes to it) only when every other rule let the session message through, so
		// that the 24-hour window is what decides.
		if identity, ok := NeedsLedger(tenant, tx.Job, apt, d); ok {
			conv, err := tx.Conversation(identity)
			if err != nil {
				return err
			}
			if conv != nil {
				in.LastInbound, in.Ledger = conv.LastInboundAt, conv
			}
			d = Decide(in)
		}
		// The portfolio's messaging limit: read (one read, one write with the claim) only
		// for a template send by a tenant whose limit is counted; it may hold the job.
		if NeedsLimitUsage(tenant, d) {
			u, err := tx.MessagingUsage()
			if err != nil {
				return err
			}
			var next *domain.LimitUsage
			if d, next = ApplyLimit(in, d, u); next != nil {
				if err := tx.PutMessagingUsage(*next); err != nil {
					return err
				}
			}
		}
		if d.Job == nil { // Wait, Ignore
			return store.ErrNoChange
		}
		*tx.Job = *d.Job
		return nil
	})
	if errors.Is(err, domain.ErrNotFound) {
		log.ErrorContext(ctx, "task for an unknown job; dropped")
		return nil
	}
	if err != nil {
		return err
	}
	if settled {
		log.DebugContext(ctx, "job already settled; delivery acknowledged", "status", string(job.Status))
		return nil
	}
	if d.Step == Wait {
		log.DebugContext(ctx, "task delivered before its job is due; asking for redelivery", "due", d.At)
		return &NotYetError{At: d.At}
	}
	if d.Step != Claim {
		s.logDecision(ctx, log, job)
		return s.schedule(ctx, tenantID, jobID, job.Type, d.Next)
	}
	// The outcome must be recorded even if the caller gives up waiting.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.Config.MetaTimeout+20*time.Second)
	defer cancel()
	return s.send(ctx, log, tenant, job, d.Attempt, d.Plan.Message)
}

// windowDecides reports whether a decision made without the client's last message
// came down to the 24-hour window: a claim (the window was not checked yet… or was
// open) or a skip because it is closed.
func windowDecides(d Decision) bool {
	return d.Step == Claim || (d.Job != nil && d.Job.Status == domain.JobSkipped && d.Job.ReasonCode == domain.ReasonWindowClosed)
}

// NotYetError asks the queue to deliver the task again at At.
type NotYetError struct{ At time.Time }

func (e *NotYetError) Error() string { return "job not due until " + e.At.Format(time.RFC3339) }
