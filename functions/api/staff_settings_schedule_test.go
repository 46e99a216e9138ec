package api

import (
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/store"
)

// A reminder at another offset is named by it on the panel's card, with its own
// template; the 24-hour one and a reminder stored before offsets keep theirs.
func TestMessageCardOfAReminderOffset(t *testing.T) {
	ten := &domain.Tenant{Templates: map[string]domain.TemplateRef{
		"appointment_reminder":    {Name: "lembrete_24h", Language: "pt_BR"},
		"appointment_reminder_2h": {Name: "lembrete_2h", Language: "pt_BR"},
	}}
	cases := []struct {
		offset          int
		label, template string
	}{
		{0, "lembrete de 24 horas", "lembrete_24h"},
		{1440, "lembrete de 24 horas", "lembrete_24h"},
		{120, "lembrete de 2 horas", "lembrete_2h"},
	}
	for _, c := range cases {
		j := &domain.Job{ID: "j", Type: domain.JobReminder, Status: domain.JobPending, ReminderOffsetMinutes: c.offset}
		card := NewMessageCard(store.PanelJob{Job: j}, nil, ten, time.UTC)
		if card.TypeLabel != c.label || card.TemplateName != c.template {
			t.Errorf("offset %d: %q with %q, want %q with %q", c.offset, card.TypeLabel, card.TemplateName, c.label, c.template)
		}
	}
}

func TestSettingsResponseSchedule(t *testing.T) {
	ten := &domain.Tenant{ReminderOffsets: []int{120, 2880}, Templates: map[string]domain.TemplateRef{"appointment_reminder_2h": {Name: "lembrete_2h", Language: "pt_BR"}},
		ServiceReminderOffsets: []domain.ServiceOffsets{{Service: "Coloração", Minutes: []int{4320, 90}}}}
	var out SettingsResponse
	scheduleSettings(ten, &out)
	if q := out.QuietHours; !q.Default || q.Label != "21:00 às 08:00" || q.LeadMinutes != 60 {
		t.Errorf("quiet hours %+v", q)
	}
	if len(out.ReminderOffsets) != 2 || out.ReminderOffsets[0].Minutes != 2880 || out.ReminderOffsets[0].Sendable || out.ReminderOffsets[0].StatusLabel == "" ||
		out.ReminderOffsets[1].Name != "lembrete_2h" || !out.ReminderOffsets[1].Sendable || out.ReminderOffsets[1].TemplateKey != "appointment_reminder_2h" {
		t.Errorf("offsets %+v", out.ReminderOffsets)
	}
	if len(out.ServiceReminderOffsets) != 1 || out.ServiceReminderOffsets[0].Label != "72 horas, 1 h 30 min" {
		t.Errorf("services %+v", out.ServiceReminderOffsets)
	}
}
