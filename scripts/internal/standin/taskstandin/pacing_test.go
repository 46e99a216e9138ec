package taskstandin

import (
	"context"
	"fmt"
	"testing"
	"time"

	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/lembra-app/lembra/shared/domain"
	lembraqueue "github.com/lembra-app/lembra/shared/queue"
)

// The production enqueuer against the stand-in: a tenant's queues do not exist until
// its first task, are then created at its cap, and a cap change re-paces them.
func TestTenantQueuesCreatedAndPacedAtRunTime(t *testing.T) {
	e := setup(t, Options{Signer: testSigner(t)}, nil, nil, nil)
	caps := map[string]int{"studio-jana": domain.ThroughputCoexistence, "studio-flor": 10}
	var capReads int
	q := &lembraqueue.Tasks{
		Client: e.client, Location: "projects/lembra-test/locations/southamerica-east1", Prefix: "send",
		Pacing: lembraqueue.DefaultPacing, URL: e.target.URL + "/dispatch",
		Retry: &cloudtaskspb.RetryConfig{MaxAttempts: 3, MinBackoff: durationpb.New(time.Second), MaxBackoff: durationpb.New(2 * time.Second), MaxDoublings: 1},
		CapOf: func(_ context.Context, id string) (int, error) { capReads++; return caps[id], nil },
	}
	ctx := context.Background()
	getQueue := func(tenant string, lane lembraqueue.Lane) *cloudtaskspb.Queue {
		t.Helper()
		got, err := e.client.GetQueue(ctx, &cloudtaskspb.GetQueueRequest{Name: q.QueueName(tenant, lane)})
		if err != nil {
			t.Fatalf("queue %s/%s: %v", tenant, lane, err)
		}
		return got
	}
	if _, err := e.client.GetQueue(ctx, &cloudtaskspb.GetQueueRequest{Name: q.QueueName("studio-jana", lembraqueue.LaneNow)}); status.Code(err) != codes.NotFound {
		t.Fatalf("a queue exists before the first task: %v", err)
	}

	for i, jt := range []domain.JobType{domain.JobCreated, domain.JobReminder, domain.JobCreated} {
		created, err := lembraqueue.EnqueueJob(ctx, q, "studio-jana", "job-"+string(rune('a'+i)), jt, lembraqueue.SendPurpose(1), time.Time{})
		if err != nil || !created {
			t.Fatalf("enqueue %d: %v %v", i, created, err)
		}
	}
	if capReads != 1 {
		t.Errorf("the tenant's cap read %d times, want once (when its queues were created)", capReads)
	}
	now, rem := getQueue("studio-jana", lembraqueue.LaneNow), getQueue("studio-jana", lembraqueue.LaneReminders)
	if rl := now.RateLimits; rl.MaxDispatchesPerSecond != 19 || rl.MaxConcurrentDispatches != 19 || rl.MaxBurstSize != 10 {
		t.Errorf("notice lane at a 20/s cap: %+v", rl)
	}
	if rl := rem.RateLimits; rl.MaxDispatchesPerSecond != 0.8 || rl.MaxConcurrentDispatches != 2 {
		t.Errorf("reminder lane at a 20/s cap: %+v", rl)
	}
	if rc := now.RetryConfig; rc.MaxAttempts != 3 || rc.MinBackoff.AsDuration() != time.Second || rc.MaxDoublings != 1 {
		t.Errorf("retry config %+v", rc)
	}
	waitFor(t, "the three tasks", func() bool { return len(e.target.requests()) == 3 })
	// The lanes: two tasks on the notice queue, one on the reminders'.
	byQueue := map[string]int{}
	for _, r := range e.target.requests() {
		byQueue[r.header.Get("X-CloudTasks-QueueName")]++
	}
	if byQueue[lembraqueue.QueueID("send", "studio-jana", lembraqueue.LaneNow)] != 2 || byQueue[lembraqueue.QueueID("send", "studio-jana", lembraqueue.LaneReminders)] != 1 {
		t.Errorf("dispatches by queue %v", byQueue)
	}

	// Meta upgrades the number: Pace re-paces both queues in place.
	if err := q.Pace(ctx, "studio-jana", domain.ThroughputCloudAPI); err != nil {
		t.Fatal(err)
	}
	if rl := getQueue("studio-jana", lembraqueue.LaneNow).RateLimits; rl.MaxDispatchesPerSecond != 76 || rl.MaxBurstSize != 16 {
		t.Errorf("notice lane after the cap change: %+v", rl)
	}
	if rl := getQueue("studio-jana", lembraqueue.LaneReminders).RateLimits; rl.MaxDispatchesPerSecond != 3.2 {
		t.Errorf("reminder lane after the cap change: %+v", rl)
	}
	// Another tenant has its own queues.
	if _, err := lembraqueue.EnqueueJob(ctx, q, "studio-flor", "job-x", domain.JobCreated, lembraqueue.SendPurpose(1), time.Time{}); err != nil {
		t.Fatal(err)
	}
	if rl := getQueue("studio-flor", lembraqueue.LaneNow).RateLimits; rl.MaxDispatchesPerSecond != 9.5 {
		t.Errorf("second tenant's notice lane: %+v", rl)
	}
}

