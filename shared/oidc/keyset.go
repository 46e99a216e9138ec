package oidc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
)

// Defaults of KeySet.
const (
	// DefaultRefreshAfter: keys fetched longer ago than this are fetched again before
	// the next check, so a key the issuer has withdrawn stops verifying within the hour.
	DefaultRefreshAfter = time.Hour
	// DefaultMaxKeyAge is the cap: while the key endpoint is down, keys from the last
	// successful fetch keep verifying tokens for at most this long after that fetch;
	// then every check fails with ErrKeysUnavailable (503, so Cloud Tasks retries and
	// the scheduler's next tick comes) until the endpoint answers again. Long enough to
	// ride out an outage of the endpoint, short enough that a withdrawn (for example
	// leaked) key is not trusted for days.
	DefaultMaxKeyAge = 6 * time.Hour
	// DefaultRetryAfterFailure: after a failed fetch, no new attempt for this long, so
	// an outage of the endpoint does not make every request wait for a timeout.
	DefaultRetryAfterFailure = 30 * time.Second

	maxJWKSSize = 1 << 20
)

var defaultClient = &http.Client{Timeout: 10 * time.Second}

// KeySet is a go-oidc KeySet over a JWKS URL that bounds how long fetched keys are
// trusted. go-oidc's RemoteKeySet, which it wraps, caches keys until a token names a
// key it does not have, with no limit in time: a key the issuer withdrew keeps
// verifying tokens as long as the process lives, and while the endpoint is down it
// cannot tell. KeySet instead
//
//   - fetches the keys again (a fresh RemoteKeySet) once the last successful fetch is
//     RefreshAfter old;
//   - if that fetch fails, keeps using the keys it has until they are MaxKeyAge old
//     (counted from the last successful fetch), trying again at most every
//     RetryAfterFailure; after MaxKeyAge, or with no keys at all, it refuses with
//     ErrKeysUnavailable.
//
// A token naming an unknown key makes go-oidc fetch again at once (key rotation). The
// zero durations mean the defaults. Set the fields before first use.
type KeySet struct {
	URL                                        string
	HTTPClient                                 *http.Client
	Now                                        func() time.Time
	RefreshAfter, MaxKeyAge, RetryAfterFailure time.Duration

	refreshMu sync.Mutex // one refresh at a time
	mu        sync.Mutex // guards cur and failedAt
	cur       *fetchedSet
	failedAt  time.Time // last failed refresh
}

// fetchedSet is one go-oidc RemoteKeySet with the times of its fetches.
type fetchedSet struct {
	remote   *gooidc.RemoteKeySet
	okAt     atomic.Int64 // unix nanoseconds of its last successful fetch; 0: none
	failures atomic.Int64 // failed fetches so far
}

func (f *fetchedSet) fetchedOK() (time.Time, bool) {
	n := f.okAt.Load()
	return time.Unix(0, n), n != 0
}

// keyCall reports, for one Verify call, that the keys were unavailable (go-oidc turns
// the key set's error into text, so errors.Is would not see it).
type keyCall struct{ unavailable error }
type keyCallKey struct{}

func (ks *KeySet) now() time.Time {
	if ks.Now != nil {
		return ks.Now()
	}
	return time.Now()
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// newSet makes a RemoteKeySet whose HTTP client records each fetch's outcome.
func (ks *KeySet) newSet() *fetchedSet {
	base := ks.HTTPClient
	if base == nil {
		base = defaultClient
	}
	f := &fetchedSet{}
	client := *base
	rt := client.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	client.Transport = &recorder{base: rt, set: f, now: ks.now}
	f.remote = gooidc.NewRemoteKeySet(gooidc.ClientContext(context.Background(), &client), ks.URL)
	return f
}

func (ks *KeySet) unavailable(ctx context.Context, format string, args ...any) error {
	err := fmt.Errorf("%w: %s", ErrKeysUnavailable, fmt.Sprintf(format, args...))
	if c, ok := ctx.Value(keyCallKey{}).(*keyCall); ok {
		c.unavailable = err
	}
	return err
}

// VerifySignature implements go-oidc's KeySet.
func (ks *KeySet) VerifySignature(ctx context.Context, jwt string) ([]byte, error) {
	refresh := orDefault(ks.RefreshAfter, DefaultRefreshAfter)
	maxAge := orDefault(ks.MaxKeyAge, DefaultMaxKeyAge)
	retry := orDefault(ks.RetryAfterFailure, DefaultRetryAfterFailure)

	cur := ks.current()
	if stale(cur, ks.now(), refresh) {
		ks.refreshMu.Lock()
		cur = ks.current() // another call may have refreshed while this one waited
		ks.mu.Lock()
		failedAt := ks.failedAt
		ks.mu.Unlock()
		if now := ks.now(); stale(cur, now, refresh) && now.Sub(failedAt) >= retry {
			next := ks.newSet()
			payload, err := next.remote.VerifySignature(ctx, jwt)
			if _, ok := next.fetchedOK(); ok {
				ks.mu.Lock()
				ks.cur, ks.failedAt = next, time.Time{}
				ks.mu.Unlock()
				ks.refreshMu.Unlock()
				return payload, err // err, if any, is about the token
			}
			ks.mu.Lock()
			ks.failedAt = ks.now()
			ks.mu.Unlock()
		}
		ks.refreshMu.Unlock()
	}

	if cur == nil {
		return nil, ks.unavailable(ctx, "no keys fetched yet from %s", ks.URL)
	}
	okAt, _ := cur.fetchedOK()
	if age := ks.now().Sub(okAt); age >= maxAge {
		return nil, ks.unavailable(ctx, "keys last fetched from %s %s ago, over the %s cap", ks.URL, age.Round(time.Second), maxAge)
	}
	failures := cur.failures.Load()
	payload, err := cur.remote.VerifySignature(ctx, jwt)
	if err != nil && cur.failures.Load() > failures {
		// The token names a key not cached, and fetching the set again failed.
		return nil, ks.unavailable(ctx, "refetching keys from %s failed: %v", ks.URL, err)
	}
	return payload, err
}

func (ks *KeySet) current() *fetchedSet {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	return ks.cur
}

func stale(f *fetchedSet, now time.Time, refresh time.Duration) bool {
	if f == nil {
		return true
	}
	okAt, _ := f.fetchedOK()
	return now.Sub(okAt) >= refresh
}

// recorder passes key fetches through and records on its set whether each one
// succeeded: HTTP 200 with a JSON document holding at least one key.
type recorder struct {
	base http.RoundTripper
	set  *fetchedSet
	now  func() time.Time
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.base.RoundTrip(req)
	if err != nil {
		r.set.failures.Add(1)
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		r.set.failures.Add(1)
		return resp, nil
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSSize+1))
	resp.Body.Close()
	if err == nil && len(body) > maxJWKSSize {
		err = errors.New("JWKS document over 1 MiB")
	}
	if err == nil {
		var doc struct {
			Keys []json.RawMessage `json:"keys"`
		}
		if jerr := json.Unmarshal(body, &doc); jerr != nil || len(doc.Keys) == 0 {
			err = errors.New("not a JWKS document with keys")
		}
	}
	if err != nil {
		r.set.failures.Add(1)
		return nil, fmt.Errorf("GET %s: %w", req.URL.Redacted(), err)
	}
	r.set.okAt.Store(r.now().UnixNano())
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}
