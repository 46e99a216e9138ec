// Package tenants onboards a business: its tenant document, its Meta access token in
// Secret Manager, and an API key for its booking system (stored only as a hash).
package tenants

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/store"
)

// SecretWriter stores a secret value (secrets.SecretManager does).
type SecretWriter interface {
	Put(ctx context.Context, id string, value []byte) error
}

// Spec describes a tenant to create or update.
type Spec struct {
	Tenant      domain.Tenant
	AccessToken string // the tenant's Meta token; stored in Secret Manager, never in Firestore
}

// TokenSecretID names the secret holding a tenant's Meta access token.
func TokenSecretID(tenantID string) string { return "meta-token-" + tenantID }

// Save validates and stores a tenant; a non-empty AccessToken becomes the newest
// version of its token secret.
func Save(ctx context.Context, st *store.Store, sw SecretWriter, spec Spec, now time.Time) (*domain.Tenant, error) {
	t := spec.Tenant
	if t.Mode == "" {
		t.Mode = domain.ModeDisabled
	}
	if t.TimeZone == "" {
		t.TimeZone = domain.DefaultTimeZone
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = now.UTC()
	}
	if tok := strings.TrimSpace(spec.AccessToken); tok != "" {
		t.WhatsApp.AccessTokenSecret = TokenSecretID(t.ID)
		if err := sw.Put(ctx, t.WhatsApp.AccessTokenSecret, []byte(tok)); err != nil {
			return nil, fmt.Errorf("store token of tenant %s: %w", t.ID, err)
		}
	}
	if t.WhatsApp.Status == "" && t.WhatsApp.PhoneNumberID != "" {
		t.WhatsApp.Status = "connected"
	}
	if err := st.PutTenant(ctx, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// HashAPIKey is how API keys are stored and looked up.
func HashAPIKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// NewAPIKey creates an API key for a tenant and returns it; only its hash is kept.
func NewAPIKey(ctx context.Context, st *store.Store, tenantID, label string, now time.Time) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	key := "lembra_" + base64.RawURLEncoding.EncodeToString(b)
	if err := st.PutAPIKey(ctx, tenantID, HashAPIKey(key), label, now); err != nil {
		return "", err
	}
	return key, nil
}

// PutAPIKey registers a given key (the local stack's fixed demo key).
func PutAPIKey(ctx context.Context, st *store.Store, tenantID, key, label string, now time.Time) error {
	return st.PutAPIKey(ctx, tenantID, HashAPIKey(key), label, now)
}
