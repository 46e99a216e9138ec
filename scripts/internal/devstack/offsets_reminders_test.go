package devstack_test

import (
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/ptbr"
)

// Two reminder offsets close enough to both come due within a test: 2 h 1 min and 2 h
// before, each with its own approved template.
const (
	offsetEarly, offsetLate = 121, 120
	templateEarly           = "lembrete_duas_horas_um_minuto"
	templateLate            = "lembrete_duas_horas"
)

func demoWithOffsets(t *testing.T, s *devstack.Stack) (*domain.Tenant, string) {
	t.Helper()
	return demo(t, s, func(tn *devstack.Tenant) {
		tn.ReminderOffsets = []int{offsetLate, offsetEarly}
		tn.Templates[domain.ReminderTemplateKey(offsetEarly)] = domain.TemplateRef{Name: templateEarly, Language: "pt_BR"}
		tn.Templates[domain.ReminderTemplateKey(offsetLate)] = domain.TemplateRef{Name: templateLate, Language: "pt_BR"}
	})
}

// Booked, then rescheduled: the first schedule's two reminders are skipped with the
// reason, the new schedule's two are found by one scan and each is sent at its own time
// with its own template; the 24-hour template is never used.
func TestOffsetsTwoRemindersRescheduledAndSentAtTheirTimes(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, key := demoWithOffsets(t, s)
	now := time.Now()
	r := call(t, s, key, "POST", "/v1/appointments", appointmentBody("offsets-1", now.Add(offsetEarly*time.Minute+40*time.Second)))
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	aptID := appointmentID(t, r)
	for _, m := range []int{offsetEarly, offsetLate} {
		if j := getJob(t, s, ten.ID, domain.ReminderJobID(aptID, m, 1)); j.Status != domain.JobPending || j.ReminderOffsetMinutes != m {
			t.Fatalf("reminder %d min before: %s, offset %d", m, j.Status, j.ReminderOffsetMinutes)
		}
	}
	newStart := time.Now().Add(offsetEarly*time.Minute + 10*time.Second).Truncate(time.Second)
	if r := call(t, s, key, "PATCH", "/v1/appointments/"+aptID, map[string]any{"starts_at": newStart.Format(time.RFC3339)}); r.Status != 200 {
		t.Fatalf("reschedule: %d %s", r.Status, r.Raw)
	}
	for _, m := range []int{offsetEarly, offsetLate} {
		old := getJob(t, s, ten.ID, domain.ReminderJobID(aptID, m, 1))
		if old.Status != domain.JobSkipped || old.ReasonCode != domain.ReasonRescheduled || old.Reason == "" {
			t.Errorf("the first schedule's reminder %d min before: %s %s %q", m, old.Status, old.ReasonCode, old.Reason)
		}
		moved := getJob(t, s, ten.ID, domain.ReminderJobID(aptID, m, 2))
		if want := newStart.Add(-time.Duration(m) * time.Minute); moved.Status != domain.JobPending || !moved.ScheduledFor.Equal(want) {
			t.Errorf("the new schedule's reminder %d min before: %s at %v, want %v", m, moved.Status, moved.ScheduledFor, want)
		}
	}
	if res := scanResult(t, s); res.Found != 2 || res.Enqueued != 2 {
		t.Fatalf("scan: %+v, want both reminders of the new schedule", res)
	}
	for _, c := range []struct {
		minutes  int
		template string
	}{{offsetEarly, templateEarly}, {offsetLate, templateLate}} {
		due := newStart.Add(-time.Duration(c.minutes) * time.Minute)
		j := waitJob(t, s, ten.ID, domain.ReminderJobID(aptID, c.minutes, 2), time.Until(due)+15*time.Second, final)
		if j.Status != domain.JobSent || j.TemplateName != c.template {
			t.Fatalf("reminder %d min before: %s %q with %q", c.minutes, j.Status, j.Reason, j.TemplateName)
		}
		// Sent at its time: not before (dispatch tolerates one minute early, the task is
		// scheduled at the time), and within a few seconds after.
		if j.SentAt.Before(due.Add(-time.Second)) || j.SentAt.After(due.Add(10*time.Second)) {
			t.Errorf("reminder %d min before, due %v, sent %v", c.minutes, due, j.SentAt)
		}
		reqs := acceptedTemplate(s, c.template)
		if len(reqs) != 1 || reqs[0].BodyParams[3] != ptbr.Time(newStart, ten.Location()) {
			t.Errorf("Meta got %+v for %s", reqs, c.template)
		}
	}
	if n := len(reminderRequests(s)); n != 0 {
		t.Errorf("the 24-hour template was sent %d times", n)
	}
}

// Canceled after the scan queued both reminders: both are skipped with the reason and
// neither reaches Meta.
func TestOffsetsCancelSkipsEveryReminder(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, key := demoWithOffsets(t, s)
	now := time.Now()
	r := call(t, s, key, "POST", "/v1/appointments", appointmentBody("offsets-cancel", now.Add(offsetEarly*time.Minute+8*time.Second)))
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	aptID := appointmentID(t, r)
	if res := scanResult(t, s); res.Enqueued != 2 {
		t.Fatalf("scan: %+v, want both reminders queued", res)
	}
	if r := call(t, s, key, "POST", "/v1/appointments/"+aptID+"/cancel", map[string]any{"notify_client": false}); r.Status != 200 {
		t.Fatalf("cancel: %d %s", r.Status, r.Raw)
	}
	time.Sleep(time.Until(now.Add(10 * time.Second))) // the first reminder's task fired at +8 s
	for _, m := range []int{offsetEarly, offsetLate} {
		j := getJob(t, s, ten.ID, domain.ReminderJobID(aptID, m, 1))
		if j.Status != domain.JobSkipped || j.ReasonCode != domain.ReasonAppointmentGone || !strings.Contains(j.Reason, "cancelado") {
			t.Errorf("reminder %d min before: %s %s %q", m, j.Status, j.ReasonCode, j.Reason)
		}
	}
	if n := len(acceptedTemplate(s, templateEarly)) + len(acceptedTemplate(s, templateLate)); n != 0 {
		t.Errorf("Meta got %d reminders of a canceled appointment", n)
	}
}
