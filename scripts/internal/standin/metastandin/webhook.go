package metastandin

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// WebhookOptions makes the stand-in post signed webhooks back, like Meta does, so that
// the whole send → status → reply loop runs locally.
//
// Automatic statuses: when AutoStatuses is set, every accepted message gets these
// status webhooks, in this order, from a goroutine of its own that starts once the
// send's answer has been written to the connection (never before). If the answer is
// lost (an AcceptThenHang fault, or a client leaving during a Delay fault), the
// statuses start when the request ends: Meta delivers a message it accepted even if
// its answer never arrived. Without Shuffle, each status is posted 1+Duplicates times
// back to back, after waiting Delay; its timestamp is the time of posting. With
// Shuffle, the 1+Duplicates copies of all statuses are posted in a random order,
// waiting Delay before each; timestamps stay in the logical order (the i-th status
// of AutoStatuses is stamped start+i·Delay), as Meta's out-of-order deliveries are.
// A "failed" automatic status carries error 131000. The options of a message are
// those set when it was accepted; URL and AppSecret are read at each post. Close
// stops pending automatic statuses.
//
// Every webhook POST (automatic or not) carries Content-Type application/json and
// X-Hub-Signature-256, uses a client with a 10 s timeout, is recorded (Webhooks) and
// is never retried: a non-2xx answer is only recorded (tests drive retries with Post).
type WebhookOptions struct {
	URL          string        // where to POST (the project's webhook function)
	AppSecret    string        // HMAC-SHA256 key of X-Hub-Signature-256
	AutoStatuses []string      // e.g. {"sent","delivered","read"}; nil: nothing automatic
	Delay        time.Duration // wait before each automatic status
	Duplicates   int           // extra copies of each automatic webhook
	Shuffle      bool          // post a message's automatic statuses in random order
}

// WebhookDelivery is one webhook POST made by the stand-in.
type WebhookDelivery struct {
	At            time.Time // when the POST started
	URL           string
	Kind          string // "status", "button", "interactive" (button_reply), "text", or "raw" (Post)
	WAMID         string // status: the outbound message; button/interactive/text: the new inbound id
	MessageStatus string // for Kind "status": sent|delivered|read|failed
	Automatic     bool   // posted because of AutoStatuses
	Body          []byte // exactly the bytes posted (and signed)
	Signature     string // the X-Hub-Signature-256 header sent
	Status        int    // HTTP status answered; 0 when there was no answer
	Response      []byte // body answered (at most 64 KiB)
	Err           error  // transport error (refused, timeout, canceled by Close); nil when answered
}

// Meta's status values this stand-in posts.
var webhookStatuses = map[string]bool{"sent": true, "delivered": true, "read": true, "failed": true}

const (
	webhookTimeout     = 10 * time.Second
	errorCodesHref     = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"
	defaultFailureCode = 131000
	maxWebhookResponse = 64 << 10
)

// ErrNoWebhookURL is returned when a webhook is to be posted and no URL is set.
var ErrNoWebhookURL = errors.New("metastandin: no webhook URL set (SetWebhook)")

// ErrUnknownMessage is returned for a wamid that is not an accepted message.
var ErrUnknownMessage = errors.New("metastandin: no accepted message with that wamid")

// ErrNoAnswer wraps the error of a webhook POST that got no HTTP answer (refused,
// timed out, canceled); the transport error is wrapped too.
var ErrNoAnswer = errors.New("metastandin: webhook got no answer")

// SetWebhook sets where and how webhooks are posted. It panics on an unknown
// automatic status or a negative Delay or Duplicates (a test's mistake); the control
// endpoint answers 400 instead.
func (s *Server) SetWebhook(o WebhookOptions) {
	if err := o.validate(); err != nil {
		panic("metastandin: SetWebhook: " + err.Error())
	}
	o.AutoStatuses = slices.Clone(o.AutoStatuses)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhook = o
}

func (o WebhookOptions) validate() error {
	for _, st := range o.AutoStatuses {
		if !webhookStatuses[st] {
			return fmt.Errorf("auto status %q: must be sent, delivered, read or failed", st)
		}
	}
	if o.Delay < 0 {
		return errors.New("delay must not be negative")
	}
	if o.Duplicates < 0 {
		return errors.New("duplicates must not be negative")
	}
	return nil
}

