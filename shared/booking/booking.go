// Package booking creates, reschedules and cancels appointments, with the jobs each
// change implies, and hands due jobs to the dispatch queue.
package booking

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/ptbr"
	"github.com/lembra-app/lembra/shared/queue"
	"github.com/lembra-app/lembra/shared/store"
)

// Service applies booking changes.
type Service struct {
	Store *store.Store
	Tasks queue.Enqueuer
	Log   *slog.Logger
	Now   func() time.Time
}

// ReminderLead is how long before the appointment the default reminder goes out
// (domain.DefaultReminderMinutes; a tenant may set other offsets).
const ReminderLead = domain.DefaultReminderMinutes * time.Minute

// NewAppointment is what a booking system sends.
type NewAppointment struct {
	ExternalID  string
	ClientName  string
	ClientPhone string
	Service     string
	Location    string
	StartsAt    time.Time
}

func field(name, code, format string, args ...any) error {
	return &domain.ValidationError{Field: name, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Validate checks a new appointment at time now.
func (in *NewAppointment) Validate(now time.Time) error {
	in.ExternalID = strings.TrimSpace(in.ExternalID)
	in.ClientName = strings.TrimSpace(in.ClientName)
	in.ClientPhone = strings.TrimSpace(in.ClientPhone)
	in.Service = strings.TrimSpace(in.Service)
	in.Location = strings.TrimSpace(in.Location)
	switch {
	case in.ExternalID == "":
		return field("external_id", "required", "external_id is required")
	case utf8.RuneCountInString(in.ExternalID) > 200:
		return field("external_id", "too_long", "external_id must be at most 200 characters")
	case in.ClientName == "":
		return field("client_name", "required", "client_name is required")
	case utf8.RuneCountInString(in.ClientName) > 120:
		return field("client_name", "too_long", "client_name must be at most 120 characters")
	case in.ClientPhone == "":
		return field("client_phone", "required", "client_phone is required")
	case !domain.E164.MatchString(in.ClientPhone):
		return field("client_phone", "invalid_phone", "client_phone must be in E.164 form, e.g. +5511987654321")
	case in.Service == "":
		return field("service", "required", "service is required")
	case utf8.RuneCountInString(in.Service) > 120:
		return field("service", "too_long", "service must be at most 120 characters")
	case utf8.RuneCountInString(in.Location) > 200:
		return field("location", "too_long", "location must be at most 200 characters")
	}
	// Meta refuses template variables with line breaks, tabs or runs of spaces.
	for name, v := range map[string]string{"client_name": in.ClientName, "service": in.Service, "location": in.Location} {
		if strings.ContainsAny(v, "\n\r\t") || strings.Contains(v, "    ") {
			return field(name, "invalid_text", "%s must be one line, without tabs or runs of 4 spaces (WhatsApp refuses them)", name)
		}
	}
	for _, f := range [][2]string{{"external_id", in.ExternalID}, {"client_name", in.ClientName}, {"service", in.Service}, {"location", in.Location}} {
		if err := domain.CheckText(f[0], f[1]); err != nil { // invisible and control characters
			return err
		}
	}
	return validateStart(in.StartsAt, now)
}

func validateStart(at, now time.Time) error {
	switch {
	case at.IsZero():
		return field("starts_at", "required", "starts_at is required (RFC 3339, e.g. 2026-12-01T14:00:00-03:00)")
	case !at.After(now):
		return field("starts_at", "in_past", "starts_at must be in the future")
	case at.After(now.AddDate(2, 0, 0)):
		return field("starts_at", "too_far", "starts_at must be within two years")
	}
	return nil
}

func newVoucherToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// reminderJobs builds the appointment's reminders for its current schedule version: one
// per offset the tenant has for its service (domain.Tenant.ReminderOffsetsFor; the
// seed's 24 hours by default), each timed by the quiet hours (quietTime). A reminder
// whose moment has passed is recorded skipped, with the reason.
func reminderJobs(t *domain.Tenant, apt *domain.Appointment, now time.Time) []*domain.Job {
	var out []*domain.Job
	for _, m := range t.ReminderOffsetsFor(apt.Service) {
		j := &domain.Job{
			ID:       domain.ReminderJobID(apt.ID, m, apt.ScheduleVersion),
			TenantID: apt.TenantID, AppointmentID: apt.ID, Type: domain.JobReminder, ReminderOffsetMinutes: m,
			Status: domain.JobPending, ScheduledFor: domain.ReminderDue(apt.StartsAt, m),
			ScheduleVersion: apt.ScheduleVersion, AppointmentStartsAt: apt.StartsAt.UTC(), CreatedAt: now.UTC(),
		}
		j.AddEvent(now, "created", "")
		if !j.ScheduledFor.After(now) {
			j.Finish(now, domain.JobSkipped, ptbr.ReminderTooLate(m))
		} else {
			quietTime(t, apt, j, now)
		}
		out = append(out, j)
	}
	return out
}

// quietTime applies the tenant's quiet hours (domain.QuietSchedule) to a job's time, as
// it is set: one due inside them is moved to their end, or kept when that would be
// after the appointment's start or within the lead before it; either way the decision
// goes on the job's timeline.
func quietTime(t *domain.Tenant, apt *domain.Appointment, j *domain.Job, now time.Time) {
	q, loc := t.Quiet(), t.Location()
	d := domain.QuietSchedule(q, j.ScheduledFor, apt.StartsAt, loc)
	if !d.Inside() {
		return
	}
	j.ScheduledFor = d.At.UTC()
	j.AddEvent(now, domain.EventQuietHours, ptbr.QuietHoursNote(d, q, loc))
}

// Create stores a new appointment with its jobs and queues its booking notice. The same
// external id again returns the stored appointment (created=false) and creates nothing;
// with different details it is a conflict.
func (s *Service) Create(ctx context.Context, t *domain.Tenant, in NewAppointment) (*domain.Appointment, []*domain.Job, bool, error) {
	now := s.Now().UTC()
	if err := in.Validate(now); err != nil {
		return nil, nil, false, err
	}
	if in.Location == "" {
		in.Location = t.LocationLine
	}
	apt := &domain.Appointment{
		ID: domain.AppointmentID(t.ID, in.ExternalID), TenantID: t.ID, ExternalID: in.ExternalID,
		ClientName: in.ClientName, ClientPhone: in.ClientPhone, Service: in.Service, Location: in.Location,
		StartsAt: in.StartsAt.UTC(), Status: domain.AppointmentScheduled, ScheduleVersion: 1,
		VoucherToken: newVoucherToken(), CreatedAt: now, UpdatedAt: now,
	}
	created := &domain.Job{
		ID:       domain.JobID(apt.ID, domain.JobCreated, 0),
		TenantID: t.ID, AppointmentID: apt.ID, Type: domain.JobCreated, Status: domain.JobPending,
		ScheduledFor: now, CreatedAt: now,
	}
	created.AddEvent(now, "created", "")
	quietTime(t, apt, created, now)
	created.MarkQueued(now) // in the creating transaction: the API never writes it again
	jobs := append([]*domain.Job{created}, reminderJobs(t, apt, now)...)

	stored, storedJobs, isNew, err := s.Store.CreateAppointment(ctx, apt, jobs)
	if err != nil {
		return nil, nil, false, err
	}
	if !isNew && !sameBooking(stored, apt) {
		return nil, nil, false, &domain.ConflictError{Code: "external_id_conflict", Message: fmt.Sprintf(
			"external_id %q already names appointment %s with other details; use PATCH /v1/appointments/%s to reschedule",
			in.ExternalID, stored.ID, stored.ID)}
	}
	// Create the booking notice's task. On a repeat this heals a notice whose first
	// enqueue failed (task names make a second enqueue of a live task a no-op).
	if err := s.enqueueWaiting(ctx, t.ID, storedJobs, domain.JobCreated); err != nil {
		return nil, nil, false, err
	}
	return stored, storedJobs, isNew, nil
}

func sameBooking(a, b *domain.Appointment) bool {
	return a.ClientName == b.ClientName && a.ClientPhone == b.ClientPhone && a.Service == b.Service &&
		a.Location == b.Location && a.StartsAt.Equal(b.StartsAt)
}

// ErrQueueUnavailable means the appointment is stored but its notice could not be queued.
var ErrQueueUnavailable = errors.New("queue unavailable")

// enqueueWaiting creates the first task of each job of type jt that awaits it, at the
// job's time when that is ahead (a notice the quiet hours moved). It writes nothing to
// the store.
func (s *Service) enqueueWaiting(ctx context.Context, tenantID string, jobs []*domain.Job, jt domain.JobType) error {
	now := s.Now()
	for _, j := range jobs {
		if j.Type != jt || !j.AwaitsFirstTask() {
			continue
		}
		if err := s.enqueueAt(ctx, tenantID, j, queue.SendPurpose(1), now); err != nil {
			return err
		}
	}
	return nil
}

// enqueueAt creates job j's task for purpose, at the job's time when that is after
// now (at once otherwise).
func (s *Service) enqueueAt(ctx context.Context, tenantID string, j *domain.Job, purpose queue.Purpose, now time.Time) error {
	var at time.Time
	if j.ScheduledFor.After(now) {
		at = j.ScheduledFor
	}
	if _, err := queue.EnqueueJob(ctx, s.Tasks, tenantID, j.ID, j.Type, purpose, at); err != nil {
		s.Log.ErrorContext(ctx, "enqueue failed", "tenant_id", tenantID, "job_id", j.ID, "error", err.Error())
		return fmt.Errorf("%w: %v", ErrQueueUnavailable, err)
	}
	return nil
}

// Reschedule moves an appointment to a new start. The pending reminders of the old time
// (every offset) are canceled with a reason and the reminders for the new time created.
func (s *Service) Reschedule(ctx context.Context, t *domain.Tenant, id string, startsAt time.Time) (*domain.Appointment, []*domain.Job, error) {
	now := s.Now().UTC()
	if err := validateStart(startsAt, now); err != nil {
		return nil, nil, err
	}
	var retimed []*domain.Job
	var version int
	apt, jobs, err := s.Store.UpdateAppointment(ctx, t.ID, id, func(apt *domain.Appointment, jobs []*domain.Job) (store.AppointmentChange, error) {
		var ch store.AppointmentChange
		retimed = nil
		if !apt.Status.Active() {
			return ch, &domain.ConflictError{Code: "appointment_canceled", Message: "a canceled appointment cannot be rescheduled"}
		}
		if apt.StartsAt.Equal(startsAt) {
			return ch, store.ErrNoChange
		}
		apt.StartsAt = startsAt.UTC()
		apt.ScheduleVersion++
		apt.UpdatedAt = now
		version = apt.ScheduleVersion
		for _, j := range jobs {
			if j.Type == domain.JobReminder && j.Status.Unsent() {
				j.Finish(now, domain.JobSkipped, ptbr.Reason(domain.ReasonRescheduled))
				ch.ChangedJobs = append(ch.ChangedJobs, j)
			}
			if NoticeWaiting(j, now) && retimeNotice(t, apt, j, now) {
				ch.ChangedJobs = append(ch.ChangedJobs, j)
				retimed = append(retimed, j)
			}
		}
		ch.NewJobs = append(ch.NewJobs, reminderJobs(t, apt, now)...)
		return ch, nil
	})
	if err != nil {
		return nil, nil, err
	}
	// A notice the quiet hours held gets a task at its new time (a new name: the one
	// at the old time stays, and bounces off the job once it is sent).
	for _, j := range retimed {
		if err := s.enqueueAt(ctx, t.ID, j, RetimePurpose(version), now); err != nil {
			return nil, nil, err
		}
	}
	return apt, jobs, nil
}

// NoticeWaiting reports whether j is a booking notice still waiting for its time (the
// quiet hours moved it ahead), never tried: a reschedule times it again.
func NoticeWaiting(j *domain.Job, now time.Time) bool {
	return j.Type == domain.JobCreated && j.Status.Unsent() && j.AttemptCount() == 0 && j.ScheduledFor.After(now)
}

// retimeNotice sets a waiting notice's time again for the appointment's new start, as
// its time was first set (at once, moved by the quiet hours or not); it reports whether
// the time changed.
func retimeNotice(t *domain.Tenant, apt *domain.Appointment, j *domain.Job, now time.Time) bool {
	before := j.ScheduledFor
	j.ScheduledFor = now
	quietTime(t, apt, j, now)
	return !j.ScheduledFor.Equal(before)
}

// RetimePurpose names the task of a booking notice timed again by the reschedule to
// schedule version v.
func RetimePurpose(v int) queue.Purpose { return queue.Purpose(fmt.Sprintf("retime-v%d", v)) }

// Cancel cancels an appointment and its jobs that have not gone out. With notify, a
// cancellation notice is created: sent as a free-form message if the client's 24-hour
// window for this appointment is open, recorded skipped with the precise reason if not.
// Canceling twice is not an error and creates nothing the second time; it creates the
// notice's task if the first cancel could not (ErrQueueUnavailable).
func (s *Service) Cancel(ctx context.Context, t *domain.Tenant, id string, notify bool) (*domain.Appointment, []*domain.Job, error) {
	now := s.Now().UTC()
	apt, jobs, err := s.Store.UpdateAppointment(ctx, t.ID, id, func(apt *domain.Appointment, jobs []*domain.Job) (store.AppointmentChange, error) {
		var ch store.AppointmentChange
		if apt.Status == domain.AppointmentCanceled {
			return ch, store.ErrNoChange
		}
		apt.Status = domain.AppointmentCanceled
		apt.CanceledAt = now
		apt.UpdatedAt = now
		for _, j := range jobs {
			if j.Status.Unsent() {
				j.Finish(now, domain.JobSkipped, ptbr.Reason(domain.ReasonAppointmentGone))
				ch.ChangedJobs = append(ch.ChangedJobs, j)
			}
		}
		if notify {
			conv, err := s.clientLedger(ctx, t.ID, apt)
			if err != nil {
				return ch, err
			}
			notice := cancellationNoticeWith(t, apt, conv, now)
			notice.MarkQueued(now)
			ch.NewJobs = append(ch.NewJobs, notice)
		}
		return ch, nil
	})
	if err != nil {
		return nil, nil, err
	}
	if err := s.enqueueWaiting(ctx, t.ID, jobs, domain.JobCanceled); err != nil {
		return nil, nil, err
	}
	return apt, jobs, nil
}

// cancellationNotice is the notice of apt without the client's conversation ledger
// (cancellationNoticeWith).
func cancellationNotice(t *domain.Tenant, apt *domain.Appointment, now time.Time) *domain.Job {
	return cancellationNoticeWith(t, apt, nil, now)
}
