package events

import (
	"context"
	"encoding/json"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/meta"
	"github.com/lembra-app/lembra/shared/store"
)

// entryTime is an entry's time (Meta's), or now when it carries none.
func entryTime(e meta.WebhookEntry, now time.Time) time.Time {
	if e.Time > 0 {
		return time.Unix(e.Time, 0).UTC()
	}
	return now
}

func (s *Service) templateStatus(ctx context.Context, tenantID string, e meta.WebhookEntry, v meta.TemplateStatusValue) error {
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
func (s *Service) templateQuality(ctx context.Context, tenantID string, e meta.WebhookEntry, v meta.TemplateQualityValue) error {
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
func (s *Service) templateCategory(ctx context.Context, tenantID string, e meta.WebhookEntry, v meta.TemplateCategoryValue) error {
	if v.Name == "" || (v.New == "" && v.Correct == "") {
		return &badChange{"template_category_update sem nome ou categoria"}
	}
	at := entryTime(e, s.Now().UTC())
	c := domain.CategoryUpdate{Previous: v.Previous, New: v.New, Correct: v.Correct}
	if when, ok := v.UpdateTime(); ok {
		c.When = when
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

// templateChange reads a template quality or category change and routes it to the
// tenant by the WABA id (the entry id: these values carry no metadata).
func (s *Service) templateChange(ctx context.Context, e meta.WebhookEntry, c meta.WebhookChange) error {
	var q meta.TemplateQualityValue
	var cat meta.TemplateCategoryValue
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
