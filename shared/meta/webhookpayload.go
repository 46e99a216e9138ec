package meta

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// What Meta's webhooks deliver: the envelope and the value of each field Lembra reads.
// Shapes from Meta's webhook reference, one page per field, e.g.
// https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages
// (the others: smb_message_echoes, history, smb_app_state_sync,
// message_template_status_update, message_template_quality_update,
// template_category_update, account_update, phone_number_quality_update); samples are
// in testdata/meta/webhooks with their sources. Unknown fields are ignored, so fields
// Meta adds do not break parsing.

// WebhookEnvelope is the body of one webhook POST.
type WebhookEnvelope struct {
	Object string         `json:"object"` // "whatsapp_business_account"
	Entry  []WebhookEntry `json:"entry"`
}

// WebhookEntry is one entry of a delivery: one WhatsApp Business Account's changes.
type WebhookEntry struct {
	ID      string          `json:"id"`   // the WABA id
	Time    int64           `json:"time"` // Unix seconds; absent on messages entries
	Changes []WebhookChange `json:"changes"`
}

// WebhookChange is one change: the field names the shape of the value.
type WebhookChange struct {
	Field string          `json:"field"`
	Value json.RawMessage `json:"value"`
}

// WebhookMetadata names the business phone number a change is about.
type WebhookMetadata struct {
	DisplayPhoneNumber string `json:"display_phone_number"`
	PhoneNumberID      string `json:"phone_number_id"`
}

// MessagesValue is the value of the messages, smb_message_echoes and history fields.
type MessagesValue struct {
	Metadata WebhookMetadata  `json:"metadata"`
	Contacts []WebhookContact `json:"contacts"`
	Messages []WebhookMessage `json:"messages"`
	Statuses []MessageStatus  `json:"statuses"`
	Echoes   []WebhookMessage `json:"message_echoes"`
	History  []HistoryChunk   `json:"history"`
	Errors   []WebhookError   `json:"errors"`
}

// WebhookContact is the sender of client messages: its WhatsApp id (a phone number)
// and, for clients with a username, its business-scoped user id.
type WebhookContact struct {
	WAID    string         `json:"wa_id"`
	UserID  string         `json:"user_id"`
	Profile ContactProfile `json:"profile"`
}

// ContactProfile is the name the client set on WhatsApp.
type ContactProfile struct {
	Name string `json:"name"`
}

// WebhookMessage is a client message, an echo of what staff sent from the WhatsApp
// Business App, or a message of a history sync.
type WebhookMessage struct {
	From           string              `json:"from"`
	FromUserID     string              `json:"from_user_id"`
	To             string              `json:"to"`
	ID             string              `json:"id"` // the wamid
	Timestamp      string              `json:"timestamp"`
	Type           string              `json:"type"`
	Context        *MessageContext     `json:"context"`
	Text           *MessageText        `json:"text"`
	Button         *MessageButton      `json:"button"`
	Interactive    *MessageInteractive `json:"interactive"`
	Image          *MessageImage       `json:"image"`
	Reaction       *MessageReaction    `json:"reaction"`
	HistoryContext *HistoryContext     `json:"history_context"`
}

// MessageContext names the message a client message answers (a reply, a button tap).
type MessageContext struct {
	From string `json:"from"`
	ID   string `json:"id"`
}

// MessageText is a text message's body.
type MessageText struct {
	Body string `json:"body"`
}

// MessageButton is a tap on a template's quick-reply button.
type MessageButton struct {
	Payload string `json:"payload"`
	Text    string `json:"text"`
}

// MessageInteractive is the answer to an interactive message: a reply button or a list row.
type MessageInteractive struct {
	Type        string            `json:"type"`
	ButtonReply *InteractiveReply `json:"button_reply"`
	ListReply   *InteractiveReply `json:"list_reply"`
}

// InteractiveReply is the id and title of the button or row the client chose.
type InteractiveReply struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// MessageImage is an image message (its caption; the media is not fetched).
type MessageImage struct {
	Caption string `json:"caption"`
}

// MessageReaction is an emoji reaction to a message.
type MessageReaction struct {
	MessageID string `json:"message_id"`
	Emoji     string `json:"emoji"`
}

// HistoryContext is the status a history message had on the phone.
type HistoryContext struct {
	Status string `json:"status"`
}

