package domain

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// TemplateRef names an approved WhatsApp template.
type TemplateRef struct {
	Name     string `firestore:"name"`
	Language string `firestore:"language"`
}

// WhatsApp is a tenant's connection to the WhatsApp Cloud API.
type WhatsApp struct {
	WABAID             string `firestore:"waba_id"`
	PhoneNumberID      string `firestore:"phone_number_id"`
	DisplayPhoneNumber string `firestore:"display_phone_number"`
	// AccessTokenSecret is the Secret Manager secret id holding the tenant's Meta token.
	AccessTokenSecret string `firestore:"access_token_secret"`
	// Status is the connection: connected, disconnected or deleted (AccountConnected, …);
	// empty means connected. See account.go.
	Status string `firestore:"status"`
	// LastEvent is the most recent account event Meta reported (account_update,
	// phone_number_quality_update, a refused history sync), with its time and what Meta
	// said (at most MaxStoredText bytes).
	LastEvent     string    `firestore:"last_event,omitempty"`
	LastEventAt   time.Time `firestore:"last_event_at,omitempty"`
	LastEventInfo string    `firestore:"last_event_info,omitempty"`
	MessagingTier string    `firestore:"messaging_tier,omitempty"`
	// MessagingLimit is the business portfolio's messaging limit (messaginglimit.go):
	// users per 24 h, LimitUnlimited, or LimitNotRead.
	MessagingLimit int `firestore:"messaging_limit,omitempty"`
	// EventTimes holds, per fact (FactConnection, FactBan, …), the time of the last
	// event applied to it, so each fact is ordered by its own events.
	EventTimes map[string]time.Time `firestore:"event_times,omitempty"`
	// What Meta last said about the account's standing.
	Ban           *AccountBan           `firestore:"ban,omitempty"`
	Restrictions  []AccountRestriction  `firestore:"restrictions,omitempty"`
	Disconnection *AccountDisconnection `firestore:"disconnection,omitempty"`
	Violation     string                `firestore:"violation,omitempty"`

	// The number's kind, set by onboarding's index step (see connection.go):
	// Coexistence is a number that stays on the WhatsApp Business App; ThroughputCap
	// is its messages per second (ThroughputCap).
	Coexistence   bool `firestore:"coexistence,omitempty"`
	ThroughputCap int  `firestore:"throughput_cap,omitempty"`
	// Unsubscribed: the owner disconnected and the app was unsubscribed from the
	// WABA's webhooks (DELETE /<WABA>/subscribed_apps); a reconnection clears it.
	Unsubscribed bool `firestore:"unsubscribed,omitempty"`
	// Sync is a coexistence number's contacts and history sync (connection.go).
	Sync *ConnectionSync `firestore:"sync,omitempty"`
	// TokenCheck is the last daily debug_token check of the tenant's token.
	TokenCheck *TokenCheck `firestore:"token_check,omitempty"`
	// ConnectingSince: an onboarding attempt indexed the number to the tenant at this
	// time (so Meta's webhooks during the onboarding find it) and has not activated
	// it yet; sends are blocked until then (BlockConnecting). Zero: not connecting.
	ConnectingSince time.Time `firestore:"connecting_since,omitempty"`
	// ConnectingKeepsSending: the attempt logs in again on the number that was already
	// connected and sending (the owner's Reconectar to renew the token): it keeps
	// sending meanwhile, the new token is stored before the index step.
	ConnectingKeepsSending bool `firestore:"connecting_keeps_sending,omitempty"`
}

