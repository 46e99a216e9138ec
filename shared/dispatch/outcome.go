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

// SendOutcome is what one claimed send came to.
type SendOutcome struct {
	Job      *domain.Job    // as stored when the outcome is recorded; Record never changes it
	Location *time.Location // the tenant's, for the retry time staff read
	Attempt  int            // the number of the attempt the send made
	Result   meta.Result    // Meta's acceptance, when Err is nil
	Err      error          // nil: sent; else classified by meta.Classify
	Retry    meta.RetryPolicy
	Now      time.Time
}

// Recorded is what Record makes of a send's outcome.
type Recorded struct {
	Job         *domain.Job // the job to write (a changed copy; its ProviderMessageID is Meta's message id once sent)
	Next        *FollowUp   // the task to create after the write: a retry, or a check
	ForgetToken bool        // drop the cached token: Meta rejected it
}

// Record applies the outcome of a send to its job. A job a status webhook settled
// while the send was under way keeps what the webhook recorded; a late failure of a
// send whose claim already expired into "unknown" changes nothing. Otherwise, by the
// class of the result (meta.RetryPolicy.Decide): sent; unknown outcome (wait for a
// status webhook, then check); token missing or permanent (failed, with the reason);
// retryable (a retry after the policy's delay, or failed once the retries are used up).
func Record(o SendOutcome) Recorded {
	now := o.Now
	j := cloneJob(o.Job)
	next := o.Retry.Decide(o.Attempt, o.Err)
	out := Recorded{Job: j, ForgetToken: next.ForgetToken}
	a := domain.Attempt{N: o.Attempt, At: now}
	j.LeaseUntil = time.Time{}
	var apiErr *meta.APIError
	errors.As(o.Err, &apiErr)
	switch {
	case j.Status != domain.JobSending && j.Status != domain.JobUnknown:
		// A status webhook settled the job while this send was under way (it names
		// the job in biz_opaque_callback_data): keep what it recorded.
		a.Outcome = "settled_by_webhook"
		if o.Err == nil && j.ProviderMessageID == "" {
			j.ProviderMessageID = o.Result.MessageID
		}
	case j.Status == domain.JobUnknown && o.Err != nil:
		// The lease ran out and another delivery already holds the job as unknown;
		// this late failure changes nothing about that.
		a.Outcome, a.Error = "late", meta.ClipErrorText(o.Err.Error())
	case next.Class == meta.ClassSent:
		a.Outcome = "sent"
		j.Status = domain.JobSent
		j.ProviderMessageID = o.Result.MessageID
		j.ProviderStatus = string(domain.JobSent)
		j.SentAt = now
		j.ReasonCode, j.Reason, j.ErrorCode, j.ErrorTitle, j.ErrorDetails = "", "", 0, "", ""
		if !j.HasEvent("sent") {
			j.AddEvent(now, "sent", "")
		}
	case next.Class == meta.ClassOutcomeUnknown:
		a.Outcome, a.Error = "unknown", meta.ClipErrorText(o.Err.Error())
		j.Status = domain.JobUnknown
		j.NextRetryAt = now.Add(next.After)
		j.AddEvent(now, string(domain.JobUnknown), ptbr.TextUnknown)
		out.Next = &FollowUp{Purpose: queue.CheckPurpose(o.Attempt), At: j.NextRetryAt}
	case next.Class == meta.ClassTokenMissing:
		a.Outcome, a.Error = "failed", meta.ClipErrorText(o.Err.Error())
		j.Finish(now, domain.JobFailed, ptbr.Reason(domain.ReasonTokenUnavailable))
	case next.Class == meta.ClassPermanent:
		a.Outcome, a.Error, a.HTTPStatus, a.ErrorCode = "failed", meta.ClipErrorText(apiErr.Error()), apiErr.HTTPStatus, apiErr.Code
		recordMetaError(j, apiErr)
		j.Finish(now, domain.JobFailed, domain.Reason{Code: domain.ReasonMetaError, Text: ptbr.MetaFailure(apiErr.Code, apiErr.HTTPStatus)})
	default: // retryable: network failure, Meta overload or throttling, unreadable secret store
		text := ptbr.TextNetwork
		a.Outcome, a.Error = "retry", meta.ClipErrorText(o.Err.Error())
		if apiErr != nil {
			a.HTTPStatus, a.ErrorCode = apiErr.HTTPStatus, apiErr.Code
			text = ptbr.MetaFailure(apiErr.Code, apiErr.HTTPStatus)
		}
		if next.Exhausted {
			j.ErrorCode = a.ErrorCode
			if apiErr != nil {
				recordMetaError(j, apiErr)
			}
			j.Finish(now, domain.JobFailed, ptbr.RetriesExhausted(o.Attempt, text))
			break
		}
		j.Status = domain.JobQueued // its retry task is created after the write; the reminder scan leaves it alone
		j.NextRetryAt = now.Add(next.After)
		// A retry after Meta's pair rate (131056) or throughput (130429) limit waits what
		// the limit needs (meta.RetryPolicy.RetryDelay) and says so; it counts as an
		// attempt, and fails the job only once the retries are used up.
		j.AddEvent(now, "retry_scheduled", ptbr.RetryNote(a.ErrorCode, text, now, j.NextRetryAt, o.Location))
		out.Next = &FollowUp{Purpose: queue.SendPurpose(o.Attempt + 1), At: j.NextRetryAt}
	}
	j.AddAttempt(a)
	return out
}

