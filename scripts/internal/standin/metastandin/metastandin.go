// Package metastandin is a local stand-in for the send endpoint of Meta's WhatsApp
// Cloud API (Graph API):
//
//	POST /{version}/{phone_number_id}/messages      (version like v23.0; may be omitted)
//
// It checks what Meta checks, answers in Meta's JSON shapes (see the fixtures in
// testdata/meta/graph), can be told to fail (FailNext), and
// records every request it receives (Requests, Accepted, WaitRequests).
//
// Checks, in this order (the first failing one answers):
//
//  0. Routing: a path that is not /{version}/{id}/messages → 400 code 2500 "Unknown
//     path components"; another method than POST → 400 code 100 subcode 33
//     (GraphMethodException "Unsupported get request…"). Such requests consume no fault.
//  1. Faults: a POST to the send path consumes the next queued Fault, BEFORE any
//     validation (a fault simulates a Meta-side failure: it hits requests whatever
//     their token or body). See Fault for what each kind of fault does.
//  2. Access token ("Authorization: Bearer <token>", or the access_token query
//     parameter as Graph also accepts): missing or unknown → 401 code 190.
//  3. Phone number id unknown → 400 code 100 subcode 33 (GraphMethodException
//     "Unsupported post request. Object with ID '…' does not exist…").
//  4. Token not the one of that phone number (nor of another number of the same WABA,
//     since a business token covers its WABA) → 401 code 190.
//  5. Body: a JSON object, messaging_product "whatsapp", recipient_type (if present)
//     "individual", `to` an optional "+" then 8–15 digits, biz_opaque_callback_data at
//     most 512 characters → else 400 code 100 "(#100) Invalid parameter" with
//     error_data.details naming the parameter. A body {"status":"read","message_id"}
//     (mark as read) answers {"success":true}.
//  6. Per type (type defaults to "text", as on Meta):
//     template: name + language known for the number's WABA (else 404 code 132001),
//     status APPROVED (PAUSED → 132015, DISABLED → 132016, other → 132001), number of
//     body parameters = Template.BodyParams (else 132000), no empty text parameter
//     (else 131008);
//     text: text.body present and non-empty (else 131008), at most 4096 characters
//     (else 100);
//     interactive: interactive.type present (else 131008); for "button": body.text,
//     1–3 buttons of type "reply", each with an id (≤256 chars) and a title (≤20
//     chars), ids and titles unique; other interactive types are accepted as is;
//     audio, contacts, document, image, location, reaction, sticker, video: the object
//     named by the type must be present (else 131008); any other type → 100.
//  7. Recipient registered with AddUnreachable → 400 code 131026; recipient equal to
//     the sender's display number → 400 code 131021.
//  8. Throughput: more accepted sends for the number in the last second than its cap
//     (80, 20 for coexistence; SetThroughput, SetThroughputScale) → 400 code 130429.
//     Pair rate (SetPairRate, off by default) → 400 code 131056.
//  9. Success → 200 {"messaging_product":"whatsapp","contacts":[{"input","wa_id"}],
//     "messages":[{"id":"wamid.…"}]}, plus "message_status":"accepted" for templates.
//
// Differences from Meta, on purpose: a missing token is answered with code 190 (Graph
// says 104/2500), a token of another business with 190 (Graph says 100/33); errors that
// Meta often reports asynchronously (131026, 131047) are synchronous here; `to` must be
// digits (Meta strips formatting characters); named template parameters are counted
// like positional ones, their names are not checked.
//
// Control surface (not recorded as requests), for the local stack and manual use:
//
//	GET    /_standin/requests        JSON list of recorded requests (?accepted=true: accepted only)
//	DELETE /_standin/requests        Reset: forget requests and pending faults
//	POST   /_standin/faults          JSON array of faults: {"http_status","code","subcode","type",
//	                                 "message","details","accept_then_hang","delay":"2s"}
//	GET    /_standin/faults          pending faults;  DELETE /_standin/faults drops them
//	POST   /_standin/templates       {"phone_number_id","name","language","body_params","status"} (upsert)
//	POST   /_standin/numbers         {"phone_number_id","display_phone_number","waba_id","access_token","coexistence"}
//	GET    /_standin/throughput      per number: {"phone_number_id","coexistence","per_second","throttled"}
//	                                 (throttled: sends its cap answered 130429 since the last Reset)
//	POST   /_standin/unreachable     {"phone":"+55…"}
//	POST   /_standin/webhook         WebhookOptions: {"url","app_secret","auto_statuses":["sent",…],
//	                                 "delay":"1s","duplicates","shuffle"}
//	GET    /_standin/webhooks        JSON list of webhook POSTs made; DELETE forgets them
//	POST   /_standin/tap             {"wamid","payload","text"}: the recipient taps a button
//	POST   /_standin/inbound-text    {"phone_number_id","from","body","context_id"}
//	POST   /_standin/status          {"wamid","status","code","title","details"}
//	                                 (the last three answer {"id","webhook_status"})
//	POST   /_standin/lifecycle       {"waba_id","action"}: disconnect (PARTNER_REMOVED, answers
//	                                 {"id","webhook_status"}), revoke_token, restore_token (lifecycle.go)
//
// Webhooks (webhook.go): the stand-in posts signed webhooks back to the project's
// webhook function, in Meta's v24+ shapes (https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components): automatic statuses for
// accepted messages (WebhookOptions), statuses on demand (PostStatus, StatusPayload),
// the recipient's button taps and texts (TapButton, SendText) and arbitrary bodies
// (Post). Accepted messages are kept with their phone number id, WABA, recipient
// wa_id, wamid, type and biz_opaque_callback_data for this.
package metastandin

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Number is a business phone number known to the stand-in.
type Number struct {
	PhoneNumberID      string
	DisplayPhoneNumber string // e.g. "+55 11 4000-0000"; its digits are the sender's number
	WABAID             string
	AccessToken        string
	// Coexistence: the number stays on the WhatsApp Business app, so its throughput
	// is Meta's 20/s instead of 80/s (throughput.go).
	Coexistence bool
}

