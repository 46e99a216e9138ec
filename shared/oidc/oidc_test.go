package oidc

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	testIss   = "https://issuer.test"
	testAud   = "https://dispatch.test/dispatch"
	testEmail = "tasks@lembra-local.iam.gserviceaccount.com"
)

var (
	keyOnce          sync.Once
	signerA, signerB *testSigner
)

// signers are created once: RSA key generation is the slow part of these tests.
func signers(t *testing.T) (*testSigner, *testSigner) {
	t.Helper()
	keyOnce.Do(func() {
		var err error
		if signerA, err = newTestSigner(testIss); err != nil {
			panic(err)
		}
		if signerB, err = newTestSigner(testIss); err != nil {
			panic(err)
		}
	})
	return signerA, signerB
}

// claimsAt are valid claims for the test audience and email, issued at now.
func claimsAt(now time.Time) map[string]any {
	return map[string]any{
		"iss": testIss, "aud": testAud, "sub": testEmail, "email": testEmail, "email_verified": true,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	}
}

func sign(t *testing.T, s *testSigner, h tokenHeader, c map[string]any) string {
	t.Helper()
	tok, err := s.Sign(h, c)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// jwksServer serves the JWKS of whichever signer is current, counts fetches, and can
// be taken down (HTTP 500) or made unreachable.
type jwksServer struct {
	*httptest.Server
	mu      sync.Mutex
	current *testSigner
	fetches atomic.Int32
	fail    atomic.Bool
}

func newJWKSServer(t *testing.T, s *testSigner) *jwksServer {
	js := &jwksServer{current: s}
	js.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		js.fetches.Add(1)
		if js.fail.Load() {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		js.mu.Lock()
		cur := js.current
		js.mu.Unlock()
		cur.JWKSHandler().ServeHTTP(w, r)
	}))
	t.Cleanup(js.Close)
	return js
}

func (js *jwksServer) use(s *testSigner) {
	js.mu.Lock()
	js.current = s
	js.mu.Unlock()
}

var errKinds = []error{ErrMissingToken, ErrInvalidToken, ErrForbidden, ErrKeysUnavailable}

func checkErr(t *testing.T, name string, err, want error) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Errorf("%s: Verify: %v", name, err)
		}
		return
	}
	if !errors.Is(err, want) {
		t.Errorf("%s: error %v, want %v", name, err, want)
		return
	}
	for _, other := range errKinds {
		if other != want && errors.Is(err, other) {
			t.Errorf("%s: error %v also matches %v", name, err, other)
		}
	}
}

