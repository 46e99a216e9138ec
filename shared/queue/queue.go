// Package queue enqueues jobs as named Cloud Tasks aimed at the dispatch function.
// Tasks carry ids only; names derive from job ids so that enqueueing twice is a no-op.
// Each tenant's sends go through its own two queues (pacing.go), paced by Cloud Tasks
// at the number's throughput cap.
package queue

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	cloudtasks "cloud.google.com/go/cloudtasks/apiv2"
	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/lembra-app/lembra/shared/domain"
)

// Route names the queue a task goes to: the tenant's lane.
type Route struct {
	TenantID string
	Lane     Lane
}

// Enqueuer creates named dispatch tasks; Tasks is the real one.
type Enqueuer interface {
	Enqueue(ctx context.Context, r Route, name string, at time.Time, p Payload) (bool, error)
}

// Pacer sets a tenant's queues to its number's throughput cap; Tasks is the real one.
type Pacer interface {
	Pace(ctx context.Context, tenantID string, capPerSecond int) error
}

// Purpose names one delivery of a job's task: its first send, a retry, or the check
// after an unknown outcome. A job has one task per purpose.
type Purpose string

// SendPurpose is the delivery that makes attempt n (1-based) of a job: SendPurpose(1)
// is the first send, SendPurpose(n+1) the retry after a retryable failure of attempt n.
func SendPurpose(n int) Purpose { return Purpose(fmt.Sprintf("send-%d", n)) }

// CheckPurpose is the delivery that looks again at a job whose n-th attempt ended
// with an unknown outcome, once the wait for its status webhook is over.
func CheckPurpose(n int) Purpose { return Purpose(fmt.Sprintf("check-%d", n)) }

// TaskName derives the Cloud Task id for one delivery of a job: derived from the job,
// so that enqueueing the same delivery twice creates one task (Cloud Tasks refuses a
// name in use or used within about an hour), and hashed, as CreateTask's reference asks
// ("using hashed strings for the task id ... is recommended"; sequential ids raise
// latency and error rates):
// https://cloud.google.com/tasks/docs/reference/rest/v2/projects.locations.queues.tasks/create
func TaskName(tenantID, jobID string, purpose Purpose) string {
	sum := sha256.Sum256([]byte(tenantID + "\x00" + jobID + "\x00" + string(purpose)))
	return hex.EncodeToString(sum[:20])
}

// EnqueueJob creates the task for one delivery of a job of type jt at `at` (zero:
// now), on the tenant's lane for jt. It reports false, without an error, when that
// task already exists or ran recently.
func EnqueueJob(ctx context.Context, q Enqueuer, tenantID, jobID string, jt domain.JobType, purpose Purpose, at time.Time) (bool, error) {
	return q.Enqueue(ctx, Route{TenantID: tenantID, Lane: LaneOf(jt)}, TaskName(tenantID, jobID, purpose), at, Payload{TenantID: tenantID, JobID: jobID})
}

// Payload is the body of a dispatch task.
type Payload struct {
	TenantID string `json:"tenant_id"`
	JobID    string `json:"job_id"`
}

// Tasks enqueues dispatch tasks on the tenants' queues, creating a tenant's queues
// the first time a task is sent to them.
type Tasks struct {
	Client   *cloudtasks.Client
	Location string // projects/P/locations/L: where the tenants' queues are
	Prefix   string // queue ids start with it (QueueID)
	// Pacing and Retry configure the tenants' queues (terraform/tasks.tf documents
	// the values a deployment sets).
	Pacing Pacing
	Retry  *cloudtaskspb.RetryConfig
	// CapOf reads a tenant's throughput cap (domain.WhatsApp.Cap) when its queues
	// are created on first use.
	CapOf          func(ctx context.Context, tenantID string) (int, error)
	URL            string // the dispatch function
	ServiceAccount string // OIDC identity; empty: no token (local only)
	Audience       string
	// Deadline is how long Cloud Tasks waits for dispatch to answer.
	Deadline time.Duration
	// Fallback, when set, is a queue that always exists (the shared queue Terraform
	// keeps): a task whose tenant queue cannot take it yet, right after being created,
	// goes there instead of being lost.
	Fallback string
	Log      *slog.Logger
}

// queueMissing reports whether CreateTask refused a task because its queue does not
// exist: Cloud Tasks answers FAILED_PRECONDITION "Queue does not exist." (also for a
// queue created moments ago that has not initialised, or one deleted recently); NOT_FOUND
// is accepted too.
func queueMissing(err error) bool {
	c := status.Code(err)
	return c == codes.FailedPrecondition || c == codes.NotFound
}

