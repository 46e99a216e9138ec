// Package reminders is the scan Cloud Scheduler runs every few minutes: it finds the
// 24-hour reminders due soon and enqueues each as a Cloud Task named after its job and
// scheduled at its exact time. It touches no other job type.
package reminders

import (
	"context"
	"log/slog"
	"time"

	"github.com/lembra-app/lembra/shared/booking"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/ptbr"
	"github.com/lembra-app/lembra/shared/queue"
	"github.com/lembra-app/lembra/shared/store"
)

// Service runs scans.
type Service struct {
	Store      *store.Store
	Tasks      booking.Enqueuer
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
}

// Scan enqueues the due reminders. Overlapping or repeated scans enqueue nothing twice:
// task names derive from job ids. A reminder whose appointment has started is skipped
// with the reason; one that could not be enqueued stays pending for the next scan.
func (s *Service) Scan(ctx context.Context) (Result, error) {
	now := s.Now().UTC()
	var res Result
	jobs, err := s.Store.DueReminders(ctx, now.Add(s.Horizon), s.BatchLimit)
	if err != nil {
		return res, err
	}
	res.Found = len(jobs)
	for _, j := range jobs {
		log := s.Log.With("tenant_id", j.TenantID, "job_id", j.ID)
		if len(j.Attempts) > 0 {
			continue // dispatch owns a reminder it has tried; its retry task is on the queue
		}
		if !j.AppointmentStartsAt.IsZero() && !j.AppointmentStartsAt.After(now) {
			if err := s.Store.SkipJob(ctx, j.TenantID, j.ID, now, ptbr.Reason(ptbr.ReasonAppointmentPast)); err != nil {
				log.ErrorContext(ctx, "could not skip a late reminder", "error", err.Error())
				res.Failed++
				continue
			}
			log.InfoContext(ctx, "job skipped", "reason_code", ptbr.ReasonAppointmentPast, "type", string(j.Type))
			res.Skipped++
			continue
		}
		created, err := s.Tasks.Enqueue(ctx, domain.TaskName(j.TenantID, j.ID, "send-1"), j.ScheduledFor,
			queue.Payload{TenantID: j.TenantID, JobID: j.ID})
		if err != nil {
			log.ErrorContext(ctx, "could not enqueue a reminder; the next scan tries again", "error", err.Error())
			res.Failed++
			continue
		}
		if created {
			res.Enqueued++
		} else {
			res.AlreadyQueued++
		}
		if err := s.Store.MarkQueued(ctx, j.TenantID, j.ID, now); err != nil {
			log.ErrorContext(ctx, "reminder queued but not marked", "error", err.Error())
		}
	}
	s.Log.InfoContext(ctx, "reminder scan", "found", res.Found, "enqueued", res.Enqueued,
		"already_queued", res.AlreadyQueued, "skipped", res.Skipped, "failed", res.Failed)
	return res, nil
}