// Sign returns the X-Hub-Signature-256 value for body with the configured app
// secret: "sha256=" + lowercase hex of HMAC-SHA256(secret, body).
func (s *Server) Sign(body []byte) string {
	s.mu.Lock()
	secret := s.webhook.AppSecret
	s.mu.Unlock()
	return sign(secret, body)
}

func sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Webhooks returns copies of every webhook POST made, in the order they ended.
func (s *Server) Webhooks() []WebhookDelivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]WebhookDelivery, len(s.webhooks))
	for i, d := range s.webhooks {
		d.Body, d.Response = slices.Clone(d.Body), slices.Clone(d.Response)
		out[i] = d
	}
	return out
}

// WaitWebhooks blocks until at least n webhook POSTs have ended (since the last
// Reset), or ctx ends.
func (s *Server) WaitWebhooks(ctx context.Context, n int) error {
	for {
		s.mu.Lock()
		have, ch := len(s.webhooks), s.changed
		s.mu.Unlock()
		if have >= n {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("metastandin: %d of %d webhooks posted: %w", have, n, ctx.Err())
		}
	}
}

// Post signs body and posts it to the webhook URL as is (e.g. a fixture, or a
// duplicate of an earlier body). It returns the HTTP status answered; the error is
// only for a POST that got no answer (or no URL set).
func (s *Server) Post(ctx context.Context, body []byte) (int, error) {
	return s.deliver(ctx, WebhookDelivery{Kind: "raw", Body: slices.Clone(body)})
}

// PostStatus posts one status webhook for the accepted message wamid. status is
// sent, delivered, read or failed; for failed, errCode, errTitle and errDetails fill
// errors[0] (errCode 0 → 131000; empty title and details → Meta's for that code).
// It returns the HTTP status answered; the error is for an unknown wamid, a bad
// status, no URL set, or a POST that got no answer.
func (s *Server) PostStatus(ctx context.Context, wamid, status string, errCode int, errTitle, errDetails string) (int, error) {
	body, err := s.StatusPayload(wamid, status, s.now(), errCode, errTitle, errDetails)
	if err != nil {
		return 0, err
	}
	return s.deliver(ctx, WebhookDelivery{Kind: "status", WAMID: wamid, MessageStatus: status, Body: body})
}

// StatusPayload returns the exact body PostStatus would post for that status at
// that time (so tests can build, duplicate and shuffle batches themselves, and post
// them with Post).
func (s *Server) StatusPayload(wamid, status string, at time.Time, errCode int, errTitle, errDetails string) ([]byte, error) {
	acc, ok := s.acceptedMessage(wamid)
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownMessage, wamid)
	}
	return statusPayload(acc, status, at, errCode, errTitle, errDetails)
}

// TapButton posts the tap of a button of the accepted message wamid by its
// recipient, and returns the new inbound wamid and the HTTP status answered.
// For a template, this is a quick-reply tap: "type":"button", button{payload,text};
// for an interactive message, a reply-button tap: "type":"interactive",
// interactive{type:"button_reply", button_reply{id: payload, title: text}}. Both carry
// context{from: the business number, id: wamid}. An empty payload is the text (what
// Meta sends for a quick reply sent without payload), an empty text the payload.
// Other message types have no buttons: error.
func (s *Server) TapButton(ctx context.Context, wamid, payload, text string) (inboundID string, status int, err error) {
	acc, ok := s.acceptedMessage(wamid)
	if !ok {
		return "", 0, fmt.Errorf("%w: %q", ErrUnknownMessage, wamid)
	}
	if payload == "" && text == "" {
		return "", 0, errors.New("metastandin: TapButton: payload or text is required")
	}
	if payload == "" {
		payload = text
	}
	if text == "" {
		text = payload
	}
	msg := inboundMessage{
		Context: &messageContext{From: digits(acc.DisplayPhoneNumber), ID: wamid},
		From:    acc.RecipientWAID,
		ID:      newWAMID(acc.RecipientWAID),
	}
	switch acc.Type {
	case "template":
		msg.Type = "button"
		msg.Button = &buttonReply{Payload: payload, Text: text}
	case "interactive":
		msg.Type = "interactive"
		msg.Interactive = &interactiveReply{Type: "button_reply", ButtonReply: &buttonReplyIDTitle{ID: payload, Title: text}}
	default:
		return "", 0, fmt.Errorf("metastandin: TapButton: message %s is of type %q, which has no buttons", wamid, acc.Type)
	}
	msg.Timestamp = unixString(s.now())
	num := Number{PhoneNumberID: acc.PhoneNumberID, DisplayPhoneNumber: acc.DisplayPhoneNumber, WABAID: acc.WABAID}
	body := inboundPayload(num, msg)
	st, err := s.deliver(ctx, WebhookDelivery{Kind: msg.Type, WAMID: msg.ID, Body: body})
	return msg.ID, st, err
}

