package api

import (
	"encoding/base64"
	"errors"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/store"
	"github.com/lembra-app/lembra/shared/web"
)

func wantFieldError(t *testing.T, err error, code, field string) {
	t.Helper()
	var we *web.Error
	if !errors.As(err, &we) || we.Status != 400 || we.Code != code || we.Field != field {
		t.Errorf("got %v, want 400 %s on %s", err, code, field)
	}
}

// TestCursorRoundTripAndTampering: a cursor made for a view decodes to the job's order
// value and id; anything else is 400 invalid_cursor.
func TestCursorRoundTripAndTampering(t *testing.T) {
	j := &domain.Job{ID: "apt_1-appointment_created", ScheduledFor: time.Date(2026, 12, 1, 12, 0, 0, 5, time.UTC), UpdatedAt: time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)}
	at, id, err := decodeCursor(encodeCursor(store.PanelQueue, j), store.PanelQueue)
	if err != nil || !at.Equal(j.ScheduledFor) || id != j.ID {
		t.Fatalf("queue cursor: %v %q %v", at, id, err)
	}
	at, _, err = decodeCursor(encodeCursor(store.PanelHistory, j), store.PanelHistory)
	if err != nil || !at.Equal(j.UpdatedAt) {
		t.Fatalf("history cursor: %v %v", at, err)
	}
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	good := encodeCursor(store.PanelQueue, j)
	for name, c := range map[string]string{
		"other view":      encodeCursor(store.PanelHistory, j),
		"not base64":      "***",
		"padded base64":   base64.URLEncoding.EncodeToString([]byte(`{"v":"queue","t":"2026-12-01T12:00:00Z","id":"x"}`)) + "=",
		"one byte off":    good[:len(good)-2] + "A" + good[len(good)-1:],
		"not json":        enc("queue|2026|x"),
		"no id":           enc(`{"v":"queue","t":"2026-12-01T12:00:00Z","id":""}`),
		"a path as id":    enc(`{"v":"queue","t":"2026-12-01T12:00:00Z","id":"../t2/jobs/x"}`),
		"bad time":        enc(`{"v":"queue","t":"yesterday","id":"x"}`),
		"extra field":     enc(`{"v":"queue","t":"2026-12-01T12:00:00Z","id":"x","tenant":"t2"}`),
		"trailing data":   enc(`{"v":"queue","t":"2026-12-01T12:00:00Z","id":"x"}{}`),
		"huge":            string(make([]byte, 2000)),
		"truncated":       good[:len(good)/2],
		"json, not a map": enc(`["queue"]`),
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := decodeCursor(c, store.PanelQueue)
			wantFieldError(t, err, "invalid_cursor", "cursor")
		})
	}
}

// TestParsePanelFilter: defaults, each filter, and each bad value as a 400 naming its field.
func TestParsePanelFilter(t *testing.T) {
	f, err := parsePanelFilter(url.Values{}, saoPaulo)
	if err != nil || f.Query.View != store.PanelQueue || !slices.Equal(f.Query.Statuses, store.PanelQueue.Statuses()) || f.Query.Limit != panelPageSize {
		t.Fatalf("defaults: %+v %v", f, err)
	}
	f, err = parsePanelFilter(url.Values{"view": {"history"}, "status": {"failed"}, "type": {"appointment_reminder"},
		"from": {"2026-12-01"}, "to": {"2026-12-01"}, "q": {" Maria "}}, saoPaulo)
	if err != nil || f.Query.View != store.PanelHistory || !slices.Equal(f.Query.Statuses, []domain.JobStatus{domain.JobFailed}) ||
		f.Query.Type != domain.JobReminder || f.Q != "Maria" ||
		f.Query.From.UTC() != time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC) || f.Query.To.Sub(f.Query.From) != 24*time.Hour {
		t.Fatalf("filters: %+v %v", f, err)
	}
	for _, tt := range []struct {
		q           url.Values
		code, field string
	}{
		{url.Values{"view": {"all"}}, "invalid_value", "view"},
		{url.Values{"status": {"sent"}}, "invalid_value", "status"}, // a history status in the queue
		{url.Values{"view": {"history"}, "status": {"pending"}}, "invalid_value", "status"},
		{url.Values{"type": {"marketing"}}, "invalid_value", "type"},
		{url.Values{"from": {"01/12/2026"}}, "invalid_time", "from"},
		{url.Values{"to": {"2026-02-30"}}, "invalid_time", "to"},
		{url.Values{"from": {"2026-12-02"}, "to": {"2026-12-01"}}, "invalid_time", "to"},
		{url.Values{"q": {"Maria\u202e"}}, "invalid_characters", "q"},
		{url.Values{"q": {"Maria\x00"}}, "invalid_characters", "q"},
		{url.Values{"q": {"Mariaaaaaa" + string(slices.Repeat([]byte("a"), 100))}}, "too_long", "q"},
		{url.Values{"cursor": {"nope"}}, "invalid_cursor", "cursor"},
	} {
		_, err := parsePanelFilter(tt.q, saoPaulo)
		wantFieldError(t, err, tt.code, tt.field)
	}
}

