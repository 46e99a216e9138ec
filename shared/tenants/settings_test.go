package tenants

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
)

// fieldOf is the field and code of a validation error ("" when err is nil).
func fieldOf(t *testing.T, err error) (string, string) {
	t.Helper()
	if err == nil {
		return "", ""
	}
	var v *domain.ValidationError
	if !errors.As(err, &v) {
		t.Fatalf("not a field error: %v", err)
	}
	if v.Message == "" || strings.Contains(v.Message, "must") {
		t.Errorf("message %q: want a Portuguese sentence", v.Message)
	}
	return v.Field, v.Code
}

func TestAllowedModes(t *testing.T) {
	for env, want := range map[domain.Mode][]domain.Mode{
		domain.ModeDisabled: {domain.ModeDisabled},
		domain.ModeDryRun:   {domain.ModeDisabled, domain.ModeDryRun},
		domain.ModeEnabled:  {domain.ModeDisabled, domain.ModeDryRun, domain.ModeEnabled},
		"":                  {domain.ModeDisabled},
	} {
		if got := AllowedModes(env); !slices.Equal(got, want) {
			t.Errorf("env %q: %v, want %v", env, got, want)
		}
	}
}

func TestCheckMode(t *testing.T) {
	for _, c := range []struct {
		raw       string
		env       domain.Mode
		want      domain.Mode
		wantField string
	}{
		{"enabled", domain.ModeEnabled, domain.ModeEnabled, ""},
		{" DRY_RUN ", domain.ModeEnabled, domain.ModeDryRun, ""},
		{"dry_run", domain.ModeDryRun, domain.ModeDryRun, ""},
		{"disabled", domain.ModeDisabled, domain.ModeDisabled, ""},
		{"enabled", domain.ModeDryRun, "", "mode"},   // beyond the environment
		{"dry_run", domain.ModeDisabled, "", "mode"}, // beyond the environment
		{"on", domain.ModeEnabled, "", "mode"},
		{"", domain.ModeEnabled, "", "mode"},
	} {
		got, err := CheckMode(c.raw, c.env)
		if f, _ := fieldOf(t, err); f != c.wantField || got != c.want {
			t.Errorf("CheckMode(%q, %s) = %q, %v", c.raw, c.env, got, err)
		}
	}
	_, err := CheckMode("enabled", domain.ModeDryRun)
	if !strings.Contains(err.Error(), "dry_run") {
		t.Errorf("the refusal names the environment's mode: %v", err)
	}
}

func TestCheckTimeZone(t *testing.T) {
	for raw, want := range map[string]string{
		"America/Sao_Paulo": "", " America/Manaus ": "", "UTC": "",
		"": "required", "Mars/Olympus": "invalid_value", "Local": "invalid_value", "../etc/passwd": "invalid_value",
		"america/sao_paulo": "invalid_value",
	} {
		_, err := CheckTimeZone(raw)
		if _, code := fieldOf(t, err); code != want {
			t.Errorf("CheckTimeZone(%q): %v, want %q", raw, err, want)
		}
	}
}

func TestCheckTexts(t *testing.T) {
	long := func(n int) string { return strings.Repeat("á", n) }
	for _, c := range []struct {
		name  string
		check func(string) (string, error)
		raw   string
		code  string
	}{
		{"location", CheckLocationLine, "Rua Augusta, 1500", ""},
		{"location", CheckLocationLine, "  ", "required"},
		{"location", CheckLocationLine, long(200), ""},
		{"location", CheckLocationLine, long(201), "too_long"},
		{"location", CheckLocationLine, "Rua\u202eX", "invalid_characters"},
		{"location", CheckLocationLine, "Rua\nX", "invalid_characters"},
		{"label", CheckStaffLabel, "Falar com a Jana", ""},
		{"label", CheckStaffLabel, long(20), ""},
		{"label", CheckStaffLabel, long(21), "too_long"},
		{"label", CheckStaffLabel, "", "required"},
		{"label", CheckStaffLabel, "Falar\u200bcom", "invalid_characters"},
		{"reschedule", CheckRescheduleText, "", ""},
		{"reschedule", CheckRescheduleText, "Para remarcar,\r\nligue (11) 4000-1234.", ""},
		{"reschedule", CheckRescheduleText, long(1000), ""},
		{"reschedule", CheckRescheduleText, long(1001), "too_long"},
		{"reschedule", CheckRescheduleText, "a\x00b", "invalid_characters"},
		{"key label", CheckKeyLabel, "Agenda online", ""},
		{"key label", CheckKeyLabel, "", "required"},
		{"key label", CheckKeyLabel, long(61), "too_long"},
	} {
		_, err := c.check(c.raw)
		if _, code := fieldOf(t, err); code != c.code {
			t.Errorf("%s %q: %v, want %q", c.name, c.raw, err, c.code)
		}
	}
	if v, _ := CheckRescheduleText(" a\r\nb "); v != "a\nb" {
		t.Errorf("reschedule text kept as %q", v)
	}
}