// SendText posts an inbound text message from the user `from` (digits; formatting
// is dropped) to the business number phoneNumberID, as a reply to contextID when it
// is not empty. It returns the new inbound wamid and the HTTP status answered.
func (s *Server) SendText(ctx context.Context, phoneNumberID, from, body, contextID string) (inboundID string, status int, err error) {
	s.mu.Lock()
	num, ok := s.numbers[phoneNumberID]
	s.mu.Unlock()
	if !ok {
		return "", 0, fmt.Errorf("metastandin: SendText: unknown phone number id %q", phoneNumberID)
	}
	from = digits(from)
	if from == "" {
		return "", 0, errors.New("metastandin: SendText: from must be a phone number")
	}
	if body == "" {
		return "", 0, errors.New("metastandin: SendText: body is required")
	}
	msg := inboundMessage{From: from, ID: newWAMID(from), Timestamp: unixString(s.now()), Type: "text", Text: &textBody{Body: body}}
	if contextID != "" {
		msg.Context = &messageContext{From: digits(num.DisplayPhoneNumber), ID: contextID}
	}
	st, err := s.deliver(ctx, WebhookDelivery{Kind: "text", WAMID: msg.ID, Body: inboundPayload(num, msg)})
	return msg.ID, st, err
}

// acceptedMessage finds an accepted message by wamid (the latest, should a wamid
// ever repeat).
func (s *Server) acceptedMessage(wamid string) (acceptedMessage, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.accepted) - 1; i >= 0; i-- {
		if s.accepted[i].WAMID == wamid {
			return s.accepted[i], true
		}
	}
	return acceptedMessage{}, false
}

// deliver signs and posts d.Body to the current webhook URL and records the POST.
func (s *Server) deliver(ctx context.Context, d WebhookDelivery) (int, error) {
	s.mu.Lock()
	url, secret := s.webhook.URL, s.webhook.AppSecret
	s.mu.Unlock()
	if url == "" {
		return 0, ErrNoWebhookURL
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(d.Body))
	if err != nil {
		return 0, fmt.Errorf("metastandin: webhook request: %w", err)
	}
	d.URL, d.Signature, d.At = url, sign(secret, d.Body), s.now()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Hub-Signature-256", d.Signature)
	req.Header.Set("User-Agent", "facebookexternalua")
	resp, err := s.webhookClient.Do(req)
	if err != nil {
		d.Err = fmt.Errorf("%w: POST %s: %w", ErrNoAnswer, url, err)
	} else {
		d.Status = resp.StatusCode
		d.Response, _ = io.ReadAll(io.LimitReader(resp.Body, maxWebhookResponse))
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBodySize))
		_ = resp.Body.Close()
	}
	s.mu.Lock()
	s.webhooks = append(s.webhooks, d)
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
	return d.Status, d.Err
}

// startAutoStatuses starts the automatic statuses of an accepted message, if any are
// set and the server is not closed. Called once the send's answer is written (or lost).
func (s *Server) startAutoStatuses(acc *acceptedMessage) {
	if acc == nil {
		return
	}
	s.mu.Lock()
	o := s.webhook
	o.AutoStatuses = slices.Clone(o.AutoStatuses)
	if s.closed || o.URL == "" || len(o.AutoStatuses) == 0 {
		s.mu.Unlock()
		return
	}
	s.autoWG.Add(1) // under mu with closed false: happens before Close's Wait
	s.mu.Unlock()
	go s.autoStatuses(*acc, o)
}