// Tenant is a business using Lembra.
type Tenant struct {
	ID           string `firestore:"-"`
	Name         string `firestore:"name"`
	TimeZone     string `firestore:"time_zone"`
	LocationLine string `firestore:"location_line"`
	Mode         Mode   `firestore:"mode"`
	KillSwitch   bool   `firestore:"kill_switch"`
	// KillSwitchBy (an e-mail) and KillSwitchAt say who last turned the kill switch on
	// or off in the dashboard, and when (empty: never changed there).
	KillSwitchBy string    `firestore:"kill_switch_by,omitempty"`
	KillSwitchAt time.Time `firestore:"kill_switch_at,omitempty"`
	// OpeningHours is the studio's week, keyed by Weekdays' names; shown in the
	// dashboard, read by no rule yet.
	OpeningHours map[string]OpeningDay `firestore:"opening_hours,omitempty"`
	// Templates maps a job type to its approved template.
	Templates map[string]TemplateRef `firestore:"templates"`
	WhatsApp  WhatsApp               `firestore:"whatsapp"`
	// TemplateStatuses holds Meta's latest word on each template, keyed by TemplateKey.
	TemplateStatuses map[string]TemplateStatus `firestore:"template_statuses"`
	// StaffLabel is the third button's label, e.g. "Falar com a Jana".
	StaffLabel string `firestore:"staff_label"`
	// RescheduleText answers a Reagendar tap; empty: a default text.
	RescheduleText string `firestore:"reschedule_text"`
	// OptOutKeywords are the studio's own opt-out keywords (optout.go; empty:
	// DefaultOptOutKeywords). OptedOut is the set of its clients who opted out
	// (OptOutKey each, at most MaxOptedOut; OptOutOverflow past it), kept in step with
	// their conversation ledgers so dispatch sees it on the tenant it already reads.
	OptOutKeywords []string `firestore:"opt_out_keywords,omitempty"`
	OptedOut       []string `firestore:"opted_out,omitempty"`
	OptOutOverflow bool     `firestore:"opt_out_overflow,omitempty"`
	// StrictCancelWindow keeps the seed's rule for the cancellation notice: only a
	// client message about the appointment being canceled opens its window (window.go).
	StrictCancelWindow bool `firestore:"strict_cancel_window,omitempty"`
	// ScanPause, when Paused, makes the reminder scan leave the tenant's reminders as
	// they are (the owner pauses it while she drains the queue); who, when and why.
	ScanPause ScanPause `firestore:"scan_pause,omitempty"`
	// TestRecipient (E.164, optional) is the owner's own number for the dry-run mode:
	// when set, a dry run sends each message for real to this number only, never to
	// the client (dispatch.PlanSend); empty: a dry run only records the request.
	TestRecipient string `firestore:"test_recipient,omitempty"`
	// QuietHours (quiet.go): nil, DefaultQuietHours.
	QuietHours *QuietHours `firestore:"quiet_hours,omitempty"`
	// ReminderOffsets are the minutes before an appointment its reminders go out, and
	// ServiceReminderOffsets a service's own (offsets.go); none: DefaultReminderOffsets.
	ReminderOffsets        []int            `firestore:"reminder_offsets,omitempty"`
	ServiceReminderOffsets []ServiceOffsets `firestore:"service_reminder_offsets,omitempty"`
	CreatedAt              time.Time        `firestore:"created_at"`
}

// ScanPause is the owner's pause of the reminder scan for her studio.
type ScanPause struct {
	Paused bool      `firestore:"paused"`
	Reason string    `firestore:"reason,omitempty"`
	By     string    `firestore:"by,omitempty"`
	At     time.Time `firestore:"at,omitempty"`
}

