// Package reminders is the scan Cloud Scheduler runs every few minutes: it finds the
// reminders due soon (every offset a studio set, domain/offsets.go: each is a job of
// type appointment_reminder, so one query by type, status and time finds them all and
// its reads grow with the due reminders only) and enqueues each as a Cloud Task named
// after its job and scheduled at its exact time (after the quiet hours, applied when the
// job's time was set, shared/booking). It touches no other job type.
package reminders

import (
	"context"
	"log/slog"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/logging"
	"github.com/lembra-app/lembra/shared/ptbr"
	"github.com/lembra-app/lembra/shared/queue"
	"github.com/lembra-app/lembra/shared/store"
)

// Service runs scans.
type Service struct {
	Store      *store.Store
	Tasks      queue.Enqueuer
	Log        *slog.Logger
	Now        func() time.Time
	Horizon    time.Duration
	BatchLimit int
}

// Result counts what one scan did.
type Result struct {
	Found         int `json:"found"`
	Enqueued      int `json:"enqueued"`
	AlreadyQueued int `json:"already_queued"`
	Skipped       int `json:"skipped"`
	Failed        int `json:"failed"`
	Paused        int `json:"paused"` // left alone: their tenant's scan is paused (pause.go)
}

// OrphanGrace is how long past its time a reminder marked queued may wait for its
// task before the scan creates the task again (a crash between the mark and the
// enqueue leaves none; a live task makes the second enqueue a no-op).
const OrphanGrace = 15 * time.Minute

// Scan enqueues the due reminders. Overlapping or repeated scans enqueue nothing twice:
// task names derive from job ids. Each reminder is marked queued before its task is
// created, so the scan never writes a job dispatch may be working on; one whose task
// could not be created goes back to pending for the next scan. A reminder whose
// appointment has started is skipped with the reason.
func (s *Service) Scan(ctx context.Context) (Result, error) {
	now := s.Now().UTC()
	var res Result
	jobs, err := s.Store.DueReminders(ctx, now.Add(s.Horizon), s.BatchLimit)
	if err != nil {
		return res, err
	}
	orphans, err := s.Store.QueuedReminders(ctx, now.Add(-OrphanGrace), s.BatchLimit)
	if err != nil {
		return res, err
	}
	res.Found = len(jobs)
	tenants := tenantPauses{}
	jobs = s.unpaused(ctx, domain.JobPending, now.Add(s.Horizon), jobs, tenants, &res)
	orphans = s.unpaused(ctx, domain.JobQueued, now.Add(-OrphanGrace), orphans, tenants, &res)
	for _, j := range jobs {
		s.handle(ctx, j, now, true, &res)
	}
	for _, j := range orphans {
		s.handle(ctx, j, now, false, &res)
	}
	s.Log.InfoContext(ctx, logging.MsgReminderScan, "found", res.Found, "enqueued", res.Enqueued,
		"already_queued", res.AlreadyQueued, "skipped", res.Skipped, "failed", res.Failed, "rechecked", len(orphans))
	return res, nil
}

// DispatchOwns reports whether dispatch holds a task for the reminder, so the scan must
// not create its first send's task again: dispatch has tried it (its retry task is on
// the queue), or set it to be looked at again later (a retry, or a hold by the
// portfolio's messaging limit, with NextRetryAt ahead and a task for then).
func DispatchOwns(j *domain.Job, now time.Time) bool {
	return j.AttemptCount() > 0 || j.NextRetryAt.After(now)
}

// handle enqueues one reminder: a pending one (mark first), or one marked queued long
// ago whose task may be missing.
func (s *Service) handle(ctx context.Context, j *domain.Job, now time.Time, pending bool, res *Result) {
	log := s.Log.With("tenant_id", j.TenantID, "job_id", j.ID)
	if DispatchOwns(j, now) {
		return // its retry, or the end of its hold, has a task on the queue
	}
	if !j.AppointmentStartsAt.IsZero() && !j.AppointmentStartsAt.After(now) {
		if err := s.Store.SkipJob(ctx, j.TenantID, j.ID, now, ptbr.Reason(domain.ReasonAppointmentPast)); err != nil {
			log.ErrorContext(ctx, "could not skip a late reminder", "error", err.Error())
			res.Failed++
			return
		}
		log.InfoContext(ctx, "job skipped", "reason_code", domain.ReasonAppointmentPast, "type", string(j.Type))
		res.Skipped++
		return
	}
	if pending {
		marked, err := s.Store.MarkQueued(ctx, j.TenantID, j.ID, now)
		if err != nil {
			log.ErrorContext(ctx, "could not mark a reminder queued; the next scan tries again", "error", err.Error())
			res.Failed++
			return
		}
		if !marked {
			res.AlreadyQueued++ // another scan, or dispatch, has it
			return
		}
	}
	created, err := queue.EnqueueJob(ctx, s.Tasks, j.TenantID, j.ID, j.Type, queue.SendPurpose(1), j.ScheduledFor)
	if err != nil {
		log.ErrorContext(ctx, "could not enqueue a reminder; the next scan tries again", "error", err.Error())
		res.Failed++
		if pending {
			if err := s.Store.ReleaseQueued(ctx, j.TenantID, j.ID, now, ptbr.TextEnqueueFailed); err != nil {
				// Left queued: the orphan check of a later scan creates its task.
				log.ErrorContext(ctx, "could not put the reminder back to pending", "error", err.Error())
			}
		}
		return
	}
	switch {
	case !created:
		res.AlreadyQueued++
	case pending:
		res.Enqueued++
	default:
		log.WarnContext(ctx, "reminder task was missing; created again")
		res.Enqueued++
	}
}
