package devstack_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/scripts/internal/standin/metastandin"
	"github.com/lembra-app/lembra/shared/booking"
	"github.com/lembra-app/lembra/shared/config"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/queue"
	"github.com/lembra-app/lembra/shared/store"
)

func TestBookingNoticeEndToEnd(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, key := demo(t, s, nil)
	loc := ten.Location()
	startsAt := time.Now().In(loc).Add(72 * time.Hour).Truncate(time.Minute)

	r := call(t, s, key, "POST", "/v1/appointments", appointmentBody("agenda-1001", startsAt))
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	aptID := appointmentID(t, r)
	jobID := domain.JobID(aptID, domain.JobCreated, 0)
	job := waitJob(t, s, ten.ID, jobID, 10*time.Second, final)
	if job.Status != domain.JobSent {
		t.Fatalf("job %s: status %s, reason %q, attempts %+v", jobID, job.Status, job.Reason, job.Attempts)
	}

	sent := s.Meta.Accepted()
	if len(sent) != 1 {
		t.Fatalf("Meta got %d accepted sends, want 1: %+v", len(sent), sent)
	}
	m := sent[0]
	want := []string{"Maria Souza", "Design de sobrancelhas", startsAt.Format("02/01/2006"), startsAt.Format("15:04"), ten.LocationLine}
	if m.Type != "template" || m.TemplateName != "aviso_de_agendamento" || m.TemplateLanguage != "pt_BR" ||
		strings.Join(m.BodyParams, "|") != strings.Join(want, "|") || m.To != "+5511987654321" {
		t.Errorf("Meta request: type %s template %s/%s to %s params %q; want params %q",
			m.Type, m.TemplateName, m.TemplateLanguage, m.To, m.BodyParams, want)
	}
	if m.BizOpaqueCallbackData != ten.ID+"/"+jobID {
		t.Errorf("biz_opaque_callback_data %q, want %q", m.BizOpaqueCallbackData, ten.ID+"/"+jobID)
	}
	if job.ProviderMessageID == "" || job.ProviderMessageID != m.WAMID {
		t.Errorf("job wamid %q, Meta wamid %q", job.ProviderMessageID, m.WAMID)
	}
	if job.DeliveryMode != domain.DeliveryTemplate || job.TemplateName != "aviso_de_agendamento" || job.TemplateLanguage != "pt_BR" {
		t.Errorf("job delivery: %s %s %s", job.DeliveryMode, job.TemplateName, job.TemplateLanguage)
	}
	events := []string{}
	for _, e := range job.Timeline {
		events = append(events, e.Event)
	}
	// "queued" is written after the task is created; a fast dispatch may come first.
	if got := strings.Join(events, ","); got != "created,queued,sent" && got != "created,sent" {
		t.Errorf("timeline %s, want created,queued,sent (or created,sent)", got)
	}

	reminder := getJob(t, s, ten.ID, domain.JobID(aptID, domain.JobReminder, 1))
	if reminder.Status != domain.JobPending || !reminder.ScheduledFor.Equal(startsAt.Add(-24*time.Hour)) {
		t.Errorf("reminder: %s at %v, want pending at %v", reminder.Status, reminder.ScheduledFor, startsAt.Add(-24*time.Hour))
	}
}

func TestReminderRecordedSkippedWhenTooLate(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, key := demo(t, s, nil)
	r := call(t, s, key, "POST", "/v1/appointments", appointmentBody("soon-1", time.Now().Add(3*time.Hour)))
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	rem := getJob(t, s, ten.ID, domain.JobID(appointmentID(t, r), domain.JobReminder, 1))
	if rem.Status != domain.JobSkipped || rem.ReasonCode != domain.ReasonReminderTooLate || rem.Reason == "" {
		t.Errorf("reminder: %s %s %q", rem.Status, rem.ReasonCode, rem.Reason)
	}
}

