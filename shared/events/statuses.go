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

var statusOf = map[string]domain.JobStatus{
	"sent": domain.JobSent, "delivered": domain.JobDelivered, "read": domain.JobRead, "played": domain.JobRead,
	"failed": domain.JobFailed,
}

// status applies one message status to its job: found by wamid, or by the job id the
// send carried in biz_opaque_callback_data when the send's answer was lost.
func (s *Service) status(ctx context.Context, tenantID string, st status) error {
	next, known := statusOf[st.Status]
	if !known || st.ID == "" {
		s.Log.InfoContext(ctx, "status ignored", "tenant_id", tenantID, "status", st.Status)
		return nil
	}
	jobID := ""
	owner, id, err := s.Store.JobForWAMID(ctx, st.ID)
	switch {
	case err == nil && owner == tenantID:
		jobID = id
	case err == nil || errors.Is(err, domain.ErrNotFound):
		if t, j, ok := meta.ParseCallbackData(st.BizOpaqueCallbackData); ok && t == tenantID {
			jobID = j
		}
	default:
		return err
	}
	if jobID == "" {
		s.Log.InfoContext(ctx, "status of a message Lembra did not send", "tenant_id", tenantID, logging.WAMID("wamid", st.ID), "status", st.Status)
		return nil
	}
	// Meta posts "sent" as soon as it accepts a send, often before dispatch has recorded
	// the answer. Applying it then would wait on dispatch's transaction on the same job:
	// ask for redelivery instead (a plain read, no lock); by the time it comes back the
	// outcome and the wamid index are stored.
	if j, err := s.Store.GetJob(ctx, tenantID, jobID); err == nil && j.Status == domain.JobSending {
		return fmt.Errorf("status %s of job %s arrived while its send is being recorded; asking for redelivery", st.Status, jobID)
	}
	at := unixTime(st.Timestamp, s.Now().UTC())
	_, err = s.Store.UpdateJob(ctx, tenantID, jobID, func(tx *store.JobTx) error {
		return applyStatus(tx, st, next, at)
	})
	if errors.Is(err, domain.ErrNotFound) {
		s.Log.WarnContext(ctx, "status names a job that does not exist", "tenant_id", tenantID, "job_id", jobID)
		return nil
	}
	return err
}

// applyStatus moves a job forward only, adds each status to the timeline once, and
// keeps Meta's time, pricing and error details.
func applyStatus(tx *store.JobTx, st status, next domain.JobStatus, at time.Time) error {
	j := tx.Job
	changed := false
	if j.ProviderMessageID == "" {
		// The send's answer was lost: this status is how we learn the wamid.
		j.ProviderMessageID = st.ID
		tx.IndexWAMID(st.ID)
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
	if j.Status = j.Status.Reported(next); j.Status == domain.JobFailed && before != domain.JobFailed {
		var code int
		var title, details string
		if len(st.Errors) > 0 {
			code, title, details = st.Errors[0].Code, st.Errors[0].Title, st.Errors[0].ErrorData.Details
		}
		j.ErrorCode, j.ErrorTitle, j.ErrorDetails = code, meta.ClipErrorText(title), meta.ClipErrorText(details)
		j.ReasonCode, j.Reason = ptbr.ReasonMetaError, ptbr.MetaError(code)
	}
	if j.Status != before {
		changed = true
		j.NextRetryAt, j.LeaseUntil = time.Time{}, time.Time{} // a pending retry is called off
		if j.SentAt.IsZero() {
			j.SentAt = at
		}
	}
	j.ProviderStatus = string(j.Status)
	for _, ev := range []domain.JobStatus{domain.JobSent, domain.JobDelivered, domain.JobRead, domain.JobFailed} {
		if ev == next && !j.HasEvent(string(ev)) && (ev != domain.JobFailed || j.Status == domain.JobFailed) {
			detail := ""
			if ev == domain.JobFailed {
				detail = j.Reason
			}
			j.AddEvent(at, string(ev), detail)
			changed = true
		}
	}
	if !changed {
		return store.ErrNoChange
	}
	return nil
}