// OutcomeStored reports whether job j already holds the outcome of attempt number
// attempt recorded at `at` (Record's attempt entry: its number and time, compared at
// Firestore's microsecond precision), so recording it again would record it twice.
func OutcomeStored(j *domain.Job, attempt int, at time.Time) bool {
	at = at.Truncate(time.Microsecond)
	for _, a := range j.Attempts {
		if a.N == attempt && a.At.Truncate(time.Microsecond).Equal(at) {
			return true
		}
	}
	return false
}

// recordMetaError keeps Meta's own English words about an error on the job, bounded,
// for the operator; staff read the Portuguese reason (ptbr.MetaError) instead.
func recordMetaError(j *domain.Job, e *meta.APIError) {
	j.ErrorCode = e.Code
	j.ErrorTitle = meta.ClipErrorText(e.Message)
	j.ErrorDetails = meta.ClipErrorText(e.ErrorData.Details)
}

// send performs a claimed send and records its outcome.
func (s *Service) send(ctx context.Context, log *slog.Logger, t *domain.Tenant, claimedJob *domain.Job, attempt int, msg meta.Message) error {
	// The secret read and the send together stay within the claim's lease.
	sendCtx, cancel := context.WithTimeout(ctx, s.Config.MetaTimeout+10*time.Second)
	token, err := s.Secrets.Secret(sendCtx, t.WhatsApp.AccessTokenSecret)
	var res meta.Result
	if err == nil {
		res, err = s.Meta.Send(sendCtx, t.WhatsApp.PhoneNumberID, string(token), msg)
	} else if errors.Is(err, secrets.ErrNotFound) {
		err = &meta.TokenMissingError{Err: err}
	}
	cancel()
	now := s.Now().UTC()
	var rec Recorded
	// The outcome needs nothing but the job, so it is written without a transaction
	// (store.UpdateJobUnlocked): from the claim's version this process kept, conditional
	// on its update time, with no read; if the job changed since the claim, read again
	// and recorded on what is stored. Record is pure, so running it again is safe.
	job, uerr := s.Store.UpdateJobUnlocked(ctx, t.ID, claimedJob.ID, func(tx *store.JobTx) error {
		if rec.Job != nil && OutcomeStored(tx.Job, attempt, now) {
			// This outcome's own write landed though its answer was lost (the retried
			// commit's precondition then failed on it): keep it, with the follow-up
			// worked out for it, rather than record it again as settled elsewhere.
			return store.ErrNoChange
		}
		rec = Record(SendOutcome{Job: tx.Job, Location: t.Location(), Attempt: attempt, Result: res, Err: err,
			Retry: s.Config.Retry(), Now: now})
		*tx.Job = *rec.Job
		return nil
	})
	if uerr != nil {
		// The outcome is not recorded: the lease will expire and the job will wait for
		// its status webhook instead of being sent again.
		log.ErrorContext(ctx, "could not record send outcome", "error", uerr.Error(), "send_error", fmt.Sprint(err))
		return uerr
	}
	if rec.ForgetToken {
		s.Secrets.Forget(t.WhatsApp.AccessTokenSecret)
		var apiErr *meta.APIError
		if errors.As(err, &apiErr) {
			log.ErrorContext(ctx, logging.MsgMetaTokenRejected, "error_code", apiErr.Code, "http_status", apiErr.HTTPStatus)
		}
	}
	s.logDecision(ctx, log, job)
	return s.schedule(ctx, t.ID, job.ID, job.Type, rec.Next)
}

// schedule creates the follow-up task, if any. A failure asks for redelivery, which
// creates it again (task names make that idempotent).
func (s *Service) schedule(ctx context.Context, tenantID, jobID string, jt domain.JobType, f *FollowUp) error {
	if f == nil {
		return nil
	}
	_, err := queue.EnqueueJob(ctx, s.Tasks, tenantID, jobID, jt, f.Purpose, f.At)
	return err
}

// logDecision writes the one log line per decision.
func (s *Service) logDecision(ctx context.Context, log *slog.Logger, j *domain.Job) {
	attrs := []any{"status", string(j.Status), "type", string(j.Type), "attempts", j.AttemptCount()}
	if j.Recipient != "" {
		attrs = append(attrs, logging.Phone("to", j.Recipient))
	}
	switch j.Status {
	case domain.JobSent:
		attrs = append(attrs, logging.WAMID("wamid", j.ProviderMessageID), "delivery_mode", string(j.DeliveryMode))
		if j.TemplateName != "" {
			attrs = append(attrs, "template", j.TemplateName)
		}
		log.InfoContext(ctx, logging.MsgJobSent, attrs...)
	case domain.JobSkipped:
		log.InfoContext(ctx, "job skipped", append(attrs, "reason_code", j.ReasonCode)...)
	case domain.JobFailed:
		log.WarnContext(ctx, logging.MsgJobFailed, append(attrs, "reason_code", j.ReasonCode, "error_code", j.ErrorCode)...)
	case domain.JobPending, domain.JobQueued:
		if n := len(j.Timeline); n > 0 && j.Timeline[n-1].Event == EventLimitHold {
			// Not a failure: the portfolio's messaging limit holds it (ApplyLimit).
			log.InfoContext(ctx, "job held by the messaging limit", append(attrs, "until", j.NextRetryAt)...)
			return
		}
		log.WarnContext(ctx, "job retry scheduled", append(attrs, "next_retry_at", j.NextRetryAt)...)
	case domain.JobUnknown:
		log.WarnContext(ctx, "job outcome unknown; waiting for a status webhook", append(attrs, "next_retry_at", j.NextRetryAt)...)
	default:
		log.DebugContext(ctx, "job delivery acknowledged without action", attrs...)
	}
}
