package dispatch

import (
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/ptbr"
)

// TestPlanSendOptOut: every automatic message to a client who opted out is skipped with
// the reason, from the tenant's set (no read) or, past its bound, from her ledger;
// answers to her own messages are not (the events function decides them).
func TestPlanSendOptOut(t *testing.T) {
	optedOut := func(in *Input) { in.Tenant.SetOptedOut("+5511987654321", true) }
	cases := []struct {
		name   string
		change func(*Input)
		skip   bool
	}{
		{"booking notice, client opted out", optedOut, true},
		{"booking notice, another client opted out", func(in *Input) { in.Tenant.SetOptedOut("+5511900000000", true) }, false},
		{"reminder, client opted out", func(in *Input) { optedOut(in); in.Job.Type = domain.JobReminder; in.Job.ScheduleVersion = 1 }, true},
		{"cancellation notice, client opted out", func(in *Input) { asNotice(in); optedOut(in) }, true},
		{"a reply (her opt-out's confirmation) still goes", func(in *Input) { asReply(in); optedOut(in) }, false},
		{"past the bound: the ledger says opted out", func(in *Input) {
			in.Tenant.OptOutOverflow = true
			in.Ledger = &domain.Conversation{OptOut: &domain.OptOut{Active: true, At: testNow}}
		}, true},
		{"the ledger says resumed", func(in *Input) { in.Ledger = &domain.Conversation{OptOut: &domain.OptOut{At: testNow}} }, false},
	}
	for _, c := range cases {
		in := testInput()
		c.change(&in)
		p := PlanSend(in)
		if c.skip != (p.Verdict == Skip && p.Reason.Code == ptbr.ReasonClientOptedOut) || (!c.skip && p.Verdict != Send) {
			t.Errorf("%s: %d %+v", c.name, p.Verdict, p.Reason)
		}
		if c.skip && p.Reason.Text == "" {
			t.Errorf("%s: no Portuguese reason", c.name)
		}
	}
}

// TestNeedsLedger: a ledger read only where it decides: a session message's window, or
// an automatic claim of a tenant whose opt-out set overflowed.
func TestNeedsLedger(t *testing.T) {
	claim := Decision{Step: Claim}
	cases := []struct {
		name   string
		change func(*Input)
		d      Decision
		want   bool
	}{
		{"booking notice claimed: no read", func(*Input) {}, claim, false},
		{"booking notice claimed, the set overflowed", func(in *Input) { in.Tenant.OptOutOverflow = true }, claim, true},
		{"booking notice skipped, overflowed", func(in *Input) { in.Tenant.OptOutOverflow = true }, Decision{Step: Update, Job: &domain.Job{Status: domain.JobSkipped}}, false},
		{"a reply claimed", asReply, claim, true},
		{"a cancellation notice claimed", asNotice, claim, true},
	}
	for _, c := range cases {
		in := testInput()
		c.change(&in)
		if _, got := NeedsLedger(in.Tenant, in.Job, in.Appointment, c.d); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// TestPlanSendCancelNoticeWindow: at the send, the notice's window is the ledger's
// latest message (a tap about another appointment counts) unless the tenant is strict.
func TestPlanSendCancelNoticeWindow(t *testing.T) {
	other := &domain.Conversation{LastInboundAt: testNow.Add(-time.Hour), LastInboundID: "wamid.other"}
	cases := []struct {
		name   string
		strict bool
		own    time.Time
		ledger *domain.Conversation
		send   bool
	}{
		{"ledger: a message about another appointment", false, time.Time{}, other, true},
		{"strict: the same message", true, time.Time{}, other, false},
		{"strict: its own message", true, testNow.Add(-2 * time.Hour), other, true},
		{"ledger: none at all", false, time.Time{}, nil, false},
		{"ledger: 25 h old", false, time.Time{}, &domain.Conversation{LastInboundAt: testNow.Add(-25 * time.Hour), LastInboundID: "w"}, false},
	}
	for _, c := range cases {
		in := testInput()
		asNotice(&in)
		in.Appointment.LastInboundAt = c.own
		in.Tenant.StrictCancelWindow = c.strict
		in.Ledger = c.ledger
		p := PlanSend(in)
		if (p.Verdict == Send) != c.send || (!c.send && p.Reason.Code != domain.ReasonWindowClosed) {
			t.Errorf("%s: %d %+v", c.name, p.Verdict, p.Reason)
		}
	}
}
