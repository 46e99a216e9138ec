package devstack_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/scripts/internal/standin/metastandin"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/ptbr"
	"github.com/lembra-app/lembra/shared/store"
)

func textSends(s interface{ Accepted() []metastandin.Request }) []metastandin.Request {
	var out []metastandin.Request
	for _, r := range s.Accepted() {
		if r.Type == "text" {
			out = append(out, r)
		}
	}
	return out
}

// The cancel checkbox unchecked: cancel without notifying: canceled, and no notice job at all.
func TestCancelWithoutNotice(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, key := demo(t, s, nil)
	r := call(t, s, key, "POST", "/v1/appointments", appointmentBody("d-1", time.Now().Add(72*time.Hour)))
	aptID := appointmentID(t, r)
	waitJob(t, s, ten.ID, domain.JobID(aptID, domain.JobCreated, 0), 10*time.Second, final)
	r = call(t, s, key, "POST", "/v1/appointments/"+aptID+"/cancel", map[string]any{"notify_client": false})
	if r.Status != 200 || r.Body["appointment"].(map[string]any)["status"] != "canceled" {
		t.Fatalf("cancel: %d %s", r.Status, r.Raw)
	}
	st, _ := s.Env.Store(context.Background())
	if _, err := st.GetJob(context.Background(), ten.ID, domain.JobID(aptID, domain.JobCanceled, 0)); err == nil {
		t.Fatal("a cancellation job exists although notify_client was false")
	}
	if n := len(textSends(s.Meta)); n != 0 {
		t.Errorf("%d free-form messages sent", n)
	}
}

// The cancel checkbox checked, window open: the client answered a button, then the studio cancels with the
// checkbox on: the notice goes out as a free-form message, on the timeline.
func TestCancelNoticeWithTheWindowOpen(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, key := demo(t, s, nil)
	ctx := context.Background()
	startsAt := time.Now().Add(72 * time.Hour)
	r := call(t, s, key, "POST", "/v1/appointments", appointmentBody("e-1", startsAt))
	aptID := appointmentID(t, r)
	notice := waitJob(t, s, ten.ID, domain.JobID(aptID, domain.JobCreated, 0), 10*time.Second, final)
	in, _, err := s.Meta.TapButton(ctx, notice.ProviderMessageID, "Confirmar", "Confirmar")
	if err != nil {
		t.Fatal(err)
	}
	waitJob(t, s, ten.ID, eventsReplyID(in), 10*time.Second, final)

	r = call(t, s, key, "POST", "/v1/appointments/"+aptID+"/cancel", map[string]any{"notify_client": true})
	if r.Status != 200 {
		t.Fatalf("cancel: %d %s", r.Status, r.Raw)
	}
	job := waitJob(t, s, ten.ID, domain.JobID(aptID, domain.JobCanceled, 0), 10*time.Second, final)
	if job.Status != domain.JobSent || job.DeliveryMode != domain.DeliverySession || job.WindowInboundID != in || job.WindowInboundAt.IsZero() {
		t.Fatalf("notice: %s %s window %s %v (%s)", job.Status, job.DeliveryMode, job.WindowInboundID, job.WindowInboundAt, job.Reason)
	}
	loc := ten.Location()
	var got string
	for _, m := range textSends(s.Meta) {
		if strings.Contains(m.Text, "cancelado") {
			got = m.Text
		}
	}
	for _, want := range []string{"Design de sobrancelhas", ptbr.Date(startsAt, loc), ptbr.Time(startsAt, loc), "foi cancelado"} {
		if !strings.Contains(got, want) {
			t.Errorf("notice %q lacks %q", got, want)
		}
	}
	if !job.HasEvent("sent") || !job.HasEvent("created") {
		t.Errorf("timeline %+v", job.Timeline)
	}
}

