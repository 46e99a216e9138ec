package booking

import (
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
