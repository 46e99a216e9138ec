package metastandin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// faultJSON is Fault on the control surface: snake_case, delay as a duration string.
type faultJSON struct {
	HTTPStatus     int    `json:"http_status,omitempty"`
	Code           int    `json:"code,omitempty"`
	Subcode        int    `json:"subcode,omitempty"`
	Type           string `json:"type,omitempty"`
	Message        string `json:"message,omitempty"`
	Details        string `json:"details,omitempty"`
	AcceptThenHang bool   `json:"accept_then_hang,omitempty"`
	Delay          string `json:"delay,omitempty"`
}

// MarshalJSON encodes a Fault with snake_case names and "delay" as a duration string.
func (f Fault) MarshalJSON() ([]byte, error) {
	j := faultJSON{f.HTTPStatus, f.Code, f.Subcode, f.Type, f.Message, f.Details, f.AcceptThenHang, ""}
	if f.Delay != 0 {
		j.Delay = f.Delay.String()
	}
	return json.Marshal(j)
}

// UnmarshalJSON decodes the form written by MarshalJSON; unknown fields are errors.
func (f *Fault) UnmarshalJSON(b []byte) error {
	var j faultJSON
	if err := strictDecode(b, &j); err != nil {
		return err
	}
	*f = Fault{HTTPStatus: j.HTTPStatus, Code: j.Code, Subcode: j.Subcode, Type: j.Type,
		Message: j.Message, Details: j.Details, AcceptThenHang: j.AcceptThenHang}
	if j.Delay != "" {
		d, err := time.ParseDuration(j.Delay)
		if err != nil || d < 0 {
			return fmt.Errorf("fault delay %q: not a duration like \"2s\"", j.Delay)
		}
		f.Delay = d
	}
	return nil
}

