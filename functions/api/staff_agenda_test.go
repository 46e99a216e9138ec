package api

import (
	"errors"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/web"
)

// TestNewMessageState: every job status maps to its tick, time and Portuguese reason.
func TestNewMessageState(t *testing.T) {
	at := time.Date(2026, 12, 10, 17, 0, 0, 0, time.UTC) // 14:00 in São Paulo
	retry := at.Add(30 * time.Second)
	tests := []struct {
		name       string
		job        *domain.Job
		state      string
		label      string
		atLocal    string
		wantReason string
	}{
		{"no job", nil, "not_sent", "não enviada", "", textNoJob},
		{"pending, never tried", &domain.Job{Status: domain.JobPending, ScheduledFor: at}, "scheduled", "agendada", "10/12/2026 14:00", ""},
		{"pending, waiting for a retry", &domain.Job{Status: domain.JobPending, ScheduledFor: at, NextRetryAt: retry,
			Attempts: []domain.Attempt{{N: 1, Outcome: "retry"}}}, "pending", "aguardando nova tentativa", "10/12/2026 14:00", ""},
		{"queued", &domain.Job{Status: domain.JobQueued, ScheduledFor: at}, "pending", "na fila de envio", "10/12/2026 14:00", ""},
		{"sending", &domain.Job{Status: domain.JobSending, UpdatedAt: at}, "pending", "enviando", "10/12/2026 14:00", ""},
		{"unknown", &domain.Job{Status: domain.JobUnknown, UpdatedAt: at}, "pending", "aguardando confirmação da Meta", "10/12/2026 14:00", ""},
		{"sent, Meta's time", &domain.Job{Status: domain.JobSent, SentAt: at.Add(time.Hour),
			ProviderStatusTimes: map[string]time.Time{"sent": at}}, "sent", "enviada", "10/12/2026 14:00", ""},
		{"sent, only the send time", &domain.Job{Status: domain.JobSent, SentAt: at}, "sent", "enviada", "10/12/2026 14:00", ""},
		{"delivered", &domain.Job{Status: domain.JobDelivered, ProviderStatusTimes: map[string]time.Time{"delivered": at}}, "delivered", "entregue", "10/12/2026 14:00", ""},
		{"read", &domain.Job{Status: domain.JobRead, ProviderStatusTimes: map[string]time.Time{"read": at}}, "read", "lida", "10/12/2026 14:00", ""},
		{"failed", &domain.Job{Status: domain.JobFailed, UpdatedAt: at, Reason: "Token da Meta expirado"}, "failed", "falhou", "10/12/2026 14:00", "Token da Meta expirado"},
		{"skipped", &domain.Job{Status: domain.JobSkipped, Reason: "Agendamento cancelado: a mensagem não foi enviada."}, "not_sent", "não enviada", "", "Agendamento cancelado: a mensagem não foi enviada."},
		{"skipped without reason", &domain.Job{Status: domain.JobSkipped}, "not_sent", "não enviada", "", "Não enviada, sem motivo registrado."},
		{"a status no version wrote", &domain.Job{Status: "weird"}, "not_sent", "não enviada", "", "Situação da mensagem desconhecida (registro antigo ou com defeito)."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NewMessageState(tt.job, saoPaulo)
			if got.State != tt.state || got.Label != tt.label || got.AtLocal != tt.atLocal || got.Reason != tt.wantReason {
				t.Errorf("got %+v, want state %q label %q at %q reason %q", got, tt.state, tt.label, tt.atLocal, tt.wantReason)
			}
		})
	}
}

var jana = &domain.Tenant{ID: "studio-jana", Name: "Studio Jana", TimeZone: "America/Sao_Paulo", StaffLabel: "Falar com a Jana"}

