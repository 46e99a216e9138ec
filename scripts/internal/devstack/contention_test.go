package devstack_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/scripts/internal/emulators"
	"github.com/lembra-app/lembra/scripts/internal/standin/metastandin"
	"github.com/lembra-app/lembra/shared/booking"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/logging"
)

// syncBuffer collects log lines written from many goroutines (a stack's, an emulator's).
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *syncBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// count reports how many lines of the log contain s (case-insensitive).
func (w *syncBuffer) count(s string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, line := range strings.Split(w.b.String(), "\n") {
		if strings.Contains(strings.ToLower(line), strings.ToLower(s)) {
			n++
		}
	}
	return n
}

// matching returns up to max lines of the log that contain s (case-insensitive).
func (w *syncBuffer) matching(s string, max int) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, line := range strings.Split(w.b.String(), "\n") {
		if len(out) < max && strings.Contains(strings.ToLower(line), strings.ToLower(s)) {
			out = append(out, line)
		}
	}
	return out
}

// loggedFirestore starts a Firestore emulator of the test's own, whose log the test
// reads, and points the stack's clients at it for the test's duration.
func loggedFirestore(tb testing.TB) *syncBuffer {
	tb.Helper()
	log := &syncBuffer{}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	emu, err := emulators.StartFirestore(ctx, "", log)
	if err != nil {
		tb.Fatalf("start a Firestore emulator of this test's own: %v", err)
	}
	tb.Cleanup(emu.Stop)
	tb.Setenv("FIRESTORE_EMULATOR_HOST", emu.Host)
	return log
}

// lockWaits is what the Firestore emulator logs when a transaction waited for another's
// lock on the same document until it gave up.
const lockWaits = "lock timeout"

// metaLikeStatuses makes the Meta stand-in post sent, then delivered, for every accepted
// message, 300 ms apart, as a phone that is online receives it.
func metaLikeStatuses(s *devstack.Stack) {
	s.Meta.SetWebhook(metastandin.WebhookOptions{URL: s.URL + "/webhook", AppSecret: devstack.AppSecret,
		AutoStatuses: []string{"sent", "delivered"}, Delay: 300 * time.Millisecond})
}

func quietStack(tb testing.TB, o devstack.Options) *devstack.Stack {
	tb.Helper()
	o.Log = logging.New(io.Discard, slog.LevelWarn)
	return devstack.ForTest(tb, o)
}

// createTimes posts n appointments one after another and returns each answer's time.
func createTimes(tb testing.TB, s *devstack.Stack, key, prefix string, n int) []time.Duration {
	tb.Helper()
	out := make([]time.Duration, 0, n)
	start := time.Now().Add(72 * time.Hour)
	for i := range n {
		body := appointmentBody(fmt.Sprintf("%s-%d", prefix, i), start.Add(time.Duration(i)*time.Hour))
		t0 := time.Now()
		r := callTB(tb, s, key, "POST", "/v1/appointments", body)
		out = append(out, time.Since(t0))
		if r.Status != http.StatusCreated {
			tb.Fatalf("create %d: %d %s", i, r.Status, r.Raw)
		}
	}
	return out
}

