package devstack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/scripts/internal/standin/metastandin"
	"github.com/lembra-app/lembra/shared/booking"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/ptbr"
	"github.com/lembra-app/lembra/shared/reminders"
	"github.com/lembra-app/lembra/shared/store"
)

// countedStore is a store on the stack's project whose client counts, at the gRPC
// level, the documents Firestore returns to it (devstack.CountedFirestoreClient).
func countedStore(tb testing.TB, s *devstack.Stack) (*store.Store, *readCounter) {
	tb.Helper()
	counted, ops, err := devstack.CountedFirestoreClient(context.Background(), os.Getenv("FIRESTORE_EMULATOR_HOST"), s.Config.Project)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { counted.Close() })
	return store.New(counted), &readCounter{n: docReads{ops}}
}

// readCounter counts the documents Firestore returns to a client: what it bills as
// reads (n.Load()).
type readCounter struct{ n docReads }

type docReads struct{ ops func() devstack.FirestoreOps }

func (d docReads) Load() int64 { return d.ops().Reads() }

func scanResult(t *testing.T, s *devstack.Stack) reminders.Result {
	t.Helper()
	resp, err := s.RunReminderScan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("scan: %d %s", resp.StatusCode, body)
	}
	var r reminders.Result
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestScanReadsGrowWithDueRemindersOnly(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, _ := demo(t, s, nil)
	ctx := context.Background()
	fs, _ := s.Env.Firestore(ctx)
	now := time.Now().UTC()
	bw := fs.BulkWriter(ctx)
	const total, due = 10000, 37
	for i := range total {
		starts := now.Add(48*time.Hour + time.Duration(i)*time.Minute) // reminders from 24 h ahead on
		if i < due {
			starts = now.Add(24*time.Hour + time.Minute + time.Duration(i)*time.Second) // reminders due within the horizon
		}
		j := domain.Job{TenantID: ten.ID, AppointmentID: fmt.Sprintf("apt-%05d", i), Type: domain.JobReminder, Status: domain.JobPending,
			ScheduledFor: starts.Add(-24 * time.Hour), AppointmentStartsAt: starts, ScheduleVersion: 1, CreatedAt: now}
		if _, err := bw.Create(fs.Collection("tenants").Doc(ten.ID).Collection("jobs").Doc(fmt.Sprintf("r-%05d", i)), j); err != nil {
			t.Fatal(err)
		}
	}
	bw.End()

	counted, reads := countedStore(t, s)
	q, _ := s.Env.Tasks(ctx)
	svc := &reminders.Service{Store: counted, Tasks: q, Log: s.Env.Log, Now: time.Now, Horizon: 10 * time.Minute, BatchLimit: 200}

	res, err := svc.Scan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	first := reads.n.Load()
	if res.Found != due || res.Enqueued != due || res.AlreadyQueued != 0 || res.Skipped != 0 {
		t.Fatalf("first scan: %+v, want %d found and enqueued", res, due)
	}
	tasks := 0
	for _, task := range s.Tasks.Tasks() {
		if strings.Contains(string(task.GetHttpRequest().GetBody()), `"job_id":"r-000`) {
			tasks++
		}
	}
	if tasks != due {
		t.Errorf("%d tasks on the queue, want %d", tasks, due)
	}
	// One read to find each due job, one to mark it queued: proportional to 37, not 10,000.
	if first < due || first > 2*due+2 {
		t.Errorf("first scan read %d documents for %d due reminders among %d", first, due, total)
	}
	res, err = svc.Scan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	second := reads.n.Load() - first
	if res.Found != 0 || res.Enqueued != 0 || second > 2 {
		t.Errorf("second scan: %+v, %d reads", res, second)
	}
	t.Logf("scan over %d reminders, %d due: %d document reads; the scan after it: %d", total, due, first, second)
}

