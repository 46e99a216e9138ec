package tenants

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/store"
)

// demoKey has the shape of the local stack's demo key.
const demoKey = "lembra_0000000000000001_studiojanademokeyforthelocalstackonlyneverproduction"

func TestParseAPIKey(t *testing.T) {
	secret := strings.Repeat("a2", 26)
	tests := []struct {
		name, key, wantID string
	}{
		{"demo key", demoKey, "0000000000000001"},
		{"hex id, base32 secret", "lembra_0123456789abcdef_" + secret, "0123456789abcdef"},
		{"empty", "", ""},
		{"the old demo key", "lembra_demo_key_studio_jana", ""},
		{"the old random format (base64url)", "lembra_" + strings.Repeat("A-_b", 10) + "xyz", ""},
		{"wrong prefix", "lembrX_0123456789abcdef_" + secret, ""},
		{"uppercase id", "lembra_0123456789ABCDEF_" + secret, ""},
		{"non-hex id", "lembra_0123456789abcdeg_" + secret, ""},
		{"uppercase secret", "lembra_0123456789abcdef_" + strings.ToUpper(secret), ""},
		{"8 and 9 are not base32", "lembra_0123456789abcdef_" + secret[:51] + "8", ""},
		{"separator missing", "lembra_0123456789abcdefX" + secret, ""},
		{"one character short", "lembra_0123456789abcdef_" + secret[:51], ""},
		{"one character long", "lembra_0123456789abcdef_" + secret + "a", ""},
		{"trailing space", "lembra_0123456789abcdef_" + secret[:51] + " ", ""},
		{"multibyte character", "lembra_0123456789abcdef_" + secret[:50] + "é", ""},
		{"path in the id", "lembra_../../tenants/x_" + secret + "a", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id, ok := ParseAPIKey(tc.key)
			if ok != (tc.wantID != "") || id != tc.wantID {
				t.Errorf("ParseAPIKey(%q) = %q, %v; want %q", tc.key, id, ok, tc.wantID)
			}
		})
	}
}

func TestGenerateAPIKeyIsInTheFormat(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		key, id, err := GenerateAPIKey()
		if err != nil {
			t.Fatal(err)
		}
		got, ok := ParseAPIKey(key)
		if !ok || got != id || len(key) != APIKeyLen {
			t.Fatalf("generated key %q (id %q) does not parse: %q %v", key, id, got, ok)
		}
		if seen[key] {
			t.Fatalf("key %q generated twice", key)
		}
		seen[key] = true
	}
}

func TestCheckAPIKey(t *testing.T) {
	good := &store.APIKey{ID: "0000000000000001", TenantID: "studio-jana", Hash: HashAPIKey(demoKey)}
	other := "lembra_0000000000000001_" + strings.Repeat("b", 52)
	tests := []struct {
		name string
		rec  *store.APIKey
		key  string
		want error
	}{
		{"matching hash", good, demoKey, nil},
		{"same id, other secret", good, other, ErrKeyUnknown},
		{"revoked", &store.APIKey{ID: good.ID, TenantID: good.TenantID, Hash: good.Hash, RevokedAt: time.Unix(1, 0)}, demoKey, ErrKeyRevoked},
		{"no record", nil, demoKey, ErrKeyUnknown},
		{"old-format record without hash", &store.APIKey{ID: good.ID, TenantID: good.TenantID}, demoKey, ErrKeyUnknown},
		{"record without tenant", &store.APIKey{ID: good.ID, Hash: good.Hash}, demoKey, ErrKeyUnknown},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := CheckAPIKey(tc.rec, tc.key); !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Errorf("CheckAPIKey = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestLastUsedDue(t *testing.T) {
	now := time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		lastUsed time.Time
		want     bool
	}{
		{"never used", time.Time{}, true},
		{"used a second ago", now.Add(-time.Second), false},
		{"used 59 s ago", now.Add(-59 * time.Second), false},
		{"used a minute ago", now.Add(-time.Minute), true},
		{"used yesterday", now.Add(-24 * time.Hour), true},
		{"another instance's clock a little ahead", now.Add(10 * time.Second), false},
		{"stored time far in the future (clock skew)", now.Add(time.Hour), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := LastUsedDue(tc.lastUsed, now); got != tc.want {
				t.Errorf("LastUsedDue(%v) = %v, want %v", tc.lastUsed, got, tc.want)
			}
		})
	}
}