// MessageStatus is one status of a message Lembra sent: sent, delivered, read,
// played or failed.
type MessageStatus struct {
	ID                    string              `json:"id"` // the wamid
	Status                string              `json:"status"`
	Timestamp             string              `json:"timestamp"`
	RecipientID           string              `json:"recipient_id"`
	BizOpaqueCallbackData string              `json:"biz_opaque_callback_data"`
	Errors                []WebhookError      `json:"errors"`
	Pricing               *StatusPricing      `json:"pricing"`
	Conversation          *StatusConversation `json:"conversation"`
}

// StatusPricing is what Meta says the message costs.
type StatusPricing struct {
	Billable     bool   `json:"billable"`
	PricingModel string `json:"pricing_model"`
	Category     string `json:"category"`
	Type         string `json:"type"`
}

// StatusConversation is the conversation a message was billed in (the older,
// conversation-based pricing).
type StatusConversation struct {
	ID     string `json:"id"`
	Origin struct {
		Type string `json:"type"`
	} `json:"origin"`
}

// WebhookError is an error Meta reports in a webhook (a failed status, a refused history sync).
type WebhookError struct {
	Code      int    `json:"code"`
	Title     string `json:"title"`
	Message   string `json:"message"`
	ErrorData struct {
		Details string `json:"details"`
	} `json:"error_data"`
}

// HistoryChunk is one chunk of a history sync after coexistence onboarding.
type HistoryChunk struct {
	Metadata struct {
		Phase      int `json:"phase"`
		ChunkOrder int `json:"chunk_order"`
		Progress   int `json:"progress"`
	} `json:"metadata"`
	Threads []HistoryThread `json:"threads"`
	Errors  []WebhookError  `json:"errors"`
}

// HistoryThread is the history of one conversation; its id is the client's number.
type HistoryThread struct {
	ID       string           `json:"id"`
	Messages []WebhookMessage `json:"messages"`
}

// StateSyncValue is the value of smb_app_state_sync: contacts of the WhatsApp
// Business App's address book.
type StateSyncValue struct {
	Metadata  WebhookMetadata `json:"metadata"`
	StateSync []StateSyncItem `json:"state_sync"`
}

// StateSyncItem is one contact added, changed or removed.
type StateSyncItem struct {
	Type    string `json:"type"`   // "contact"
	Action  string `json:"action"` // "add" or "remove"
	Contact struct {
		FullName    string `json:"full_name"`
		FirstName   string `json:"first_name"`
		PhoneNumber string `json:"phone_number"`
	} `json:"contact"`
	Metadata struct {
		Timestamp string `json:"timestamp"`
	} `json:"metadata"`
}

// TemplateStatusValue is a message_template_status_update.
type TemplateStatusValue struct {
	Event    string          `json:"event"`
	ID       json.RawMessage `json:"message_template_id"`
	Name     string          `json:"message_template_name"`
	Language string          `json:"message_template_language"`
	Reason   *string         `json:"reason"`
	Category string          `json:"message_template_category"`
}

// AccountValue is the value of account_update and phone_number_quality_update.
type AccountValue struct {
	Event                            string          `json:"event"`
	PhoneNumber                      string          `json:"phone_number"`
	DisplayPhoneNumber               string          `json:"display_phone_number"`
	CurrentLimit                     string          `json:"current_limit"`
	MaxDailyConversationsPerBusiness json.RawMessage `json:"max_daily_conversations_per_business"` // a tier name or a number (Tier)
	WABAInfo                         *WABAInfo       `json:"waba_info"`
	DisconnectionInfo                json.RawMessage `json:"disconnection_info"`
	BanInfo                          json.RawMessage `json:"ban_info"`
	ViolationInfo                    json.RawMessage `json:"violation_info"`
	// RestrictionInfo is a list of {restriction_type, expiration} (some copies of
	// Meta's payload show a single object; both are read).
	RestrictionInfo json.RawMessage `json:"restriction_info"`
}

// Tier is a quality update's messaging tier as Meta wrote it: max_daily_conversations_per_business
// ("TIER_2K", or a number such as 2000, as business_capability_update carries it),
// else current_limit; "" when neither is there.
func (v AccountValue) Tier() string {
	if s := rawScalar(v.MaxDailyConversationsPerBusiness); s != "" {
		return s
	}
	return v.CurrentLimit
}