// Template is a message template of a WABA.
type Template struct {
	Name       string
	Language   string // e.g. pt_BR
	BodyParams int    // number of body variables {{1}}…{{n}}
	Status     string // "APPROVED" (default when empty) | "PAUSED" | "DISABLED" | "REJECTED" | "PENDING"
}

// Fault makes one send request fail or misbehave. Faults are queued by FailNext and
// consumed one per POST to the send path, in order, before any validation.
//
//   - The zero Fault is a pass-through: the request is handled normally (use it to
//     let a request through between failures).
//   - HTTPStatus or Code set: the request is answered with that failure without being
//     validated or accepted. Code 0 means no JSON body (a bare gateway error): the body
//     is Message as text/plain, or empty. With a Code and no HTTPStatus, the status is
//     the one Meta uses for that code (its error-codes page; 400 when unknown). Message,
//     Details and, for code 190, Subcode (463, "session expired") default from Code.
//   - AcceptThenHang: the request is handled normally (validated and, when valid,
//     accepted: it gets a wamid and appears in Accepted), then no answer is ever
//     written: the handler blocks until the client goes away or the server closes,
//     and then aborts the connection. An invalid request hangs too (its answer is
//     lost), but is not accepted. HTTPStatus/Code are ignored.
//   - Delay: the answer (the fault's, or the normal one) is written after this delay.
//     The request is recorded, and accepted if valid, before the delay starts. If the
//     client goes away meanwhile, nothing is written (a valid message stays accepted).
//
// In JSON (control surface, MarshalJSON/UnmarshalJSON) the fields are http_status,
// code, subcode, type, message, details, accept_then_hang and delay ("2s").
type Fault struct {
	HTTPStatus     int           // e.g. 500, 429, 400, 401
	Code           int           // Meta error code; 0 → no JSON body
	Subcode        int           // error_subcode
	Type           string        // default "OAuthException"
	Message        string        // default derived from Code, e.g. "(#130429) Rate limit hit"
	Details        string        // error_data.details; default derived from Code
	AcceptThenHang bool          // accept, then never answer
	Delay          time.Duration // answer after this delay
}

// Request is one recorded request to the Graph API surface (every one, valid or not;
// control requests under /_standin/ are not recorded).
type Request struct {
	At            time.Time
	Method        string
	Path          string
	PhoneNumberID string // from the path; "" when the path did not match
	Version       string // from the path, e.g. "v23.0"; "" when absent
	Authorization string // the raw header
	Body          []byte

	Status   int    // HTTP status answered (for a hung request: the one it would have had)
	Response []byte // body answered (idem)
	WAMID    string // set when the message was accepted

	// Parsed from the body, best effort (also for rejected requests).
	To                    string
	Type                  string // message type; "read" for a mark-as-read request
	TemplateName          string
	TemplateLanguage      string
	BodyParams            []string // texts of the template's body parameters, in order
	Text                  string   // text.body, or interactive.body.text
	BizOpaqueCallbackData string

	Faulted bool // the answer came from a queued error Fault
	Hung    bool // an AcceptThenHang fault: no answer was ever written
}

