package dispatch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/logging"
	"github.com/lembra-app/lembra/shared/meta"
	"github.com/lembra-app/lembra/shared/ptbr"
	"github.com/lembra-app/lembra/shared/queue"
	"github.com/lembra-app/lembra/shared/secrets"
	"github.com/lembra-app/lembra/shared/store"
)

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
			a.Outcome, a.Error = "late", meta.ClipErrorText(err.Error())
		case err == nil:
			a.Outcome = "sent"
			j.Status = domain.JobSent
			j.ProviderMessageID = res.MessageID
			j.ProviderStatus = string(domain.JobSent)
			j.SentAt = now
			j.ReasonCode, j.Reason, j.ErrorCode, j.ErrorTitle, j.ErrorDetails = "", "", 0, "", ""
			if !j.HasEvent("sent") {
				j.AddEvent(now, "sent", "")
			}
			tx.IndexWAMID(res.MessageID)
		case errors.Is(err, meta.ErrOutcomeUnknown):
			a.Outcome, a.Error = "unknown", meta.ClipErrorText(err.Error())
			j.Status = domain.JobUnknown
			j.NextRetryAt = now.Add(s.Config.UnknownOutcomeWait)
			j.AddEvent(now, string(domain.JobUnknown), ptbr.TextUnknown)
			next = &followUp{purpose: queue.CheckPurpose(c.attempt), at: j.NextRetryAt}
		case errors.As(err, &missing):
			a.Outcome, a.Error = "failed", meta.ClipErrorText(err.Error())
			j.Finish(now, domain.JobFailed, ptbr.Reason(ptbr.ReasonTokenUnavailable))
		case errors.As(err, &apiErr) && !apiErr.Retryable():
			a.Outcome, a.Error, a.HTTPStatus, a.ErrorCode = "failed", meta.ClipErrorText(apiErr.Error()), apiErr.HTTPStatus, apiErr.Code
			recordMetaError(j, apiErr)
			j.Finish(now, domain.JobFailed, domain.Reason{Code: ptbr.ReasonMetaError, Text: ptbr.MetaError(apiErr.Code)})
		default: // network failure, Meta overload or throttling, unreadable secret store
			text := ptbr.TextNetwork
			a.Outcome, a.Error = "retry", meta.ClipErrorText(err.Error())
			if errors.As(err, &apiErr) {
				a.HTTPStatus, a.ErrorCode = apiErr.HTTPStatus, apiErr.Code
				text = ptbr.MetaError(apiErr.Code)
				if apiErr.Code == 0 {
					text = fmt.Sprintf(ptbr.TextMetaHTTPError, apiErr.HTTPStatus)
				}
			}
			if c.attempt > s.Config.MaxRetries {
				j.ErrorCode = a.ErrorCode
				if apiErr != nil {
					recordMetaError(j, apiErr)
				}
				j.Finish(now, domain.JobFailed, ptbr.RetriesExhausted(c.attempt, text))
				break
			}
			j.Status = domain.JobQueued // its retry task is created below; the reminder scan leaves it alone
			j.NextRetryAt = now.Add(s.Config.RetryDelay(c.attempt))
			j.AddEvent(now, "retry_scheduled", text+" "+fmt.Sprintf(ptbr.TextRetryLater, ptbr.DateTime(j.NextRetryAt, t.Location())))
			next = &followUp{purpose: queue.SendPurpose(c.attempt + 1), at: j.NextRetryAt}
		}
		j.AddAttempt(a)
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

// recordMetaError keeps Meta's own English words about an error on the job, bounded,
// for the operator; staff read the Portuguese reason (ptbr.MetaError) instead.
func recordMetaError(j *domain.Job, e *meta.APIError) {
	j.ErrorCode = e.Code
	j.ErrorTitle = meta.ClipErrorText(e.Message)
	j.ErrorDetails = meta.ClipErrorText(e.ErrorData.Details)
}

type tokenMissingError struct{ err error }

func (e *tokenMissingError) Error() string { return "tenant token: " + e.err.Error() }

// schedule creates the follow-up task, if any. A failure asks for redelivery, which
// creates it again (task names make that idempotent).
func (s *Service) schedule(ctx context.Context, tenantID, jobID string, f *followUp) error {
	if f == nil {
		return nil
	}
	_, err := queue.EnqueueJob(ctx, s.Tasks, tenantID, jobID, f.purpose, f.at)
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
		attrs = append(attrs, logging.WAMID("wamid", j.ProviderMessageID), "delivery_mode", string(j.DeliveryMode))
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
