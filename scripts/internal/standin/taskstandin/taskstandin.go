// Package taskstandin is a local stand-in for Google Cloud Tasks, for which no official
// emulator exists. It serves the real gRPC API google.cloud.tasks.v2.CloudTasks, so the
// official client (cloud.google.com/go/cloudtasks/apiv2) talks to it unchanged:
//
//	client, err := cloudtasks.NewClient(ctx,
//		option.WithEndpoint(addr), option.WithoutAuthentication(),
//		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
//
// and it dispatches HTTP-target tasks the way Cloud Tasks does: at their schedule
// time, with Cloud Tasks' request headers and an OIDC token, retrying failures with
// the queue's RetryConfig, limiting concurrent dispatches per queue, and reserving the
// names of finished or deleted tasks for a while (named-task de-duplication).
//
// Implemented RPCs: CreateQueue, GetQueue, ListQueues, DeleteQueue, CreateTask,
// GetTask, ListTasks, DeleteTask, RunTask. Others answer Unimplemented. Not modelled:
// App Engine targets, OAuth tokens, queue-level http_target overrides, paused queues,
// the 31-day task retention, system throttling, and the truncation of backoffs to whole
// seconds (sub-second backoffs are honoured, which keeps tests fast).
//
// Test hooks beyond the API: Attempts (every HTTP request made), Tasks (the pending
// tasks), Dropped (tasks that exhausted their retries), Redeliver (at-least-once
// duplicate deliveries) and WaitIdle.
package taskstandin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	"github.com/lembra-app/lembra/scripts/internal/standin/oidcsigner"
)

// Options configures a Server.
type Options struct {
	// Signer, if set, signs the OIDC token of tasks that ask for one:
	// "Authorization: Bearer <IDToken(audience, serviceAccountEmail)>", the audience
	// defaulting to the task's URL (as Cloud Tasks does). Without a Signer such tasks
	// are sent without an Authorization header.
	Signer *oidcsigner.Signer
	// HTTPClient sends the dispatches. Default: a plain client of the server's own,
	// whose idle connections Close closes. The per-request timeout is always the
	// task's dispatch_deadline (default 10 min).
	HTTPClient *http.Client
	// NameRetention is how long a task name stays reserved after the task ran (or
	// failed permanently) or was deleted. Default 24 h.
	NameRetention time.Duration
	// Logger, optional, gets one line per dispatch.
	Logger *slog.Logger
	// QueueWarmUp is how long a queue created through the API (CreateQueue, or
	// UpdateQueue of a missing queue) refuses tasks after its creation, as a new Cloud
	// Tasks queue may ("Queue does not exist" until it has initialised). Default 0.
	QueueWarmUp time.Duration
}

// Attempt is one HTTP request the server made for a task.
type Attempt struct {
	Task       string      // full task name
	Method     string      // HTTP method
	URL        string      // target URL
	Headers    http.Header // headers sent, Authorization included
	StatusCode int         // HTTP status; 0 on transport error or timeout
	Err        error       // transport error or deadline; nil when a response came
	Time       time.Time   // when the request was sent
	Duration   time.Duration
	RetryCount int  // the X-CloudTasks-TaskRetryCount sent
	Redelivery bool // made by Redeliver, outside the normal schedule

	retryAfter time.Duration // Retry-After of a 429 or 503
}

// ErrNotFound is returned by Redeliver for an unknown task.
var ErrNotFound = errors.New("taskstandin: task not found")

const (
	defaultNameRetention = 24 * time.Hour
	defaultDeadline      = 10 * time.Minute
	minDeadline          = 15 * time.Second
	maxDeadline          = 30 * time.Minute
	maxScheduleAhead     = 30 * 24 * time.Hour
	maxTaskSize          = 1 << 20 // quotas page: 1 MB per task
	oidcTokenTTL         = time.Hour
	userAgent            = "Google-Cloud-Tasks"
)

var (
	queueNameRE = regexp.MustCompile(`^projects/([A-Za-z0-9.:-]+)/locations/([A-Za-z0-9-]+)/queues/([A-Za-z0-9-]{1,100})$`)
	taskIDRE    = regexp.MustCompile(`^[A-Za-z0-9_-]{1,500}$`)
)

// Server is the Cloud Tasks stand-in. Create it with New; it is safe for concurrent use.
type Server struct {
	opts      Options
	faults    createFaults // CreateTask calls to refuse (FailCreates)
	client    *http.Client
	transport *http.Transport // the default client's, closed by Close
	log       *slog.Logger
	ctx       context.Context // cancelled by Close: aborts in-flight requests
	cancel    context.CancelFunc
	wg        sync.WaitGroup // dispatches and the gRPC serve loop

	mu       sync.Mutex
	closed   bool
	grpc     *grpc.Server
	queues   map[string]*queue
	tasks    map[string]*task    // pending tasks by full name
	reserved map[string]reserved // names of finished or deleted tasks
	sweepAt  time.Time           // next sweep of expired reservations
	attempts []Attempt
	dropped  []*cloudtaskspb.Task
	inflight int           // all HTTP requests in flight
	changed  chan struct{} // closed (and replaced) on every state change
}

