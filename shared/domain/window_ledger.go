package domain

import "time"

// WindowInbound is the client message a cancellation notice's 24-hour window rests on.
type WindowInbound struct {
	At time.Time
	ID string
	// AboutAppointment: the message answered one of our messages about the appointment
	// being canceled (a button tap or a reply to it).
	AboutAppointment bool
}

// CancelWindowInbound is the client message that opens the window for apt's
// cancellation notice. Meta opens the customer-service window with any message from
// the client to the number, about any appointment or none
// (https://developers.facebook.com/docs/whatsapp/cloud-api/guides/send-messages#customer-service-windows),
// so by default it is the latest message of the client's conversation ledger (conv:
// her text messages, button taps and replies; history backfills and echoes of what we
// or the Business App sent never move it), or the appointment's own if that is later.
// With strict (the tenant's StrictCancelWindow, the seed's rule) or without a ledger it
// is only the latest message about this appointment.
func CancelWindowInbound(apt *Appointment, conv *Conversation, strict bool) WindowInbound {
	w := WindowInbound{At: apt.LastInboundAt, ID: apt.LastInboundID, AboutAppointment: apt.LastInboundID != "" || !apt.LastInboundAt.IsZero()}
	if strict || conv == nil || !conv.LastInboundAt.After(apt.LastInboundAt) {
		return w
	}
	return WindowInbound{At: conv.LastInboundAt, ID: conv.LastInboundID,
		AboutAppointment: conv.LastInboundID != "" && conv.LastInboundID == apt.LastInboundID}
}

// ClientIdentity is the key of a client's conversation ledger for a phone number in
// E.164 (the wa_id: the number's digits).
func ClientIdentity(phone string) string {
	if len(phone) > 0 && phone[0] == '+' {
		return phone[1:]
	}
	return phone
}

// ClientIdentityForms are the keys a client's ledger may be stored under, the given one
// first. Meta's wa_id for a Brazilian mobile often lacks the ninth digit the booking
// system writes (55 DD 8xxx-xxxx for 55 DD 98xxx-xxxx: 12 digits instead of 13), and
// the ledger is kept under the wa_id the client wrote from, so each form names the
// other too.
func ClientIdentityForms(identity string) []string {
	d := identity
	for _, r := range d {
		if r < '0' || r > '9' {
			return []string{identity}
		}
	}
	switch {
	case len(d) == 13 && d[:2] == "55" && d[4] == '9' && d[5] >= '6':
		return []string{identity, d[:4] + d[5:]}
	case len(d) == 12 && d[:2] == "55" && d[4] >= '6':
		return []string{identity, d[:4] + "9" + d[4:]}
	}
	return []string{identity}
}
