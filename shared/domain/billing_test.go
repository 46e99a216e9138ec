package domain

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestBillingOf(t *testing.T) {
	pmp := func(cat, typ string, billable bool) *Pricing {
		return &Pricing{Billable: billable, Model: "PMP", Category: cat, Type: typ}
	}
	cbp := &Pricing{Billable: true, Model: "CBP", Category: "utility", ConversationID: "f5fdae3920125a39a1e6a23e5f877c16", ConversationOrigin: "utility"}
	cases := []struct {
		name string
		st   JobStatus
		p    *Pricing
		want BillDelta
		ok   bool
	}{
		{"utility template delivered", JobDelivered, pmp("utility", "regular", true), BillDelta{Category: "utility", Billable: true}, true},
		{"read counts as delivered", JobRead, pmp("marketing", "regular", true), BillDelta{Category: "marketing", Billable: true}, true},
		{"only sent: not charged yet", JobSent, pmp("utility", "regular", true), BillDelta{}, false},
		{"failed: never charged", JobFailed, pmp("utility", "regular", true), BillDelta{}, false},
		{"no pricing yet", JobDelivered, nil, BillDelta{}, false},
		{"free customer service", JobDelivered, pmp("service", "free_customer_service", false), BillDelta{Category: "service"}, true},
		{"free entry point", JobDelivered, pmp("marketing", "free_entry_point", false), BillDelta{Category: "marketing"}, true},
		{"type wins over a stale billable", JobDelivered, pmp("utility", "free_customer_service", true), BillDelta{Category: "utility"}, true},
		{"type case", JobDelivered, pmp("utility", "REGULAR", false), BillDelta{Category: "utility", Billable: true}, true},
		{"hyphenated category", JobDelivered, pmp("authentication-international", "regular", true), BillDelta{Category: "authentication_international", Billable: true}, true},
		{"no category", JobDelivered, pmp("", "regular", true), BillDelta{Category: CounterReasonUnspecified, Billable: true}, true},
		{"odd category", JobDelivered, pmp("Utility Plus!", "regular", true), BillDelta{Category: CounterReasonOther, Billable: true}, true},
		{"CBP by conversation", JobDelivered, cbp, BillDelta{Category: "utility", Billable: true, Conversation: "f5fdae3920125a39a1e6a23e5f877c16"}, true},
		{"CBP category from the origin", JobRead, &Pricing{Billable: true, Model: "CBP", ConversationID: "c1", ConversationOrigin: "service"}, BillDelta{Category: "service", Billable: true, Conversation: "c1"}, true},
		{"CBP free conversation", JobDelivered, &Pricing{Billable: false, Model: "CBP", Category: "service", ConversationID: "c2"}, BillDelta{Category: "service", Conversation: "c2"}, true},
		{"CBP without an id: per message", JobDelivered, &Pricing{Billable: true, Model: "CBP", Category: "utility"}, BillDelta{Category: "utility", Billable: true}, true},
		{"PMP with a conversation: per message", JobDelivered, &Pricing{Billable: true, Model: "PMP", Category: "marketing", Type: "regular", ConversationID: "c3"}, BillDelta{Category: "marketing", Billable: true}, true},
	}
	for _, c := range cases {
		got, ok := BillingOf(c.st, c.p)
		if got != c.want || ok != c.ok {
			t.Errorf("%s: %+v %v, want %+v %v", c.name, got, ok, c.want, c.ok)
		}
	}
}

func TestConversationKey(t *testing.T) {
	if k := ConversationKey("72b14d6bd5407799e66f64d1b338e567"); k != "72b14d6bd5407799e66f64d1b338e567" {
		t.Errorf("plain id %q", k)
	}
	k := ConversationKey("a.b/c")
	if len(k) != 33 || k[0] != 'h' || k == ConversationKey("a.b/d") {
		t.Errorf("hashed id %q", k)
	}
}

