package queue

import (
	"context"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
)

func TestPurposes(t *testing.T) {
	cases := []struct {
		got  Purpose
		want string
	}{
		{SendPurpose(1), "send-1"},
		{SendPurpose(2), "send-2"},
		{SendPurpose(12), "send-12"},
		{CheckPurpose(1), "check-1"},
		{CheckPurpose(7), "check-7"},
	}
	for _, c := range cases {
		if string(c.got) != c.want {
			t.Errorf("purpose %q, want %q", c.got, c.want)
		}
	}
}

func TestTaskName(t *testing.T) {
	// The names of tasks already on a queue must not change: a deploy would otherwise
	// enqueue a second task for a job whose first is still waiting.
	if got, want := TaskName("studio-jana", "apt-appointment_created", SendPurpose(1)), "f14ce57cf30b0f7d9c97e4025f2a53be8254bc91"; got != want {
		t.Errorf("TaskName = %s, want %s", got, want)
	}
	base := TaskName("t", "j", SendPurpose(1))
	if len(base) != 40 {
		t.Errorf("TaskName length %d, want 40 hex digits", len(base))
	}
	for _, other := range []string{
		TaskName("t", "j", SendPurpose(2)),
		TaskName("t", "j", CheckPurpose(1)),
		TaskName("t2", "j", SendPurpose(1)),
		TaskName("t", "j2", SendPurpose(1)),
		TaskName("tj", "", SendPurpose(1)), // fields are separated: no concatenation clash
	} {
		if other == base {
			t.Errorf("distinct deliveries share the task name %s", base)
		}
	}
	if TaskName("t", "j", SendPurpose(1)) != base {
		t.Error("TaskName is not stable")
	}
}

type recorder struct {
	route Route
	name  string
	at    time.Time
	p     Payload
}

func (r *recorder) Enqueue(_ context.Context, route Route, name string, at time.Time, p Payload) (bool, error) {
	r.route, r.name, r.at, r.p = route, name, at, p
	return true, nil
}

func TestEnqueueJob(t *testing.T) {
	var r recorder
	at := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	if _, err := EnqueueJob(context.Background(), &r, "t", "j", domain.JobReminder, CheckPurpose(3), at); err != nil {
		t.Fatal(err)
	}
	if r.name != TaskName("t", "j", CheckPurpose(3)) || !r.at.Equal(at) || r.p != (Payload{TenantID: "t", JobID: "j"}) ||
		r.route != (Route{TenantID: "t", Lane: LaneReminders}) {
		t.Errorf("enqueued %+v", r)
	}
}
