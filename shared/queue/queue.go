// Package queue enqueues jobs as named Cloud Tasks aimed at the dispatch function.
// Tasks carry ids only; names derive from job ids so that enqueueing twice is a no-op.
package queue

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	cloudtasks "cloud.google.com/go/cloudtasks/apiv2"
	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Enqueuer creates named dispatch tasks; Tasks is the real one.
type Enqueuer interface {
	Enqueue(ctx context.Context, name string, at time.Time, p Payload) (bool, error)
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

// EnqueueJob creates the task for one delivery of a job at `at` (zero: now). It
// reports false, without an error, when that task already exists or ran recently.
func EnqueueJob(ctx context.Context, q Enqueuer, tenantID, jobID string, purpose Purpose, at time.Time) (bool, error) {
	return q.Enqueue(ctx, TaskName(tenantID, jobID, purpose), at, Payload{TenantID: tenantID, JobID: jobID})
}

// Payload is the body of a dispatch task.
type Payload struct {
	TenantID string `json:"tenant_id"`
	JobID    string `json:"job_id"`
}

// Tasks enqueues dispatch tasks on one Cloud Tasks queue.
type Tasks struct {
	Client         *cloudtasks.Client
	Queue          string // projects/P/locations/L/queues/Q
	URL            string // the dispatch function
	ServiceAccount string // OIDC identity; empty: no token (local only)
	Audience       string
	// Deadline is how long Cloud Tasks waits for dispatch to answer.
	Deadline time.Duration
}

// Enqueue creates the task `name` to deliver p at `at`. It reports false, without an
// error, when a task of that name already exists or ran recently.
func (q *Tasks) Enqueue(ctx context.Context, name string, at time.Time, p Payload) (bool, error) {
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
		Name:        q.Queue + "/tasks/" + name,
		MessageType: &cloudtaskspb.Task_HttpRequest{HttpRequest: req},
	}
	if !at.IsZero() {
		task.ScheduleTime = timestamppb.New(at)
	}
	if q.Deadline > 0 {
		task.DispatchDeadline = durationpb.New(q.Deadline)
	}
	_, err = q.Client.CreateTask(ctx, &cloudtaskspb.CreateTaskRequest{Parent: q.Queue, Task: task})
	if status.Code(err) == codes.AlreadyExists {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("enqueue task %s for job %s: %w", name, p.JobID, err)
	}
	return true, nil
}