// The billing mark: a message is counted once, on the write where it is delivered (or
// read) with a pricing, whatever the order and the redeliveries of its statuses.
func TestCountTransitionBilling(t *testing.T) {
	util := &Pricing{Billable: true, Model: "PMP", Category: "utility", Type: "regular"}
	bill := BillDelta{Category: "utility", Billable: true}
	st := func(s JobStatus, p *Pricing, counted ...string) CounterState {
		return CounterState{Status: s, Pricing: p, Counted: counted}
	}
	cases := []struct {
		name          string
		before, after CounterState
		want          CounterDelta
		marks         []string
	}{
		{"sent with pricing: not yet", st(JobSent, nil, MarkSent), st(JobSent, util, MarkSent), CounterDelta{}, []string{MarkSent}},
		{"delivered after the priced sent", st(JobSent, util, MarkSent), st(JobDelivered, util, MarkSent), CounterDelta{Delivered: 1, Bill: bill}, []string{MarkSent, MarkDelivered, MarkBilled}},
		{"delivered first, with pricing", st(JobSent, nil, MarkSent), st(JobDelivered, util, MarkSent), CounterDelta{Delivered: 1, Bill: bill}, []string{MarkSent, MarkDelivered, MarkBilled}},
		{"redelivered delivered", st(JobDelivered, util, MarkSent, MarkDelivered, MarkBilled), st(JobDelivered, util, MarkSent, MarkDelivered, MarkBilled), CounterDelta{}, []string{MarkSent, MarkDelivered, MarkBilled}},
		{"read after billed", st(JobDelivered, util, MarkSent, MarkDelivered, MarkBilled), st(JobRead, util, MarkSent, MarkDelivered, MarkBilled), CounterDelta{Read: 1}, []string{MarkSent, MarkDelivered, MarkRead, MarkBilled}},
		{"delivered without pricing, read with it", st(JobDelivered, nil, MarkSent, MarkDelivered), st(JobRead, util, MarkSent, MarkDelivered), CounterDelta{Read: 1, Bill: bill}, []string{MarkSent, MarkDelivered, MarkRead, MarkBilled}},
		{"pricing last, on a late sent", st(JobRead, nil, MarkSent, MarkDelivered, MarkRead), st(JobRead, util, MarkSent, MarkDelivered, MarkRead), CounterDelta{Bill: bill}, []string{MarkSent, MarkDelivered, MarkRead, MarkBilled}},
		{"failed after sent: not charged", st(JobSent, util, MarkSent), CounterState{Status: JobFailed, Accepted: true, ReasonCode: ReasonMetaError, Pricing: util, Counted: []string{MarkSent}}, CounterDelta{FailedReason: ReasonMetaError}, []string{MarkSent, MarkFailed}},
	}
	for _, c := range cases {
		d, marks := CountTransition(c.before, c.after)
		if d != c.want || !slices.Equal(marks, c.marks) {
			t.Errorf("%s: %+v %v, want %+v %v", c.name, d, marks, c.want, c.marks)
		}
	}
}

func TestParseBillingMonth(t *testing.T) {
	sp, _ := time.LoadLocation("America/Sao_Paulo")
	// 2026-12-01 01:30 UTC is still November 30 in São Paulo (UTC−3).
	now := time.Date(2026, 12, 1, 1, 30, 0, 0, time.UTC)
	cases := []struct {
		in, want string
		bad      bool
	}{
		{"", "2026-11", false},
		{"2026-11", "2026-11", false},
		{"2026-02", "2026-02", false},
		{"2025-12", "2025-12", false},
		{"2026-12", "", true}, // after the current month in the tenant's zone
		{"2026-13", "", true},
		{"2026-00", "", true},
		{"2019-12", "", true},
		{"26-11", "", true},
		{"2026-11-01", "", true},
	}
	for _, c := range cases {
		m, err := ParseBillingMonth(c.in, now, sp)
		if c.bad {
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("%q: %v, want an invalid error", c.in, err)
			}
			continue
		}
		if err != nil || m.String() != c.want {
			t.Errorf("%q: %v %v, want %s", c.in, m, err, c.want)
		}
	}
	if m, _ := ParseBillingMonth("", now, time.UTC); m.String() != "2026-12" {
		t.Errorf("UTC month %v", m)
	}
	for _, c := range []struct{ m, first, last, before string }{
		{"2026-02", "2026-02-01", "2026-02-28", "2026-01-31"},
		{"2028-02", "2028-02-01", "2028-02-29", "2028-01-31"},
		{"2026-12", "2026-12-01", "2026-12-31", "2026-11-30"},
		{"2027-01", "2027-01-01", "2027-01-31", "2026-12-31"},
	} {
		m, _ := ParseBillingMonth(c.m, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), time.UTC)
		if m.First() != c.first || m.Last() != c.last || m.DayBefore() != c.before {
			t.Errorf("%s: %s %s %s", c.m, m.First(), m.Last(), m.DayBefore())
		}
	}
}

