// Package queue enqueues jobs as named Cloud Tasks aimed at the dispatch function.
// Tasks carry ids only; names derive from job ids so that enqueueing twice is a no-op.
package queue

import (
	"context"
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