func TestCheckTestRecipient(t *testing.T) {
	for _, c := range []struct {
		raw, want, code string
	}{
		{"", "", ""},
		{"   ", "", ""},
		{"+5511987654321", "+5511987654321", ""},
		{" +55 (11) 98765-4321 ", "+5511987654321", ""},
		{"(11) 98765-4321", "+5511987654321", ""},
		{"11987654321", "+5511987654321", ""},
		{"011 98765 4321", "+5511987654321", ""},
		{"55 11 98765-4321", "+5511987654321", ""},
		{"5511987654321", "+5511987654321", ""},
		{"(21) 3456-7890", "+552134567890", ""}, // a landline
		{"+14155550100", "+14155550100", ""},    // E.164 outside Brazil
		{"98765-4321", "", "invalid_phone"},     // no area code
		{"(11) 8765-4321", "", "invalid_phone"}, // a mobile without its 9
		{"(01) 98765-4321", "", "invalid_phone"},
		{"+55 11 8765-4321", "", "invalid_phone"},
		{"+55119876543210", "", "invalid_phone"},
		{"+0123456789", "", "invalid_phone"},
		{"+1 234", "", "invalid_phone"},
		{"11 98765-432a", "", "invalid_phone"},
		{"+55 11 98765\u200b4321", "", "invalid_phone"},
		{"+55 11 98765​4321", "", "invalid_phone"},
		{"1234567890123", "", "invalid_phone"},
	} {
		got, err := CheckTestRecipient(c.raw)
		f, code := fieldOf(t, err)
		if got != c.want || code != c.code || (err != nil && f != "studio_test_recipient") {
			t.Errorf("%q: %q %s %v; want %q %q", c.raw, got, f, err, c.want, c.code)
		}
	}
	if _, err := CheckSettings(SettingsPatch{TestRecipient: ptr("123")}, domain.ModeEnabled); err == nil {
		t.Error("CheckSettings took a bad test number")
	}
}

func TestCheckTemplate(t *testing.T) {
	for _, c := range []struct {
		jt, name, lang, field string
	}{
		{"appointment_created", "aviso_de_agendamento", "pt_BR", ""},
		{"appointment_reminder", "lembrete_24h", "en", ""},
		{"appointment_reminder", "lembrete", "fil", ""},
		{"appointment_canceled", "aviso", "pt_BR", "templates.appointment_canceled"},
		{"button_reply", "aviso", "pt_BR", "templates.button_reply"},
		{"appointment_created", "", "pt_BR", "templates.appointment_created.name"},
		{"appointment_created", "Aviso-Novo", "pt_BR", "templates.appointment_created.name"},
		{"appointment_created", strings.Repeat("a", 513), "pt_BR", "templates.appointment_created.name"},
		{"appointment_created", "aviso", "", "templates.appointment_created.language"},
		{"appointment_created", "aviso", "pt-BR", "templates.appointment_created.language"},
		{"appointment_created", "aviso", "portuguese", "templates.appointment_created.language"},
	} {
		_, err := CheckTemplate(c.jt, domain.TemplateRef{Name: c.name, Language: c.lang})
		if f, _ := fieldOf(t, err); f != c.field {
			t.Errorf("%s %q %q: %v, want field %q", c.jt, c.name, c.lang, err, c.field)
		}
	}
}

