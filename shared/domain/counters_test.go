package domain

import (
	"slices"
	"testing"
)

func TestCountTransition(t *testing.T) {
	st := func(s JobStatus, counted ...string) CounterState {
		return CounterState{Status: s, Buttons: true, Counted: counted}
	}
	failed := func(code string, accepted bool, counted ...string) CounterState {
		return CounterState{Status: JobFailed, ReasonCode: code, Accepted: accepted, Buttons: true, Counted: counted}
	}
	skipped := func(code string, counted ...string) CounterState {
		return CounterState{Status: JobSkipped, ReasonCode: code, Counted: counted}
	}
	none := CounterState{}
	cases := []struct {
		name          string
		before, after CounterState
		want          CounterDelta
		marks         []string
	}{
		{"created pending", none, st(JobPending), CounterDelta{}, nil},
		{"queued", st(JobPending), st(JobQueued), CounterDelta{}, nil},
		{"claimed", st(JobQueued), st(JobSending), CounterDelta{}, nil},
		{"outcome unknown", st(JobSending), st(JobUnknown), CounterDelta{}, nil},
		{"sent", st(JobSending), st(JobSent), CounterDelta{Sent: 1}, []string{MarkSent}},
		{"delivered", st(JobSent, MarkSent), st(JobDelivered, MarkSent), CounterDelta{Delivered: 1, ButtonsDelivered: 1}, []string{MarkSent, MarkDelivered}},
		{"read", st(JobDelivered, MarkSent, MarkDelivered), st(JobRead, MarkSent, MarkDelivered), CounterDelta{Read: 1}, []string{MarkSent, MarkDelivered, MarkRead}},
		{"read without delivered", st(JobSent, MarkSent), st(JobRead, MarkSent), CounterDelta{Delivered: 1, ButtonsDelivered: 1, Read: 1}, []string{MarkSent, MarkDelivered, MarkRead}},
		{"read straight from sending", st(JobSending), st(JobRead), CounterDelta{Sent: 1, Delivered: 1, ButtonsDelivered: 1, Read: 1}, []string{MarkSent, MarkDelivered, MarkRead}},
		{"delivered without buttons", CounterState{Status: JobSent, Counted: []string{MarkSent}}, CounterState{Status: JobDelivered, Counted: []string{MarkSent}}, CounterDelta{Delivered: 1}, []string{MarkSent, MarkDelivered}},
		{"redelivered sent", st(JobSent, MarkSent), st(JobSent, MarkSent), CounterDelta{}, []string{MarkSent}},
		{"redelivered delivered", st(JobDelivered, MarkSent, MarkDelivered), st(JobDelivered, MarkSent, MarkDelivered), CounterDelta{}, []string{MarkSent, MarkDelivered}},
		{"late delivered after read", st(JobRead, MarkSent, MarkDelivered, MarkRead), st(JobRead, MarkSent, MarkDelivered, MarkRead), CounterDelta{}, []string{MarkSent, MarkDelivered, MarkRead}},
		{"failed at the send", st(JobSending), failed(ReasonMetaError, false), CounterDelta{FailedReason: ReasonMetaError}, []string{MarkFailed}},
		{"failed after sent", st(JobSent, MarkSent), failed(ReasonMetaError, true, MarkSent), CounterDelta{FailedReason: ReasonMetaError}, []string{MarkSent, MarkFailed}},
		{"failed reported for an unknown outcome", st(JobUnknown), failed(ReasonMetaError, true), CounterDelta{Sent: 1, FailedReason: ReasonMetaError}, []string{MarkSent, MarkFailed}},
		{"redelivered failed", failed(ReasonMetaError, false, MarkFailed), failed(ReasonMetaError, false, MarkFailed), CounterDelta{}, []string{MarkFailed}},
		{"failed without a code", st(JobSending), failed("", false), CounterDelta{FailedReason: CounterReasonUnspecified}, []string{MarkFailed}},
		{"failed with an odd code", st(JobSending), failed("Meta Error!", false), CounterDelta{FailedReason: CounterReasonOther}, []string{MarkFailed}},
		{"retried by the owner", failed(ReasonTokenUnavailable, false, MarkFailed), st(JobPending, MarkFailed), CounterDelta{}, []string{MarkFailed}},
		{"retry fails again", st(JobSending, MarkFailed), failed(ReasonMetaError, false, MarkFailed), CounterDelta{}, []string{MarkFailed}},
		{"retry goes out", st(JobSending, MarkFailed), st(JobSent, MarkFailed), CounterDelta{Sent: 1}, []string{MarkSent, MarkFailed}},
		{"skipped by the kill switch", st(JobQueued), skipped(ReasonKillSwitch), CounterDelta{SkippedReason: ReasonKillSwitch}, []string{MarkSkipped}},
		{"created skipped", none, skipped(ReasonReminderTooLate), CounterDelta{SkippedReason: ReasonReminderTooLate}, []string{MarkSkipped}},
		{"skipped again", skipped(ReasonAppointmentGone, MarkSkipped), skipped(ReasonAppointmentGone, MarkSkipped), CounterDelta{}, []string{MarkSkipped}},
		{"skipped then failed", skipped(ReasonDryRun, MarkSkipped), failed(ReasonMetaError, false, MarkSkipped), CounterDelta{FailedReason: ReasonMetaError}, []string{MarkFailed, MarkSkipped}},
		// A job written before counters existed: its stored status counts as counted.
		{"legacy delivered read", st(JobDelivered), st(JobRead), CounterDelta{Read: 1}, []string{MarkSent, MarkDelivered, MarkRead}},
		{"legacy failed rewritten", failed(ReasonMetaError, false), failed(ReasonMetaError, false), CounterDelta{}, []string{MarkFailed}},
		{"legacy skipped rewritten", skipped(ReasonKillSwitch), skipped(ReasonKillSwitch), CounterDelta{}, []string{MarkSkipped}},
		{"a later version's mark is kept", st(JobSent, MarkSent, "replied"), st(JobSent, MarkSent, "replied"), CounterDelta{}, []string{MarkSent, "replied"}},
	}
	for _, c := range cases {
		d, marks := CountTransition(c.before, c.after)
		if d != c.want {
			t.Errorf("%s: delta %+v, want %+v", c.name, d, c.want)
		}
		if !slices.Equal(marks, c.marks) {
			t.Errorf("%s: marks %v, want %v", c.name, marks, c.marks)
		}
	}
}

