package api

import "time"

// The studio's settings and API keys in the dashboard (staff_settings.go,
// staff_keys.go). Like the rest of the API's types, their JSON names are the contract
// (docs/openapi.json, TestOpenAPIMatchesTypes).

// SettingsResponse is the answer of GET and PATCH /v1/staff/settings.
type SettingsResponse struct {
	// Mode is the studio's own mode (disabled, dry_run, enabled); EnvironmentMode the
	// environment's (WHATSAPP_AUTOMATION_MODE), which it may not exceed; EffectiveMode
	// the one dispatch sends in (the more restrictive of the two).
	Mode               string   `json:"mode"`
	ModeLabel          string   `json:"mode_label"`
	EnvironmentMode    string   `json:"environment_mode"`
	EffectiveMode      string   `json:"effective_mode"`
	EffectiveModeLabel string   `json:"effective_mode_label"`
	AllowedModes       []string `json:"allowed_modes"` // never null
	// TenantAllowed: the studio is on the environment's allowlist (or there is none).
	TenantAllowed bool              `json:"tenant_allowed"`
	KillSwitch    KillSwitchSetting `json:"kill_switch"`
	// TestRecipient is the environment's override that routes every send to one number
	// (development; WHATSAPP_AUTOMATION_META_TEST_RECIPIENT), when set. Read only.
	TestRecipient string `json:"test_recipient,omitempty"`
	// StudioTestRecipient is the studio's own test number (E.164; "": none): in the
	// dry-run mode each message is sent for real to it, never to the client; without
	// it a dry run only records the request. The environment's override still wins.
	StudioTestRecipient string            `json:"studio_test_recipient"`
	Templates           []TemplateSetting `json:"templates"` // one per message type sent as a template
	LocationLine        string            `json:"location_line"`
	TimeZone            string            `json:"time_zone"`
	RescheduleText      string            `json:"reschedule_text"` // "": the default answer
	StaffLabel          string            `json:"staff_label"`
	OpeningHours        []OpeningDay      `json:"opening_hours"` // Monday to Sunday, always 7
	// ScanPause is the owner's pause of the reminder scan (PUT /v1/staff/settings/scan).
	ScanPause ScanSettingsResponse `json:"scan_pause"`
	// CanEdit: the signed-in member may change the settings (the owner).
	CanEdit bool `json:"can_edit"`
	// The quiet hours and the reminders (staff_settings_schedule.go).
	QuietHours             QuietHoursSetting       `json:"quiet_hours"`
	ReminderOffsets        []ReminderOffsetSetting `json:"reminder_offsets"`         // earliest first, never null
	ServiceReminderOffsets []ServiceOffsetsSetting `json:"service_reminder_offsets"` // never null
	// The opt-out and window settings (staff_settings_optout.go).
	OptOut OptOutSettings `json:"opt_out"`
}

// KillSwitchSetting is the studio's kill switch and who last turned it on or off.
type KillSwitchSetting struct {
	On             bool      `json:"on"`
	Label          string    `json:"label"`
	ChangedBy      string    `json:"changed_by,omitempty"`
	ChangedAt      time.Time `json:"changed_at,omitzero"`
	ChangedAtLocal string    `json:"changed_at_local,omitempty"`
}

// TemplateSetting is the template of one message type with Meta's last word on it.
type TemplateSetting struct {
	JobType      string `json:"job_type"` // appointment_created, appointment_reminder
	JobTypeLabel string `json:"job_type_label"`
	Name         string `json:"name"`     // "": none configured
	Language     string `json:"language"` // e.g. pt_BR
	// Status is Meta's review status (APPROVED, PAUSED, …; "": never reported, sent as
	// approved); Sendable whether dispatch sends it.
	Status       string    `json:"status"`
	StatusLabel  string    `json:"status_label"`
	Sendable     bool      `json:"sendable"`
	Reason       string    `json:"reason,omitempty"`
	StatusAt     time.Time `json:"status_at,omitzero"`
	Quality      string    `json:"quality,omitempty"` // GREEN, YELLOW, RED, UNKNOWN
	QualityLabel string    `json:"quality_label"`
	Category     string    `json:"category,omitempty"`
}

// OpeningDay is one weekday of the opening hours.
type OpeningDay struct {
	Weekday      string `json:"weekday"` // monday … sunday
	WeekdayLabel string `json:"weekday_label"`
	Set          bool   `json:"set"` // false: never told
	Closed       bool   `json:"closed"`
	Open         string `json:"open,omitempty"`  // HH:MM
	Close        string `json:"close,omitempty"` // HH:MM
	Label        string `json:"label"`           // "09:00 às 18:00", "Fechado", "Não informado"
}

