package events

import (
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/meta"
	"github.com/lembra-app/lembra/shared/ptbr"
)

func tap(payload, text string) meta.WebhookMessage {
	return meta.WebhookMessage{Type: "button", Button: &meta.MessageButton{Payload: payload, Text: text}}
}

func interactiveTap(id, title string) meta.WebhookMessage {
	return meta.WebhookMessage{Type: "interactive", Interactive: &meta.MessageInteractive{Type: "button_reply", ButtonReply: &meta.InteractiveReply{ID: id, Title: title}}}
}

func TestButtonAction(t *testing.T) {
	cases := []struct {
		name  string
		label string
		m     meta.WebhookMessage
		want  string
	}{
		{"Confirmar", "", tap("Confirmar", "Confirmar"), actionConfirm},
		{"upper case, spaces", "", tap("  CONFIRMAR ", ""), actionConfirm},
		{"Confirmar presença", "", tap("", "Confirmar presença"), actionConfirm},
		{"English payload", "", tap("confirm", "Sim"), actionConfirm},
		{"Reagendar", "", tap("Reagendar", "Reagendar"), actionReschedule},
		{"Reagendar horário", "", tap("x", "Reagendar horário"), actionReschedule},
		{"Falar com a Jana", "", tap("Falar com a Jana", "Falar com a Jana"), actionTalk},
		{"Falar", "", tap("falar", ""), actionTalk},
		{"tenant's own staff label", "Chamar a Jú", tap("Chamar a Jú", "Chamar a Jú"), actionTalk},
		{"tenant's label without accents or case", "Chamar a Jú", tap("", "chamar a ju"), actionTalk},
		{"another tenant's label", "Chamar a Jú", tap("Chamar o Rê", "Chamar o Rê"), ""},
		{"payload read before the label", "", tap("Reagendar", "Confirmar"), actionReschedule},
		{"unknown payload, known label", "", tap("BTN_1", "Confirmar"), actionConfirm},
		{"interactive reply by id", "", interactiveTap("confirmar", "Sim, vou"), actionConfirm},
		{"interactive reply by title", "", interactiveTap("b2", "Reagendar"), actionReschedule},
		{"Unsubscribe", "", tap("Unsubscribe", "Unsubscribe"), ""},
		{"text saying confirmar is not a tap", "", meta.WebhookMessage{Type: "text", Text: &meta.MessageText{Body: "Confirmar"}}, ""},
		{"button type without button", "", meta.WebhookMessage{Type: "button"}, ""},
		{"list reply is not a button", "", meta.WebhookMessage{Type: "interactive", Interactive: &meta.MessageInteractive{ListReply: &meta.InteractiveReply{ID: "confirmar"}}}, ""},
		{"empty label matches nothing", "", tap("", ""), ""},
	}
	for _, c := range cases {
		if got := buttonAction(c.label, c.m); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func tenantJana() *domain.Tenant {
	return &domain.Tenant{ID: "studio-jana", Name: "Studio Jana Beleza", TimeZone: "America/Sao_Paulo"}
}

func aptAt(startsAt time.Time, status domain.AppointmentStatus) *domain.Appointment {
	return &domain.Appointment{ID: "apt-1", Service: "Design de sobrancelhas", StartsAt: startsAt, Status: status, VoucherToken: "tok"}
}

func TestAnswer(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	at := now.Add(-time.Minute)
	future := time.Date(2026, 12, 10, 17, 0, 0, 0, time.UTC) // 14:00 in São Paulo
	const date, hour = "10/12/2026", "14:00"
	withText := tenantJana()
	withText.RescheduleText = "Responda com o novo horário."
	cases := []struct {
		name    string
		t       *domain.Tenant
		apt     *domain.Appointment
		action  string
		voucher string
		want    string
		changed bool
		check   func(*domain.Appointment) bool
	}{
		{"no appointment", tenantJana(), nil, actionConfirm, "", ptbr.ReplyUnknown("Studio Jana Beleza"), false, nil},
		{"Confirmar", tenantJana(), aptAt(future, domain.AppointmentScheduled), actionConfirm, "https://v.example",
			ptbr.ReplyConfirmed("Design de sobrancelhas", date, hour, "https://v.example/tok"), true,
			func(a *domain.Appointment) bool {
				return a.Status == domain.AppointmentConfirmed && a.ConfirmedAt.Equal(at) && a.UpdatedAt.Equal(now)
			}},
		{"Confirmar without a voucher site", tenantJana(), aptAt(future, domain.AppointmentScheduled), actionConfirm, "",
			ptbr.ReplyConfirmed("Design de sobrancelhas", date, hour, ""), true, nil},
		{"Confirmar twice: answered, nothing changes", tenantJana(), aptAt(future, domain.AppointmentConfirmed), actionConfirm, "",
			ptbr.ReplyConfirmed("Design de sobrancelhas", date, hour, ""), false,
			func(a *domain.Appointment) bool { return a.ConfirmedAt.IsZero() && a.UpdatedAt.IsZero() }},
		{"Confirmar on a canceled appointment", tenantJana(), aptAt(future, domain.AppointmentCanceled), actionConfirm, "https://v.example",
			ptbr.ReplyCanceled("Design de sobrancelhas", date, hour), false,
			func(a *domain.Appointment) bool {
				return a.Status == domain.AppointmentCanceled && a.ConfirmedAt.IsZero()
			}},
		{"Confirmar on a past appointment", tenantJana(), aptAt(now.Add(-time.Hour), domain.AppointmentScheduled), actionConfirm, "",
			ptbr.ReplyPast("Design de sobrancelhas", "01/12/2026", "08:00"), false,
			func(a *domain.Appointment) bool { return a.Status == domain.AppointmentScheduled }},
		{"Confirmar at its very start is past", tenantJana(), aptAt(now, domain.AppointmentScheduled), actionConfirm, "",
			ptbr.ReplyPast("Design de sobrancelhas", "01/12/2026", "09:00"), false, nil},
		{"canceled and past: canceled is said", tenantJana(), aptAt(now.Add(-time.Hour), domain.AppointmentCanceled), actionReschedule, "",
			ptbr.ReplyCanceled("Design de sobrancelhas", "01/12/2026", "08:00"), false,
			func(a *domain.Appointment) bool { return a.StaffFlag == "" }},
		{"Reagendar", tenantJana(), aptAt(future, domain.AppointmentScheduled), actionReschedule, "",
			ptbr.ReplyReschedule("Studio Jana Beleza"), true,
			func(a *domain.Appointment) bool { return a.StaffFlag == flagReschedule && a.StaffFlagAt.Equal(at) }},
		{"Reagendar with the tenant's text", withText, aptAt(future, domain.AppointmentConfirmed), actionReschedule, "",
			"Responda com o novo horário.", true, nil},
		{"Falar", tenantJana(), aptAt(future, domain.AppointmentScheduled), actionTalk, "",
			ptbr.ReplyTalk("Studio Jana Beleza"), true,
			func(a *domain.Appointment) bool {
				return a.StaffFlag == flagTalk && a.Status == domain.AppointmentScheduled
			}},
	}
	for _, c := range cases {
		got, changed := answer(c.t, c.apt, c.action, at, now, c.voucher)
		if got != c.want || changed != c.changed || (c.check != nil && !c.check(c.apt)) {
			t.Errorf("%s: %q changed %v, want %q %v; appointment %+v", c.name, got, changed, c.want, c.changed, c.apt)
		}
		if strings.Contains(got, "%!") {
			t.Errorf("%s: badly formatted %q", c.name, got)
		}
	}
}
