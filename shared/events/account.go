package events

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
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
		if !t.ApplyTemplateStatus(v.Name, v.Language, v.Event, reason, v.Category, at) {
			return store.ErrNoChange // an older event delivered late, or a template we keep no record of
		}
		return nil
	})
	if err == nil {
		s.Log.InfoContext(ctx, "template status updated", "tenant_id", tenantID, "template", v.Name, "language", v.Language, "status", v.Event)
	}
	return err
}

// templateQuality records a template's quality score; the review status is left alone.
func (s *Service) templateQuality(ctx context.Context, tenantID string, e entry, v templateQualityValue) error {
	if v.Name == "" || v.New == "" {
		return &badChange{"message_template_quality_update sem nome ou nova qualidade"}
	}
	at := entryTime(e, s.Now().UTC())
	err := s.Store.UpdateTenant(ctx, tenantID, func(t *domain.Tenant) error {
		if !t.ApplyTemplateQuality(v.Name, v.Language, v.Previous, v.New, at) {
			return store.ErrNoChange
		}
		return nil
	})
	if err == nil {
		s.Log.InfoContext(ctx, "template quality updated", "tenant_id", tenantID, "template", v.Name, "language", v.Language, "quality", v.New)
	}
	return err
}

// templateCategory records a template's category change (done or announced); the
// review status is left alone.
func (s *Service) templateCategory(ctx context.Context, tenantID string, e entry, v templateCategoryValue) error {
	if v.Name == "" || (v.New == "" && v.Correct == "") {
		return &badChange{"template_category_update sem nome ou categoria"}
	}
	at := entryTime(e, s.Now().UTC())
	c := domain.CategoryUpdate{Previous: v.Previous, New: v.New, Correct: v.Correct}
	if n, ok := flexUnix(v.UpdateTimestamp); ok {
		c.When = time.Unix(n, 0).UTC()
	}
	err := s.Store.UpdateTenant(ctx, tenantID, func(t *domain.Tenant) error {
		if !t.ApplyTemplateCategory(v.Name, v.Language, c, at) {
			return store.ErrNoChange
		}
		return nil
	})
	if err == nil {
		s.Log.InfoContext(ctx, "template category updated", "tenant_id", tenantID, "template", v.Name, "language", v.Language,
			"category", v.New, "announced", v.Correct)
	}
	return err
}

// flexUnix reads Unix seconds written as a JSON number or string.
func flexUnix(raw json.RawMessage) (int64, bool) {
	n, err := strconv.ParseInt(strings.Trim(string(raw), `"`), 10, 64)
	return n, err == nil && n > 0
}

func (s *Service) account(ctx context.Context, tenantID string, e entry, field string, v accountValue) error {
	at := entryTime(e, s.Now().UTC())
	var applied func(*domain.WhatsApp) bool
	if field == "phone_number_quality_update" {
		tier := v.MaxDailyConversationsPerBusiness
		if tier == "" {
			tier = v.CurrentLimit
		}
		applied = func(w *domain.WhatsApp) bool { return w.ApplyQualityUpdate(v.Event, at, tier) }
	} else {
		ev := accountEvent(v, at)
		applied = func(w *domain.WhatsApp) bool { return w.ApplyAccountEvent(ev) }
	}
	changed := false
	err := s.Store.UpdateTenant(ctx, tenantID, func(t *domain.Tenant) error {
		if changed = applied(&t.WhatsApp); !changed {
			return store.ErrNoChange // older than what is recorded for the same fact
		}
		return nil
	})
	if err == nil {
		s.Log.InfoContext(ctx, "account event recorded", "tenant_id", tenantID, "field", field, "event", v.Event, "applied", changed)
	}
	return err
}

// accountEvent reads an account_update into the domain's terms. What Meta said with
// it is kept as Info (clipped by the domain).
func accountEvent(v accountValue, at time.Time) domain.AccountEvent {
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

// templateChange reads a template quality or category change and routes it to the
// tenant by the WABA id (the entry id: these values carry no metadata).
func (s *Service) templateChange(ctx context.Context, e entry, c change) error {
	var q templateQualityValue
	var cat templateCategoryValue
	target := any(&q)
	if c.Field == "template_category_update" {
		target = &cat
	}
	if err := json.Unmarshal(c.Value, target); err != nil {
		return &badChange{"valor ilegível: " + err.Error()}
	}
	tenantID, ok, err := s.route(ctx, "waba_id", e.ID, c.Value)
	if !ok || err != nil {
		return err
	}
	if c.Field == "template_category_update" {
		return s.templateCategory(ctx, tenantID, e, cat)
	}
	return s.templateQuality(ctx, tenantID, e, q)
}