// SettingsRequest is the body of PATCH /v1/staff/settings: only the settings to change.
type SettingsRequest struct {
	Mode           *string                     `json:"mode,omitempty"`
	KillSwitch     *bool                       `json:"kill_switch,omitempty"`
	TimeZone       *string                     `json:"time_zone,omitempty"`
	LocationLine   *string                     `json:"location_line,omitempty"`
	RescheduleText *string                     `json:"reschedule_text,omitempty"`
	StaffLabel     *string                     `json:"staff_label,omitempty"`
	Templates      map[string]TemplateChange   `json:"templates,omitempty"`     // by job type
	OpeningHours   map[string]OpeningDayChange `json:"opening_hours,omitempty"` // by weekday
	// StudioTestRecipient sets the studio's test number (E.164, or a Brazilian number
	// with its area code, stored as E.164); "" clears it.
	StudioTestRecipient *string `json:"studio_test_recipient,omitempty"`
	// The quiet hours and the reminders (staff_settings_schedule.go): a list replaces
	// the stored one.
	QuietHours             *QuietHoursChange       `json:"quiet_hours,omitempty"`
	ReminderOffsets        *[]ReminderOffsetChange `json:"reminder_offsets,omitempty"`
	ServiceReminderOffsets *[]ServiceOffsetsChange `json:"service_reminder_offsets,omitempty"`
	// The opt-out keywords (a list replaces the stored one; [] restores the defaults)
	// and the strict window rule (staff_settings_optout.go).
	OptOutKeywords     *[]string `json:"opt_out_keywords,omitempty"`
	StrictCancelWindow *bool     `json:"strict_cancel_window,omitempty"`
}

// TemplateChange names the template of one message type.
type TemplateChange struct {
	Name     string `json:"name"`
	Language string `json:"language"`
}

// OpeningDayChange is one weekday: closed, or open from open to close (HH:MM).
type OpeningDayChange struct {
	Closed bool   `json:"closed,omitempty"`
	Open   string `json:"open,omitempty"`
	Close  string `json:"close,omitempty"`
}

// SettingsHistoryResponse is the answer of GET /v1/staff/settings/audit: the changes,
// newest first; NextCursor (when there are more) is the cursor of the next page.
type SettingsHistoryResponse struct {
	Entries    []SettingsChange `json:"entries"` // never null
	NextCursor string           `json:"next_cursor,omitempty"`
}

// SettingsChange is one change of one setting: who, when, old → new.
type SettingsChange struct {
	ID         string    `json:"id"`
	At         time.Time `json:"at"`
	AtLocal    string    `json:"at_local"`
	By         string    `json:"by"`
	Field      string    `json:"field"` // mode, kill_switch, templates.<type>, opening_hours.<day>, api_key, …
	FieldLabel string    `json:"field_label"`
	Old        string    `json:"old"`
	New        string    `json:"new"`
}

// APIKeysResponse is the answer of GET /v1/staff/api-keys: the studio's keys, oldest
// first, revoked ones included; never the keys themselves.
type APIKeysResponse struct {
	Keys []APIKeyView `json:"keys"` // never null
}

// APIKeyView is one API key, without the key.
type APIKeyView struct {
	ID              string    `json:"id"`
	Label           string    `json:"label"`
	CreatedAt       time.Time `json:"created_at"`
	CreatedAtLocal  string    `json:"created_at_local"`
	LastUsedAt      time.Time `json:"last_used_at,omitzero"`
	LastUsedAtLocal string    `json:"last_used_at_local,omitempty"`
	Revoked         bool      `json:"revoked"`
	RevokedAt       time.Time `json:"revoked_at,omitzero"`
	RevokedAtLocal  string    `json:"revoked_at_local,omitempty"`
}

// CreateAPIKeyRequest is the body of POST /v1/staff/api-keys.
type CreateAPIKeyRequest struct {
	Label string `json:"label"`
}

// CreateAPIKeyResponse is the answer of POST /v1/staff/api-keys (201): the key, shown
// this once and never readable again, and its record.
type CreateAPIKeyResponse struct {
	Key    string     `json:"key"`
	APIKey APIKeyView `json:"api_key"`
	Notice string     `json:"notice"`
}

// RevokeAPIKeyResponse is the answer of POST /v1/staff/api-keys/{id}/revoke.
type RevokeAPIKeyResponse struct {
	APIKey APIKeyView `json:"api_key"`
}
