package store

import (
	"context"
	"sync"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
)

// What the hot paths read on every request or webhook and that rarely changes is kept
// in memory for a short while, so a booking notice's lifecycle does not pay for it at
// every step (docs/firestore-ops.md):
//
//   - a tenant (CachedTenant: the booking API, dispatch) for TenantCacheTTL;
//   - an API key's record (CachedAPIKey: the booking API's authentication) for
//     APIKeyCacheTTL;
//   - the tenant of a WhatsApp phone number id (TenantForPhoneNumber: every webhook
//     change is routed by it) for PhoneNumberCacheTTL; only found entries are kept.
//
// Every change this process makes through the store forgets the entry at once
// (MergeTenant, UpdateTenant, UpdateSettings; RevokeAPIKey and RevokeAPIKeyAudited;
// TouchAPIKey keeps the entry with its new last use): in the instance that revokes a
// key, the key is refused from the next request on. Another instance (Cloud Run runs
// several of a function, and the dashboard's revocation runs in the api function's
// instance that served it) keeps what it read for at most the TTL: a revoked key may
// still be accepted there for up to APIKeyCacheTTL after its revocation, a tenant's
// change (a pause, a disconnection) reaches another instance's dispatch within
// TenantCacheTTL. Entries are keyed by document path (project, database and id), so
// stores on different clients of one process share them.
const (
	TenantCacheTTL      = 5 * time.Second
	APIKeyCacheTTL      = 10 * time.Second
	PhoneNumberCacheTTL = 30 * time.Second
)

// ttlCache keeps values by document path for a fixed time.
type ttlCache[V any] struct {
	ttl time.Duration
	max int // entries kept at most: past it, expired ones are dropped (all, if none is)
	mu  sync.Mutex
	m   map[string]cached[V]
}

type cached[V any] struct {
	v  V
	at time.Time
}

func newTTLCache[V any](ttl time.Duration, max int) *ttlCache[V] {
	return &ttlCache[V]{ttl: ttl, max: max, m: map[string]cached[V]{}}
}

// maxCacheEntries bounds the caches of tenants, API keys and numbers.
const maxCacheEntries = 10000

func (c *ttlCache[V]) get(key string, now time.Time) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok || !Fresh(e.at, now, c.ttl) {
		var zero V
		return zero, false
	}
	return e.v, true
}

func (c *ttlCache[V]) put(key string, v V, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		for k, e := range c.m {
			if !Fresh(e.at, now, c.ttl) {
				delete(c.m, k)
			}
		}
		if len(c.m) >= c.max {
			clear(c.m) // all fresh: the next reads fill it again
		}
	}
	c.m[key] = cached[V]{v: v, at: now}
}

// update changes a kept entry in place (keeping its time); none kept: nothing.
func (c *ttlCache[V]) update(key string, fn func(V) V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[key]; ok {
		e.v = fn(e.v)
		c.m[key] = e
	}
}

func (c *ttlCache[V]) forget(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, key)
}

// Fresh reports whether a value read at readAt may still be used at now, kept for ttl:
// younger than ttl, and not read in the future (a clock stepped back re-reads).
func Fresh(readAt, now time.Time, ttl time.Duration) bool {
	age := now.Sub(readAt)
	return age >= 0 && age < ttl
}

var (
	tenantCache      = newTTLCache[domain.Tenant](TenantCacheTTL, maxCacheEntries)
	apiKeyCache      = newTTLCache[APIKey](APIKeyCacheTTL, maxCacheEntries)
	phoneNumberCache = newTTLCache[string](PhoneNumberCacheTTL, maxCacheEntries)
)

// CachedTenant is GetTenant through the cache: at most one read per TenantCacheTTL per
// tenant and process. For the hot paths that only read the tenant (the booking API,
// dispatch); whatever reads a tenant to change it reads it in its transaction. The
// tenant returned is a copy; its slices and maps are shared and must not be changed.
func (s *Store) CachedTenant(ctx context.Context, id string) (*domain.Tenant, error) {
	key := s.tenant(id).Path
	if t, ok := tenantCache.get(key, time.Now()); ok {
		return &t, nil
	}
	t, err := s.GetTenant(ctx, id)
	if err != nil {
		return nil, err
	}
	tenantCache.put(key, *t, time.Now())
	return t, nil
}

// forgetTenant drops a tenant from the cache, after this process changed it.
func (s *Store) forgetTenant(id string) { tenantCache.forget(s.tenant(id).Path) }

// CachedAPIKey is GetAPIKey through the cache: at most one read per APIKeyCacheTTL per
// key and process (revocation: see the package's cache notes above).
func (s *Store) CachedAPIKey(ctx context.Context, id string) (*APIKey, error) {
	key := s.fs.Collection(colAPIKeys).Doc(id).Path
	if k, ok := apiKeyCache.get(key, time.Now()); ok {
		return &k, nil
	}
	k, err := s.GetAPIKey(ctx, id)
	if err != nil {
		return nil, err
	}
	apiKeyCache.put(key, *k, time.Now())
	return k, nil
}

func (s *Store) forgetAPIKey(id string) { apiKeyCache.forget(s.fs.Collection(colAPIKeys).Doc(id).Path) }

// touchedAPIKey records in the cache a key's new last use (and the update time its
// next touch is conditional on).
func (s *Store) touchedAPIKey(id string, usedAt, updated time.Time) {
	apiKeyCache.update(s.fs.Collection(colAPIKeys).Doc(id).Path, func(k APIKey) APIKey {
		k.LastUsedAt, k.updated = usedAt, updated
		return k
	})
}

// cachedIndexLookup is indexLookup through the phone number cache (found entries only).
func (s *Store) cachedIndexLookup(ctx context.Context, col, id string) (string, error) {
	if id == "" {
		return "", domain.ErrNotFound
	}
	key := s.fs.Collection(col).Doc(id).Path
	if t, ok := phoneNumberCache.get(key, time.Now()); ok {
		return t, nil
	}
	t, err := s.indexLookup(ctx, col, id)
	if err != nil {
		return "", err // not found is not kept: a number just added is found at once
	}
	phoneNumberCache.put(key, t, time.Now())
	return t, nil
}

// forgetIndex drops an index entry from the cache, after this process changed it.
func (s *Store) forgetIndex(col, id string) {
	if id != "" {
		phoneNumberCache.forget(s.fs.Collection(col).Doc(id).Path)
	}
}