// storeWithoutQueue stores an appointment and its jobs the way the API does, but
// leaves the queueing to the test.
func storeWithoutQueue(t *testing.T, s *devstack.Stack, ten *domain.Tenant, externalID string) (aptID, jobID string) {
	t.Helper()
	ctx := context.Background()
	st, err := s.Env.Store(ctx)
	if err != nil {
		t.Fatal(err)
	}
	svc := &booking.Service{Store: st, Tasks: noQueue{}, Log: s.Env.Log, Now: time.Now}
	apt, _, _, err := svc.Create(ctx, ten, booking.NewAppointment{
		ExternalID: externalID, ClientName: "Ana Lima", ClientPhone: "+5511987650002",
		Service: "Extensão de cílios", StartsAt: time.Now().Add(48 * time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	return apt.ID, domain.JobID(apt.ID, domain.JobCreated, 0)
}

type noQueue struct{}

func (noQueue) Enqueue(context.Context, queue.Route, string, time.Time, queue.Payload) (bool, error) {
	return true, nil
}

// enqueueLater creates the job's task an hour ahead, so that only the test delivers it.
func enqueueLater(t *testing.T, s *devstack.Stack, tenantID, jobID string) string {
	t.Helper()
	q, err := s.Env.Tasks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	name := queue.TaskName(tenantID, jobID, queue.SendPurpose(1))
	route := queue.Route{TenantID: tenantID, Lane: queue.LaneNow}
	if _, err := q.Enqueue(context.Background(), route, name, time.Now().Add(time.Hour), queue.Payload{TenantID: tenantID, JobID: jobID}); err != nil {
		t.Fatal(err)
	}
	return q.QueueName(tenantID, queue.LaneNow) + "/tasks/" + name
}

func TestSameTaskDeliveredThreeTimesConcurrentlySendsOnce(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, _ := demo(t, s, nil)
	_, jobID := storeWithoutQueue(t, s, ten, "dup-1")
	task := enqueueLater(t, s, ten.ID, jobID)

	if err := s.Tasks.Redeliver(task, 3); err != nil {
		t.Fatal(err)
	}
	job := waitJob(t, s, ten.ID, jobID, 10*time.Second, final)
	if job.Status != domain.JobSent {
		t.Fatalf("status %s (%s)", job.Status, job.Reason)
	}
	if n := len(s.Meta.Requests()); n != 1 {
		t.Fatalf("Meta got %d requests, want 1", n)
	}
	if len(job.Attempts) != 1 {
		t.Errorf("attempts %+v, want one", job.Attempts)
	}
	// A late duplicate after the send changes nothing either.
	if err := s.Tasks.Redeliver(task, 2); err != nil {
		t.Fatal(err)
	}
	if n := len(s.Meta.Requests()); n != 1 {
		t.Fatalf("after late duplicates Meta got %d requests, want 1", n)
	}
}

func TestRetryableFailuresThenSent(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, key := demo(t, s, nil)
	s.Meta.FailNext(
		metastandin.Fault{HTTPStatus: 500},
		metastandin.Fault{HTTPStatus: 429, Code: 130429, Message: "(#130429) Rate limit hit", Details: "Cloud API message throughput has been reached."},
	)
	r := call(t, s, key, "POST", "/v1/appointments", appointmentBody("retry-1", time.Now().Add(50*time.Hour)))
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	jobID := domain.JobID(appointmentID(t, r), domain.JobCreated, 0)
	job := waitJob(t, s, ten.ID, jobID, 15*time.Second, final)
	if job.Status != domain.JobSent {
		t.Fatalf("status %s (%s), attempts %+v", job.Status, job.Reason, job.Attempts)
	}
	if len(job.Attempts) != 3 {
		t.Fatalf("attempts %+v, want 3", job.Attempts)
	}
	a := job.Attempts
	if a[0].Outcome != "retry" || a[0].HTTPStatus != 500 || a[1].Outcome != "retry" || a[1].ErrorCode != 130429 || a[2].Outcome != "sent" {
		t.Errorf("attempts %+v", a)
	}
	if !a[1].At.After(a[0].At) || !a[2].At.After(a[1].At) {
		t.Errorf("attempt times not increasing: %+v", a)
	}
	if n := len(s.Meta.Requests()); n != 3 {
		t.Errorf("Meta got %d requests, want 3", n)
	}
	retries := 0
	for _, e := range job.Timeline {
		if e.Event == "retry_scheduled" {
			retries++
			if !strings.Contains(e.Detail, "Nova tentativa automática") && !strings.Contains(e.Detail, "nova tentativa às") {
				t.Errorf("retry entry without its Portuguese detail: %q", e.Detail)
			}
		}
	}
	if retries != 2 {
		t.Errorf("%d retry entries on the timeline, want 2", retries)
	}
}

func TestRetriesStopAtTheMaximum(t *testing.T) {
	t.Parallel()
	s := fast(t, func(c *config.Config) { c.MaxRetries = 2 })
	ten, key := demo(t, s, nil)
	s.Meta.FailNext(metastandin.Fault{HTTPStatus: 503}, metastandin.Fault{HTTPStatus: 503}, metastandin.Fault{HTTPStatus: 503}, metastandin.Fault{HTTPStatus: 503})
	r := call(t, s, key, "POST", "/v1/appointments", appointmentBody("retry-max", time.Now().Add(50*time.Hour)))
	jobID := domain.JobID(appointmentID(t, r), domain.JobCreated, 0)
	job := waitJob(t, s, ten.ID, jobID, 15*time.Second, final)
	if job.Status != domain.JobFailed || job.ReasonCode != domain.ReasonRetriesExhausted || len(job.Attempts) != 3 {
		t.Fatalf("status %s %s %q, %d attempts", job.Status, job.ReasonCode, job.Reason, len(job.Attempts))
	}
	time.Sleep(time.Second)
	if n := len(s.Meta.Requests()); n != 3 {
		t.Errorf("Meta got %d requests, want 3 (1 + 2 retries)", n)
	}
}

func TestExpiredTokenFailsAtOnce(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, key := demo(t, s, nil)
	s.Meta.FailNext(metastandin.Fault{HTTPStatus: 401, Code: 190, Subcode: 463,
		Message: "Error validating access token: Session has expired on Friday, 27-Nov-26 10:00:00 PST."})
	r := call(t, s, key, "POST", "/v1/appointments", appointmentBody("token-1", time.Now().Add(50*time.Hour)))
	jobID := domain.JobID(appointmentID(t, r), domain.JobCreated, 0)
	job := waitJob(t, s, ten.ID, jobID, 10*time.Second, final)
	if job.Status != domain.JobFailed || job.ErrorCode != 190 || job.Reason != "Token da Meta expirado: reconecte a conta do WhatsApp." {
		t.Fatalf("job: %s code %d reason %q", job.Status, job.ErrorCode, job.Reason)
	}
	time.Sleep(time.Second) // several retry delays
	if n := len(s.Meta.Requests()); n != 1 {
		t.Errorf("Meta got %d requests, want 1 (no retry)", n)
	}
}

func TestWrongTokenIsRejectedByMetaStandIn(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, key := demo(t, s, nil)
	// The Meta stand-in knows the number with another token: it answers 190 itself.
	s.Meta.AddNumber(metastandin.Number{PhoneNumberID: ten.WhatsApp.PhoneNumberID, AccessToken: "rotated-token"})
	r := call(t, s, key, "POST", "/v1/appointments", appointmentBody("token-2", time.Now().Add(50*time.Hour)))
	job := waitJob(t, s, ten.ID, domain.JobID(appointmentID(t, r), domain.JobCreated, 0), 10*time.Second, final)
	if job.Status != domain.JobFailed || job.ErrorCode != 190 {
		t.Fatalf("job: %s code %d reason %q", job.Status, job.ErrorCode, job.Reason)
	}
}

func TestLostResponseWaitsThenRetriesOnce(t *testing.T) {
	t.Parallel()
	s := fast(t, nil) // Meta timeout 1 s, wait for a status 3 s
	ten, key := demo(t, s, nil)
	s.Meta.FailNext(metastandin.Fault{AcceptThenHang: true})
	r := call(t, s, key, "POST", "/v1/appointments", appointmentBody("lost-1", time.Now().Add(50*time.Hour)))
	jobID := domain.JobID(appointmentID(t, r), domain.JobCreated, 0)

	job := waitJob(t, s, ten.ID, jobID, 10*time.Second, func(j *domain.Job) bool { return j.Status == domain.JobUnknown })
	unknownAt := job.Attempts[len(job.Attempts)-1].At
	// Within the waiting delay nothing is sent again, whatever the queue does.
	for time.Since(unknownAt) < 2500*time.Millisecond {
		if n := len(s.Meta.Requests()); n != 1 {
			t.Fatalf("%d requests to Meta %v after the lost answer, want 1", n, time.Since(unknownAt))
		}
		time.Sleep(100 * time.Millisecond)
	}
	job = waitJob(t, s, ten.ID, jobID, 10*time.Second, final)
	if job.Status != domain.JobSent {
		t.Fatalf("status %s (%s)", job.Status, job.Reason)
	}
	reqs := s.Meta.Requests()
	if len(reqs) != 2 {
		t.Fatalf("Meta got %d requests, want 2", len(reqs))
	}
	if gap := reqs[1].At.Sub(reqs[0].At); gap < 3*time.Second {
		t.Errorf("retry came %v after the first request, before the 3 s wait", gap)
	}
	if len(job.Attempts) != 2 || job.Attempts[0].Outcome != "unknown" || job.Attempts[1].Outcome != "sent" {
		t.Errorf("attempts %+v", job.Attempts)
	}
}

func TestNoSendCases(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		configure func(*config.Config)
		tenant    func(*devstack.Tenant)
		cancel    bool
		status    domain.JobStatus
		reason    string
	}{
		{name: "environment dry run", configure: func(c *config.Config) { c.Mode = domain.ModeDryRun }, status: domain.JobSkipped, reason: domain.ReasonDryRun},
		{name: "environment disabled", configure: func(c *config.Config) { c.Mode = domain.ModeDisabled }, status: domain.JobSkipped, reason: domain.ReasonModeDisabled},
		{name: "tenant disabled", tenant: func(t *devstack.Tenant) { t.Mode = domain.ModeDisabled }, status: domain.JobSkipped, reason: domain.ReasonModeDisabled},
		{name: "tenant dry run", tenant: func(t *devstack.Tenant) { t.Mode = domain.ModeDryRun }, status: domain.JobSkipped, reason: domain.ReasonDryRun},
		{name: "outside the allowlist", configure: func(c *config.Config) { c.AllowedTenantIDs = []string{"another-studio"} }, status: domain.JobSkipped, reason: domain.ReasonTenantNotAllowed},
		{name: "kill switch", tenant: func(t *devstack.Tenant) { t.KillSwitch = true }, status: domain.JobSkipped, reason: domain.ReasonKillSwitch},
		{name: "no template", tenant: func(t *devstack.Tenant) { delete(t.Templates, string(domain.JobCreated)) }, status: domain.JobSkipped, reason: domain.ReasonTemplateMissing},
		{name: "canceled appointment", cancel: true, status: domain.JobSkipped, reason: domain.ReasonAppointmentGone},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := fast(t, tc.configure)
			ten, key := demo(t, s, tc.tenant)
			aptID, jobID := storeWithoutQueue(t, s, ten, "nosend-1")
			if tc.cancel {
				if r := call(t, s, key, "POST", "/v1/appointments/"+aptID+"/cancel", map[string]any{"notify_client": false}); r.Status != 200 {
					t.Fatalf("cancel: %d %s", r.Status, r.Raw)
				}
			}
			task := enqueueLater(t, s, ten.ID, jobID)
			if err := s.Tasks.Redeliver(task, 1); err != nil {
				t.Fatal(err)
			}
			job := waitJob(t, s, ten.ID, jobID, 10*time.Second, final)
			if job.Status != tc.status || job.ReasonCode != tc.reason || job.Reason == "" {
				t.Errorf("job: %s %s %q, want %s %s", job.Status, job.ReasonCode, job.Reason, tc.status, tc.reason)
			}
			if n := len(s.Meta.Requests()); n != 0 {
				t.Errorf("Meta got %d requests, want none", n)
			}
			if tc.reason == domain.ReasonDryRun {
				if !strings.Contains(job.DryRunRequest, `"name":"aviso_de_agendamento"`) || !strings.Contains(job.DryRunRequest, `"to":"+5511987650002"`) {
					t.Errorf("dry run request not recorded: %q", job.DryRunRequest)
				}
			}
		})
	}
}

