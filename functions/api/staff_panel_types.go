package api

import "time"

// The Mensagens panel's answers for one job, one conversation and the daily chart
// (staff_panel.go). As in staff_types.go, times are UTC RFC 3339, *_local fields are
// dd/mm/aaaa HH:mm in the tenant's zone, and *label fields are Portuguese.

// StaffJobResponse is the answer of GET /v1/staff/jobs/{id}: the job's card as the
// panel lists it, its timeline in event order with Portuguese labels, and its attempts.
// A job whose document does not decode answers its card (malformed) with an empty
// timeline and no attempts.
type StaffJobResponse struct {
	Card     MessageCard     `json:"card"`
	Timeline []TimelineEvent `json:"timeline"` // never null
	// TimelineOmitted counts the events dropped between the first and the latest kept.
	TimelineOmitted int            `json:"timeline_omitted,omitempty"`
	Attempts        []StaffAttempt `json:"attempts"` // never null
	AttemptCount    int            `json:"attempt_count"`
	// Actions are the owner's actions the job allows now (dispatch.AllowedActions: fail,
	// discard, retry, send_now); empty for staff and for a malformed job.
	Actions []string `json:"actions"` // never null
}

// StaffAttempt is one try at sending a job as staff read it: the booking API's Attempt
// plus its time in the tenant's zone and its outcome in Portuguese.
type StaffAttempt struct {
	N       int       `json:"n"`
	At      time.Time `json:"at"`
	AtLocal string    `json:"at_local"`
	// Outcome: sent, retry, failed, unknown, settled_by_webhook, late (dispatch.Record).
	Outcome      string `json:"outcome"`
	OutcomeLabel string `json:"outcome_label"` // ptbr.AttemptOutcomeLabel
	HTTPStatus   int    `json:"http_status,omitempty"`
	ErrorCode    int    `json:"error_code,omitempty"`
	Error        string `json:"error,omitempty"`
}

// TimelineEvent is one event of a job's life as staff read it.
type TimelineEvent struct {
	At      time.Time `json:"at"`
	AtLocal string    `json:"at_local"`
	// Kind: created, queued, enqueue_failed, sent, delivered, read, failed, skipped,
	// retry, retry_scheduled, unknown, client_reply, or an event this version does not
	// know (labelled "Evento: <kind>").
	Kind   string `json:"kind"`
	Label  string `json:"label"`
	Detail string `json:"detail,omitempty"`
}

// ConversationResponse is the answer of GET /v1/staff/conversations/{wa_id}: a client's
// messages, whoever sent them, in time order (the newest maxConversationMessages), with
// the state of the 24-hour customer-service window.
type ConversationResponse struct {
	WAID string `json:"wa_id"`
	// ClientName is the client's name on their latest appointment, else their WhatsApp
	// profile name, else "".
	ClientName string             `json:"client_name"`
	Window     ConversationWindow `json:"window"`
	Messages   []ConversationItem `json:"messages"` // never null, oldest first
	// OptOut is the client's opt-out of automatic messages (absent: never opted out).
	OptOut *ConversationOptOut `json:"opt_out,omitempty"`
}

// ConversationWindow is whether free-form messages may be sent to the client now.
type ConversationWindow struct {
	Open bool `json:"open"`
	// Until is when the window closes (24 hours after the client's last message);
	// absent when the client never wrote.
	Until      time.Time `json:"until,omitzero"`
	UntilLocal string    `json:"until_local,omitempty"`
	// LastClientMessageAt is the client's last message, which opened the window.
	LastClientMessageAt      time.Time `json:"last_client_message_at,omitzero"`
	LastClientMessageAtLocal string    `json:"last_client_message_at_local,omitempty"`
	Label                    string    `json:"label"`
}

// ConversationItem is one message of a conversation.
type ConversationItem struct {
	ID        string    `json:"id"` // Meta's message id, or the job id of a message not yet sent
	At        time.Time `json:"at"`
	AtLocal   string    `json:"at_local"`
	Direction string    `json:"direction"` // in (the client wrote) or out
	// Source: client, automation (Lembra's jobs), manual (sent from the WhatsApp
	// Business App), history (backfilled when the number joined).
	Source      string `json:"source"`
	SourceLabel string `json:"source_label"`
	Type        string `json:"type"` // Meta's message type (text, button, image, reaction, …) or the job's type
	// Text: the body; a button's text; a media caption or "[foto]" (and the like);
	// "reagiu com 👍" for a reaction; for a template job, what the template said
	// (TemplateJobText), e.g. "Aviso de agendamento: Design de sobrancelhas em
	// 02/12/2026 às 14:00 — Studio Jana".
	Text string `json:"text"`
	// TemplateName is a template job's template.
	TemplateName  string `json:"template_name,omitempty"`
	Status        string `json:"status,omitempty"`
	StatusLabel   string `json:"status_label,omitempty"`
	JobID         string `json:"job_id,omitempty"`
	AppointmentID string `json:"appointment_id,omitempty"`
}

// DailyMessagesResponse is the answer of GET /v1/staff/messages/daily: one entry per
// day of the tenant's zone, oldest first, ending today.
type DailyMessagesResponse struct {
	TimeZone string          `json:"time_zone"`
	Days     []DailyMessages `json:"days"`
}

// DailyMessages counts one day's jobs, each number by its own moment (a message sent
// and read the same day counts in sent, delivered and read):
// sent: Meta accepted the send that day; delivered, read: Meta reported it that day;
// failed: the job failed (its final change) that day.
type DailyMessages struct {
	Date      string `json:"date"`       // aaaa-mm-dd
	DateLocal string `json:"date_local"` // dd/mm/aaaa
	Sent      int    `json:"sent"`
	Delivered int    `json:"delivered"`
	Read      int    `json:"read"`
	Failed    int    `json:"failed"`
}
