package api

import (
	"slices"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/store"
)

func TestTimelineLabel(t *testing.T) {
	for _, c := range []struct{ kind, want string }{
		{"created", "Criada"},
		{"queued", "Na fila"},
		{"sent", "Enviada"},
		{"delivered", "Entregue"},
		{"read", "Lida"},
		{"failed", "Falhou"},
		{"skipped", "Não enviada"},
		{"retry_scheduled", "Nova tentativa agendada"},
		{"retry", "Nova tentativa"},
		{"unknown", "Aguardando confirmação da Meta"},
		{"enqueue_failed", "Falha ao pôr na fila"},
		{"client_reply", "Resposta do cliente"},
		{"migrated", "Evento: migrated"},
		{"", "Evento sem nome"},
	} {
		if got := TimelineLabel(c.kind); got != c.want {
			t.Errorf("TimelineLabel(%q) = %q, want %q", c.kind, got, c.want)
		}
	}
}

func TestMessageText(t *testing.T) {
	for _, c := range []struct{ typ, text, want string }{
		{"text", "Oi, tudo bem?", "Oi, tudo bem?"},
		{"button", "Confirmar", "Confirmar"},
		{"image", "meu cabelo", "meu cabelo"},
		{"image", "", "[foto]"},
		{"audio", "", "[áudio]"},
		{"reaction", "👍", "reagiu com 👍"},
		{"reaction", "", "removeu a reação"},
		{"unsupported", "", "[mensagem do tipo unsupported]"},
		{"", "", "[mensagem]"},
	} {
		if got := MessageText(c.typ, c.text); got != c.want {
			t.Errorf("MessageText(%q, %q) = %q, want %q", c.typ, c.text, got, c.want)
		}
	}
}