func TestCheckOpeningDay(t *testing.T) {
	for _, c := range []struct {
		day   string
		in    domain.OpeningDay
		field string
		code  string
	}{
		{"monday", domain.OpeningDay{Open: "09:00", Close: "18:00"}, "", ""},
		{"sunday", domain.OpeningDay{Closed: true}, "", ""},
		{"saturday", domain.OpeningDay{Open: "00:00", Close: "23:59"}, "", ""},
		{"funday", domain.OpeningDay{Closed: true}, "opening_hours.funday", "invalid_value"},
		{"monday", domain.OpeningDay{Closed: true, Open: "09:00"}, "opening_hours.monday", "invalid_value"},
		{"monday", domain.OpeningDay{Close: "18:00"}, "opening_hours.monday.open", "required"},
		{"monday", domain.OpeningDay{Open: "09:00"}, "opening_hours.monday.close", "required"},
		{"monday", domain.OpeningDay{Open: "9:00", Close: "18:00"}, "opening_hours.monday.open", "invalid_time"},
		{"monday", domain.OpeningDay{Open: "09:00", Close: "24:00"}, "opening_hours.monday.close", "invalid_time"},
		{"monday", domain.OpeningDay{Open: "18:00", Close: "09:00"}, "opening_hours.monday.close", "invalid_value"},
		{"monday", domain.OpeningDay{Open: "09:00", Close: "09:00"}, "opening_hours.monday.close", "invalid_value"},
	} {
		_, err := CheckOpeningDay(c.day, c.in)
		if f, code := fieldOf(t, err); f != c.field || code != c.code {
			t.Errorf("%s %+v: %v, want %s %s", c.day, c.in, err, c.field, c.code)
		}
	}
}

func TestCheckSettingsFirstProblem(t *testing.T) {
	// Every rule runs; the first problem in the fixed order is the one returned.
	_, err := CheckSettings(SettingsPatch{Mode: ptr("enabled"), StaffLabel: ptr(strings.Repeat("x", 21)),
		OpeningHours: map[string]domain.OpeningDay{"monday": {Open: "x"}}}, domain.ModeEnabled)
	if f, _ := fieldOf(t, err); f != "staff_label" {
		t.Errorf("first problem: %v", err)
	}
	checked, err := CheckSettings(SettingsPatch{KillSwitch: ptr(true), TimeZone: ptr(" America/Manaus "),
		Templates:    map[string]domain.TemplateRef{"appointment_created": {Name: " novo ", Language: "pt_BR"}},
		OpeningHours: map[string]domain.OpeningDay{"monday": {Open: "09:00", Close: "18:00"}}}, domain.ModeDryRun)
	c, hours := checked.Change, checked.OpeningHours
	if err != nil || *c.KillSwitch != true || *c.TimeZone != "America/Manaus" || c.Templates["appointment_created"].Name != "novo" ||
		hours["monday"].Close != "18:00" || c.Mode != nil {
		t.Errorf("checked: %+v %v %v", c, hours, err)
	}
	if checked.TestRecipient != nil {
		t.Errorf("test number not asked for, checked as %q", *checked.TestRecipient)
	}
	if !(SettingsPatch{}).Empty() || (SettingsPatch{KillSwitch: ptr(false)}).Empty() || (SettingsPatch{TestRecipient: ptr("")}).Empty() {
		t.Error("Empty")
	}
}

