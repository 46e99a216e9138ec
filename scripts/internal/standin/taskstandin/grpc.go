package taskstandin

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"slices"
	"strconv"
	"strings"
	"time"

	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// rpc implements the gRPC service on a Server.
type rpc struct {
	cloudtaskspb.UnimplementedCloudTasksServer
	s *Server
}

var errClosed = status.Error(codes.Unavailable, "the Cloud Tasks stand-in is shutting down")

// lock takes the server lock unless the server is closed.
func (r *rpc) lock() error {
	r.s.mu.Lock()
	if r.s.closed {
		r.s.mu.Unlock()
		return errClosed
	}
	return nil
}

func (r *rpc) unlock() { r.s.mu.Unlock() }

// ---- queues ----

func (r *rpc) CreateQueue(_ context.Context, req *cloudtaskspb.CreateQueueRequest) (*cloudtaskspb.Queue, error) {
	q := req.GetQueue()
	if q == nil {
		return nil, status.Error(codes.InvalidArgument, "queue is required")
	}
	m := queueNameRE.FindStringSubmatch(q.Name)
	if m == nil || req.Parent != "projects/"+m[1]+"/locations/"+m[2] {
		return nil, status.Errorf(codes.InvalidArgument, "queue name %q is malformed or not under parent %q", q.Name, req.Parent)
	}
	if err := validQueueConfig(q); err != nil {
		return nil, err
	}
	if err := r.lock(); err != nil {
		return nil, err
	}
	defer r.unlock()
	if _, ok := r.s.queues[q.Name]; ok {
		return nil, status.Errorf(codes.AlreadyExists, "queue %s already exists", q.Name)
	}
	created := r.s.addQueueLocked(q, m[3])
	created.readyAt = time.Now().Add(r.s.opts.QueueWarmUp)
	return proto.Clone(created.pb).(*cloudtaskspb.Queue), nil
}

// UpdateQueue updates the fields named by update_mask (all when it is empty), or
// creates the queue if it does not exist, as Cloud Tasks does. A rate change
// applies to the tasks already waiting; max_burst_size is picked again from the rate.
func (r *rpc) UpdateQueue(_ context.Context, req *cloudtaskspb.UpdateQueueRequest) (*cloudtaskspb.Queue, error) {
	in := req.GetQueue()
	if in == nil {
		return nil, status.Error(codes.InvalidArgument, "queue is required")
	}
	m := queueNameRE.FindStringSubmatch(in.Name)
	if m == nil {
		return nil, status.Errorf(codes.InvalidArgument, "queue name %q is malformed", in.Name)
	}
	if err := validQueueConfig(in); err != nil {
		return nil, err
	}
	paths := req.GetUpdateMask().GetPaths()
	for _, p := range paths {
		if !updatablePaths[p] {
			return nil, status.Errorf(codes.InvalidArgument, "update_mask path %q is not supported", p)
		}
	}
	if err := r.lock(); err != nil {
		return nil, err
	}
	defer r.unlock()
	q, ok := r.s.queues[in.Name]
	if !ok {
		pb := &cloudtaskspb.Queue{Name: in.Name}
		mergeQueue(pb, in, paths)
		created := r.s.addQueueLocked(pb, m[3])
		created.readyAt = time.Now().Add(r.s.opts.QueueWarmUp)
		return proto.Clone(created.pb).(*cloudtaskspb.Queue), nil
	}
	pb := proto.Clone(q.pb).(*cloudtaskspb.Queue)
	rateChanged := mergeQueue(pb, in, paths)
	if rateChanged {
		pb.RateLimits.MaxBurstSize = 0 // picked again from the new rate
	}
	q.pb = withQueueDefaults(pb)
	q.retry = policyOf(q.pb.RetryConfig)
	q.tokens = min(q.tokens, float64(q.pb.RateLimits.MaxBurstSize))
	r.s.pumpLocked(q)
	return proto.Clone(q.pb).(*cloudtaskspb.Queue), nil
}

// updatablePaths are the update_mask paths UpdateQueue applies.
var updatablePaths = map[string]bool{
	"rate_limits": true, "rate_limits.max_dispatches_per_second": true, "rate_limits.max_concurrent_dispatches": true,
	"retry_config": true,
}

