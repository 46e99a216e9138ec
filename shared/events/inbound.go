package events

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
	"unicode"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/logging"
	"github.com/lembra-app/lembra/shared/ptbr"
	"github.com/lembra-app/lembra/shared/queue"
	"github.com/lembra-app/lembra/shared/store"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Button actions.
const (
	actionConfirm    = "confirm"
	actionReschedule = "reschedule"
	actionTalk       = "talk"
)

func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, _ := transform.String(t, strings.ToLower(strings.TrimSpace(s)))
	return out
}

// buttonAction reads a quick-reply tap (template button, or interactive reply) by
// payload or label. The third button's label is the tenant's ("Falar com a Jana").
func buttonAction(t *domain.Tenant, m message) string {
	var keys []string
	switch {
	case m.Type == "button" && m.Button != nil:
		keys = []string{m.Button.Payload, m.Button.Text}
	case m.Type == "interactive" && m.Interactive != nil && m.Interactive.ButtonReply != nil:
		keys = []string{m.Interactive.ButtonReply.ID, m.Interactive.ButtonReply.Title}
	default:
		return ""
	}
	for _, k := range keys {
		f := fold(k)
		switch {
		case f == "confirmar" || f == "confirm" || strings.HasPrefix(f, "confirmar "):
			return actionConfirm
		case f == "reagendar" || f == "reschedule" || strings.HasPrefix(f, "reagendar "):
			return actionReschedule
		case strings.HasPrefix(f, "falar com") || f == "falar" || f == "talk" || (t.StaffLabel != "" && f == fold(t.StaffLabel)):
			return actionTalk
		}
	}
	return ""
}

// ReplyJobID derives a reply's job id from the client message it answers, so a
// repeated delivery never answers twice.
func ReplyJobID(inboundID string) string {
	sum := sha256.Sum256([]byte(inboundID))
	return "reply-" + hex.EncodeToString(sum[:12])
}

func (s *Service) inbound(ctx context.Context, t *domain.Tenant, contacts []contact, m message) error {
	now := s.Now().UTC()
	in := domain.Inbound{
		ID: m.ID, WAID: m.From, UserID: m.FromUserID, At: unixTime(m.Timestamp, now), Type: m.Type, Text: m.text(),
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
	if in.ID == "" || in.Identity() == "" {
		s.Log.WarnContext(ctx, "client message without id or sender ignored", "tenant_id", t.ID)
		return nil
	}
	action := buttonAction(t, m)
	res, err := s.Store.RecordInbound(ctx, t.ID, in, func(apt *domain.Appointment, _ *domain.Job) (store.InboundDecision, error) {
		var d store.InboundDecision
		if apt != nil && in.At.After(apt.LastInboundAt) {
			apt.LastInboundAt, apt.LastInboundID = in.At, in.ID
			d.AptChanged = true
		}
		if action == "" {
			return d, nil
		}
		text, changed := s.answer(t, apt, action, in.At, now)
		d.AptChanged = d.AptChanged || changed
		if in.WAID == "" {
			return d, nil // no phone number to answer to; staff see the tap
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
		return d, nil
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

// answer decides the reply to a button and changes the appointment accordingly.
func (s *Service) answer(t *domain.Tenant, apt *domain.Appointment, action string, at, now time.Time) (string, bool) {
	if apt == nil {
		return ptbr.ReplyUnknown(t.Name), false
	}
	loc := t.Location()
	date, hour := ptbr.Date(apt.StartsAt, loc), ptbr.Time(apt.StartsAt, loc)
	switch {
	case apt.Status == domain.AppointmentCanceled:
		return ptbr.ReplyCanceled(apt.Service, date, hour), false
	case !apt.StartsAt.After(now):
		return ptbr.ReplyPast(apt.Service, date, hour), false
	}
	switch action {
	case actionConfirm:
		changed := false
		if apt.Status != domain.AppointmentConfirmed {
			apt.Status, apt.ConfirmedAt, apt.UpdatedAt = domain.AppointmentConfirmed, at, now
			changed = true
		}
		url := ""
		if s.VoucherBaseURL != "" {
			url = s.VoucherBaseURL + "/" + apt.VoucherToken
		}
		return ptbr.ReplyConfirmed(apt.Service, date, hour, url), changed
	case actionReschedule:
		apt.StaffFlag, apt.StaffFlagAt, apt.UpdatedAt = "reschedule_requested", at, now
		if t.RescheduleText != "" {
			return t.RescheduleText, true
		}
		return ptbr.ReplyReschedule(t.Name), true
	default:
		apt.StaffFlag, apt.StaffFlagAt, apt.UpdatedAt = "talk_requested", at, now
		return ptbr.ReplyTalk(t.Name), true
	}
}

// echoes records what staff sent from the WhatsApp Business App (coexistence), so the
