// Package domain holds Lembra's types and rules: tenants, appointments, jobs, their
// statuses and the reasons a message is or is not sent. It has no cloud imports.
package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Errors shared by the store and the services. Adapters wrap them.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
	ErrInvalid  = errors.New("invalid")
)

// Mode controls whether automation sends, pretends to send, or does nothing.
type Mode string

const (
	ModeDisabled Mode = "disabled"
	ModeDryRun   Mode = "dry_run"
	ModeEnabled  Mode = "enabled"
)

// ParseMode accepts the three mode names; an empty string is an error.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(strings.TrimSpace(strings.ToLower(s))); m {
	case ModeDisabled, ModeDryRun, ModeEnabled:
		return m, nil
	}
	return "", fmt.Errorf("%w: mode %q (want disabled, dry_run or enabled)", ErrInvalid, s)
}

func (m Mode) rank() int {
	switch m {
	case ModeEnabled:
		return 2
	case ModeDryRun:
		return 1
	}
	return 0
}

// EffectiveMode is the more restrictive of the environment's and the tenant's modes.
func EffectiveMode(env, tenant Mode) Mode {
	if env.rank() < tenant.rank() {
		return normalise(env)
	}
	return normalise(tenant)
}

func normalise(m Mode) Mode {
	if m.rank() == 0 {
		return ModeDisabled
	}
	return m
}

// JobType names what a job sends.
type JobType string

const (
	JobCreated  JobType = "appointment_created"
	JobReminder JobType = "appointment_reminder"
	JobCanceled JobType = "appointment_canceled"
	// JobReply answers a client's button tap with a free-form session message.
	JobReply JobType = "button_reply"
)

// JobStatus is where a job is in its life.
type JobStatus string

const (
	JobPending JobStatus = "pending" // waiting for its time or its retry
	JobQueued  JobStatus = "queued"  // a Cloud Task exists for it
	JobSending JobStatus = "sending" // claimed by a dispatch; the send is under way
	// JobUnknown: the request reached Meta but its answer was lost. The job waits for a
	// status webhook naming it before it is tried again.
	JobUnknown   JobStatus = "unknown"
	JobSent      JobStatus = "sent"
	JobDelivered JobStatus = "delivered"
	JobRead      JobStatus = "read"
	JobFailed    JobStatus = "failed"
	// JobSkipped: not sent by a rule (mode, allowlist, kill switch, appointment canceled
	// or rescheduled, window closed, …); the reason says which.
	JobSkipped JobStatus = "skipped"
)

// Final reports whether nothing more will be sent for a job in this status.
func (s JobStatus) Final() bool {
	switch s {
	case JobSent, JobDelivered, JobRead, JobFailed, JobSkipped:
		return true
	}
	return false
}

// providerRank orders the statuses Meta reports; a job never moves to a lower one.
var providerRank = map[JobStatus]int{JobSent: 1, JobDelivered: 2, JobRead: 3}

// Advance moves s forward to next if next is further along sent → delivered → read.
// Any status before sent (sending, unknown, …) advances to any provider status.
func (s JobStatus) Advance(next JobStatus) JobStatus {
	if providerRank[next] > providerRank[s] {
		return next
	}
	return s
}

// AppointmentStatus is the booking's state.
type AppointmentStatus string

const (
	AppointmentScheduled AppointmentStatus = "scheduled"
	AppointmentConfirmed AppointmentStatus = "confirmed"
	AppointmentCanceled  AppointmentStatus = "canceled"
)

// Active reports whether the appointment is still going to happen.
func (s AppointmentStatus) Active() bool {
	return s == AppointmentScheduled || s == AppointmentConfirmed
}

// DeliveryMode is how a message goes out: an approved template or a free-form session message.
type DeliveryMode string

