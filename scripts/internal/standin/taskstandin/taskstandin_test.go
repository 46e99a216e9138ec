package taskstandin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	cloudtasks "cloud.google.com/go/cloudtasks/apiv2"
	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/lembra-app/lembra/scripts/internal/standin/oidcsigner"
	"github.com/lembra-app/lembra/shared/oidc"
)

const (
	testQueue = "projects/lembra-test/locations/southamerica-east1/queues/dispatch"
	tasksSA   = "lembra-tasks@lembra-test.iam.gserviceaccount.com"
)

var (
	signerOnce sync.Once
	signer     *oidcsigner.Signer
)

func testSigner(t *testing.T) *oidcsigner.Signer {
	t.Helper()
	signerOnce.Do(func() {
		var err error
		if signer, err = oidcsigner.New("http://127.0.0.1/oidc"); err != nil {
			panic(err)
		}
	})
	return signer
}

// received is one request the target got.
type received struct {
	at     time.Time
	method string
	path   string
	header http.Header
	body   string
}

// target is the HTTP endpoint tasks are sent to. reply decides each answer from the
// 0-based index of the request; nil answers 200.
type target struct {
	*httptest.Server
	mu    sync.Mutex
	reqs  []received
	reply func(n int, r *http.Request, w http.ResponseWriter) int
}