func TestVerify(t *testing.T) {
	a, b := signers(t)
	js := newJWKSServer(t, a)
	now := time.Now()
	with := func(change func(map[string]any)) string {
		c := claimsAt(now)
		change(c)
		return sign(t, a, a.Header(), c)
	}
	good := sign(t, a, a.Header(), claimsAt(now))
	parts := strings.Split(good, ".")
	enc := base64.RawURLEncoding.EncodeToString
	hdr := func(h tokenHeader) string { b, _ := json.Marshal(h); return enc(b) }

	tests := []struct {
		name    string
		token   string
		allowed []string
		issuers []string
		now     time.Time
		want    error
	}{
		{name: "valid", token: good},
		{name: "valid, audience in an array", token: with(func(c map[string]any) { c["aud"] = []string{"https://other", testAud} })},
		{name: "valid, Google's issuer without scheme", token: with(func(c map[string]any) { c["iss"] = "accounts.google.com" }),
			issuers: []string{"https://accounts.google.com", "accounts.google.com"}},
		{name: "valid, Google's issuer with scheme", token: with(func(c map[string]any) { c["iss"] = "https://accounts.google.com" }),
			issuers: []string{"https://accounts.google.com", "accounts.google.com"}},
		{name: "allowed email", token: good, allowed: []string{"x@y", testEmail}},
		{name: "empty", token: "  ", want: ErrMissingToken},
		{name: "garbage", token: "not-a-token", want: ErrInvalidToken},
		{name: "three garbage segments", token: "abc.def.ghi", want: ErrInvalidToken},
		{name: "too large", token: strings.Repeat("a", maxTokenSize+1), want: ErrInvalidToken},
		{name: "alg none, unsigned", token: hdr(tokenHeader{Alg: "none", Typ: "JWT"}) + "." + parts[1] + ".", want: ErrInvalidToken},
		{name: "alg HS256", token: hdr(tokenHeader{Alg: "HS256", Typ: "JWT", Kid: a.KeyID()}) + "." + parts[1] + "." + parts[2], want: ErrInvalidToken},
		{name: "claims changed after signing", token: parts[0] + "." + enc([]byte(`{"iss":"`+testIss+`","aud":"`+testAud+`","exp":9999999999,"email":"evil@x","email_verified":true}`)) + "." + parts[2], want: ErrInvalidToken},
		{name: "signed by another key under the known kid", token: sign(t, b, a.Header(), claimsAt(now)), want: ErrInvalidToken},
		{name: "unknown kid", token: sign(t, b, b.Header(), claimsAt(now)), want: ErrInvalidToken},
		{name: "expired", token: with(func(c map[string]any) {
			c["iat"], c["exp"] = now.Add(-2*time.Hour).Unix(), now.Add(-time.Hour).Unix()
		}), want: ErrInvalidToken},
		{name: "expired by the clock", token: good, now: now.Add(61 * time.Minute), want: ErrInvalidToken},
		{name: "no exp", token: with(func(c map[string]any) { delete(c, "exp") }), want: ErrInvalidToken},
		{name: "not before in the future", token: with(func(c map[string]any) { c["nbf"] = now.Add(time.Hour).Unix() }), want: ErrInvalidToken},
		{name: "wrong audience", token: with(func(c map[string]any) { c["aud"] = "https://other" }), want: ErrInvalidToken},
		{name: "wrong issuer", token: with(func(c map[string]any) { c["iss"] = "https://evil.test" }), want: ErrInvalidToken},
		{name: "no issuer", token: with(func(c map[string]any) { delete(c, "iss") }), want: ErrInvalidToken},
		{name: "wrong email", token: good, allowed: []string{"someone-else@x"}, want: ErrForbidden},
		{name: "no email", token: with(func(c map[string]any) { delete(c, "email") }), allowed: []string{testEmail}, want: ErrForbidden},
		{name: "unverified email", token: with(func(c map[string]any) { c["email_verified"] = false }), allowed: []string{testEmail}, want: ErrForbidden},
	}
	for _, tc := range tests {
		issuers := tc.issuers
		if issuers == nil {
			issuers = []string{"https://unrelated", testIss}
		}
		v := &Verifier{Issuers: issuers, Audience: testAud, AllowedEmails: tc.allowed, JWKSURL: js.URL}
		if !tc.now.IsZero() {
			v.Now = func() time.Time { return tc.now }
		}
		c, err := v.Verify(context.Background(), tc.token)
		checkErr(t, tc.name, err, tc.want)
		if tc.want == nil && err == nil {
			if c.Email != testEmail || c.Subject != testEmail || !c.EmailVerified || c.Audience != testAud ||
				c.Expiry.Unix() != now.Add(time.Hour).Unix() || c.IssuedAt.Unix() != now.Unix() {
				t.Errorf("%s: claims %+v", tc.name, c)
			}
		}
		if errors.Is(tc.want, ErrForbidden) && (c == nil || c.Audience != testAud) {
			t.Errorf("%s: forbidden without the valid claims: %+v", tc.name, c)
		}
	}
}

