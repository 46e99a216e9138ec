package metastandin

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

const (
	maxBodySize         = 4 << 20
	maxTextBody         = 4096
	maxButtonTitle      = 20
	maxButtonID         = 256
	maxButtons          = 3
	maxBizOpaqueCbkData = 512
)

var (
	sendPathRE = regexp.MustCompile(`^/(?:(v[0-9]+\.[0-9]+)/)?([^/]+)/messages/?$`)
	phoneRE    = regexp.MustCompile(`^\+?[0-9]{8,15}$`)
)

// mediaTypes are the message types accepted when their object is present.
var mediaTypes = map[string]bool{
	"audio": true, "contacts": true, "document": true, "image": true, "location": true,
	"reaction": true, "sticker": true, "video": true,
}

// ServeHTTP serves the Graph API send endpoint and the /_standin/ control surface.
// A request held by an AcceptThenHang fault (or whose client leaves during a Delay)
// ends with panic(http.ErrAbortHandler), which net/http turns into an aborted
// connection without a response; callers invoking ServeHTTP directly must expect it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_standin/") {
		s.control(w, r)
		return
	}
	if s.serveSignup(w, r) { // Embedded Signup's browser side (signup.go)
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBodySize))
	rec := Request{
		At: s.now(), Method: r.Method, Path: r.URL.Path,
		Authorization: r.Header.Get("Authorization"), Body: body,
	}
	var (
		ans   answer
		acc   *acceptedMessage
		fault Fault
	)
	m := sendPathRE.FindStringSubmatch(r.URL.Path)
	endpoint, objID, onboarding := onboardingEndpoint(r.URL.Path)
	switch {
	case onboarding:
		ans = s.onboarding(r, endpoint, objID, body, &rec)
	case m == nil:
		ans = unknownPath(r.URL.Path)
	case r.Method != http.MethodPost:
		rec.Version, rec.PhoneNumberID = m[1], m[2]
		ans = unsupportedRequest(strings.ToLower(r.Method), m[2])
	default:
		rec.Version, rec.PhoneNumberID = m[1], m[2]
		fault, _ = s.nextFault()
		if !fault.AcceptThenHang && (fault.HTTPStatus != 0 || fault.Code != 0) {
			parseBody(body, &rec) // best effort, for the record
			ans = faultAnswer(fault, rec.At)
			rec.Faulted = true
		} else {
			ans, acc = s.send(r, m[2], body, &rec)
		}
	}
	rec.Status, rec.Response = ans.status, ans.body
	rec.Hung = fault.AcceptThenHang
	s.record(rec, acc)

	if fault.AcceptThenHang {
		select {
		case <-r.Context().Done():
		case <-s.closing:
		}
		// The answer is lost, the message is not: its statuses start now.
		s.startAutoStatuses(acc)
		// No answer at all: abort the connection, as a lost answer looks to a client.
		panic(http.ErrAbortHandler)
	}
	if fault.Delay > 0 {
		t := time.NewTimer(fault.Delay)
		select {
		case <-t.C:
		case <-s.closing:
			t.Stop()
		case <-r.Context().Done():
			t.Stop()
			s.startAutoStatuses(acc)
			panic(http.ErrAbortHandler)
		}
	}
	for k, v := range ans.header {
		w.Header()[k] = v
	}
	if ans.contentType != "" {
		w.Header().Set("Content-Type", ans.contentType)
	}
	if acc != nil {
		// The complete answer is flushed to the connection before any automatic
		// status is posted, so a status never precedes the answer.
		w.Header().Set("Content-Length", strconv.Itoa(len(ans.body)))
	}
	w.WriteHeader(ans.status)
	_, _ = w.Write(ans.body)
	if acc != nil {
		_ = http.NewResponseController(w).Flush()
		s.startAutoStatuses(acc)
	}
}

