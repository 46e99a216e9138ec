// Package meta is the adapter for Meta's WhatsApp Cloud API (Graph API): it sends
// messages, classifies what comes back (retry.go: sent, retryable, permanent, unknown
// outcome, token missing) and owns the callback data a send carries (callback.go).
package meta

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// Client sends messages for any tenant; the phone number id and token come per call.
type Client struct {
	BaseURL    string // https://graph.facebook.com, or the local stand-in
	APIVersion string // v23.0
	HTTP       *http.Client
}

// NewClient returns a client with a bounded per-request timeout.
func NewClient(baseURL, version string, timeout time.Duration) *Client {
	return &Client{
		BaseURL:    strings.TrimRight(baseURL, "/"),
		APIVersion: version,
		HTTP:       &http.Client{Timeout: timeout},
	}
}

// Message is the body of POST /{phone-number-id}/messages.
type Message struct {
	MessagingProduct      string    `json:"messaging_product"`
	RecipientType         string    `json:"recipient_type"`
	To                    string    `json:"to"`
	Type                  string    `json:"type"`
	Template              *Template `json:"template,omitempty"`
	Text                  *Text     `json:"text,omitempty"`
	BizOpaqueCallbackData string    `json:"biz_opaque_callback_data,omitempty"`
}

// Template is a template message.
type Template struct {
	Name       string      `json:"name"`
	Language   Language    `json:"language"`
	Components []Component `json:"components,omitempty"`
}

// Language of a template.
type Language struct {
	Code string `json:"code"`
}

// Component of a template (here: the body with positional text parameters).
type Component struct {
	Type       string      `json:"type"`
	Parameters []Parameter `json:"parameters"`
}

// Parameter of a template component.
type Parameter struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// Text is a free-form (session) text message.
type Text struct {
	PreviewURL bool   `json:"preview_url"`
	Body       string `json:"body"`
}

// TemplateMessage builds a template send with positional body parameters.
func TemplateMessage(to, name, language string, params []string, callbackData string) Message {
	ps := make([]Parameter, len(params))
	for i, p := range params {
		ps[i] = Parameter{Type: "text", Text: p}
	}
	return Message{
		MessagingProduct: "whatsapp", RecipientType: "individual", To: to, Type: "template",
		Template: &Template{
			Name: name, Language: Language{Code: language},
			Components: []Component{{Type: "body", Parameters: ps}},
		},
		BizOpaqueCallbackData: callbackData,
	}
}

// TextMessage builds a session text message.
func TextMessage(to, body, callbackData string) Message {
	return Message{
		MessagingProduct: "whatsapp", RecipientType: "individual", To: to, Type: "text",
		Text: &Text{PreviewURL: true, Body: body}, BizOpaqueCallbackData: callbackData,
	}
}

// Result is Meta's acceptance of a send (accepted, not yet delivered).
type Result struct {
	MessageID string
	WAID      string
}

// APIError is Meta's error envelope.
type APIError struct {
	HTTPStatus int
	Code       int    `json:"code"`
	Subcode    int    `json:"error_subcode"`
	Type       string `json:"type"`
	Message    string `json:"message"`
	ErrorData  struct {
		Details string `json:"details"`
	} `json:"error_data"`
	FBTraceID string `json:"fbtrace_id"`
}

func (e *APIError) Error() string {
	if e.Code == 0 && e.Message == "" {
		return fmt.Sprintf("meta: HTTP %d", e.HTTPStatus)
	}
	msg := fmt.Sprintf("meta: HTTP %d code %d: %s", e.HTTPStatus, e.Code, e.Message)
	if e.ErrorData.Details != "" {
		msg += " (" + e.ErrorData.Details + ")"
	}
	return msg
}

// MaxErrorText bounds each text Meta sends about an error (title, details, the whole
// error line) before it is stored: they come from outside and are kept for the operator.
const MaxErrorText = 1024

// ClipErrorText bounds s to MaxErrorText bytes, cut on a character boundary and marked
// with "…", and replaces invalid UTF-8 (Firestore strings must be valid UTF-8).
func ClipErrorText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= MaxErrorText {
		return s
	}
	const mark = "…"
	cut := MaxErrorText - len(mark)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + mark
}

// ErrTransport means the request never reached Meta (no connection): safe to retry.
var ErrTransport = errors.New("meta: request not delivered")

// ErrOutcomeUnknown means the request was written to Meta but no answer came back:
// Meta may have accepted it, so it must not be resent blindly.
var ErrOutcomeUnknown = errors.New("meta: request sent but no answer")

// Send posts one message from the tenant's phone number.
func (c *Client) Send(ctx context.Context, phoneNumberID, token string, msg Message) (Result, error) {
	body, err := json.Marshal(msg)
	if err != nil {
		return Result{}, fmt.Errorf("meta: encode message: %w", err)
	}
	url := fmt.Sprintf("%s/%s/%s/messages", c.BaseURL, c.APIVersion, phoneNumberID)

	var wrote atomic.Bool // set by the transport's goroutine
	trace := &httptrace.ClientTrace{WroteRequest: func(info httptrace.WroteRequestInfo) { wrote.Store(info.Err == nil) }}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return Result{}, fmt.Errorf("meta: build request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")

	resp, err := c.HTTP.Do(req)
	if err != nil {
		if wrote.Load() {
			return Result{}, fmt.Errorf("%w: %v", ErrOutcomeUnknown, err)
		}
		return Result{}, fmt.Errorf("%w: %v", ErrTransport, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		if resp.StatusCode == http.StatusOK {
			return Result{}, fmt.Errorf("%w: reading answer: %v", ErrOutcomeUnknown, err)
		}
		return Result{}, &APIError{HTTPStatus: resp.StatusCode}
	}
	if resp.StatusCode != http.StatusOK {
		var env struct {
			Error *APIError `json:"error"`
		}
		if json.Unmarshal(raw, &env) == nil && env.Error != nil {
			env.Error.HTTPStatus = resp.StatusCode
			return Result{}, env.Error
		}
		return Result{}, &APIError{HTTPStatus: resp.StatusCode}
	}
	var ok struct {
		Contacts []struct {
			WAID string `json:"wa_id"`
		} `json:"contacts"`
		Messages []struct {
			ID string `json:"id"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(raw, &ok); err != nil || len(ok.Messages) == 0 || ok.Messages[0].ID == "" {
		// A 200 without a message id: Meta took the request, we cannot tell what became of it.
		return Result{}, fmt.Errorf("%w: unreadable success answer %q", ErrOutcomeUnknown, truncate(raw))
	}
	res := Result{MessageID: ok.Messages[0].ID}
	if len(ok.Contacts) > 0 {
		res.WAID = ok.Contacts[0].WAID
	}
	return res, nil
}

func truncate(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}
