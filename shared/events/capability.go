package events

import (
	"context"
	"encoding/json"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/meta"
	"github.com/lembra-app/lembra/shared/store"
)

// capability applies a business_capability_update: the business portfolio's messaging
// limit (domain/messaginglimit.go). It is routed by the entry's WABA id to the tenant of
// that WABA (a tenant is one portfolio here). A value with no readable limit (only the
// phone-number caps) changes nothing.
func (s *Service) capability(ctx context.Context, e meta.WebhookEntry, raw json.RawMessage) error {
	var v meta.CapabilityValue
	if err := json.Unmarshal(raw, &v); err != nil {
		return &badChange{"valor ilegível: " + err.Error()}
	}
	tenantID, ok, err := s.route(ctx, "waba_id", e.ID, raw)
	if !ok || err != nil {
		return err
	}
	at := entryTime(e, s.Now().UTC())
	limit, ok := CapabilityLimit(v)
	applied := false
	if ok {
		err = s.Store.UpdateTenant(ctx, tenantID, func(t *domain.Tenant) error {
			if applied = t.WhatsApp.ApplyMessagingLimit(limit, at); !applied {
				return store.ErrNoChange // older than the limit recorded
			}
			return nil
		})
	}
	if err == nil {
		s.Log.InfoContext(ctx, "messaging limit reported", "tenant_id", tenantID, "limit", meta.ClipErrorText(v.Limit()), "applied", applied)
	}
	return err
}

// CapabilityLimit reads the messaging limit of a business_capability_update
// (domain.ParseMessagingLimit of meta.CapabilityValue.Limit).
func CapabilityLimit(v meta.CapabilityValue) (int, bool) {
	return domain.ParseMessagingLimit(v.Limit())
}
