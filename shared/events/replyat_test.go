package events

import (
	"testing"
	"time"
)

func TestReplyAt(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	const gap = 7 * time.Second
	cases := []struct {
		name            string
		sent, lastReply time.Time
		gap             time.Duration
		want            time.Time
	}{
		{"nothing known: at once", time.Time{}, time.Time{}, gap, now},
		{"the tapped message went out long ago: at once", now.Add(-time.Hour), time.Time{}, gap, now},
		{"the tapped message went out 2 s ago: gap after it", now.Add(-2 * time.Second), time.Time{}, gap, now.Add(5 * time.Second)},
		{"exactly gap ago: at once", now.Add(-gap), time.Time{}, gap, now},
		{"an earlier answer went out 3 s ago: gap after it", time.Time{}, now.Add(-3 * time.Second), gap, now.Add(4 * time.Second)},
		{"an earlier answer is scheduled 7 s ahead (the second of quick taps): gap after it",
			now.Add(-time.Second), now.Add(7 * time.Second), gap, now.Add(14 * time.Second)},
		{"the later of the two counts", now.Add(-time.Second), now.Add(-5 * time.Second), gap, now.Add(6 * time.Second)},
		{"old answer, recent tapped message", now.Add(-4 * time.Second), now.Add(-time.Hour), gap, now.Add(3 * time.Second)},
		{"gap 0: at once", now.Add(-time.Second), now.Add(7 * time.Second), 0, now},
	}
	for _, c := range cases {
		if got := ReplyAt(now, c.sent, c.lastReply, c.gap); !got.Equal(c.want) {
			t.Errorf("%s: ReplyAt = %v, want %v", c.name, got.Sub(now), c.want.Sub(now))
		}
	}
	// Three taps in one second on a notice sent just before: each answer gap after
	// the previous one.
	last := time.Time{}
	sent := now.Add(-500 * time.Millisecond)
	var ats []time.Time
	for i := range 3 {
		at := ReplyAt(now.Add(time.Duration(i)*300*time.Millisecond), sent, last, gap)
		ats = append(ats, at)
		last = at
	}
	for i, want := range []time.Duration{6500 * time.Millisecond, 13500 * time.Millisecond, 20500 * time.Millisecond} {
		if got := ats[i].Sub(now); got != want {
			t.Errorf("tap %d answered at now%+v, want now%+v", i, got, want)
		}
	}
}
