package dispatch

import (
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
)

func TestNotDue(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	later, earlier := now.Add(5*time.Minute), now.Add(-5*time.Minute)
	cases := []struct {
		name string
		job  domain.Job
		at   time.Time
		wait bool
	}{
		{"another delivery holds the claim", domain.Job{Status: domain.JobSending, LeaseUntil: later}, later, true},
		{"the claim's lease ran out", domain.Job{Status: domain.JobSending, LeaseUntil: earlier}, time.Time{}, false},
		{"unknown outcome still waiting for its webhook", domain.Job{Status: domain.JobUnknown, NextRetryAt: later}, later, true},
		{"unknown outcome waited long enough", domain.Job{Status: domain.JobUnknown, NextRetryAt: earlier}, time.Time{}, false},
		{"retry not due yet", domain.Job{Status: domain.JobQueued, NextRetryAt: later, ScheduledFor: earlier}, later, true},
		{"retry due", domain.Job{Status: domain.JobQueued, NextRetryAt: earlier, ScheduledFor: earlier}, time.Time{}, false},
		{"reminder delivered early", domain.Job{Status: domain.JobQueued, ScheduledFor: later}, later, true},
		{"reminder within the early skew", domain.Job{Status: domain.JobPending, ScheduledFor: now.Add(30 * time.Second)}, time.Time{}, false},
		{"due now", domain.Job{Status: domain.JobPending, ScheduledFor: now}, time.Time{}, false},
		{"sent: settled, not a wait", domain.Job{Status: domain.JobSent, ScheduledFor: later}, time.Time{}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			at, wait := notDue(&c.job, now)
			if wait != c.wait || (wait && !at.Equal(c.at)) {
				t.Errorf("notDue = %v, %v; want %v, %v", at, wait, c.at, c.wait)
			}
		})
	}
}

func TestWindowDecides(t *testing.T) {
	skipped := func(code string) *domain.Job { return &domain.Job{Status: domain.JobSkipped, ReasonCode: code} }
	cases := []struct {
		name string
		d    Decision
		want bool
	}{
		{"a claim: the window must be checked", Decision{Step: Claim}, true},
		{"skipped for the window: check it with the client's last message", Decision{Step: Update, Job: skipped(domain.ReasonWindowClosed)}, true},
		{"skipped by the kill switch: no need to read the conversation", Decision{Step: Update, Job: skipped(domain.ReasonKillSwitch)}, false},
		{"a wait", Decision{Step: Wait}, false},
		{"settled", Decision{Step: Ignore}, false},
	}
	for _, c := range cases {
		if got := windowDecides(c.d); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