// TemplateStatus is what Meta last reported about a template: its review status
// (message_template_status_update), its quality (message_template_quality_update) and
// its category (template_category_update). Each part keeps the time of its own last
// event, so no kind of event overwrites, or is held back by, another kind.
type TemplateStatus struct {
	Name      string    `firestore:"name"`
	Language  string    `firestore:"language"`
	Status    string    `firestore:"status"` // APPROVED, REJECTED, PAUSED, …; "" never reported
	Reason    string    `firestore:"reason"`
	UpdatedAt time.Time `firestore:"updated_at"` // of the last status event

	// Quality is GREEN, YELLOW, RED or UNKNOWN.
	Quality          string    `firestore:"quality,omitempty"`
	PreviousQuality  string    `firestore:"previous_quality,omitempty"`
	QualityUpdatedAt time.Time `firestore:"quality_updated_at,omitempty"`

	// Category is MARKETING, UTILITY or AUTHENTICATION; CategoryChangedAt is when Meta
	// changed it from PreviousCategory. PendingCategory is a change Meta announced for
	// PendingCategoryAt.
	Category          string    `firestore:"category,omitempty"`
	PreviousCategory  string    `firestore:"previous_category,omitempty"`
	CategoryChangedAt time.Time `firestore:"category_changed_at,omitempty"`
	PendingCategory   string    `firestore:"pending_category,omitempty"`
	PendingCategoryAt time.Time `firestore:"pending_category_at,omitempty"`
	CategoryEventAt   time.Time `firestore:"category_event_at,omitempty"`
}

// TemplateKey keys TemplateStatuses.
func TemplateKey(name, language string) string { return name + ":" + language }

// sendableTemplate lists the review statuses in which Meta still delivers a template
// (https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/message_template_status_update):
// APPROVED and REINSTATED; FLAGGED ("at risk of being disabled") and LOCKED ("cannot be
// edited") are still approved. "" is a template Meta never reported on: it was
// configured as approved. Every other status (PAUSED, DISABLED, REJECTED, PENDING,
// IN_APPEAL, PENDING_DELETION, DELETED, ARCHIVED, LIMIT_EXCEEDED, or one not known
// here) is refused at send.
var sendableTemplate = map[string]bool{"": true, "APPROVED": true, "REINSTATED": true, "FLAGGED": true, "LOCKED": true}

// TemplateApproved reports whether Meta has not said otherwise about a template.
func (t *Tenant) TemplateApproved(ref TemplateRef) (TemplateStatus, bool) {
	st := t.TemplateStatuses[TemplateKey(ref.Name, ref.Language)]
	return st, sendableTemplate[st.Status]
}

// MaxTemplateStatuses bounds TemplateStatuses: Meta reports on every template of the
// account, so beyond this many only the tenant's configured templates are recorded.
const MaxTemplateStatuses = 200

// templateEntry returns the record of a template to update, or false if the tenant
// keeps no record of it (the map is full and the template is not one it uses).
func (t *Tenant) templateEntry(name, language string) (TemplateStatus, string, bool) {
	name, language = ClipText(name, 512), ClipText(language, maxShortText)
	key := TemplateKey(name, language)
	if st, ok := t.TemplateStatuses[key]; ok {
		return st, key, true
	}
	if len(t.TemplateStatuses) >= MaxTemplateStatuses && !t.usesTemplate(name, language) {
		return TemplateStatus{}, key, false
	}
	return TemplateStatus{Name: name, Language: language}, key, true
}

func (t *Tenant) usesTemplate(name, language string) bool {
	for _, ref := range t.Templates {
		if ref.Name == name && ref.Language == language {
			return true
		}
	}
	return false
}

func (t *Tenant) putTemplate(key string, st TemplateStatus) {
	if t.TemplateStatuses == nil {
		t.TemplateStatuses = map[string]TemplateStatus{}
	}
	t.TemplateStatuses[key] = st
}

// ApplyTemplateStatus records a review status event; an event older than the last one
// applied changes nothing. It reports whether anything changed.
func (t *Tenant) ApplyTemplateStatus(name, language, status, reason, category string, at time.Time) bool {
	st, key, ok := t.templateEntry(name, language)
	if !ok || st.UpdatedAt.After(at) {
		return false
	}
	st.Status, st.Reason, st.UpdatedAt = ClipText(status, maxShortText), ClipText(reason, maxShortText), at.UTC()
	if st.Category == "" && category != "" {
		st.Category = ClipText(category, maxShortText)
	}
	t.putTemplate(key, st)
	return true
}