// token extracts the access token: Authorization "Bearer <t>" (or "OAuth <t>"), else
// the access_token query parameter.
func token(r *http.Request) string {
	if h := strings.TrimSpace(r.Header.Get("Authorization")); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if ok && (strings.EqualFold(scheme, "Bearer") || strings.EqualFold(scheme, "OAuth")) {
			return strings.TrimSpace(tok)
		}
		return ""
	}
	return r.URL.Query().Get("access_token")
}

// send validates a send request in Meta's order and, when it passes, accepts it.
func (s *Server) send(r *http.Request, phoneNumberID string, body []byte, rec *Request) (answer, *acceptedMessage) {
	msg, perr := parseBody(body, rec)

	s.mu.Lock()
	defer s.mu.Unlock()

	// 1–3: token, number, token of that number.
	tok := token(r)
	if tok == "" {
		return tokenError("Invalid OAuth access token - Cannot parse access token", 0), nil
	}
	if s.revokedLocked(tok) { // RevokeToken (lifecycle.go)
		return revokedTokenError(), nil
	}
	known := false
	for _, n := range s.numbers {
		if n.AccessToken == tok {
			known = true
			break
		}
	}
	if !known {
		return tokenError("Invalid OAuth access token - Cannot parse access token", 0), nil
	}
	num, ok := s.numbers[phoneNumberID]
	if !ok {
		return unsupportedRequest("post", phoneNumberID), nil
	}
	if num.AccessToken != tok && !s.tokenCoversLocked(tok, num) {
		return tokenError(fmt.Sprintf("Error validating access token: the access token is not valid for phone number id %s.", phoneNumberID), 0), nil
	}

	// Body.
	if perr != nil {
		return *perr, nil
	}
	if a, ok := msg.validate(); !ok {
		return a, nil
	}
	if msg.markRead {
		return jsonAnswer(http.StatusOK, map[string]bool{"success": true}), nil
	}
	if msg.typ == "template" {
		if a, ok := s.checkTemplateLocked(phoneNumberID, msg); !ok {
			return a, nil
		}
	}

	// Recipient.
	waID := digits(*msg.to)
	if s.unreachable[waID] {
		info := codes[131026]
		return whatsappError(info.status, 131026, info.message, info.details), nil
	}
	if sender := digits(num.DisplayPhoneNumber); sender != "" && sender == waID {
		info := codes[131021]
		return whatsappError(info.status, 131021, info.message, info.details), nil
	}

	// Throughput: the number's bucket of accepted sends (throughput.go).
	if !s.throughputAllowedLocked(phoneNumberID, rec.At) {
		info := codes[130429]
		return whatsappError(info.status, 130429, info.message, info.details), nil
	}
	// Pair rate: one message every pairWindow from this number to this recipient.
	if !s.pairAllowedLocked(phoneNumberID, waID, rec.At) {
		info := codes[131056]
		return whatsappError(info.status, 131056, info.message, info.details), nil
	}

	// The portfolio's messaging limit: unique recipients of templates per 24 h.
	if msg.typ == "template" && !s.limitAllowedLocked(num.WABAID, waID, rec.At) {
		info := codes[131048]
		return whatsappError(info.status, 131048, info.message, info.details), nil
	}

	// Accepted.
	if msg.typ == "template" {
		s.noteLimitLocked(num.WABAID, waID, rec.At)
	}
	s.notePairLocked(phoneNumberID, waID, rec.At)
	s.noteSendLocked(phoneNumberID, rec.At)
	wamid := newWAMID(waID)
	rec.WAMID = wamid
	type sentMessage struct {
		ID            string `json:"id"`
		MessageStatus string `json:"message_status,omitempty"`
	}
	type contact struct {
		Input string `json:"input"`
		WAID  string `json:"wa_id"`
	}
	out := struct {
		MessagingProduct string        `json:"messaging_product"`
		Contacts         []contact     `json:"contacts"`
		Messages         []sentMessage `json:"messages"`
	}{"whatsapp", []contact{{*msg.to, waID}}, []sentMessage{{ID: wamid}}}
	if msg.typ == "template" {
		out.Messages[0].MessageStatus = "accepted"
	}
	return jsonAnswer(http.StatusOK, out), &acceptedMessage{
		At: rec.At, PhoneNumberID: phoneNumberID, DisplayPhoneNumber: num.DisplayPhoneNumber,
		WABAID: num.WABAID, RecipientWAID: waID, WAMID: wamid, Type: msg.typ,
		BizOpaqueCallbackData: msg.bizOpaque,
	}
}