// bookAt creates an appointment as if at clock time `at` (the booking service's clock),
// without queueing its notice, and returns it.
func bookAt(t *testing.T, s *devstack.Stack, ten *domain.Tenant, externalID string, at, startsAt time.Time) *domain.Appointment {
	t.Helper()
	st, _ := s.Env.Store(context.Background())
	svc := &booking.Service{Store: st, Tasks: noQueue{}, Log: s.Env.Log, Now: func() time.Time { return at }}
	apt, _, _, err := svc.Create(context.Background(), ten, booking.NewAppointment{
		ExternalID: externalID, ClientName: "Cliente " + externalID, ClientPhone: "+5511987650" + fmt.Sprintf("%03d", len(externalID)*7%1000),
		Service: "Manicure", StartsAt: startsAt,
	})
	if err != nil {
		t.Fatal(err)
	}
	return apt
}

func reminderRequests(s *devstack.Stack) []metastandin.Request {
	return acceptedTemplate(s, "confirmacao_de_agendamento_24h")
}

func TestConcurrentScansSendEachReminderOnce(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, _ := demo(t, s, nil)
	now := time.Now()
	var ids []string
	for i := range 12 {
		apt := bookAt(t, s, ten, fmt.Sprintf("conc-%02d", i), now, now.Add(24*time.Hour+2*time.Second))
		ids = append(ids, domain.JobID(apt.ID, domain.JobReminder, 1))
	}
	var wg sync.WaitGroup
	results := make([]reminders.Result, 2)
	for i := range results {
		wg.Add(1)
		go func() { defer wg.Done(); results[i] = scanResult(t, s) }()
	}
	wg.Wait()
	if got := results[0].Enqueued + results[1].Enqueued; got != 12 {
		t.Errorf("scans enqueued %d in all (%+v), want 12", got, results)
	}
	for _, id := range ids {
		j := waitJob(t, s, ten.ID, id, 15*time.Second, final)
		if j.Status != domain.JobSent {
			t.Errorf("reminder %s: %s %s", id, j.Status, j.Reason)
		}
	}
	time.Sleep(time.Second)
	if n := len(reminderRequests(s)); n != 12 {
		t.Errorf("Meta got %d reminders, want 12", n)
	}
}

func TestSchedulerOutageOfThreeHours(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, _ := demo(t, s, nil)
	now := time.Now()
	ahead := bookAt(t, s, ten, "ahead", now.Add(-3*time.Hour-time.Minute), now.Add(21*time.Hour)) // reminder due 3 h ago
	started := bookAt(t, s, ten, "started", now.Add(-25*time.Hour), now.Add(-30*time.Minute))     // appointment began 30 min ago
	res := scanResult(t, s)
	if res.Found != 2 || res.Enqueued != 1 || res.Skipped != 1 {
		t.Fatalf("scan after the outage: %+v", res)
	}
	sent := waitJob(t, s, ten.ID, domain.JobID(ahead.ID, domain.JobReminder, 1), 10*time.Second, final)
	skipped := getJob(t, s, ten.ID, domain.JobID(started.ID, domain.JobReminder, 1))
	if sent.Status != domain.JobSent {
		t.Errorf("overdue reminder of an appointment still ahead: %s %s", sent.Status, sent.Reason)
	}
	if skipped.Status != domain.JobSkipped || skipped.ReasonCode != domain.ReasonAppointmentPast || skipped.Reason == "" {
		t.Errorf("reminder of a started appointment: %s %s", skipped.Status, skipped.ReasonCode)
	}
	if n := len(reminderRequests(s)); n != 1 {
		t.Errorf("Meta got %d reminders, want 1", n)
	}
}

