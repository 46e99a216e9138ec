package booking

import (
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
)

// The reminders an appointment gets: one per offset, each with its id, time (after the
// quiet hours) and reason when too late.
func TestReminderJobsOffsetsAndQuietHours(t *testing.T) {
	sp, _ := time.LoadLocation("America/Sao_Paulo")
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, sp)
	ten := &domain.Tenant{ID: "t", TimeZone: "America/Sao_Paulo", ReminderOffsets: []int{120, 48 * 60}}
	type want struct {
		id     string
		at     time.Time
		status domain.JobStatus
		quiet  string // a part of the quiet-hours note; "": none
	}
	cases := []struct {
		name   string
		ten    *domain.Tenant
		starts time.Time
		want   []want
	}{
		{"48 h and 2 h, both outside the quiet hours", ten, time.Date(2026, 12, 4, 15, 0, 0, 0, sp), []want{
			{"apt-appointment_reminder-48h-v1", time.Date(2026, 12, 2, 15, 0, 0, 0, sp), domain.JobPending, ""},
			{"apt-appointment_reminder-2h-v1", time.Date(2026, 12, 4, 13, 0, 0, 0, sp), domain.JobPending, ""},
		}},
		{"booked a day ahead: the 48 h one too late, the 2 h one pending", ten, time.Date(2026, 12, 2, 15, 0, 0, 0, sp), []want{
			{"apt-appointment_reminder-48h-v1", time.Date(2026, 12, 0, 15, 0, 0, 0, sp), domain.JobSkipped, ""},
			{"apt-appointment_reminder-2h-v1", time.Date(2026, 12, 2, 13, 0, 0, 0, sp), domain.JobPending, ""},
		}},
		{"an appointment at 22:00: the 48 h reminder moved to 08:00, the 2 h one (20:00) kept", ten, time.Date(2026, 12, 4, 22, 0, 0, 0, sp), []want{
			{"apt-appointment_reminder-48h-v1", time.Date(2026, 12, 3, 8, 0, 0, 0, sp), domain.JobPending, "envio adiado para 03/12/2026 08:00"},
			{"apt-appointment_reminder-2h-v1", time.Date(2026, 12, 4, 20, 0, 0, 0, sp), domain.JobPending, ""},
		}},
		{"an appointment at 09:00: the 2 h reminder (07:00) moved to 08:00, exactly the 1 h lead before", ten, time.Date(2026, 12, 4, 9, 0, 0, 0, sp), []want{
			{"apt-appointment_reminder-48h-v1", time.Date(2026, 12, 2, 9, 0, 0, 0, sp), domain.JobPending, ""},
			{"apt-appointment_reminder-2h-v1", time.Date(2026, 12, 4, 8, 0, 0, 0, sp), domain.JobPending, "envio adiado para 04/12/2026 08:00"},
		}},
		{"an appointment at 08:30: the 2 h reminder (06:30) kept, 30 min left at 08:00", ten, time.Date(2026, 12, 4, 8, 30, 0, 0, sp), []want{
			{"apt-appointment_reminder-48h-v1", time.Date(2026, 12, 2, 8, 30, 0, 0, sp), domain.JobPending, ""},
			{"apt-appointment_reminder-2h-v1", time.Date(2026, 12, 4, 6, 30, 0, 0, sp), domain.JobPending, "faltaria menos de 1 hora"},
		}},
		{"the default: one 24 h reminder with the id it always had", &domain.Tenant{}, time.Date(2026, 12, 4, 15, 0, 0, 0, sp), []want{
			{"apt-appointment_reminder-v1", time.Date(2026, 12, 3, 15, 0, 0, 0, sp), domain.JobPending, ""},
		}},
		{"quiet hours off: a reminder at 23:00 keeps its time", &domain.Tenant{QuietHours: &domain.QuietHours{Off: true}}, time.Date(2026, 12, 4, 23, 0, 0, 0, sp), []want{
			{"apt-appointment_reminder-v1", time.Date(2026, 12, 3, 23, 0, 0, 0, sp), domain.JobPending, ""},
		}},
	}
	for _, c := range cases {
		apt := &domain.Appointment{ID: "apt", TenantID: "t", StartsAt: c.starts.UTC(), ScheduleVersion: 1}
		jobs := reminderJobs(c.ten, apt, now.UTC())
		if len(jobs) != len(c.want) {
			t.Fatalf("%s: %d jobs", c.name, len(jobs))
		}
		for i, w := range c.want {
			j := jobs[i]
			if j.ID != w.id || j.Status != w.status || j.Type != domain.JobReminder {
				t.Errorf("%s: job %d is %s %s %s", c.name, i, j.ID, j.Status, j.Type)
			}
			if w.status == domain.JobPending && !j.ScheduledFor.Equal(w.at) {
				t.Errorf("%s: %s at %v, want %v", c.name, j.ID, j.ScheduledFor.In(sp), w.at)
			}
			if w.status == domain.JobSkipped && (j.ReasonCode != domain.ReasonReminderTooLate || !strings.Contains(j.Reason, "menos de 48 horas")) {
				t.Errorf("%s: %s skipped with %q %q", c.name, j.ID, j.ReasonCode, j.Reason)
			}
			note := quietNote(j)
			if (w.quiet == "") != (note == "") || !strings.Contains(note, w.quiet) {
				t.Errorf("%s: %s quiet note %q, want %q", c.name, j.ID, note, w.quiet)
			}
		}
	}
}

func quietNote(j *domain.Job) string {
	for _, e := range j.Timeline {
		if e.Event == domain.EventQuietHours {
			return e.Detail
		}
	}
	return ""
}