func TestMergeConversation(t *testing.T) {
	loc, _ := time.LoadLocation("America/Sao_Paulo")
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	notice := &domain.Job{ID: "apt_1-appointment_created", AppointmentID: "apt_1", Type: domain.JobCreated, Status: domain.JobRead,
		TemplateName: "aviso_de_agendamento", ProviderMessageID: "wamid.N", SentAt: at(0), ProviderStatusTimes: map[string]time.Time{"read": at(2)}}
	reply := &domain.Job{ID: "reply-1", Type: domain.JobReply, Status: domain.JobSent, Text: "Obrigada!", ProviderMessageID: "wamid.R", SentAt: at(6)}
	pending := &domain.Job{ID: "apt_1-appointment_reminder-v1", AppointmentID: "apt_1", Type: domain.JobReminder, Status: domain.JobPending, ScheduledFor: at(600)}
	skipped := &domain.Job{ID: "apt_1-appointment_canceled", AppointmentID: "apt_1", Type: domain.JobCanceled, Status: domain.JobSkipped,
		DeliveryMode: domain.DeliverySession, Reason: "Janela fechada.", UpdatedAt: at(700)}
	pending.AppointmentStartsAt = time.Date(2026, 12, 2, 17, 0, 0, 0, time.UTC)
	apts := map[string]*domain.Appointment{"apt_1": {ID: "apt_1", Service: "Design de sobrancelhas", StartsAt: pending.AppointmentStartsAt, ScheduleVersion: 1}}
	tap := domain.ConversationMessage{ID: "wamid.T", Direction: "in", Source: domain.SourceClient, Type: "button", Text: "Confirmar", At: at(5)}
	echo := domain.ConversationMessage{ID: "wamid.E", Direction: "out", Source: domain.SourceManual, Type: "image", At: at(8)}
	react := domain.ConversationMessage{ID: "wamid.X", Direction: "in", Source: domain.SourceClient, Type: "reaction", Text: "👍", At: at(9)}
	// The notice also came back in the history backfill (same wamid), and a ledger entry
	// names the reply job: each appears once, as the job.
	histNotice := domain.ConversationMessage{ID: "wamid.N", Direction: "out", Source: domain.SourceHistory, Type: "template", Text: "Olá, Maria! Seu horário…", At: at(0), Status: "read"}
	ledgerReply := domain.ConversationMessage{ID: "ledger-reply", Direction: "out", Source: domain.SourceAutomation, Type: "text", Text: "Obrigada!", At: at(6), JobID: "reply-1"}
	oddSource := domain.ConversationMessage{ID: "wamid.O", Direction: "sideways", Source: "imported", Type: "text", Text: "velha", At: at(-60)}

	type item struct{ id, source, text, status string }
	for _, c := range []struct {
		name   string
		ledger []domain.ConversationMessage
		jobs   []*domain.Job
		limit  int
		want   []item
	}{
		{"empty", nil, nil, 200, []item{}},
		{"merged in time order", []domain.ConversationMessage{echo, tap, react}, []*domain.Job{reply, notice}, 200, []item{
			{"wamid.N", "automation", "Aviso de agendamento: Design de sobrancelhas em 02/12/2026 às 14:00 — Studio Jana", "read"},
			{"wamid.T", "client", "Confirmar", ""},
			{"wamid.R", "automation", "Obrigada!", "sent"},
			{"wamid.E", "manual", "[foto]", ""},
			{"wamid.X", "client", "reagiu com 👍", ""},
		}},
		{"a job also in the ledger appears once, with the ledger's text", []domain.ConversationMessage{histNotice, ledgerReply, tap}, []*domain.Job{notice, reply, notice}, 200, []item{
			{"wamid.N", "automation", "Olá, Maria! Seu horário…", "read"},
			{"wamid.T", "client", "Confirmar", ""},
			{"wamid.R", "automation", "Obrigada!", "sent"},
		}},
		{"jobs not sent sit at their time, with why", nil, []*domain.Job{skipped, pending, notice}, 200, []item{
			{"wamid.N", "automation", "Aviso de agendamento: Design de sobrancelhas em 02/12/2026 às 14:00 — Studio Jana", "read"},
			{"apt_1-appointment_reminder-v1", "automation", "Lembrete de 24 horas: Design de sobrancelhas em 02/12/2026 às 14:00 — Studio Jana", "scheduled"},
			{"apt_1-appointment_canceled", "automation", "aviso de cancelamento", "not_sent"},
		}},
		{"an unknown source is history, an odd direction out", []domain.ConversationMessage{oddSource}, nil, 200, []item{
			{"wamid.O", "history", "velha", ""},
		}},
		{"the newest limit", []domain.ConversationMessage{echo, tap, react}, []*domain.Job{notice}, 2, []item{
			{"wamid.E", "manual", "[foto]", ""},
			{"wamid.X", "client", "reagiu com 👍", ""},
		}},
	} {
		got := MergeConversation(c.ledger, c.jobs, apts, "Studio Jana", loc, c.limit)
		var items []item
		for _, g := range got {
			items = append(items, item{g.ID, g.Source, g.Text, g.Status})
			if g.SourceLabel == "" || g.AtLocal == "" || (g.Direction != "in" && g.Direction != "out") {
				t.Errorf("%s: %+v lacks its source label, local time or direction", c.name, g)
			}
		}
		if items == nil {
			items = []item{}
		}
		if !slices.Equal(items, c.want) {
			t.Errorf("%s:\n got %v\nwant %v", c.name, items, c.want)
		}
	}
	got := MergeConversation(nil, []*domain.Job{skipped}, apts, "Studio Jana", loc, 200)
	if got[0].StatusLabel != "não enviada: Janela fechada." || got[0].SourceLabel != "Automático" || got[0].JobID != skipped.ID || got[0].TemplateName != "" {
		t.Errorf("skipped job item %+v", got[0])
	}
	if got := MergeConversation(nil, []*domain.Job{notice}, apts, "Studio Jana", loc, 200); got[0].TemplateName != "aviso_de_agendamento" {
		t.Errorf("template job item %+v lacks its template's name", got[0])
	}
}