// A job taking every path Meta's reports allow, with each report delivered twice,
// counts each of its counters at most once: the marks make the counting idempotent.
func TestCountTransitionCountsEachMarkOnce(t *testing.T) {
	reports := [][]JobStatus{
		{JobSent, JobDelivered, JobRead},
		{JobRead, JobDelivered, JobSent},
		{JobSent, JobFailed, JobDelivered},
		{JobDelivered, JobFailed, JobRead},
	}
	for _, order := range reports {
		j := &Job{Type: JobCreated, Status: JobSending}
		var total CounterDelta
		fails := 0
		for _, r := range order {
			for range 2 {
				before := CounterStateOf(j)
				j.Status = j.Status.Reported(r)
				if j.Status == JobFailed {
					j.ReasonCode = ReasonMetaError
				}
				d, marks := CountTransition(before, CounterStateOf(j))
				j.Counted = marks
				total.Sent += d.Sent
				total.Delivered += d.Delivered
				total.Read += d.Read
				if d.FailedReason != "" {
					fails++
				}
			}
		}
		if total.Sent > 1 || total.Delivered > 1 || total.Read > 1 || fails > 1 {
			t.Errorf("%v: counted %+v and %d failures", order, total, fails)
		}
		if j.Status == JobRead && (total.Delivered != 1 || total.Read != 1) {
			t.Errorf("%v: read job counted %+v", order, total)
		}
	}
}

func TestReplyRate(t *testing.T) {
	cases := []struct {
		delivered, replies int64
		rate               float64
		ok                 bool
	}{
		{0, 0, 0, false},
		{0, 3, 0, false},
		{4, 1, 0.25, true},
		{2, 2, 1, true},
		{2, 5, 1, true},
	}
	for _, c := range cases {
		r, ok := Counters{ButtonsDelivered: c.delivered, ButtonReplies: c.replies}.ReplyRate()
		if r != c.rate || ok != c.ok {
			t.Errorf("%d/%d: %v %v, want %v %v", c.replies, c.delivered, r, ok, c.rate, c.ok)
		}
	}
}

func TestCarriesButtons(t *testing.T) {
	for jt, want := range map[JobType]bool{JobCreated: true, JobReminder: true, JobCanceled: false, JobReply: false} {
		if jt.CarriesButtons() != want {
			t.Errorf("%s: %v", jt, !want)
		}
	}
}

func TestCountsAsButtonReply(t *testing.T) {
	notice := &Job{Type: JobCreated}
	tap := Inbound{Type: "button", Payload: "Confirmar", ContextID: "wamid.1"}
	cases := []struct {
		name     string
		in       Inbound
		outbound *Job
		first    bool
		want     bool
	}{
		{"first tap on the notice", tap, notice, true, true},
		{"first tap on the reminder", tap, &Job{Type: JobReminder}, true, true},
		{"interactive reply button", Inbound{Type: "interactive", Payload: "confirm", ContextID: "wamid.1"}, notice, true, true},
		{"second tap on the same message", tap, notice, false, false},
		{"text reply", Inbound{Type: "text", Text: "ok", ContextID: "wamid.1"}, notice, true, false},
		{"interactive list reply", Inbound{Type: "interactive", ContextID: "wamid.1"}, notice, true, false},
		{"tap on a message we do not know", tap, nil, true, false},
		{"tap on a message without buttons", tap, &Job{Type: JobCanceled}, true, false},
		{"tap without a context", Inbound{Type: "button", Payload: "Confirmar"}, notice, true, false},
	}
	for _, c := range cases {
		if got := CountsAsButtonReply(c.in, c.outbound, c.first); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