// mergeQueue copies into dst the fields of src named by paths (all of rate_limits and
// retry_config when paths is empty); it reports whether the dispatch rate changed.
func mergeQueue(dst, src *cloudtaskspb.Queue, paths []string) (rateChanged bool) {
	if len(paths) == 0 {
		paths = []string{"rate_limits", "retry_config"}
	}
	if dst.RateLimits == nil {
		dst.RateLimits = &cloudtaskspb.RateLimits{}
	}
	before := dst.RateLimits.MaxDispatchesPerSecond
	srl := src.GetRateLimits()
	for _, p := range paths {
		switch p {
		case "rate_limits":
			dst.RateLimits.MaxDispatchesPerSecond = srl.GetMaxDispatchesPerSecond()
			dst.RateLimits.MaxConcurrentDispatches = srl.GetMaxConcurrentDispatches()
		case "rate_limits.max_dispatches_per_second":
			dst.RateLimits.MaxDispatchesPerSecond = srl.GetMaxDispatchesPerSecond()
		case "rate_limits.max_concurrent_dispatches":
			dst.RateLimits.MaxConcurrentDispatches = srl.GetMaxConcurrentDispatches()
		case "retry_config":
			dst.RetryConfig = src.GetRetryConfig()
		}
	}
	return dst.RateLimits.MaxDispatchesPerSecond != before
}

// validQueueConfig refuses what Cloud Tasks refuses in a queue's configuration.
func validQueueConfig(q *cloudtaskspb.Queue) error {
	if rc := q.RetryConfig; rc != nil {
		if rc.MaxAttempts < -1 {
			return status.Error(codes.InvalidArgument, "retry_config.max_attempts must be >= -1")
		}
		if rc.MinBackoff != nil && rc.MaxBackoff != nil && rc.MinBackoff.AsDuration() > rc.MaxBackoff.AsDuration() {
			return status.Error(codes.InvalidArgument, "retry_config.min_backoff exceeds max_backoff")
		}
	}
	if rl := q.RateLimits; rl != nil && (rl.MaxDispatchesPerSecond > 500 || rl.MaxConcurrentDispatches > 5000 || rl.MaxDispatchesPerSecond < 0) {
		return status.Error(codes.InvalidArgument, "rate_limits outside the allowed range (0 to 500/s, up to 5000 concurrent)")
	}
	return nil
}

func (r *rpc) GetQueue(_ context.Context, req *cloudtaskspb.GetQueueRequest) (*cloudtaskspb.Queue, error) {
	if err := r.lock(); err != nil {
		return nil, err
	}
	defer r.unlock()
	q, ok := r.s.queues[req.Name]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "queue %s not found", req.Name)
	}
	return proto.Clone(q.pb).(*cloudtaskspb.Queue), nil
}

func (r *rpc) ListQueues(_ context.Context, req *cloudtaskspb.ListQueuesRequest) (*cloudtaskspb.ListQueuesResponse, error) {
	if err := r.lock(); err != nil {
		return nil, err
	}
	var names []string
	for name := range r.s.queues {
		if strings.HasPrefix(name, req.Parent+"/queues/") {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	all := make([]*cloudtaskspb.Queue, len(names))
	for i, n := range names {
		all[i] = proto.Clone(r.s.queues[n].pb).(*cloudtaskspb.Queue)
	}
	r.unlock()
	page, next, err := paginate(all, req.PageSize, req.PageToken, 9800)
	if err != nil {
		return nil, err
	}
	return &cloudtaskspb.ListQueuesResponse{Queues: page, NextPageToken: next}, nil
}

func (r *rpc) DeleteQueue(_ context.Context, req *cloudtaskspb.DeleteQueueRequest) (*emptypb.Empty, error) {
	if err := r.lock(); err != nil {
		return nil, err
	}
	defer r.unlock()
	q, ok := r.s.queues[req.Name]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "queue %s not found", req.Name)
	}
	q.deleted = true
	if q.timer != nil {
		q.timer.Stop()
	}
	delete(r.s.queues, req.Name)
	for name, t := range r.s.tasks {
		if t.q == q {
			t.gone = true
			delete(r.s.tasks, name)
		}
	}
	r.s.notifyLocked()
	return &emptypb.Empty{}, nil
}

