package devstack_test

import (
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/ptbr"
	"github.com/lembra-app/lembra/shared/queue"
)

// quietNow sets the demo studio's quiet hours to a window around the present moment
// (the stack runs on the real clock): from the last minute to the next minute boundary
// at least 25 s ahead, so the test does not depend on the hour it runs at. It returns
// the tenant, its key and when the quiet hours end.
func quietNow(t *testing.T, s *devstack.Stack, leadMinutes int) (*domain.Tenant, string, time.Time) {
	t.Helper()
	loc, _ := time.LoadLocation(domain.DefaultTimeZone)
	now := time.Now().In(loc)
	end := now.Truncate(time.Minute).Add(time.Minute)
	if end.Sub(now) < 25*time.Second {
		end = end.Add(time.Minute)
	}
	start := now.Truncate(time.Minute).Add(-time.Minute)
	ten, key := demo(t, s, func(tn *devstack.Tenant) {
		tn.QuietHours = &domain.QuietHours{Start: start.Format("15:04"), End: end.Format("15:04"), LeadMinutes: leadMinutes}
	})
	return ten, key, end
}

func noticeRequests(s *devstack.Stack, to string) int {
	n := 0
	for _, r := range acceptedTemplate(s, "aviso_de_agendamento") {
		if strings.TrimPrefix(r.To, "+") == strings.TrimPrefix(to, "+") {
			n++
		}
	}
	return n
}

func timelineDetail(j *domain.Job, event string) string {
	for _, e := range j.Timeline {
		if e.Event == event {
			return e.Detail
		}
	}
	return ""
}

// A booking made inside the quiet hours: its notice waits for their end (the job's time
// and its task's schedule time), with the decision on its timeline, and is sent then;
// a booking whose appointment is too near for waiting gets its notice at once.
func TestQuietHoursBookingNotice(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, key, end := quietNow(t, s, 60)
	loc := ten.Location()

	far := appointmentBody("quiet-far", time.Now().Add(5*time.Hour))
	far["client_phone"] = "+5511987650001"
	r := call(t, s, key, "POST", "/v1/appointments", far)
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	farID := domain.JobID(appointmentID(t, r), domain.JobCreated, 0)
	near := appointmentBody("quiet-near", end.Add(30*time.Minute)) // 30 min after the end < the 60 min lead
	near["client_phone"] = "+5511987650002"
	r = call(t, s, key, "POST", "/v1/appointments", near)
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	nearID := domain.JobID(appointmentID(t, r), domain.JobCreated, 0)

	// The near one goes at once, saying why.
	nj := waitJob(t, s, ten.ID, nearID, 10*time.Second, final)
	if nj.Status != domain.JobSent || noticeRequests(s, "+5511987650002") != 1 {
		t.Fatalf("the notice of an appointment too near to wait: %s %q", nj.Status, nj.Reason)
	}
	if note := timelineDetail(nj, domain.EventQuietHours); !strings.Contains(note, "sem esperar") || !strings.Contains(note, "faltaria menos de 1 hora") ||
		!strings.Contains(note, ptbr.DateTime(end, loc)) {
		t.Errorf("the near notice's timeline: %q", note)
	}

	// The far one waits for the end.
	fj := getJob(t, s, ten.ID, farID)
	if !fj.ScheduledFor.Equal(end) || fj.Status != domain.JobQueued {
		t.Fatalf("the notice booked in the quiet hours: %s at %v, want queued at %v", fj.Status, fj.ScheduledFor, end)
	}
	want := "envio adiado para " + ptbr.DateTime(end, loc)
	if note := timelineDetail(fj, domain.EventQuietHours); !strings.Contains(note, want) {
		t.Errorf("the moved notice's timeline: %q, want %q", note, want)
	}
	name := queue.TaskName(ten.ID, farID, queue.SendPurpose(1))
	found := false
	for _, task := range s.Tasks.Tasks() {
		if strings.HasSuffix(task.GetName(), "/"+name) {
			found = true
			if !task.GetScheduleTime().AsTime().Equal(end) {
				t.Errorf("the notice's task is scheduled at %v, want %v", task.GetScheduleTime().AsTime(), end)
			}
		}
	}
	if !found {
		t.Error("no task for the moved notice")
	}
	time.Sleep(time.Until(end.Add(-2 * time.Second)))
	if n := noticeRequests(s, "+5511987650001"); n != 0 {
		t.Fatalf("the moved notice reached Meta %d times before the quiet hours ended", n)
	}
	fj = waitJob(t, s, ten.ID, farID, 15*time.Second, final)
	if fj.Status != domain.JobSent || fj.SentAt.Before(end) || noticeRequests(s, "+5511987650001") != 1 {
		t.Fatalf("the moved notice: %s %q sent at %v (end %v)", fj.Status, fj.Reason, fj.SentAt, end)
	}
}

// A reminder due inside the quiet hours is moved to their end when its time is set at a
// reschedule, and the scan queues it for that time.
func TestQuietHoursReminderOnReschedule(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, key, end := quietNow(t, s, 0)
	loc := ten.Location()
	starts := end.Add(24*time.Hour - 10*time.Second) // the 24-hour reminder is due 10 s before the end, ≥ 15 s from now
	r := call(t, s, key, "POST", "/v1/appointments", appointmentBody("quiet-rem", starts.Add(time.Hour)))
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	aptID := appointmentID(t, r)
	if r := call(t, s, key, "PATCH", "/v1/appointments/"+aptID, map[string]any{"starts_at": starts.Format(time.RFC3339)}); r.Status != 200 {
		t.Fatalf("reschedule: %d %s", r.Status, r.Raw)
	}
	j := getJob(t, s, ten.ID, domain.JobID(aptID, domain.JobReminder, 2))
	if !j.ScheduledFor.Equal(end) || !strings.Contains(timelineDetail(j, domain.EventQuietHours), "envio adiado para "+ptbr.DateTime(end, loc)) {
		t.Errorf("the rescheduled reminder: at %v (want %v), timeline %+v", j.ScheduledFor, end, j.Timeline)
	}
	if res := scanResult(t, s); res.Found != 1 || res.Enqueued != 1 {
		t.Fatalf("scan: %+v", res)
	}
	j = waitJob(t, s, ten.ID, j.ID, time.Until(end)+15*time.Second, final)
	if j.Status != domain.JobSent || j.SentAt.Before(end) {
		t.Errorf("the moved reminder: %s %q sent at %v (end %v)", j.Status, j.Reason, j.SentAt, end)
	}
}
