package dispatch

import (
	"testing"
	"time"
)

// A job held again with the same Until to the second needs a task of a new name: Cloud
// Tasks refuses a name that ran recently, and the job would be left with no task.
func TestLimitPurpose(t *testing.T) {
	until := time.Date(2026, 12, 2, 9, 30, 0, 0, time.UTC)
	seen := map[string]string{}
	for name, p := range map[string]string{
		"first hold":                     string(LimitPurpose(1, until)),
		"second hold, same until":        string(LimitPurpose(2, until)),
		"first hold, a nanosecond later": string(LimitPurpose(1, until.Add(time.Nanosecond))),
		"first hold, a second later":     string(LimitPurpose(1, until.Add(time.Second))),
	} {
		if other, dup := seen[p]; dup {
			t.Errorf("%s and %s share the purpose %s", name, other, p)
		}
		seen[p] = name
	}
	if LimitPurpose(3, until) != LimitPurpose(3, until) {
		t.Error("LimitPurpose is not stable: a redelivered decision would create a second task")
	}
}
