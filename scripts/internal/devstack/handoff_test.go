package devstack_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/reminders"
	"github.com/lembra-app/lembra/shared/store"
)

// tasksFor lists the stand-in's tasks whose body names the job.
func tasksFor(s *devstack.Stack, jobID string) int {
	n := 0
	for _, task := range s.Tasks.Tasks() {
		if strings.Contains(string(task.GetHttpRequest().GetBody()), `"job_id":"`+jobID+`"`) {
			n++
		}
	}
	return n
}

// The booking notice is written queued in the transaction that creates it; if Cloud
// Tasks then fails, the API answers 503 and the same request again creates the task.
func TestCreateHealsAFailedEnqueue(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, key := demo(t, s, nil)
	body := appointmentBody("heal-1", time.Now().Add(72*time.Hour))

	s.Tasks.FailCreates(1000)
	r := call(t, s, key, "POST", "/v1/appointments", body)
	if r.Status != http.StatusServiceUnavailable || !strings.Contains(r.Raw, "queue_unavailable") {
		t.Fatalf("create with Cloud Tasks down: %d %s", r.Status, r.Raw)
	}
	s.Tasks.FailCreates(0)
	aptID := domain.AppointmentID(ten.ID, "heal-1")
	noticeID := domain.JobID(aptID, domain.JobCreated, 0)
	if j := getJob(t, s, ten.ID, noticeID); j.Status != domain.JobQueued || tasksFor(s, noticeID) != 0 {
		t.Fatalf("notice after the failed enqueue: %s, %d tasks", j.Status, tasksFor(s, noticeID))
	}

	r = call(t, s, key, "POST", "/v1/appointments", body)
	if r.Status != http.StatusOK {
		t.Fatalf("repeated create: %d %s", r.Status, r.Raw)
	}
	j := waitJob(t, s, ten.ID, noticeID, 10*time.Second, final)
	if j.Status != domain.JobSent || len(s.Meta.Accepted()) != 1 {
		t.Fatalf("notice: %s %q, %d sends", j.Status, j.Reason, len(s.Meta.Accepted()))
	}
	// A third repeat finds the notice sent: no second task, no second message.
	if r := call(t, s, key, "POST", "/v1/appointments", body); r.Status != http.StatusOK {
		t.Fatalf("third create: %d %s", r.Status, r.Raw)
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(s.Meta.Accepted()); n != 1 {
		t.Errorf("%d sends after repeating the create, want 1", n)
	}
}

// A cancellation notice is never lost: if queueing fails after the cancel committed,
// the API answers 503 queue_unavailable, and repeating the cancel queues the notice.
func TestCancelNoticeSurvivesAQueueOutage(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, key := demo(t, s, nil)
	ctx := context.Background()
	aptID, _ := storeWithoutQueue(t, s, ten, "cancel-heal-1")
	if _, _, err := mustStore(t, s).UpdateAppointment(ctx, ten.ID, aptID, func(a *domain.Appointment, _ []*domain.Job) (store.AppointmentChange, error) {
		a.LastInboundAt, a.LastInboundID = time.Now().Add(-time.Hour), "wamid.recent"
		return store.AppointmentChange{}, nil
	}); err != nil {
		t.Fatal(err)
	}
	cancel := map[string]any{"notify_client": true}

	s.Tasks.FailCreates(1000)
	r := call(t, s, key, "POST", "/v1/appointments/"+aptID+"/cancel", cancel)
	if r.Status != http.StatusServiceUnavailable || !strings.Contains(r.Raw, "queue_unavailable") {
		t.Fatalf("cancel with Cloud Tasks down: %d %s", r.Status, r.Raw)
	}
	s.Tasks.FailCreates(0)
	apt, err := mustStore(t, s).GetAppointment(ctx, ten.ID, aptID)
	if err != nil || apt.Status != domain.AppointmentCanceled {
		t.Fatalf("appointment after the failed enqueue: %+v %v", apt, err)
	}
	noticeID := domain.JobID(aptID, domain.JobCanceled, 0)
	if j := getJob(t, s, ten.ID, noticeID); j.Status != domain.JobQueued {
		t.Fatalf("notice after the failed enqueue: %s %q", j.Status, j.Reason)
	}

	if r := call(t, s, key, "POST", "/v1/appointments/"+aptID+"/cancel", cancel); r.Status != http.StatusOK {
		t.Fatalf("repeated cancel: %d %s", r.Status, r.Raw)
	}
	j := waitJob(t, s, ten.ID, noticeID, 10*time.Second, final)
	if j.Status != domain.JobSent || j.DeliveryMode != domain.DeliverySession {
		t.Fatalf("notice: %s %s %q", j.Status, j.DeliveryMode, j.Reason)
	}
	if r := call(t, s, key, "POST", "/v1/appointments/"+aptID+"/cancel", cancel); r.Status != http.StatusOK {
		t.Fatalf("third cancel: %d %s", r.Status, r.Raw)
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(s.Meta.Accepted()); n != 1 {
		t.Errorf("%d sends, want the one notice", n)
	}
}

// The scan marks a reminder queued before creating its task: when Cloud Tasks fails
// the reminder goes back to pending with a note, and the next scan queues it.
func TestScanReleasesAReminderItCouldNotQueue(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, _ := demo(t, s, nil)
	now := time.Now()
	apt := bookAt(t, s, ten, "scan-heal-1", now, now.Add(24*time.Hour+3*time.Minute))
	jobID := domain.JobID(apt.ID, domain.JobReminder, 1)

	s.Tasks.FailCreates(1000)
	res := scanResult(t, s)
	s.Tasks.FailCreates(0)
	if res.Failed != 1 || res.Enqueued != 0 {
		t.Fatalf("scan with Cloud Tasks down: %+v", res)
	}
	j := getJob(t, s, ten.ID, jobID)
	if j.Status != domain.JobPending || !j.HasEvent("enqueue_failed") {
		t.Fatalf("reminder after the failed scan: %s, timeline %+v", j.Status, j.Timeline)
	}
	if res := scanResult(t, s); res.Enqueued != 1 {
		t.Fatalf("next scan: %+v", res)
	}
	if j := getJob(t, s, ten.ID, jobID); j.Status != domain.JobQueued || tasksFor(s, jobID) != 1 {
		t.Fatalf("reminder after the next scan: %s, %d tasks", j.Status, tasksFor(s, jobID))
	}
}

// A reminder left marked queued without a task (the scan died between the mark and
// the enqueue) gets its task from a later scan once it is overdue.
func TestScanRecreatesAMissingReminderTask(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, _ := demo(t, s, nil)
	ctx := context.Background()
	now := time.Now()
	apt := bookAt(t, s, ten, "orphan-1", now, now.Add(30*time.Hour))
	jobID := domain.JobID(apt.ID, domain.JobReminder, 1)
	st := mustStore(t, s)
	if marked, err := st.MarkQueued(ctx, ten.ID, jobID, now); err != nil || !marked {
		t.Fatalf("mark: %v %v", marked, err)
	}
	q, err := s.Env.Tasks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Six hours on, the reminder (due at +6 h) is 15+ minutes overdue and still queued.
	at := now.Add(6*time.Hour + reminders.OrphanGrace + time.Minute)
	svc := &reminders.Service{Store: st, Tasks: q, Log: s.Env.Log, Now: func() time.Time { return at }, Horizon: 10 * time.Minute, BatchLimit: 50}
	if tasksFor(s, jobID) != 0 {
		t.Fatal("the test expects no task yet")
	}
	res, err := svc.Scan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Enqueued != 1 || tasksFor(s, jobID) != 1 {
		t.Fatalf("scan: %+v, %d tasks for the orphan", res, tasksFor(s, jobID))
	}
	// Its task exists now: the next scan's enqueue is a no-op.
	if res, err = svc.Scan(ctx); err != nil || res.AlreadyQueued != 1 || tasksFor(s, jobID) != 1 {
		t.Fatalf("second scan: %+v %v, %d tasks", res, err, tasksFor(s, jobID))
	}
}