// ApplyTemplateQuality records a quality score change; it never touches the review status.
func (t *Tenant) ApplyTemplateQuality(name, language, previous, score string, at time.Time) bool {
	st, key, ok := t.templateEntry(name, language)
	if !ok || st.QualityUpdatedAt.After(at) {
		return false
	}
	st.PreviousQuality, st.Quality, st.QualityUpdatedAt = ClipText(previous, maxShortText), ClipText(score, maxShortText), at.UTC()
	t.putTemplate(key, st)
	return true
}

// CategoryUpdate is a template_category_update: either an announced change (Correct
// and When set; New is then the current category) or a completed one (Previous → New).
type CategoryUpdate struct {
	Previous, New, Correct string
	When                   time.Time
}

// ApplyTemplateCategory records a category change or announcement; it never touches
// the review status.
func (t *Tenant) ApplyTemplateCategory(name, language string, c CategoryUpdate, at time.Time) bool {
	st, key, ok := t.templateEntry(name, language)
	if !ok || st.CategoryEventAt.After(at) {
		return false
	}
	st.CategoryEventAt = at.UTC()
	newCat := ClipText(c.New, maxShortText)
	if c.Correct != "" { // announced: the change happens at c.When
		st.PendingCategory, st.PendingCategoryAt = ClipText(c.Correct, maxShortText), c.When.UTC()
		if newCat != "" {
			st.Category = newCat
		}
	} else {
		if newCat != "" && newCat != st.Category {
			st.PreviousCategory = ClipText(c.Previous, maxShortText)
			if st.PreviousCategory == "" {
				st.PreviousCategory = st.Category
			}
			st.Category, st.CategoryChangedAt = newCat, at.UTC()
		}
		if st.PendingCategory == newCat {
			st.PendingCategory, st.PendingCategoryAt = "", time.Time{}
		}
	}
	t.putTemplate(key, st)
	return true
}

// Location returns the tenant's time zone, defaulting to America/Sao_Paulo.
func (t *Tenant) Location() *time.Location {
	name := t.TimeZone
	if name == "" {
		name = DefaultTimeZone
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		loc, _ = time.LoadLocation(DefaultTimeZone)
	}
	return loc
}

// Template returns the tenant's template for a job type, if one is configured.
func (t *Tenant) Template(jt JobType) (TemplateRef, bool) {
	ref, ok := t.Templates[string(jt)]
	if !ok || ref.Name == "" || ref.Language == "" {
		return TemplateRef{}, false
	}
	return ref, true
}

// DefaultTimeZone is used when a tenant names none.
const DefaultTimeZone = "America/Sao_Paulo"

// Validate checks a tenant before it is stored.
func (t *Tenant) Validate() error {
	var problems []string
	if !idPattern.MatchString(t.ID) {
		problems = append(problems, "id must be 1-64 letters, digits, '-' or '_'")
	}
	if strings.TrimSpace(t.Name) == "" {
		problems = append(problems, "name is required")
	}
	if strings.TrimSpace(t.LocationLine) == "" {
		problems = append(problems, "location line is required (it fills the template's location variable)")
	}
	problems = append(problems, textProblems("name", t.Name, "location line", t.LocationLine)...)
	if t.TimeZone != "" {
		if _, err := time.LoadLocation(t.TimeZone); err != nil {
			problems = append(problems, fmt.Sprintf("time zone %q is unknown", t.TimeZone))
		}
	}
	if _, err := ParseMode(string(t.Mode)); err != nil {
		problems = append(problems, err.Error())
	}
	if t.TestRecipient != "" && !E164.MatchString(t.TestRecipient) {
		problems = append(problems, fmt.Sprintf("test recipient %q is not in E.164 form", t.TestRecipient))
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: tenant: %s", ErrInvalid, strings.Join(problems, "; "))
	}
	return nil
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
