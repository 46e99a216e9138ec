package ptbr

import "testing"

func TestAttemptOutcomeLabel(t *testing.T) {
	for _, c := range []struct{ outcome, want string }{
		{"sent", "Enviada"},
		{"retry", "Falhou; nova tentativa agendada"},
		{"failed", "Falhou"},
		{"unknown", "Sem confirmação da Meta"},
		{"settled_by_webhook", "Já resolvida pelo status da Meta"},
		{"late", "Resposta atrasada, desconsiderada"},
		{"migrated", "Resultado: migrated"},
		{"", "Resultado não registrado"},
	} {
		if got := AttemptOutcomeLabel(c.outcome); got != c.want {
			t.Errorf("AttemptOutcomeLabel(%q) = %q, want %q", c.outcome, got, c.want)
		}
	}
}

func TestTemplateSendText(t *testing.T) {
	for _, c := range []struct {
		name string
		in   TemplateSend
		want string
	}{
		{"notice", TemplateSend{"aviso de agendamento", "Design de sobrancelhas", "02/12/2026", "14:00", "Studio Jana"},
			"Aviso de agendamento: Design de sobrancelhas em 02/12/2026 às 14:00 — Studio Jana"},
		{"reminder", TemplateSend{"lembrete de 24 horas", "Corte", "03/12/2026", "09:30", "Studio Jana"},
			"Lembrete de 24 horas: Corte em 03/12/2026 às 09:30 — Studio Jana"},
		{"time unknown after a reschedule", TemplateSend{"aviso de agendamento", "Corte", "", "", "Studio Jana"},
			"Aviso de agendamento: Corte (horário anterior à remarcação) — Studio Jana"},
		{"no appointment", TemplateSend{Kind: "aviso de agendamento", Studio: "Studio Jana"}, "Aviso de agendamento — Studio Jana"},
		{"nothing known", TemplateSend{}, "Mensagem automática"},
		{"accented kind", TemplateSend{Kind: "última chamada"}, "Última chamada"},
	} {
		if got := TemplateSendText(c.in); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