// tokenCoversLocked reports whether tok belongs to another number of num's WABA.
func (s *Server) tokenCoversLocked(tok string, num Number) bool {
	if num.WABAID == "" {
		return false
	}
	for _, n := range s.numbers {
		if n.AccessToken == tok && n.WABAID == num.WABAID {
			return true
		}
	}
	return false
}

func (s *Server) checkTemplateLocked(phoneNumberID string, msg *message) (answer, bool) {
	t, ok := s.findTemplateLocked(phoneNumberID, msg.templateName, msg.templateLanguage)
	notFound := func() (answer, bool) {
		return whatsappError(http.StatusNotFound, 132001, codes[132001].message,
			fmt.Sprintf("template name (%s) does not exist in %s", msg.templateName, msg.templateLanguage)), false
	}
	if !ok {
		return notFound()
	}
	switch t.Status {
	case "APPROVED":
	case "PAUSED":
		info := codes[132015]
		return whatsappError(info.status, 132015, info.message, info.details), false
	case "DISABLED":
		info := codes[132016]
		return whatsappError(info.status, 132016, info.message, info.details), false
	default:
		return notFound()
	}
	if len(msg.bodyParams) != t.BodyParams {
		return whatsappError(http.StatusBadRequest, 132000, codes[132000].message,
			fmt.Sprintf("body: number of localizable_params (%d) does not match the expected number of params (%d)", len(msg.bodyParams), t.BodyParams)), false
	}
	for _, p := range msg.bodyParams {
		if p.typ == "text" && strings.TrimSpace(p.text) == "" {
			return whatsappError(http.StatusBadRequest, 131008, codes[131008].message,
				fmt.Sprintf("The parameter %s['text'] is required.", p.path)), false
		}
	}
	return answer{}, true
}

// ---- body ----

// message is a parsed send body.
type message struct {
	raw              map[string]json.RawMessage
	product          *string
	recipientType    *string
	to               *string
	typ              string
	bizOpaque        string
	markRead         bool
	readMessageID    string
	templateName     string
	templateLanguage string
	bodyParams       []bodyParam
	text             *string
	interactive      *interactive
	fieldErr         string // first field of the wrong JSON type
}

type bodyParam struct {
	typ, text, path string
}

type interactive struct {
	Type *string `json:"type"`
	Body *struct {
		Text *string `json:"text"`
	} `json:"body"`
	Action *struct {
		Buttons []struct {
			Type  string `json:"type"`
			Reply *struct {
				ID    *string `json:"id"`
				Title *string `json:"title"`
			} `json:"reply"`
		} `json:"buttons"`
	} `json:"action"`
}

type templateBody struct {
	Name     *string `json:"name"`
	Language *struct {
		Code *string `json:"code"`
	} `json:"language"`
	Components []struct {
		Type       string `json:"type"`
		Parameters []struct {
			Type string  `json:"type"`
			Text *string `json:"text"`
		} `json:"parameters"`
	} `json:"components"`
}

