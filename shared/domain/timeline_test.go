package domain

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func events(tl []TimelineEntry) string {
	var s []string
	for _, e := range tl {
		s = append(s, e.Event)
	}
	return strings.Join(s, ",")
}

func TestAddEventOrdersByTimeOfEvent(t *testing.T) {
	ms := func(sec, milli int) time.Time { return at(sec).Add(time.Duration(milli) * time.Millisecond) }
	type ev struct {
		at   time.Time
		name string
	}
	cases := []struct {
		name string
		in   []ev // in arrival order
		want string
	}{
		{"in order", []ev{{at(0), "created"}, {at(1), "sent"}, {at(5), "delivered"}, {at(9), "read"}}, "created,sent,delivered,read"},
		{"read before delivered", []ev{{at(0), "created"}, {at(1), "sent"}, {at(9), "read"}, {at(5), "delivered"}}, "created,sent,delivered,read"},
		{"everything backwards", []ev{{at(9), "read"}, {at(5), "delivered"}, {at(1), "sent"}}, "sent,delivered,read"},
		{"equal times keep arrival order", []ev{{at(0), "created"}, {at(0), "queued"}, {at(0), "retry"}}, "created,queued,retry"},
		// Meta's times are whole seconds; ours are not: within one second Meta's statuses keep
		// their natural order, whichever came first.
		{"delivered in the second we recorded sent", []ev{{ms(1, 700), "sent"}, {at(1), "delivered"}}, "sent,delivered"},
		{"read and delivered in one second, read first", []ev{{at(1), "sent"}, {at(3), "read"}, {at(3), "delivered"}}, "sent,delivered,read"},
		{"unranked events in one second keep arrival", []ev{{ms(2, 900), "sent"}, {ms(2, 100), "retry_scheduled"}}, "sent,retry_scheduled"},
		{"failed after sent", []ev{{at(1), "sent"}, {at(4), "failed"}, {at(2), "delivered"}}, "sent,delivered,failed"},
	}
	for _, c := range cases {
		var j Job
		for _, e := range c.in {
			j.AddEvent(e.at, e.name, "")
		}
		if got := events(j.Timeline); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

func TestAddEventKeepsUpdatedAtForward(t *testing.T) {
	var j Job
	j.AddEvent(at(10), "sent", "")
	j.AddEvent(at(5), "delivered", "")
	if !j.UpdatedAt.Equal(at(10)) {
		t.Errorf("UpdatedAt %v, want %v", j.UpdatedAt, at(10))
	}
}

func TestTimelineIsCapped(t *testing.T) {
	cases := []struct {
		n, kept, omitted int
	}{
		{0, 0, 0},
		{TimelineKeepFirst + TimelineKeepLatest, TimelineKeepFirst + TimelineKeepLatest, 0},
		{TimelineKeepFirst + TimelineKeepLatest + 1, TimelineKeepFirst + TimelineKeepLatest, 1},
		{10000, TimelineKeepFirst + TimelineKeepLatest, 10000 - TimelineKeepFirst - TimelineKeepLatest},
	}
	for _, c := range cases {
		var j Job
		for i := range c.n {
			j.AddEvent(at(i), "retry", strings.Repeat("x", 5000))
		}
		if len(j.Timeline) != c.kept || j.TimelineOmitted != c.omitted {
			t.Errorf("%d events: kept %d omitted %d, want %d %d", c.n, len(j.Timeline), j.TimelineOmitted, c.kept, c.omitted)
			continue
		}
		if c.n == 0 {
			continue
		}
		// The first entries and the latest ones are the ones kept.
		if !j.Timeline[0].At.Equal(at(0)) || !j.Timeline[len(j.Timeline)-1].At.Equal(at(c.n-1)) {
			t.Errorf("%d events: kept %v … %v", c.n, j.Timeline[0].At, j.Timeline[len(j.Timeline)-1].At)
		}
		if c.omitted > 0 && !j.Timeline[TimelineKeepFirst].At.Equal(at(c.n-TimelineKeepLatest)) {
			t.Errorf("%d events: first of the latest is %v", c.n, j.Timeline[TimelineKeepFirst].At)
		}
		for _, e := range j.Timeline {
			if len(e.Detail) > MaxStoredText {
				t.Fatalf("detail of %d bytes kept", len(e.Detail))
			}
		}
	}
}

func TestAttemptsAreCapped(t *testing.T) {
	cases := []struct{ n, kept, omitted int }{
		{1, 1, 0},
		{AttemptsKeepFirst + AttemptsKeepLatest, AttemptsKeepFirst + AttemptsKeepLatest, 0},
		{500, AttemptsKeepFirst + AttemptsKeepLatest, 500 - AttemptsKeepFirst - AttemptsKeepLatest},
	}
	for _, c := range cases {
		var j Job
		for range c.n {
			j.AddAttempt(Attempt{N: j.AttemptCount() + 1, Outcome: "retry", Error: strings.Repeat("e", 4000)})
		}
		if len(j.Attempts) != c.kept || j.AttemptsOmitted != c.omitted || j.AttemptCount() != c.n {
			t.Errorf("%d attempts: kept %d omitted %d count %d", c.n, len(j.Attempts), j.AttemptsOmitted, j.AttemptCount())
			continue
		}
		if j.Attempts[0].N != 1 || j.Attempts[len(j.Attempts)-1].N != c.n || len(j.Attempts[0].Error) > MaxStoredText {
			t.Errorf("%d attempts: first %d last %d", c.n, j.Attempts[0].N, j.Attempts[len(j.Attempts)-1].N)
		}
	}
}

// A job at both caps, every text at its bound, stays far below Firestore's 1 MiB.
func TestCappedJobDocumentSize(t *testing.T) {
	var j Job
	long := strings.Repeat("é", 10000)
	for i := range 1000 {
		j.AddEvent(at(i), long, long)
		j.AddAttempt(Attempt{N: i + 1, Outcome: long, Error: long, At: at(i)})
	}
	b, err := json.Marshal(j)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 256<<10 {
		t.Errorf("job document of %d bytes", len(b))
	}
	t.Logf("job at both caps: %d bytes as JSON", len(b))
}

func TestMarkQueuedAndAwaitsFirstTask(t *testing.T) {
	at := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name          string
		job           Job
		marked, waits bool
	}{
		{"pending: marked, and waits for its first task", Job{Status: JobPending}, true, true},
		{"queued already: not marked again", Job{Status: JobQueued}, false, true},
		{"queued for a retry: has attempts", Job{Status: JobQueued, Attempts: []Attempt{{N: 1, Outcome: "retry"}}}, false, false},
		{"queued, attempts capped away: still tried", Job{Status: JobQueued, AttemptsOmitted: 3}, false, false},
		{"sending", Job{Status: JobSending}, false, false},
		{"sent", Job{Status: JobSent}, false, false},
	}
	for _, c := range cases {
		j := c.job
		if got := j.MarkQueued(at); got != c.marked {
			t.Errorf("%s: MarkQueued = %v", c.name, got)
		}
		if c.marked && (!j.HasEvent("queued") || j.Status != JobQueued) {
			t.Errorf("%s: %s, timeline %+v", c.name, j.Status, j.Timeline)
		}
		if got := j.AwaitsFirstTask(); got != c.waits {
			t.Errorf("%s: AwaitsFirstTask = %v", c.name, got)
		}
	}
}

func TestRetimeEvent(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	base := func() Job {
		var j Job
		j.AddEvent(t0, "created", "")
		j.AddEvent(t0.Add(5*time.Second), "sent", "") // recorded when Meta's answer came
		j.AddEvent(t0.Add(3*time.Second), "delivered", "")
		return j
	}
	order := func(j Job) string {
		var s []string
		for _, e := range j.Timeline {
			s = append(s, e.Event)
		}
		return strings.Join(s, ",")
	}
	cases := []struct {
		name  string
		event string
		at    time.Time
		moved bool
		want  string
	}{
		{"Meta's earlier sent time puts sent before delivered", "sent", t0.Add(2 * time.Second), true, "created,sent,delivered"},
		{"the same second: left as it is", "sent", t0.Add(5*time.Second + 300*time.Millisecond), false, "created,delivered,sent"},
		{"a later time: left as it is", "sent", t0.Add(9 * time.Second), false, "created,delivered,sent"},
		{"no such event", "read", t0, false, "created,delivered,sent"},
	}
	for _, c := range cases {
		j := base()
		if got := j.RetimeEvent(c.event, c.at); got != c.moved || order(j) != c.want {
			t.Errorf("%s: moved %v, timeline %s; want %v, %s", c.name, got, order(j), c.moved, c.want)
		}
		if len(j.Timeline) != 3 {
			t.Errorf("%s: %d entries", c.name, len(j.Timeline))
		}
	}
}
