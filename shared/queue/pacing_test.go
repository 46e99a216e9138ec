package queue

import (
	"regexp"
	"strings"
	"testing"

	"github.com/lembra-app/lembra/shared/domain"
)

func TestLaneOf(t *testing.T) {
	for jt, want := range map[domain.JobType]Lane{
		domain.JobCreated:  LaneNow,
		domain.JobCanceled: LaneNow,
		domain.JobReply:    LaneNow,
		domain.JobReminder: LaneReminders,
		"unknown_type":     LaneNow, // a new kind is urgent until said otherwise
	} {
		if got := LaneOf(jt); got != want {
			t.Errorf("LaneOf(%s) = %s, want %s", jt, got, want)
		}
	}
}

func TestPacingRates(t *testing.T) {
	p := DefaultPacing
	cases := []struct {
		cap      int
		now, rem float64
	}{
		{domain.ThroughputCoexistence, 19, 0.8},
		{domain.ThroughputCloudAPI, 76, 3.2},
		{domain.ThroughputUpgraded, MaxQueueRate, 40}, // 950/s is above a queue's ceiling
		{0, 19, 0.8},      // unknown: the lowest cap Meta sets
		{-5, 19, 0.8},     // nonsense: likewise
		{4, 3.8, 0.16},    // scaled-down caps in tests
		{1, 0.95, 0.04},   // fractions of a dispatch per second are allowed
		{13, 12.35, 0.52}, // cents of a dispatch per second
		{7, 6.65, 0.28},
		{3, 2.85, 0.12},
	}
	for _, c := range cases {
		now, rem := p.Rate(c.cap, LaneNow), p.Rate(c.cap, LaneReminders)
		if now != c.now || rem != c.rem {
			t.Errorf("cap %d: lanes %v and %v, want %v and %v", c.cap, now, rem, c.now, c.rem)
		}
		if c.cap > 0 && c.cap <= 500 && now+rem > float64(c.cap) {
			t.Errorf("cap %d: lanes together %v exceed the cap", c.cap, now+rem)
		}
	}
	if tiny := (Pacing{NowShare: 0.001, ReminderShare: 0.001}).Rate(1, LaneNow); tiny != 0.01 {
		t.Errorf("a rate never drops to zero: %v", tiny)
	}
}

func TestPacingValid(t *testing.T) {
	for p, want := range map[Pacing]bool{
		DefaultPacing:                        true,
		{NowShare: 0.5, ReminderShare: 0.5}:  true,
		{NowShare: 0.9, ReminderShare: 0.2}:  false, // together above the cap
		{NowShare: 0, ReminderShare: 0.1}:    false,
		{NowShare: 0.9, ReminderShare: 0}:    false,
		{NowShare: -0.1, ReminderShare: 0.5}: false,
	} {
		if got := p.Valid(); got != want {
			t.Errorf("%+v.Valid() = %v, want %v", p, got, want)
		}
	}
}

func TestConcurrency(t *testing.T) {
	for rate, want := range map[float64]int32{0.05: 2, 1: 2, 3.6: 4, 18: 18, 72: 72, 500: 500} {
		if got := Concurrency(rate); got != want {
			t.Errorf("Concurrency(%v) = %d, want %d", rate, got, want)
		}
	}
}

func TestQueueID(t *testing.T) {
	valid := regexp.MustCompile(`^[A-Za-z0-9-]{1,100}$`) // Cloud Tasks' queue id
	long := strings.Repeat("x", 64)
	cases := map[string]string{
		"studio-jana": "send-now-studio-jana-",
		"studio_jana": "send-now-studio-jana-", // the readable part alike, the hash apart
		long:          "send-now-" + strings.Repeat("x", 40) + "-",
	}
	seen := map[string]string{}
	for tenant, prefix := range cases {
		id := QueueID("send", tenant, LaneNow)
		if !valid.MatchString(id) || !strings.HasPrefix(id, prefix) || len(id) != len(prefix)+12 {
			t.Errorf("QueueID(%q) = %q, want %q + 12 hex digits, a valid queue id", tenant, id, prefix)
		}
		if other, ok := seen[id]; ok {
			t.Errorf("tenants %q and %q share the queue %s", tenant, other, id)
		}
		seen[id] = tenant
		if rem := QueueID("send", tenant, LaneReminders); rem == id || !strings.HasPrefix(rem, "send-rem-") {
			t.Errorf("reminder lane of %q: %s", tenant, rem)
		}
	}
	// Stable: queues already created must keep their names across deploys.
	if got := QueueID("send", "studio-jana", LaneNow); got != "send-now-studio-jana-0cf2299e5a64" {
		t.Errorf("QueueID is not stable: %s", got)
	}
}