func TestRescheduleAfterTheReminderWasQueued(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, key := demo(t, s, nil)
	now := time.Now()
	apt := bookAt(t, s, ten, "move-q", now, now.Add(24*time.Hour+5*time.Second))
	if res := scanResult(t, s); res.Enqueued != 1 {
		t.Fatalf("scan: %+v", res)
	}
	newStart := time.Now().Add(24*time.Hour + 8*time.Second)
	r := call(t, s, key, "PATCH", "/v1/appointments/"+apt.ID, map[string]any{"starts_at": newStart.Format(time.RFC3339Nano)})
	if r.Status != 200 {
		t.Fatalf("reschedule: %d %s", r.Status, r.Raw)
	}
	time.Sleep(time.Until(now.Add(6 * time.Second))) // the old task fired at +5 s
	old := getJob(t, s, ten.ID, domain.JobID(apt.ID, domain.JobReminder, 1))
	if old.Status != domain.JobSkipped || old.ReasonCode != domain.ReasonRescheduled {
		t.Errorf("old reminder: %s %s", old.Status, old.ReasonCode)
	}
	if n := len(reminderRequests(s)); n != 0 {
		t.Fatalf("the old reminder's task sent %d messages", n)
	}
	if res := scanResult(t, s); res.Enqueued != 1 {
		t.Fatalf("scan after the reschedule: %+v", res)
	}
	fresh := waitJob(t, s, ten.ID, domain.JobID(apt.ID, domain.JobReminder, 2), 15*time.Second, final)
	reqs := reminderRequests(s)
	if fresh.Status != domain.JobSent || len(reqs) != 1 || reqs[0].BodyParams[3] != ptbr.Time(newStart, ten.Location()) {
		t.Fatalf("new reminder %s; Meta got %+v", fresh.Status, reqs)
	}
}

func TestReminderOfACanceledAppointmentSendsNothing(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, key := demo(t, s, nil)
	now := time.Now()
	apt := bookAt(t, s, ten, "cancel-q", now, now.Add(24*time.Hour+2*time.Second))
	if res := scanResult(t, s); res.Enqueued != 1 {
		t.Fatalf("scan: %+v", res)
	}
	if r := call(t, s, key, "POST", "/v1/appointments/"+apt.ID+"/cancel", map[string]any{"notify_client": false}); r.Status != 200 {
		t.Fatalf("cancel: %d %s", r.Status, r.Raw)
	}
	time.Sleep(3 * time.Second)
	j := getJob(t, s, ten.ID, domain.JobID(apt.ID, domain.JobReminder, 1))
	if j.Status != domain.JobSkipped || j.ReasonCode != domain.ReasonAppointmentGone || len(s.Meta.Requests()) != 0 {
		t.Fatalf("reminder %s %s; %d requests to Meta", j.Status, j.ReasonCode, len(s.Meta.Requests()))
	}
}

func TestScanRequiresTheSchedulerIdentity(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, _ := demo(t, s, nil)
	now := time.Now()
	bookAt(t, s, ten, "auth-1", now, now.Add(24*time.Hour+time.Minute))
	before := len(s.Tasks.Tasks())
	wrongEmail, _ := s.Signer.IDToken(s.Config.RemindersAudience, "intruso@example.com", time.Minute)
	wrongAud, _ := s.Signer.IDToken(s.URL+"/api", devstack.SchedulerServiceAccount, time.Minute)
	cases := []struct {
		name, auth string
		status     int
	}{
		{"no token", "", 401},
		{"garbage", "Bearer abc.def.ghi", 401},
		{"another account", "Bearer " + wrongEmail, 403},
		{"another audience", "Bearer " + wrongAud, 401},
	}
	for _, c := range cases {
		req, _ := http.NewRequest("POST", s.URL+"/reminders", nil)
		if c.auth != "" {
			req.Header.Set("Authorization", c.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s: %d, want %d", c.name, resp.StatusCode, c.status)
		}
	}
	if after := len(s.Tasks.Tasks()); after != before {
		t.Errorf("refused calls enqueued %d tasks", after-before)
	}
	if res := scanResult(t, s); res.Enqueued != 1 {
		t.Errorf("the scheduler's own call: %+v", res)
	}
}
