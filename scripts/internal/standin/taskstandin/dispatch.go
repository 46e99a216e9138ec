package taskstandin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// request is everything needed to send one dispatch, captured under the lock.
type request struct {
	task       string // full name
	queueShort string
	taskShort  string
	method     string
	url        string
	body       []byte
	headers    map[string]string
	oidc       *cloudtaskspb.OidcToken
	deadline   time.Duration
	eta        time.Time
	retryCount int32
	execCount  int32
	prevStatus int
	prevReason string
	retry      bool // not the first attempt: send the previous-response headers
}

// pumpLocked starts the queue's due tasks as far as its limits allow and arms its
// timer for the next moment something may become startable.
func (s *Server) pumpLocked(q *queue) {
	if s.closed || q.deleted {
		return
	}
	now := time.Now()
	var due []*task
	var next time.Time
	for _, t := range s.tasks {
		if t.q != q || t.running > 0 {
			continue
		}
		if at := t.pb.ScheduleTime.AsTime(); !at.After(now) {
			due = append(due, t)
		} else if next.IsZero() || at.Before(next) {
			next = at
		}
	}
	slices.SortFunc(due, func(a, b *task) int {
		if c := a.pb.ScheduleTime.AsTime().Compare(b.pb.ScheduleTime.AsTime()); c != 0 {
			return c
		}
		return strings.Compare(a.pb.Name, b.pb.Name)
	})
	limits := q.pb.RateLimits
	for _, t := range due {
		if q.inflight >= int(limits.MaxConcurrentDispatches) {
			break // the next finishing dispatch pumps again
		}
		// Token bucket: max_dispatches_per_second, bursts of max_burst_size.
		rate := limits.MaxDispatchesPerSecond
		q.tokens = min(float64(limits.MaxBurstSize), q.tokens+now.Sub(q.refilledAt).Seconds()*rate)
		q.refilledAt = now
		if q.tokens < 1 {
			wait := now.Add(time.Duration((1 - q.tokens) / rate * float64(time.Second)))
			if next.IsZero() || wait.Before(next) {
				next = wait
			}
			break
		}
		q.tokens--
		s.startLocked(t)
	}
	if q.timer != nil {
		q.timer.Stop()
		q.timer = nil
	}
	if !next.IsZero() {
		q.timer = time.AfterFunc(time.Until(next), func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.pumpLocked(q)
		})
	}
}

// startLocked dispatches t now, in the background.
func (s *Server) startLocked(t *task) {
	req := s.requestLocked(t)
	now := time.Now()
	t.last = req
	t.running++
	t.q.inflight++
	s.inflight++
	if t.pb.DispatchCount == 0 {
		t.firstTry = now
		t.pb.FirstAttempt = &cloudtaskspb.Attempt{DispatchTime: timestamppb.New(now)}
	}
	t.pb.DispatchCount++
	t.pb.LastAttempt = &cloudtaskspb.Attempt{ScheduleTime: t.pb.ScheduleTime, DispatchTime: timestamppb.New(now)}
	s.notifyLocked()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		a := s.send(req)
		s.finish(t, a, req)
	}()
}

// requestLocked captures the dispatch t would get now.
func (s *Server) requestLocked(t *task) *request {
	hr := t.pb.GetHttpRequest()
	deadline := defaultDeadline
	if d := t.pb.GetDispatchDeadline(); d != nil && d.AsDuration() > 0 {
		deadline = d.AsDuration()
	}
	method := hr.HttpMethod.String()
	if hr.HttpMethod == cloudtaskspb.HttpMethod_HTTP_METHOD_UNSPECIFIED {
		method = http.MethodPost
	}
	return &request{
		task: t.pb.Name, queueShort: t.q.short, taskShort: t.short,
		method: method, url: hr.Url, body: hr.Body, headers: hr.Headers, oidc: hr.GetOidcToken(),
		deadline: deadline, eta: t.pb.ScheduleTime.AsTime(),
		retryCount: t.pb.DispatchCount, execCount: t.executions,
		prevStatus: t.prevStatus, prevReason: t.prevReason, retry: t.pb.DispatchCount > 0,
	}
}

// reservedHeader reports task headers Cloud Tasks ignores or replaces.
func reservedHeader(k string) bool {
	k = strings.ToLower(k)
	switch k {
	case "host", "content-length", "user-agent", "transfer-encoding", "connection":
		return true
	}
	return strings.HasPrefix(k, "x-cloudtasks-") || strings.HasPrefix(k, "x-google-") || strings.HasPrefix(k, "x-appengine-")
}