func strictDecode(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// requestJSON is Request on the control surface. Body and Response are strings (the
// raw bytes), easier to read than base64.
type requestJSON struct {
	At                    time.Time `json:"at"`
	Method                string    `json:"method"`
	Path                  string    `json:"path"`
	PhoneNumberID         string    `json:"phone_number_id"`
	Version               string    `json:"version"`
	Authorization         string    `json:"authorization"`
	Body                  string    `json:"body"`
	Status                int       `json:"status"`
	Response              string    `json:"response"`
	WAMID                 string    `json:"wamid,omitempty"`
	To                    string    `json:"to,omitempty"`
	Type                  string    `json:"type,omitempty"`
	TemplateName          string    `json:"template_name,omitempty"`
	TemplateLanguage      string    `json:"template_language,omitempty"`
	BodyParams            []string  `json:"body_params,omitempty"`
	Text                  string    `json:"text,omitempty"`
	BizOpaqueCallbackData string    `json:"biz_opaque_callback_data,omitempty"`
	Faulted               bool      `json:"faulted,omitempty"`
	Hung                  bool      `json:"hung,omitempty"`
}

type templateJSON struct {
	PhoneNumberID string `json:"phone_number_id"`
	Name          string `json:"name"`
	Language      string `json:"language"`
	BodyParams    int    `json:"body_params"`
	Status        string `json:"status"`
}

type numberJSON struct {
	PhoneNumberID      string `json:"phone_number_id"`
	DisplayPhoneNumber string `json:"display_phone_number"`
	WABAID             string `json:"waba_id"`
	AccessToken        string `json:"access_token"`
	Coexistence        bool   `json:"coexistence"`
}

// control serves /_standin/.
func (s *Server) control(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodySize))
	if err != nil {
		controlError(w, http.StatusBadRequest, "reading body: "+err.Error())
		return
	}
	switch r.URL.Path {
	case "/_standin/messaging_limit": // messaginglimit.go
		s.controlMessagingLimit(w, r, body)
	case "/_standin/requests":
		switch r.Method {
		case http.MethodGet:
			reqs := s.Requests()
			if r.URL.Query().Get("accepted") == "true" {
				reqs = s.Accepted()
			}
			out := make([]requestJSON, 0, len(reqs))
			for _, q := range reqs {
				out = append(out, requestJSON{
					At: q.At, Method: q.Method, Path: q.Path, PhoneNumberID: q.PhoneNumberID, Version: q.Version,
					Authorization: q.Authorization, Body: string(q.Body), Status: q.Status, Response: string(q.Response),
					WAMID: q.WAMID, To: q.To, Type: q.Type, TemplateName: q.TemplateName, TemplateLanguage: q.TemplateLanguage,
					BodyParams: q.BodyParams, Text: q.Text, BizOpaqueCallbackData: q.BizOpaqueCallbackData,
					Faulted: q.Faulted, Hung: q.Hung,
				})
			}
			controlJSON(w, http.StatusOK, out)
		case http.MethodDelete:
			s.Reset()
			w.WriteHeader(http.StatusNoContent)
		default:
			methodNotAllowed(w, "GET, DELETE")
		}
	case "/_standin/faults":
		switch r.Method {
		case http.MethodPost:
			var faults []Fault
			if err := json.Unmarshal(body, &faults); err != nil {
				controlError(w, http.StatusBadRequest, "body must be a JSON array of faults: "+err.Error())
				return
			}
			s.FailNext(faults...)
			controlJSON(w, http.StatusOK, map[string]int{"queued": len(faults), "pending": s.pendingFaults()})
		case http.MethodGet:
			s.mu.Lock()
			pending := append([]Fault{}, s.faults...)
			s.mu.Unlock()
			controlJSON(w, http.StatusOK, pending)
		case http.MethodDelete:
			s.mu.Lock()
			s.faults = nil
			s.mu.Unlock()
			w.WriteHeader(http.StatusNoContent)
		default:
			methodNotAllowed(w, "GET, POST, DELETE")
		}
	case "/_standin/templates":
		if r.Method != http.MethodPost {
			methodNotAllowed(w, "POST")
			return
		}
		var t templateJSON
		if err := strictDecode(body, &t); err != nil {
			controlError(w, http.StatusBadRequest, "bad template: "+err.Error())
			return
		}
		if t.PhoneNumberID == "" || t.Name == "" || t.Language == "" || t.BodyParams < 0 {
			controlError(w, http.StatusBadRequest, "phone_number_id, name and language are required, body_params must not be negative")
			return
		}
		switch t.Status {
		case "", "APPROVED", "PAUSED", "DISABLED", "REJECTED", "PENDING":
		default:
			controlError(w, http.StatusBadRequest, "status must be APPROVED, PAUSED, DISABLED, REJECTED or PENDING")
			return
		}
		s.AddTemplate(t.PhoneNumberID, Template{Name: t.Name, Language: t.Language, BodyParams: t.BodyParams, Status: t.Status})
		w.WriteHeader(http.StatusNoContent)
	case "/_standin/numbers":
		if r.Method != http.MethodPost {
			methodNotAllowed(w, "POST")
			return
		}
		var n numberJSON
		if err := strictDecode(body, &n); err != nil {
			controlError(w, http.StatusBadRequest, "bad number: "+err.Error())
			return
		}
		if n.PhoneNumberID == "" || n.AccessToken == "" {
			controlError(w, http.StatusBadRequest, "phone_number_id and access_token are required")
			return
		}
		s.AddNumber(Number{PhoneNumberID: n.PhoneNumberID, DisplayPhoneNumber: n.DisplayPhoneNumber, WABAID: n.WABAID, AccessToken: n.AccessToken, Coexistence: n.Coexistence})
		w.WriteHeader(http.StatusNoContent)
	case "/_standin/throughput":
		if r.Method != http.MethodGet {
			methodNotAllowed(w, "GET")
			return
		}
		controlJSON(w, http.StatusOK, s.ThroughputStats())
	case "/_standin/unreachable":
		if r.Method != http.MethodPost {
			methodNotAllowed(w, "POST")
			return
		}
		var u struct {
			Phone string `json:"phone"`
		}
		if err := strictDecode(body, &u); err != nil || digits(u.Phone) == "" {
			controlError(w, http.StatusBadRequest, `body must be {"phone":"+55…"}`)
			return
		}
		s.AddUnreachable(u.Phone)
		w.WriteHeader(http.StatusNoContent)
	case "/_standin/webhook":
		if r.Method != http.MethodPost {
			methodNotAllowed(w, "POST")
			return
		}
		var o WebhookOptions
		if err := json.Unmarshal(body, &o); err != nil {
			controlError(w, http.StatusBadRequest, "bad webhook options: "+err.Error())
			return
		}
		s.SetWebhook(o)
		w.WriteHeader(http.StatusNoContent)
	case "/_standin/webhooks":
		switch r.Method {
		case http.MethodGet:
			ds := s.Webhooks()
			out := make([]webhookDeliveryJSON, 0, len(ds))
			for _, d := range ds {
				j := webhookDeliveryJSON{At: d.At, URL: d.URL, Kind: d.Kind, WAMID: d.WAMID, MessageStatus: d.MessageStatus,
					Automatic: d.Automatic, Body: string(d.Body), Signature: d.Signature, Status: d.Status, Response: string(d.Response)}
				if d.Err != nil {
					j.Error = d.Err.Error()
				}
				out = append(out, j)
			}
			controlJSON(w, http.StatusOK, out)
		case http.MethodDelete:
			s.mu.Lock()
			s.webhooks = nil
			s.mu.Unlock()
			w.WriteHeader(http.StatusNoContent)
		default:
			methodNotAllowed(w, "GET, DELETE")
		}
	case "/_standin/tap":
		if r.Method != http.MethodPost {
			methodNotAllowed(w, "POST")
			return
		}
		var t struct {
			WAMID   string `json:"wamid"`
			Payload string `json:"payload"`
			Text    string `json:"text"`
		}
		if err := strictDecode(body, &t); err != nil || t.WAMID == "" || (t.Payload == "" && t.Text == "") {
			controlError(w, http.StatusBadRequest, `body must be {"wamid","payload","text"} with a wamid and a payload or text`)
			return
		}
		id, st, err := s.TapButton(r.Context(), t.WAMID, t.Payload, t.Text)
		webhookResult(w, id, st, err)
	case "/_standin/inbound-text":
		if r.Method != http.MethodPost {
			methodNotAllowed(w, "POST")
			return
		}
		var t struct {
			PhoneNumberID string `json:"phone_number_id"`
			From          string `json:"from"`
			Body          string `json:"body"`
			ContextID     string `json:"context_id"`
		}
		if err := strictDecode(body, &t); err != nil || t.PhoneNumberID == "" || digits(t.From) == "" || t.Body == "" {
			controlError(w, http.StatusBadRequest, `body must be {"phone_number_id","from","body","context_id"}; context_id is optional`)
			return
		}
		id, st, err := s.SendText(r.Context(), t.PhoneNumberID, t.From, t.Body, t.ContextID)
		webhookResult(w, id, st, err)
	case "/_standin/status":
		if r.Method != http.MethodPost {
			methodNotAllowed(w, "POST")
			return
		}
		var t struct {
			WAMID   string `json:"wamid"`
			Status  string `json:"status"`
			Code    int    `json:"code"`
			Title   string `json:"title"`
			Details string `json:"details"`
		}
		if err := strictDecode(body, &t); err != nil || t.WAMID == "" || !webhookStatuses[t.Status] {
			controlError(w, http.StatusBadRequest, `body must be {"wamid","status","code","title","details"}; status sent|delivered|read|failed`)
			return
		}
		st, err := s.PostStatus(r.Context(), t.WAMID, t.Status, t.Code, t.Title, t.Details)
		webhookResult(w, t.WAMID, st, err)
	case "/_standin/lifecycle":
		if r.Method != http.MethodPost {
			methodNotAllowed(w, "POST")
			return
		}
		var l struct {
			WABAID string `json:"waba_id"`
			Action string `json:"action"`
		}
		if err := strictDecode(body, &l); err != nil || l.WABAID == "" {
			controlError(w, http.StatusBadRequest, `body must be {"waba_id","action"}; action disconnect|revoke_token|restore_token`)
			return
		}
		switch l.Action {
		case "disconnect":
			st, err := s.DisconnectFromBusinessApp(r.Context(), l.WABAID)
			webhookResult(w, l.WABAID, st, err)
			return
		case "revoke_token", "restore_token":
			err := s.RevokeToken(l.WABAID)
			if l.Action == "restore_token" {
				err = s.RestoreToken(l.WABAID)
			}
			if err != nil {
				controlError(w, http.StatusNotFound, err.Error())
				return
			}
			controlJSON(w, http.StatusOK, map[string]string{"waba_id": l.WABAID, "action": l.Action})
			return
		}
		controlError(w, http.StatusBadRequest, "action must be disconnect, revoke_token or restore_token")
	default:
		controlError(w, http.StatusNotFound, "unknown control endpoint "+r.URL.Path)
	}
}