// ---- tasks ----

func (r *rpc) CreateTask(_ context.Context, req *cloudtaskspb.CreateTaskRequest) (*cloudtaskspb.Task, error) {
	if r.s.faults.take() {
		return nil, status.Error(codes.Unavailable, "the Cloud Tasks stand-in was told to refuse this call (FailCreates)")
	}
	in := req.GetTask()
	if in == nil {
		return nil, status.Error(codes.InvalidArgument, "task is required")
	}
	if in.GetAppEngineHttpRequest() != nil {
		return nil, status.Error(codes.Unimplemented, "the Cloud Tasks stand-in supports HTTP targets only")
	}
	hr := in.GetHttpRequest()
	if hr == nil {
		return nil, status.Error(codes.InvalidArgument, "task.http_request is required")
	}
	if !strings.HasPrefix(hr.Url, "http://") && !strings.HasPrefix(hr.Url, "https://") {
		return nil, status.Errorf(codes.InvalidArgument, "http_request.url %q must begin with http:// or https://", hr.Url)
	}
	switch hr.HttpMethod {
	case cloudtaskspb.HttpMethod_HTTP_METHOD_UNSPECIFIED, cloudtaskspb.HttpMethod_POST, cloudtaskspb.HttpMethod_PUT, cloudtaskspb.HttpMethod_PATCH:
	default:
		if len(hr.Body) > 0 {
			return nil, status.Errorf(codes.InvalidArgument, "a body is not allowed with HTTP method %s", hr.HttpMethod)
		}
	}
	if hr.GetOauthToken() != nil {
		return nil, status.Error(codes.Unimplemented, "the Cloud Tasks stand-in does not issue OAuth tokens (use an OIDC token)")
	}
	if tok := hr.GetOidcToken(); tok != nil && tok.ServiceAccountEmail == "" {
		return nil, status.Error(codes.InvalidArgument, "oidc_token.service_account_email is required")
	}
	if proto.Size(in) > maxTaskSize {
		return nil, status.Errorf(codes.InvalidArgument, "task size %d exceeds %d bytes", proto.Size(in), maxTaskSize)
	}
	now := time.Now()
	at := now
	if in.ScheduleTime != nil {
		if err := in.ScheduleTime.CheckValid(); err != nil {
			return nil, status.Errorf(codes.InvalidArgument, "schedule_time: %v", err)
		}
		if t := in.ScheduleTime.AsTime(); t.After(now) {
			at = t.Truncate(time.Microsecond)
		}
	}
	if at.Sub(now) > maxScheduleAhead {
		return nil, status.Error(codes.InvalidArgument, "schedule_time is more than 30 days in the future")
	}
	deadline := defaultDeadline
	if d := in.DispatchDeadline; d != nil {
		deadline = d.AsDuration()
		if deadline < minDeadline || deadline > maxDeadline {
			return nil, status.Errorf(codes.InvalidArgument, "dispatch_deadline %s is outside [15s, 30m]", deadline)
		}
	}

	if err := r.lock(); err != nil {
		return nil, err
	}
	defer r.unlock()
	s := r.s
	q, ok := s.queues[req.Parent]
	if !ok || time.Now().Before(q.readyAt) {
		// What Cloud Tasks answers a task for a queue that does not exist (or has not
		// initialised yet): FAILED_PRECONDITION "Queue does not exist." — not NOT_FOUND.
		return nil, status.Error(codes.FailedPrecondition, "Queue does not exist.")
	}
	name, id := in.Name, ""
	if name == "" {
		for {
			id = randomID()
			name = req.Parent + "/tasks/" + id
			if _, taken := s.tasks[name]; !taken {
				break
			}
		}
	} else {
		var found bool
		id, found = strings.CutPrefix(name, req.Parent+"/tasks/")
		if !found || !taskIDRE.MatchString(id) {
			return nil, status.Errorf(codes.InvalidArgument,
				"task name %q must be %s/tasks/TASK_ID with TASK_ID of 1 to 500 letters, digits, hyphens or underscores", name, req.Parent)
		}
		if _, pending := s.tasks[name]; pending {
			return nil, status.Errorf(codes.AlreadyExists, "task %s already exists", name)
		}
		if res, ok := s.reserved[name]; ok && now.Before(res.until) {
			return nil, status.Errorf(codes.AlreadyExists, "task %s already exists (it ran or was deleted recently)", name)
		}
	}

	pb := proto.Clone(in).(*cloudtaskspb.Task)
	pb.Name = name
	pb.ScheduleTime = timestamppb.New(at)
	pb.CreateTime = timestamppb.New(now.Truncate(time.Second))
	pb.DispatchDeadline = durationpb.New(deadline)
	pb.DispatchCount, pb.ResponseCount = 0, 0
	pb.FirstAttempt, pb.LastAttempt = nil, nil
	pb.View = cloudtaskspb.Task_FULL
	t := &task{pb: pb, q: q, short: id}
	s.tasks[name] = t
	delete(s.reserved, name)
	s.notifyLocked()
	s.pumpLocked(q)
	return viewOf(pb, req.ResponseView), nil
}