func TestSumBilling(t *testing.T) {
	m := BillingMonth{2026, time.December}
	days := []BillingDay{
		{Day: "2026-11-30", Billable: map[string]int64{"utility": 50}, Conversations: map[string]BillDelta{"conv-late-nov": {Category: "utility", Billable: true}}},
		{Day: "2026-12-01", Billable: map[string]int64{"utility": 3, "marketing": 1}, Free: map[string]int64{"service": 2},
			Conversations: map[string]BillDelta{"conv-late-nov": {Category: "utility", Billable: true}, "conv-a": {Category: "utility", Billable: true}}},
		{Day: "2026-12-01", Billable: map[string]int64{"utility": 2}}, // another shard of the same day
		{Day: "2026-12-15", Conversations: map[string]BillDelta{"conv-a": {Category: "utility", Billable: true}, "conv-b": {Category: "service"}}},
		{Day: "2026-12-16", Conversations: map[string]BillDelta{"conv-c": {Category: "service"}}},
		{Day: "2026-12-17", Conversations: map[string]BillDelta{"conv-c": {Category: "service", Billable: true}}},
		{Day: "2026-12-31", Billable: map[string]int64{"utility": 1}},
		{Day: "2027-01-01", Billable: map[string]int64{"utility": 99}},
	}
	u := SumBilling(m, days)
	got := fmt.Sprint(u.Categories)
	// utility: 3+2+1 messages, conversation conv-a once (conv-late-nov was November's);
	// service: conv-b free, conv-c charged once (one of its messages was charged).
	want := "[{marketing 1 0} {service 1 3} {utility 7 0}]"
	if got != want || u.Conversations != 3 {
		t.Errorf("usage %s (%d conversations), want %s (3)", got, u.Conversations, want)
	}
	if e := SumBilling(m, nil); len(e.Categories) != 0 || e.Conversations != 0 {
		t.Errorf("empty month %+v", e)
	}
}

func TestPriceTable(t *testing.T) {
	p := Prices() // the embedded table parses
	code, br := p.Market("")
	if code != "BR" || br.Currency == "" || p.Effective == "" || p.Source == "" {
		t.Fatalf("default market %s %+v", code, br)
	}
	if _, ok := br.Rates["utility"]; !ok {
		t.Error("Brazil has no utility rate")
	}
	if code, _ := p.Market("ZZ"); code != "BR" {
		t.Errorf("unknown market → %s", code)
	}
	bad := []string{
		`{"effective":"2026","source":"https://x","default_market":"BR","markets":{"BR":{"currency":"BRL","rates":{}}}}`,
		`{"effective":"2026-01-01","source":"http://x","default_market":"BR","markets":{"BR":{"currency":"BRL","rates":{}}}}`,
		`{"effective":"2026-01-01","source":"https://x","default_market":"AR","markets":{"BR":{"currency":"BRL","rates":{}}}}`,
		`{"effective":"2026-01-01","source":"https://x","default_market":"BR","markets":{"BR":{"currency":"real","rates":{}}}}`,
		`{"effective":"2026-01-01","source":"https://x","default_market":"BR","markets":{"BR":{"currency":"BRL","rates":{"utility":"0,03"}}}}`,
		`{"effective":"2026-01-01","source":"https://x","default_market":"BR","markets":{"BR":{"currency":"BRL","rates":{"Utility":"0.03"}}}}`,
		`{"effective":"2026-01-01","source":"https://x","default_market":"BR","markets":{"BR":{"currency":"BRL","rates":{}}},"extra":1}`,
	}
	for _, b := range bad {
		if _, err := ParsePriceTable([]byte(b)); err == nil {
			t.Errorf("accepted %s", b)
		}
	}
}

func TestMicros(t *testing.T) {
	for _, c := range []struct {
		in     string
		places int
		sep    string
		want   string
	}{
		{"0.0625", 4, ",", "0,0625"},
		{"0.0068", 2, ",", "0,01"},
		{"0.0049", 2, ".", "0.00"},
		{"12", 2, ",", "12,00"},
		{"1.005", 2, ",", "1,01"},
		{"0.000001", 6, ".", "0.000001"},
		{"3", 0, ",", "3"},
	} {
		m, err := ParseMicros(c.in)
		if err != nil || m.Decimal(c.places, c.sep) != c.want {
			t.Errorf("%s: %v %q, want %q", c.in, err, m.Decimal(c.places, c.sep), c.want)
		}
	}
	for _, bad := range []string{"", "-1", "1,5", "0.0000001", "abc"} {
		if _, err := ParseMicros(bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestEstimateCost(t *testing.T) {
	table := PriceTable{Effective: "2026-01-01", Source: "https://example.test", DefaultMarket: "BR", Markets: map[string]MarketRates{
		"BR": {Currency: "BRL", Rates: map[string]string{"marketing": "0.35", "utility": "0.04", "service": "0"}},
	}}
	u := BillingUsage{Categories: []CategoryUsage{
		{Category: "authentication_international", Billable: 2},
		{Category: "marketing", Billable: 10, Free: 1},
		{Category: "service", Free: 30},
		{Category: "utility", Billable: 1000, Free: 5},
	}}
	e := EstimateCost(u, table, "")
	// 10 × 0.35 + 1000 × 0.04 = 43.50; the 2 authentication-international messages have no rate.
	if e.Cost.Decimal(2, ",") != "43,50" || e.Billable != 1012 || e.Free != 36 || e.Unpriced != 2 || e.Market != "BR" {
		t.Errorf("estimate %+v", e)
	}
	if e.Categories[0].Priced || !e.Categories[2].Priced || e.Categories[2].Cost != 0 || e.Categories[3].Cost.Decimal(2, ".") != "40.00" {
		t.Errorf("categories %+v", e.Categories)
	}
}