// webhookDeliveryJSON is WebhookDelivery on the control surface.
type webhookDeliveryJSON struct {
	At            time.Time `json:"at"`
	URL           string    `json:"url"`
	Kind          string    `json:"kind"`
	WAMID         string    `json:"wamid,omitempty"`
	MessageStatus string    `json:"message_status,omitempty"`
	Automatic     bool      `json:"automatic,omitempty"`
	Body          string    `json:"body"`
	Signature     string    `json:"signature"`
	Status        int       `json:"status"`
	Response      string    `json:"response,omitempty"`
	Error         string    `json:"error,omitempty"`
}

// webhookOptionsJSON is WebhookOptions on the control surface: snake_case, delay as
// a duration string.
type webhookOptionsJSON struct {
	URL          string   `json:"url"`
	AppSecret    string   `json:"app_secret"`
	AutoStatuses []string `json:"auto_statuses,omitempty"`
	Delay        string   `json:"delay,omitempty"`
	Duplicates   int      `json:"duplicates,omitempty"`
	Shuffle      bool     `json:"shuffle,omitempty"`
}

// MarshalJSON encodes WebhookOptions with snake_case names and "delay" as a
// duration string.
func (o WebhookOptions) MarshalJSON() ([]byte, error) {
	j := webhookOptionsJSON{o.URL, o.AppSecret, o.AutoStatuses, "", o.Duplicates, o.Shuffle}
	if o.Delay != 0 {
		j.Delay = o.Delay.String()
	}
	return json.Marshal(j)
}

