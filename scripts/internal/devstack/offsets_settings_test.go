package devstack_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/scripts/internal/emulators"
	"github.com/lembra-app/lembra/shared/domain"
)

// The owner sets the quiet hours and the reminders (48 h and 2 h, each with its
// template) in the settings: bad input is a Portuguese field error that stores nothing;
// the next booking gets one reminder per offset, timed by the quiet hours; the history
// lists each change.
func TestOffsetsAndQuietHoursSettings(t *testing.T) {
	s := devstack.ForTest(t, devstack.Options{Project: emulators.AuthProject})
	ctx := context.Background()
	ten, key := demo(t, s, func(tn *devstack.Tenant) {
		tn.ID = "offsets-settings"
		tn.APIKey = ""
		tn.QuietHours = nil // never set: the default
		tn.WhatsApp.WABAID, tn.WhatsApp.PhoneNumberID = "102290129340801", "106540352249801"
	})
	owner, _ := signedIn(t, s, ten.ID, domain.RoleOwner, "dona")
	got := call(t, s, owner, "GET", "/v1/staff/settings", nil)
	q, _ := got.Body["quiet_hours"].(map[string]any)
	offs, _ := got.Body["reminder_offsets"].([]any)
	if got.Status != 200 || q["label"] != "21:00 às 08:00" || q["default"] != true || q["lead_minutes"] != float64(60) ||
		len(offs) != 1 || offs[0].(map[string]any)["minutes"] != float64(1440) || offs[0].(map[string]any)["name"] != "confirmacao_de_agendamento_24h" {
		t.Fatalf("the defaults: %d %s", got.Status, got.Raw)
	}

	for _, c := range []struct {
		body  string
		field string
		says  string
	}{
		{`{"quiet_hours":{"start":"21:00","end":"21:00"}}`, "quiet_hours.end", "diferentes"},
		{`{"quiet_hours":{"start":"9h","end":"08:00"}}`, "quiet_hours.start", "HH:MM"},
		{`{"reminder_offsets":[{"minutes":2880},{"minutes":120}]}`, "reminder_offsets", "Escolha o modelo aprovado do lembrete de 48 horas"},
		{`{"reminder_offsets":[{"minutes":5}]}`, "reminder_offsets.0", "15 minutos"},
		{`{"reminder_offsets":[]}`, "reminder_offsets", "ao menos um lembrete"},
	} {
		r := call(t, s, owner, "PATCH", "/v1/staff/settings", c.body)
		if r.Status != 400 || !strings.Contains(r.Raw, c.says) || !strings.Contains(r.Raw, `"field":"`+c.field+`"`) {
			t.Errorf("PATCH %s: %d %s", c.body, r.Status, r.Raw)
		}
	}
	if stored := tenantNow(t, s, ten.ID); stored.QuietHours != nil || stored.ReminderOffsets != nil {
		t.Fatalf("a refused change stored %+v %v", stored.QuietHours, stored.ReminderOffsets)
	}

	r := call(t, s, owner, "PATCH", "/v1/staff/settings", `{"quiet_hours":{"start":"22:00","end":"07:00","lead_minutes":90},
		"reminder_offsets":[{"minutes":120,"template":{"name":"lembrete_2h","language":"pt_BR"}},{"minutes":2880,"template":{"name":"lembrete_48h","language":"pt_BR"}}]}`)
	q, _ = r.Body["quiet_hours"].(map[string]any)
	offs, _ = r.Body["reminder_offsets"].([]any)
	if r.Status != 200 || q["label"] != "22:00 às 07:00" || q["default"] != false || len(offs) != 2 ||
		offs[0].(map[string]any)["label"] != "Lembrete de 48 horas" || offs[1].(map[string]any)["name"] != "lembrete_2h" {
		t.Fatalf("PATCH: %d %s", r.Status, r.Raw)
	}
	hist := call(t, s, owner, "GET", "/v1/staff/settings/audit", nil)
	for _, want := range []string{`"field":"quiet_hours"`, `"old":"21:00 às 08:00, mínimo de 1 hora antes"`, `"new":"22:00 às 07:00, mínimo de 1 h 30 min antes"`,
		`"field":"reminder_offsets"`, `"new":"48 horas, 2 horas"`, `"field":"templates.appointment_reminder_2h"`, `"field_label":"Modelo: Lembrete de 2 horas"`} {
		if !strings.Contains(hist.Raw, want) {
			t.Errorf("history lacks %s: %s", want, hist.Raw)
		}
	}

	// The next booking: an appointment at 23:00 three days ahead has its 48-hour reminder
	// at 23:00 (inside 22:00–07:00, moved to 07:00) and its 2-hour one at 21:00.
	loc := ten.Location()
	day := time.Now().In(loc).AddDate(0, 0, 3)
	starts := time.Date(day.Year(), day.Month(), day.Day(), 23, 0, 0, 0, loc)
	ak := call(t, s, key, "POST", "/v1/appointments", appointmentBody("offsets-settings-1", starts))
	if ak.Status != 201 {
		t.Fatalf("book: %d %s", ak.Status, ak.Raw)
	}
	aptID := appointmentID(t, ak)
	early := getJob(t, s, ten.ID, domain.ReminderJobID(aptID, 2880, 1))
	late := getJob(t, s, ten.ID, domain.ReminderJobID(aptID, 120, 1))
	wantEarly := time.Date(day.Year(), day.Month(), day.Day()-1, 7, 0, 0, 0, loc)
	if !early.ScheduledFor.Equal(wantEarly) || !strings.Contains(timelineDetail(early, domain.EventQuietHours), "envio adiado") {
		t.Errorf("the 48-hour reminder: at %v, want %v; timeline %+v", early.ScheduledFor.In(loc), wantEarly, early.Timeline)
	}
	if !late.ScheduledFor.Equal(starts.Add(-2*time.Hour)) || timelineDetail(late, domain.EventQuietHours) != "" {
		t.Errorf("the 2-hour reminder: at %v; timeline %+v", late.ScheduledFor.In(loc), late.Timeline)
	}
	if _, err := mustStore(t, s).GetJob(ctx, ten.ID, domain.JobID(aptID, domain.JobReminder, 1)); err == nil {
		t.Error("a 24-hour reminder was made though the studio's set no longer has it")
	}
}