// send performs one HTTP request. It does not touch the server's state.
func (s *Server) send(r *request) Attempt {
	a := Attempt{Task: r.task, Method: r.method, URL: r.url, RetryCount: int(r.retryCount), Time: time.Now()}
	ctx, cancel := context.WithTimeout(s.ctx, r.deadline)
	defer cancel()
	var body io.Reader
	if len(r.body) > 0 {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, r.url, body)
	if err != nil {
		a.Err = err
		return a
	}
	for k, v := range r.headers {
		if !reservedHeader(k) {
			req.Header.Set(k, v)
		}
	}
	h := req.Header
	h.Set("User-Agent", userAgent)
	h.Set("X-CloudTasks-QueueName", r.queueShort)
	h.Set("X-CloudTasks-TaskName", r.taskShort)
	h.Set("X-CloudTasks-TaskRetryCount", strconv.Itoa(int(r.retryCount)))
	h.Set("X-CloudTasks-TaskExecutionCount", strconv.Itoa(int(r.execCount)))
	h.Set("X-CloudTasks-TaskETA", fmt.Sprintf("%d.%06d", r.eta.Unix(), r.eta.Nanosecond()/1000))
	if r.retry {
		h.Set("X-CloudTasks-TaskPreviousResponse", strconv.Itoa(r.prevStatus))
		h.Set("X-CloudTasks-TaskRetryReason", r.prevReason)
	}
	if r.oidc != nil && s.opts.Signer != nil {
		aud := r.oidc.Audience
		if aud == "" {
			aud = r.url
		}
		tok, err := s.opts.Signer.IDToken(aud, r.oidc.ServiceAccountEmail, oidcTokenTTL)
		if err != nil {
			a.Headers, a.Err = h.Clone(), fmt.Errorf("sign OIDC token: %w", err)
			return a
		}
		h.Set("Authorization", "Bearer "+tok)
	}
	a.Headers = h.Clone()
	resp, err := s.client.Do(req)
	if err == nil {
		// Read (a bounded part of) the body so that the connection can be reused.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		a.StatusCode = resp.StatusCode
		if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
			a.retryAfter = retryAfter(resp.Header.Get("Retry-After"), time.Now())
		}
	} else {
		a.Err = err
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			a.Err = fmt.Errorf("dispatch deadline %s exceeded: %w", r.deadline, context.DeadlineExceeded)
		}
	}
	a.Duration = time.Since(a.Time)
	return a
}

// finish records a scheduled (or RunTask) dispatch and moves the task on: done on
// 2xx, otherwise rescheduled with backoff or dropped when out of retries.
func (s *Server) finish(t *task, a Attempt, req *request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attempts = append(s.attempts, a)
	t.running--
	t.q.inflight--
	s.inflight--
	defer s.notifyLocked()
	now := time.Now()
	code := attemptCode(a)

	if t.gone {
		s.logAttempt(a, "after the task ended")
		s.pumpLocked(t.q)
		return
	}
	if a.StatusCode != 0 {
		t.pb.ResponseCount++
		if a.StatusCode < 500 {
			t.executions++
		}
	}
	t.pb.LastAttempt.ResponseTime = timestamppb.New(now)
	t.pb.LastAttempt.ResponseStatus = status.New(code, attemptMessage(a)).Proto()

	switch {
	case s.closed:
		// Aborted by Close: nothing more happens.
		s.logAttempt(a, "server closing")
		return
	case code == codes.OK:
		s.endLocked(t, false)
		s.logAttempt(a, "done")
	default:
		t.prevStatus, t.prevReason = a.StatusCode, code.String()
		retry := t.retryPolicy()
		if retry.exhausted(int(t.pb.DispatchCount), now.Sub(t.firstTry)) {
			s.endLocked(t, true)
			s.logAttempt(a, "dropped: retries exhausted")
			break
		}
		delay := retry.backoff(int(t.pb.DispatchCount))
		if a.retryAfter > delay {
			delay = a.retryAfter
		}
		t.pb.ScheduleTime = timestamppb.New(now.Add(delay))
		s.logAttempt(a, "retry in "+delay.String())
	}
	s.pumpLocked(t.q)
}

// retryPolicy is the task's own retry_config over its queue's, if it has one.
func (t *task) retryPolicy() policy {
	if t.pb.RetryConfig == nil {
		return t.q.retry
	}
	return policyOf(withRetryDefaults(t.pb.RetryConfig, t.q.pb.RetryConfig))
}

// endLocked removes a pending task for good and reserves its name.
func (s *Server) endLocked(t *task, dropped bool) {
	t.gone = true
	delete(s.tasks, t.pb.Name)
	final := viewOf(t.pb, cloudtaskspb.Task_FULL)
	if dropped {
		s.dropped = append(s.dropped, final)
	}
	s.reserveLocked(t.pb.Name, reserved{task: final, last: t.last})
}

func (s *Server) logAttempt(a Attempt, outcome string) {
	args := []any{"task", a.Task, "url", a.URL, "status", a.StatusCode, "retry_count", a.RetryCount,
		"duration", a.Duration.Round(time.Millisecond), "outcome", outcome}
	if a.Err != nil {
		args = append(args, "error", a.Err.Error())
	}
	s.log.Info("cloud tasks dispatch", args...)
}

// attemptCode maps an attempt's outcome to the status Cloud Tasks records for it (also
// sent as X-CloudTasks-TaskRetryReason on the next attempt).
func attemptCode(a Attempt) codes.Code {
	if a.Err != nil {
		if errors.Is(a.Err, context.DeadlineExceeded) {
			return codes.DeadlineExceeded
		}
		return codes.Unavailable
	}
	switch c := a.StatusCode; {
	case c >= 200 && c < 300:
		return codes.OK
	case c == 400:
		return codes.InvalidArgument
	case c == 401:
		return codes.Unauthenticated
	case c == 403:
		return codes.PermissionDenied
	case c == 404:
		return codes.NotFound
	case c == 409:
		return codes.Aborted
	case c == 412:
		return codes.FailedPrecondition
	case c == 429:
		return codes.ResourceExhausted
	case c == 499:
		return codes.Canceled
	case c == 501:
		return codes.Unimplemented
	case c == 503:
		return codes.Unavailable
	case c == 504:
		return codes.DeadlineExceeded
	case c >= 500:
		return codes.Internal
	default:
		return codes.Unknown
	}
}

func attemptMessage(a Attempt) string {
	if a.Err != nil {
		return a.Err.Error()
	}
	return fmt.Sprintf("HTTP %d %s", a.StatusCode, http.StatusText(a.StatusCode))
}
