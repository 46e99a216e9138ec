package tenants

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
)

func TestCheckQuietHours(t *testing.T) {
	cases := []struct {
		name  string
		in    domain.QuietHours
		field string // "": accepted
		want  domain.QuietHours
	}{
		{"the default", domain.QuietHours{Start: "21:00", End: "08:00", LeadMinutes: 60}, "", domain.QuietHours{Start: "21:00", End: "08:00", LeadMinutes: 60}},
		{"spaces trimmed; a window in the day", domain.QuietHours{Start: " 12:00 ", End: "14:00"}, "", domain.QuietHours{Start: "12:00", End: "14:00"}},
		{"off without hours keeps the default's", domain.QuietHours{Off: true}, "", domain.QuietHours{Off: true, Start: "21:00", End: "08:00"}},
		{"no start", domain.QuietHours{End: "08:00"}, "quiet_hours.start", domain.QuietHours{}},
		{"end 24:00", domain.QuietHours{Start: "21:00", End: "24:00"}, "quiet_hours.end", domain.QuietHours{}},
		{"start 9:00 (not HH:MM)", domain.QuietHours{Start: "9:00", End: "08:00"}, "quiet_hours.start", domain.QuietHours{}},
		{"start equal to end", domain.QuietHours{Start: "08:00", End: "08:00"}, "quiet_hours.end", domain.QuietHours{}},
		{"a negative lead", domain.QuietHours{Start: "21:00", End: "08:00", LeadMinutes: -1}, "quiet_hours.lead_minutes", domain.QuietHours{}},
		{"a lead over a day", domain.QuietHours{Start: "21:00", End: "08:00", LeadMinutes: 1441}, "quiet_hours.lead_minutes", domain.QuietHours{}},
	}
	for _, c := range cases {
		got, err := CheckQuietHours(c.in)
		checkField(t, c.name, err, c.field)
		if c.field == "" && got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestCheckOffsets(t *testing.T) {
	cases := []struct {
		name  string
		in    []int
		field string
		want  []int
	}{
		{"48 h and 2 h, earliest first", []int{120, 2880}, "", []int{2880, 120}},
		{"the default", []int{1440}, "", []int{1440}},
		{"none", nil, "reminder_offsets", nil},
		{"too many", []int{15, 30, 60, 120, 240, 480}, "reminder_offsets", nil},
		{"under 15 min", []int{1440, 10}, "reminder_offsets.1", nil},
		{"over 7 days", []int{7*24*60 + 1}, "reminder_offsets.0", nil},
		{"twice", []int{120, 120}, "reminder_offsets.1", nil},
	}
	for _, c := range cases {
		got, err := CheckOffsets("reminder_offsets", c.in)
		checkField(t, c.name, err, c.field)
		if c.field == "" && !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func checkField(t *testing.T, name string, err error, field string) {
	t.Helper()
	var ve *domain.ValidationError
	switch {
	case field == "" && err != nil:
		t.Errorf("%s: refused: %v", name, err)
	case field != "" && (!errors.As(err, &ve) || ve.Field != field || ve.Message == ""):
		t.Errorf("%s: %v, want an error on %s", name, err, field)
	case field != "" && strings.ContainsAny(ve.Message[:1], "abcdefghijklmnopqrstuvwxyz"):
		t.Errorf("%s: message %q", name, ve.Message)
	}
}

func TestSettingsMergeSchedule(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	stored := &domain.Tenant{ID: "t", Name: "Studio", LocationLine: "Rua A, 1", Mode: domain.ModeEnabled, Templates: map[string]domain.TemplateRef{
		"appointment_created": {Name: "aviso", Language: "pt_BR"}, "appointment_reminder": {Name: "lembrete_24h", Language: "pt_BR"}}}
	tpl := func(name string) *domain.TemplateRef { return &domain.TemplateRef{Name: name, Language: "pt_BR"} }
	cases := []struct {
		name   string
		patch  SchedulePatch
		field  string   // the refused field; "": stored
		fields []string // the history's fields
		check  func(*domain.Tenant) bool
	}{
		{"48 h + 2 h with their templates", SchedulePatch{ReminderOffsets: &[]OffsetChoice{{2880, tpl("lembrete_48h")}, {120, tpl("lembrete_2h")}}}, "",
			[]string{"reminder_offsets", "templates.appointment_reminder_2h", "templates.appointment_reminder_48h"},
			func(t *domain.Tenant) bool {
				return slices.Equal(t.ReminderOffsets, []int{2880, 120}) && t.Templates["appointment_reminder_2h"].Name == "lembrete_2h" &&
					t.Templates["appointment_reminder"].Name == "lembrete_24h"
			}},
		{"2 h without a template: refused, nothing stored", SchedulePatch{ReminderOffsets: &[]OffsetChoice{{1440, nil}, {120, nil}}}, "reminder_offsets", nil, nil},
		{"a bad template name", SchedulePatch{ReminderOffsets: &[]OffsetChoice{{120, tpl("Lembrete 2h")}}}, "reminder_offsets.0.template.name", nil, nil},
		{"the 24 h one alone keeps the default (nothing stored)", SchedulePatch{ReminderOffsets: &[]OffsetChoice{{1440, nil}}}, "", nil,
			func(t *domain.Tenant) bool { return t.ReminderOffsets == nil }},
		{"quiet hours changed", SchedulePatch{QuietHours: &domain.QuietHours{Start: "22:00", End: "07:30", LeadMinutes: 90}}, "", []string{"quiet_hours"},
			func(t *domain.Tenant) bool { return t.Quiet().Start == "22:00" && t.Quiet().LeadMinutes == 90 }},
		{"a service's own, its offsets needing templates", SchedulePatch{ServiceReminderOffsets: &[]domain.ServiceOffsets{{Service: "Coloração", Minutes: []int{4320}}}},
			"service_reminder_offsets.0.minutes", nil, nil},
		{"a service's own with the 24 h one", SchedulePatch{ServiceReminderOffsets: &[]domain.ServiceOffsets{{Service: "  Coloração   completa ", Minutes: []int{1440}}}}, "",
			[]string{"service_reminder_offsets"},
			func(t *domain.Tenant) bool {
				return slices.Equal(t.ReminderOffsetsFor("coloração completa"), []int{1440})
			}},
		{"a service twice", SchedulePatch{ServiceReminderOffsets: &[]domain.ServiceOffsets{{Service: "A", Minutes: []int{1440}}, {Service: "a", Minutes: []int{1440}}}},
			"service_reminder_offsets.1.service", nil, nil},
	}
	for _, c := range cases {
		checked, err := CheckSettings(SettingsPatch{SchedulePatch: c.patch}, domain.ModeEnabled)
		var got *domain.Tenant
		var audit []string
		if err == nil {
			t2, es, merr := SettingsMerge(stored, checked, "jana@example", now)
			err, got = merr, t2
			for _, e := range es {
				audit = append(audit, e.Field)
			}
		}
		checkField(t, c.name, err, c.field)
		if c.field != "" {
			continue
		}
		slices.Sort(audit)
		if !slices.Equal(audit, c.fields) {
			t.Errorf("%s: history %v, want %v", c.name, audit, c.fields)
		}
		if got == nil || !c.check(got) {
			t.Errorf("%s: stored %+v", c.name, got)
		}
	}
	if _, ok := stored.Templates["appointment_reminder_2h"]; ok || stored.ReminderOffsets != nil {
		t.Error("SettingsMerge changed the stored tenant")
	}
}
