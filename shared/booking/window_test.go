package booking

import (
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
)

// TestCancelWindow: the one decision behind the cancel dialog and the notice job, in its
// order of checks, with the Portuguese label and reason (São Paulo time).
func TestCancelWindow(t *testing.T) {
	loc, _ := time.LoadLocation("America/Sao_Paulo")
	ten := &domain.Tenant{ID: "t", Name: "Studio Jana", TimeZone: "America/Sao_Paulo"}
	cases := []struct {
		name      string
		inbound   time.Time
		inboundID string
		open      bool
		until     time.Time
		code      string
		reason    string
		label     string
	}{
		{"a message id without its time: cannot be checked", time.Time{}, "wamid.x", false, time.Time{}, domain.ReasonWindowCheckFailed,
			"Aviso de cancelamento não enviado: não foi possível verificar a janela de 24 horas do WhatsApp (a resposta do cliente não tem horário registrado).",
			"Janela fechada: não foi possível verificar (a resposta do cliente não tem horário registrado)"},
		{"no message about the appointment", time.Time{}, "", false, time.Time{}, domain.ReasonWindowNoInbound,
			"Aviso de cancelamento não enviado: o cliente não respondeu a nenhuma mensagem sobre este agendamento, então a janela de 24 horas do WhatsApp está fechada.",
			"Janela fechada: o cliente não respondeu a nenhuma mensagem sobre este agendamento"},
		{"the last one 26 h ago", ruleNow.Add(-26 * time.Hour), "wamid.y", false, time.Time{}, domain.ReasonWindowExpired,
			"Aviso de cancelamento não enviado: a última resposta do cliente sobre este agendamento foi em 30/11/2026 07:00, há mais de 24 horas (janela do WhatsApp fechada).",
			"Janela fechada: a última resposta do cliente foi em 30/11/2026 07:00, há mais de 24 horas"},
		{"exactly 24 h ago: closed", ruleNow.Add(-24 * time.Hour), "wamid.y", false, time.Time{}, domain.ReasonWindowExpired,
			"", "Janela fechada: a última resposta do cliente foi em 30/11/2026 09:00, há mais de 24 horas"},
		{"a minute short of 24 h: open for a minute", ruleNow.Add(-24*time.Hour + time.Minute), "wamid.z", true, ruleNow.Add(time.Minute), "",
			"", "Janela aberta até 01/12/2026 09:01"},
		{"an hour ago: open 23 h more", ruleNow.Add(-time.Hour), "wamid.z", true, ruleNow.Add(23 * time.Hour), "",
			"", "Janela aberta até 02/12/2026 08:00"},
	}
	for _, c := range cases {
		apt := &domain.Appointment{ID: "apt_1", TenantID: "t", ClientName: "Maria Souza", ClientPhone: "+5511987654321",
			Service: "Manicure", StartsAt: ruleNow.Add(48 * time.Hour), LastInboundAt: c.inbound, LastInboundID: c.inboundID}
		w := CancelWindow(apt, ruleNow, loc)
		if w.Open != c.open || !w.Until.Equal(c.until) || w.Reason.Code != c.code || w.Label != c.label || !w.LastInboundAt.Equal(c.inbound) {
			t.Errorf("%s: %+v", c.name, w)
		}
		if c.reason != "" && w.Reason.Text != c.reason {
			t.Errorf("%s: reason %q, want %q", c.name, w.Reason.Text, c.reason)
		}
		if !c.open && w.Reason.Text == "" {
			t.Errorf("%s: closed without a Portuguese reason", c.name)
		}
		// The notice job is skipped with exactly the window's reason, or goes ahead.
		j := cancellationNotice(ten, apt, ruleNow)
		if c.open != (j.Status == domain.JobPending) || !c.open && (j.ReasonCode != w.Reason.Code || j.Reason != w.Reason.Text) {
			t.Errorf("%s: notice %s %s %q, window %+v", c.name, j.Status, j.ReasonCode, j.Reason, w)
		}
	}
}