// TestSearchTerms: a phone in any usual writing is its E.164 number (and with 55 for a
// Brazilian number without it); anything else is a name prefix, as typed and capitalised.
func TestSearchTerms(t *testing.T) {
	for _, tt := range []struct {
		q             string
		phones, names []string
	}{
		{"+55 (11) 98765-4321", []string{"+5511987654321"}, nil},
		{"11 98765-4321", []string{"+11987654321", "+5511987654321"}, nil},
		{"maria souza", nil, []string{"maria souza", "Maria Souza"}},
		{"Maria", nil, []string{"Maria"}},
		{"1234", nil, []string{"1234"}},
		{"élida", nil, []string{"élida", "Élida"}},
	} {
		phones, names := searchTerms(tt.q)
		if !slices.Equal(phones, tt.phones) || !slices.Equal(names, tt.names) {
			t.Errorf("%q: %q %q, want %q %q", tt.q, phones, names, tt.phones, tt.names)
		}
	}
}

// TestNewMessageCard: client, type, template or text, status, reason and local times;
// jobs without an appointment, of an unknown type or malformed are listed as such.
func TestNewMessageCard(t *testing.T) {
	at := time.Date(2026, 12, 10, 17, 0, 0, 0, time.UTC)
	tenant := &domain.Tenant{ID: "t1", Templates: map[string]domain.TemplateRef{"appointment_reminder": {Name: "lembrete_24h", Language: "pt_BR"}}}
	apt := &domain.Appointment{ID: "apt_1", ClientName: "Maria", ClientPhone: "+5511987654321"}
	tests := []struct {
		name string
		pj   store.PanelJob
		apt  *domain.Appointment
		want MessageCard
	}{
		{"a sent template", store.PanelJob{Job: &domain.Job{ID: "j1", AppointmentID: "apt_1", Type: domain.JobCreated, Status: domain.JobDelivered,
			TemplateName: "aviso", TemplateLanguage: "pt_BR", ProviderStatus: "delivered", SentAt: at, ScheduledFor: at, UpdatedAt: at}}, apt,
			MessageCard{JobID: "j1", AppointmentID: "apt_1", ClientName: "Maria", ClientPhone: "+5511987654321", Type: "appointment_created",
				TypeLabel: "aviso de agendamento", Status: "delivered", StatusLabel: "entregue", TemplateName: "aviso", TemplateLanguage: "pt_BR",
				ProviderStatus: "delivered", ScheduledFor: at, ScheduledForLocal: "10/12/2026 14:00", SentAtLocal: "10/12/2026 14:00",
				UpdatedAt: at, UpdatedAtLocal: "10/12/2026 14:00"}},
		{"a pending reminder names the tenant's template", store.PanelJob{Job: &domain.Job{ID: "j2", AppointmentID: "apt_1", Type: domain.JobReminder,
			Status: domain.JobPending, ScheduledFor: at}}, apt,
			MessageCard{JobID: "j2", AppointmentID: "apt_1", ClientName: "Maria", ClientPhone: "+5511987654321", Type: "appointment_reminder",
				TypeLabel: "lembrete de 24 horas", Status: "pending", StatusLabel: "agendada", TemplateName: "lembrete_24h", TemplateLanguage: "pt_BR",
				ScheduledFor: at, ScheduledForLocal: "10/12/2026 14:00"}},
		{"a skipped free-form notice", store.PanelJob{Job: &domain.Job{ID: "j3", AppointmentID: "apt_1", Type: domain.JobCanceled, Status: domain.JobSkipped,
			Text: "Seu horário foi cancelado", ReasonCode: "window_no_inbound", Reason: "Aviso de cancelamento não enviado"}}, apt,
			MessageCard{JobID: "j3", AppointmentID: "apt_1", ClientName: "Maria", ClientPhone: "+5511987654321", Type: "appointment_canceled",
				TypeLabel: "aviso de cancelamento", Status: "skipped", StatusLabel: "não enviada", Text: "Seu horário foi cancelado",
				ReasonCode: "window_no_inbound", Reason: "Aviso de cancelamento não enviado"}},
		{"no appointment, unknown type", store.PanelJob{Job: &domain.Job{ID: "old", Type: "promo", Status: domain.JobSent}}, nil,
			MessageCard{JobID: "old", ClientName: "sem agendamento", Type: "promo", TypeLabel: "tipo desconhecido", Status: "sent", StatusLabel: "enviada"}},
		{"appointment gone", store.PanelJob{Job: &domain.Job{ID: "j4", AppointmentID: "apt_gone", Type: domain.JobReply, Status: domain.JobRead}}, nil,
			MessageCard{JobID: "j4", AppointmentID: "apt_gone", ClientName: "agendamento não encontrado", Type: "button_reply", TypeLabel: "resposta a botão",
				Status: "read", StatusLabel: "lida"}},
		{"malformed", store.PanelJob{Job: &domain.Job{ID: "bad"}, Malformed: true}, nil,
			MessageCard{JobID: "bad", ClientName: "sem agendamento", Type: "unknown", TypeLabel: "tipo desconhecido", Status: "unknown",
				StatusLabel: "não enviada", Malformed: true,
				Reason: "Registro antigo ou com defeito: só a identificação, o tipo e a situação puderam ser lidos."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NewMessageCard(tt.pj, tt.apt, tenant, saoPaulo); got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestMessagesPageCursor: a page that has more carries the cursor of its last job; the
// last page none.
func TestMessagesPageCursor(t *testing.T) {
	page := []store.PanelJob{{Job: &domain.Job{ID: "a", ScheduledFor: time.Unix(10, 0)}}, {Job: &domain.Job{ID: "b", ScheduledFor: time.Unix(20, 0)}}}
	r := NewMessagesResponse(store.PanelQueue, page, true, nil, nil, saoPaulo)
	if _, id, err := decodeCursor(r.NextCursor, store.PanelQueue); err != nil || id != "b" || len(r.Messages) != 2 {
		t.Fatalf("cursor %q: %q %v", r.NextCursor, id, err)
	}
	if r := NewMessagesResponse(store.PanelQueue, page, false, nil, nil, saoPaulo); r.NextCursor != "" {
		t.Fatalf("last page has cursor %q", r.NextCursor)
	}
}

// TestFilterPanel: the search path filters and orders in memory as the store's query does.
func TestFilterPanel(t *testing.T) {
	d := func(h int) time.Time { return time.Date(2026, 12, 1, h, 0, 0, 0, time.UTC) }
	jobs := []*domain.Job{
		{ID: "a", Status: domain.JobPending, Type: domain.JobReminder, ScheduledFor: d(5), UpdatedAt: d(1)},
		{ID: "b", Status: domain.JobSent, Type: domain.JobCreated, ScheduledFor: d(1), UpdatedAt: d(3)},
		{ID: "c", Status: domain.JobQueued, Type: domain.JobCreated, ScheduledFor: d(2), UpdatedAt: d(2)},
		{ID: "d", Status: domain.JobFailed, Type: domain.JobReminder, ScheduledFor: d(3), UpdatedAt: d(6)},
	}
	ids := func(pq store.PanelQuery) []string {
		var out []string
		for _, pj := range filterPanel(jobs, pq) {
			out = append(out, pj.Job.ID)
		}
		return out
	}
	if got := ids(store.PanelQuery{View: store.PanelQueue, Statuses: store.PanelQueue.Statuses(), Limit: 50}); !slices.Equal(got, []string{"c", "a"}) {
		t.Errorf("queue %v", got)
	}
	if got := ids(store.PanelQuery{View: store.PanelHistory, Statuses: store.PanelHistory.Statuses(), Limit: 50}); !slices.Equal(got, []string{"d", "b"}) {
		t.Errorf("history %v", got)
	}
	if got := ids(store.PanelQuery{View: store.PanelHistory, Statuses: store.PanelHistory.Statuses(), Type: domain.JobCreated, Limit: 50}); !slices.Equal(got, []string{"b"}) {
		t.Errorf("history of a type %v", got)
	}
	if got := ids(store.PanelQuery{View: store.PanelQueue, Statuses: store.PanelQueue.Statuses(), From: d(3), To: d(6), Limit: 50}); !slices.Equal(got, []string{"a"}) {
		t.Errorf("queue in a range %v", got)
	}
	if got := ids(store.PanelQuery{View: store.PanelHistory, Statuses: store.PanelHistory.Statuses(), Limit: 1}); !slices.Equal(got, []string{"d"}) {
		t.Errorf("limit %v", got)
	}
}
