package events

import (
	"encoding/json"
	"strconv"
	"time"
)

// The webhook envelope (meta-notes §1.4). Unknown fields are ignored, so new fields
// Meta adds do not break parsing.
type envelope struct {
	Object string  `json:"object"`
	Entry  []entry `json:"entry"`
}

type entry struct {
	ID      string   `json:"id"` // the WABA id
	Time    int64    `json:"time"`
	Changes []change `json:"changes"`
}

type change struct {
	Field string          `json:"field"`
	Value json.RawMessage `json:"value"`
}

type metadata struct {
	DisplayPhoneNumber string `json:"display_phone_number"`
	PhoneNumberID      string `json:"phone_number_id"`
}

// messagesValue is the value of the messages, smb_message_echoes and history fields.
type messagesValue struct {
	Metadata metadata       `json:"metadata"`
	Contacts []contact      `json:"contacts"`
	Messages []message      `json:"messages"`
	Statuses []status       `json:"statuses"`
	Echoes   []message      `json:"message_echoes"`
	History  []historyChunk `json:"history"`
	Errors   []metaError    `json:"errors"`
}

type contact struct {
	WAID    string `json:"wa_id"`
	UserID  string `json:"user_id"`
	Profile struct {
		Name string `json:"name"`
	} `json:"profile"`
}

type message struct {
	From       string `json:"from"`
	FromUserID string `json:"from_user_id"`
	To         string `json:"to"`
	ID         string `json:"id"`
	Timestamp  string `json:"timestamp"`
	Type       string `json:"type"`
	Context    *struct {
		From string `json:"from"`
		ID   string `json:"id"`
	} `json:"context"`
	Text *struct {
		Body string `json:"body"`
	} `json:"text"`
	Button *struct {
		Payload string `json:"payload"`
		Text    string `json:"text"`
	} `json:"button"`
	Interactive *struct {
		Type        string `json:"type"`
		ButtonReply *struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"button_reply"`
		ListReply *struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"list_reply"`
	} `json:"interactive"`
	Image *struct {
		Caption string `json:"caption"`
	} `json:"image"`
	Reaction *struct {
		MessageID string `json:"message_id"`
		Emoji     string `json:"emoji"`
	} `json:"reaction"`
	HistoryContext *struct {
		Status string `json:"status"`
	} `json:"history_context"`
}

type status struct {
	ID                    string      `json:"id"`
	Status                string      `json:"status"`
	Timestamp             string      `json:"timestamp"`
	RecipientID           string      `json:"recipient_id"`
	BizOpaqueCallbackData string      `json:"biz_opaque_callback_data"`
	Errors                []metaError `json:"errors"`
	Pricing               *struct {
		Billable     bool   `json:"billable"`
		PricingModel string `json:"pricing_model"`
		Category     string `json:"category"`
		Type         string `json:"type"`
	} `json:"pricing"`
	Conversation *struct {
		ID     string `json:"id"`
		Origin struct {
			Type string `json:"type"`
		} `json:"origin"`
	} `json:"conversation"`
}

type metaError struct {
	Code      int    `json:"code"`
	Title     string `json:"title"`
	Message   string `json:"message"`
	ErrorData struct {
		Details string `json:"details"`
	} `json:"error_data"`
}

type historyChunk struct {
	Metadata struct {
		Phase      int `json:"phase"`
		ChunkOrder int `json:"chunk_order"`
		Progress   int `json:"progress"`
	} `json:"metadata"`
	Threads []struct {
		ID       string    `json:"id"`
		Messages []message `json:"messages"`
	} `json:"threads"`
	Errors []metaError `json:"errors"`
}

type stateSyncValue struct {
	Metadata  metadata `json:"metadata"`
	StateSync []struct {
		Type    string `json:"type"`
		Action  string `json:"action"`
		Contact struct {
			FullName    string `json:"full_name"`
			FirstName   string `json:"first_name"`
			PhoneNumber string `json:"phone_number"`
		} `json:"contact"`
		Metadata struct {
			Timestamp string `json:"timestamp"`
		} `json:"metadata"`
	} `json:"state_sync"`
}

type templateStatusValue struct {
	Event    string          `json:"event"`
	ID       json.RawMessage `json:"message_template_id"`
	Name     string          `json:"message_template_name"`
	Language string          `json:"message_template_language"`
	Reason   *string         `json:"reason"`
	Category string          `json:"message_template_category"`
}

type accountValue struct {
	Event                            string `json:"event"`
	PhoneNumber                      string `json:"phone_number"`
	DisplayPhoneNumber               string `json:"display_phone_number"`
	CurrentLimit                     string `json:"current_limit"`
	MaxDailyConversationsPerBusiness string `json:"max_daily_conversations_per_business"`
	WABAInfo                         *struct {
		WABAID string `json:"waba_id"`
	} `json:"waba_info"`
	DisconnectionInfo json.RawMessage `json:"disconnection_info"`
	BanInfo           json.RawMessage `json:"ban_info"`
	ViolationInfo     json.RawMessage `json:"violation_info"`
	// RestrictionInfo is a list of {restriction_type, expiration} (some copies of
	// Meta's payload show a single object; both are read).
	RestrictionInfo json.RawMessage `json:"restriction_info"`
}

// templateQualityValue is a message_template_quality_update (Meta reference:
// https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/message_template_quality_update).
type templateQualityValue struct {
	Previous string          `json:"previous_quality_score"`
	New      string          `json:"new_quality_score"`
	ID       json.RawMessage `json:"message_template_id"`
	Name     string          `json:"message_template_name"`
	Language string          `json:"message_template_language"`
}

// templateCategoryValue is a template_category_update (Meta reference:
// https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/template_category_update):
// an announced change carries correct_category and category_update_timestamp (with
// new_category the current one); a completed change carries previous_category and new_category.
type templateCategoryValue struct {
	ID              json.RawMessage `json:"message_template_id"`
	Name            string          `json:"message_template_name"`
	Language        string          `json:"message_template_language"`
	Previous        string          `json:"previous_category"`
	New             string          `json:"new_category"`
	Correct         string          `json:"correct_category"`
	UpdateTimestamp json.RawMessage `json:"category_update_timestamp"` // Unix seconds (a number; a string is read too)
}

// unixTime reads Meta's string timestamps (Unix seconds).
func unixTime(s string, fallback time.Time) time.Time {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return fallback
	}
	return time.Unix(n, 0).UTC()
}

// text is what a person would read of a message.
func (m message) text() string {
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