func (r *rpc) GetTask(_ context.Context, req *cloudtaskspb.GetTaskRequest) (*cloudtaskspb.Task, error) {
	if err := r.lock(); err != nil {
		return nil, err
	}
	defer r.unlock()
	t, ok := r.s.tasks[req.Name]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "task %s not found", req.Name)
	}
	return viewOf(t.pb, req.ResponseView), nil
}

func (r *rpc) ListTasks(_ context.Context, req *cloudtaskspb.ListTasksRequest) (*cloudtaskspb.ListTasksResponse, error) {
	if err := r.lock(); err != nil {
		return nil, err
	}
	if _, ok := r.s.queues[req.Parent]; !ok {
		r.unlock()
		return nil, status.Errorf(codes.NotFound, "queue %s not found", req.Parent)
	}
	all := r.s.listLocked(req.Parent, req.ResponseView)
	r.unlock()
	page, next, err := paginate(all, req.PageSize, req.PageToken, 1000)
	if err != nil {
		return nil, err
	}
	return &cloudtaskspb.ListTasksResponse{Tasks: page, NextPageToken: next}, nil
}

func (r *rpc) DeleteTask(_ context.Context, req *cloudtaskspb.DeleteTaskRequest) (*emptypb.Empty, error) {
	if err := r.lock(); err != nil {
		return nil, err
	}
	defer r.unlock()
	s := r.s
	t, ok := s.tasks[req.Name]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "task %s not found", req.Name)
	}
	t.gone = true
	delete(s.tasks, req.Name)
	s.reserveLocked(req.Name, reserved{deleted: true})
	s.notifyLocked()
	s.pumpLocked(t.q)
	return &emptypb.Empty{}, nil
}

// RunTask dispatches the task now, even if it is already running or its queue is at
// its rate limits, and returns it as dispatched (before the response arrives).
func (r *rpc) RunTask(_ context.Context, req *cloudtaskspb.RunTaskRequest) (*cloudtaskspb.Task, error) {
	if err := r.lock(); err != nil {
		return nil, err
	}
	defer r.unlock()
	t, ok := r.s.tasks[req.Name]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "task %s not found", req.Name)
	}
	r.s.startLocked(t)
	return viewOf(t.pb, req.ResponseView), nil
}

// randomID is a task id like the ones Cloud Tasks generates: a large decimal number.
func randomID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return strconv.FormatUint(binary.BigEndian.Uint64(b[:])>>1, 10)
}

// paginate serves list pages; the page token is the offset of the page's first item.
func paginate[T any](all []T, size int32, token string, maxSize int32) ([]T, string, error) {
	if size < 0 {
		return nil, "", status.Error(codes.InvalidArgument, "page_size must not be negative")
	}
	if size == 0 || size > maxSize {
		size = maxSize
	}
	start := 0
	if token != "" {
		n, err := strconv.Atoi(token)
		if err != nil || n < 0 {
			return nil, "", status.Errorf(codes.InvalidArgument, "invalid page_token %q", token)
		}
		start = min(n, len(all))
	}
	end := min(start+int(size), len(all))
	next := ""
	if end < len(all) {
		next = strconv.Itoa(end)
	}
	return all[start:end], next, nil
}
