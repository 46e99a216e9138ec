package events

import "testing"

func TestDeadLetterID(t *testing.T) {
	cases := []struct {
		delivery string
		ei, ci   int
		want     string
	}{
		{"17134151254590318", -1, -1, "17134151254590318-delivery"},
		{"17134151254590318", 0, 0, "17134151254590318-e0-c0"},
		{"17134151254590318", 2, 5, "17134151254590318-e2-c5"},
	}
	for _, c := range cases {
		got := DeadLetterID(c.delivery, c.ei, c.ci)
		if got != c.want {
			t.Errorf("(%s, %d, %d): got %q, want %q", c.delivery, c.ei, c.ci, got, c.want)
		}
	}
	// Two entries of the same WABA in one delivery: distinct ids.
	if DeadLetterID("m", 0, 1) == DeadLetterID("m", 1, 1) || DeadLetterID("m", 1, 0) == DeadLetterID("m", 0, 1) {
		t.Error("entry and change indexes do not separate dead letters")
	}
}