// queue is a queue's configuration and dispatch state.
type queue struct {
	pb       *cloudtaskspb.Queue // with defaults filled in
	short    string              // QUEUE_ID
	retry    policy
	inflight int // dispatches in flight (not counting redeliveries)
	timer    *time.Timer
	deleted  bool
	readyAt  time.Time // CreateTask refuses tasks before it (Options.QueueWarmUp)
	// token bucket for max_dispatches_per_second / max_burst_size
	tokens     float64
	refilledAt time.Time
}

// task is a pending task.
type task struct {
	pb         *cloudtaskspb.Task // full view; ScheduleTime and counters kept current
	q          *queue
	short      string // TASK_ID
	running    int    // dispatches in flight (RunTask may overlap a scheduled one)
	gone       bool   // completed, dropped or deleted while a dispatch was in flight
	firstTry   time.Time
	executions int32    // responses other than 5xx (X-CloudTasks-TaskExecutionCount)
	prevStatus int      // previous attempt's HTTP status (0: no response)
	prevReason string   // previous attempt's failure reason
	last       *request // the last dispatch, for Redeliver
}

// reserved is a name that CreateTask may not reuse until `until`.
type reserved struct {
	until   time.Time
	deleted bool
	task    *cloudtaskspb.Task // final state (nil if deleted)
	last    *request           // last dispatch made (nil if none)
}

// New creates a server. Call Serve to accept gRPC calls and Close when done.
func New(opts Options) *Server {
	if opts.NameRetention <= 0 {
		opts.NameRetention = defaultNameRetention
	}
	s := &Server{
		opts:     opts,
		log:      opts.Logger,
		queues:   make(map[string]*queue),
		tasks:    make(map[string]*task),
		reserved: make(map[string]reserved),
		changed:  make(chan struct{}),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.client = opts.HTTPClient
	if s.client == nil {
		s.transport = http.DefaultTransport.(*http.Transport).Clone()
		s.client = &http.Client{Transport: s.transport}
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s
}

// Serve listens on addr (for example "127.0.0.1:0"), serves the Cloud Tasks gRPC API
// in the background and returns the actual host:port.
func (s *Server) Serve(addr string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return "", errors.New("taskstandin: server closed")
	}
	if s.grpc != nil {
		return "", errors.New("taskstandin: already serving")
	}
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("taskstandin: listen: %w", err)
	}
	s.grpc = grpc.NewServer()
	cloudtaskspb.RegisterCloudTasksServer(s.grpc, &rpc{s: s})
	srv := s.grpc
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_ = srv.Serve(lis)
	}()
	return lis.Addr().String(), nil
}

// Close stops the gRPC server and all timers and aborts in-flight requests. No
// dispatch happens after Close returns.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	for _, q := range s.queues {
		if q.timer != nil {
			q.timer.Stop()
		}
	}
	s.cancel()
	s.notifyLocked()
	srv := s.grpc
	s.mu.Unlock()
	if srv != nil {
		srv.Stop()
	}
	s.wg.Wait()
	if s.transport != nil {
		s.transport.CloseIdleConnections()
	}
}

// AddQueue creates the queue `name` (projects/P/locations/L/queues/Q), or replaces
// the configuration of an existing one. Nil configurations get Cloud Tasks' defaults.
// It panics on a malformed name.
func (s *Server) AddQueue(name string, retry *cloudtaskspb.RetryConfig, rate *cloudtaskspb.RateLimits) {
	m := queueNameRE.FindStringSubmatch(name)
	if m == nil {
		panic(fmt.Sprintf("taskstandin: AddQueue: malformed queue name %q", name))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	pb := &cloudtaskspb.Queue{Name: name, RetryConfig: retry, RateLimits: rate}
	if q, ok := s.queues[name]; ok {
		q.pb = withQueueDefaults(pb)
		q.retry = policyOf(q.pb.RetryConfig)
		s.pumpLocked(q)
		return
	}
	s.addQueueLocked(pb, m[3])
}

func (s *Server) addQueueLocked(pb *cloudtaskspb.Queue, short string) *queue {
	q := &queue{pb: withQueueDefaults(pb), short: short, refilledAt: time.Now()}
	q.retry = policyOf(q.pb.RetryConfig)
	q.tokens = float64(q.pb.RateLimits.MaxBurstSize)
	s.queues[pb.Name] = q
	return q
}

// Attempts returns every HTTP request made so far, in order.
func (s *Server) Attempts() []Attempt {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Attempt, len(s.attempts))
	for i, a := range s.attempts {
		a.Headers = a.Headers.Clone()
		out[i] = a
	}
	return out
}