func TestTemplateJobText(t *testing.T) {
	loc, _ := time.LoadLocation("America/Sao_Paulo")
	first := time.Date(2026, 12, 2, 17, 0, 0, 0, time.UTC) // 14:00 in São Paulo
	moved := time.Date(2026, 12, 3, 12, 30, 0, 0, time.UTC)
	apt := func(v int, at time.Time) *domain.Appointment {
		return &domain.Appointment{ID: "apt_1", Service: "Design de sobrancelhas", StartsAt: at, ScheduleVersion: v}
	}
	notice := &domain.Job{ID: "apt_1-appointment_created", Type: domain.JobCreated}
	reminderV1 := &domain.Job{ID: "apt_1-appointment_reminder-v1", Type: domain.JobReminder, ScheduleVersion: 1, AppointmentStartsAt: first}
	for _, c := range []struct {
		name string
		job  *domain.Job
		apt  *domain.Appointment
		want string
	}{
		{"notice of an appointment never rescheduled", notice, apt(1, first),
			"Aviso de agendamento: Design de sobrancelhas em 02/12/2026 às 14:00 — Studio Jana"},
		{"notice after a reschedule: the time it named is not known", notice, apt(2, moved),
			"Aviso de agendamento: Design de sobrancelhas (horário anterior à remarcação) — Studio Jana"},
		{"reminder keeps the time it was made for", reminderV1, apt(2, moved),
			"Lembrete de 24 horas: Design de sobrancelhas em 02/12/2026 às 14:00 — Studio Jana"},
		{"appointment not found", notice, nil, "Aviso de agendamento — Studio Jana"},
		{"unknown type", &domain.Job{ID: "x", Type: "promo"}, apt(1, first),
			"Mensagem automática: Design de sobrancelhas em 02/12/2026 às 14:00 — Studio Jana"},
	} {
		if got := TemplateJobText(c.job, c.apt, "Studio Jana", loc); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func TestNewConversationWindow(t *testing.T) {
	loc, _ := time.LoadLocation("America/Sao_Paulo")
	last := time.Date(2026, 12, 1, 18, 40, 0, 0, time.UTC) // 15:40 in São Paulo
	for _, c := range []struct {
		name      string
		last, now time.Time
		open      bool
		label     string
	}{
		{"never wrote", time.Time{}, last, false, "Janela fechada: o cliente ainda não escreveu por WhatsApp."},
		{"just wrote", last, last.Add(time.Minute), true, "Janela aberta até 02/12/2026 15:40"},
		{"a second before closing", last, last.Add(24*time.Hour - time.Second), true, "Janela aberta até 02/12/2026 15:40"},
		{"24 hours later", last, last.Add(24 * time.Hour), false, "Janela fechada: a última mensagem do cliente foi em 01/12/2026 15:40, há mais de 24 horas."},
	} {
		w := NewConversationWindow(c.last, c.now, loc)
		if w.Open != c.open || w.Label != c.label {
			t.Errorf("%s: %+v, want open %v label %q", c.name, w, c.open, c.label)
		}
	}
}

func TestChartDays(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	sp, _ := time.LoadLocation("America/Sao_Paulo")
	// 02:30 UTC on 3 March is still 2 March in New York; 8 March 2026 loses an hour there.
	days := ChartDays(time.Date(2026, 3, 10, 2, 30, 0, 0, time.UTC), ny, 14)
	if len(days) != 14 {
		t.Fatalf("%d days", len(days))
	}
	resp := NewDailyMessagesResponse(days, ny)
	if resp.Days[0].Date != "2026-02-24" || resp.Days[13].Date != "2026-03-09" || resp.Days[13].DateLocal != "09/03/2026" {
		t.Errorf("days %s … %s (%s)", resp.Days[0].Date, resp.Days[13].Date, resp.Days[13].DateLocal)
	}
	for i, d := range days {
		want := 24 * time.Hour
		if resp.Days[i].Date == "2026-03-08" {
			want = 23 * time.Hour
		}
		if d.To.Sub(d.From) != want || i > 0 && !d.From.Equal(days[i-1].To) {
			t.Errorf("day %s: [%s, %s)", resp.Days[i].Date, d.From, d.To)
		}
	}
	one := ChartDays(time.Date(2026, 12, 1, 2, 59, 0, 0, time.UTC), sp, 1)
	if len(one) != 1 || !one[0].From.Equal(time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC)) {
		t.Errorf("today in São Paulo: %+v", one)
	}
}

func TestNewStaffJobResponse(t *testing.T) {
	loc, _ := time.LoadLocation("America/Sao_Paulo")
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	j := &domain.Job{ID: "apt_1-appointment_created", AppointmentID: "apt_1", Type: domain.JobCreated, Status: domain.JobRead}
	j.AddEvent(t0, "created", "")
	j.AddEvent(t0, "queued", "")
	j.AddEvent(t0.Add(time.Second), "retry_scheduled", "A Meta não respondeu.")
	j.AddEvent(t0.Add(time.Minute), "sent", "")
	j.AddEvent(t0.Add(3*time.Minute), "read", "") // arrived before delivered
	j.AddEvent(t0.Add(2*time.Minute), "delivered", "")
	j.AddAttempt(domain.Attempt{N: 1, At: t0.Add(time.Second), Outcome: "retry", HTTPStatus: 500})
	j.AddAttempt(domain.Attempt{N: 2, At: t0.Add(time.Minute), Outcome: "sent"})
	replies := []domain.ConversationMessage{{ID: "wamid.T", Type: "button", Text: "Confirmar", At: t0.Add(2*time.Minute + 30*time.Second)}}
	apt := &domain.Appointment{ID: "apt_1", ClientName: "Maria Souza", ClientPhone: "+5511987654321"}

	r := NewStaffJobResponse(store.PanelJob{Job: j}, apt, replies, nil, loc)
	var kinds, labels []string
	for _, e := range r.Timeline {
		kinds, labels = append(kinds, e.Kind), append(labels, e.Label)
	}
	if want := []string{"created", "queued", "retry_scheduled", "sent", "delivered", "client_reply", "read"}; !slices.Equal(kinds, want) {
		t.Errorf("timeline %v, want %v", kinds, want)
	}
	if want := []string{"Criada", "Na fila", "Nova tentativa agendada", "Enviada", "Entregue", "Resposta do cliente", "Lida"}; !slices.Equal(labels, want) {
		t.Errorf("labels %v, want %v", labels, want)
	}
	if r.Timeline[5].Detail != "Confirmar" || r.Timeline[0].AtLocal != "01/12/2026 09:00" {
		t.Errorf("reply %+v, first %+v", r.Timeline[5], r.Timeline[0])
	}
	if r.AttemptCount != 2 || len(r.Attempts) != 2 || r.Attempts[0].HTTPStatus != 500 || r.Card.ClientName != "Maria Souza" {
		t.Errorf("attempts %+v (count %d), card %+v", r.Attempts, r.AttemptCount, r.Card)
	}
	// Each attempt carries its time in the tenant's zone and its outcome in Portuguese.
	if a := r.Attempts[0]; a.AtLocal != "01/12/2026 09:00" || a.Outcome != "retry" || a.OutcomeLabel != "Falhou; nova tentativa agendada" {
		t.Errorf("first attempt %+v", a)
	}
	if a := r.Attempts[1]; a.AtLocal != "01/12/2026 09:01" || a.OutcomeLabel != "Enviada" {
		t.Errorf("second attempt %+v", a)
	}

	bad := NewStaffJobResponse(store.PanelJob{Job: &domain.Job{ID: "broken-1", Status: "sent"}, Malformed: true}, nil, replies, nil, loc)
	if !bad.Card.Malformed || bad.Timeline == nil || len(bad.Timeline) != 0 || bad.Attempts == nil || bad.Card.ClientName != "sem agendamento" {
		t.Errorf("malformed job %+v", bad)
	}
}