// UpdateQueue honours its mask, refuses unknown paths and bad values, and a lower
// rate holds back the tasks already waiting.
func TestUpdateQueue(t *testing.T) {
	e := setup(t, Options{Signer: testSigner(t)}, nil, &cloudtaskspb.RateLimits{MaxDispatchesPerSecond: 500}, nil)
	ctx := context.Background()
	update := func(rl *cloudtaskspb.RateLimits, rc *cloudtaskspb.RetryConfig, paths ...string) (*cloudtaskspb.Queue, error) {
		return e.client.UpdateQueue(ctx, &cloudtaskspb.UpdateQueueRequest{
			Queue: &cloudtaskspb.Queue{Name: testQueue, RateLimits: rl, RetryConfig: rc}, UpdateMask: &fieldmaskpb.FieldMask{Paths: paths},
		})
	}
	got, err := update(&cloudtaskspb.RateLimits{MaxDispatchesPerSecond: 2, MaxConcurrentDispatches: 7}, &cloudtaskspb.RetryConfig{MaxAttempts: 9}, "rate_limits.max_dispatches_per_second")
	if err != nil {
		t.Fatal(err)
	}
	if rl := got.RateLimits; rl.MaxDispatchesPerSecond != 2 || rl.MaxConcurrentDispatches == 7 || rl.MaxBurstSize != 10 || got.RetryConfig.MaxAttempts == 9 {
		t.Errorf("only the masked field changes (and the burst with the rate): %+v %+v", rl, got.RetryConfig)
	}
	if _, err := update(nil, nil, "state"); status.Code(err) != codes.InvalidArgument {
		t.Errorf("unknown path: %v", err)
	}
	if _, err := update(&cloudtaskspb.RateLimits{MaxDispatchesPerSecond: 501}, nil, "rate_limits"); status.Code(err) != codes.InvalidArgument {
		t.Errorf("rate above 500/s: %v", err)
	}
	// 14 tasks at 2/s with a burst of 10: the last ones wait for the refill.
	start := time.Now()
	for i := range 14 {
		e.mustCreate(t, e.httpTask(fmt.Sprintf("t-%d", i), "/dispatch", time.Time{}))
	}
	waitFor(t, "the 14 tasks", func() bool { return len(e.target.requests()) == 14 })
	if took := time.Since(start); took < 1500*time.Millisecond {
		t.Errorf("14 tasks at 2/s with a burst of 10 took %v, want about 2 s", took)
	}
}

// A tenant queue created moments ago may refuse tasks until it has initialised
// ("Queue does not exist."): the task goes through the shared fallback queue instead,
// and once the queue is ready, tasks go to it.
func TestNewTenantQueueNotReadyFallsBack(t *testing.T) {
	e := setup(t, Options{Signer: testSigner(t), QueueWarmUp: 700 * time.Millisecond}, nil, nil, nil)
	q := &lembraqueue.Tasks{
		Client: e.client, Location: "projects/lembra-test/locations/southamerica-east1", Prefix: "send",
		Pacing: lembraqueue.DefaultPacing, URL: e.target.URL + "/dispatch", Fallback: testQueue,
		CapOf: func(context.Context, string) (int, error) { return domain.ThroughputCloudAPI, nil },
	}
	ctx := context.Background()
	if created, err := lembraqueue.EnqueueJob(ctx, q, "studio-nova", "job-1", domain.JobCreated, lembraqueue.SendPurpose(1), time.Time{}); err != nil || !created {
		t.Fatalf("first task: %v %v", created, err)
	}
	// Without a fallback the same refusal is an error (the caller retries).
	bare := *q
	bare.Fallback = ""
	if _, err := lembraqueue.EnqueueJob(ctx, &bare, "studio-nova", "job-2", domain.JobCreated, lembraqueue.SendPurpose(1), time.Time{}); status.Code(err) != codes.FailedPrecondition {
		t.Errorf("a not-ready queue without a fallback: %v, want FailedPrecondition", err)
	}
	time.Sleep(800 * time.Millisecond)
	if _, err := lembraqueue.EnqueueJob(ctx, q, "studio-nova", "job-3", domain.JobCreated, lembraqueue.SendPurpose(1), time.Time{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "two dispatches", func() bool { return len(e.target.requests()) == 2 })
	got := map[string]string{}
	for _, r := range e.target.requests() {
		got[r.body] = r.header.Get("X-CloudTasks-QueueName")
	}
	if got[`{"tenant_id":"studio-nova","job_id":"job-1"}`] != "dispatch" {
		t.Errorf("the first task went through %q, want the shared queue", got[`{"tenant_id":"studio-nova","job_id":"job-1"}`])
	}
	if want := lembraqueue.QueueID("send", "studio-nova", lembraqueue.LaneNow); got[`{"tenant_id":"studio-nova","job_id":"job-3"}`] != want {
		t.Errorf("after the warm-up the task went through %q, want %s", got[`{"tenant_id":"studio-nova","job_id":"job-3"}`], want)
	}
}
