package metastandin

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
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
}

// control serves /_standin/.
func (s *Server) control(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodySize))
	if err != nil {
		controlError(w, http.StatusBadRequest, "reading body: "+err.Error())
		return
	}
	switch r.URL.Path {
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
		s.AddNumber(Number{PhoneNumberID: n.PhoneNumberID, DisplayPhoneNumber: n.DisplayPhoneNumber, WABAID: n.WABAID, AccessToken: n.AccessToken})
		w.WriteHeader(http.StatusNoContent)
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
	default:
		controlError(w, http.StatusNotFound, "unknown control endpoint "+r.URL.Path)
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
