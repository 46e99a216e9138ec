package metastandin_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/lembra-app/lembra/scripts/internal/standin/metastandin"
)

// fakeClock is a settable clock, so the bucket's refill does not depend on how fast
// this machine answers 80 requests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

const (
	pnidCoex  = "106540352242999"
	tokenCoex = "EAAtoken-coexistence"
)

// newClockedServer is newServer's numbers plus a coexistence number, on a fake clock.
func newClockedServer(t *testing.T) (*metastandin.Server, string, *fakeClock) {
	t.Helper()
	clock := &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	s := metastandin.New()
	s.SetClock(clock.now)
	s.AddNumber(metastandin.Number{PhoneNumberID: pnid, DisplayPhoneNumber: "+55 11 4000-0000", WABAID: "waba-1", AccessToken: token})
	s.AddNumber(metastandin.Number{PhoneNumberID: pnid2, DisplayPhoneNumber: "+55 11 4000-0001", WABAID: "waba-1", AccessToken: token2})
	s.AddNumber(metastandin.Number{PhoneNumberID: pnidCoex, DisplayPhoneNumber: "+55 11 4000-0009", WABAID: "waba-9", AccessToken: tokenCoex, Coexistence: true})
	hs := httptest.NewServer(s)
	t.Cleanup(func() {
		s.Close()
		hs.Close()
	})
	return s, hs.URL, clock
}

// sendN posts n texts from a number and returns how many were accepted; every other
// answer must be Meta's 130429.
func sendN(t *testing.T, base, id, tok string, n int) (accepted int) {
	t.Helper()
	for range n {
		r := post(t, sendURL(base, id), tok, textBody("oi"))
		if r.status == http.StatusOK {
			accepted++
			continue
		}
		throttled(t, r)
	}
	return accepted
}

// throttled checks Meta's 130429 envelope.
func throttled(t *testing.T, r response) {
	t.Helper()
	e := metaError(t, r, http.StatusBadRequest, 130429)
	if e["message"] != "(#130429) Rate limit hit" || e["type"] != "OAuthException" ||
		details(e) != "Cloud API message throughput has been reached." {
		t.Fatalf("130429 envelope %v", e)
	}
}

func TestThroughputPerNumber(t *testing.T) {
	s, u, clock := newClockedServer(t)
	t0 := clock.now()
	if got := s.Throughput(pnid); got != metastandin.ThroughputCloudAPI {
		t.Fatalf("default cap %d, want 80", got)
	}

	// A quiet number takes 80 at once; the 81st gets 130429.
	if n := sendN(t, u, pnid, token, 80); n != 80 {
		t.Fatalf("%d of the first 80 accepted", n)
	}
	throttled(t, post(t, sendURL(u, pnid), token, textBody("a 81ª")))
	throttled(t, post(t, sendURL(u, pnid), token, textBody("a 82ª")))
	// Other numbers are independent, including one of the same WABA.
	if n := sendN(t, u, pnid2, token2, 80); n != 80 {
		t.Errorf("other number: %d of 80 accepted while the first is at its cap", n)
	}

	// The bucket refills at 80/s: half a second later 40 pass. The two refused sends
	// took nothing (else only 38 would).
	clock.set(t0.Add(500 * time.Millisecond))
	if n := sendN(t, u, pnid, token, 41); n != 40 {
		t.Errorf("at t0+0.5s: %d of 41 accepted, want 40", n)
	}
	// It holds one second of sends at most: after two quiet seconds, 80 pass again.
	clock.set(t0.Add(2500 * time.Millisecond))
	if n := sendN(t, u, pnid, token, 81); n != 80 {
		t.Errorf("after a quiet while: %d of 81 accepted, want 80", n)
	}

	// Refused sends have no wamid; the stand-in counts the 130429 it answered per number.
	var refused int
	for _, r := range s.Requests() {
		if r.Status != http.StatusOK {
			refused++
			if r.WAMID != "" {
				t.Errorf("a refused send has a wamid: %+v", r)
			}
		}
	}
	if refused != 4 || s.Throttled(pnid) != 4 || s.Throttled(pnid2) != 0 {
		t.Errorf("%d refused; throttled %d and %d, want 4, 4 and 0", refused, s.Throttled(pnid), s.Throttled(pnid2))
	}
	r := do(t, http.DefaultClient, http.MethodGet, u+"/_standin/throughput", "", nil)
	var stats []metastandin.ThroughputStat
	if err := json.Unmarshal([]byte(r.raw), &stats); err != nil || r.status != http.StatusOK {
		t.Fatalf("GET /_standin/throughput: %d %s %v", r.status, r.raw, err)
	}
	want := map[string]metastandin.ThroughputStat{
		pnid:     {PhoneNumberID: pnid, PerSecond: 80, Throttled: 4},
		pnid2:    {PhoneNumberID: pnid2, PerSecond: 80},
		pnidCoex: {PhoneNumberID: pnidCoex, Coexistence: true, PerSecond: 20},
	}
	if len(stats) != len(want) {
		t.Fatalf("stats %+v", stats)
	}
	for _, st := range stats {
		if st != want[st.PhoneNumberID] {
			t.Errorf("stat %+v, want %+v", st, want[st.PhoneNumberID])
		}
	}

	// Reset forgets the counts and the window.
	s.Reset()
	if s.Throttled(pnid) != 0 {
		t.Errorf("throttled after Reset: %d", s.Throttled(pnid))
	}
	if n := sendN(t, u, pnid, token, 80); n != 80 {
		t.Errorf("after Reset: %d of 80 accepted", n)
	}
}