func TestSettingsMerge(t *testing.T) {
	now := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)
	stored := &domain.Tenant{ID: "jana", Name: "Studio Jana", LocationLine: "Rua A", TimeZone: "America/Sao_Paulo",
		Mode: domain.ModeEnabled, StaffLabel: "Falar com a Jana",
		Templates:        map[string]domain.TemplateRef{"appointment_created": {Name: "aviso", Language: "pt_BR"}},
		TemplateStatuses: map[string]domain.TemplateStatus{"aviso:pt_BR": {Status: "APPROVED"}},
		OpeningHours:     map[string]domain.OpeningDay{"sunday": {Closed: true}},
		WhatsApp:         domain.WhatsApp{PhoneNumberID: "1", Status: "connected"}}
	c, err := CheckSettings(SettingsPatch{
		Mode: ptr("dry_run"), KillSwitch: ptr(true), StaffLabel: ptr("Falar com a Jana"), // the same: no entry
		TestRecipient: ptr("(11) 91234-5678"),
		Templates:     map[string]domain.TemplateRef{"appointment_created": {Name: "aviso_novo", Language: "pt_BR"}},
		OpeningHours:  map[string]domain.OpeningDay{"monday": {Open: "09:00", Close: "18:00"}, "sunday": {Closed: true}},
	}, domain.ModeEnabled)
	if err != nil {
		t.Fatal(err)
	}
	got, audit, err := SettingsMerge(stored, c, "jana@example.com", now)
	if err != nil {
		t.Fatal(err)
	}
	type entry struct{ field, old, new string }
	var entries []entry
	for _, a := range audit {
		if a.By != "jana@example.com" || !a.At.Equal(now) {
			t.Errorf("entry %+v: who or when", a)
		}
		entries = append(entries, entry{a.Field, a.Old, a.New})
	}
	want := []entry{
		{"mode", "enabled", "dry_run"}, {"kill_switch", "false", "true"},
		{"studio_test_recipient", "", "+5511912345678"},
		{"templates.appointment_created", "aviso (pt_BR)", "aviso_novo (pt_BR)"},
		{"opening_hours.monday", "", "09:00 às 18:00"},
	}
	if !slices.Equal(entries, want) {
		t.Errorf("audit:\n  %v\nwant\n  %v", entries, want)
	}
	if got.Mode != domain.ModeDryRun || !got.KillSwitch || got.KillSwitchBy != "jana@example.com" || !got.KillSwitchAt.Equal(now) ||
		got.Templates["appointment_created"].Name != "aviso_novo" || got.TemplateStatuses["aviso:pt_BR"].Status != "APPROVED" ||
		got.OpeningHours["sunday"] != (domain.OpeningDay{Closed: true}) || got.OpeningHours["monday"].Open != "09:00" ||
		got.TestRecipient != "+5511912345678" {
		t.Errorf("merged: %+v", got)
	}
	// The stored tenant is not modified.
	if stored.Mode != domain.ModeEnabled || stored.KillSwitch || len(stored.OpeningHours) != 1 || stored.Templates["appointment_created"].Name != "aviso" ||
		stored.TestRecipient != "" {
		t.Errorf("stored changed: %+v", stored)
	}
	// Asking for what is stored changes nothing.
	same, _ := CheckSettings(SettingsPatch{Mode: ptr("enabled"), KillSwitch: ptr(false), TestRecipient: ptr("")}, domain.ModeEnabled)
	if _, audit, err := SettingsMerge(stored, same, "x", now); err != nil || len(audit) != 0 {
		t.Errorf("no change: %v %v", audit, err)
	}
	// "" clears the test number, with its entry; leaving it out keeps it.
	clear, _ := CheckSettings(SettingsPatch{TestRecipient: ptr(" ")}, domain.ModeEnabled)
	cleared, audit, err := SettingsMerge(got, clear, "jana@example.com", now)
	if err != nil || cleared.TestRecipient != "" || len(audit) != 1 || audit[0].Field != "studio_test_recipient" || audit[0].Old != "+5511912345678" || audit[0].New != "" {
		t.Errorf("cleared %q: %+v %v", cleared.TestRecipient, audit, err)
	}
	kept, _ := CheckSettings(SettingsPatch{StaffLabel: ptr("Fale com a Jana")}, domain.ModeEnabled)
	if k, _, err := SettingsMerge(got, kept, "x", now); err != nil || k.TestRecipient != "+5511912345678" {
		t.Errorf("kept %q %v", k.TestRecipient, err)
	}

}
