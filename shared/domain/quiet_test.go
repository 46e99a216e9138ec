package domain

import (
	"testing"
	"time"
)

func TestQuietSchedule(t *testing.T) {
	sp, _ := time.LoadLocation("America/Sao_Paulo") // no daylight saving since 2019
	ny, _ := time.LoadLocation("America/New_York")  // 2026-03-08 02:00 EST → 03:00 EDT; 2026-11-01 02:00 EDT → 01:00 EST
	at := func(loc *time.Location, y int, mo time.Month, d, h, mi int) time.Time {
		return time.Date(y, mo, d, h, mi, 0, 0, loc)
	}
	def := DefaultQuietHours // 21:00–08:00, lead 60 min
	lunch := QuietHours{Start: "12:00", End: "14:00", LeadMinutes: 30}
	later := func(d time.Time) time.Time { return d.Add(48 * time.Hour) } // an appointment far ahead
	cases := []struct {
		name     string
		q        QuietHours
		loc      *time.Location
		due      time.Time
		startsAt time.Time
		outcome  QuietOutcome
		at       time.Time // zero: due
	}{
		{"20:59 is before them", def, sp, at(sp, 2026, 12, 1, 20, 59), later(at(sp, 2026, 12, 1, 20, 59)), QuietOutside, time.Time{}},
		{"exactly 21:00 is inside: moved to 08:00 next day", def, sp, at(sp, 2026, 12, 1, 21, 0), later(at(sp, 2026, 12, 1, 21, 0)), QuietMoved, at(sp, 2026, 12, 2, 8, 0)},
		{"23:30 moved to 08:00 next day", def, sp, at(sp, 2026, 12, 1, 23, 30), later(at(sp, 2026, 12, 1, 0, 0)), QuietMoved, at(sp, 2026, 12, 2, 8, 0)},
		{"00:10 after midnight moved to 08:00 same day", def, sp, at(sp, 2026, 12, 2, 0, 10), later(at(sp, 2026, 12, 2, 0, 0)), QuietMoved, at(sp, 2026, 12, 2, 8, 0)},
		{"07:59 is inside: moved to 08:00", def, sp, at(sp, 2026, 12, 2, 7, 59), later(at(sp, 2026, 12, 2, 0, 0)), QuietMoved, at(sp, 2026, 12, 2, 8, 0)},
		{"exactly 08:00 is outside", def, sp, at(sp, 2026, 12, 2, 8, 0), later(at(sp, 2026, 12, 2, 0, 0)), QuietOutside, time.Time{}},
		{"booking at 07:30 for 07:50: the end is after the start, at once", def, sp, at(sp, 2026, 12, 2, 7, 30), at(sp, 2026, 12, 2, 7, 50), QuietAfterStart, time.Time{}},
		{"appointment exactly at the end: at once", def, sp, at(sp, 2026, 12, 2, 7, 30), at(sp, 2026, 12, 2, 8, 0), QuietAfterStart, time.Time{}},
		{"booking at 07:30 for 08:30: 30 min left at 08:00 < 60 min lead, at once", def, sp, at(sp, 2026, 12, 2, 7, 30), at(sp, 2026, 12, 2, 8, 30), QuietTooNear, time.Time{}},
		{"exactly the lead left at the end: moved", def, sp, at(sp, 2026, 12, 2, 7, 30), at(sp, 2026, 12, 2, 9, 0), QuietMoved, at(sp, 2026, 12, 2, 8, 0)},
		{"a lead of 0 only needs the end before the start", QuietHours{Start: "21:00", End: "08:00"}, sp, at(sp, 2026, 12, 2, 7, 30), at(sp, 2026, 12, 2, 8, 1), QuietMoved, at(sp, 2026, 12, 2, 8, 0)},
		{"off: kept", QuietHours{Off: true, Start: "21:00", End: "08:00"}, sp, at(sp, 2026, 12, 1, 23, 0), later(at(sp, 2026, 12, 1, 23, 0)), QuietOutside, time.Time{}},
		{"start equal to end: no window", QuietHours{Start: "08:00", End: "08:00"}, sp, at(sp, 2026, 12, 1, 8, 0), later(at(sp, 2026, 12, 1, 0, 0)), QuietOutside, time.Time{}},
		{"a window not crossing midnight: 12:00 inside", lunch, sp, at(sp, 2026, 12, 1, 12, 0), later(at(sp, 2026, 12, 1, 0, 0)), QuietMoved, at(sp, 2026, 12, 1, 14, 0)},
		{"a window not crossing midnight: 13:59 inside", lunch, sp, at(sp, 2026, 12, 1, 13, 59), later(at(sp, 2026, 12, 1, 0, 0)), QuietMoved, at(sp, 2026, 12, 1, 14, 0)},
		{"a window not crossing midnight: 14:00 outside", lunch, sp, at(sp, 2026, 12, 1, 14, 0), later(at(sp, 2026, 12, 1, 0, 0)), QuietOutside, time.Time{}},
		{"a window not crossing midnight: 23:00 outside", lunch, sp, at(sp, 2026, 12, 1, 23, 0), later(at(sp, 2026, 12, 1, 0, 0)), QuietOutside, time.Time{}},
		{"a window not crossing midnight: appointment at 14:10, too near", lunch, sp, at(sp, 2026, 12, 1, 12, 30), at(sp, 2026, 12, 1, 14, 10), QuietTooNear, time.Time{}},
		{"New York, winter: 22:00 EST moved to 08:00 EST", def, ny, at(ny, 2026, 1, 15, 22, 0), later(at(ny, 2026, 1, 15, 0, 0)), QuietMoved, at(ny, 2026, 1, 16, 8, 0)},
		{"New York, spring forward: 21:00 EST to 08:00 EDT is 10 h", def, ny, at(ny, 2026, 3, 7, 21, 0), later(at(ny, 2026, 3, 7, 0, 0)), QuietMoved, at(ny, 2026, 3, 8, 8, 0)},
		{"New York, fall back: 21:00 EDT to 08:00 EST is 12 h", def, ny, at(ny, 2026, 10, 31, 21, 0), later(at(ny, 2026, 10, 31, 0, 0)), QuietMoved, at(ny, 2026, 11, 1, 8, 0)},
		{"New York, summer: 20:59 EDT outside", def, ny, at(ny, 2026, 7, 1, 20, 59), later(at(ny, 2026, 7, 1, 0, 0)), QuietOutside, time.Time{}},
		{"New York, summer: 07:59 EDT inside", def, ny, at(ny, 2026, 7, 1, 7, 59), later(at(ny, 2026, 7, 1, 0, 0)), QuietMoved, at(ny, 2026, 7, 1, 8, 0)},
		{"the zone decides, not UTC: 23:30 UTC is 20:30 in São Paulo", def, sp, time.Date(2026, 12, 1, 23, 30, 0, 0, time.UTC), later(at(sp, 2026, 12, 1, 0, 0)), QuietOutside, time.Time{}},
	}
	for _, c := range cases {
		d := QuietSchedule(c.q, c.due, c.startsAt, c.loc)
		want := c.at
		if want.IsZero() {
			want = c.due
		}
		if d.Outcome != c.outcome || !d.At.Equal(want) {
			t.Errorf("%s: outcome %d at %v, want %d at %v", c.name, d.Outcome, d.At.In(c.loc), c.outcome, want.In(c.loc))
		}
		if d.Inside() != (c.outcome != QuietOutside) || (d.Inside() && d.End.IsZero()) {
			t.Errorf("%s: inside %v, end %v", c.name, d.Inside(), d.End)
		}
	}
	// The clock changes: the moved times are 10 h and 12 h after 21:00.
	if d := QuietSchedule(def, at(ny, 2026, 3, 7, 21, 0), later(at(ny, 2026, 3, 7, 0, 0)), ny); d.At.Sub(at(ny, 2026, 3, 7, 21, 0)) != 10*time.Hour {
		t.Errorf("spring forward: waited %v", d.At.Sub(at(ny, 2026, 3, 7, 21, 0)))
	}
	if d := QuietSchedule(def, at(ny, 2026, 10, 31, 21, 0), later(at(ny, 2026, 10, 31, 0, 0)), ny); d.At.Sub(at(ny, 2026, 10, 31, 21, 0)) != 12*time.Hour {
		t.Errorf("fall back: waited %v", d.At.Sub(at(ny, 2026, 10, 31, 21, 0)))
	}
}

func TestParseClock(t *testing.T) {
	cases := []struct {
		in   string
		want int
		ok   bool
	}{
		{"00:00", 0, true}, {"08:00", 480, true}, {"23:59", 1439, true},
		{"24:00", 0, false}, {"12:60", 0, false}, {"8:00", 0, false}, {" 8:00", 0, false},
		{"08:0a", 0, false}, {"0800", 0, false}, {"", 0, false}, {"+8:00", 0, false},
	}
	for _, c := range cases {
		got, ok := ParseClock(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("ParseClock(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestTenantQuietDefault(t *testing.T) {
	var ten Tenant
	if q := ten.Quiet(); q != DefaultQuietHours || q.Start != "21:00" || q.End != "08:00" {
		t.Errorf("default %+v", q)
	}
	ten.QuietHours = &QuietHours{Off: true}
	if !ten.Quiet().Off {
		t.Error("a tenant's own quiet hours are not read")
	}
}
