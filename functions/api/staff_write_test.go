package api

import (
	"errors"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/booking"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/web"
)

func fieldErr(err error) (field, code string) {
	var we *web.Error
	if errors.As(err, &we) {
		return we.Field, we.Code
	}
	return "", ""
}

// TestDashboardBooking: request_id is required and shaped, and becomes the external id.
func TestDashboardBooking(t *testing.T) {
	base := StaffCreateAppointmentRequest{ClientName: "Maria", ClientPhone: "+5511987654321", Service: "Manicure", StartsAt: "2026-12-02T14:00:00-03:00"}
	for _, c := range []struct {
		name, id, startsAt, field, code string
	}{
		{"a UUID", "0b6f3c1e-8a7d-4a36-9d1e-2f0c5b7a9e11", "", "", ""},
		{"missing", "", "", "request_id", "required"},
		{"blank", "   ", "", "request_id", "required"},
		{"too short", "abc", "", "request_id", "invalid_value"},
		{"a colon would nest ids", "dashboard:0b6f3c1e-8a7d-4a36", "", "request_id", "invalid_value"},
		{"a slash", "0b6f3c1e/8a7d/4a36/9d1e", "", "request_id", "invalid_value"},
		{"too long", "0123456789012345678901234567890123456789012345678901234567890123456789", "", "request_id", "invalid_value"},
		{"a bad time", "0b6f3c1e-8a7d-4a36-9d1e-2f0c5b7a9e11", "02/12/2026 14:00", "starts_at", "invalid_time"},
	} {
		req := base
		req.RequestID = c.id
		if c.startsAt != "" {
			req.StartsAt = c.startsAt
		}
		in, err := dashboardBooking(req)
		if f, code := fieldErr(err); f != c.field || code != c.code {
			t.Errorf("%s: %v, want %s %s", c.name, err, c.field, c.code)
			continue
		}
		if err == nil && (in.ExternalID != "dashboard:"+c.id || !in.StartsAt.Equal(time.Date(2026, 12, 2, 17, 0, 0, 0, time.UTC)) || in.ClientName != "Maria") {
			t.Errorf("%s: %+v", c.name, in)
		}
	}
}

// TestNewCancelNotice: the cancel dialog's result for every state of the notice.
func TestNewCancelNotice(t *testing.T) {
	at := time.Date(2026, 12, 2, 17, 0, 0, 0, time.UTC)
	skipped := &domain.Job{ID: "c", Status: domain.JobSkipped, Reason: "Aviso de cancelamento não enviado: o cliente não respondeu"}
	for _, c := range []struct {
		name          string
		notify        bool
		job           *domain.Job
		state, label  string
		requested     bool
		reasonPresent bool
	}{
		{"checkbox off", false, nil, "none", "Cliente não avisado", false, false},
		{"checkbox on, already canceled without notice", true, nil, "none", "Cliente não avisado: o agendamento já estava cancelado sem aviso", false, false},
		{"queued", true, &domain.Job{ID: "c", Status: domain.JobQueued, ScheduledFor: at}, "pending", "Aviso na fila de envio", true, false},
		{"not yet queued", true, &domain.Job{ID: "c", Status: domain.JobPending, ScheduledFor: at}, "pending", "Aviso na fila de envio", true, false},
		{"sent", true, &domain.Job{ID: "c", Status: domain.JobSent, SentAt: at}, "sent", "Aviso enviado", true, false},
		{"delivered", true, &domain.Job{ID: "c", Status: domain.JobDelivered}, "delivered", "Aviso entregue", true, false},
		{"read", true, &domain.Job{ID: "c", Status: domain.JobRead}, "read", "Aviso lido", true, false},
		{"failed", true, &domain.Job{ID: "c", Status: domain.JobFailed, Reason: "Número inválido"}, "failed", "Aviso não enviado: o envio falhou", true, true},
		{"window closed", true, skipped, "not_sent", "Aviso não enviado", true, true},
		{"a status no version wrote", true, &domain.Job{ID: "c", Status: "weird"}, "not_sent", "Aviso não enviado", true, true},
	} {
		got := NewCancelNotice(c.notify, c.job, saoPaulo)
		if got.State != c.state || got.Label != c.label || got.Requested != c.requested || (got.Reason != "") != c.reasonPresent {
			t.Errorf("%s: %+v", c.name, got)
		}
		if c.job != nil && got.JobID != "c" {
			t.Errorf("%s: job_id %q", c.name, got.JobID)
		}
	}
	if got := NewCancelNotice(true, skipped, saoPaulo); got.Reason != skipped.Reason {
		t.Errorf("reason %q, want the job's own %q", got.Reason, skipped.Reason)
	}
}

// TestNewCancelWindow: the window in the studio's zone, open and closed.
func TestNewCancelWindow(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	last := now.Add(-time.Hour)
	open := NewCancelWindow(booking.CancelWindow(&domain.Appointment{LastInboundAt: last, LastInboundID: "w"}, now, saoPaulo), saoPaulo)
	if !open.Open || open.UntilLocal != "02/12/2026 08:00" || !open.Until.Equal(last.Add(24*time.Hour)) ||
		open.LastClientMessageAtLocal != "01/12/2026 08:00" || open.Reason != "" || open.Label != "Janela aberta até 02/12/2026 08:00" {
		t.Errorf("open: %+v", open)
	}
	closed := NewCancelWindow(booking.CancelWindow(&domain.Appointment{}, now, saoPaulo), saoPaulo)
	if closed.Open || !closed.Until.IsZero() || closed.UntilLocal != "" || closed.LastClientMessageAtLocal != "" ||
		closed.ReasonCode != domain.ReasonWindowNoInbound || closed.Reason == "" || closed.Label == "" {
		t.Errorf("closed: %+v", closed)
	}
}

// TestMemberRequest: the e-mail (normalised) and the role.
func TestMemberRequest(t *testing.T) {
	for _, c := range []struct {
		name, email, role, field, code, want string
	}{
		{"staff", " Bia@Example.com ", "staff", "", "", "bia@example.com"},
		{"owner", "ana@example.com.br", "owner", "", "", "ana@example.com.br"},
		{"no e-mail", "", "staff", "email", "required", ""},
		{"a name and address", "Bia <bia@example.com>", "staff", "email", "invalid_value", ""},
		{"two addresses", "a@example.com, b@example.com", "staff", "email", "invalid_value", ""},
		{"no domain dot", "bia@localhost", "staff", "email", "invalid_value", ""},
		{"no at", "bia.example.com", "staff", "email", "invalid_value", ""},
		{"no role", "bia@example.com", "", "role", "required", ""},
		{"unknown role", "bia@example.com", "admin", "role", "invalid_value", ""},
	} {
		email, role, err := memberRequest(AddMemberRequest{Email: c.email, Role: c.role})
		if f, code := fieldErr(err); f != c.field || code != c.code {
			t.Errorf("%s: %v, want %s %s", c.name, err, c.field, c.code)
			continue
		}
		if err == nil && (email != c.want || string(role) != c.role) {
			t.Errorf("%s: %q %q", c.name, email, role)
		}
	}
}