func TestTestRecipientOverride(t *testing.T) {
	t.Parallel()
	s := fast(t, func(c *config.Config) { c.TestRecipient = "+5511900000000" })
	ten, key := demo(t, s, nil)
	r := call(t, s, key, "POST", "/v1/appointments", appointmentBody("override-1", time.Now().Add(50*time.Hour)))
	job := waitJob(t, s, ten.ID, domain.JobID(appointmentID(t, r), domain.JobCreated, 0), 10*time.Second, final)
	sent := s.Meta.Accepted()
	if job.Status != domain.JobSent || len(sent) != 1 || sent[0].To != "+5511900000000" || job.Recipient != "+5511900000000" {
		t.Fatalf("job %s to %s; Meta got %+v", job.Status, job.Recipient, sent)
	}
}

func TestSameExternalIDTwice(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, key := demo(t, s, nil)
	startsAt := time.Now().Add(80 * time.Hour).Truncate(time.Second)

	first := call(t, s, key, "POST", "/v1/appointments", appointmentBody("twice-1", startsAt))
	second := call(t, s, key, "POST", "/v1/appointments", appointmentBody("twice-1", startsAt))
	if first.Status != 201 || second.Status != 200 || appointmentID(t, first) != appointmentID(t, second) {
		t.Fatalf("first %d %s; second %d %s", first.Status, first.Raw, second.Status, second.Raw)
	}
	changed := appointmentBody("twice-1", startsAt.Add(time.Hour))
	if r := call(t, s, key, "POST", "/v1/appointments", changed); r.Status != 409 {
		t.Errorf("same external_id with another time: %d %s, want 409", r.Status, r.Raw)
	}

	// Concurrently: five posts of a new booking.
	var wg sync.WaitGroup
	replies := make([]reply, 5)
	for i := range replies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			replies[i] = call(t, s, key, "POST", "/v1/appointments", appointmentBody("twice-2", startsAt))
		}()
	}
	wg.Wait()
	created := 0
	for _, r := range replies {
		switch r.Status {
		case 201:
			created++
		case 200:
		default:
			t.Fatalf("concurrent create: %d %s", r.Status, r.Raw)
		}
		if appointmentID(t, r) != appointmentID(t, replies[0]) {
			t.Fatal("concurrent creates returned different appointments")
		}
	}
	if created != 1 {
		t.Errorf("%d creates answered 201, want 1", created)
	}
	jobs := 0
	for path := range dump(t, s) {
		if strings.Contains(path, "/jobs/") {
			jobs++
		}
	}
	if jobs != 4 {
		t.Errorf("%d jobs stored for two bookings, want 4", jobs)
	}
	for _, id := range []string{appointmentID(t, first), appointmentID(t, replies[0])} {
		waitJob(t, s, ten.ID, domain.JobID(id, domain.JobCreated, 0), 10*time.Second, final)
	}
	if n := len(s.Meta.Accepted()); n != 2 {
		t.Errorf("Meta accepted %d notices for two bookings, want 2", n)
	}
}

