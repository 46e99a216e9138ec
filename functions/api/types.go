package api

import (
	"time"

	"github.com/lembra-app/lembra/shared/domain"
)

// The API's own request and response types. Their JSON field names are the API's
// contract (README "Booking API", docs/openapi.json; TestOpenAPIMatchesTypes keeps the
// document in step with these tags); the storage structs in shared/domain can change
// without changing what a booking system or the staff dashboard reads.
//
// Left out of the answers on purpose (stored, but internal):
//   - the appointment's and jobs' tenant_id: the key already names the tenant, and the
//     id is the stored document's path;
//   - voucher_token: only voucher_url is answered (the token is the secret part of it,
//     and the link is what staff and clients use);
//   - WhatsApp message ids (a job's provider_message_id, window_inbound_id and
//     inbound_id, the appointment's last_inbound_id): correlation keys between Lembra
//     and Meta that nothing outside needs, and that are never logged raw either;
//   - a job's appointment_starts_at (a copy of the appointment's starts_at kept for the
//     reminder scan) and lease_until (the dispatch claim).
//
// Kept: dry_run_request, the exact Graph API request body a dry run would have sent
// (as JSON text), since showing it is what the dry-run mode is for. It therefore shows
// the recipient and biz_opaque_callback_data (tenant and job id), and no credential (the
// access token travels in a header and is never stored).

// CreateAppointmentRequest is the body of POST /v1/appointments.
type CreateAppointmentRequest struct {
	ExternalID  string `json:"external_id"`
	ClientName  string `json:"client_name"`
	ClientPhone string `json:"client_phone"`
	Service     string `json:"service"`
	StartsAt    string `json:"starts_at"`
	Location    string `json:"location,omitempty"`
}

// RescheduleAppointmentRequest is the body of PATCH /v1/appointments/{id}.
type RescheduleAppointmentRequest struct {
	StartsAt string `json:"starts_at"`
}

// CancelAppointmentRequest is the body of POST /v1/appointments/{id}/cancel.
// NotifyClient is a pointer so that a missing value is told from false.
type CancelAppointmentRequest struct {
	NotifyClient *bool `json:"notify_client"`
}

// AppointmentResponse is the answer of every appointment route.
type AppointmentResponse struct {
	Appointment Appointment `json:"appointment"`
	Jobs        []Job       `json:"jobs"` // never null: [] when there are none
}