// acceptedMessage is what a status webhook would need about an accepted message.
type acceptedMessage struct {
	At                    time.Time
	PhoneNumberID         string
	DisplayPhoneNumber    string
	WABAID                string
	RecipientWAID         string
	WAMID                 string
	Type                  string
	BizOpaqueCallbackData string
}

type templateKey struct{ name, language string }

// Server is the Graph API stand-in. Create it with New; it is safe for concurrent use.
type Server struct {
	mu          sync.Mutex
	numbers     map[string]Number                   // by phone number id
	templates   map[string]map[templateKey]Template // by the phone number id they were added for
	unreachable map[string]bool                     // recipient digits
	faults      []Fault                             // pending, in order
	requests    []Request                           // in arrival order
	accepted    []acceptedMessage                   // what status webhooks and taps need
	changed     chan struct{}                       // closed and replaced when a request or webhook is recorded
	httpSrv     *http.Server
	closed      bool
	closing     chan struct{} // closed by Close: releases hung and delayed requests, stops automatic statuses
	closeOnce   sync.Once
	now         func() time.Time

	webhook       WebhookOptions
	webhooks      []WebhookDelivery // every webhook POST, in the order they ended
	webhookClient *http.Client
	bgCtx         context.Context // canceled by Close: aborts automatic webhook POSTs
	bgCancel      context.CancelFunc
	autoWG        sync.WaitGroup // automatic-status goroutines

	// Onboarding (onboarding.go).
	appID, appSecret string
	businesses       map[string]*BusinessState // by WABA id
	endpointFaults   map[string][]Fault        // by onboarding endpoint

	// Lifecycle (lifecycle.go).
	lifecycleDelay time.Duration
	revoked        map[string]bool // revoked business tokens

	// Pair rate (pairrate.go).
	pairWindow time.Duration
	lastToPair map[pairKey]time.Time // when each (number, recipient) pair last had a message accepted

	// Messaging limit per WABA (messaginglimit.go).
	portfolios map[string]*portfolioLimit

	// Throughput (throughput.go).
	throughputScale    float64
	throughputOverride map[string]int     // by phone number id
	buckets            map[string]*bucket // throughput allowance, by phone number id
	throttled          map[string]int     // sends refused by the cap since the last Reset
}

// New returns an empty stand-in: no numbers, no templates.
func New() *Server {
	ctx, cancel := context.WithCancel(context.Background())
	transport := http.DefaultTransport.(*http.Transport).Clone()
	return &Server{
		numbers:     map[string]Number{},
		templates:   map[string]map[templateKey]Template{},
		unreachable: map[string]bool{},
		changed:     make(chan struct{}),
		closing:     make(chan struct{}),
		now:         time.Now,
		// Meta's caps by number kind (throughput.go).
		throughputScale: 1,
		webhookClient:   &http.Client{Timeout: webhookTimeout, Transport: transport},
		bgCtx:           ctx,
		bgCancel:        cancel,
	}
}

// AddNumber registers (or replaces) a business phone number and its access token.
func (s *Server) AddNumber(n Number) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.numbers[n.PhoneNumberID] = n
}

