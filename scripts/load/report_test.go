package main

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		var out []time.Duration
		for _, n := range ns {
			out = append(out, time.Duration(n)*time.Millisecond)
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = 100 - i // shuffled order does not matter
	}
	cases := []struct {
		in   []time.Duration
		p    float64
		want time.Duration
	}{
		{nil, 50, 0},
		{ms(7), 99, 7 * time.Millisecond},
		{ms(30, 10, 20), 50, 20 * time.Millisecond},
		{ms(30, 10, 20), 100, 30 * time.Millisecond},
		{ms(30, 10, 20), 1, 10 * time.Millisecond},
		{ms(hundred...), 99, 99 * time.Millisecond},
		{ms(hundred...), 50, 50 * time.Millisecond},
		{ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 1000), 99, 1000 * time.Millisecond}, // one slow probe is the p99 of ten
	}
	for _, c := range cases {
		if got := Percentile(c.in, c.p); got != c.want {
			t.Errorf("Percentile(%v, %v) = %v, want %v", c.in, c.p, got, c.want)
		}
	}
	in := ms(3, 1, 2)
	Percentile(in, 50)
	if in[0] != 3*time.Millisecond {
		t.Error("Percentile sorted its input in place")
	}
}

func TestDuplicates(t *testing.T) {
	for _, c := range []struct {
		in   []string
		want int
	}{
		{nil, 0},
		{[]string{"a", "b", "c"}, 0},
		{[]string{"a", "a"}, 1},
		{[]string{"a", "b", "a", "a", "b"}, 3},
	} {
		if got := Duplicates(c.in); got != c.want {
			t.Errorf("Duplicates(%v) = %d, want %d", c.in, got, c.want)
		}
	}
}

func TestTenantRates(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	r := TenantResult{Cap: 20, Sent: 191, Started: t0.Add(-time.Second), First: t0, Last: t0.Add(10 * time.Second)}
	if r.Rate() != 19 || r.Ratio() != 0.95 || r.Drain() != 11*time.Second {
		t.Errorf("rate %v ratio %v drain %v", r.Rate(), r.Ratio(), r.Drain())
	}
	for _, z := range []TenantResult{{}, {Cap: 20, Sent: 1, First: t0, Last: t0}, {Sent: 10, First: t0, Last: t0.Add(time.Second)}} {
		if z.Ratio() != 0 || (z.Sent < 2 && z.Rate() != 0) {
			t.Errorf("%+v: rate %v ratio %v, want 0", z, z.Rate(), z.Ratio())
		}
	}
}

func TestScaledCap(t *testing.T) {
	for _, c := range []struct {
		coex  bool
		scale float64
		want  int
	}{{false, 1, 80}, {true, 1, 20}, {false, 0.5, 40}, {true, 0.25, 5}, {true, 0.01, 1}} {
		if got := ScaledCap(c.coex, c.scale); got != c.want {
			t.Errorf("ScaledCap(%v, %v) = %d, want %d", c.coex, c.scale, got, c.want)
		}
	}
}

func TestPubSubBilled(t *testing.T) {
	for n, want := range map[int]int64{0: 2000, 400: 2000, 1000: 2000, 1500: 3000} {
		if got := PubSubBilled(n); got != want {
			t.Errorf("PubSubBilled(%d) = %d, want %d", n, got, want)
		}
	}
}

func TestCost(t *testing.T) {
	p := Prices{FirestoreRd: 1e-6, FirestoreWr: 2e-6, TaskOp: 1e-7, PubSubByte: 1e-9, RunRequest: 1e-7, RunVCPUSec: 1e-5, RunGiBSec: 1e-6}
	u := Usage{
		Messages: 500, FirestoreReads: 3000, FirestoreWrites: 5000, TaskOperations: 1000, PubSubBytes: 3_000_000,
		Requests:       map[string]int64{"dispatch": 500, "": 40}, // "" (the dashboard's files) is not a function
		RequestSeconds: map[string]float64{"dispatch": 50, "": 9},
	}
	got := p.Cost(u)
	want := map[string]float64{
		"firestore": (3000*1e-6 + 5000*2e-6) * 2,
		"tasks":     1000 * 1e-7 * 2,
		"pubsub":    3_000_000 * 1e-9 * 2,
		"run":       (500*1e-7 + 50*(1*1e-5+0.25*1e-6)) * 2,
	}
	for k, w := range want {
		if math.Abs(got[k]-w) > 1e-12 {
			t.Errorf("%s: %v, want %v", k, got[k], w)
		}
	}
	if p.Cost(Usage{}) != nil {
		t.Error("a run without messages has no cost per message")
	}
}

