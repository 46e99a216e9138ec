package domain

import (
	"fmt"
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

// Split keeps on the job what is one per message, and in the shards the rest.
func TestCounterDeltaSplit(t *testing.T) {
	perMessage := BillDelta{Category: "utility", Billable: true}
	conv := BillDelta{Category: "marketing", Billable: true, Conversation: "c1"}
	for _, c := range []struct {
		name          string
		in            CounterDelta
		onJob, shards CounterDelta
	}{
		{"nothing", CounterDelta{}, CounterDelta{}, CounterDelta{}},
		{"sent", CounterDelta{Sent: 1}, CounterDelta{Sent: 1}, CounterDelta{}},
		{"delivered with buttons and its pricing", CounterDelta{Delivered: 1, ButtonsDelivered: 1, Bill: perMessage},
			CounterDelta{Delivered: 1, ButtonsDelivered: 1, Bill: perMessage}, CounterDelta{}},
		{"read", CounterDelta{Read: 1}, CounterDelta{Read: 1}, CounterDelta{}},
		{"conversation-based pricing stays in the shards", CounterDelta{Delivered: 1, Bill: conv},
			CounterDelta{Delivered: 1}, CounterDelta{Bill: conv}},
		{"failed after sent", CounterDelta{Sent: 1, FailedReason: ReasonMetaError},
			CounterDelta{Sent: 1}, CounterDelta{FailedReason: ReasonMetaError}},
		{"skipped", CounterDelta{SkippedReason: ReasonWindowClosed}, CounterDelta{}, CounterDelta{SkippedReason: ReasonWindowClosed}},
		{"button reply", CounterDelta{ButtonReplies: 1}, CounterDelta{}, CounterDelta{ButtonReplies: 1}},
	} {
		onJob, shards := c.in.Split()
		if onJob != c.onJob || shards != c.shards {
			t.Errorf("%s: on job %+v, shards %+v; want %+v, %+v", c.name, onJob, shards, c.onJob, c.shards)
		}
	}
}

// StampCounts records each count's day once, and the pricing's key once.
func TestStampCounts(t *testing.T) {
	for _, c := range []struct {
		name      string
		job       Job
		onJob     CounterDelta
		day       string
		countedOn string
		billKey   string
	}{
		{"nothing", Job{}, CounterDelta{}, "2026-12-01", "map[]", ""},
		{"sent", Job{}, CounterDelta{Sent: 1}, "2026-12-01", "map[sent:2026-12-01]", ""},
		{"delivered and read at once, with buttons and a charged pricing",
			Job{CountedOn: map[string]string{CountSent: "2026-11-30"}},
			CounterDelta{Delivered: 1, Read: 1, ButtonsDelivered: 1, Bill: BillDelta{Category: "utility", Billable: true}}, "2026-12-01",
			"map[buttons_delivered:2026-12-01 delivered:2026-12-01 read:2026-12-01 sent:2026-11-30]", "2026-12|c|utility"},
		{"a free message", Job{}, CounterDelta{Delivered: 1, Bill: BillDelta{Category: "service"}}, "2026-12-31",
			"map[delivered:2026-12-31]", "2026-12|f|service"},
		{"a day already stamped is kept", Job{CountedOn: map[string]string{CountDelivered: "2026-11-30"}}, CounterDelta{Delivered: 1}, "2026-12-01",
			"map[delivered:2026-11-30]", ""},
		{"a key already stamped is kept", Job{BillKey: "2026-11|c|marketing"}, CounterDelta{Bill: BillDelta{Category: "utility", Billable: true}}, "2026-12-01",
			"map[]", "2026-11|c|marketing"},
		{"a conversation is not the job's", Job{}, CounterDelta{Bill: BillDelta{Category: "marketing", Conversation: "c1"}}, "2026-12-01", "map[]", ""},
	} {
		j := c.job
		StampCounts(&j, c.onJob, c.day)
		if got := fmt.Sprint(j.CountedOn); got != c.countedOn || j.BillKey != c.billKey {
			t.Errorf("%s: counted on %s, bill key %q; want %s, %q", c.name, got, j.BillKey, c.countedOn, c.billKey)
		}
	}
}

// A month's keys of one charge fall in its range, whatever the category; other months'
// and the other charge's do not.
func TestBillKeyRange(t *testing.T) {
	from, to := BillKeyRange("2026-12", true)
	for _, c := range []struct {
		key  string
		want bool
	}{
		{BillKey("2026-12", true, "utility"), true},
		{BillKey("2026-12", true, CounterReasonOther), true},
		{BillKey("2026-12", true, "authentication_international"), true},
		{BillKey("2026-12", false, "utility"), false},
		{BillKey("2026-11", true, "utility"), false},
		{BillKey("2027-01", true, "utility"), false},
	} {
		if in := c.key >= from && c.key < to; in != c.want {
			t.Errorf("%s in [%s, %s): %v, want %v", c.key, from, to, in, c.want)
		}
	}
	for _, cat := range BillingCategories {
		if BillingCategory(cat) != cat {
			t.Errorf("category %s is not as BillingCategory writes it", cat)
		}
	}
}