func percentile(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

// BenchmarkCreateAppointment measures the booking API's create, end to end over HTTP,
// while dispatch sends each booking notice through the Meta stand-in at the same time
// (the hand-off the two used to contend on), with statuses posted back as Meta does. It reports p50 and p95 over 100 sequential
// creates per iteration, and the emulator's lock-timeout warnings.
func BenchmarkCreateAppointment(b *testing.B) {
	log := loggedFirestore(b)
	s := quietStack(b, devstack.Options{})
	_, key, err := s.AddTenant(context.Background(), devstack.DemoTenant())
	if err != nil {
		b.Fatal(err)
	}
	metaLikeStatuses(s)
	var all []time.Duration
	i := 0
	for b.Loop() {
		all = append(all, createTimes(b, s, key, fmt.Sprintf("bench-%d", i), 100)...)
		i++
	}
	b.ReportMetric(float64(percentile(all, 0.50).Microseconds())/1000, "p50_ms")
	b.ReportMetric(float64(percentile(all, 0.95).Microseconds())/1000, "p95_ms")
	b.ReportMetric(float64(log.count(lockWaits)), "lock_timeouts")
}

// timedTransport measures the time spent in Meta's (the stand-in's) round trips.
type timedTransport struct {
	next  http.RoundTripper
	spent atomic.Int64
}

func (t *timedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t0 := time.Now()
	resp, err := t.next.RoundTrip(r)
	t.spent.Add(int64(time.Since(t0)))
	return resp, err
}

// BenchmarkDispatchOwnTime measures one dispatch of a booking notice (claim, rules,
// token from the secret cache, send, outcome) minus the time spent waiting for Meta.
func BenchmarkDispatchOwnTime(b *testing.B) {
	s := quietStack(b, devstack.Options{})
	ten, _, err := s.AddTenant(context.Background(), devstack.DemoTenant())
	if err != nil {
		b.Fatal(err)
	}
	tt := &timedTransport{next: http.DefaultTransport}
	s.Env.Meta().HTTP.Transport = tt
	svc := bookingWithoutQueue(b, s)
	var own []time.Duration
	start := time.Now().Add(72 * time.Hour)
	i := 0
	for b.Loop() {
		b.StopTimer()
		_, jobs, _, err := svc.Create(context.Background(), ten, newAppointment(fmt.Sprintf("d-%d", i), start.Add(time.Duration(i)*time.Minute)))
		if err != nil {
			b.Fatal(err)
		}
		i++
		before := tt.spent.Load()
		b.StartTimer()
		t0 := time.Now()
		resp := postDispatch(b, s, ten.ID, jobs[0].ID)
		total := time.Since(t0)
		if resp != http.StatusNoContent {
			b.Fatalf("dispatch answered %d", resp)
		}
		own = append(own, total-time.Duration(tt.spent.Load()-before))
	}
	b.ReportMetric(float64(percentile(own, 0.50).Microseconds())/1000, "own_p50_ms")
	b.ReportMetric(float64(percentile(own, 0.95).Microseconds())/1000, "own_p95_ms")
}

// TestBurstWaitsOnNoLock creates 300 appointments from six booking clients at once,
// with every notice dispatched and its statuses posted back as Meta does (sent once the
// send is accepted, delivered when the phone has it: here 300 ms apart), and checks that
// no transaction waited out another's lock: the API, the scan, dispatch and the status
// updates never contend on one job document in the normal flow.
func TestBurstWaitsOnNoLock(t *testing.T) {
	log := loggedFirestore(t)
	s := quietStack(t, devstack.Options{})
	ten, key := demo(t, s, nil)
	metaLikeStatuses(s)
	const n, workers = 300, 6
	ids := make(chan string, n)
	var wg sync.WaitGroup
	start := time.Now().Add(72 * time.Hour)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				r := callTB(t, s, key, "POST", "/v1/appointments", appointmentBody(fmt.Sprintf("burst-%d", i), start.Add(time.Duration(i)*time.Minute)))
				if r.Status != http.StatusCreated {
					t.Errorf("create %d: %d %s", i, r.Status, r.Raw)
					return
				}
				ids <- domain.JobID(appointmentID(t, r), domain.JobCreated, 0)
			}
		}()
	}
	wg.Wait()
	close(ids)
	if t.Failed() {
		return
	}
	for id := range ids {
		waitJob(t, s, ten.ID, id, time.Minute, func(j *domain.Job) bool { return j.Status == domain.JobDelivered })
	}
	if got := log.count(lockWaits); got != 0 {
		t.Errorf("the Firestore emulator logged %d lock timeouts during the burst; want none. First ones:\n%s",
			got, strings.Join(log.matching(lockWaits, 5), "\n"))
	}
}

func callTB(tb testing.TB, s *devstack.Stack, key, method, path string, body any) reply {
	tb.Helper()
	return call(tb, s, key, method, path, body)
}

func newAppointment(externalID string, startsAt time.Time) booking.NewAppointment {
	return booking.NewAppointment{
		ExternalID: externalID, ClientName: "Maria Souza", ClientPhone: "+5511987654321",
		Service: "Design de sobrancelhas", StartsAt: startsAt,
	}
}

// postDispatch delivers a job's task as Cloud Tasks does: a POST with the tasks
// account's OIDC token.
func postDispatch(tb testing.TB, s *devstack.Stack, tenantID, jobID string) int {
	tb.Helper()
	tok, err := s.Signer.IDToken(s.Config.TasksAudience, devstack.TasksServiceAccount, 5*time.Minute)
	if err != nil {
		tb.Fatal(err)
	}
	body := fmt.Sprintf(`{"tenant_id":%q,"job_id":%q}`, tenantID, jobID)
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/dispatch", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}
