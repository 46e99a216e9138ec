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
	intent := optOutIntent(t, in, action)
	res, err := s.Store.RecordInbound(ctx, t.ID, in, func(apt *domain.Appointment, outbound *domain.Job, conv domain.Conversation) (store.InboundDecision, error) {
		d := decideInbound(t, apt, in, action, now, s.VoucherBaseURL)
		d.Reply = decideOptOutReply(t, in, intent, conv, d.Reply, now)
		if d.Reply != nil && d.Reply.Status == domain.JobPending {
			var sent time.Time
			if outbound != nil {
				sent = outbound.SentAt
			}
			d.Reply.ScheduledFor = ReplyAt(now, sent, conv.LastReplyAt, s.PairGap)
		}
		return d, nil
	})
	if err != nil {
		return err
	}
	if intent != domain.OptOutNone {
		// On every delivery, the first or a redelivery: the change is idempotent, so
		// a failure after the message was recorded is completed by the next one.
		if err := s.applyOptOut(ctx, t.ID, in, intent); err != nil {
			return err
		}
	}
	log := s.Log.With("tenant_id", t.ID, logging.WAMID("inbound_id", in.ID))
	if res.Duplicate {
		log.DebugContext(ctx, "client message seen before")
	} else {
		attrs := []any{"type", in.Type, "action", action, "correlated", res.Appointment != nil}
		log.InfoContext(ctx, "client message recorded", attrs...)
	}
	if res.Reply != nil && res.Reply.Status == domain.JobPending {
		// Cloud Tasks holds a spaced reply until its time (zero or past: at once).
		if _, err := queue.EnqueueJob(ctx, s.Tasks, t.ID, res.Reply.ID, res.Reply.Type, queue.SendPurpose(1), res.Reply.ScheduledFor); err != nil {
			return err
		}
	}
	return nil
}

// ReplyAt is when the answer to a client's tap may go out, so that quick taps do not
// trip Meta's pair rate (131056: about one message every 6 s from a number to the same
// user): now, unless the message the client tapped was sent (sent), or the answer to
// an earlier tap is scheduled (lastReply), less than gap before; then gap after the
// later of the two. Zero times are unknown and ignored; a gap of 0 answers at once.
// Both times come with the inbound's transaction (the tapped job and the client's
// ledger are read there anyway), so the spacing costs no extra read. Other messages
// to the client (a reminder going out at that moment) are not known here: a 131056
// they cause is retried after the gap (meta.RetryPolicy.RetryDelay).
func ReplyAt(now, sent, lastReply time.Time, gap time.Duration) time.Time {
	at := now
	if gap <= 0 {
		return at
	}
	for _, prev := range []time.Time{sent, lastReply} {
		if !prev.IsZero() && prev.Add(gap).After(at) {
			at = prev.Add(gap)
		}
	}
	return at
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