// AddTemplate registers (or replaces) a template for the WABA of the given phone
// number: every number of the same WABA can send it. An empty Status means APPROVED.
// The number may be added before or after its templates.
func (s *Server) AddTemplate(phoneNumberID string, t Template) {
	if t.Status == "" {
		t.Status = "APPROVED"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.templates[phoneNumberID]
	if m == nil {
		m = map[templateKey]Template{}
		s.templates[phoneNumberID] = m
	}
	m[templateKey{t.Name, t.Language}] = t
}

// SetTemplateStatus changes the status of a template known for that number's WABA
// (e.g. to simulate Meta pausing it). It does nothing if no such template exists.
func (s *Server) SetTemplateStatus(phoneNumberID, name, language, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := templateKey{name, language}
	for _, owner := range s.templateOwnersLocked(phoneNumberID) {
		if t, ok := s.templates[owner][key]; ok {
			t.Status = status
			s.templates[owner][key] = t
		}
	}
}

// templateOwnersLocked lists the phone number ids whose templates a number may use:
// itself and the numbers of its WABA.
func (s *Server) templateOwnersLocked(phoneNumberID string) []string {
	owners := []string{phoneNumberID}
	waba := s.numbers[phoneNumberID].WABAID
	if waba == "" {
		return owners
	}
	for id := range s.templates {
		if id != phoneNumberID && s.numbers[id].WABAID == waba {
			owners = append(owners, id)
		}
	}
	slices.Sort(owners[1:])
	return owners
}

// findTemplateLocked returns the template name/language for a number's WABA.
func (s *Server) findTemplateLocked(phoneNumberID, name, language string) (Template, bool) {
	for _, owner := range s.templateOwnersLocked(phoneNumberID) {
		if t, ok := s.templates[owner][templateKey{name, language}]; ok {
			return t, true
		}
	}
	return Template{}, false
}

// AddUnreachable marks a recipient as not on WhatsApp: sends to it fail with 131026.
// Formatting is ignored: "+55 11 98765-4321" and "5511987654321" are the same.
func (s *Server) AddUnreachable(phone string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unreachable[digits(phone)] = true
}

// FailNext queues faults; each subsequent send request consumes one, in order.
func (s *Server) FailNext(faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, faults...)
}

func (s *Server) nextFault() (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.faults) == 0 {
		return Fault{}, false
	}
	f := s.faults[0]
	s.faults = s.faults[1:]
	return f, true
}

// Requests returns copies of all recorded requests, in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		out[i] = r.clone()
	}
	return out
}

// Accepted returns copies of the recorded requests that were accepted (got a wamid),
// in arrival order.
func (s *Server) Accepted() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.requests {
		if r.WAMID != "" {
			out = append(out, r.clone())
		}
	}
	return out
}

func (r Request) clone() Request {
	r.Body = slices.Clone(r.Body)
	r.Response = slices.Clone(r.Response)
	r.BodyParams = slices.Clone(r.BodyParams)
	return r
}

// Reset forgets recorded requests, accepted messages, pending faults and recorded
// webhooks. Numbers, templates, unreachable recipients and the webhook options stay;
// automatic statuses already scheduled still run (they are recorded after the Reset).
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
	s.accepted = nil
	s.faults = nil
	s.endpointFaults = nil
	s.webhooks = nil
	s.lastToPair = nil
	s.buckets = nil
	s.throttled = nil
}

// record stores a request (and its acceptance) and wakes WaitRequests.
func (s *Server) record(r Request, acc *acceptedMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r)
	if acc != nil {
		s.accepted = append(s.accepted, *acc)
	}
	close(s.changed)
	s.changed = make(chan struct{})
}

// WaitRequests blocks until at least n requests are recorded (since the last Reset),
// or ctx ends. A request is recorded once its outcome is decided, before a Delay or
// an AcceptThenHang fault holds its answer back.
func (s *Server) WaitRequests(ctx context.Context, n int) error {
	for {
		s.mu.Lock()
		have, ch := len(s.requests), s.changed
		s.mu.Unlock()
		if have >= n {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("metastandin: %d of %d requests recorded: %w", have, n, ctx.Err())
		}
	}
}

// Serve listens on addr (loopback; "" means "127.0.0.1:0") and serves in the
// background. It returns the base URL, e.g. "http://127.0.0.1:41234", to use in place
// of https://graph.facebook.com.
func (s *Server) Serve(addr string) (baseURL string, err error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return "", errors.New("metastandin: server closed")
	}
	if s.httpSrv != nil {
		return "", errors.New("metastandin: already serving")
	}
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("metastandin: listen: %w", err)
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	s.httpSrv = srv
	go func() { _ = srv.Serve(lis) }()
	return "http://" + lis.Addr().String(), nil
}

// Close releases hung and delayed requests, stops pending automatic statuses (an
// automatic POST in flight is canceled) and waits for their goroutines, and, if Serve
// was used, stops the HTTP server and closes its connections. It is idempotent.
// Webhooks posted with PostStatus, TapButton, SendText or Post still work afterwards.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closing)
		s.bgCancel()
	})
	s.mu.Lock()
	s.closed = true
	srv := s.httpSrv
	s.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
	}
	s.autoWG.Wait()
	s.webhookClient.CloseIdleConnections()
}
