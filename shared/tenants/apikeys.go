package tenants

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/store"
)

// API key format: "lembra_" + key id + "_" + secret, 76 characters in all.
//
//   - key id: 16 lowercase hex digits (8 random bytes). Not secret: it names the key in
//     Firestore (api_keys/{id}), in `scripts/tenant -list-keys` and `-revoke-key`.
//   - secret: 52 characters of lowercase RFC 4648 base32 without padding (a-z, 2-7),
//     32 random bytes (256 bits).
//
// Only the SHA-256 of the whole key is stored. A presented key that does not have this
// exact shape is refused before anything is read, so garbage costs no Firestore read.
const (
	APIKeyPrefix    = "lembra_"
	apiKeyIDLen     = 16
	apiKeySecretLen = 52
	// APIKeyLen is the length of every valid key.
	APIKeyLen = len(APIKeyPrefix) + apiKeyIDLen + 1 + apiKeySecretLen
)

var keyEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// ParseAPIKey checks a presented key's format and returns its key id. It reads nothing.
func ParseAPIKey(key string) (id string, ok bool) {
	if len(key) != APIKeyLen || !strings.HasPrefix(key, APIKeyPrefix) {
		return "", false
	}
	rest := key[len(APIKeyPrefix):]
	id, sep, secret := rest[:apiKeyIDLen], rest[apiKeyIDLen], rest[apiKeyIDLen+1:]
	if sep != '_' {
		return "", false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return "", false
		}
	}
	for i := 0; i < len(secret); i++ {
		if c := secret[i]; !('a' <= c && c <= 'z' || '2' <= c && c <= '7') {
			return "", false
		}
	}
	return id, true
}

// HashAPIKey is how API keys are stored: the hex SHA-256 of the whole key.
func HashAPIKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// GenerateAPIKey returns a new random key in the documented format and its id.
func GenerateAPIKey() (key, id string, err error) {
	b := make([]byte, 8+32)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	id = hex.EncodeToString(b[:8])
	key = APIKeyPrefix + id + "_" + strings.ToLower(keyEncoding.EncodeToString(b[8:]))
	return key, id, nil
}

// Why a presented key in the right format is refused.
var (
	ErrKeyUnknown = errors.New("api key not recognised")
	ErrKeyRevoked = errors.New("api key revoked")
)

// CheckAPIKey decides whether a stored record accepts the presented key: its hash must
// match (compared in constant time) and it must not be revoked.
func CheckAPIKey(rec *store.APIKey, key string) error {
	if rec == nil || rec.Hash == "" || rec.TenantID == "" {
		return ErrKeyUnknown
	}
	if subtle.ConstantTimeCompare([]byte(rec.Hash), []byte(HashAPIKey(key))) != 1 {
		return ErrKeyUnknown
	}
	if !rec.RevokedAt.IsZero() {
		return ErrKeyRevoked
	}
	return nil
}

// LastUsedInterval bounds how often a key's last_used_at is written: at most once per
// interval per key (plus, rarely, concurrent requests racing at the boundary, of which
// only one write lands). A booking system sending hundreds of requests a minute costs
// one write a minute, and last_used_at is accurate to a minute, which is all an
// operator deciding whether a key is still in use needs.
const LastUsedInterval = time.Minute

// LastUsedDue reports whether a request at now should record itself as the key's last use.
func LastUsedDue(lastUsed, now time.Time) bool {
	return lastUsed.IsZero() || now.Sub(lastUsed) >= LastUsedInterval || now.Before(lastUsed.Add(-LastUsedInterval))
}

// NewAPIKey creates an API key for a tenant and returns it (shown once) with its
// record; only its hash is kept.
func NewAPIKey(ctx context.Context, st *store.Store, tenantID, label string, now time.Time) (string, error) {
	key, _, err := GenerateAPIKey()
	if err != nil {
		return "", err
	}
	if err := PutAPIKey(ctx, st, tenantID, key, label, now); err != nil {
		return "", err
	}
	return key, nil
}

// PutAPIKey registers a given key (the local stack's fixed demo key); it must be in
// the documented format.
func PutAPIKey(ctx context.Context, st *store.Store, tenantID, key, label string, now time.Time) error {
	id, ok := ParseAPIKey(key)
	if !ok {
		return fmt.Errorf("%w: api key is not in the format %s<16 hex digits>_<52 of a-z2-7>", domain.ErrInvalid, APIKeyPrefix)
	}
	return st.PutAPIKey(ctx, store.APIKey{
		ID: id, TenantID: tenantID, Hash: HashAPIKey(key), Label: label, CreatedAt: now.UTC(),
	})
}

// ErrKeyFormat: the presented key is not in the documented format.
var ErrKeyFormat = errors.New("api key is not in the format " + APIKeyPrefix + "<key id>_<secret>")

// Authenticate finds the tenant a presented key belongs to. A key in the wrong format
// is refused (ErrKeyFormat) without any read; otherwise it costs one document read
// (none while the key's record is cached: store.APIKeyCacheTTL; a key revoked in this
// process is refused at once, in another within that time), and at most once per
// LastUsedInterval a write of last_used_at (a failed write is
// returned in touchErr and does not refuse the key). Refusals are ErrKeyFormat,
// ErrKeyUnknown or ErrKeyRevoked; any other error is the store's.
func Authenticate(ctx context.Context, st *store.Store, key string, now time.Time) (rec *store.APIKey, touchErr, err error) {
	id, ok := ParseAPIKey(key)
	if !ok {
		return nil, nil, ErrKeyFormat
	}
	rec, err = st.CachedAPIKey(ctx, id)
	if errors.Is(err, domain.ErrNotFound) {
		return nil, nil, ErrKeyUnknown
	}
	if err != nil {
		return nil, nil, err
	}
	if err := CheckAPIKey(rec, key); err != nil {
		return nil, nil, err
	}
	if LastUsedDue(rec.LastUsedAt, now) {
		touchErr = st.TouchAPIKey(ctx, rec, now)
	}
	return rec, touchErr, nil
}
