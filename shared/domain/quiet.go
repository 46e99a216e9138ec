package domain

import "time"

// QuietHours is a studio's quiet hours: a notice or reminder that comes due between
// Start and End (HH:MM, 24-hour, in the tenant's time zone; a window with Start after
// End crosses midnight) waits until End, unless waiting would put it after the
// appointment's start or less than LeadMinutes before it (QuietSchedule). Off turns
// them off. A tenant that never set them has DefaultQuietHours.
type QuietHours struct {
	Off         bool   `firestore:"off"`
	Start       string `firestore:"start"`
	End         string `firestore:"end"`
	LeadMinutes int    `firestore:"lead_minutes"`
}

// DefaultQuietHours are 21:00 to 08:00, keeping at least one hour before the appointment.
var DefaultQuietHours = QuietHours{Start: "21:00", End: "08:00", LeadMinutes: 60}

// MaxQuietLeadMinutes bounds the lead: a day.
const MaxQuietLeadMinutes = 24 * 60

// Quiet returns the tenant's quiet hours (DefaultQuietHours when never set).
func (t *Tenant) Quiet() QuietHours {
	if t.QuietHours == nil {
		return DefaultQuietHours
	}
	return *t.QuietHours
}

// ParseClock reads "HH:MM" (00:00 to 23:59) as minutes after midnight.
func ParseClock(s string) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	for _, i := range []int{0, 1, 3, 4} {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	h, m := int(s[0]-'0')*10+int(s[1]-'0'), int(s[3]-'0')*10+int(s[4]-'0')
	if h > 23 || m > 59 {
		return 0, false
	}
	return h*60 + m, true
}

// QuietOutcome is what the quiet hours make of a job's time.
type QuietOutcome int

const (
	// QuietOutside: the job comes due outside the quiet hours (or they are off); it
	// keeps its time.
	QuietOutside QuietOutcome = iota
	// QuietMoved: it comes due inside them and waits until they end (QuietDecision.At).
	QuietMoved
	// QuietAfterStart: it comes due inside them, but they end at or after the
	// appointment's start: it keeps its time.
	QuietAfterStart
	// QuietTooNear: it comes due inside them, but at their end less than the lead would
	// be left before the appointment: it keeps its time.
	QuietTooNear
)

// QuietDecision is QuietSchedule's answer: the time to send (At), and for a job that
// came due inside the quiet hours, when they end (End).
type QuietDecision struct {
	Outcome QuietOutcome
	At      time.Time
	End     time.Time
}

// Inside reports whether the job came due inside the quiet hours.
func (d QuietDecision) Inside() bool { return d.Outcome != QuietOutside }

// QuietSchedule applies quiet hours q, in loc, to a job due at due for an appointment
// starting at startsAt. Times of day are read on the wall clock of loc, so a zone with
// daylight saving keeps 21:00 to 08:00 local on both sides of a change. A window whose
// Start equals its End, or that does not parse, is no window.
func QuietSchedule(q QuietHours, due, startsAt time.Time, loc *time.Location) QuietDecision {
	keep := QuietDecision{Outcome: QuietOutside, At: due}
	start, ok1 := ParseClock(q.Start)
	end, ok2 := ParseClock(q.End)
	if q.Off || !ok1 || !ok2 || start == end {
		return keep
	}
	local := due.In(loc)
	tod := local.Hour()*60 + local.Minute()
	var inside, nextDay bool
	if start < end {
		inside = tod >= start && tod < end
	} else { // crosses midnight
		inside = tod >= start || tod < end
		nextDay = tod >= start
	}
	if !inside {
		return keep
	}
	y, m, d := local.Date()
	if nextDay {
		d++
	}
	endAt := time.Date(y, m, d, end/60, end%60, 0, 0, loc).UTC()
	if !endAt.After(due) { // a wall time a clock change skipped: keep the time
		return keep
	}
	lead := time.Duration(q.LeadMinutes) * time.Minute
	switch {
	case !endAt.Before(startsAt):
		return QuietDecision{Outcome: QuietAfterStart, At: due, End: endAt}
	case startsAt.Sub(endAt) < lead:
		return QuietDecision{Outcome: QuietTooNear, At: due, End: endAt}
	}
	return QuietDecision{Outcome: QuietMoved, At: endAt, End: endAt}
}

// EventQuietHours is the timeline event recording a quiet-hours decision.
const EventQuietHours = "quiet_hours"