func TestValidate(t *testing.T) {
	ok := Config{Tenants: 5, Coexistence: 2, Messages: 1000, Scale: 1, Workers: 16, ProbeAfter: 0.25, Probes: 20, ProbeEvery: time.Second, Timeout: time.Minute}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, change := range map[string]func(*Config){
		"no tenants":          func(c *Config) { c.Tenants = 0 },
		"more coexistence":    func(c *Config) { c.Coexistence = 6 },
		"no messages":         func(c *Config) { c.Messages = 0 },
		"scale above Meta's":  func(c *Config) { c.Scale = 2 },
		"no workers":          func(c *Config) { c.Workers = 0 },
		"probe after the end": func(c *Config) { c.ProbeAfter = 1 },
		"no probes":           func(c *Config) { c.Probes = 0 },
	} {
		c := ok
		change(&c)
		if c.Validate() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestPrint(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	r := &Report{
		Config: Config{Tenants: 1, Coexistence: 1, Messages: 191, Scale: 1, Workers: 4, ProbeEvery: time.Second},
		Tenants: []TenantResult{
			{ID: "load-01", Coexistence: true, Cap: 20, LaneRate: 19, Messages: 191, Sent: 191, Started: t0, First: t0, Last: t0.Add(10 * time.Second)},
			{ID: "probe", Probe: true, Cap: 80, LaneRate: 76, Sent: 2, First: t0, Last: t0.Add(time.Second)},
		},
		Probe: []time.Duration{100 * time.Millisecond, 300 * time.Millisecond},
		Usage: Usage{Messages: 193, FirestoreReads: 193, FirestoreWrites: 386, Requests: map[string]int64{"api": 193}, RequestSeconds: map[string]float64{"api": 1.93}},
	}
	var b bytes.Buffer
	r.Print(&b)
	out := b.String()
	if strings.Contains(out, "coexistence*") {
		t.Errorf("the probe (a Cloud API number) printed as coexistence:\n%s", out)
	}
	for _, want := range []string{"load-01        coexistence      20   19.00     0.00    191     19.00   0.95   100%", "  cap\n", "cloud api*", "p50 100ms, p99 300ms", "1.00 reads, 2.00 writes (3.00 operations)", "api 1.00 (10 ms each)", "per 1,000 messages: US$", "prices read 2026-12-01"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

func TestLimitedBy(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	sends := func(n int, over time.Duration) TenantResult {
		return TenantResult{Cap: 20, LaneRate: 19, Messages: n, Sent: n, First: t0, Last: t0.Add(over)}
	}
	atCap := sends(181, 10*time.Second) // 18/s
	atCap.BookedFirst, atCap.BookedLast = t0, t0.Add(2*time.Second)
	booked := sends(101, 10*time.Second) // 10/s, booked at 10/s
	booked.BookedFirst, booked.BookedLast = t0, t0.Add(10*time.Second)
	behind := sends(101, 20*time.Second) // 5/s, booked at 10/s
	behind.BookedFirst, behind.BookedLast = t0, t0.Add(10*time.Second)
	for name, c := range map[string]struct {
		r    TenantResult
		want string
	}{
		"its cap":      {atCap, "cap"},
		"the bookings": {booked, "bookings"},
		"the machine":  {behind, "machine"},
		"nothing sent": {TenantResult{LaneRate: 19}, "-"},
	} {
		if got := c.r.LimitedBy(); got != c.want {
			t.Errorf("%s: LimitedBy() = %q, want %q (rate %.2f, booked %.2f)", name, got, c.want, c.r.Rate(), c.r.BookingRate())
		}
	}
}
