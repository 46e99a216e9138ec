package dispatch

import (
	"strings"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/meta"
	"github.com/lembra-app/lembra/shared/ptbr"
	"github.com/lembra-app/lembra/shared/store"
)

// plan applies the rules that decide whether a job may be sent and builds its message.
func (s *Service) plan(tx *store.JobTx, t *domain.Tenant, now time.Time) (meta.Message, domain.Reason, bool, error) {
	var none meta.Message
	j, apt := tx.Job, tx.Appointment
	skip := func(code string) (meta.Message, domain.Reason, bool, error) {
		return none, ptbr.Reason(code), true, nil
	}
	switch {
	case domain.EffectiveMode(s.Config.Mode, t.Mode) == domain.ModeDisabled:
		return skip(ptbr.ReasonModeDisabled)
	case !s.Config.TenantAllowed(t.ID):
		return skip(ptbr.ReasonTenantNotAllowed)
	case t.KillSwitch:
		return skip(ptbr.ReasonKillSwitch)
	case t.WhatsApp.PhoneNumberID == "" || t.WhatsApp.AccessTokenSecret == "":
		return skip(ptbr.ReasonNoPhoneNumber)
	}
	mode := domain.DeliveryTemplate
	if j.DeliveryMode == domain.DeliverySession {
		mode = domain.DeliverySession
	}
	// A number Meta disconnected, disabled or restricted sends nothing until that is lifted.
	if b, blocked := t.WhatsApp.SendBlock(mode, now); blocked {
		return none, ptbr.AccountBlocked(b, t.Location()), true, nil
	}
	if mode == domain.DeliverySession {
		return s.planSession(tx, t, now)
	}
	switch {
	case apt == nil || !apt.Status.Active():
		return skip(ptbr.ReasonAppointmentGone)
	case !apt.StartsAt.After(now):
		return skip(ptbr.ReasonAppointmentPast)
	case j.Type == domain.JobReminder && j.ScheduleVersion != apt.ScheduleVersion:
		return skip(ptbr.ReasonRescheduled) // a reminder of the time before a reschedule
	}
	tpl, ok := t.Template(j.Type)
	if !ok {
		return skip(ptbr.ReasonTemplateMissing)
	}
	if st, ok := t.TemplateApproved(tpl); !ok {
		return none, ptbr.TemplateRefused(tpl.Name, tpl.Language, st.Status, st.Reason), true, nil
	}
	to := s.recipient(apt.ClientPhone)
	location := apt.Location
	if location == "" {
		location = t.LocationLine
	}
	loc := t.Location()
	params := []string{apt.ClientName, apt.Service, ptbr.Date(apt.StartsAt, loc), ptbr.Time(apt.StartsAt, loc), location}
	j.DeliveryMode = domain.DeliveryTemplate
	j.TemplateName, j.TemplateLanguage = tpl.Name, tpl.Language
	j.Recipient = to
	return meta.TemplateMessage(to, tpl.Name, tpl.Language, params, CallbackData(t.ID, j.ID)), domain.Reason{}, false, nil
}

// planSession checks the 24-hour window, at send time, before a free-form message.
func (s *Service) planSession(tx *store.JobTx, t *domain.Tenant, now time.Time) (meta.Message, domain.Reason, bool, error) {
	j := tx.Job
	if j.Recipient == "" {
		return meta.Message{}, ptbr.Reason(ptbr.ReasonNoRecipient), true, nil
	}
	var last time.Time
	if j.Type == domain.JobCanceled {
		// The notice rests on a client message about this appointment (seed §6.3).
		if tx.Appointment != nil {
			last = tx.Appointment.LastInboundAt
		}
	} else {
		conv, err := tx.Conversation(strings.TrimPrefix(j.Recipient, "+"))
		if err != nil {
			return meta.Message{}, domain.Reason{}, false, err
		}
		if conv != nil {
			last = conv.LastInboundAt
		}
	}
	if !domain.WindowOpen(last, now) {
		if last.IsZero() {
			return meta.Message{}, ptbr.Reason(ptbr.ReasonWindowClosed), true, nil
		}
		return meta.Message{}, ptbr.WindowClosedAtSend(last, t.Location()), true, nil
	}
	return meta.TextMessage(s.recipient(j.Recipient), j.Text, CallbackData(t.ID, j.ID)), domain.Reason{}, false, nil
}

// recipient applies the development override that routes every send to one number.
func (s *Service) recipient(to string) string {
	if s.Config.TestRecipient != "" {
		return s.Config.TestRecipient
	}
	return to
}
