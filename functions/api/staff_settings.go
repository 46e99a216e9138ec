package api

import (
	"net/http"
	"strconv"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/ptbr"
	"github.com/lembra-app/lembra/shared/store"
	"github.com/lembra-app/lembra/shared/tenants"
	"github.com/lembra-app/lembra/shared/web"
)

// The studio's settings (GET for every member, PATCH for the owner) and their history,
// and the booking system's API keys (owner only, staff_keys.go). Every change is
// checked by shared/tenants' rules, stored with its history entries in one
// transaction, and read by the next dispatch (which reads the tenant for every job).
func (s *server) staffSettingsRoutes() []route {
	owner := []domain.StaffRole{domain.RoleOwner}
	return []route{
		{pattern: "GET /v1/staff/settings", staff: s.staffSettings},
		{pattern: "PATCH /v1/staff/settings", staff: s.staffChangeSettings, roles: owner},
		{pattern: "GET /v1/staff/settings/audit", staff: s.staffSettingsHistory},
		{pattern: "GET /v1/staff/api-keys", staff: s.staffAPIKeys, roles: owner},
		{pattern: "POST /v1/staff/api-keys", staff: s.staffCreateAPIKey, roles: owner},
		{pattern: "POST /v1/staff/api-keys/{id}/revoke", staff: s.staffRevokeAPIKey, roles: owner},
	}
}

// NewSettingsResponse shows a tenant's settings under the environment's env mode and
// allowlist; canEdit for the owner.
func NewSettingsResponse(t *domain.Tenant, env domain.Mode, tenantAllowed bool, testRecipient string, canEdit bool) SettingsResponse {
	loc := t.Location()
	effective := domain.EffectiveMode(env, t.Mode)
	out := SettingsResponse{
		Mode: string(t.Mode), ModeLabel: ptbr.ModeLabel(t.Mode),
		EnvironmentMode: string(domain.EffectiveMode(env, domain.ModeEnabled)),
		EffectiveMode:   string(effective), EffectiveModeLabel: ptbr.ModeLabel(effective),
		TenantAllowed: tenantAllowed, TestRecipient: testRecipient, StudioTestRecipient: t.TestRecipient,
		KillSwitch: KillSwitchSetting{On: t.KillSwitch, Label: ptbr.KillSwitchLabel(t.KillSwitch), ChangedBy: t.KillSwitchBy,
			ChangedAt: t.KillSwitchAt.UTC(), ChangedAtLocal: localTime(t.KillSwitchAt, loc)},
		LocationLine: t.LocationLine, TimeZone: loc.String(), RescheduleText: t.RescheduleText, StaffLabel: t.StaffLabel,
		ScanPause: ScanSettingsResponse{Paused: t.ScanPause.Paused, Reason: t.ScanPause.Reason, By: t.ScanPause.By,
			At: t.ScanPause.At.UTC(), AtLocal: localTime(t.ScanPause.At, loc)},
		CanEdit: canEdit,
	}
	for _, m := range tenants.AllowedModes(env) {
		out.AllowedModes = append(out.AllowedModes, string(m))
	}
	if out.AllowedModes == nil {
		out.AllowedModes = []string{}
	}
	for _, jt := range tenants.TemplateJobTypes {
		ref := t.Templates[string(jt)]
		ts := TemplateSetting{JobType: string(jt), JobTypeLabel: ptbr.TemplateJobLabel(jt), Name: ref.Name, Language: ref.Language}
		if _, ok := t.Template(jt); ok {
			st, sendable := t.TemplateApproved(ref)
			ts.Status, ts.Sendable, ts.Reason, ts.Quality, ts.Category = st.Status, sendable, st.Reason, st.Quality, st.Category
			ts.StatusAt = st.UpdatedAt
			ts.StatusLabel = ptbr.TemplateStatusLabel(st.Status)
		} else {
			ts.StatusLabel = ptbr.Reason(domain.ReasonTemplateMissing).Text
		}
		ts.QualityLabel = ptbr.TemplateQualityLabel(ts.Quality)
		out.Templates = append(out.Templates, ts)
	}
	for _, day := range domain.Weekdays {
		d, set := t.OpeningHours[day]
		out.OpeningHours = append(out.OpeningHours, OpeningDay{Weekday: day, WeekdayLabel: ptbr.WeekdayLabel(day), Set: set,
			Closed: set && d.Closed, Open: d.Open, Close: d.Close, Label: ptbr.OpeningDayLabel(d, set)})
	}
	scheduleSettings(t, &out)
	out.OptOut = NewOptOutSettings(t)
	return out
}