type plannedStatus struct {
	status string
	body   []byte
}

func (s *Server) autoStatuses(acc acceptedMessage, o WebhookOptions) {
	defer s.autoWG.Done()
	post := func(p plannedStatus) {
		_, _ = s.deliver(s.bgCtx, WebhookDelivery{Kind: "status", WAMID: acc.WAMID, MessageStatus: p.status, Automatic: true, Body: p.body})
	}
	payload := func(st string, at time.Time) []byte {
		b, err := statusPayload(acc, st, at, 0, "", "")
		if err != nil {
			panic(err) // statuses were validated by SetWebhook
		}
		return b
	}
	if !o.Shuffle {
		for _, st := range o.AutoStatuses {
			if !s.wait(o.Delay) {
				return
			}
			p := plannedStatus{st, payload(st, s.now())}
			for range 1 + o.Duplicates {
				if s.isClosing() {
					return
				}
				post(p)
			}
		}
		return
	}
	start := s.now()
	var plan []plannedStatus
	for i, st := range o.AutoStatuses {
		p := plannedStatus{st, payload(st, start.Add(time.Duration(i)*o.Delay))}
		for range 1 + o.Duplicates {
			plan = append(plan, p)
		}
	}
	rand.Shuffle(len(plan), func(i, j int) { plan[i], plan[j] = plan[j], plan[i] })
	for _, p := range plan {
		if !s.wait(o.Delay) {
			return
		}
		post(p)
	}
}

// wait sleeps d; false if the server closes first (or is closed).
func (s *Server) wait(d time.Duration) bool {
	if d <= 0 {
		return !s.isClosing()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.closing:
		return false
	}
}

func (s *Server) isClosing() bool {
	select {
	case <-s.closing:
		return true
	default:
		return false
	}
}

// ---- payloads (field order as in Meta's webhooks) ----

type webhookEnvelope struct {
	Object string         `json:"object"`
	Entry  []webhookEntry `json:"entry"`
}

type webhookEntry struct {
	ID      string          `json:"id"`
	Changes []webhookChange `json:"changes"`
}

type webhookChange struct {
	Value any    `json:"value"`
	Field string `json:"field"`
}

type webhookMetadata struct {
	DisplayPhoneNumber string `json:"display_phone_number"`
	PhoneNumberID      string `json:"phone_number_id"`
}

type statusValue struct {
	MessagingProduct string          `json:"messaging_product"`
	Metadata         webhookMetadata `json:"metadata"`
	Statuses         []statusObject  `json:"statuses"`
}

type statusObject struct {
	ID                    string        `json:"id"`
	Status                string        `json:"status"`
	Timestamp             string        `json:"timestamp"`
	RecipientID           string        `json:"recipient_id"`
	BizOpaqueCallbackData string        `json:"biz_opaque_callback_data,omitempty"`
	Pricing               *pricing      `json:"pricing,omitempty"`
	Errors                []statusError `json:"errors,omitempty"`
}

type pricing struct {
	Billable     bool   `json:"billable"`
	PricingModel string `json:"pricing_model"`
	Type         string `json:"type"`
	Category     string `json:"category"`
}

type statusError struct {
	Code      int                  `json:"code"`
	Title     string               `json:"title"`
	Message   string               `json:"message"`
	ErrorData statusErrorDataValue `json:"error_data"`
	Href      string               `json:"href"`
}

type statusErrorDataValue struct {
	Details string `json:"details"`
}

type inboundValue struct {
	MessagingProduct string           `json:"messaging_product"`
	Metadata         webhookMetadata  `json:"metadata"`
	Contacts         []inboundContact `json:"contacts"`
	Messages         []inboundMessage `json:"messages"`
}

type inboundContact struct {
	Profile struct {
		Name string `json:"name"`
	} `json:"profile"`
	WAID string `json:"wa_id"`
}

