package domain

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// TemplateRef names an approved WhatsApp template.
type TemplateRef struct {
	Name     string `firestore:"name" json:"name"`
	Language string `firestore:"language" json:"language"`
}

// WhatsApp is a tenant's connection to the WhatsApp Cloud API.
type WhatsApp struct {
	WABAID             string `firestore:"waba_id" json:"waba_id"`
	PhoneNumberID      string `firestore:"phone_number_id" json:"phone_number_id"`
	DisplayPhoneNumber string `firestore:"display_phone_number" json:"display_phone_number"`
	// AccessTokenSecret is the Secret Manager secret id holding the tenant's Meta token.
	AccessTokenSecret string `firestore:"access_token_secret" json:"access_token_secret"`
	Status            string `firestore:"status" json:"status"` // connected, disconnected, …
	// LastEvent is the last account event Meta reported (account_update,
	// phone_number_quality_update), with its time and details.
	LastEvent     string    `firestore:"last_event,omitempty" json:"last_event,omitempty"`
	LastEventAt   time.Time `firestore:"last_event_at,omitempty" json:"last_event_at,omitzero"`
	LastEventInfo string    `firestore:"last_event_info,omitempty" json:"last_event_info,omitempty"`
	MessagingTier string    `firestore:"messaging_tier,omitempty" json:"messaging_tier,omitempty"`
}

// Tenant is a business using Lembra.
type Tenant struct {
	ID           string `firestore:"-" json:"id"`
	Name         string `firestore:"name" json:"name"`
	TimeZone     string `firestore:"time_zone" json:"time_zone"`
	LocationLine string `firestore:"location_line" json:"location_line"`
	Mode         Mode   `firestore:"mode" json:"mode"`
	KillSwitch   bool   `firestore:"kill_switch" json:"kill_switch"`
	// Templates maps a job type to its approved template.
	Templates map[string]TemplateRef `firestore:"templates" json:"templates"`
	WhatsApp  WhatsApp               `firestore:"whatsapp" json:"whatsapp"`
	// TemplateStatuses holds Meta's latest word on each template, keyed by TemplateKey.
	TemplateStatuses map[string]TemplateStatus `firestore:"template_statuses" json:"template_statuses,omitempty"`
	// StaffLabel is the third button's label, e.g. "Falar com a Jana".
	StaffLabel string `firestore:"staff_label" json:"staff_label,omitempty"`
	// RescheduleText answers a Reagendar tap; empty: a default text.
	RescheduleText string    `firestore:"reschedule_text" json:"reschedule_text,omitempty"`
	CreatedAt      time.Time `firestore:"created_at" json:"created_at"`
}

// TemplateStatus is a template's review state as Meta last reported it.
type TemplateStatus struct {
	Name      string    `firestore:"name" json:"name"`
	Language  string    `firestore:"language" json:"language"`
	Status    string    `firestore:"status" json:"status"` // APPROVED, REJECTED, PAUSED, …
	Reason    string    `firestore:"reason" json:"reason,omitempty"`
	UpdatedAt time.Time `firestore:"updated_at" json:"updated_at"`
}

// TemplateKey keys TemplateStatuses.
func TemplateKey(name, language string) string { return name + ":" + language }

// TemplateApproved reports whether Meta has not said otherwise about a template.
// A template Meta never reported on is taken as approved (it was configured as such).
func (t *Tenant) TemplateApproved(ref TemplateRef) (TemplateStatus, bool) {
	st, ok := t.TemplateStatuses[TemplateKey(ref.Name, ref.Language)]
	if !ok || st.Status == "APPROVED" || st.Status == "REINSTATED" {
		return st, true
	}
	return st, false
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
	if t.TimeZone != "" {
		if _, err := time.LoadLocation(t.TimeZone); err != nil {
			problems = append(problems, fmt.Sprintf("time zone %q is unknown", t.TimeZone))
		}
	}
	if _, err := ParseMode(string(t.Mode)); err != nil {
		problems = append(problems, err.Error())
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: tenant: %s", ErrInvalid, strings.Join(problems, "; "))
	}
	return nil
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