// The cancel checkbox checked, window closed: no correlated inbound, or one older than 24 h: canceled, the
// notice recorded skipped with the precise reason, nothing sent.
func TestCancelNoticeWithTheWindowClosed(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, key := demo(t, s, nil)
	ctx := context.Background()
	st, _ := s.Env.Store(ctx)

	r := call(t, s, key, "POST", "/v1/appointments", appointmentBody("f-1", time.Now().Add(72*time.Hour)))
	never := appointmentID(t, r)
	r = call(t, s, key, "POST", "/v1/appointments", appointmentBody("f-2", time.Now().Add(72*time.Hour)))
	stale := appointmentID(t, r)
	for _, id := range []string{never, stale} { // the booking notices go out first
		waitJob(t, s, ten.ID, domain.JobID(id, domain.JobCreated, 0), 10*time.Second, final)
	}
	last := time.Now().Add(-26 * time.Hour).UTC().Truncate(time.Second)
	if _, _, err := st.UpdateAppointment(ctx, ten.ID, stale, func(a *domain.Appointment, _ []*domain.Job) (store.AppointmentChange, error) {
		a.LastInboundAt, a.LastInboundID = last, "wamid.old"
		return store.AppointmentChange{}, nil
	}); err != nil {
		t.Fatal(err)
	}
	before := len(s.Meta.Requests())
	for _, c := range []struct {
		id, code, contains string
	}{
		{never, domain.ReasonWindowNoInbound, "não respondeu"},
		{stale, domain.ReasonWindowExpired, ptbr.DateTime(last, ten.Location())},
	} {
		r := call(t, s, key, "POST", "/v1/appointments/"+c.id+"/cancel", map[string]any{"notify_client": true})
		if r.Status != 200 || r.Body["appointment"].(map[string]any)["status"] != "canceled" {
			t.Fatalf("cancel: %d %s", r.Status, r.Raw)
		}
		j := getJob(t, s, ten.ID, domain.JobID(c.id, domain.JobCanceled, 0))
		if j.Status != domain.JobSkipped || j.ReasonCode != c.code || !strings.Contains(j.Reason, c.contains) {
			t.Errorf("notice: %s %s %q, want %s containing %q", j.Status, j.ReasonCode, j.Reason, c.code, c.contains)
		}
		if c.id == stale && !j.WindowInboundAt.Equal(last) {
			t.Errorf("inbound time used %v, want %v stored on the job", j.WindowInboundAt, last)
		}
	}
	time.Sleep(500 * time.Millisecond)
	if n := len(s.Meta.Requests()) - before; n != 0 {
		t.Errorf("%d requests to Meta for notices with the window closed", n)
	}
}

// The window closes between the cancel and the send: checked again at send time.
func TestCancelNoticeWindowClosesBeforeTheSend(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, _ := demo(t, s, nil)
	ctx := context.Background()
	st, _ := s.Env.Store(ctx)
	aptID, _ := storeWithoutQueue(t, s, ten, "close-1")
	last := time.Now().Add(-24*time.Hour + 1500*time.Millisecond)
	if _, _, err := st.UpdateAppointment(ctx, ten.ID, aptID, func(a *domain.Appointment, _ []*domain.Job) (store.AppointmentChange, error) {
		a.LastInboundAt, a.LastInboundID = last, "wamid.almost"
		return store.AppointmentChange{}, nil
	}); err != nil {
		t.Fatal(err)
	}
	svc := bookingWithoutQueue(t, s)
	if _, _, err := svc.Cancel(ctx, ten, aptID, true); err != nil {
		t.Fatal(err)
	}
	jobID := domain.JobID(aptID, domain.JobCanceled, 0)
	if j := getJob(t, s, ten.ID, jobID); j.Status != domain.JobQueued && j.Status != domain.JobPending {
		t.Fatalf("notice at cancel time: %s %s", j.Status, j.Reason)
	}
	time.Sleep(2 * time.Second) // the window closes
	task := enqueueLater(t, s, ten.ID, jobID)
	if err := s.Tasks.Redeliver(task, 1); err != nil {
		t.Fatal(err)
	}
	j := waitJob(t, s, ten.ID, jobID, 10*time.Second, final)
	if j.Status != domain.JobSkipped || j.ReasonCode != domain.ReasonWindowClosed || len(s.Meta.Requests()) != 0 {
		t.Fatalf("notice: %s %s %q; %d requests", j.Status, j.ReasonCode, j.Reason, len(s.Meta.Requests()))
	}
}

// Meta's 131047 (re-engagement required) on a session message is permanent.
func TestReengagementErrorIsPermanent(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, key := demo(t, s, nil)
	ctx := context.Background()
	r := call(t, s, key, "POST", "/v1/appointments", appointmentBody("g-1", time.Now().Add(72*time.Hour)))
	aptID := appointmentID(t, r)
	notice := waitJob(t, s, ten.ID, domain.JobID(aptID, domain.JobCreated, 0), 10*time.Second, final)
	in, _, err := s.Meta.TapButton(ctx, notice.ProviderMessageID, "Reagendar", "Reagendar")
	if err != nil {
		t.Fatal(err)
	}
	waitJob(t, s, ten.ID, eventsReplyID(in), 10*time.Second, final)
	s.Meta.FailNext(metastandin.Fault{HTTPStatus: 400, Code: 131047})
	call(t, s, key, "POST", "/v1/appointments/"+aptID+"/cancel", map[string]any{"notify_client": true})
	j := waitJob(t, s, ten.ID, domain.JobID(aptID, domain.JobCanceled, 0), 10*time.Second, final)
	if j.Status != domain.JobFailed || j.ErrorCode != 131047 || j.Reason != ptbr.MetaError(131047) || len(j.Attempts) != 1 {
		t.Fatalf("notice: %s %d %q, %d attempts", j.Status, j.ErrorCode, j.Reason, len(j.Attempts))
	}
	apt, _ := mustStore(t, s).GetAppointment(ctx, ten.ID, aptID)
	if apt.StaffFlag != "reschedule_requested" {
		t.Errorf("Reagendar did not flag the appointment: %q", apt.StaffFlag)
	}
}
