package tenants

import (
	"context"
	"fmt"
	"time"

	"github.com/lembra-app/lembra/shared/store"
)

// The owner's API keys in the dashboard: created (the key shown once, only its hash
// kept) and revoked, each with an entry in the settings history that names the key by
// id and label, never the key.

// KeyAuditText names a key in the settings history: "label (id)".
func KeyAuditText(id, label string) string { return fmt.Sprintf("%s (%s)", label, id) }

// CreateAPIKeyAudited makes a new key for a tenant with its label (CheckKeyLabel) and
// records who created it; it returns the key, which is never readable again, and its
// record.
func CreateAPIKeyAudited(ctx context.Context, st *store.Store, tenantID, label, by string, now time.Time) (string, store.APIKey, error) {
	label, err := CheckKeyLabel(label)
	if err != nil {
		return "", store.APIKey{}, err
	}
	key, id, err := GenerateAPIKey()
	if err != nil {
		return "", store.APIKey{}, err
	}
	rec := store.APIKey{ID: id, TenantID: tenantID, Hash: HashAPIKey(key), Label: label, CreatedAt: now.UTC()}
	entry := store.SettingsAudit{At: now, By: by, Field: "api_key", Old: "", New: "criada: " + KeyAuditText(id, label)}
	if err := st.CreateAPIKeyAudited(ctx, rec, entry); err != nil {
		return "", store.APIKey{}, err
	}
	return key, rec, nil
}

// RevokeAPIKeyAudited revokes a tenant's key (the booking API refuses it from the next
// request) and records who did; revoking it again changes nothing.
func RevokeAPIKeyAudited(ctx context.Context, st *store.Store, tenantID, id, by string, now time.Time) (*store.APIKey, error) {
	rec, _, err := st.RevokeAPIKeyAudited(ctx, tenantID, id, now, func(k *store.APIKey) store.SettingsAudit {
		return store.SettingsAudit{At: now, By: by, Field: "api_key", Old: "ativa: " + KeyAuditText(k.ID, k.Label), New: "revogada: " + KeyAuditText(k.ID, k.Label)}
	})
	return rec, err
}