// QueueName is the full name of a tenant's lane.
func (q *Tasks) QueueName(tenantID string, lane Lane) string {
	return q.Location + "/queues/" + QueueID(q.Prefix, tenantID, lane)
}

// Enqueue creates the task `name` to deliver p at `at` on the route's queue. It
// reports false, without an error, when a task of that name already exists or ran
// recently. A tenant whose queues do not exist yet gets them, paced at its cap.
func (q *Tasks) Enqueue(ctx context.Context, r Route, name string, at time.Time, p Payload) (bool, error) {
	parent := q.QueueName(r.TenantID, r.Lane)
	created, err := q.create(ctx, parent, name, at, p)
	if !queueMissing(err) {
		return created, err
	}
	// The tenant's first task since its queues were set up (or ever): create them at
	// its cap, then try once more.
	capPerSecond, cerr := q.CapOf(ctx, r.TenantID)
	if cerr != nil {
		return false, fmt.Errorf("enqueue task %s for job %s: read the tenant's cap for its queues: %w", name, p.JobID, cerr)
	}
	if perr := q.Pace(ctx, r.TenantID, capPerSecond); perr != nil {
		return false, fmt.Errorf("enqueue task %s for job %s: %w", name, p.JobID, perr)
	}
	created, err = q.create(ctx, parent, name, at, p)
	if !queueMissing(err) || q.Fallback == "" {
		return created, err
	}
	// A queue just created may refuse tasks until it has initialised: this one goes
	// through the shared queue (paced for all tenants together) rather than waiting.
	if q.Log != nil {
		q.Log.WarnContext(ctx, "tenant queue not ready; task sent through the shared queue",
			"tenant_id", r.TenantID, "queue", parent, "fallback", q.Fallback)
	}
	return q.create(ctx, q.Fallback, name, at, p)
}

// Pace sets both of a tenant's queues to the rates of capPerSecond, creating them if
// they do not exist (UpdateQueue "creates the queue if it does not exist and updates
// the queue if it does exist":
// https://cloud.google.com/tasks/docs/reference/rpc/google.cloud.tasks.v2#google.cloud.tasks.v2.CloudTasks.UpdateQueue).
// Cloud Tasks applies new rates to the tasks already waiting, so a cap change takes
// effect at the next dispatch.
func (q *Tasks) Pace(ctx context.Context, tenantID string, capPerSecond int) error {
	for _, lane := range Lanes {
		rate := q.Pacing.Rate(capPerSecond, lane)
		queue := &cloudtaskspb.Queue{
			Name: q.QueueName(tenantID, lane),
			RateLimits: &cloudtaskspb.RateLimits{
				MaxDispatchesPerSecond:  rate,
				MaxConcurrentDispatches: Concurrency(rate),
			},
			RetryConfig: q.Retry,
		}
		paths := []string{"rate_limits.max_dispatches_per_second", "rate_limits.max_concurrent_dispatches"}
		if q.Retry != nil {
			paths = append(paths, "retry_config")
		}
		if _, err := q.Client.UpdateQueue(ctx, &cloudtaskspb.UpdateQueueRequest{
			Queue: queue, UpdateMask: &fieldmaskpb.FieldMask{Paths: paths},
		}); err != nil {
			return fmt.Errorf("pace queue %s at %d msg/s: %w", queue.Name, capPerSecond, err)
		}
	}
	return nil
}

func (q *Tasks) create(ctx context.Context, parent, name string, at time.Time, p Payload) (bool, error) {
	body, err := json.Marshal(p)
	if err != nil {
		return false, err
	}
	req := &cloudtaskspb.HttpRequest{
		Url:        q.URL,
		HttpMethod: cloudtaskspb.HttpMethod_POST,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       body,
	}
	if q.ServiceAccount != "" {
		req.AuthorizationHeader = &cloudtaskspb.HttpRequest_OidcToken{OidcToken: &cloudtaskspb.OidcToken{
			ServiceAccountEmail: q.ServiceAccount, Audience: q.Audience,
		}}
	}
	task := &cloudtaskspb.Task{
		Name:        parent + "/tasks/" + name,
		MessageType: &cloudtaskspb.Task_HttpRequest{HttpRequest: req},
	}
	if !at.IsZero() {
		task.ScheduleTime = timestamppb.New(at)
	}
	if q.Deadline > 0 {
		task.DispatchDeadline = durationpb.New(q.Deadline)
	}
	_, err = q.Client.CreateTask(ctx, &cloudtaskspb.CreateTaskRequest{Parent: parent, Task: task})
	if status.Code(err) == codes.AlreadyExists {
		return false, nil
	}
	if queueMissing(err) {
		return false, err
	}
	if err != nil {
		return false, fmt.Errorf("enqueue task %s for job %s: %w", name, p.JobID, err)
	}
	return true, nil
}