// UnmarshalJSON decodes the form written by MarshalJSON and validates it: unknown
// fields, an unknown status, a negative delay or duplicates, or a URL that is not
// http(s) are errors.
func (o *WebhookOptions) UnmarshalJSON(b []byte) error {
	var j webhookOptionsJSON
	if err := strictDecode(b, &j); err != nil {
		return err
	}
	n := WebhookOptions{URL: j.URL, AppSecret: j.AppSecret, AutoStatuses: j.AutoStatuses, Duplicates: j.Duplicates, Shuffle: j.Shuffle}
	if j.Delay != "" {
		d, err := time.ParseDuration(j.Delay)
		if err != nil {
			return fmt.Errorf("webhook delay %q: not a duration like \"1s\"", j.Delay)
		}
		n.Delay = d
	}
	if n.URL != "" {
		u, err := url.Parse(n.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("webhook url %q: must be an http(s) URL", n.URL)
		}
	}
	if err := n.validate(); err != nil {
		return err
	}
	*o = n
	return nil
}

// webhookResult answers a control request that posted a webhook: 200 with the id
// and the status the webhook answered, 502 if it got no answer, 404 for an unknown
// wamid, 409 when no webhook URL is set, 400 otherwise.
func webhookResult(w http.ResponseWriter, id string, status int, err error) {
	switch {
	case err == nil:
		controlJSON(w, http.StatusOK, map[string]any{"id": id, "webhook_status": status})
	case errors.Is(err, ErrUnknownMessage):
		controlError(w, http.StatusNotFound, err.Error())
	case errors.Is(err, ErrNoWebhookURL):
		controlError(w, http.StatusConflict, err.Error())
	case errors.Is(err, ErrNoAnswer):
		controlJSON(w, http.StatusBadGateway, map[string]any{"id": id, "error": err.Error()})
	default:
		controlError(w, http.StatusBadRequest, err.Error())
	}
}

func (s *Server) pendingFaults() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.faults)
}

func controlJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func controlError(w http.ResponseWriter, status int, msg string) {
	controlJSON(w, status, map[string]string{"error": msg})
}

func methodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	controlError(w, http.StatusMethodNotAllowed, "method not allowed; use "+allow)
}
