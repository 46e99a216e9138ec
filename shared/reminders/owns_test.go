package reminders

import (
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
)

func TestDispatchOwns(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	tried := &domain.Job{Status: domain.JobQueued}
	tried.AddAttempt(domain.Attempt{N: 1, At: now.Add(-time.Hour), Outcome: "retry"})
	for name, c := range map[string]struct {
		j    *domain.Job
		want bool
	}{
		"queued, never tried, nothing ahead: its task may be lost": {&domain.Job{Status: domain.JobQueued}, false},
		"tried once: its retry task is on the queue":               {tried, true},
		"held by the messaging limit until tomorrow":               {&domain.Job{Status: domain.JobQueued, NextRetryAt: now.Add(20 * time.Hour)}, true},
		"held until a moment that has passed":                      {&domain.Job{Status: domain.JobQueued, NextRetryAt: now.Add(-time.Minute)}, false},
	} {
		if got := DispatchOwns(c.j, now); got != c.want {
			t.Errorf("%s: DispatchOwns = %v, want %v", name, got, c.want)
		}
	}
}