func TestRescheduleAndCancelThroughTheAPI(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, key := demo(t, s, nil)
	r := call(t, s, key, "POST", "/v1/appointments", appointmentBody("move-1", time.Now().Add(80*time.Hour)))
	aptID := appointmentID(t, r)

	newStart := time.Now().Add(120 * time.Hour).Truncate(time.Second)
	r = call(t, s, key, "PATCH", "/v1/appointments/"+aptID, map[string]any{"starts_at": newStart.Format(time.RFC3339)})
	if r.Status != 200 {
		t.Fatalf("reschedule: %d %s", r.Status, r.Raw)
	}
	old := getJob(t, s, ten.ID, domain.JobID(aptID, domain.JobReminder, 1))
	if old.Status != domain.JobSkipped || old.ReasonCode != domain.ReasonRescheduled {
		t.Errorf("old reminder: %s %s", old.Status, old.ReasonCode)
	}
	fresh := getJob(t, s, ten.ID, domain.JobID(aptID, domain.JobReminder, 2))
	if fresh.Status != domain.JobPending || !fresh.ScheduledFor.Equal(newStart.Add(-24*time.Hour)) {
		t.Errorf("new reminder: %s at %v", fresh.Status, fresh.ScheduledFor)
	}

	r = call(t, s, key, "POST", "/v1/appointments/"+aptID+"/cancel", map[string]any{"notify_client": false})
	if r.Status != 200 {
		t.Fatalf("cancel: %d %s", r.Status, r.Raw)
	}
	apt := r.Body["appointment"].(map[string]any)
	if apt["status"] != "canceled" {
		t.Errorf("appointment status %v", apt["status"])
	}
	fresh = getJob(t, s, ten.ID, domain.JobID(aptID, domain.JobReminder, 2))
	if fresh.Status != domain.JobSkipped || fresh.ReasonCode != domain.ReasonAppointmentGone {
		t.Errorf("reminder after cancel: %s %s", fresh.Status, fresh.ReasonCode)
	}
	if r := call(t, s, key, "PATCH", "/v1/appointments/"+aptID, map[string]any{"starts_at": newStart.Add(time.Hour).Format(time.RFC3339)}); r.Status != 409 {
		t.Errorf("reschedule of a canceled appointment: %d %s, want 409", r.Status, r.Raw)
	}
}

func TestBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, key := demo(t, s, nil)
	other, otherKey := demo(t, s, func(o *devstack.Tenant) {
		o.ID, o.Name, o.APIKey, o.AccessToken = "outro-estudio", "Outro Estúdio", "", "other-token"
		o.WhatsApp.PhoneNumberID, o.WhatsApp.WABAID = "200000000000001", "200000000000009"
	})
	_ = ten
	r := call(t, s, otherKey, "POST", "/v1/appointments", appointmentBody("other-1", time.Now().Add(80*time.Hour)))
	if r.Status != 201 {
		t.Fatalf("other tenant's appointment: %d %s", r.Status, r.Raw)
	}
	otherApt := appointmentID(t, r)
	waitJob(t, s, other.ID, domain.JobID(otherApt, domain.JobCreated, 0), 10*time.Second, final)
	r = call(t, s, key, "POST", "/v1/appointments", appointmentBody("mine-1", time.Now().Add(80*time.Hour)))
	mine := appointmentID(t, r)
	waitJob(t, s, ten.ID, domain.JobID(mine, domain.JobCreated, 0), 10*time.Second, final)

	future := time.Now().Add(80 * time.Hour).Format(time.RFC3339)
	with := func(k string, v any) map[string]any {
		b := appointmentBody("bad-1", time.Now().Add(80*time.Hour))
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
		return b
	}
	cases := []struct {
		name, key, method, path string
		body                    any
		status                  int
		code                    string
	}{
		{"no key", "", "POST", "/v1/appointments", with("x", nil), 401, "unauthenticated"},
		{"wrong key", "lembra_wrong", "POST", "/v1/appointments", with("x", nil), 401, "unauthenticated"},
		{"missing external_id", key, "POST", "/v1/appointments", with("external_id", nil), 400, "required"},
		{"missing client_name", key, "POST", "/v1/appointments", with("client_name", nil), 400, "required"},
		{"missing client_phone", key, "POST", "/v1/appointments", with("client_phone", nil), 400, "required"},
		{"missing service", key, "POST", "/v1/appointments", with("service", nil), 400, "required"},
		{"missing starts_at", key, "POST", "/v1/appointments", with("starts_at", nil), 400, "required"},
		{"phone without country code", key, "POST", "/v1/appointments", with("client_phone", "11987654321"), 400, "invalid_phone"},
		{"phone with letters", key, "POST", "/v1/appointments", with("client_phone", "+55 11 9876-5432"), 400, "invalid_phone"},
		{"start in the past", key, "POST", "/v1/appointments", with("starts_at", time.Now().Add(-time.Hour).Format(time.RFC3339)), 400, "in_past"},
		{"start not RFC 3339", key, "POST", "/v1/appointments", with("starts_at", "01/12/2026 14:00"), 400, "invalid_time"},
		{"start without offset", key, "POST", "/v1/appointments", with("starts_at", "2026-12-01T14:00:00"), 400, "invalid_time"},
		{"number for a string", key, "POST", "/v1/appointments", with("service", 12), 400, "invalid_type"},
		{"unknown field", key, "POST", "/v1/appointments", with("price", "100"), 400, "unknown_field"},
		{"not JSON", key, "POST", "/v1/appointments", "{external_id:", 400, "invalid_json"},
		{"empty body", key, "POST", "/v1/appointments", "", 400, "empty_body"},
		{"oversized body", key, "POST", "/v1/appointments", with("service", strings.Repeat("x", 20000)), 413, "body_too_large"},
		{"unknown id: get", key, "GET", "/v1/appointments/apt_doesnotexist", nil, 404, "not_found"},
		{"unknown id: reschedule", key, "PATCH", "/v1/appointments/apt_doesnotexist", map[string]any{"starts_at": future}, 404, "not_found"},
		{"unknown id: cancel", key, "POST", "/v1/appointments/apt_doesnotexist/cancel", map[string]any{"notify_client": false}, 404, "not_found"},
		{"another tenant's id: get", key, "GET", "/v1/appointments/" + otherApt, nil, 404, "not_found"},
		{"another tenant's id: reschedule", key, "PATCH", "/v1/appointments/" + otherApt, map[string]any{"starts_at": future}, 404, "not_found"},
		{"another tenant's id: cancel", key, "POST", "/v1/appointments/" + otherApt + "/cancel", map[string]any{"notify_client": true}, 404, "not_found"},
		{"reschedule into the past", key, "PATCH", "/v1/appointments/" + mine, map[string]any{"starts_at": time.Now().Add(-time.Hour).Format(time.RFC3339)}, 400, "in_past"},
		{"reschedule without time", key, "PATCH", "/v1/appointments/" + mine, map[string]any{}, 400, "required"},
		{"cancel without notify_client", key, "POST", "/v1/appointments/" + mine + "/cancel", map[string]any{}, 400, "required"},
		{"cancel with a string flag", key, "POST", "/v1/appointments/" + mine + "/cancel", map[string]any{"notify_client": "sim"}, 400, "invalid_type"},
		{"name too long", key, "POST", "/v1/appointments", with("client_name", strings.Repeat("a", 121)), 400, "too_long"},
		{"service with a line break", key, "POST", "/v1/appointments", with("service", "Corte\nEscova"), 400, "invalid_text"},
		{"location with a tab", key, "POST", "/v1/appointments", with("location", "Rua A,\t10"), 400, "invalid_text"},
		{"start too far", key, "POST", "/v1/appointments", with("starts_at", time.Now().AddDate(3, 0, 0).Format(time.RFC3339)), 400, "too_far"},
		{"same external_id, other time", key, "POST", "/v1/appointments", map[string]any{"external_id": "mine-1", "client_name": "Maria Souza",
			"client_phone": "+5511987654321", "service": "Design de sobrancelhas", "starts_at": time.Now().Add(90 * time.Hour).Format(time.RFC3339)}, 409, "external_id_conflict"},
		{"encoded slash in the id", key, "GET", "/v1/appointments/apt_x%2Fjobs", nil, 404, "not_found"},
		{"unknown endpoint", key, "DELETE", "/v1/appointments/" + mine, nil, 404, "not_found"},
	}
	before := dump(t, s)
	requestsBefore := len(s.Meta.Requests())
	req, _ := http.NewRequest("POST", s.URL+"/api/v1/appointments", strings.NewReader(`external_id=1`))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 415 {
		t.Errorf("form body: %v %v, want 415", resp.StatusCode, err)
	}
	for _, tc := range cases {
		r := call(t, s, tc.key, tc.method, tc.path, tc.body)
		errObj, _ := r.Body["error"].(map[string]any)
		if r.Status != tc.status || (tc.code != "" && (errObj == nil || errObj["code"] != tc.code || errObj["message"] == "")) {
			t.Errorf("%s: got %d %s, want %d %s", tc.name, r.Status, r.Raw, tc.status, tc.code)
		}
	}
	after := dump(t, s)
	if len(before) != len(after) {
		t.Fatalf("documents: %d before, %d after", len(before), len(after))
	}
	for path, doc := range before {
		if fmt.Sprint(doc) != fmt.Sprint(after[path]) {
			t.Errorf("document %s changed:\nbefore %v\nafter  %v", path, doc, after[path])
		}
	}
	if n := len(s.Meta.Requests()); n != requestsBefore {
		t.Errorf("bad input caused %d Meta requests", n-requestsBefore)
	}
}

