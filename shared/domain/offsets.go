package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Reminder offsets: how long before the appointment each of its reminders goes out. A
// tenant has a set (Tenant.ReminderOffsets, minutes; DefaultReminderOffsets when never
// set), a service may have its own (Tenant.ServiceReminderOffsets); each offset is its
// own job of type JobReminder (so the reminder scan, the reminder lane and the
// reschedule and cancel rules treat them all alike) with a deterministic id
// (ReminderJobID) and its own template (Tenant.Templates[ReminderTemplateKey(m)]).

// DefaultReminderMinutes is the seed's reminder: 24 hours before.
const DefaultReminderMinutes = 24 * 60

// DefaultReminderOffsets is the set of a tenant that never chose one.
var DefaultReminderOffsets = []int{DefaultReminderMinutes}

// Bounds of a set of offsets.
const (
	MinReminderMinutes = 15
	MaxReminderMinutes = 7 * 24 * 60
	MaxReminderOffsets = 5
	MaxServiceOffsets  = 50
)

// ServiceOffsets is a service's own set of reminder offsets (minutes before), matched
// to an appointment's service by SameService.
type ServiceOffsets struct {
	Service string `firestore:"service"`
	Minutes []int  `firestore:"minutes"`
}

// SameService reports whether two service names name the same service: letter case,
// surrounding spaces and runs of spaces do not count.
func SameService(a, b string) bool {
	norm := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	return strings.EqualFold(norm(a), norm(b))
}

// NormalizeOffsets returns a set of offsets sorted from the earliest reminder (the
// largest offset) to the latest, without repeats.
func NormalizeOffsets(minutes []int) []int {
	out := slices.Clone(minutes)
	slices.Sort(out)
	out = slices.Compact(out)
	slices.Reverse(out)
	return out
}

// ReminderOffsetsFor returns the offsets of an appointment for service: the service's
// own set, else the tenant's, else DefaultReminderOffsets; earliest reminder first.
func (t *Tenant) ReminderOffsetsFor(service string) []int {
	for _, so := range t.ServiceReminderOffsets {
		if SameService(so.Service, service) && len(so.Minutes) > 0 {
			return NormalizeOffsets(so.Minutes)
		}
	}
	if len(t.ReminderOffsets) > 0 {
		return NormalizeOffsets(t.ReminderOffsets)
	}
	return slices.Clone(DefaultReminderOffsets)
}

// OffsetLabel names an offset in ids and keys: "48h", "2h", "90m".
func OffsetLabel(minutes int) string {
	if minutes%60 == 0 {
		return fmt.Sprintf("%dh", minutes/60)
	}
	return fmt.Sprintf("%dm", minutes)
}

// ReminderJobID is the id of the reminder minutes before an appointment at schedule
// version version. The 24-hour reminder keeps the id it always had (JobID), so stored
// jobs and their task names keep working; another offset adds its label:
// "<apt>-appointment_reminder-2h-v1".
func ReminderJobID(appointmentID string, minutes, version int) string {
	if minutes == DefaultReminderMinutes || minutes == 0 {
		return JobID(appointmentID, JobReminder, version)
	}
	return fmt.Sprintf("%s-%s-%s-v%d", appointmentID, JobReminder, OffsetLabel(minutes), version)
}

// ReminderTemplateKey is the key in Tenant.Templates of the reminder minutes before:
// the 24-hour reminder keeps the job type's key ("appointment_reminder"); another
// offset adds its label ("appointment_reminder_2h").
func ReminderTemplateKey(minutes int) string {
	if minutes == DefaultReminderMinutes || minutes == 0 {
		return string(JobReminder)
	}
	return string(JobReminder) + "_" + OffsetLabel(minutes)
}

// ParseReminderTemplateKey reads a key ReminderTemplateKey made back to its offset.
func ParseReminderTemplateKey(key string) (int, bool) {
	if key == string(JobReminder) {
		return DefaultReminderMinutes, true
	}
	label, ok := strings.CutPrefix(key, string(JobReminder)+"_")
	if !ok || len(label) < 2 {
		return 0, false
	}
	var n int
	unit := label[len(label)-1]
	digits := label[:len(label)-1]
	if digits[0] == '0' {
		return 0, false
	}
	for _, c := range digits {
		if c < '0' || c > '9' || n > MaxReminderMinutes {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	switch unit {
	case 'h':
		n *= 60
	case 'm':
		if n%60 == 0 {
			return 0, false // written as hours
		}
	default:
		return 0, false
	}
	if n < MinReminderMinutes || n > MaxReminderMinutes || ReminderTemplateKey(n) != key {
		return 0, false
	}
	return n, true
}

// ReminderOffset is how long before the appointment a reminder goes out; a reminder
// stored before offsets existed is the 24-hour one.
func (j *Job) ReminderOffset() int {
	if j.ReminderOffsetMinutes == 0 {
		return DefaultReminderMinutes
	}
	return j.ReminderOffsetMinutes
}

// ReminderDue is when the reminder minutes before an appointment at startsAt comes due
// (before any quiet hours).
func ReminderDue(startsAt time.Time, minutes int) time.Time {
	return startsAt.Add(-time.Duration(minutes) * time.Minute).UTC()
}

// JobTemplate returns the template a template job is sent with: a reminder's is its
// offset's (ReminderTemplateKey), any other job's its type's (Template).
func (t *Tenant) JobTemplate(j *Job) (TemplateRef, bool) {
	if j.Type != JobReminder {
		return t.Template(j.Type)
	}
	ref, ok := t.Templates[ReminderTemplateKey(j.ReminderOffset())]
	if !ok || ref.Name == "" || ref.Language == "" {
		return TemplateRef{}, false
	}
	return ref, true
}
