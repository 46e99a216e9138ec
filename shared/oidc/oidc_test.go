package oidc

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
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
	signerA, signerB *Signer
)

// signers are created once: RSA key generation is the slow part of these tests.
func signers(t *testing.T) (*Signer, *Signer) {
	t.Helper()
	keyOnce.Do(func() {
		var err error
		if signerA, err = NewSigner(testIss); err != nil {
			panic(err)
		}
		if signerB, err = NewSigner(testIss); err != nil {
			panic(err)
		}
	})
	return signerA, signerB
}

func ptr[T any](v T) *T { return &v }

// claimsNow are valid claims for the test audience and email, issued now.
func claimsNow() idClaims {
	now := time.Now()
	return idClaims{
		Iss: testIss, Aud: audience{testAud}, Sub: testEmail, Email: testEmail, EmailVerified: ptr(true),
		Iat: ptr(now.Unix()), Exp: ptr(now.Add(time.Hour).Unix()),
	}
}

func forge(t *testing.T, s *Signer, h header, c any) string {
	t.Helper()
	tok, err := s.sign(h, c)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestVerify(t *testing.T) {
	a, b := signers(t)
	good, err := a.IDToken(testAud, testEmail, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	rs := header{Alg: "RS256", Typ: "JWT", Kid: a.KeyID()}
	with := func(change func(*idClaims)) string {
		c := claimsNow()
		change(&c)
		return forge(t, a, rs, c)
	}
	parts := strings.Split(good, ".")
	tamperedPayload := func() string {
		c := claimsNow()
		c.Email = "attacker@example.com"
		cb, _ := json.Marshal(c)
		return parts[0] + "." + b64.EncodeToString(cb) + "." + parts[2]
	}()
	flipped := []byte(parts[2])
	if flipped[10] == 'A' {
		flipped[10] = 'B'
	} else {
		flipped[10] = 'A'
	}
	noneHeader, _ := json.Marshal(header{Alg: "none", Typ: "JWT", Kid: a.KeyID()})
	noneToken := b64.EncodeToString(noneHeader) + "." + parts[1] + "."
	hsHeader, _ := json.Marshal(header{Alg: "HS256", Typ: "JWT", Kid: a.KeyID()})

	tests := []struct {
		name    string
		token   string
		allowed []string
		now     time.Time
		want    error
	}{
		{name: "valid", token: good},
		{name: "valid with allowed email", token: good, allowed: []string{"other@x", testEmail}},
		{name: "aud as array", token: with(func(c *idClaims) { c.Aud = audience{"https://other", testAud} })},
		{name: "empty", token: "", want: ErrMissingToken},
		{name: "garbage", token: "not-a-token", want: ErrInvalidToken},
		{name: "tampered payload", token: tamperedPayload, want: ErrInvalidToken},
		{name: "tampered signature", token: parts[0] + "." + parts[1] + "." + string(flipped), want: ErrInvalidToken},
		{name: "signed by another key under the same kid", token: forge(t, b, rs, claimsNow()), want: ErrInvalidToken},
		{name: "alg none", token: noneToken, want: ErrInvalidToken},
		{name: "alg none with the real signature", token: noneToken + parts[2], want: ErrInvalidToken},
		{name: "alg HS256", token: b64.EncodeToString(hsHeader) + "." + parts[1] + "." + parts[2], want: ErrInvalidToken},
		{name: "unknown kid", token: forge(t, a, header{Alg: "RS256", Kid: "nope"}, claimsNow()), want: ErrInvalidToken},
		{name: "expired", token: with(func(c *idClaims) {
			c.Iat, c.Exp = ptr(time.Now().Add(-2*time.Hour).Unix()), ptr(time.Now().Add(-time.Hour).Unix())
		}), want: ErrInvalidToken},
		{name: "expired within skew", token: with(func(c *idClaims) { c.Exp = ptr(time.Now().Add(-30 * time.Second).Unix()) })},
		{name: "expired by clock", token: good, now: time.Now().Add(time.Hour + 2*time.Minute), want: ErrInvalidToken},
		{name: "no exp", token: with(func(c *idClaims) { c.Exp = nil }), want: ErrInvalidToken},
		{name: "issued in the future", token: with(func(c *idClaims) { c.Iat = ptr(time.Now().Add(10 * time.Minute).Unix()) }), want: ErrInvalidToken},
		{name: "not before in the future", token: with(func(c *idClaims) { c.Nbf = ptr(time.Now().Add(10 * time.Minute).Unix()) }), want: ErrInvalidToken},
		{name: "wrong audience", token: with(func(c *idClaims) { c.Aud = audience{"https://other"} }), want: ErrInvalidToken},
		{name: "wrong issuer", token: with(func(c *idClaims) { c.Iss = "https://evil.test" }), want: ErrInvalidToken},
		{name: "disallowed email", token: good, allowed: []string{"someone-else@x"}, want: ErrForbidden},
		{name: "unverified email", token: with(func(c *idClaims) { c.EmailVerified = ptr(false) }), allowed: []string{testEmail}, want: ErrForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := &Verifier{
				Issuers: []string{"https://unrelated", testIss}, Audience: testAud, AllowedEmails: tc.allowed,
				Keys: map[string]*rsa.PublicKey{a.KeyID(): a.PublicKey()},
			}
			if !tc.now.IsZero() {
				v.Now = func() time.Time { return tc.now }
			}
			c, err := v.Verify(context.Background(), tc.token)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if c.Email != testEmail || c.Subject != testEmail || !c.EmailVerified || c.Issuer != testIss || c.Audience != testAud {
					t.Errorf("claims %+v", c)
				}
				if tc.name == "valid" && (c.Expiry.Before(time.Now()) || c.IssuedAt.IsZero()) {
					t.Errorf("times %+v", c)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("Verify error %v, want %v", err, tc.want)
			}
			for _, other := range []error{ErrMissingToken, ErrInvalidToken, ErrForbidden, ErrKeysUnavailable} {
				if other != tc.want && errors.Is(err, other) {
					t.Errorf("error %v also matches %v", err, other)
				}
			}
		})
	}
}

func TestIDTokenArguments(t *testing.T) {
	a, _ := signers(t)
	if _, err := a.IDToken("", testEmail, time.Minute); err == nil {
		t.Error("empty audience accepted")
	}
	if _, err := a.IDToken(testAud, testEmail, 0); err == nil {
		t.Error("zero ttl accepted")
	}
	if _, err := NewSigner(""); err == nil {
		t.Error("empty issuer accepted")
	}
}

func TestVerifierNeedsConfiguration(t *testing.T) {
	a, _ := signers(t)
	tok, _ := a.IDToken(testAud, testEmail, time.Minute)
	for name, v := range map[string]*Verifier{
		"no issuers":  {Audience: testAud, Keys: map[string]*rsa.PublicKey{a.KeyID(): a.PublicKey()}},
		"no audience": {Issuers: []string{testIss}, Keys: map[string]*rsa.PublicKey{a.KeyID(): a.PublicKey()}},
	} {
		if _, err := v.Verify(context.Background(), tok); !errors.Is(err, ErrInvalidToken) {
			t.Errorf("%s: %v", name, err)
		}
	}
	v := &Verifier{Issuers: []string{testIss}, Audience: testAud}
	if _, err := v.Verify(context.Background(), tok); !errors.Is(err, ErrKeysUnavailable) {
		t.Errorf("no keys: %v", err)
	}
}

func TestJWKSDocument(t *testing.T) {
	a, _ := signers(t)
	var doc struct {
		Keys []map[string]string `json:"keys"`
	}
	if err := json.Unmarshal(a.JWKS(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Keys) != 1 {
		t.Fatalf("keys %v", doc.Keys)
	}
	k := doc.Keys[0]
	if k["kty"] != "RSA" || k["alg"] != "RS256" || k["use"] != "sig" || k["kid"] != a.KeyID() || k["e"] != "AQAB" || len(k["n"]) < 340 {
		t.Errorf("key %v", k)
	}
	keys, err := ParseJWKS(a.JWKS())
	if err != nil {
		t.Fatal(err)
	}
	if !keys[a.KeyID()].Equal(a.PublicKey()) {
		t.Error("parsed key differs")
	}

	rec := httptest.NewRecorder()
	a.JWKSHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/jwks", nil))
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json" || rec.Body.String() != string(a.JWKS()) {
		t.Errorf("handler: %d %q %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
}

// jwksServer serves the JWKS of whichever signer is current and counts fetches.
type jwksServer struct {
	*httptest.Server
	mu      sync.Mutex
	current *Signer
	fetches atomic.Int32
	fail    atomic.Bool
}

func newJWKSServer(t *testing.T, s *Signer) *jwksServer {
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

func (js *jwksServer) use(s *Signer) {
	js.mu.Lock()
	js.current = s
	js.mu.Unlock()
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

func TestJWKSFetchCacheAndRotation(t *testing.T) {
	a, b := signers(t)
	js := newJWKSServer(t, a)
	clock := &fakeClock{t: time.Now()}
	v := &Verifier{Issuers: []string{testIss}, Audience: testAud, JWKSURL: js.URL, Now: clock.Now}
	ctx := context.Background()
	tokA, _ := a.IDToken(testAud, testEmail, time.Hour)
	tokB, _ := b.IDToken(testAud, testEmail, time.Hour)

	steps := []struct {
		name        string
		do          func()
		token       string
		want        error
		wantFetches int32
	}{
		{name: "first use fetches", token: tokA, wantFetches: 1},
		{name: "cached", token: tokA, wantFetches: 1},
		{name: "still cached after 4 min", do: func() { clock.Advance(4 * time.Minute) }, token: tokA, wantFetches: 1},
		{name: "refetched after 5 min", do: func() { clock.Advance(90 * time.Second) }, token: tokA, wantFetches: 2},
		{name: "keys rotated: unknown kid refetches at most once a second",
			do: func() { js.use(b) }, token: tokB, want: ErrInvalidToken, wantFetches: 2},
		{name: "unknown kid refetches", do: func() { clock.Advance(2 * time.Second) }, token: tokB, wantFetches: 3},
		{name: "old key gone after rotation", do: func() { clock.Advance(6 * time.Minute) }, token: tokA, want: ErrInvalidToken, wantFetches: 4},
		{name: "endpoint down, key cached", do: func() { js.fail.Store(true) }, token: tokB, wantFetches: 4},
		{name: "endpoint down, cache stale: stale key still used", do: func() { clock.Advance(6 * time.Minute) }, token: tokB, wantFetches: 5},
	}
	for _, st := range steps {
		if st.do != nil {
			st.do()
		}
		_, err := v.Verify(ctx, st.token)
		if st.want == nil && err != nil || st.want != nil && !errors.Is(err, st.want) {
			t.Errorf("%s: error %v, want %v", st.name, err, st.want)
		}
		if n := js.fetches.Load(); n != st.wantFetches {
			t.Errorf("%s: %d fetches, want %d", st.name, n, st.wantFetches)
		}
	}

	// A fresh verifier whose endpoint is down cannot check anything.
	v2 := &Verifier{Issuers: []string{testIss}, Audience: testAud, JWKSURL: js.URL}
	if _, err := v2.Verify(ctx, tokB); !errors.Is(err, ErrKeysUnavailable) {
		t.Errorf("endpoint down, no cache: %v", err)
	}
}

func TestJWKSConcurrentFirstUse(t *testing.T) {
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

func TestMiddleware(t *testing.T) {
	a, _ := signers(t)
	js := newJWKSServer(t, a)
	v := &Verifier{Issuers: []string{testIss}, Audience: testAud, AllowedEmails: []string{testEmail}, JWKSURL: js.URL}
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := ClaimsFrom(r.Context())
		if !ok {
			t.Error("no claims in context")
			return
		}
		w.Write([]byte(c.Email))
	})
	srv := httptest.NewServer(v.Middleware(next))
	defer srv.Close()

	good, _ := a.IDToken(testAud, testEmail, time.Hour)
	stranger, _ := a.IDToken(testAud, "someone@example.com", time.Hour)
	wrongAud, _ := a.IDToken("https://other", testEmail, time.Hour)
	tests := []struct {
		name       string
		auth       string
		wantStatus int
		wantCode   string
	}{
		{"valid", "Bearer " + good, 200, ""},
		{"lower-case scheme", "bearer " + good, 200, ""},
		{"no header", "", 401, "unauthenticated"},
		{"basic auth", "Basic dXNlcjpwYXNz", 401, "unauthenticated"},
		{"empty bearer", "Bearer ", 401, "unauthenticated"},
		{"wrong audience", "Bearer " + wrongAud, 401, "unauthenticated"},
		{"garbage", "Bearer abc.def.ghi", 401, "unauthenticated"},
		{"email not allowed", "Bearer " + stranger, 403, "forbidden"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", srv.URL, strings.NewReader("{}"))
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.wantStatus)
			}
			if tc.wantStatus == 200 {
				return
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("content type %q", ct)
			}
			var body struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			if body.Error.Code != tc.wantCode || body.Error.Message == "" {
				t.Errorf("body %+v", body)
			}
			if tc.wantStatus == 401 && resp.Header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}

	js.fail.Store(true)
	down := &Verifier{Issuers: []string{testIss}, Audience: testAud, JWKSURL: js.URL}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/", nil)
	req.Header.Set("Authorization", "Bearer "+good)
	down.Middleware(next).ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("keys unavailable: status %d", rec.Code)
	}
}
