package domain

import (
	"fmt"
	"testing"
	"time"
)

func TestParseMessagingLimit(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"TIER_250", 250, true}, {"TIER_2K", 2000, true}, {"TIER_10K", 10_000, true},
		{"TIER_100K", 100_000, true}, {"TIER_UNLIMITED", LimitUnlimited, true}, {"TIER_50", 50, true},
		{"TIER_NOT_SET", LimitNewPortfolio, true}, {"tier_2k", 2000, true},
		{"2000", 2000, true}, {"-1", LimitUnlimited, true}, {" 250 ", 250, true},
		{"", 0, false}, {"0", 0, false}, {"-5", 0, false}, {"TIER_BIG", 0, false}, {"lots", 0, false},
	} {
		got, ok := ParseMessagingLimit(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("ParseMessagingLimit(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestLimitCounted(t *testing.T) {
	for _, c := range []struct {
		limit int
		want  bool
	}{{LimitNotRead, false}, {LimitUnlimited, false}, {50, true}, {250, true}, {10_000, true}, {100_000, false}} {
		if got := LimitCounted(c.limit); got != c.want {
			t.Errorf("LimitCounted(%d) = %v, want %v", c.limit, got, c.want)
		}
	}
}

func TestApplyMessagingLimitOrdersReports(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	var w WhatsApp
	if !w.ApplyMessagingLimit(250, t0) || w.MessagingLimit != 250 {
		t.Fatalf("first report: %d", w.MessagingLimit)
	}
	if w.ApplyMessagingLimit(2000, t0.Add(-time.Hour)) || w.MessagingLimit != 250 {
		t.Fatalf("an older report must not apply: %d", w.MessagingLimit)
	}
	if !w.ApplyMessagingLimit(LimitUnlimited, t0.Add(time.Hour)) || w.MessagingLimit != LimitUnlimited {
		t.Fatalf("a newer report applies: %d", w.MessagingLimit)
	}
	// The quality update's tier sets it too, by the same order.
	if !w.ApplyQualityUpdate("THROUGHPUT_UPGRADE", t0.Add(2*time.Hour), "TIER_2K") || w.MessagingLimit != 2000 {
		t.Fatalf("quality update tier: %d", w.MessagingLimit)
	}
	w.ResetAccountState()
	if w.MessagingLimit != LimitNotRead {
		t.Fatalf("a move to another WABA forgets the limit: %d", w.MessagingLimit)
	}
}

func usage(now time.Time, ages ...time.Duration) LimitUsage {
	var u LimitUsage
	for i, a := range ages {
		u.Recipients = append(u.Recipients, LimitRecipient{ID: fmt.Sprintf("55119%08d", i), At: now.Add(-a)})
	}
	return u
}

func TestLimitUsageNote(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	u := usage(now, time.Hour, 25*time.Hour, 2*time.Hour) // the second left the window
	if got := u.Count(now); got != 2 {
		t.Fatalf("Count = %d, want 2", got)
	}
	n := u.Note("5511900000000", now) // the first one again: refreshed, not added
	if got := n.Count(now); got != 2 || len(n.Recipients) != 2 {
		t.Fatalf("after a repeat: count %d, %d entries (the one out of the window dropped)", got, len(n.Recipients))
	}
	if !n.Counts("5511900000000", now.Add(23*time.Hour+30*time.Minute)) {
		t.Fatal("a repeat moves the client's time: still counted 23.5 h later")
	}
	n = n.Note("5511999999999", now)
	if got := n.Count(now); got != 3 {
		t.Fatalf("a new client counts: %d", got)
	}
	if len(u.Recipients) != 3 {
		t.Fatal("Note changed its receiver")
	}
}

func TestLimitUsageNoteBounded(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	var u LimitUsage
	for i := range MaxCountedLimit {
		u.Recipients = append(u.Recipients, LimitRecipient{ID: fmt.Sprint(i), At: now.Add(-time.Duration(MaxCountedLimit-i) * time.Second)})
	}
	n := u.Note("new", now)
	if len(n.Recipients) != MaxCountedLimit || n.Recipients[0].ID != "1" || n.Recipients[len(n.Recipients)-1].ID != "new" {
		t.Fatalf("bounded at %d, oldest dropped: %d entries, first %q", MaxCountedLimit, len(n.Recipients), n.Recipients[0].ID)
	}
}

func TestCheckMessagingLimit(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	ages := func(n int) []time.Duration { // n clients, the oldest 20 h ago, one minute apart after that
		var out []time.Duration
		for i := range n {
			out = append(out, 20*time.Hour-time.Duration(i)*time.Minute)
		}
		return out
	}
	for _, c := range []struct {
		name      string
		limit     int
		used      int
		recipient string
		reminder  bool
		hold      bool
		until     time.Time
	}{
		{"limit not read: never held", LimitNotRead, 5000, "new", true, false, time.Time{}},
		{"unlimited: never held", LimitUnlimited, 5000, "new", true, false, time.Time{}},
		{"above the counted limits: never held", 100_000, 5000, "new", true, false, time.Time{}},
		{"reminder below 90 %", 10, 8, "new", true, false, time.Time{}},
		{"reminder at 90 % waits for the oldest to leave", 10, 9, "new", true, true, now.Add(4 * time.Hour)},
		{"reminder at 100 % waits for two to leave", 10, 10, "new", true, true, now.Add(4*time.Hour + time.Minute)},
		{"booking notice at 90 % goes", 10, 9, "new", false, false, time.Time{}},
		{"booking notice at 100 % waits", 10, 10, "new", false, true, now.Add(4 * time.Hour)},
		{"a client already reached never waits", 10, 10, "55119" + fmt.Sprintf("%08d", 3), true, false, time.Time{}},
		{"250: the 226th new client's reminder waits", 250, 225, "new", true, true, now.Add(4 * time.Hour)},
		{"250: the 225th goes", 250, 224, "new", true, false, time.Time{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := CheckMessagingLimit(LimitCheck{Limit: c.limit, Usage: usage(now, ages(c.used)...), Recipient: c.recipient, Reminder: c.reminder, Now: now})
			if v.Hold != c.hold || !v.Until.Equal(c.until) {
				t.Fatalf("hold %v until %v (count %d, threshold %d); want %v until %v", v.Hold, v.Until, v.Count, v.Threshold, c.hold, c.until)
			}
		})
	}
}
