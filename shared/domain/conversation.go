package domain

import "time"

// Window is how long a client's message lets the business send free-form messages.
const Window = 24 * time.Hour

// Message sources in a conversation.
const (
	SourceClient     = "client"     // the client wrote (webhook messages)
	SourceAutomation = "automation" // Lembra sent it
	SourceManual     = "manual"     // staff sent it from the WhatsApp Business App (echo)
	SourceHistory    = "history"    // backfilled at coexistence onboarding
)

// Conversation is a tenant's ledger of one client (by WhatsApp id).
type Conversation struct {
	WAID   string `firestore:"wa_id"`
	UserID string `firestore:"user_id,omitempty"`
	Name   string `firestore:"name,omitempty"`
	// LastInboundAt opens the 24-hour customer-service window. History never moves it.
	LastInboundAt time.Time `firestore:"last_inbound_at,omitempty"`
	LastInboundID string    `firestore:"last_inbound_id,omitempty"`
	LastMessageAt time.Time `firestore:"last_message_at,omitempty"`
	// LastReplyAt is when the latest answer to one of the client's taps is scheduled
	// to go out: the next answer is spaced after it (Meta's pair rate).
	LastReplyAt time.Time `firestore:"last_reply_at,omitempty"`
	// OptOut is the client's opt-out of the tenant's automatic messages (optout.go).
	OptOut *OptOut `firestore:"opt_out,omitempty"`
}

// ConversationMessage is one message of a conversation, whoever sent it.
type ConversationMessage struct {
	ID            string    `firestore:"-"`
	Direction     string    `firestore:"direction"` // in, out
	Source        string    `firestore:"source"`
	Type          string    `firestore:"type"`
	Text          string    `firestore:"text,omitempty"`
	At            time.Time `firestore:"at"`
	AppointmentID string    `firestore:"appointment_id,omitempty"`
	JobID         string    `firestore:"job_id,omitempty"`
	ContextID     string    `firestore:"context_id,omitempty"`
	Status        string    `firestore:"status,omitempty"`
}

// Contact is an entry of the tenant's WhatsApp Business App address book.
type Contact struct {
	Phone     string    `firestore:"phone"`
	FullName  string    `firestore:"full_name,omitempty"`
	FirstName string    `firestore:"first_name,omitempty"`
	Removed   bool      `firestore:"removed"`
	UpdatedAt time.Time `firestore:"updated_at"`
}

// Inbound is a client message as the webhook carried it.
type Inbound struct {
	ID        string
	WAID      string // may be empty for username users; UserID then identifies them
	UserID    string
	Name      string
	At        time.Time
	Type      string
	Text      string // body, button text, or reply title
	Payload   string // button payload or interactive reply id
	ContextID string // the wamid of our message it answers
}

// Identity is the key of the client's conversation.
func (in Inbound) Identity() string {
	if in.WAID != "" {
		return in.WAID
	}
	return in.UserID
}

// WindowOpen reports whether the client's last message, at last, still lets the
// business send free-form messages at now.
func WindowOpen(last, now time.Time) bool {
	return !last.IsZero() && !now.Before(last) && now.Sub(last) < Window
}