func TestVerifierNeedsConfiguration(t *testing.T) {
	a, _ := signers(t)
	js := newJWKSServer(t, a)
	tok, _ := a.IDToken(testAud, testEmail, time.Minute)
	for name, tc := range map[string]struct {
		v    *Verifier
		want error
	}{
		"no issuers":  {&Verifier{Audience: testAud, JWKSURL: js.URL}, ErrInvalidToken},
		"no audience": {&Verifier{Issuers: []string{testIss}, JWKSURL: js.URL}, ErrInvalidToken},
		"no JWKS URL": {&Verifier{Issuers: []string{testIss}, Audience: testAud}, ErrKeysUnavailable},
	} {
		_, err := tc.v.Verify(context.Background(), tok)
		checkErr(t, name, err, tc.want)
	}
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// TestKeySetRefreshRotationAndCap walks the key set through its life: cached keys,
// the hourly refresh, a key rotation, the endpoint going down (cached keys still used
// within the 6-hour cap, at most one fetch attempt per 30 s, then refused) and coming
// back.
func TestKeySetRefreshRotationAndCap(t *testing.T) {
	a, b := signers(t)
	js := newJWKSServer(t, a)
	clock := &fakeClock{t: time.Now()}
	v := &Verifier{Issuers: []string{testIss}, Audience: testAud, JWKSURL: js.URL, Now: clock.Now}
	ctx := context.Background()
	// Tokens valid for the whole walk (the clock moves by hours).
	long := func(s *testSigner) string {
		c := claimsAt(clock.Now())
		c["exp"] = clock.Now().Add(48 * time.Hour).Unix()
		return sign(t, s, s.Header(), c)
	}
	tokA, tokB := long(a), long(b)

	steps := []struct {
		name        string
		do          func()
		token       string
		want        error
		wantFetches int32
	}{
		{name: "first use fetches", token: tokA, wantFetches: 1},
		{name: "cached", token: tokA, wantFetches: 1},
		{name: "still cached after 59 min", do: func() { clock.Advance(59 * time.Minute) }, token: tokA, wantFetches: 1},
		{name: "fetched again after an hour", do: func() { clock.Advance(2 * time.Minute) }, token: tokA, wantFetches: 2},
		{name: "unknown kid before rotation: fetched, still unknown", token: tokB, want: ErrInvalidToken, wantFetches: 3},
		{name: "keys rotated: the new kid is fetched", do: func() { js.use(b) }, token: tokB, wantFetches: 4},
		{name: "the withdrawn key stops verifying at the next refresh", do: func() { clock.Advance(time.Hour) }, token: tokA, want: ErrInvalidToken, wantFetches: 5},
		{name: "endpoint down, keys fresh: no fetch", do: func() { js.fail.Store(true) }, token: tokB, wantFetches: 5},
		{name: "endpoint down, refresh due: fetch fails, cached key used", do: func() { clock.Advance(2 * time.Hour) }, token: tokB, wantFetches: 6},
		{name: "endpoint down: no new attempt within 30 s", do: func() { clock.Advance(10 * time.Second) }, token: tokB, wantFetches: 6},
		{name: "endpoint down: attempt again after 30 s", do: func() { clock.Advance(30 * time.Second) }, token: tokB, wantFetches: 7},
		{name: "endpoint down, unknown kid: unavailable, not invalid", do: func() { clock.Advance(time.Minute) }, token: tokA, want: ErrKeysUnavailable, wantFetches: 9},
		{name: "endpoint down, just under the 6 h cap: cached key used", do: func() { clock.Advance(6*time.Hour - 2*time.Hour - 2*time.Minute - 41*time.Second) }, token: tokB, wantFetches: 10},
		{name: "endpoint down, cap reached: refused", do: func() { clock.Advance(2 * time.Minute) }, token: tokB, want: ErrKeysUnavailable, wantFetches: 11},
		{name: "endpoint down, cap passed, within retry: refused without a fetch", do: func() { clock.Advance(time.Second) }, token: tokB, want: ErrKeysUnavailable, wantFetches: 11},
		{name: "endpoint back: fetched, accepted", do: func() { js.fail.Store(false); clock.Advance(time.Minute) }, token: tokB, wantFetches: 12},
	}
	for _, st := range steps {
		// go-oidc signals a fetch's waiters before it clears its in-flight marker, in
		// its own goroutine: a call made in that instant joins the finished fetch
		// instead of starting one. Give that goroutine a moment, so each step's fetch
		// count is exact.
		time.Sleep(20 * time.Millisecond)
		if st.do != nil {
			st.do()
		}
		_, err := v.Verify(ctx, st.token)
		checkErr(t, st.name, err, st.want)
		if n := js.fetches.Load(); n != st.wantFetches {
			t.Errorf("%s: %d fetches, want %d", st.name, n, st.wantFetches)
		}
	}
}

func TestKeySetEndpointDownFromTheStart(t *testing.T) {
	a, _ := signers(t)
	js := newJWKSServer(t, a)
	js.fail.Store(true)
	tok, _ := a.IDToken(testAud, testEmail, time.Hour)
	v := &Verifier{Issuers: []string{testIss}, Audience: testAud, JWKSURL: js.URL}
	_, err := v.Verify(context.Background(), tok)
	checkErr(t, "HTTP 500", err, ErrKeysUnavailable)

	// Unreachable, and a 200 that is not a key set, count as down too.
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	notKeys := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"keys":[]}`) }))
	defer notKeys.Close()
	for name, url := range map[string]string{"unreachable": closed.URL, "empty key set": notKeys.URL} {
		v := &Verifier{Issuers: []string{testIss}, Audience: testAud, JWKSURL: url}
		_, err := v.Verify(context.Background(), tok)
		checkErr(t, name, err, ErrKeysUnavailable)
	}
}

func TestKeySetConcurrentFirstUse(t *testing.T) {
	a, _ := signers(t)
	js := newJWKSServer(t, a)
	v := &Verifier{Issuers: []string{testIss}, Audience: testAud, JWKSURL: js.URL}
	tok, _ := a.IDToken(testAud, testEmail, time.Hour)
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, err := v.Verify(context.Background(), tok); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := js.fetches.Load(); n != 1 {
		t.Errorf("%d fetches, want 1", n)
	}
}

type answer struct {
	status int
	code   string
}

func call(t *testing.T, h http.Handler, auth string) answer {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/", strings.NewReader("{}"))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	h.ServeHTTP(rec, req)
	if rec.Code == 200 {
		return answer{status: 200, code: rec.Body.String()}
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("content type %q", ct)
	}
	var body struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error.Message == "" {
		t.Errorf("body %q: %v", rec.Body, err)
	}
	if rec.Code == 401 && rec.Header().Get("WWW-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}
	return answer{status: rec.Code, code: body.Error.Code}
}

func TestMiddleware(t *testing.T) {
	a, _ := signers(t)
	js := newJWKSServer(t, a)
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := ClaimsFrom(r.Context())
		if !ok {
			t.Error("no claims in context")
			return
		}
		io.WriteString(w, c.Email)
	})
	h := Require(slog.New(slog.DiscardHandler), "test", Caller{Audience: testAud, Email: testEmail, Issuers: []string{testIss}, JWKSURL: js.URL}, next)

	good, _ := a.IDToken(testAud, testEmail, time.Hour)
	stranger, _ := a.IDToken(testAud, "someone@example.com", time.Hour)
	wrongAud, _ := a.IDToken("https://other", testEmail, time.Hour)
	for _, tc := range []struct {
		name string
		auth string
		want answer
	}{
		{"valid", "Bearer " + good, answer{200, testEmail}},
		{"lower-case scheme", "bearer " + good, answer{200, testEmail}},
		{"no header", "", answer{401, "unauthenticated"}},
		{"basic auth", "Basic dXNlcjpwYXNz", answer{401, "unauthenticated"}},
		{"empty bearer", "Bearer ", answer{401, "unauthenticated"}},
		{"wrong audience", "Bearer " + wrongAud, answer{401, "unauthenticated"}},
		{"garbage", "Bearer abc.def.ghi", answer{401, "unauthenticated"}},
		{"email not allowed", "Bearer " + stranger, answer{403, "forbidden"}},
	} {
		if got := call(t, h, tc.auth); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}

	js.fail.Store(true)
	down := Require(slog.New(slog.DiscardHandler), "test", Caller{Audience: testAud, Email: testEmail, Issuers: []string{testIss}, JWKSURL: js.URL}, next)
	if got := call(t, down, "Bearer "+good); got != (answer{503, "unavailable"}) {
		t.Errorf("keys unavailable: %+v", got)
	}

	// A caller that is not configured: nothing gets through, not even a valid token.
	for name, c := range map[string]Caller{
		"no audience": {Email: testEmail, Issuers: []string{testIss}, JWKSURL: js.URL},
		"no email":    {Audience: testAud, Issuers: []string{testIss}, JWKSURL: js.URL},
	} {
		if got := call(t, Require(slog.New(slog.DiscardHandler), "test", c, next), "Bearer "+good); got != (answer{403, "forbidden"}) {
			t.Errorf("%s: %+v", name, got)
		}
	}
}
