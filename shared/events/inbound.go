package events

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/logging"
	"github.com/lembra-app/lembra/shared/meta"
	"github.com/lembra-app/lembra/shared/queue"
	"github.com/lembra-app/lembra/shared/store"
)

// ReplyJobID derives a reply's job id from the client message it answers, so a
// repeated delivery never answers twice.
func ReplyJobID(inboundID string) string {
	sum := sha256.Sum256([]byte(inboundID))
	return "reply-" + hex.EncodeToString(sum[:12])
}

func (s *Service) inbound(ctx context.Context, t *domain.Tenant, contacts []meta.WebhookContact, m meta.WebhookMessage) error {
	now := s.Now().UTC()
	in := inboundOf(contacts, m, now)
	if in.ID == "" || in.Identity() == "" {
		s.Log.WarnContext(ctx, "client message without id or sender ignored", "tenant_id", t.ID)
		return nil
	}
	action := buttonAction(t.StaffLabel, m)
	res, err := s.Store.RecordInbound(ctx, t.ID, in, func(apt *domain.Appointment, _ *domain.Job) (store.InboundDecision, error) {
		return decideInbound(t, apt, in, action, now, s.VoucherBaseURL), nil
	})
	if err != nil {
		return err
	}
	log := s.Log.With("tenant_id", t.ID, logging.WAMID("inbound_id", in.ID))
	if res.Duplicate {
		log.DebugContext(ctx, "client message seen before")
	} else {
		attrs := []any{"type", in.Type, "action", action, "correlated", res.Appointment != nil}
		log.InfoContext(ctx, "client message recorded", attrs...)
	}
	if res.Reply != nil && res.Reply.Status == domain.JobPending {
		if _, err := queue.EnqueueJob(ctx, s.Tasks, t.ID, res.Reply.ID, queue.SendPurpose(1), time.Time{}); err != nil {
			return err
		}
	}
	return nil
}

// inboundOf reads a client message into the domain's terms: its sender completed from
// the contacts of the same change (by wa_id, by user id, or the only contact there is),
// its time Meta's (now when it has none), its readable text and its button payload.
func inboundOf(contacts []meta.WebhookContact, m meta.WebhookMessage, now time.Time) domain.Inbound {
	in := domain.Inbound{
		ID: m.ID, WAID: m.From, UserID: m.FromUserID, At: meta.WebhookTime(m.Timestamp, now), Type: m.Type, Text: m.Readable(),
	}
	for _, c := range contacts {
		if c.WAID == m.From || (c.UserID != "" && c.UserID == m.FromUserID) || len(contacts) == 1 {
			if in.WAID == "" {
				in.WAID = c.WAID
			}
			if in.UserID == "" {
				in.UserID = c.UserID
			}
			in.Name = c.Profile.Name
		}
	}
	if m.Context != nil {
		in.ContextID = m.Context.ID
	}
	if m.Button != nil {
		in.Payload = m.Button.Payload
	} else if m.Interactive != nil && m.Interactive.ButtonReply != nil {
		in.Payload = m.Interactive.ButtonReply.ID
	}
	return in
}

// decideInbound decides what a client message changes, given the appointment it is
// about (nil if none): the appointment's last client message moves forward only; a
// button tap (action) is answered (see answer) with a reply job due now, unless the
// client has no phone number to answer to (staff see the tap). It changes apt.
func decideInbound(t *domain.Tenant, apt *domain.Appointment, in domain.Inbound, action string, now time.Time, voucherBaseURL string) store.InboundDecision {
	var d store.InboundDecision
	if apt != nil && in.At.After(apt.LastInboundAt) {
		apt.LastInboundAt, apt.LastInboundID = in.At, in.ID
		d.AptChanged = true
	}
	if action == "" {
		return d
	}
	text, changed := answer(t, apt, action, in.At, now, voucherBaseURL)
	d.AptChanged = d.AptChanged || changed
	if in.WAID == "" {
		return d
	}
	reply := &domain.Job{
		ID: ReplyJobID(in.ID), TenantID: t.ID, Type: domain.JobReply, Status: domain.JobPending,
		ScheduledFor: now, DeliveryMode: domain.DeliverySession, Text: text, InboundID: in.ID,
		Recipient: "+" + strings.TrimPrefix(in.WAID, "+"), CreatedAt: now,
	}
	if apt != nil {
		reply.AppointmentID = apt.ID
	}
	reply.AddEvent(now, "created", "")
	d.Reply = reply
	return d
}