func TestThroughputCoexistence(t *testing.T) {
	s, u, clock := newClockedServer(t)
	if got := s.Throughput(pnidCoex); got != metastandin.ThroughputCoexistence {
		t.Fatalf("coexistence cap %d, want 20", got)
	}
	if n := sendN(t, u, pnidCoex, tokenCoex, 20); n != 20 {
		t.Fatalf("%d of 20 accepted", n)
	}
	throttled(t, post(t, sendURL(u, pnidCoex), tokenCoex, textBody("a 21ª")))
	clock.set(clock.now().Add(time.Second))
	if n := sendN(t, u, pnidCoex, tokenCoex, 21); n != 20 {
		t.Errorf("next second: %d of 21 accepted, want 20", n)
	}
	if s.Throttled(pnidCoex) != 2 {
		t.Errorf("throttled %d, want 2", s.Throttled(pnidCoex))
	}

	// A business onboarded as coexistence, and a number added on the control surface
	// as one, get 20/s.
	s.AddBusiness(metastandin.Business{Code: "c", Token: "tok-b", WABAID: "waba-b", PhoneNumberID: "pn-b", DisplayPhoneNumber: "+55 11 4000-0007", Coexistence: true})
	if got := s.Throughput("pn-b"); got != 20 {
		t.Errorf("coexistence business: cap %d", got)
	}
	r := do(t, http.DefaultClient, http.MethodPost, u+"/_standin/numbers", "",
		map[string]any{"phone_number_id": "pn-c", "access_token": "tok-c", "coexistence": true})
	if r.status != http.StatusNoContent || s.Throughput("pn-c") != 20 {
		t.Errorf("POST /_standin/numbers coexistence: %d %s, cap %d", r.status, r.raw, s.Throughput("pn-c"))
	}
}

func TestThroughputOverrideAndScale(t *testing.T) {
	s, u, clock := newClockedServer(t)
	next := func() { clock.set(clock.now().Add(time.Second)) }

	s.SetThroughput(pnid, 3)
	if n := sendN(t, u, pnid, token, 4); n != 3 {
		t.Errorf("override 3/s: %d of 4 accepted", n)
	}
	s.AddNumber(metastandin.Number{PhoneNumberID: pnid, DisplayPhoneNumber: "+55 11 4000-0000", WABAID: "waba-1", AccessToken: "rotated"})
	if s.Throughput(pnid) != 3 {
		t.Errorf("override lost by AddNumber: %d", s.Throughput(pnid))
	}
	s.SetThroughput(pnid, 0)
	if s.Throughput(pnid) != 80 {
		t.Errorf("override removed: cap %d, want 80", s.Throughput(pnid))
	}

	// Scaled-down caps by kind: 8/s and 2/s; an override is not scaled.
	next()
	s.SetThroughputScale(0.1)
	s.SetThroughput(pnid2, 5)
	if n := sendN(t, u, pnid, "rotated", 9); n != 8 {
		t.Errorf("scaled 8/s: %d of 9 accepted", n)
	}
	if n := sendN(t, u, pnidCoex, tokenCoex, 3); n != 2 {
		t.Errorf("scaled coexistence 2/s: %d of 3 accepted", n)
	}
	if n := sendN(t, u, pnid2, token2, 6); n != 5 {
		t.Errorf("override under a scale: %d of 6 accepted", n)
	}

	// Scale 0: no cap by kind.
	next()
	s.SetThroughputScale(0)
	if s.Throughput(pnidCoex) != 0 {
		t.Errorf("scale 0: cap %d", s.Throughput(pnidCoex))
	}
	if n := sendN(t, u, pnidCoex, tokenCoex, 30); n != 30 {
		t.Errorf("caps off: %d of 30 accepted", n)
	}
}
