package events

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/store"
)

func entryTime(e entry, now time.Time) time.Time {
	if e.Time > 0 {
		return time.Unix(e.Time, 0).UTC()
	}
	return now
}

func (s *Service) templateStatus(ctx context.Context, tenantID string, e entry, v templateStatusValue) error {
	if v.Name == "" || v.Event == "" {
		return &badChange{"message_template_status_update sem nome ou evento"}
	}
	at := entryTime(e, s.Now().UTC())
	reason := ""
	if v.Reason != nil {
		reason = *v.Reason
	}
	err := s.Store.UpdateTenant(ctx, tenantID, func(t *domain.Tenant) error {
		key := domain.TemplateKey(v.Name, v.Language)
		if old, ok := t.TemplateStatuses[key]; ok && old.UpdatedAt.After(at) {
			return store.ErrNoChange // an older event delivered late
		}
		if t.TemplateStatuses == nil {
			t.TemplateStatuses = map[string]domain.TemplateStatus{}
		}
		t.TemplateStatuses[key] = domain.TemplateStatus{Name: v.Name, Language: v.Language, Status: v.Event, Reason: reason, UpdatedAt: at}
		return nil
	})
	if err == nil {
		s.Log.InfoContext(ctx, "template status updated", "tenant_id", tenantID, "template", v.Name, "language", v.Language, "status", v.Event)
	}
	return err
}

// connectionStatus maps account events to the tenant's connection status ("" keeps it).
var connectionStatus = map[string]string{
	"PARTNER_REMOVED": "disconnected", "PARTNER_APP_UNINSTALLED": "disconnected", "ACCOUNT_DELETED": "disconnected",
	"DISABLED_UPDATE": "restricted", "ACCOUNT_VIOLATION": "restricted",
	"PARTNER_ADDED": "connected", "PARTNER_APP_INSTALLED": "connected", "ACCOUNT_RECONNECTED": "connected",
}

func (s *Service) account(ctx context.Context, tenantID string, e entry, field string, v accountValue) error {
	at := entryTime(e, s.Now().UTC())
	err := s.Store.UpdateTenant(ctx, tenantID, func(t *domain.Tenant) error {
		if t.WhatsApp.LastEventAt.After(at) {
			return store.ErrNoChange
		}
		t.WhatsApp.LastEvent, t.WhatsApp.LastEventAt = v.Event, at
		var info []string
		for _, raw := range []json.RawMessage{v.DisconnectionInfo, v.BanInfo, v.ViolationInfo} {
			if len(raw) > 0 && string(raw) != "null" {
				info = append(info, string(raw))
			}
		}
		t.WhatsApp.LastEventInfo = strings.Join(info, " ")
		if field == "phone_number_quality_update" {
			if tier := v.MaxDailyConversationsPerBusiness; tier != "" {
				t.WhatsApp.MessagingTier = tier
			} else if v.CurrentLimit != "" {
				t.WhatsApp.MessagingTier = v.CurrentLimit
			}
		}
		if st := connectionStatus[v.Event]; st != "" {
			t.WhatsApp.Status = st
		}
		return nil
	})
	if err == nil {
		s.Log.InfoContext(ctx, "account event recorded", "tenant_id", tenantID, "field", field, "event", v.Event)
	}
	return err
}