// Appointment is an appointment as the API shows it. Times are UTC, RFC 3339;
// StartsAtLocal is the start in the tenant's time zone, with its offset.
type Appointment struct {
	ID              string    `json:"id"`
	ExternalID      string    `json:"external_id"`
	ClientName      string    `json:"client_name"`
	ClientPhone     string    `json:"client_phone"`
	Service         string    `json:"service"`
	Location        string    `json:"location"`
	StartsAt        time.Time `json:"starts_at"`
	StartsAtLocal   string    `json:"starts_at_local"`
	Status          string    `json:"status"`
	ScheduleVersion int       `json:"schedule_version"`
	VoucherURL      string    `json:"voucher_url,omitempty"`
	ConfirmedAt     time.Time `json:"confirmed_at,omitzero"`
	CanceledAt      time.Time `json:"canceled_at,omitzero"`
	StaffFlag       string    `json:"staff_flag,omitempty"`
	StaffFlagAt     time.Time `json:"staff_flag_at,omitzero"`
	LastInboundAt   time.Time `json:"last_inbound_at,omitzero"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// Job is one message Lembra owes the client, as the API shows it.
type Job struct {
	ID              string    `json:"id"`
	AppointmentID   string    `json:"appointment_id"`
	Type            string    `json:"type"`
	Status          string    `json:"status"`
	ScheduledFor    time.Time `json:"scheduled_for"`
	ScheduleVersion int       `json:"schedule_version"`
	// WindowInboundAt is the client message the 24-hour window decision rested on.
	WindowInboundAt time.Time `json:"window_inbound_at,omitzero"`

	DeliveryMode     string `json:"delivery_mode,omitempty"`
	TemplateName     string `json:"template_name,omitempty"`
	TemplateLanguage string `json:"template_language,omitempty"`
	Recipient        string `json:"recipient,omitempty"`
	Text             string `json:"text,omitempty"`

	// Attempts lists the first and the latest attempts; AttemptsOmitted counts those
	// dropped between them, AttemptCount all of them.
	Attempts        []Attempt `json:"attempts"` // never null
	AttemptsOmitted int       `json:"attempts_omitted,omitempty"`
	AttemptCount    int       `json:"attempt_count"`
	NextRetryAt     time.Time `json:"next_retry_at,omitzero"`

	ProviderStatus      string               `json:"provider_status,omitempty"`
	ProviderStatusTimes map[string]time.Time `json:"provider_status_times,omitempty"`
	SentAt              time.Time            `json:"sent_at,omitzero"`
	Pricing             *Pricing             `json:"pricing,omitempty"`

	ReasonCode   string `json:"reason_code,omitempty"`
	Reason       string `json:"reason,omitempty"`
	ErrorCode    int    `json:"error_code,omitempty"`
	ErrorTitle   string `json:"error_title,omitempty"`
	ErrorDetails string `json:"error_details,omitempty"`

	DryRunRequest string `json:"dry_run_request,omitempty"`

	// Timeline is in the order events happened, the first and the latest entries;
	// TimelineOmitted counts those dropped between them.
	Timeline        []TimelineEntry `json:"timeline"` // never null
	TimelineOmitted int             `json:"timeline_omitted,omitempty"`
	CreatedAt       time.Time       `json:"created_at"`
	UpdatedAt       time.Time       `json:"updated_at"`
}

// Attempt is one try at sending a job.
type Attempt struct {
	N          int       `json:"n"`
	At         time.Time `json:"at"`
	Outcome    string    `json:"outcome"`
	HTTPStatus int       `json:"http_status,omitempty"`
	ErrorCode  int       `json:"error_code,omitempty"`
	Error      string    `json:"error,omitempty"`
}

// TimelineEntry is one event in a job's life.
type TimelineEntry struct {
	At     time.Time `json:"at"`
	Event  string    `json:"event"`
	Detail string    `json:"detail,omitempty"`
}

// Pricing is what Meta said a message costs.
type Pricing struct {
	Billable           bool   `json:"billable"`
	Model              string `json:"model,omitempty"`
	Category           string `json:"category,omitempty"`
	Type               string `json:"type,omitempty"`
	ConversationID     string `json:"conversation_id,omitempty"`
	ConversationOrigin string `json:"conversation_origin,omitempty"`
}

// NewAppointmentResponse converts a stored appointment and its jobs. loc is the tenant's
// time zone; voucherBaseURL (no trailing slash) makes voucher_url, and "" leaves it out.
func NewAppointmentResponse(apt *domain.Appointment, jobs []*domain.Job, loc *time.Location, voucherBaseURL string) AppointmentResponse {
	out := AppointmentResponse{Appointment: NewAppointment(apt, loc, voucherBaseURL), Jobs: make([]Job, 0, len(jobs))}
	for _, j := range jobs {
		out.Jobs = append(out.Jobs, NewJob(j))
	}
	return out
}

// NewAppointment converts a stored appointment.
func NewAppointment(apt *domain.Appointment, loc *time.Location, voucherBaseURL string) Appointment {
	a := Appointment{
		ID: apt.ID, ExternalID: apt.ExternalID, ClientName: apt.ClientName, ClientPhone: apt.ClientPhone,
		Service: apt.Service, Location: apt.Location,
		StartsAt: apt.StartsAt.UTC(), StartsAtLocal: apt.StartsAt.In(loc).Format(time.RFC3339),
		Status: string(apt.Status), ScheduleVersion: apt.ScheduleVersion,
		ConfirmedAt: utc(apt.ConfirmedAt), CanceledAt: utc(apt.CanceledAt),
		StaffFlag: apt.StaffFlag, StaffFlagAt: utc(apt.StaffFlagAt), LastInboundAt: utc(apt.LastInboundAt),
		CreatedAt: utc(apt.CreatedAt), UpdatedAt: utc(apt.UpdatedAt),
	}
	if voucherBaseURL != "" && apt.VoucherToken != "" {
		a.VoucherURL = voucherBaseURL + "/" + apt.VoucherToken
	}
	return a
}

// NewJob converts a stored job.
func NewJob(j *domain.Job) Job {
	out := Job{
		ID: j.ID, AppointmentID: j.AppointmentID, Type: string(j.Type), Status: string(j.Status),
		ScheduledFor: utc(j.ScheduledFor), ScheduleVersion: j.ScheduleVersion, WindowInboundAt: utc(j.WindowInboundAt),
		DeliveryMode: string(j.DeliveryMode), TemplateName: j.TemplateName, TemplateLanguage: j.TemplateLanguage,
		Recipient: j.Recipient, Text: j.Text,
		Attempts: make([]Attempt, 0, len(j.Attempts)), AttemptsOmitted: j.AttemptsOmitted, AttemptCount: j.AttemptCount(),
		NextRetryAt:    utc(j.NextRetryAt),
		ProviderStatus: j.ProviderStatus, SentAt: utc(j.SentAt),
		ReasonCode: j.ReasonCode, Reason: j.Reason, ErrorCode: j.ErrorCode, ErrorTitle: j.ErrorTitle, ErrorDetails: j.ErrorDetails,
		DryRunRequest: j.DryRunRequest,
		Timeline:      make([]TimelineEntry, 0, len(j.Timeline)), TimelineOmitted: j.TimelineOmitted,
		CreatedAt: utc(j.CreatedAt), UpdatedAt: utc(j.UpdatedAt),
	}
	for _, a := range j.Attempts {
		out.Attempts = append(out.Attempts, Attempt{N: a.N, At: utc(a.At), Outcome: a.Outcome, HTTPStatus: a.HTTPStatus, ErrorCode: a.ErrorCode, Error: a.Error})
	}
	for _, e := range j.Timeline {
		out.Timeline = append(out.Timeline, TimelineEntry{At: utc(e.At), Event: e.Event, Detail: e.Detail})
	}
	if len(j.ProviderStatusTimes) > 0 {
		out.ProviderStatusTimes = make(map[string]time.Time, len(j.ProviderStatusTimes))
		for k, v := range j.ProviderStatusTimes {
			out.ProviderStatusTimes[k] = utc(v)
		}
	}
	if p := j.Pricing; p != nil {
		out.Pricing = &Pricing{Billable: p.Billable, Model: p.Model, Category: p.Category, Type: p.Type,
			ConversationID: p.ConversationID, ConversationOrigin: p.ConversationOrigin}
	}
	return out
}

// utc shows a time in UTC; the zero time stays zero (and is left out of the answer).
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}