type inboundMessage struct {
	Context     *messageContext   `json:"context,omitempty"`
	From        string            `json:"from"`
	ID          string            `json:"id"`
	Timestamp   string            `json:"timestamp"`
	Type        string            `json:"type"`
	Text        *textBody         `json:"text,omitempty"`
	Button      *buttonReply      `json:"button,omitempty"`
	Interactive *interactiveReply `json:"interactive,omitempty"`
}

type messageContext struct {
	From string `json:"from"`
	ID   string `json:"id"`
}

type textBody struct {
	Body string `json:"body"`
}

type buttonReply struct {
	Payload string `json:"payload"`
	Text    string `json:"text"`
}

type interactiveReply struct {
	Type        string              `json:"type"`
	ButtonReply *buttonReplyIDTitle `json:"button_reply,omitempty"`
}

type buttonReplyIDTitle struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

func envelope(wabaID string, value any) []byte {
	b, err := json.Marshal(webhookEnvelope{
		Object: "whatsapp_business_account",
		Entry:  []webhookEntry{{ID: wabaID, Changes: []webhookChange{{Value: value, Field: "messages"}}}},
	})
	if err != nil {
		panic(err) // only our own types are marshalled
	}
	return b
}

func unixString(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// statusPayload builds a v24+ status webhook: no conversation object; pricing on
// sent, delivered and read (PMP; a template is a billable utility message, anything
// else a free service reply within the customer-service window); errors on failed.
func statusPayload(acc acceptedMessage, status string, at time.Time, errCode int, errTitle, errDetails string) ([]byte, error) {
	if !webhookStatuses[status] {
		return nil, fmt.Errorf("metastandin: status %q: must be sent, delivered, read or failed", status)
	}
	st := statusObject{
		ID: acc.WAMID, Status: status, Timestamp: unixString(at), RecipientID: acc.RecipientWAID,
		BizOpaqueCallbackData: acc.BizOpaqueCallbackData,
	}
	if status == "failed" {
		st.Errors = []statusError{failure(errCode, errTitle, errDetails)}
	} else {
		if errCode != 0 || errTitle != "" || errDetails != "" {
			return nil, fmt.Errorf("metastandin: status %q carries no error; errors are for failed", status)
		}
		st.Pricing = &pricing{Billable: false, PricingModel: "PMP", Type: "free_customer_service", Category: "service"}
		if acc.Type == "template" {
			st.Pricing = &pricing{Billable: true, PricingModel: "PMP", Type: "regular", Category: "utility"}
		}
	}
	return envelope(acc.WABAID, statusValue{
		MessagingProduct: "whatsapp",
		Metadata:         webhookMetadata{DisplayPhoneNumber: digits(acc.DisplayPhoneNumber), PhoneNumberID: acc.PhoneNumberID},
		Statuses:         []statusObject{st},
	}), nil
}

// failure fills errors[0] of a failed status; title == message, as Meta sends.
func failure(code int, title, details string) statusError {
	if code == 0 {
		code = defaultFailureCode
	}
	info, known := codes[code]
	if title == "" {
		if known {
			// codes holds the synchronous "(#131047) Re-engagement message"; webhooks
			// carry the bare title.
			title = strings.TrimPrefix(info.message, "(#"+strconv.Itoa(code)+") ")
		} else {
			title = "Error"
		}
	}
	if details == "" {
		details = info.details
	}
	return statusError{Code: code, Title: title, Message: title, ErrorData: statusErrorDataValue{Details: details}, Href: errorCodesHref}
}

// inboundPayload builds an inbound message webhook from the user msg.From to num.
func inboundPayload(num Number, msg inboundMessage) []byte {
	c := inboundContact{WAID: msg.From}
	last4 := msg.From
	if len(last4) > 4 {
		last4 = last4[len(last4)-4:]
	}
	c.Profile.Name = "Cliente " + last4
	return envelope(num.WABAID, inboundValue{
		MessagingProduct: "whatsapp",
		Metadata:         webhookMetadata{DisplayPhoneNumber: digits(num.DisplayPhoneNumber), PhoneNumberID: num.PhoneNumberID},
		Contacts:         []inboundContact{c},
		Messages:         []inboundMessage{msg},
	})
}
