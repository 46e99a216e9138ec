package api

import "time"

// The staff dashboard's read answers (the Agenda and the Mensagens panel). Like types.go,
// their JSON names are the contract (docs/openapi.json, TestOpenAPIMatchesTypes). Times
// are UTC RFC 3339; every *_local field is the same time in the tenant's zone as
// dd/mm/aaaa HH:mm, and every *label field is Portuguese, as staff read it.

// AgendaResponse is the answer of GET /v1/staff/agenda: one day's appointments in the
// tenant's zone, ordered by start.
type AgendaResponse struct {
	Date         string              `json:"date"`       // aaaa-mm-dd, the tenant's day
	DateLocal    string              `json:"date_local"` // dd/mm/aaaa
	TimeZone     string              `json:"time_zone"`
	Appointments []AgendaAppointment `json:"appointments"` // never null
}

// AgendaAppointment is one appointment of the Agenda with the state of its messages.
type AgendaAppointment struct {
	ID            string    `json:"id"`
	ClientName    string    `json:"client_name"`
	ClientPhone   string    `json:"client_phone"`
	Service       string    `json:"service"`
	StartsAt      time.Time `json:"starts_at"`
	StartsAtLocal string    `json:"starts_at_local"` // dd/mm/aaaa HH:mm
	Status        string    `json:"status"`          // scheduled, confirmed, canceled
	StatusLabel   string    `json:"status_label"`
	// ClientAnswer is the client's latest answer by button: confirmed,
	// reschedule_requested or talk_requested; absent when the client has not answered.
	ClientAnswer      string       `json:"client_answer,omitempty"`
	ClientAnswerLabel string       `json:"client_answer_label,omitempty"`
	ClientAnswerAt    time.Time    `json:"client_answer_at,omitzero"`
	Notice            MessageState `json:"notice"`   // the booking notice
	Reminder          MessageState `json:"reminder"` // the 24-hour reminder of the current time
	// CancelNotice is the cancellation notice, absent when none was asked for.
	CancelNotice *MessageState `json:"cancel_notice,omitempty"`
	// WhatsAppURL opens the studio's WhatsApp (Business App) on a chat with the client,
	// a Portuguese text about the appointment prefilled: https://wa.me/<digits>?text=…
	WhatsAppURL string `json:"whatsapp_url"`
	// CanCancel: the appointment is not canceled yet.
	CanCancel bool `json:"can_cancel"`
}

// MessageState is where one of an appointment's messages is, as the Agenda's ticks show it.
type MessageState struct {
	// State: not_sent (Reason says why), scheduled (waits for At), pending (queued, being
	// sent, waiting for a retry at At or for Meta's status), sent, delivered, read (At:
	// when Meta said so), failed (Reason says why).
	State   string    `json:"state"`
	Label   string    `json:"label"`
	JobID   string    `json:"job_id,omitempty"`
	At      time.Time `json:"at,omitzero"`
	AtLocal string    `json:"at_local,omitempty"`
	Reason  string    `json:"reason,omitempty"`
}

// StaffAppointmentResponse is the answer of GET /v1/staff/appointments/{id}: the
// Agenda's view of the appointment, the appointment itself and every job with its
// attempts and timeline.
type StaffAppointmentResponse struct {
	Agenda      AgendaAppointment `json:"agenda"`
	Appointment Appointment       `json:"appointment"`
	Jobs        []Job             `json:"jobs"` // never null
	// Window is whether a cancellation notice could go out now.
	Window CancelWindow `json:"window"`
}

// MessagesResponse is one page of GET /v1/staff/messages.
type MessagesResponse struct {
	View     string        `json:"view"` // queue or history
	Messages []MessageCard `json:"messages"`
	// NextCursor continues the list (send it back as cursor); absent on the last page.
	NextCursor string `json:"next_cursor,omitempty"`
}

// MessageCard is one job as the Mensagens panel lists it.
type MessageCard struct {
	JobID         string `json:"job_id"`
	AppointmentID string `json:"appointment_id,omitempty"`
	// ClientName is the appointment's client, or "agendamento não encontrado" when the
	// job names none or a missing one.
	ClientName  string `json:"client_name"`
	ClientPhone string `json:"client_phone,omitempty"`
	Type        string `json:"type"`
	TypeLabel   string `json:"type_label"` // "tipo desconhecido" for an unknown type
	Status      string `json:"status"`
	StatusLabel string `json:"status_label"`
	// A template send names its template; a free-form message carries its text.
	TemplateName     string `json:"template_name,omitempty"`
	TemplateLanguage string `json:"template_language,omitempty"`
	Text             string `json:"text,omitempty"`
	ProviderStatus   string `json:"provider_status,omitempty"`
	ReasonCode       string `json:"reason_code,omitempty"`
	Reason           string `json:"reason,omitempty"`

	ScheduledFor      time.Time `json:"scheduled_for,omitzero"`
	ScheduledForLocal string    `json:"scheduled_for_local,omitempty"`
	NextRetryAtLocal  string    `json:"next_retry_at_local,omitempty"`
	SentAtLocal       string    `json:"sent_at_local,omitempty"`
	UpdatedAt         time.Time `json:"updated_at,omitzero"`
	UpdatedAtLocal    string    `json:"updated_at_local,omitempty"`
	// Malformed: the stored document could not be read in full; only its id, type and
	// status are shown.
	Malformed bool `json:"malformed,omitempty"`
}
