package booking

import (
	"strings"
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
		w = CancelWindowFor(ten, apt, nil, ruleNow)
		j := cancellationNotice(ten, apt, ruleNow)
		if c.open != (j.Status == domain.JobPending) || !c.open && (j.ReasonCode != w.Reason.Code || j.Reason != w.Reason.Text) {
			t.Errorf("%s: notice %s %s %q, window %+v", c.name, j.Status, j.ReasonCode, j.Reason, w)
		}
	}
}

// TestCancelWindowFor: the window as Meta counts it (any client message in the
// conversation ledger) and the tenant's strict setting (only one about the appointment),
// with the message the decision rested on, and the notice job that follows from it.
func TestCancelWindowFor(t *testing.T) {
	ledger := &domain.Tenant{ID: "t", Name: "Studio Jana", TimeZone: "America/Sao_Paulo"}
	strict := &domain.Tenant{ID: "t", Name: "Studio Jana", TimeZone: "America/Sao_Paulo", StrictCancelWindow: true}
	tapX := &domain.Conversation{LastInboundAt: ruleNow.Add(-time.Hour), LastInboundID: "wamid.tapX"}
	old := &domain.Conversation{LastInboundAt: ruleNow.Add(-25 * time.Hour), LastInboundID: "wamid.old"}
	own := ruleNow.Add(-2 * time.Hour)
	cases := []struct {
		name      string
		tenant    *domain.Tenant
		ownAt     time.Time
		ownID     string
		conv      *domain.Conversation
		open      bool
		inboundID string
		about     bool
		code      string
		contains  string
	}{
		{"a tap on another appointment an hour ago opens it", ledger, time.Time{}, "", tapX, true, "wamid.tapX", false, "", "outro assunto"},
		{"strict: the same tap does not", strict, time.Time{}, "", tapX, false, "", false, domain.ReasonWindowNoInbound, "regra estrita"},
		{"strict: its own message opens it", strict, own, "wamid.own", tapX, true, "wamid.own", true, "", "sobre este agendamento"},
		{"ledger: the latest message is what counts, and says it was about another", ledger, own, "wamid.own", tapX, true, "wamid.tapX", false, "", "outro assunto"},
		{"ledger: the latest is this appointment's own", ledger, own, "wamid.own", &domain.Conversation{LastInboundAt: own, LastInboundID: "wamid.own"}, true, "wamid.own", true, "", "sobre este agendamento"},
		{"ledger: the client's last message 25 h ago", ledger, time.Time{}, "", old, false, "wamid.old", false, domain.ReasonWindowExpired, "30/11/2026 08:00"},
		{"ledger: never wrote at all", ledger, time.Time{}, "", nil, false, "", false, domain.ReasonWindowNoInbound, "não respondeu nem escreveu"},
		{"strict: never wrote at all", strict, time.Time{}, "", nil, false, "", false, domain.ReasonWindowNoInbound, "sobre este agendamento"},
	}
	for _, c := range cases {
		apt := &domain.Appointment{ID: "apt_y", TenantID: "t", ClientName: "Maria Souza", ClientPhone: "+5511987654321",
			Service: "Manicure", StartsAt: ruleNow.Add(48 * time.Hour), LastInboundAt: c.ownAt, LastInboundID: c.ownID}
		w := CancelWindowFor(c.tenant, apt, c.conv, ruleNow)
		if w.Open != c.open || w.InboundID != c.inboundID || w.AboutAppointment != c.about || w.Reason.Code != c.code || w.Label == "" {
			t.Errorf("%s: %+v", c.name, w)
		}
		j := cancellationNoticeWith(c.tenant, apt, c.conv, ruleNow)
		if c.open {
			var detail string
			for _, e := range j.Timeline {
				if e.Event == "window_inbound" {
					detail = e.Detail
				}
			}
			if j.Status != domain.JobPending || j.WindowInboundID != c.inboundID || !j.WindowInboundAt.Equal(w.LastInboundAt) || !strings.Contains(detail, c.contains) {
				t.Errorf("%s: notice %s window %s %v, timeline %q", c.name, j.Status, j.WindowInboundID, j.WindowInboundAt, detail)
			}
		} else if j.Status != domain.JobSkipped || j.ReasonCode != c.code || !strings.Contains(j.Reason, c.contains) {
			t.Errorf("%s: notice %s %s %q", c.name, j.Status, j.ReasonCode, j.Reason)
		}
	}
}