// Tasks returns the pending tasks (full view), earliest schedule time first.
func (s *Server) Tasks() []*cloudtaskspb.Task {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.listLocked("", cloudtaskspb.Task_FULL)
}

// Dropped returns the tasks that exhausted their retries, in the order they were dropped.
func (s *Server) Dropped() []*cloudtaskspb.Task {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*cloudtaskspb.Task, len(s.dropped))
	for i, t := range s.dropped {
		out[i] = proto.Clone(t).(*cloudtaskspb.Task)
	}
	return out
}

// listLocked returns the pending tasks of queue (all queues if empty) in `view`,
// sorted by schedule time, then name.
func (s *Server) listLocked(queue string, view cloudtaskspb.Task_View) []*cloudtaskspb.Task {
	var ts []*task
	for _, t := range s.tasks {
		if queue == "" || t.q.pb.Name == queue {
			ts = append(ts, t)
		}
	}
	slices.SortFunc(ts, func(a, b *task) int {
		if c := a.pb.ScheduleTime.AsTime().Compare(b.pb.ScheduleTime.AsTime()); c != 0 {
			return c
		}
		return strings.Compare(a.pb.Name, b.pb.Name)
	})
	out := make([]*cloudtaskspb.Task, len(ts))
	for i, t := range ts {
		out[i] = viewOf(t.pb, view)
	}
	return out
}

// viewOf copies t in the given view: BASIC (the default) omits the body.
func viewOf(t *cloudtaskspb.Task, view cloudtaskspb.Task_View) *cloudtaskspb.Task {
	c := proto.Clone(t).(*cloudtaskspb.Task)
	if view != cloudtaskspb.Task_FULL {
		view = cloudtaskspb.Task_BASIC
		if hr := c.GetHttpRequest(); hr != nil {
			hr.Body = nil
		}
	}
	c.View = view
	return c
}

// Redeliver fires the task's HTTP request `copies` times concurrently, outside the
// normal schedule, and waits for all of them: Cloud Tasks delivers at least once, and
// this is how tests make it deliver more than once. The task may be pending or already
// completed (within NameRetention); its state does not change. Each copy repeats the
// task's last dispatch (its headers as they were, with a fresh OIDC token), or, for a
// task not dispatched yet, the dispatch it would get now. The responses are recorded in
// Attempts; only an unknown task or a closed server makes it fail.
func (s *Server) Redeliver(taskName string, copies int) error {
	if copies < 1 {
		return fmt.Errorf("taskstandin: Redeliver: copies must be positive, got %d", copies)
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return errors.New("taskstandin: server closed")
	}
	var req *request
	if t, ok := s.tasks[taskName]; ok {
		req = t.last
		if req == nil {
			req = s.requestLocked(t)
		}
	} else if r, ok := s.reserved[taskName]; ok && !r.deleted && r.last != nil && time.Now().Before(r.until) {
		req = r.last
	} else {
		s.mu.Unlock()
		return fmt.Errorf("%w: %s", ErrNotFound, taskName)
	}
	var done sync.WaitGroup
	s.inflight += copies
	s.wg.Add(copies)
	done.Add(copies)
	s.notifyLocked()
	s.mu.Unlock()
	for range copies {
		go func() {
			defer s.wg.Done()
			defer done.Done()
			a := s.send(req)
			a.Redelivery = true
			s.mu.Lock()
			s.attempts = append(s.attempts, a)
			s.inflight--
			s.notifyLocked()
			s.mu.Unlock()
			s.logAttempt(a, "redelivery")
		}()
	}
	done.Wait()
	return nil
}

// WaitIdle returns when no request is in flight and no pending task is due (its
// schedule time reached), or when ctx ends. Tasks scheduled later do not count.
func (s *Server) WaitIdle(ctx context.Context) error {
	for {
		s.mu.Lock()
		if s.closed || s.idleLocked(time.Now()) {
			s.mu.Unlock()
			return nil
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (s *Server) idleLocked(now time.Time) bool {
	if s.inflight > 0 {
		return false
	}
	for _, t := range s.tasks {
		if !t.pb.ScheduleTime.AsTime().After(now) {
			return false
		}
	}
	return true
}

// notifyLocked wakes WaitIdle callers.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// reserveLocked keeps name from being reused for NameRetention.
func (s *Server) reserveLocked(name string, r reserved) {
	now := time.Now()
	r.until = now.Add(s.opts.NameRetention)
	s.reserved[name] = r
	if now.After(s.sweepAt) {
		s.sweepAt = now.Add(time.Minute)
		for n, r := range s.reserved {
			if now.After(r.until) {
				delete(s.reserved, n)
			}
		}
	}
}
