package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/shared/queue"
)

// Every tenant's queues are created, or brought to the configured rates, from what is
// stored; a tenant that cannot be paced is named and the others still are.
func TestPaceAll(t *testing.T) {
	s := devstack.ForTest(t, devstack.Options{})
	ctx := context.Background()
	spec := devstack.DemoTenant()
	spec.WhatsApp.Coexistence = true
	if _, _, err := s.AddTenant(ctx, spec); err != nil {
		t.Fatal(err)
	}
	other := devstack.DemoTenant()
	other.ID, other.APIKey = "studio-outro", ""
	other.WhatsApp.WABAID, other.WhatsApp.PhoneNumberID = "102290129340901", "106540352240901"
	if _, _, err := s.AddTenant(ctx, other); err != nil {
		t.Fatal(err)
	}
	st, err := s.Env.Store(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tasks, err := s.Env.Tasks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// studio-jana's notice lane exists with an old rate, as before a change of shares.
	if _, err := tasks.Client.UpdateQueue(ctx, &cloudtaskspb.UpdateQueueRequest{Queue: &cloudtaskspb.Queue{
		Name: tasks.QueueName(spec.ID, queue.LaneNow), RateLimits: &cloudtaskspb.RateLimits{MaxDispatchesPerSecond: 3},
	}}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	n, err := paceAll(ctx, st, tasks, "", &out)
	if err != nil || n < 2 {
		t.Fatalf("paced %d: %v\n%s", n, err, out.String())
	}
	rate := func(tenant string, lane queue.Lane) float64 {
		q, err := tasks.Client.GetQueue(ctx, &cloudtaskspb.GetQueueRequest{Name: tasks.QueueName(tenant, lane)})
		if err != nil {
			t.Fatalf("%s %s: %v", tenant, lane, err)
		}
		return q.RateLimits.MaxDispatchesPerSecond
	}
	if got := rate(spec.ID, queue.LaneNow); got != 19 {
		t.Errorf("coexistence studio's notice lane at %v/s, want 19", got)
	}
	if got := rate(other.ID, queue.LaneReminders); got != 3.2 {
		t.Errorf("Cloud API studio's reminder lane at %v/s, want 3.2", got)
	}
	if !strings.Contains(out.String(), "studio-jana: paced at 20 msg/s") {
		t.Errorf("report:\n%s", out.String())
	}
	// A tenant that does not exist is named; the run says how many failed.
	out.Reset()
	if _, err := paceAll(ctx, st, tasks, "no-such-studio", &out); err == nil || !strings.Contains(out.String(), "no-such-studio: not paced") {
		t.Errorf("unknown tenant: %v\n%s", err, out.String())
	}
}