func TestInterruptedSendWaitsForItsStatus(t *testing.T) {
	t.Parallel()
	s := fast(t, nil) // wait for a status 3 s
	ten, _ := demo(t, s, nil)
	ctx := context.Background()
	_, jobID := storeWithoutQueue(t, s, ten, "crash-1")
	// A dispatch claimed the job and died: its lease has run out, no outcome recorded.
	st, _ := s.Env.Store(ctx)
	if _, err := st.UpdateJob(ctx, ten.ID, jobID, func(tx *store.JobTx) error {
		tx.Job.Status, tx.Job.LeaseUntil = domain.JobSending, time.Now().Add(-time.Second)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	task := enqueueLater(t, s, ten.ID, jobID)
	if err := s.Tasks.Redeliver(task, 1); err != nil {
		t.Fatal(err)
	}
	job := waitJob(t, s, ten.ID, jobID, 10*time.Second, func(j *domain.Job) bool { return j.Status == domain.JobUnknown })
	// Duplicates of the task during the wait send nothing.
	if err := s.Tasks.Redeliver(task, 3); err != nil {
		t.Fatal(err)
	}
	if n := len(s.Meta.Requests()); n != 0 {
		t.Fatalf("%d requests to Meta during the wait", n)
	}
	job = waitJob(t, s, ten.ID, jobID, 15*time.Second, final)
	if job.Status != domain.JobSent || len(s.Meta.Requests()) != 1 {
		t.Fatalf("job %s after the wait; %d requests to Meta", job.Status, len(s.Meta.Requests()))
	}
}

func TestNetworkFailureIsRetried(t *testing.T) {
	t.Parallel()
	s := fast(t, func(c *config.Config) { c.MetaBaseURL = "http://127.0.0.1:1" }) // nothing listens there
	ten, key := demo(t, s, nil)
	r := call(t, s, key, "POST", "/v1/appointments", appointmentBody("net-1", time.Now().Add(50*time.Hour)))
	job := waitJob(t, s, ten.ID, domain.JobID(appointmentID(t, r), domain.JobCreated, 0), 15*time.Second,
		func(j *domain.Job) bool { return len(j.Attempts) >= 2 })
	if job.Attempts[0].Outcome != "retry" || !strings.Contains(job.Timeline[len(job.Timeline)-1].Detail+job.Timeline[len(job.Timeline)-2].Detail, "falha de rede") {
		t.Errorf("attempts %+v timeline %+v", job.Attempts, job.Timeline)
	}
}
