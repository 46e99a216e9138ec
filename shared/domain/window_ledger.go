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
	if Digits(identity) != identity {
		return []string{identity}
	}
	if other, ok := BrazilMobileOtherForm(identity); ok {
		return []string{identity, other}
	}
	return []string{identity}
}

// BrazilMobileOtherForm is the other form of a Brazilian mobile number given as its
// digits with the country code: without the ninth digit for 55 DD 9xxxx-xxxx (13
// digits), with it for 55 DD xxxx-xxxx (12 digits) when the number starts with 6 to 9,
// as a mobile's does without its 9 (a 2 to 5 would be a landline, another subscriber's
// number). ok is false for any other number. The one rule behind the ledger's keys
// (ClientIdentityForms), the opt-out set's (OptOutKey) and data deletion's phone forms
// (privacy.PhoneForms).
func BrazilMobileOtherForm(d string) (other string, ok bool) {
	switch {
	case len(d) == 13 && d[:2] == "55" && d[4] == '9' && d[5] >= '6' && d[5] <= '9':
		return d[:4] + d[5:], true
	case len(d) == 12 && d[:2] == "55" && d[4] >= '6' && d[4] <= '9':
		return d[:4] + "9" + d[4:], true
	}
	return "", false
}
