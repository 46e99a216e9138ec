package metastandin_test

import (
	"net/http"
	"testing"
	"time"
)

func TestPairRate(t *testing.T) {
	s, u := newServer(t)
	other := textBody("para outra cliente")
	other["to"] = "+5511912345678"

	// Off by default: two quick messages to one client are both accepted.
	for i := range 2 {
		if r := post(t, sendURL(u, pnid), token, textBody("oi")); r.status != http.StatusOK {
			t.Fatalf("pair rate off, message %d: %d %s", i, r.status, r.raw)
		}
	}

	const window = 400 * time.Millisecond
	s.SetPairRate(window)
	s.Reset() // forgets the pairs' last messages
	start := time.Now()
	if r := post(t, sendURL(u, pnid), token, textBody("primeira")); r.status != http.StatusOK {
		t.Fatalf("first: %d %s", r.status, r.raw)
	}
	e := metaError(t, post(t, sendURL(u, pnid), token, textBody("segunda, logo depois")), http.StatusBadRequest, 131056)
	if e["message"] != "(#131056) (Business Account, Consumer Account) pair rate limit hit" || e["type"] != "OAuthException" || details(e) == "" {
		t.Errorf("131056 envelope %v", e)
	}
	// Another recipient, and the same recipient from another number, go at once.
	if r := post(t, sendURL(u, pnid), token, other); r.status != http.StatusOK {
		t.Errorf("other recipient: %d %s", r.status, r.raw)
	}
	if r := post(t, sendURL(u, pnid2), token2, textBody("de outro número")); r.status != http.StatusOK {
		t.Errorf("other number: %d %s", r.status, r.raw)
	}
	// A refused message does not move the window: once it has passed since the
	// accepted one, the pair may be sent to again.
	time.Sleep(window - time.Since(start) + 50*time.Millisecond)
	if r := post(t, sendURL(u, pnid), token, textBody("depois da janela")); r.status != http.StatusOK {
		t.Fatalf("after the window: %d %s", r.status, r.raw)
	}
	metaError(t, post(t, sendURL(u, pnid), token, textBody("de novo logo depois")), http.StatusBadRequest, 131056)

	var accepted, refused int
	for _, r := range s.Requests() {
		switch r.Status {
		case http.StatusOK:
			accepted++
		case http.StatusBadRequest:
			refused++
			if r.WAMID != "" {
				t.Errorf("a refused message has a wamid: %+v", r)
			}
		}
	}
	if accepted != 4 || refused != 2 {
		t.Errorf("%d accepted, %d refused; want 4 and 2", accepted, refused)
	}

	// 0 disables it again.
	s.SetPairRate(0)
	if r := post(t, sendURL(u, pnid), token, textBody("sem limite")); r.status != http.StatusOK {
		t.Errorf("pair rate off again: %d %s", r.status, r.raw)
	}
}
