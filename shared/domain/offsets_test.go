package domain

import (
	"slices"
	"testing"
)

func TestReminderJobID(t *testing.T) {
	cases := []struct {
		minutes, version int
		want             string
	}{
		{DefaultReminderMinutes, 1, "apt_1-appointment_reminder-v1"}, // exactly as before offsets
		{0, 3, "apt_1-appointment_reminder-v3"},                      // a stored reminder without an offset
		{48 * 60, 1, "apt_1-appointment_reminder-48h-v1"},
		{120, 2, "apt_1-appointment_reminder-2h-v2"},
		{90, 1, "apt_1-appointment_reminder-90m-v1"},
	}
	for _, c := range cases {
		if got := ReminderJobID("apt_1", c.minutes, c.version); got != c.want {
			t.Errorf("ReminderJobID(%d, %d) = %q, want %q", c.minutes, c.version, got, c.want)
		}
	}
	if JobID("apt_1", JobReminder, 1) != ReminderJobID("apt_1", DefaultReminderMinutes, 1) {
		t.Error("the 24-hour reminder's id changed")
	}
}

func TestReminderTemplateKey(t *testing.T) {
	cases := []struct {
		minutes int
		key     string
	}{
		{DefaultReminderMinutes, "appointment_reminder"},
		{48 * 60, "appointment_reminder_48h"},
		{120, "appointment_reminder_2h"},
		{90, "appointment_reminder_90m"},
	}
	for _, c := range cases {
		if got := ReminderTemplateKey(c.minutes); got != c.key {
			t.Errorf("ReminderTemplateKey(%d) = %q, want %q", c.minutes, got, c.key)
		}
		if m, ok := ParseReminderTemplateKey(c.key); !ok || m != c.minutes {
			t.Errorf("ParseReminderTemplateKey(%q) = %d, %v", c.key, m, ok)
		}
	}
	for _, bad := range []string{"appointment_created", "appointment_reminder_", "appointment_reminder_0h", "appointment_reminder_02h",
		"appointment_reminder_120m", "appointment_reminder_10m", "appointment_reminder_169h", "appointment_reminder_2x", "appointment_reminder_h",
		"appointment_reminder_99999999999999999999h"} {
		if m, ok := ParseReminderTemplateKey(bad); ok {
			t.Errorf("ParseReminderTemplateKey(%q) = %d, want refused", bad, m)
		}
	}
}

func TestReminderOffsetsFor(t *testing.T) {
	ten := Tenant{
		ReminderOffsets: []int{120, 48 * 60, 120},
		ServiceReminderOffsets: []ServiceOffsets{
			{Service: "Coloração  Completa", Minutes: []int{72 * 60}},
			{Service: "Sem lista", Minutes: nil},
		},
	}
	cases := []struct {
		name    string
		t       Tenant
		service string
		want    []int
	}{
		{"never set: the seed's 24 h", Tenant{}, "Manicure", []int{DefaultReminderMinutes}},
		{"the tenant's, earliest first, without repeats", ten, "Manicure", []int{48 * 60, 120}},
		{"a service's own, matched without case or extra spaces", ten, " coloração completa ", []int{72 * 60}},
		{"a service with an empty set falls back to the tenant's", ten, "Sem lista", []int{48 * 60, 120}},
	}
	for _, c := range cases {
		if got := c.t.ReminderOffsetsFor(c.service); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	if !slices.Equal(ten.ReminderOffsets, []int{120, 48 * 60, 120}) {
		t.Error("ReminderOffsetsFor changed the tenant's list")
	}
}

func TestJobTemplate(t *testing.T) {
	ten := Tenant{Templates: map[string]TemplateRef{
		"appointment_created":      {Name: "aviso", Language: "pt_BR"},
		"appointment_reminder":     {Name: "lembrete_24h", Language: "pt_BR"},
		"appointment_reminder_2h":  {Name: "lembrete_2h", Language: "pt_BR"},
		"appointment_reminder_48h": {Name: "", Language: "pt_BR"},
	}}
	cases := []struct {
		name string
		job  Job
		want string // "": none
	}{
		{"the notice: its type's", Job{Type: JobCreated}, "aviso"},
		{"a reminder stored before offsets: the 24-hour one", Job{Type: JobReminder}, "lembrete_24h"},
		{"the 24-hour reminder", Job{Type: JobReminder, ReminderOffsetMinutes: DefaultReminderMinutes}, "lembrete_24h"},
		{"the 2-hour reminder: its own", Job{Type: JobReminder, ReminderOffsetMinutes: 120}, "lembrete_2h"},
		{"an offset without a name: none (never the 24-hour one's)", Job{Type: JobReminder, ReminderOffsetMinutes: 48 * 60}, ""},
		{"an offset never configured: none", Job{Type: JobReminder, ReminderOffsetMinutes: 30}, ""},
	}
	for _, c := range cases {
		ref, ok := ten.JobTemplate(&c.job)
		if ok != (c.want != "") || ref.Name != c.want {
			t.Errorf("%s: %+v %v, want %q", c.name, ref, ok, c.want)
		}
	}
}