// parseBody decodes a send body and fills the parsed fields of rec. It returns an
// answer when the body is not a JSON object at all.
func parseBody(body []byte, rec *Request) (*message, *answer) {
	msg := &message{}
	if err := json.Unmarshal(body, &msg.raw); err != nil || msg.raw == nil {
		a := invalidParameter("The request body is not a JSON object.")
		return nil, &a
	}
	str := func(key string) *string {
		v, ok := msg.raw[key]
		if !ok || string(v) == "null" {
			return nil
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			if msg.fieldErr == "" {
				msg.fieldErr = key
			}
			return nil
		}
		return &s
	}
	obj := func(key string, into any) bool {
		v, ok := msg.raw[key]
		if !ok || string(v) == "null" {
			return false
		}
		if err := json.Unmarshal(v, into); err != nil {
			if msg.fieldErr == "" {
				msg.fieldErr = key
			}
			return false
		}
		return true
	}
	msg.product = str("messaging_product")
	msg.recipientType = str("recipient_type")
	msg.to = str("to")
	if t := str("type"); t != nil {
		msg.typ = *t
	} else {
		msg.typ = "text" // Meta's default
	}
	if b := str("biz_opaque_callback_data"); b != nil {
		msg.bizOpaque = *b
	}
	if st := str("status"); st != nil {
		msg.markRead = true
		if id := str("message_id"); id != nil {
			msg.readMessageID = *id
		}
		if *st != "read" {
			msg.fieldErr = "status"
		}
	}

	switch msg.typ {
	case "text":
		var t struct {
			Body *string `json:"body"`
		}
		if obj("text", &t) {
			msg.text = t.Body
		}
	case "template":
		var t templateBody
		if obj("template", &t) {
			if t.Name != nil {
				msg.templateName = *t.Name
			}
			if t.Language != nil && t.Language.Code != nil {
				msg.templateLanguage = *t.Language.Code
			}
			for ci, c := range t.Components {
				if !strings.EqualFold(c.Type, "body") {
					continue
				}
				for pi, p := range c.Parameters {
					bp := bodyParam{typ: p.Type, path: fmt.Sprintf("template['components'][%d]['parameters'][%d]", ci, pi)}
					if p.Text != nil {
						bp.text = *p.Text
					}
					msg.bodyParams = append(msg.bodyParams, bp)
				}
			}
		}
	case "interactive":
		var it interactive
		if obj("interactive", &it) {
			msg.interactive = &it
			if it.Body != nil {
				msg.text = it.Body.Text
			}
		}
	}

	// The record.
	if msg.to != nil {
		rec.To = *msg.to
	}
	rec.Type = msg.typ
	if msg.markRead {
		rec.Type = "read"
	}
	rec.TemplateName, rec.TemplateLanguage = msg.templateName, msg.templateLanguage
	for _, p := range msg.bodyParams {
		if p.typ == "text" {
			rec.BodyParams = append(rec.BodyParams, p.text)
		}
	}
	if msg.text != nil {
		rec.Text = *msg.text
	}
	rec.BizOpaqueCallbackData = msg.bizOpaque
	return msg, nil
}

// validate runs the body checks that need no server state.
func (m *message) validate() (answer, bool) {
	if m.product == nil && m.fieldErr != "messaging_product" {
		return invalidParameter("The parameter messaging_product is required."), false
	}
	if m.product == nil || *m.product != "whatsapp" {
		return invalidParameter(`Invalid value for parameter messaging_product: it must be "whatsapp".`), false
	}
	if m.markRead {
		if m.fieldErr == "status" {
			return invalidParameter(`Invalid value for parameter status: it must be "read".`), false
		}
		if m.readMessageID == "" {
			return missingParameter("message_id"), false
		}
		return answer{}, true
	}
	if m.fieldErr != "" {
		return invalidParameter(fmt.Sprintf("Invalid value for parameter %s.", m.fieldErr)), false
	}
	if m.recipientType != nil && *m.recipientType != "individual" {
		return invalidParameter(`Invalid value for parameter recipient_type: it must be "individual".`), false
	}
	if m.to == nil {
		return invalidParameter("The parameter to is required."), false
	}
	if !phoneRE.MatchString(*m.to) {
		return invalidParameter(fmt.Sprintf("Invalid value for parameter to: %q is not a phone number.", *m.to)), false
	}
	if utf8.RuneCountInString(m.bizOpaque) > maxBizOpaqueCbkData {
		return invalidParameter(fmt.Sprintf("Param biz_opaque_callback_data must be at most %d characters long.", maxBizOpaqueCbkData)), false
	}

	switch m.typ {
	case "template":
		if _, ok := m.raw["template"]; !ok {
			return missingParameter("template"), false
		}
		if m.templateName == "" {
			return missingParameter("template['name']"), false
		}
		if m.templateLanguage == "" {
			return missingParameter("template['language']['code']"), false
		}
	case "text":
		if m.text == nil || *m.text == "" {
			return missingParameter("text['body']"), false
		}
		if utf8.RuneCountInString(*m.text) > maxTextBody {
			return invalidParameter(fmt.Sprintf("Param text['body'] must be at most %d characters long.", maxTextBody)), false
		}
	case "interactive":
		return m.validateInteractive()
	default:
		if !mediaTypes[m.typ] {
			return invalidParameter(fmt.Sprintf("Invalid value for parameter type: %q is not a supported message type.", m.typ)), false
		}
		v, ok := m.raw[m.typ]
		if !ok || string(v) == "null" {
			return missingParameter(m.typ), false
		}
		if t := bytes.TrimSpace(v); len(t) == 0 || (t[0] != '{' && t[0] != '[') {
			return invalidParameter(fmt.Sprintf("Invalid value for parameter %s.", m.typ)), false
		}
	}
	return answer{}, true
}

