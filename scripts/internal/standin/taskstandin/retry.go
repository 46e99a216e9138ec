package taskstandin

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
)

// Cloud Tasks' defaults for a queue created without a retry_config or rate_limits.
const (
	DefaultMaxAttempts             = 100
	DefaultMinBackoff              = 100 * time.Millisecond
	DefaultMaxBackoff              = 3600 * time.Second
	DefaultMaxDoublings            = 16
	DefaultMaxDispatchesPerSecond  = 500
	DefaultMaxConcurrentDispatches = 1000
)

// withQueueDefaults returns a copy of q with Cloud Tasks' defaults in the fields left
// unset, as GetQueue shows them.
func withQueueDefaults(q *cloudtaskspb.Queue) *cloudtaskspb.Queue {
	q = proto.Clone(q).(*cloudtaskspb.Queue)
	q.RetryConfig = withRetryDefaults(q.RetryConfig, nil)
	r := q.RateLimits
	if r == nil {
		r = &cloudtaskspb.RateLimits{}
	}
	if r.MaxDispatchesPerSecond <= 0 {
		r.MaxDispatchesPerSecond = DefaultMaxDispatchesPerSecond
	}
	if r.MaxBurstSize <= 0 {
		r.MaxBurstSize = BurstFor(r.MaxDispatchesPerSecond)
	}
	if r.MaxConcurrentDispatches <= 0 {
		r.MaxConcurrentDispatches = DefaultMaxConcurrentDispatches
	}
	q.RateLimits = r
	if q.State == cloudtaskspb.Queue_STATE_UNSPECIFIED {
		q.State = cloudtaskspb.Queue_RUNNING
	}
	return q
}

// withRetryDefaults fills the unset fields of rc from base, or from Cloud Tasks'
// defaults when base is nil. A nil rc gets all of base (or the defaults), including
// max_doublings; in a given rc, max_doublings is taken as it is, 0 meaning linear
// growth from the start (proto3 cannot tell 0 from unset).
func withRetryDefaults(rc, base *cloudtaskspb.RetryConfig) *cloudtaskspb.RetryConfig {
	if base == nil {
		base = &cloudtaskspb.RetryConfig{
			MaxAttempts: DefaultMaxAttempts, MaxRetryDuration: durationpb.New(0),
			MinBackoff: durationpb.New(DefaultMinBackoff), MaxBackoff: durationpb.New(DefaultMaxBackoff),
			MaxDoublings: DefaultMaxDoublings,
		}
	}
	if rc == nil {
		return proto.Clone(base).(*cloudtaskspb.RetryConfig)
	}
	rc = proto.Clone(rc).(*cloudtaskspb.RetryConfig)
	if rc.MaxAttempts == 0 {
		rc.MaxAttempts = base.MaxAttempts
	}
	if rc.MaxRetryDuration == nil {
		rc.MaxRetryDuration = base.MaxRetryDuration
	}
	if rc.MinBackoff == nil {
		rc.MinBackoff = base.MinBackoff
	}
	if rc.MaxBackoff == nil {
		rc.MaxBackoff = base.MaxBackoff
	}
	if rc.MaxDoublings < 0 {
		rc.MaxDoublings = 0
	}
	return rc
}

// policy is a filled-in RetryConfig in Go types.
type policy struct {
	maxAttempts  int           // -1: unlimited
	maxDuration  time.Duration // 0: unlimited
	minBackoff   time.Duration
	maxBackoff   time.Duration
	maxDoublings int
}

func policyOf(rc *cloudtaskspb.RetryConfig) policy {
	rc = withRetryDefaults(rc, nil)
	p := policy{
		maxAttempts:  int(rc.MaxAttempts),
		maxDuration:  rc.MaxRetryDuration.AsDuration(),
		minBackoff:   rc.MinBackoff.AsDuration(),
		maxBackoff:   rc.MaxBackoff.AsDuration(),
		maxDoublings: int(rc.MaxDoublings),
	}
	if p.maxAttempts < -1 {
		p.maxAttempts = -1
	}
	if p.minBackoff < 0 {
		p.minBackoff = 0
	}
	if p.maxBackoff < p.minBackoff {
		p.maxBackoff = p.minBackoff
	}
	return p
}

// backoff is the delay before retry number n (n ≥ 1: the delay after the n-th failed
// attempt). It starts at min_backoff, doubles max_doublings times, then grows linearly
// by the last doubled value, and is capped at max_backoff. With min 10s, max 300s and
// 3 doublings: 10s, 20s, 40s, 80s, 160s, 240s, 300s, 300s, …
func (p policy) backoff(n int) time.Duration {
	if n < 1 {
		n = 1
	}
	d := p.minBackoff
	if d <= 0 {
		return 0
	}
	doublings := min(n-1, p.maxDoublings)
	for range doublings {
		if d >= p.maxBackoff {
			return p.maxBackoff
		}
		d *= 2
	}
	if steps := n - 1 - p.maxDoublings; steps > 0 {
		if float64(d)*float64(steps+1) >= float64(p.maxBackoff) {
			return p.maxBackoff
		}
		d *= time.Duration(steps + 1)
	}
	return min(d, p.maxBackoff)
}

// exhausted reports whether a task that has been attempted `attempts` times, the first
// attempt `elapsed` ago, gets no further attempt. When both max_attempts and
// max_retry_duration are limited, retries stop only when both are reached (as Cloud
// Tasks documents); an unlimited one (-1, 0) does not hold the other back.
func (p policy) exhausted(attempts int, elapsed time.Duration) bool {
	countLimited, timeLimited := p.maxAttempts >= 0, p.maxDuration > 0
	countDone := countLimited && attempts >= p.maxAttempts
	timeDone := timeLimited && elapsed >= p.maxDuration
	switch {
	case countLimited && timeLimited:
		return countDone && timeDone
	case countLimited:
		return countDone
	case timeLimited:
		return timeDone
	default:
		return false
	}
}

// retryAfter parses a Retry-After header (delay in seconds, or an HTTP date).
func retryAfter(h string, now time.Time) time.Duration {
	if h == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(h, 64); err == nil {
		if secs <= 0 || math.IsNaN(secs) || math.IsInf(secs, 0) {
			return 0
		}
		return time.Duration(min(secs, 365*24*3600) * float64(time.Second))
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// BurstFor is the max_burst_size the stand-in picks for a queue's rate. Cloud Tasks
// picks it itself ("The default value of max_burst_size is picked by Cloud Tasks based
// on the value of max_dispatches_per_second", at most 500:
// https://cloud.google.com/tasks/docs/reference/rpc/google.cloud.tasks.v2#ratelimits)
// without publishing how; queues described with gcloud show 10 at 1/s and 100 at
// 500/s, which a fifth of the rate, at least 10, matches.
func BurstFor(rate float64) int32 {
	return int32(min(500, max(10, math.Ceil(rate/5))))
}
