// Package dispatch sends one job through the WhatsApp Cloud API and records what
// became of it. A job is claimed in a transaction before Meta is called, so concurrent
// deliveries of the same task send once; a send whose answer was lost waits for a
// status webhook instead of being sent again.
package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/lembra-app/lembra/shared/booking"
	"github.com/lembra-app/lembra/shared/config"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/logging"
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
	Tasks   booking.Enqueuer
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
	purpose string
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
	var (
		claimed *send
		next    *followUp
		later   time.Time // the job is not due yet: redeliver this task then
	)
	job, err := s.Store.UpdateJob(ctx, tenantID, jobID, func(tx *store.JobTx) error {
		claimed, next, later = nil, nil, time.Time{}
		j := tx.Job
		switch j.Status {
		case domain.JobSending:
			if now.Before(j.LeaseUntil) {
				// Another delivery is sending it right now. Come back when its lease ends,
				// in case that delivery dies without recording an outcome.
				later = j.LeaseUntil
				return store.ErrNoChange
			}
			// The last claim never recorded an outcome: its request may have reached Meta.
			j.Attempts = append(j.Attempts, domain.Attempt{N: len(j.Attempts) + 1, At: now, Outcome: "unknown",
				Error: "the claim expired before an outcome was recorded"})
			j.Status = domain.JobUnknown
			j.NextRetryAt = now.Add(s.Config.UnknownOutcomeWait)
			j.LeaseUntil = time.Time{}
			j.AddEvent(now, string(domain.JobUnknown), ptbr.TextLeaseExpired)
			next = &followUp{purpose: fmt.Sprintf("check-%d", len(j.Attempts)), at: j.NextRetryAt}
			return nil
		case domain.JobUnknown:
			if now.Before(j.NextRetryAt) {
				later = j.NextRetryAt
				return store.ErrNoChange
			}
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
			if !j.NextRetryAt.IsZero() && now.Before(j.NextRetryAt) {
				later = j.NextRetryAt
				return store.ErrNoChange
			}
			if now.Add(earlySkew).Before(j.ScheduledFor) {
				later = j.ScheduledFor
				return store.ErrNoChange
			}
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

// plan applies the rules that decide whether a job may be sent and builds its message.
func (s *Service) plan(tx *store.JobTx, t *domain.Tenant, now time.Time) (meta.Message, domain.Reason, bool, error) {
	var none meta.Message
	j, apt := tx.Job, tx.Appointment
	skip := func(code string) (meta.Message, domain.Reason, bool, error) {
		return none, ptbr.Reason(code), true, nil
	}
	switch {
	case domain.EffectiveMode(s.Config.Mode, t.Mode) == domain.ModeDisabled:
		return skip(ptbr.ReasonModeDisabled)
	case !s.Config.TenantAllowed(t.ID):
		return skip(ptbr.ReasonTenantNotAllowed)
	case t.KillSwitch:
		return skip(ptbr.ReasonKillSwitch)
	case t.WhatsApp.PhoneNumberID == "" || t.WhatsApp.AccessTokenSecret == "":
		return skip(ptbr.ReasonNoPhoneNumber)
	}
	if j.DeliveryMode == domain.DeliverySession {
		return s.planSession(tx, t, now)
	}
	switch {
	case apt == nil || !apt.Status.Active():
		return skip(ptbr.ReasonAppointmentGone)
	case !apt.StartsAt.After(now):
		return skip(ptbr.ReasonAppointmentPast)
	case j.Type == domain.JobReminder && j.ScheduleVersion != apt.ScheduleVersion:
		return skip(ptbr.ReasonRescheduled) // a reminder of the time before a reschedule
	}
	tpl, ok := t.Template(j.Type)
	if !ok {
		return skip(ptbr.ReasonTemplateMissing)
	}
	if st, ok := t.TemplateApproved(tpl); !ok {
		return none, ptbr.TemplateNotApproved(tpl.Name, tpl.Language, st.Status, st.Reason), true, nil
	}
	to := s.recipient(apt.ClientPhone)
	location := apt.Location
	if location == "" {
		location = t.LocationLine
	}
	loc := t.Location()
	params := []string{apt.ClientName, apt.Service, ptbr.Date(apt.StartsAt, loc), ptbr.Time(apt.StartsAt, loc), location}
	j.DeliveryMode = domain.DeliveryTemplate
	j.TemplateName, j.TemplateLanguage = tpl.Name, tpl.Language
	j.Recipient = to
	return meta.TemplateMessage(to, tpl.Name, tpl.Language, params, CallbackData(t.ID, j.ID)), domain.Reason{}, false, nil
}

// planSession checks the 24-hour window, at send time, before a free-form message.
func (s *Service) planSession(tx *store.JobTx, t *domain.Tenant, now time.Time) (meta.Message, domain.Reason, bool, error) {
	j := tx.Job
	if j.Recipient == "" {
		return meta.Message{}, ptbr.Reason(ptbr.ReasonNoRecipient), true, nil
	}
	var last time.Time
	if j.Type == domain.JobCanceled {
		// The notice rests on a client message about this appointment (seed §6.3).
		if tx.Appointment != nil {
			last = tx.Appointment.LastInboundAt
		}
	} else {
		conv, err := tx.Conversation(strings.TrimPrefix(j.Recipient, "+"))
		if err != nil {
			return meta.Message{}, domain.Reason{}, false, err
		}
		if conv != nil {
			last = conv.LastInboundAt
		}
	}
	if !domain.WindowOpen(last, now) {
		if last.IsZero() {
			return meta.Message{}, ptbr.Reason(ptbr.ReasonWindowClosed), true, nil
		}
		return meta.Message{}, ptbr.WindowClosedAtSend(last, t.Location()), true, nil
	}
	return meta.TextMessage(s.recipient(j.Recipient), j.Text, CallbackData(t.ID, j.ID)), domain.Reason{}, false, nil
}

// recipient applies the development override that routes every send to one number.
func (s *Service) recipient(to string) string {
	if s.Config.TestRecipient != "" {
		return s.Config.TestRecipient
	}
	return to
}

// NotYetError asks the queue to deliver the task again at At.
type NotYetError struct{ At time.Time }

func (e *NotYetError) Error() string { return "job not due until " + e.At.Format(time.RFC3339) }

// send performs a claimed send and records its outcome.
func (s *Service) send(ctx context.Context, log *slog.Logger, t *domain.Tenant, claimedJob *domain.Job, c *send) error {
	// The secret read and the send together stay within the claim's lease.
	sendCtx, cancel := context.WithTimeout(ctx, s.Config.MetaTimeout+10*time.Second)
	token, err := s.Secrets.Secret(sendCtx, t.WhatsApp.AccessTokenSecret)
	var res meta.Result
	if err == nil {
		res, err = s.Meta.Send(sendCtx, t.WhatsApp.PhoneNumberID, string(token), c.msg)
	} else if errors.Is(err, secrets.ErrNotFound) {
		err = &tokenMissingError{err}
	}
	cancel()
	now := s.Now().UTC()
	var next *followUp
	job, uerr := s.Store.UpdateJob(ctx, t.ID, claimedJob.ID, func(tx *store.JobTx) error {
		next = nil
		j := tx.Job
		a := domain.Attempt{N: c.attempt, At: now}
		j.LeaseUntil = time.Time{}
		var apiErr *meta.APIError
		var missing *tokenMissingError
		switch {
		case j.Status != domain.JobSending && j.Status != domain.JobUnknown:
			// A status webhook settled the job while this send was under way (it names
			// the job in biz_opaque_callback_data): keep what it recorded.
			a.Outcome = "settled_by_webhook"
			if err == nil && j.ProviderMessageID == "" {
				j.ProviderMessageID = res.MessageID
				tx.IndexWAMID(res.MessageID)
			}
		case j.Status == domain.JobUnknown && err != nil:
			// The lease ran out and another delivery already holds the job as unknown;
			// this late failure changes nothing about that.
			a.Outcome, a.Error = "late", err.Error()
		case err == nil:
			a.Outcome = "sent"
			j.Status = domain.JobSent
			j.ProviderMessageID = res.MessageID
			j.ProviderStatus = string(domain.JobSent)
			j.SentAt = now
			j.ReasonCode, j.Reason, j.ErrorCode = "", "", 0
			if !j.HasEvent("sent") {
				j.AddEvent(now, "sent", "")
			}
			tx.IndexWAMID(res.MessageID)
		case errors.Is(err, meta.ErrOutcomeUnknown):
			a.Outcome, a.Error = "unknown", err.Error()
			j.Status = domain.JobUnknown
			j.NextRetryAt = now.Add(s.Config.UnknownOutcomeWait)
			j.AddEvent(now, string(domain.JobUnknown), ptbr.TextUnknown)
			next = &followUp{purpose: fmt.Sprintf("check-%d", c.attempt), at: j.NextRetryAt}
		case errors.As(err, &missing):
			a.Outcome, a.Error = "failed", err.Error()
			j.Finish(now, domain.JobFailed, ptbr.Reason(ptbr.ReasonTokenUnavailable))
		case errors.As(err, &apiErr) && !apiErr.Retryable():
			a.Outcome, a.Error, a.HTTPStatus, a.ErrorCode = "failed", apiErr.Error(), apiErr.HTTPStatus, apiErr.Code
			j.ErrorCode = apiErr.Code
			j.Finish(now, domain.JobFailed, domain.Reason{Code: ptbr.ReasonMetaError, Text: ptbr.MetaError(apiErr.Code, apiErr.Message)})
		default: // network failure, Meta overload or throttling, unreadable secret store
			text := ptbr.TextNetwork
			a.Outcome, a.Error = "retry", err.Error()
			if errors.As(err, &apiErr) {
				a.HTTPStatus, a.ErrorCode = apiErr.HTTPStatus, apiErr.Code
				text = ptbr.MetaError(apiErr.Code, apiErr.Message)
				if apiErr.Code == 0 {
					text = fmt.Sprintf(ptbr.TextMetaHTTPError, apiErr.HTTPStatus)
				}
			}
			if c.attempt > s.Config.MaxRetries {
				j.ErrorCode = a.ErrorCode
				j.Finish(now, domain.JobFailed, ptbr.RetriesExhausted(c.attempt, text))
				break
			}
			j.Status = domain.JobQueued // its retry task is created below; the reminder scan leaves it alone
			j.NextRetryAt = now.Add(s.Config.RetryDelay(c.attempt))
			j.AddEvent(now, "retry_scheduled", text+" "+fmt.Sprintf(ptbr.TextRetryLater, ptbr.DateTime(j.NextRetryAt, t.Location())))
			next = &followUp{purpose: fmt.Sprintf("send-%d", c.attempt+1), at: j.NextRetryAt}
		}
		j.Attempts = append(j.Attempts, a)
		return nil
	})
	if uerr != nil {
		// The outcome is not recorded: the lease will expire and the job will wait for
		// its status webhook instead of being sent again.
		log.ErrorContext(ctx, "could not record send outcome", "error", uerr.Error(), "send_error", fmt.Sprint(err))
		return uerr
	}
	var apiErr *meta.APIError
	if errors.As(err, &apiErr) && (apiErr.Code == 190 || apiErr.Code == 0 && apiErr.HTTPStatus == 401) {
		s.Secrets.Forget(t.WhatsApp.AccessTokenSecret)
	}
	s.logDecision(ctx, log, job)
	return s.schedule(ctx, t.ID, job.ID, next)
}

type tokenMissingError struct{ err error }

func (e *tokenMissingError) Error() string { return "tenant token: " + e.err.Error() }

// schedule creates the follow-up task, if any. A failure asks for redelivery, which
// creates it again (task names make that idempotent).
func (s *Service) schedule(ctx context.Context, tenantID, jobID string, f *followUp) error {
	if f == nil {
		return nil
	}
	_, err := s.Tasks.Enqueue(ctx, domain.TaskName(tenantID, jobID, f.purpose), f.at, queue.Payload{TenantID: tenantID, JobID: jobID})
	return err
}

// logDecision writes the one log line per decision.
func (s *Service) logDecision(ctx context.Context, log *slog.Logger, j *domain.Job) {
	attrs := []any{"status", string(j.Status), "type", string(j.Type), "attempts", len(j.Attempts)}
	if j.Recipient != "" {
		attrs = append(attrs, logging.Phone("to", j.Recipient))
	}
	switch j.Status {
	case domain.JobSent:
		attrs = append(attrs, "wamid", j.ProviderMessageID, "delivery_mode", string(j.DeliveryMode))
		if j.TemplateName != "" {
			attrs = append(attrs, "template", j.TemplateName)
		}
		log.InfoContext(ctx, "job sent", attrs...)
	case domain.JobSkipped:
		log.InfoContext(ctx, "job skipped", append(attrs, "reason_code", j.ReasonCode)...)
	case domain.JobFailed:
		log.WarnContext(ctx, "job failed", append(attrs, "reason_code", j.ReasonCode, "error_code", j.ErrorCode)...)
	case domain.JobPending, domain.JobQueued:
		log.WarnContext(ctx, "job retry scheduled", append(attrs, "next_retry_at", j.NextRetryAt)...)
	case domain.JobUnknown:
		log.WarnContext(ctx, "job outcome unknown; waiting for a status webhook", append(attrs, "next_retry_at", j.NextRetryAt)...)
	default:
		log.DebugContext(ctx, "job delivery acknowledged without action", attrs...)
	}
}