func (s *server) settingsView(st Staff, t *domain.Tenant) SettingsResponse {
	cfg := s.env.Config
	return NewSettingsResponse(t, cfg.Mode, cfg.TenantAllowed(t.ID), cfg.TestRecipient, st.Role == domain.RoleOwner)
}

// staffSettings shows the studio's settings.
func (s *server) staffSettings(w http.ResponseWriter, r *http.Request, st Staff) error {
	web.WriteJSON(w, http.StatusOK, s.settingsView(st, st.Tenant))
	return nil
}

// settingsPatch turns the request into shared/tenants' terms.
func settingsPatch(req SettingsRequest) tenants.SettingsPatch {
	p := tenants.SettingsPatch{Mode: req.Mode, KillSwitch: req.KillSwitch, TimeZone: req.TimeZone, LocationLine: req.LocationLine,
		StaffLabel: req.StaffLabel, RescheduleText: req.RescheduleText, TestRecipient: req.StudioTestRecipient,
		SchedulePatch: schedulePatch(req), OptOutPatch: tenants.OptOutPatch{OptOutKeywords: req.OptOutKeywords, StrictCancelWindow: req.StrictCancelWindow}}
	for jt, ref := range req.Templates {
		if p.Templates == nil {
			p.Templates = map[string]domain.TemplateRef{}
		}
		p.Templates[jt] = domain.TemplateRef{Name: ref.Name, Language: ref.Language}
	}
	for day, d := range req.OpeningHours {
		if p.OpeningHours == nil {
			p.OpeningHours = map[string]domain.OpeningDay{}
		}
		p.OpeningHours[day] = domain.OpeningDay{Closed: d.Closed, Open: d.Open, Close: d.Close}
	}
	return p
}

// staffChangeSettings changes the settings named in the body (the others are kept),
// each change with its history entry; a refused field changes nothing.
func (s *server) staffChangeSettings(w http.ResponseWriter, r *http.Request, st Staff) error {
	var req SettingsRequest
	if err := web.DecodeJSON(w, r, maxBody, &req); err != nil {
		return err
	}
	p := settingsPatch(req)
	if p.Empty() {
		return web.Errorf(http.StatusBadRequest, "required", "%s", ptbr.TextNoChange)
	}
	c, err := tenants.CheckSettings(p, s.env.Config.Mode)
	if err != nil {
		return err
	}
	now := s.env.Now().UTC()
	t, audit, err := s.store.UpdateSettings(r.Context(), st.Tenant.ID, func(stored *domain.Tenant) (*domain.Tenant, []store.SettingsAudit, error) {
		return tenants.SettingsMerge(stored, c, st.Email, now)
	})
	if err != nil {
		return err
	}
	fields := make([]string, len(audit))
	for i, a := range audit {
		fields[i] = a.Field
	}
	s.env.Log.InfoContext(r.Context(), "settings changed by staff", "tenant_id", st.Tenant.ID, "uid", st.UID, "fields", fields)
	web.WriteJSON(w, http.StatusOK, s.settingsView(st, t))
	return nil
}

// defaultHistoryPage is the history's page size when limit is not given.
const defaultHistoryPage = 50

// staffSettingsHistory lists the settings' changes, newest first, a bounded page at a
// time (?cursor= from next_cursor; ?limit= 1 to store.MaxAuditPage).
func (s *server) staffSettingsHistory(w http.ResponseWriter, r *http.Request, st Staff) error {
	q := r.URL.Query()
	cursor := q.Get("cursor")
	if cursor != "" && !store.ValidAuditID(cursor) {
		return web.FieldError("cursor", "invalid_cursor", "cursor must be the next_cursor of the previous page")
	}
	limit := defaultHistoryPage
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > store.MaxAuditPage {
			return web.FieldError("limit", "invalid_value", "limit must be a whole number from 1 to %d", store.MaxAuditPage)
		}
		limit = n
	}
	entries, next, err := s.store.SettingsHistory(r.Context(), st.Tenant.ID, cursor, limit)
	if err != nil {
		return err
	}
	loc := st.Tenant.Location()
	out := SettingsHistoryResponse{Entries: make([]SettingsChange, 0, len(entries)), NextCursor: next}
	for _, e := range entries {
		out.Entries = append(out.Entries, SettingsChange{ID: e.ID, At: e.At.UTC(), AtLocal: localTime(e.At, loc), By: e.By,
			Field: e.Field, FieldLabel: ptbr.SettingLabel(e.Field), Old: e.Old, New: e.New})
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}
