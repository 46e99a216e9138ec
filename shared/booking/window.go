package booking

import (
	"context"
	"errors"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/ptbr"
)

// Window is whether WhatsApp's 24-hour customer service window lets the studio send a
// cancellation notice (a free-form message) for an appointment now: open from the
// client's last message correlated to the appointment until 24 hours later
// (https://developers.facebook.com/docs/whatsapp/cloud-api/guides/send-messages#customer-service-windows).
type Window struct {
	Open bool
	// Until is when an open window closes (the last message plus 24 hours).
	Until time.Time
	// LastInboundAt is the client's last message about the appointment (zero: none).
	LastInboundAt time.Time
	// Reason, when closed, is why, exactly as the notice job is skipped with.
	Reason domain.Reason
	// Label is the staff's one-liner: "Janela aberta até …" or "Janela fechada: …".
	Label string
	// InboundID is the client message the decision rested on, and AboutAppointment
	// whether it was about this appointment (CancelWindowFor).
	InboundID        string
	AboutAppointment bool
}

// CancelWindowFor decides the window of apt's cancellation notice at now for tenant t,
// from the client message domain.CancelWindowInbound picks: by default the latest of
// her conversation ledger (conv, nil if she has none), as Meta counts the window; with
// the tenant's StrictCancelWindow only her latest message about this appointment, the
// seed's rule, exactly as CancelWindow. The cancel dialog's preview, the notice job at
// the cancel and dispatch's check at the send all rest on domain.CancelWindowInbound.
func CancelWindowFor(t *domain.Tenant, apt *domain.Appointment, conv *domain.Conversation, now time.Time) Window {
	loc := t.Location()
	src := domain.CancelWindowInbound(apt, conv, t.StrictCancelWindow)
	if t.StrictCancelWindow {
		w := CancelWindow(apt, now, loc)
		w.InboundID, w.AboutAppointment = src.ID, src.AboutAppointment
		if !w.Open && apt.LastInboundAt.IsZero() && apt.LastInboundID == "" && conv != nil && domain.WindowOpen(conv.LastInboundAt, now) {
			w.Reason = ptbr.WindowStrictOther(conv.LastInboundAt, loc) // she wrote, about something else
		}
		return w
	}
	if src.ID == apt.LastInboundID && src.At.Equal(apt.LastInboundAt) {
		w := CancelWindow(apt, now, loc) // the appointment's own message (or none at all)
		w.InboundID, w.AboutAppointment = src.ID, src.AboutAppointment
		if !w.Open && src.At.IsZero() && src.ID == "" {
			w.Reason, w.Label = ptbr.WindowNoInboundLedger(), ptbr.WindowLabelNoInboundLedger()
		}
		return w
	}
	w := Window{LastInboundAt: src.At, InboundID: src.ID}
	if !domain.WindowOpen(src.At, now) {
		w.Reason = ptbr.WindowExpiredLedger(src.At, loc)
		w.Label = ptbr.WindowLabelExpiredLedger(src.At, loc)
		return w
	}
	w.Open = true
	w.Until = src.At.Add(domain.Window).UTC()
	w.Label = ptbr.WindowLabelOpenOther(w.Until, loc)
	return w
}

// CancelWindow decides the window of apt's cancellation notice at now, from the client's
// last message correlated to the appointment, in its order of checks: a message with no
// recorded time (cannot be checked), no message, one 24 hours old or more, else open.
// The cancel dialog's preview and the notice job (cancellationNotice) both use it, so
// they never disagree.
func CancelWindow(apt *domain.Appointment, now time.Time, loc *time.Location) Window {
	w := Window{LastInboundAt: apt.LastInboundAt}
	switch {
	case apt.LastInboundID != "" && apt.LastInboundAt.IsZero():
		w.Reason = ptbr.WindowCheckFailed(ptbr.TextInboundWithoutTime)
		w.Label = ptbr.WindowLabelUnchecked()
	case apt.LastInboundAt.IsZero():
		w.Reason = ptbr.Reason(domain.ReasonWindowNoInbound)
		w.Label = ptbr.WindowLabelNoInbound()
	case !domain.WindowOpen(apt.LastInboundAt, now):
		w.Reason = ptbr.WindowExpired(apt.LastInboundAt, loc)
		w.Label = ptbr.WindowLabelExpired(apt.LastInboundAt, loc)
	default:
		w.Open = true
		w.Until = apt.LastInboundAt.Add(domain.Window).UTC()
		w.Label = ptbr.WindowLabelOpen(w.Until, loc)
	}
	return w
}

// clientLedger reads the conversation ledger of apt's client (nil: she has none): the
// one read a cancel with the notice adds, for the window as Meta counts it.
func (s *Service) clientLedger(ctx context.Context, tenantID string, apt *domain.Appointment) (*domain.Conversation, error) {
	conv, err := s.Store.GetConversation(ctx, tenantID, domain.ClientIdentity(apt.ClientPhone))
	if errors.Is(err, domain.ErrNotFound) {
		return nil, nil
	}
	return conv, err
}

// cancellationNoticeWith builds the notice and decides, by CancelWindowFor (the same
// decision the cancel dialog shows), whether WhatsApp's window allows it: when closed,
// the notice is recorded skipped with the window's reason; when open, its timeline
// says which client message opened it and whether it was about this appointment.
func cancellationNoticeWith(t *domain.Tenant, apt *domain.Appointment, conv *domain.Conversation, now time.Time) *domain.Job {
	loc := t.Location()
	w := CancelWindowFor(t, apt, conv, now)
	j := &domain.Job{
		ID: domain.JobID(apt.ID, domain.JobCanceled, 0), TenantID: t.ID, AppointmentID: apt.ID, Type: domain.JobCanceled,
		Status: domain.JobPending, ScheduledFor: now, DeliveryMode: domain.DeliverySession, Recipient: apt.ClientPhone,
		Text:            ptbr.CancellationNotice(apt.ClientName, apt.Service, ptbr.Date(apt.StartsAt, loc), ptbr.Time(apt.StartsAt, loc), t.Name),
		WindowInboundAt: w.LastInboundAt, WindowInboundID: w.InboundID, CreatedAt: now,
	}
	if w.InboundID == "" {
		j.WindowInboundID = apt.LastInboundID // a message without its time (window_check_failed)
	}
	j.AddEvent(now, "created", "")
	if !w.Open {
		j.Finish(now, domain.JobSkipped, w.Reason)
		return j
	}
	j.AddEvent(now, ptbr.EventWindowOpenedBy, ptbr.WindowOpenedBy(w.LastInboundAt, w.AboutAppointment, loc))
	return j
}