func newTarget(t *testing.T, reply func(n int, r *http.Request, w http.ResponseWriter) int) *target {
	tg := &target{reply: reply}
	tg.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		tg.mu.Lock()
		n := len(tg.reqs)
		tg.reqs = append(tg.reqs, received{at: time.Now(), method: r.Method, path: r.URL.Path, header: r.Header.Clone(), body: string(body)})
		tg.mu.Unlock()
		code := http.StatusOK
		if tg.reply != nil {
			code = tg.reply(n, r, w)
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(tg.Close)
	return tg
}

func (tg *target) requests() []received {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return append([]received(nil), tg.reqs...)
}

type env struct {
	srv    *Server
	client *cloudtasks.Client
	target *target
}

// setup starts a stand-in with the test queue, the official client talking to it over
// loopback gRPC, and a target.
func setup(t *testing.T, opts Options, retry *cloudtaskspb.RetryConfig, rate *cloudtaskspb.RateLimits,
	reply func(n int, r *http.Request, w http.ResponseWriter) int) *env {
	t.Helper()
	srv := New(opts)
	t.Cleanup(srv.Close)
	addr, err := srv.Serve("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.AddQueue(testQueue, retry, rate)
	client, err := cloudtasks.NewClient(context.Background(),
		option.WithEndpoint(addr), option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	return &env{srv: srv, client: client, target: newTarget(t, reply)}
}

func fastRetry(maxAttempts int32) *cloudtaskspb.RetryConfig {
	return &cloudtaskspb.RetryConfig{
		MaxAttempts: maxAttempts, MinBackoff: durationpb.New(50 * time.Millisecond),
		MaxBackoff: durationpb.New(time.Second), MaxDoublings: 16,
	}
}

// httpTask is a POST task to the target's path, with an OIDC token.
func (e *env) httpTask(name, path string, at time.Time) *cloudtaskspb.Task {
	task := &cloudtaskspb.Task{
		MessageType: &cloudtaskspb.Task_HttpRequest{HttpRequest: &cloudtaskspb.HttpRequest{
			Url: e.target.URL + path, HttpMethod: cloudtaskspb.HttpMethod_POST,
			Headers: map[string]string{"Content-Type": "application/json", "X-Custom": "yes"},
			Body:    []byte(`{"job_id":"j1"}`),
			AuthorizationHeader: &cloudtaskspb.HttpRequest_OidcToken{OidcToken: &cloudtaskspb.OidcToken{
				ServiceAccountEmail: tasksSA,
			}},
		}},
	}
	if name != "" {
		task.Name = testQueue + "/tasks/" + name
	}
	if !at.IsZero() {
		task.ScheduleTime = timestamppb.New(at)
	}
	return task
}

func (e *env) create(t *testing.T, task *cloudtaskspb.Task) (*cloudtaskspb.Task, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return e.client.CreateTask(ctx, &cloudtaskspb.CreateTaskRequest{Parent: testQueue, Task: task})
}

func (e *env) mustCreate(t *testing.T, task *cloudtaskspb.Task) *cloudtaskspb.Task {
	t.Helper()
	got, err := e.create(t, task)
	if err != nil {
		t.Fatalf("CreateTask: %v", err)
	}
	return got
}

func (e *env) waitIdle(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := e.srv.WaitIdle(ctx); err != nil {
		t.Fatalf("WaitIdle: %v", err)
	}
}

// waitFor polls cond (cheaply) until it holds or 5 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func wantCode(t *testing.T, what string, err error, want codes.Code) {
	t.Helper()
	if got := status.Code(err); got != want {
		t.Errorf("%s: code %v (%v), want %v", what, got, err, want)
	}
}

func TestNamedTaskDeduplication(t *testing.T) {
	t.Parallel()
	e := setup(t, Options{NameRetention: 400 * time.Millisecond}, nil, nil, nil)

	e.mustCreate(t, e.httpTask("job-1", "/dispatch", time.Now().Add(time.Hour)))
	_, err := e.create(t, e.httpTask("job-1", "/dispatch", time.Time{}))
	wantCode(t, "same name while pending", err, codes.AlreadyExists)

	e.mustCreate(t, e.httpTask("job-2", "/dispatch", time.Time{}))
	e.waitIdle(t)
	if n := len(e.target.requests()); n != 1 {
		t.Fatalf("target got %d requests, want 1", n)
	}
	_, err = e.create(t, e.httpTask("job-2", "/dispatch", time.Time{}))
	wantCode(t, "same name after the task ran", err, codes.AlreadyExists)

	if err := e.client.DeleteTask(context.Background(), &cloudtaskspb.DeleteTaskRequest{Name: testQueue + "/tasks/job-1"}); err != nil {
		t.Fatal(err)
	}
	_, err = e.create(t, e.httpTask("job-1", "/dispatch", time.Time{}))
	wantCode(t, "same name after delete", err, codes.AlreadyExists)

	// Once the retention has passed, the names are free again.
	time.Sleep(450 * time.Millisecond)
	e.mustCreate(t, e.httpTask("job-1", "/dispatch", time.Now().Add(time.Hour)))
	e.mustCreate(t, e.httpTask("job-2", "/dispatch", time.Now().Add(time.Hour)))

	// Unnamed tasks get generated, distinct names.
	a := e.mustCreate(t, e.httpTask("", "/dispatch", time.Now().Add(time.Hour)))
	b := e.mustCreate(t, e.httpTask("", "/dispatch", time.Now().Add(time.Hour)))
	if a.Name == b.Name || !strings.HasPrefix(a.Name, testQueue+"/tasks/") {
		t.Errorf("generated names %q, %q", a.Name, b.Name)
	}
	if n := len(e.srv.Tasks()); n != 4 {
		t.Errorf("%d pending tasks, want 4", n)
	}
}

func TestScheduleTimeHonoured(t *testing.T) {
	t.Parallel()
	e := setup(t, Options{}, nil, nil, nil)
	at := time.Now().Add(300 * time.Millisecond)
	created := e.mustCreate(t, e.httpTask("later", "/dispatch", at))
	if !created.ScheduleTime.AsTime().Equal(at.Truncate(time.Microsecond)) {
		t.Errorf("schedule time %v, want %v", created.ScheduleTime.AsTime(), at)
	}
	// Not dispatched early: WaitIdle returns at once (nothing due), nothing was sent.
	e.waitIdle(t)
	if n := len(e.target.requests()); n != 0 {
		t.Fatalf("dispatched before its schedule time (%d requests)", n)
	}
	waitFor(t, "the dispatch", func() bool { return len(e.target.requests()) == 1 })
	got := e.target.requests()[0]
	if got.at.Before(at) {
		t.Errorf("dispatched at %v, %v before its schedule time", got.at, at.Sub(got.at))
	}
	if late := got.at.Sub(at); late > time.Second {
		t.Errorf("dispatched %v late", late)
	}
	e.waitIdle(t)

	// A past schedule time means now.
	e.mustCreate(t, e.httpTask("past", "/dispatch", time.Now().Add(-time.Hour)))
	waitFor(t, "the past task", func() bool { return len(e.target.requests()) == 2 })
}

func TestHeadersAndOIDCToken(t *testing.T) {
	t.Parallel()
	signer := testSigner(t)
	e := setup(t, Options{Signer: signer}, nil, nil, nil)
	task := e.httpTask("headers-1", "/dispatch", time.Time{})
	hr := task.GetHttpRequest()
	hr.Headers["X-CloudTasks-TaskRetryCount"] = "99" // service headers cannot be forged
	hr.Headers["User-Agent"] = "mine"
	created := e.mustCreate(t, task)
	e.waitIdle(t)

	reqs := e.target.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	r := reqs[0]
	eta := created.ScheduleTime.AsTime()
	want := map[string]string{
		"User-Agent":                      "Google-Cloud-Tasks",
		"Content-Type":                    "application/json",
		"X-Custom":                        "yes",
		"X-Cloudtasks-Queuename":          "dispatch",
		"X-Cloudtasks-Taskname":           "headers-1",
		"X-Cloudtasks-Taskretrycount":     "0",
		"X-Cloudtasks-Taskexecutioncount": "0",
		"X-Cloudtasks-Tasketa":            fmt.Sprintf("%d.%06d", eta.Unix(), eta.Nanosecond()/1000),
	}
	for k, v := range want {
		if got := r.header.Get(k); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
	if f, err := strconv.ParseFloat(r.header.Get("X-CloudTasks-TaskETA"), 64); err != nil || f < float64(eta.Unix()) {
		t.Errorf("ETA %q does not parse as epoch seconds", r.header.Get("X-CloudTasks-TaskETA"))
	}
	for _, k := range []string{"X-CloudTasks-TaskPreviousResponse", "X-CloudTasks-TaskRetryReason"} {
		if _, ok := r.header[http.CanonicalHeaderKey(k)]; ok {
			t.Errorf("first attempt carries %s", k)
		}
	}
	if r.method != "POST" || r.path != "/dispatch" || r.body != `{"job_id":"j1"}` {
		t.Errorf("request %s %s %q", r.method, r.path, r.body)
	}

	// The token verifies with the signer's published key, with the task URL as audience.
	jwks := httptest.NewServer(signer.JWKSHandler())
	defer jwks.Close()
	v := &oidc.Verifier{
		Issuers: []string{signer.Issuer}, Audience: e.target.URL + "/dispatch", AllowedEmails: []string{tasksSA},
		JWKSURL: jwks.URL,
	}
	token, ok := strings.CutPrefix(r.header.Get("Authorization"), "Bearer ")
	if !ok {
		t.Fatalf("Authorization %q", r.header.Get("Authorization"))
	}
	claims, err := v.Verify(context.Background(), token)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if claims.Email != tasksSA || !claims.EmailVerified {
		t.Errorf("claims %+v", claims)
	}

	// An explicit audience is used as given.
	task = e.httpTask("headers-2", "/dispatch", time.Time{})
	task.GetHttpRequest().GetOidcToken().Audience = "https://dispatch.example"
	e.mustCreate(t, task)
	e.waitIdle(t)
	token = strings.TrimPrefix(e.target.requests()[1].header.Get("Authorization"), "Bearer ")
	v2 := &oidc.Verifier{Issuers: []string{signer.Issuer}, Audience: "https://dispatch.example", JWKSURL: jwks.URL}
	if _, err := v2.Verify(context.Background(), token); err != nil {
		t.Errorf("explicit audience: %v", err)
	}
	if _, err := v.Verify(context.Background(), token); !errors.Is(err, oidc.ErrInvalidToken) {
		t.Errorf("token for another audience accepted: %v", err)
	}

	// Attempts records what was sent.
	as := e.srv.Attempts()
	if len(as) != 2 || as[0].Task != created.Name || as[0].StatusCode != 200 || as[0].Err != nil ||
		as[0].Headers.Get("Authorization") == "" || as[0].URL != e.target.URL+"/dispatch" || as[0].RetryCount != 0 {
		t.Errorf("attempts %+v", as)
	}
}

func TestNoSignerNoAuthorization(t *testing.T) {
	t.Parallel()
	e := setup(t, Options{}, nil, nil, nil)
	e.mustCreate(t, e.httpTask("", "/x", time.Time{}))
	e.waitIdle(t)
	if h := e.target.requests()[0].header.Get("Authorization"); h != "" {
		t.Errorf("Authorization %q without a signer", h)
	}
}

func TestRetriesWithGrowingGapsThenSuccess(t *testing.T) {
	t.Parallel()
	// 500, 500, 500, then 200; backoff 50 ms doubling: gaps of 50, 100, 200 ms.
	e := setup(t, Options{}, fastRetry(10), nil, func(n int, _ *http.Request, _ http.ResponseWriter) int {
		if n < 3 {
			return 500
		}
		return 200
	})
	created := e.mustCreate(t, e.httpTask("retry-1", "/dispatch", time.Time{}))
	waitFor(t, "four attempts", func() bool { return len(e.target.requests()) == 4 })
	e.waitIdle(t)

	reqs := e.target.requests()
	for i := 1; i < len(reqs); i++ {
		gap := reqs[i].at.Sub(reqs[i-1].at)
		min := 50 * time.Millisecond << (i - 1)
		// Timers never fire early, so the lower bounds (50, 100, 200 ms) prove the
		// growth; the upper bound only catches a schedule that ignores the backoff.
		if gap < min || gap > min+time.Second {
			t.Errorf("gap before attempt %d: %v, want about %v", i+1, gap, min)
		}
		h := reqs[i].header
		if h.Get("X-CloudTasks-TaskRetryCount") != strconv.Itoa(i) || h.Get("X-CloudTasks-TaskExecutionCount") != "0" ||
			h.Get("X-CloudTasks-TaskPreviousResponse") != "500" || h.Get("X-CloudTasks-TaskRetryReason") == "" {
			t.Errorf("attempt %d headers: retry %q exec %q prev %q reason %q", i+1,
				h.Get("X-CloudTasks-TaskRetryCount"), h.Get("X-CloudTasks-TaskExecutionCount"),
				h.Get("X-CloudTasks-TaskPreviousResponse"), h.Get("X-CloudTasks-TaskRetryReason"))
		}
		// The ETA of a retry is its new schedule time.
		if eta, _ := strconv.ParseFloat(h.Get("X-CloudTasks-TaskETA"), 64); eta <= float64(created.ScheduleTime.AsTime().Unix())-1 {
			t.Errorf("attempt %d ETA %v", i+1, eta)
		}
	}
	if len(e.srv.Tasks()) != 0 || len(e.srv.Dropped()) != 0 {
		t.Errorf("task still pending or dropped after success")
	}
	_, err := e.create(t, e.httpTask("retry-1", "/dispatch", time.Time{}))
	wantCode(t, "name after success", err, codes.AlreadyExists)
}

func TestExecutionCountCountsNon5xxResponses(t *testing.T) {
	t.Parallel()
	e := setup(t, Options{}, fastRetry(10), nil, func(n int, _ *http.Request, _ http.ResponseWriter) int {
		return []int{404, 500, 200}[n]
	})
	e.mustCreate(t, e.httpTask("exec", "/dispatch", time.Time{}))
	waitFor(t, "three attempts", func() bool { return len(e.target.requests()) == 3 })
	e.waitIdle(t)
	reqs := e.target.requests()
	for i, want := range []struct{ retry, exec, prev string }{{"0", "0", ""}, {"1", "1", "404"}, {"2", "1", "500"}} {
		h := reqs[i].header
		if h.Get("X-CloudTasks-TaskRetryCount") != want.retry || h.Get("X-CloudTasks-TaskExecutionCount") != want.exec ||
			h.Get("X-CloudTasks-TaskPreviousResponse") != want.prev {
			t.Errorf("attempt %d: retry %q exec %q prev %q, want %+v", i+1, h.Get("X-CloudTasks-TaskRetryCount"),
				h.Get("X-CloudTasks-TaskExecutionCount"), h.Get("X-CloudTasks-TaskPreviousResponse"), want)
		}
	}
}

func TestMaxAttemptsRespected(t *testing.T) {
	t.Parallel()
	retry := fastRetry(3)
	retry.MinBackoff = durationpb.New(10 * time.Millisecond)
	e := setup(t, Options{}, retry, nil, func(int, *http.Request, http.ResponseWriter) int { return 500 })
	created := e.mustCreate(t, e.httpTask("doomed", "/dispatch", time.Time{}))
	waitFor(t, "the task to be dropped", func() bool { return len(e.srv.Dropped()) == 1 })
	e.waitIdle(t)
	time.Sleep(150 * time.Millisecond) // longer than any further backoff would be
	if n := len(e.target.requests()); n != 3 {
		t.Errorf("%d attempts, want 3", n)
	}
	d := e.srv.Dropped()[0]
	if d.Name != created.Name || d.DispatchCount != 3 || d.ResponseCount != 3 || d.LastAttempt.GetResponseStatus().GetCode() != int32(codes.Internal) {
		t.Errorf("dropped task %v", d)
	}
	if len(e.srv.Tasks()) != 0 {
		t.Error("dropped task still pending")
	}
	_, err := e.client.GetTask(context.Background(), &cloudtaskspb.GetTaskRequest{Name: created.Name})
	wantCode(t, "GetTask of a dropped task", err, codes.NotFound)
	_, err = e.create(t, e.httpTask("doomed", "/dispatch", time.Time{}))
	wantCode(t, "name of a dropped task", err, codes.AlreadyExists)
}

func TestRetryAfterHonoured(t *testing.T) {
	t.Parallel()
	e := setup(t, Options{}, fastRetry(5), nil, func(n int, _ *http.Request, w http.ResponseWriter) int {
		if n == 0 {
			w.Header().Set("Retry-After", "1")
			return 503
		}
		return 200
	})
	e.mustCreate(t, e.httpTask("", "/dispatch", time.Time{}))
	waitFor(t, "the retry", func() bool { return len(e.target.requests()) == 2 })
	reqs := e.target.requests()
	if gap := reqs[1].at.Sub(reqs[0].at); gap < time.Second {
		t.Errorf("retried after %v despite Retry-After: 1", gap)
	}
	if got := reqs[1].header.Get("X-CloudTasks-TaskPreviousResponse"); got != "503" {
		t.Errorf("previous response %q", got)
	}
}

func TestRedeliverFiresConcurrentCopies(t *testing.T) {
	t.Parallel()
	var inFlight, maxInFlight atomic.Int32
	release := make(chan struct{})
	var once sync.Once
	e := setup(t, Options{Signer: testSigner(t)}, nil, nil, func(int, *http.Request, http.ResponseWriter) int {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := maxInFlight.Load()
			if n <= m || maxInFlight.CompareAndSwap(m, n) {
				break
			}
		}
		if n == 3 {
			once.Do(func() { close(release) })
		}
		select { // hold every copy until all three are in flight
		case <-release:
		case <-time.After(2 * time.Second):
		}
		return 200
	})
	created := e.mustCreate(t, e.httpTask("dup", "/dispatch", time.Now().Add(time.Hour)))
	if err := e.srv.Redeliver(created.Name, 3); err != nil {
		t.Fatal(err)
	}
	if n := len(e.target.requests()); n != 3 {
		t.Fatalf("Redeliver returned with %d requests made, want 3", n)
	}
	if m := maxInFlight.Load(); m != 3 {
		t.Errorf("at most %d copies in flight together, want 3", m)
	}
	for _, r := range e.target.requests() {
		if r.header.Get("X-CloudTasks-TaskName") != "dup" || r.header.Get("Authorization") == "" || r.body != `{"job_id":"j1"}` {
			t.Errorf("copy %v", r.header)
		}
	}
	as := e.srv.Attempts()
	if len(as) != 3 || !as[0].Redelivery {
		t.Errorf("attempts %+v", as)
	}
	if len(e.srv.Tasks()) != 1 {
		t.Error("the redelivered task is no longer pending")
	}

	// A completed task can be redelivered too, as a copy of its last dispatch.
	run, err := e.client.RunTask(context.Background(), &cloudtaskspb.RunTaskRequest{Name: created.Name})
	if err != nil {
		t.Fatal(err)
	}
	if run.DispatchCount != 1 {
		t.Errorf("RunTask returned dispatch count %d", run.DispatchCount)
	}
	waitFor(t, "RunTask's dispatch", func() bool { return len(e.srv.Tasks()) == 0 })
	if err := e.srv.Redeliver(created.Name, 2); err != nil {
		t.Fatal(err)
	}
	if n := len(e.target.requests()); n != 6 {
		t.Errorf("%d requests, want 6", n)
	}
	if err := e.srv.Redeliver(testQueue+"/tasks/nope", 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown task: %v", err)
	}
}

func TestDeleteTaskPreventsDispatch(t *testing.T) {
	t.Parallel()
	e := setup(t, Options{}, nil, nil, nil)
	created := e.mustCreate(t, e.httpTask("deleted", "/dispatch", time.Now().Add(150*time.Millisecond)))
	ctx := context.Background()
	if err := e.client.DeleteTask(ctx, &cloudtaskspb.DeleteTaskRequest{Name: created.Name}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(e.target.requests()); n != 0 {
		t.Errorf("deleted task dispatched (%d requests)", n)
	}
	_, err := e.client.GetTask(ctx, &cloudtaskspb.GetTaskRequest{Name: created.Name})
	wantCode(t, "GetTask after delete", err, codes.NotFound)
	wantCode(t, "second delete", e.client.DeleteTask(ctx, &cloudtaskspb.DeleteTaskRequest{Name: created.Name}), codes.NotFound)
	_, err = e.client.RunTask(ctx, &cloudtaskspb.RunTaskRequest{Name: created.Name})
	wantCode(t, "RunTask after delete", err, codes.NotFound)
	if err := e.srv.Redeliver(created.Name, 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("Redeliver of a deleted task: %v", err)
	}
}

func TestUnknownQueueAndInvalidTasks(t *testing.T) {
	t.Parallel()
	e := setup(t, Options{}, nil, nil, nil)
	ctx := context.Background()
	other := "projects/lembra-test/locations/southamerica-east1/queues/nope"
	_, err := e.client.CreateTask(ctx, &cloudtaskspb.CreateTaskRequest{Parent: other, Task: e.httpTask("", "/", time.Time{})})
	wantCode(t, "CreateTask on an unknown queue", err, codes.FailedPrecondition) // as Cloud Tasks answers it: "Queue does not exist."
	_, err = e.client.GetQueue(ctx, &cloudtaskspb.GetQueueRequest{Name: other})
	wantCode(t, "GetQueue", err, codes.NotFound)
	_, err = e.client.ListTasks(ctx, &cloudtaskspb.ListTasksRequest{Parent: other}).Next()
	wantCode(t, "ListTasks", err, codes.NotFound)

	bad := map[string]func(*cloudtaskspb.Task){
		"name under another queue": func(t *cloudtaskspb.Task) { t.Name = other + "/tasks/x" },
		"bad characters in the id": func(t *cloudtaskspb.Task) { t.Name = testQueue + "/tasks/a.b" },
		"id too long":              func(t *cloudtaskspb.Task) { t.Name = testQueue + "/tasks/" + strings.Repeat("a", 501) },
		"31 days ahead":            func(t *cloudtaskspb.Task) { t.ScheduleTime = timestamppb.New(time.Now().Add(31 * 24 * time.Hour)) },
		"deadline too short":       func(t *cloudtaskspb.Task) { t.DispatchDeadline = durationpb.New(5 * time.Second) },
		"relative URL":             func(t *cloudtaskspb.Task) { t.GetHttpRequest().Url = "/dispatch" },
		"body with GET": func(t *cloudtaskspb.Task) {
			t.GetHttpRequest().HttpMethod = cloudtaskspb.HttpMethod_GET
		},
	}
	for name, change := range bad {
		task := e.httpTask("", "/dispatch", time.Time{})
		change(task)
		_, err := e.create(t, task)
		wantCode(t, name, err, codes.InvalidArgument)
	}
	if _, err := e.create(t, e.httpTask(strings.Repeat("a", 500), "/dispatch", time.Now().Add(29*24*time.Hour))); err != nil {
		t.Errorf("500-character id 29 days ahead: %v", err)
	}
	_, err = e.create(t, &cloudtaskspb.Task{MessageType: &cloudtaskspb.Task_AppEngineHttpRequest{
		AppEngineHttpRequest: &cloudtaskspb.AppEngineHttpRequest{RelativeUri: "/x"}}})
	wantCode(t, "App Engine task", err, codes.Unimplemented)
	if n := len(e.target.requests()); n != 0 {
		t.Errorf("%d requests from rejected tasks", n)
	}
}

func TestQueueAndTaskRPCs(t *testing.T) {
	t.Parallel()
	e := setup(t, Options{}, nil, nil, nil)
	ctx := context.Background()
	parent := "projects/lembra-test/locations/southamerica-east1"

	q, err := e.client.GetQueue(ctx, &cloudtaskspb.GetQueueRequest{Name: testQueue})
	if err != nil {
		t.Fatal(err)
	}
	rc := q.RetryConfig
	if rc.MaxAttempts != 100 || rc.MinBackoff.AsDuration() != 100*time.Millisecond || rc.MaxBackoff.AsDuration() != time.Hour ||
		rc.MaxDoublings != 16 || q.RateLimits.MaxConcurrentDispatches != 1000 || q.State != cloudtaskspb.Queue_RUNNING {
		t.Errorf("default queue %v", q)
	}
	created, err := e.client.CreateQueue(ctx, &cloudtaskspb.CreateQueueRequest{Parent: parent, Queue: &cloudtaskspb.Queue{
		Name: parent + "/queues/second", RetryConfig: &cloudtaskspb.RetryConfig{MaxAttempts: 7},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if created.RetryConfig.MaxAttempts != 7 || created.RetryConfig.MaxBackoff.AsDuration() != time.Hour {
		t.Errorf("created queue %v", created)
	}
	_, err = e.client.CreateQueue(ctx, &cloudtaskspb.CreateQueueRequest{Parent: parent, Queue: &cloudtaskspb.Queue{Name: parent + "/queues/second"}})
	wantCode(t, "CreateQueue twice", err, codes.AlreadyExists)
	var names []string
	it := e.client.ListQueues(ctx, &cloudtaskspb.ListQueuesRequest{Parent: parent})
	for {
		q, err := it.Next()
		if err == iterator.Done {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, q.Name)
	}
	if len(names) != 2 {
		t.Errorf("queues %v", names)
	}

	// Tasks: views, listing across pages, RunTask.
	for i := range 5 {
		e.mustCreate(t, e.httpTask(fmt.Sprintf("t%d", i), "/dispatch", time.Now().Add(time.Hour)))
	}
	basic, err := e.client.GetTask(ctx, &cloudtaskspb.GetTaskRequest{Name: testQueue + "/tasks/t0"})
	if err != nil {
		t.Fatal(err)
	}
	if basic.View != cloudtaskspb.Task_BASIC || basic.GetHttpRequest().Body != nil || basic.GetHttpRequest().Url == "" {
		t.Errorf("basic view %v", basic)
	}
	full, err := e.client.GetTask(ctx, &cloudtaskspb.GetTaskRequest{Name: testQueue + "/tasks/t0", ResponseView: cloudtaskspb.Task_FULL})
	if err != nil {
		t.Fatal(err)
	}
	if full.View != cloudtaskspb.Task_FULL || string(full.GetHttpRequest().Body) != `{"job_id":"j1"}` ||
		full.DispatchDeadline.AsDuration() != 10*time.Minute || full.CreateTime == nil {
		t.Errorf("full view %v", full)
	}
	count := 0
	tit := e.client.ListTasks(ctx, &cloudtaskspb.ListTasksRequest{Parent: testQueue, PageSize: 2})
	for {
		_, err := tit.Next()
		if err == iterator.Done {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		count++
	}
	if count != 5 {
		t.Errorf("listed %d tasks, want 5", count)
	}
	if _, err := e.client.RunTask(ctx, &cloudtaskspb.RunTaskRequest{Name: testQueue + "/tasks/t3"}); err != nil {
		t.Fatal(err)
	}
	e.waitIdle(t)
	if r := e.target.requests(); len(r) != 1 || r[0].header.Get("X-CloudTasks-TaskName") != "t3" {
		t.Errorf("RunTask dispatched %v", r)
	}

	if err := e.client.DeleteQueue(ctx, &cloudtaskspb.DeleteQueueRequest{Name: parent + "/queues/second"}); err != nil {
		t.Fatal(err)
	}
	_, err = e.client.GetQueue(ctx, &cloudtaskspb.GetQueueRequest{Name: parent + "/queues/second"})
	wantCode(t, "GetQueue after DeleteQueue", err, codes.NotFound)
}

func TestMaxConcurrentDispatches(t *testing.T) {
	t.Parallel()
	var inFlight, maxInFlight atomic.Int32
	e := setup(t, Options{}, nil, &cloudtaskspb.RateLimits{MaxConcurrentDispatches: 2},
		func(int, *http.Request, http.ResponseWriter) int {
			n := inFlight.Add(1)
			defer inFlight.Add(-1)
			for {
				m := maxInFlight.Load()
				if n <= m || maxInFlight.CompareAndSwap(m, n) {
					break
				}
			}
			time.Sleep(60 * time.Millisecond)
			return 200
		})
	for range 6 {
		e.mustCreate(t, e.httpTask("", "/dispatch", time.Time{}))
	}
	waitFor(t, "six dispatches", func() bool { return len(e.target.requests()) == 6 })
	e.waitIdle(t)
	if m := maxInFlight.Load(); m != 2 {
		t.Errorf("%d dispatches in flight at most, want 2", m)
	}
}

func TestCloseStopsDispatchAndLeaksNothing(t *testing.T) {
	// Not parallel: it counts goroutines. A first round warms up the process-wide
	// goroutines that gRPC and the client libraries start once.
	run := func() (*Server, *cloudtasks.Client) {
		srv := New(Options{Signer: testSigner(t)})
		addr, err := srv.Serve("127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		srv.AddQueue(testQueue, fastRetry(-1), nil)
		client, err := cloudtasks.NewClient(context.Background(), option.WithEndpoint(addr), option.WithoutAuthentication(),
			option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
		if err != nil {
			t.Fatal(err)
		}
		return srv, client
	}
	warmSrv, warmClient := run()
	if _, err := warmClient.GetQueue(context.Background(), &cloudtaskspb.GetQueueRequest{Name: testQueue}); err != nil {
		t.Fatal(err)
	}
	warmClient.Close()
	warmSrv.Close()
	time.Sleep(100 * time.Millisecond)

	// The target outlives the server: its connections must be closed by srv.Close.
	var hits atomic.Int32
	tg := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(500)
	}))
	defer tg.Close()
	before := runtime.NumGoroutine()
	srv, client := run()
	e := &env{srv: srv, client: client, target: &target{Server: tg}}
	e.mustCreate(t, e.httpTask("failing", "/", time.Time{})) // retried forever
	e.mustCreate(t, e.httpTask("later", "/", time.Now().Add(200*time.Millisecond)))
	waitFor(t, "a first attempt", func() bool { return hits.Load() >= 1 })

	srv.Close()
	n := hits.Load()
	time.Sleep(300 * time.Millisecond)
	if m := hits.Load(); m != n {
		t.Errorf("%d dispatches after Close", m-n)
	}
	_, err := e.create(t, e.httpTask("", "/", time.Time{}))
	if status.Code(err) == codes.OK {
		t.Error("CreateTask succeeded after Close")
	}
	if err := srv.WaitIdle(context.Background()); err != nil {
		t.Errorf("WaitIdle after Close: %v", err)
	}
	srv.Close() // idempotent
	client.Close()
	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if after := runtime.NumGoroutine(); after > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines before, %d after Close\n%s", before, after, buf[:runtime.Stack(buf, true)])
	}
}

func TestBackoffSchedule(t *testing.T) {
	// The example in the RetryConfig documentation.
	p := policyOf(&cloudtaskspb.RetryConfig{
		MaxAttempts: -1, MinBackoff: durationpb.New(10 * time.Second), MaxBackoff: durationpb.New(300 * time.Second), MaxDoublings: 3,
	})
	want := []time.Duration{10, 20, 40, 80, 160, 240, 300, 300}
	for i, w := range want {
		if got := p.backoff(i + 1); got != w*time.Second {
			t.Errorf("retry %d: %v, want %v", i+1, got, w*time.Second)
		}
	}
	// Defaults: 0.1 s doubling 16 times, capped at 3600 s.
	d := policyOf(nil)
	if d.backoff(1) != 100*time.Millisecond || d.backoff(2) != 200*time.Millisecond || d.backoff(40) != time.Hour || d.backoff(1000) != time.Hour {
		t.Errorf("default backoffs %v %v %v", d.backoff(1), d.backoff(2), d.backoff(40))
	}
	// No doublings: linear growth.
	l := policyOf(&cloudtaskspb.RetryConfig{MinBackoff: durationpb.New(time.Second), MaxBackoff: durationpb.New(time.Minute)})
	if l.backoff(1) != time.Second || l.backoff(3) != 3*time.Second {
		t.Errorf("linear backoffs %v %v", l.backoff(1), l.backoff(3))
	}

	tests := []struct {
		attempts int32
		dur      time.Duration
		n        int
		elapsed  time.Duration
		want     bool
	}{
		{attempts: 3, n: 2, want: false},
		{attempts: 3, n: 3, want: true},
		{attempts: -1, n: 1000, elapsed: 1000 * time.Hour, want: false},
		{attempts: -1, dur: time.Minute, n: 1000, elapsed: 59 * time.Second, want: false},
		{attempts: -1, dur: time.Minute, n: 2, elapsed: time.Minute, want: true},
		{attempts: 3, dur: time.Minute, n: 5, elapsed: 30 * time.Second, want: false}, // both must be reached
		{attempts: 3, dur: time.Minute, n: 2, elapsed: 2 * time.Minute, want: false},
		{attempts: 3, dur: time.Minute, n: 3, elapsed: time.Minute, want: true},
		{attempts: 0, n: 99, want: false}, // 0 = default 100
		{attempts: 0, n: 100, want: true},
	}
	for _, tc := range tests {
		p := policyOf(&cloudtaskspb.RetryConfig{MaxAttempts: tc.attempts, MaxRetryDuration: durationpb.New(tc.dur)})
		if got := p.exhausted(tc.n, tc.elapsed); got != tc.want {
			t.Errorf("max_attempts %d, max_retry_duration %v, after %d attempts in %v: exhausted %t, want %t",
				tc.attempts, tc.dur, tc.n, tc.elapsed, got, tc.want)
		}
	}

	now := time.Now()
	for h, want := range map[string]time.Duration{
		"": 0, "2": 2 * time.Second, "0.5": 500 * time.Millisecond, "-1": 0, "soon": 0,
		now.Add(10 * time.Second).UTC().Format(http.TimeFormat): 9 * time.Second,
	} {
		if got := retryAfter(h, now); got < want || got > want+time.Second {
			t.Errorf("Retry-After %q: %v, want %v", h, got, want)
		}
	}
}

func TestTaskRetryConfigOverridesQueue(t *testing.T) {
	t.Parallel()
	e := setup(t, Options{}, fastRetry(10), nil, func(int, *http.Request, http.ResponseWriter) int { return 500 })
	task := e.httpTask("own-retry", "/dispatch", time.Time{})
	task.RetryConfig = &cloudtaskspb.RetryConfig{MaxAttempts: 2, MinBackoff: durationpb.New(10 * time.Millisecond)}
	e.mustCreate(t, task)
	waitFor(t, "the drop", func() bool { return len(e.srv.Dropped()) == 1 })
	if n := len(e.target.requests()); n != 2 {
		t.Errorf("%d attempts, want 2", n)
	}
}
