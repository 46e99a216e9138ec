package events

import (
	"strings"
	"time"
	"unicode"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/meta"
	"github.com/lembra-app/lembra/shared/ptbr"
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

// Staff flags an answer sets on the appointment.
const (
	flagReschedule = "reschedule_requested"
	flagTalk       = "talk_requested"
)

func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, _ := transform.String(t, strings.ToLower(strings.TrimSpace(s)))
	return out
}

// buttonAction reads a quick-reply tap (template button, or interactive reply) by
// payload, then by label, ignoring case and accents; "" for anything else. The third
// button's label is the tenant's (staffLabel, e.g. "Falar com a Jana").
func buttonAction(staffLabel string, m meta.WebhookMessage) string {
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
		case strings.HasPrefix(f, "falar com") || f == "falar" || f == "talk" || (staffLabel != "" && f == fold(staffLabel)):
			return actionTalk
		}
	}
	return ""
}

// answer decides the reply to a button tapped at `at` (now is the time it is handled)
// and changes the appointment accordingly; it reports whether apt changed. The rules,
// in order: no appointment found → a holding answer; a canceled appointment → says so,
// whatever the button; one that has started → says so; then Confirmar confirms (once)
// and sends the voucher link, Reagendar and Falar flag the appointment for staff.
func answer(t *domain.Tenant, apt *domain.Appointment, action string, at, now time.Time, voucherBaseURL string) (string, bool) {
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
		if voucherBaseURL != "" {
			url = voucherBaseURL + "/" + apt.VoucherToken
		}
		return ptbr.ReplyConfirmed(apt.Service, date, hour, url), changed
	case actionReschedule:
		apt.StaffFlag, apt.StaffFlagAt, apt.UpdatedAt = flagReschedule, at, now
		if t.RescheduleText != "" {
			return t.RescheduleText, true
		}
		return ptbr.ReplyReschedule(t.Name), true
	default:
		apt.StaffFlag, apt.StaffFlagAt, apt.UpdatedAt = flagTalk, at, now
		return ptbr.ReplyTalk(t.Name), true
	}
}