// WABAInfo names the WhatsApp Business Account an account_update is about.
type WABAInfo struct {
	WABAID string `json:"waba_id"`
}

// TemplateQualityValue is a message_template_quality_update (Meta reference:
// https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/message_template_quality_update).
type TemplateQualityValue struct {
	Previous string          `json:"previous_quality_score"`
	New      string          `json:"new_quality_score"`
	ID       json.RawMessage `json:"message_template_id"`
	Name     string          `json:"message_template_name"`
	Language string          `json:"message_template_language"`
}

// TemplateCategoryValue is a template_category_update (Meta reference:
// https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/template_category_update):
// an announced change carries correct_category and category_update_timestamp (with
// new_category the current one); a completed change carries previous_category and new_category.
type TemplateCategoryValue struct {
	ID              json.RawMessage `json:"message_template_id"`
	Name            string          `json:"message_template_name"`
	Language        string          `json:"message_template_language"`
	Previous        string          `json:"previous_category"`
	New             string          `json:"new_category"`
	Correct         string          `json:"correct_category"`
	UpdateTimestamp json.RawMessage `json:"category_update_timestamp"` // Unix seconds (a number; a string is read too)
}

// UpdateTime is when an announced category change takes effect; false when the value
// carries no readable time.
func (v TemplateCategoryValue) UpdateTime() (time.Time, bool) {
	n, ok := FlexUnix(v.UpdateTimestamp)
	if !ok {
		return time.Time{}, false
	}
	return time.Unix(n, 0).UTC(), true
}

// FlexUnix reads Unix seconds written as a JSON number or string; false for anything
// else, zero or negative.
func FlexUnix(raw json.RawMessage) (int64, bool) {
	n, err := strconv.ParseInt(strings.Trim(string(raw), `"`), 10, 64)
	return n, err == nil && n > 0
}

// WebhookTime reads Meta's string timestamps (Unix seconds); fallback when there is
// none or it is unreadable.
func WebhookTime(s string, fallback time.Time) time.Time {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return fallback
	}
	return time.Unix(n, 0).UTC()
}

// Readable is what a person would read of a message: its text, the label of the
// button tapped, the title of the row chosen, an image's caption, a reaction's emoji.
func (m WebhookMessage) Readable() string {
	switch {
	case m.Text != nil:
		return m.Text.Body
	case m.Button != nil:
		return m.Button.Text
	case m.Interactive != nil && m.Interactive.ButtonReply != nil:
		return m.Interactive.ButtonReply.Title
	case m.Interactive != nil && m.Interactive.ListReply != nil:
		return m.Interactive.ListReply.Title
	case m.Image != nil:
		return m.Image.Caption
	case m.Reaction != nil:
		return m.Reaction.Emoji
	}
	return ""
}

// CapabilityValue is a business_capability_update: the business portfolio's messaging
// limit and phone-number caps changed (Meta reference:
// https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/business_capability_update).
// Meta's reference types max_daily_conversations_per_business as an integer but lists
// tier names (TIER_250 … TIER_UNLIMITED), and its example carries 2000; the older
// max_daily_conversation_per_phone is an integer, -1 for unlimited (removed in February
// 2026). Both are kept raw and read by Limit.
type CapabilityValue struct {
	MaxDailyConversationsPerBusiness json.RawMessage `json:"max_daily_conversations_per_business"`
	MaxDailyConversationPerPhone     json.RawMessage `json:"max_daily_conversation_per_phone"`
	MaxPhoneNumbersPerBusiness       json.RawMessage `json:"max_phone_numbers_per_business"`
	MaxPhoneNumbersPerWABA           json.RawMessage `json:"max_phone_numbers_per_waba"`
}

// Limit is the messaging limit as Meta wrote it ("TIER_2K", "2000", "-1"):
// max_daily_conversations_per_business, else max_daily_conversation_per_phone; "" when
// neither is there.
func (v CapabilityValue) Limit() string {
	for _, raw := range []json.RawMessage{v.MaxDailyConversationsPerBusiness, v.MaxDailyConversationPerPhone} {
		if s := rawScalar(raw); s != "" {
			return s
		}
	}
	return ""
}

// rawScalar reads a JSON string or number as text ("" for anything else).
func rawScalar(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}