// TestNewAgendaAppointment: the notice, the reminder of the current time (not an older
// one), the client's latest answer, and the local start.
func TestNewAgendaAppointment(t *testing.T) {
	start := time.Date(2026, 12, 10, 17, 0, 0, 0, time.UTC)
	confirmed, flagged := start.Add(-48*time.Hour), start.Add(-47*time.Hour)
	notice := &domain.Job{ID: "n", Type: domain.JobCreated, Status: domain.JobRead, ProviderStatusTimes: map[string]time.Time{"read": start.Add(-72 * time.Hour)}}
	oldRem := &domain.Job{ID: "r1", Type: domain.JobReminder, ScheduleVersion: 1, Status: domain.JobSkipped, Reason: "Agendamento remarcado"}
	newRem := &domain.Job{ID: "r2", Type: domain.JobReminder, ScheduleVersion: 2, Status: domain.JobPending, ScheduledFor: start.Add(-24 * time.Hour)}
	tests := []struct {
		name               string
		apt                domain.Appointment
		jobs               []*domain.Job
		answer, answerText string
		reminderID         string
	}{
		{"no answer", domain.Appointment{Status: domain.AppointmentScheduled, ScheduleVersion: 2}, []*domain.Job{notice, newRem, oldRem}, "", "", "r2"},
		{"confirmed", domain.Appointment{Status: domain.AppointmentConfirmed, ConfirmedAt: confirmed, ScheduleVersion: 2}, []*domain.Job{notice, oldRem, newRem}, "confirmed", "confirmou", "r2"},
		{"confirmed, then asked to reschedule", domain.Appointment{Status: domain.AppointmentConfirmed, ConfirmedAt: confirmed,
			StaffFlag: "reschedule_requested", StaffFlagAt: flagged, ScheduleVersion: 1}, []*domain.Job{oldRem}, "reschedule_requested", "quer reagendar", "r1"},
		{"asked to talk, then confirmed", domain.Appointment{Status: domain.AppointmentConfirmed, ConfirmedAt: flagged,
			StaffFlag: "talk_requested", StaffFlagAt: confirmed}, nil, "confirmed", "confirmou", ""},
		{"asked to talk", domain.Appointment{Status: domain.AppointmentScheduled, StaffFlag: "talk_requested", StaffFlagAt: flagged}, nil, "talk_requested", "quer falar com a Jana", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			apt := tt.apt
			apt.ID, apt.ClientName, apt.StartsAt = "apt_1", "Maria", start
			got := NewAgendaAppointment(&apt, tt.jobs, jana)
			if got.ClientAnswer != tt.answer || got.ClientAnswerLabel != tt.answerText {
				t.Errorf("answer %q %q, want %q %q", got.ClientAnswer, got.ClientAnswerLabel, tt.answer, tt.answerText)
			}
			if got.Reminder.JobID != tt.reminderID {
				t.Errorf("reminder %q, want %q", got.Reminder.JobID, tt.reminderID)
			}
			if got.StartsAtLocal != "10/12/2026 14:00" {
				t.Errorf("starts_at_local %q", got.StartsAtLocal)
			}
			if tt.jobs == nil && (got.Notice.State != "not_sent" || got.Notice.Reason != textNoJob) {
				t.Errorf("notice without job: %+v", got.Notice)
			}
		})
	}
}

// TestAgendaDay: the tenant's day as instants, today by default, a bad date a 400 on date.
func TestAgendaDay(t *testing.T) {
	now := time.Date(2026, 12, 11, 2, 30, 0, 0, time.UTC) // still the 10th in São Paulo
	from, to, err := agendaDay("", saoPaulo, now)
	if err != nil || from != time.Date(2026, 12, 10, 0, 0, 0, 0, saoPaulo) || to.Sub(from) != 24*time.Hour {
		t.Fatalf("today: %v %v %v", from, to, err)
	}
	from, _, err = agendaDay("2026-03-01", saoPaulo, now)
	if err != nil || from.UTC() != time.Date(2026, 3, 1, 3, 0, 0, 0, time.UTC) {
		t.Fatalf("date: %v %v", from, err)
	}
	for _, bad := range []string{"2026-13-01", "01/12/2026", "2026-12-1", "1999-01-01", "2026-12-01T00:00:00Z", "x"} {
		_, _, err := agendaDay(bad, saoPaulo, now)
		var we *web.Error
		if !errors.As(err, &we) || we.Status != 400 || we.Field != "date" || we.Code != "invalid_time" {
			t.Errorf("%q: %v, want 400 invalid_time on date", bad, err)
		}
	}
}

// TestAgendaWhatsAppAndCancel: the manual link (digits, Portuguese text with the date
// and 24-hour time in the studio's zone), can_cancel, and the cancellation notice's
// state when there is one.
func TestAgendaWhatsAppAndCancel(t *testing.T) {
	start := time.Date(2026, 12, 2, 17, 0, 0, 0, time.UTC) // 14:00 in São Paulo
	cancel := &domain.Job{ID: "c", Type: domain.JobCanceled, Status: domain.JobSkipped, Reason: "Aviso de cancelamento não enviado: ..."}
	for _, c := range []struct {
		name      string
		status    domain.AppointmentStatus
		jobs      []*domain.Job
		canCancel bool
		notice    string
	}{
		{"scheduled", domain.AppointmentScheduled, nil, true, ""},
		{"confirmed", domain.AppointmentConfirmed, nil, true, ""},
		{"canceled without notice", domain.AppointmentCanceled, nil, false, ""},
		{"canceled, notice not sent", domain.AppointmentCanceled, []*domain.Job{cancel}, false, "not_sent"},
	} {
		apt := &domain.Appointment{ID: "apt_1", ClientName: "Maria Souza", ClientPhone: "+5511987654321",
			Service: "Design de sobrancelhas", StartsAt: start, Status: c.status}
		got := NewAgendaAppointment(apt, c.jobs, jana)
		want := "https://wa.me/5511987654321?text=Ol%C3%A1%2C%20Maria%21%20Aqui%20%C3%A9%20do%20Studio%20Jana%2C%20sobre%20o%20seu%20hor%C3%A1rio%20de%20Design%20de%20sobrancelhas%20em%2002%2F12%2F2026%20%C3%A0s%2014%3A00."
		if got.WhatsAppURL != want {
			t.Errorf("%s: whatsapp_url %s", c.name, got.WhatsAppURL)
		}
		if got.CanCancel != c.canCancel {
			t.Errorf("%s: can_cancel %v", c.name, got.CanCancel)
		}
		if (got.CancelNotice == nil) != (c.notice == "") || got.CancelNotice != nil && (got.CancelNotice.State != c.notice || got.CancelNotice.Reason == "") {
			t.Errorf("%s: cancel_notice %+v, want %q", c.name, got.CancelNotice, c.notice)
		}
	}
}