func (m *message) validateInteractive() (answer, bool) {
	it := m.interactive
	if it == nil {
		return missingParameter("interactive"), false
	}
	if it.Type == nil || *it.Type == "" {
		return missingParameter("interactive['type']"), false
	}
	if *it.Type != "button" {
		return answer{}, true
	}
	if it.Body == nil || it.Body.Text == nil || *it.Body.Text == "" {
		return missingParameter("interactive['body']['text']"), false
	}
	if it.Action == nil || len(it.Action.Buttons) == 0 {
		return missingParameter("interactive['action']['buttons']"), false
	}
	if len(it.Action.Buttons) > maxButtons {
		return invalidParameter(fmt.Sprintf("Param interactive['action']['buttons'] must have at most %d elements.", maxButtons)), false
	}
	ids, titles := map[string]bool{}, map[string]bool{}
	for i, b := range it.Action.Buttons {
		p := fmt.Sprintf("interactive['action']['buttons'][%d]", i)
		if b.Type != "reply" {
			return invalidParameter(fmt.Sprintf(`Invalid value for parameter %s['type']: it must be "reply".`, p)), false
		}
		if b.Reply == nil || b.Reply.ID == nil || *b.Reply.ID == "" {
			return missingParameter(p + "['reply']['id']"), false
		}
		if b.Reply.Title == nil || *b.Reply.Title == "" {
			return missingParameter(p + "['reply']['title']"), false
		}
		if utf8.RuneCountInString(*b.Reply.ID) > maxButtonID {
			return invalidParameter(fmt.Sprintf("Param %s['reply']['id'] must be at most %d characters long.", p, maxButtonID)), false
		}
		if utf8.RuneCountInString(*b.Reply.Title) > maxButtonTitle {
			return invalidParameter(fmt.Sprintf("Param %s['reply']['title'] must be at most %d characters long.", p, maxButtonTitle)), false
		}
		if ids[*b.Reply.ID] || titles[*b.Reply.Title] {
			return invalidParameter("Buttons must have unique ids and titles."), false
		}
		ids[*b.Reply.ID], titles[*b.Reply.Title] = true, true
	}
	return answer{}, true
}

// digits keeps only the ASCII digits of s.
func digits(s string) string {
	var b strings.Builder
	for _, c := range s {
		if c >= '0' && c <= '9' {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// newWAMID returns a message id shaped like Meta's: "wamid." + base64 of a small
// binary record holding the recipient's number and a random hex id.
func newWAMID(waID string) string {
	rnd := make([]byte, 9)
	_, _ = rand.Read(rnd)
	id := strings.ToUpper(hex.EncodeToString(rnd))
	var b []byte
	b = append(b, 0x1c, 0x18, byte(len(waID)))
	b = append(b, waID...)
	b = append(b, 0x15, 0x02, 0x00, 0x11, 0x18, byte(len(id)))
	b = append(b, id...)
	b = append(b, 0x00)
	return "wamid." + base64.StdEncoding.EncodeToString(b)
}
