package domain

import "testing"

func TestReported(t *testing.T) {
	cases := []struct {
		name     string
		from, r  JobStatus
		want     JobStatus
		whyRuled string
	}{
		// Forward only along sent → delivered → read.
		{"sent after sending", JobSending, JobSent, JobSent, "forward"},
		{"sent with the outcome unknown", JobUnknown, JobSent, JobSent, "forward"},
		{"delivered after sent", JobSent, JobDelivered, JobDelivered, "forward"},
		{"read after delivered", JobDelivered, JobRead, JobRead, "forward"},
		{"read without delivered", JobSent, JobRead, JobRead, "forward"},
		{"read before sent is recorded", JobUnknown, JobRead, JobRead, "forward"},
		{"delivered after read", JobRead, JobDelivered, JobRead, "never backwards"},
		{"sent after delivered", JobDelivered, JobSent, JobDelivered, "never backwards"},
		{"duplicate sent", JobSent, JobSent, JobSent, "never backwards"},
		{"duplicate read", JobRead, JobRead, JobRead, "never backwards"},
		// failed beats sent, not delivered or read.
		{"failed after sent", JobSent, JobFailed, JobFailed, "failed beats sent"},
		{"failed with the outcome unknown", JobUnknown, JobFailed, JobFailed, "failed beats sent"},
		{"failed after delivered", JobDelivered, JobFailed, JobDelivered, "delivered stays"},
		{"failed after read", JobRead, JobFailed, JobRead, "read stays"},
		{"duplicate failed", JobFailed, JobFailed, JobFailed, "failed stays"},
		// Nothing moves a failed or skipped job but a failure.
		{"late sent after failed", JobFailed, JobSent, JobFailed, "failed stays"},
		{"late delivered after failed", JobFailed, JobDelivered, JobFailed, "failed stays"},
		{"late read after failed", JobFailed, JobRead, JobFailed, "failed stays"},
		{"sent for a skipped job", JobSkipped, JobSent, JobSkipped, "skipped stays"},
		{"delivered for a skipped job", JobSkipped, JobDelivered, JobSkipped, "skipped stays"},
		{"failed for a skipped job", JobSkipped, JobFailed, JobFailed, "failed beats everything but delivered and read"},
		// Not a status Meta reports: nothing changes.
		{"pending reported", JobSent, JobPending, JobSent, "not a report"},
		{"skipped reported", JobQueued, JobSkipped, JobQueued, "not a report"},
		{"unknown word", JobQueued, JobStatus("played"), JobQueued, "not a report"},
	}
	for _, c := range cases {
		if got := c.from.Reported(c.r); got != c.want {
			t.Errorf("%s (%s): %s + %s = %s, want %s", c.name, c.whyRuled, c.from, c.r, got, c.want)
		}
	}
}

// Every order in which Meta's statuses for one message may arrive (each subset, each
// permutation) ends where the rules say: failed if a failure came before any delivered
// or read, else the furthest of sent, delivered and read that came.
func TestReportedInEveryOrder(t *testing.T) {
	reports := []JobStatus{JobSent, JobDelivered, JobRead, JobFailed}
	expect := func(order []JobStatus) JobStatus {
		best := JobSending
		for _, r := range order {
			if r == JobFailed {
				if best != JobDelivered && best != JobRead {
					return JobFailed
				}
				continue
			}
			if providerRank(r) > providerRank(best) {
				best = r
			}
		}
		return best
	}
	tried := 0
	var walk func(order []JobStatus, used int)
	walk = func(order []JobStatus, used int) {
		s := JobSending
		for _, r := range order {
			s = s.Reported(r)
		}
		if want := expect(order); s != want {
			t.Errorf("%v ends %s, want %s", order, s, want)
		}
		tried++
		for i, r := range reports {
			if used&(1<<i) == 0 {
				walk(append(append([]JobStatus{}, order...), r), used|1<<i)
			}
		}
	}
	walk(nil, 0)
	if tried != 65 { // 1 + 4 + 12 + 24 + 24 ordered subsets
		t.Fatalf("%d orders tried, want 65", tried)
	}
	for _, c := range []struct {
		order []JobStatus
		want  JobStatus
	}{
		{[]JobStatus{JobFailed, JobRead}, JobFailed},
		{[]JobStatus{JobRead, JobFailed}, JobRead},
		{[]JobStatus{JobSent, JobFailed, JobDelivered}, JobFailed},
		{[]JobStatus{JobRead, JobDelivered, JobSent}, JobRead},
	} {
		if got := expect(c.order); got != c.want {
			t.Fatalf("oracle: %v gives %s, want %s", c.order, got, c.want)
		}
	}
}

func TestFinalAndUnsent(t *testing.T) {
	cases := []struct {
		s             JobStatus
		final, unsent bool
	}{
		{JobPending, false, true},
		{JobQueued, false, true},
		{JobSending, false, false},
		{JobUnknown, false, false},
		{JobSent, true, false},
		{JobDelivered, true, false},
		{JobRead, true, false},
		{JobFailed, true, false},
		{JobSkipped, true, false},
	}
	for _, c := range cases {
		if c.s.Final() != c.final || c.s.Unsent() != c.unsent {
			t.Errorf("%s: final %v unsent %v, want %v %v", c.s, c.s.Final(), c.s.Unsent(), c.final, c.unsent)
		}
	}
}
