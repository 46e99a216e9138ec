package events

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/logging"
	"github.com/lembra-app/lembra/shared/meta"
	"github.com/lembra-app/lembra/shared/ptbr"
	"github.com/lembra-app/lembra/shared/store"
)

// statusOf reads Meta's status names ("played" is a voice message listened to: read).
var statusOf = map[string]domain.JobStatus{
	"sent": domain.JobSent, "delivered": domain.JobDelivered, "read": domain.JobRead, "played": domain.JobRead,
	"failed": domain.JobFailed,
}

// status applies one message status to its job: found by wamid, or by the job id the
// send carried in biz_opaque_callback_data when the send's answer was lost.
func (s *Service) status(ctx context.Context, tenantID string, st meta.MessageStatus) error {
	if _, known := statusOf[st.Status]; !known || st.ID == "" {
		s.Log.InfoContext(ctx, "status ignored", "tenant_id", tenantID, "status", st.Status)
		return nil
	}
	jobID, err := s.statusJob(ctx, tenantID, st)
	if err != nil {
		return err
	}
	if jobID == "" {
		s.Log.InfoContext(ctx, "status of a message Lembra did not send", "tenant_id", tenantID, logging.WAMID("wamid", st.ID), "status", st.Status)
		return nil
	}
	at := meta.WebhookTime(st.Timestamp, s.Now().UTC())
	// Without a transaction (store.UpdateJobUnlocked): the sent, delivered and read of
	// one message, arriving together, never abort each other or wait on a lock; the
	// next status of a message this instance just updated reads nothing first.
	_, err = s.Store.UpdateJobUnlocked(ctx, tenantID, jobID, func(tx *store.JobTx) error {
		// Meta posts "sent" as soon as it accepts a send, often before dispatch has
		// recorded the answer: ask for redelivery (nothing written); by the time it
		// comes back the outcome (with the job's wamid) is stored.
		if tx.Job.Status == domain.JobSending {
			return fmt.Errorf("status %s of job %s arrived while its send is being recorded; asking for redelivery", st.Status, jobID)
		}
		if !applyStatus(tx.Job, st, at) {
			return store.ErrNoChange
		}
		return nil
	})
	if errors.Is(err, domain.ErrNotFound) {
		s.Log.WarnContext(ctx, "status names a job that does not exist", "tenant_id", tenantID, "job_id", jobID)
		return nil
	}
	return err
}

// statusJob finds the job a status is for: the job id its send carried in
// biz_opaque_callback_data, which Meta echoes in every status of the message, when it
// names the tenant the status came to (no read); else, for a status without callback
// data, the query for the job whose wamid it is among that tenant's jobs (one read;
// another tenant's message is never found). "" is a message Lembra did not send.
func (s *Service) statusJob(ctx context.Context, tenantID string, st meta.MessageStatus) (string, error) {
	if t, j, ok := meta.ParseCallbackData(st.BizOpaqueCallbackData); ok && t == tenantID {
		return j, nil
	}
	id, err := s.Store.JobForWAMID(ctx, tenantID, st.ID)
	if errors.Is(err, domain.ErrNotFound) {
		return "", nil
	}
	return id, err
}

// applyStatus applies one status Meta reported for a job's message, at its time, to
// the job j: the status moves as domain.JobStatus.Reported says; each status Meta
// reports is timed once and put on the timeline once (a failure only if the job did
// fail); Meta's pricing and a failure's code, title and details are kept, with the
// Portuguese reason; when the send's answer was lost, the status is how the job learns
// its wamid (ProviderMessageID, which later statuses and the client's taps find it by).
// It reports whether j changed. A status Meta does not define changes nothing.
func applyStatus(j *domain.Job, st meta.MessageStatus, at time.Time) (changed bool) {
	next, known := statusOf[st.Status]
	if !known {
		return false
	}
	if j.ProviderMessageID == "" && st.ID != "" {
		j.ProviderMessageID = st.ID
		changed = true
	}
	if j.ProviderStatusTimes == nil {
		j.ProviderStatusTimes = map[string]time.Time{}
	}
	if _, seen := j.ProviderStatusTimes[st.Status]; !seen {
		j.ProviderStatusTimes[st.Status] = at
		changed = true
	}
	if st.Pricing != nil && j.Pricing == nil {
		j.Pricing = &domain.Pricing{Billable: st.Pricing.Billable, Model: st.Pricing.PricingModel, Category: st.Pricing.Category, Type: st.Pricing.Type}
		if st.Conversation != nil {
			j.Pricing.ConversationID, j.Pricing.ConversationOrigin = st.Conversation.ID, st.Conversation.Origin.Type
		}
		changed = true
	}
	before := j.Status
	if j.Status = before.Reported(next); j.Status == domain.JobFailed && before != domain.JobFailed {
		var code int
		var title, details string
		if len(st.Errors) > 0 {
			code, title, details = st.Errors[0].Code, st.Errors[0].Title, st.Errors[0].ErrorData.Details
		}
		j.ErrorCode, j.ErrorTitle, j.ErrorDetails = code, meta.ClipErrorText(title), meta.ClipErrorText(details)
		j.ReasonCode, j.Reason = domain.ReasonMetaError, ptbr.MetaFailure(code, 0)
	}
	if j.Status != before {
		changed = true
		j.NextRetryAt, j.LeaseUntil = time.Time{}, time.Time{} // a pending retry is called off
		if j.SentAt.IsZero() {
			j.SentAt = at
		}
	}
	j.ProviderStatus = string(j.Status)
	if !j.HasEvent(string(next)) && (next != domain.JobFailed || j.Status == domain.JobFailed) {
		detail := ""
		if next == domain.JobFailed {
			detail = j.Reason
		}
		j.AddEvent(at, string(next), detail)
		changed = true
	} else if j.RetimeEvent(string(next), at) {
		// dispatch recorded "sent" by its own clock, once Meta's answer came back; Meta's
		// own status says when it accepted the message, which delivered and read follow.
		changed = true
	}
	return changed
}