const (
	DeliveryTemplate DeliveryMode = "template"
	DeliverySession  DeliveryMode = "session"
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

// Appointment is one booking of one client.
type Appointment struct {
	ID          string            `firestore:"-" json:"id"`
	TenantID    string            `firestore:"tenant_id" json:"tenant_id"`
	ExternalID  string            `firestore:"external_id" json:"external_id"`
	ClientName  string            `firestore:"client_name" json:"client_name"`
	ClientPhone string            `firestore:"client_phone" json:"client_phone"`
	Service     string            `firestore:"service" json:"service"`
	Location    string            `firestore:"location" json:"location"`
	StartsAt    time.Time         `firestore:"starts_at" json:"starts_at"`
	Status      AppointmentStatus `firestore:"status" json:"status"`
	// ScheduleVersion grows with every reschedule; reminder job ids include it.
	ScheduleVersion int       `firestore:"schedule_version" json:"schedule_version"`
	VoucherToken    string    `firestore:"voucher_token" json:"voucher_token"`
	CanceledAt      time.Time `firestore:"canceled_at,omitempty" json:"canceled_at,omitzero"`
	ConfirmedAt     time.Time `firestore:"confirmed_at,omitempty" json:"confirmed_at,omitzero"`
	// LastInboundAt is the last client message correlated to this appointment: it
	// opens WhatsApp's 24-hour window for free-form messages about it.
	LastInboundAt time.Time `firestore:"last_inbound_at,omitempty" json:"last_inbound_at,omitzero"`
	LastInboundID string    `firestore:"last_inbound_id,omitempty" json:"last_inbound_id,omitempty"`
	// StaffFlag asks staff to act: reschedule_requested, talk_requested.
	StaffFlag   string    `firestore:"staff_flag,omitempty" json:"staff_flag,omitempty"`
	StaffFlagAt time.Time `firestore:"staff_flag_at,omitempty" json:"staff_flag_at,omitzero"`
	CreatedAt   time.Time `firestore:"created_at" json:"created_at"`
	UpdatedAt   time.Time `firestore:"updated_at" json:"updated_at"`
}

// AppointmentID derives the appointment id from the tenant and the booking system's id,
// so that the same booking posted twice maps to the same document.
func AppointmentID(tenantID, externalID string) string {
	sum := sha256.Sum256([]byte(tenantID + "\x00" + externalID))
	return "apt_" + hex.EncodeToString(sum[:12])
}

// JobID derives a job's id. Reminders carry the schedule version, so a reschedule
// yields a new job (and a new Cloud Task name).
func JobID(appointmentID string, jt JobType, version int) string {
	if jt == JobReminder {
		return fmt.Sprintf("%s-%s-v%d", appointmentID, jt, version)
	}
	return fmt.Sprintf("%s-%s", appointmentID, jt)
}

// TaskName derives the Cloud Task id for one delivery of a job: the first send, a
// retry, or the check after an unknown outcome. Hashed, as Cloud Tasks asks.
func TaskName(tenantID, jobID, purpose string) string {
	sum := sha256.Sum256([]byte(tenantID + "\x00" + jobID + "\x00" + purpose))
	return hex.EncodeToString(sum[:20])
}

// Attempt is one try at sending a job.
type Attempt struct {
	N          int       `firestore:"n" json:"n"`
	At         time.Time `firestore:"at" json:"at"`
	Outcome    string    `firestore:"outcome" json:"outcome"` // sent, retry, failed, unknown
	HTTPStatus int       `firestore:"http_status,omitempty" json:"http_status,omitempty"`
	ErrorCode  int       `firestore:"error_code,omitempty" json:"error_code,omitempty"`
	Error      string    `firestore:"error,omitempty" json:"error,omitempty"`
}

// TimelineEntry is one event in a job's life, shown in the Mensagens panel.
type TimelineEntry struct {
	At     time.Time `firestore:"at" json:"at"`
	Event  string    `firestore:"event" json:"event"`
	Detail string    `firestore:"detail,omitempty" json:"detail,omitempty"`
}

// Job is one WhatsApp message Lembra owes a client.
type Job struct {
	ID              string    `firestore:"-" json:"id"`
	TenantID        string    `firestore:"tenant_id" json:"tenant_id"`
	AppointmentID   string    `firestore:"appointment_id" json:"appointment_id"`
	Type            JobType   `firestore:"type" json:"type"`
	Status          JobStatus `firestore:"status" json:"status"`
	ScheduledFor    time.Time `firestore:"scheduled_for" json:"scheduled_for"`
	ScheduleVersion int       `firestore:"schedule_version" json:"schedule_version"`
	// AppointmentStartsAt lets the reminder scan skip a reminder whose appointment has
	// started without reading the appointment.
	AppointmentStartsAt time.Time `firestore:"appointment_starts_at,omitempty" json:"appointment_starts_at,omitzero"`
	// WindowInboundAt is the client message that the 24-hour window decision of a
	// session message (the cancellation notice) rested on.
	WindowInboundAt time.Time `firestore:"window_inbound_at,omitempty" json:"window_inbound_at,omitzero"`
	WindowInboundID string    `firestore:"window_inbound_id,omitempty" json:"window_inbound_id,omitempty"`

	Attempts    []Attempt `firestore:"attempts" json:"attempts"`
	NextRetryAt time.Time `firestore:"next_retry_at,omitempty" json:"next_retry_at,omitzero"`
	LeaseUntil  time.Time `firestore:"lease_until,omitempty" json:"-"`

	DeliveryMode     DeliveryMode `firestore:"delivery_mode,omitempty" json:"delivery_mode,omitempty"`
	TemplateName     string       `firestore:"template_name,omitempty" json:"template_name,omitempty"`
	TemplateLanguage string       `firestore:"template_language,omitempty" json:"template_language,omitempty"`
	Recipient        string       `firestore:"recipient,omitempty" json:"recipient,omitempty"`

	ProviderMessageID string    `firestore:"provider_message_id,omitempty" json:"provider_message_id,omitempty"`
	ProviderStatus    string    `firestore:"provider_status,omitempty" json:"provider_status,omitempty"`
	SentAt            time.Time `firestore:"sent_at,omitempty" json:"sent_at,omitzero"`

	// Reason explains a skip, a failure or a cancellation: a stable code and a
	// Portuguese text for staff.
	ReasonCode string `firestore:"reason_code,omitempty" json:"reason_code,omitempty"`
	Reason     string `firestore:"reason,omitempty" json:"reason,omitempty"`
	ErrorCode  int    `firestore:"error_code,omitempty" json:"error_code,omitempty"`

	// Text is the body of a session message (replies, cancellation notices).
	Text string `firestore:"text,omitempty" json:"text,omitempty"`
	// InboundID is the client message a reply answers.
	InboundID string `firestore:"inbound_id,omitempty" json:"inbound_id,omitempty"`

	// What Meta reported after the send: when each status came, and a failure's details.
	ProviderStatusTimes map[string]time.Time `firestore:"provider_status_times,omitempty" json:"provider_status_times,omitempty"`
	ErrorTitle          string               `firestore:"error_title,omitempty" json:"error_title,omitempty"`
	ErrorDetails        string               `firestore:"error_details,omitempty" json:"error_details,omitempty"`
	Pricing             *Pricing             `firestore:"pricing,omitempty" json:"pricing,omitempty"`

	// DryRunRequest is the exact request a dry run would have sent.
	DryRunRequest string `firestore:"dry_run_request,omitempty" json:"dry_run_request,omitempty"`

	Timeline  []TimelineEntry `firestore:"timeline" json:"timeline"`
	CreatedAt time.Time       `firestore:"created_at" json:"created_at"`
	UpdatedAt time.Time       `firestore:"updated_at" json:"updated_at"`
}

// AddEvent appends a timeline entry.
func (j *Job) AddEvent(at time.Time, event, detail string) {
	j.Timeline = append(j.Timeline, TimelineEntry{At: at.UTC(), Event: event, Detail: detail})
	j.UpdatedAt = at.UTC()
}

// Finish moves a job to a final status with its reason.
func (j *Job) Finish(at time.Time, status JobStatus, r Reason) {
	j.Status = status
	j.ReasonCode = r.Code
	j.Reason = r.Text
	j.NextRetryAt = time.Time{}
	j.LeaseUntil = time.Time{}
	j.AddEvent(at, string(status), r.Text)
}

// Pricing is what Meta said a message costs (per-message pricing, or the older
// conversation-based model).
type Pricing struct {
	Billable           bool   `firestore:"billable" json:"billable"`
	Model              string `firestore:"model,omitempty" json:"model,omitempty"`
	Category           string `firestore:"category,omitempty" json:"category,omitempty"`
	Type               string `firestore:"type,omitempty" json:"type,omitempty"`
	ConversationID     string `firestore:"conversation_id,omitempty" json:"conversation_id,omitempty"`
	ConversationOrigin string `firestore:"conversation_origin,omitempty" json:"conversation_origin,omitempty"`
}

// HasEvent reports whether the timeline already holds an event.
func (j *Job) HasEvent(event string) bool {
	for _, e := range j.Timeline {
		if e.Event == event {
			return true
		}
	}
	return false
}

// Reason is why something was not sent (or failed): a stable code for machines and
// a Portuguese sentence for the studio's staff.
type Reason struct {
	Code string
	Text string
}

// E164 matches a phone number in E.164 form (a plus, then 8 to 15 digits).
var E164 = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)

// ValidationError is bad input about one field, said so the caller can fix it.
type ValidationError struct {
	Field   string
	Code    string
	Message string
}

func (e *ValidationError) Error() string { return e.Field + ": " + e.Message }

// Is makes errors.Is(err, ErrInvalid) true for validation errors.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// ConflictError is a request that contradicts what is stored.
type ConflictError struct {
	Code    string
	Message string
}

func (e *ConflictError) Error() string { return e.Message }

// Is makes errors.Is(err, ErrConflict) true for conflict errors.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }
