package events

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/logging"
	"github.com/lembra-app/lembra/shared/meta"
	"github.com/lembra-app/lembra/shared/store"
)

func (s *Service) account(ctx context.Context, tenantID string, e meta.WebhookEntry, field string, v meta.AccountValue) error {
	at := entryTime(e, s.Now().UTC())
	changed := false
	var block domain.AccountBlock
	blocked := false
	capPerSecond := 0
	err := s.Store.UpdateTenant(ctx, tenantID, func(t *domain.Tenant) error {
		changed = applyAccount(&t.WhatsApp, field, v, at)
		capPerSecond = t.WhatsApp.Cap()
		if !changed {
			return store.ErrNoChange // older than what is recorded for the same fact
		}
		block, blocked = t.WhatsApp.SendBlock(domain.DeliveryTemplate, s.Now().UTC())
		return nil
	})
	if err == nil {
		s.Log.InfoContext(ctx, "account event recorded", "tenant_id", tenantID, "field", field, "event", v.Event, "applied", changed)
		if changed && blocked {
			// The operator's signal (terraform/monitoring.tf): this number sends nothing
			// until it is connected or reinstated again.
			s.Log.ErrorContext(ctx, logging.MsgAccountCannotSend, "tenant_id", tenantID, "event", v.Event, "block", block.Code)
		}
	}
	if err == nil && field == "phone_number_quality_update" && v.Event == domain.EventThroughputUpgrade && s.Pacer != nil {
		// The tenant's queues at the new cap, also on a redelivery (when the event is
		// already applied), so a failed re-pace is tried again.
		if err := s.Pacer.Pace(ctx, tenantID, capPerSecond); err != nil {
			return err
		}
		s.Log.InfoContext(ctx, "send queues paced", "tenant_id", tenantID, "cap_per_second", capPerSecond)
	}
	return err
}

// applyAccount applies an account_update or a phone_number_quality_update at its time
// to the tenant's WhatsApp account by the domain's rules (domain.WhatsApp.ApplyAccountEvent,
// ApplyQualityUpdate); it reports whether w changed. A quality update's messaging tier
// is max_daily_conversations_per_business, or current_limit where Meta sends that.
func applyAccount(w *domain.WhatsApp, field string, v meta.AccountValue, at time.Time) bool {
	if field == "phone_number_quality_update" {
		return w.ApplyQualityUpdate(v.Event, at, v.Tier())
	}
	return w.ApplyAccountEvent(accountEvent(v, at))
}

// accountEvent reads an account_update into the domain's terms. What Meta said with
// it is kept as Info (clipped by the domain).
func accountEvent(v meta.AccountValue, at time.Time) domain.AccountEvent {
	ev := domain.AccountEvent{Event: v.Event, At: at}
	var info []string
	for _, part := range []struct {
		name string
		raw  json.RawMessage
	}{{"disconnection_info", v.DisconnectionInfo}, {"ban_info", v.BanInfo}, {"restriction_info", v.RestrictionInfo}, {"violation_info", v.ViolationInfo}} {
		if len(part.raw) > 0 && string(part.raw) != "null" {
			info = append(info, part.name+"="+compactJSON(part.raw))
		}
	}
	ev.Info = domain.ClipText(strings.Join(info, " "), domain.MaxStoredText)

	var ban struct {
		State string `json:"waba_ban_state"`
		Date  string `json:"waba_ban_date"`
	}
	if json.Unmarshal(v.BanInfo, &ban) == nil && ban.State != "" {
		ev.Ban = &domain.AccountBan{State: ban.State, Date: ban.Date}
	}
	var disc struct {
		Reason      string `json:"reason"`
		InitiatedBy string `json:"initiated_by"`
	}
	if json.Unmarshal(v.DisconnectionInfo, &disc) == nil && (disc.Reason != "" || disc.InitiatedBy != "") {
		ev.Disconnection = &domain.AccountDisconnection{Reason: disc.Reason, InitiatedBy: disc.InitiatedBy}
	}
	var viol struct {
		Type string `json:"violation_type"`
	}
	if json.Unmarshal(v.ViolationInfo, &viol) == nil {
		ev.Violation = viol.Type
	}
	ev.Restrictions = restrictions(v.RestrictionInfo)
	return ev
}

type restrictionValue struct {
	Type       string `json:"restriction_type"`
	Expiration string `json:"expiration"`
}

// restrictions reads restriction_info, a list or a single object.
func restrictions(raw json.RawMessage) []domain.AccountRestriction {
	var list []restrictionValue
	if json.Unmarshal(raw, &list) != nil {
		var one restrictionValue
		if json.Unmarshal(raw, &one) != nil || one.Type == "" {
			return nil
		}
		list = []restrictionValue{one}
	}
	var out []domain.AccountRestriction
	for _, r := range list {
		if r.Type == "" {
			continue
		}
		out = append(out, domain.AccountRestriction{Type: r.Type, Expiration: parseExpiration(r.Expiration), ExpirationText: r.Expiration})
	}
	return out
}

// parseExpiration reads Meta's restriction expiry ("2026-04-19T13:59:20+0000", or
// RFC 3339); an unreadable one is zero (the restriction holds until lifted).
func parseExpiration(s string) time.Time {
	for _, layout := range []string{"2006-01-02T15:04:05-0700", time.RFC3339, "2006-01-02T15:04:05.000-0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

func compactJSON(raw json.RawMessage) string {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return string(raw)
	}
	return b.String()
}
