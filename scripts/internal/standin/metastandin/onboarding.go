package metastandin

// Meta's side of a Tech Provider's onboarding after Embedded Signup, for fake
// businesses (AddBusiness), with Meta's answer shapes (sources: "Onboarding business
// customers as a Tech Provider",
// https://developers.facebook.com/docs/whatsapp/embedded-signup/onboarding-customers-as-a-tech-provider;
// coexistence, https://developers.facebook.com/docs/whatsapp/embedded-signup/onboarding-business-app-users;
// debug_token, https://developers.facebook.com/docs/graph-api/reference/debug_token):
//
//	GET  /{v}/oauth/access_token?client_id&client_secret&code → {"access_token","token_type":"bearer"}
//	     (a code is single-use: again → 400 code 100 subcode 36009; unknown → 100/36007;
//	     wrong app id or secret → 400 code 1 "Error validating client secret.")
//	GET  /{v}/debug_token?input_token=<business token>  (Bearer "<app id>|<app secret>")
//	     → {"data":{app_id,type:"SYSTEM_USER",is_valid,scopes,granular_scopes:[{scope,target_ids}]}}
//	GET  /{v}/{waba}/phone_numbers → {"data":[{id,display_phone_number,verified_name,platform_type,…}],"paging":…}
//	     (with fields=…whatsapp_business_manager_messaging_limit…: the portfolio's limit, messaginglimit.go)
//	POST /{v}/{waba}/subscribed_apps → {"success":true} (then PARTNER_ADDED, lifecycle.go)
//	DELETE /{v}/{waba}/subscribed_apps → {"success":true} (unsubscribed)
//	POST /{v}/{phone}/register {"messaging_product":"whatsapp","pin":"6 digits"} → {"success":true}
//	     (a coexistence number is already registered: → 400 code 100, it must not be registered)
//	POST /{v}/{phone}/smb_app_data {"messaging_product":"whatsapp","sync_type":"smb_app_state_sync"|"history"}
//	     → {"messaging_product":"whatsapp","request_id":"…"} (coexistence numbers only)
//	GET  /{v}/{waba}/message_templates → {"data":[{name,language,status,category,components,id}],"paging":…}
//
// Business objects answer only to the business's own token (else 401 code 190). Every
// call is recorded (Requests) and counted per business (BusinessState); FailNextOn
// makes the next call of one endpoint fail once with a Fault.

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// Onboarding endpoints, as named to FailNextOn and in BusinessState.Calls.
const (
	EndpointAccessToken      = "oauth/access_token"
	EndpointDebugToken       = "debug_token"
	EndpointPhoneNumbers     = "phone_numbers"
	EndpointSubscribedApps   = "subscribed_apps"
	EndpointRegister         = "register"
	EndpointSMBAppData       = "smb_app_data"
	EndpointMessageTemplates = "message_templates"
)

// Business is a fake business a signup can choose: its code (what the Embedded
// Signup popup hands the browser), the token the code exchanges for, its WABA and
// number, and whether the number stays on the WhatsApp Business app (coexistence).
type Business struct {
	Code               string
	Token              string
	WABAID             string
	PhoneNumberID      string
	DisplayPhoneNumber string
	VerifiedName       string
	Coexistence        bool
}

// BusinessState is what the stand-in saw of a business's onboarding.
type BusinessState struct {
	Business
	CodeUsed   bool // a code was exchanged: the business token is issued
	Subscribed bool
	Registered bool
	PIN        string
	Syncs      []string       // sync_type values asked for, in order
	Calls      map[string]int // successful calls per endpoint
	// codes holds every code issued for the business (Business.Code and NewCode's),
	// each usable once: code → used.
	codes map[string]bool
}

// SetApp sets the app id and secret the code exchange and debug_token check.
func (s *Server) SetApp(appID, appSecret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.appID, s.appSecret = appID, appSecret
}

// AddBusiness registers a fake business; its number can send with its token (as a
// business token covers its WABA) and its WABA holds the templates added for it.
func (s *Server) AddBusiness(b Business) {
	s.mu.Lock()
	if s.businesses == nil {
		s.businesses = map[string]*BusinessState{}
	}
	st := &BusinessState{Business: b, Calls: map[string]int{}, codes: map[string]bool{}}
	if b.Code != "" {
		st.codes[b.Code] = false
	}
	s.businesses[b.WABAID] = st
	s.mu.Unlock()
	s.AddNumber(Number{PhoneNumberID: b.PhoneNumberID, DisplayPhoneNumber: b.DisplayPhoneNumber, WABAID: b.WABAID, AccessToken: b.Token, Coexistence: b.Coexistence})
}

// NewCode issues a fresh single-use code for the business of that WABA, as each
// Embedded Signup login hands the browser a new one (a reconnection logs in again).
func (s *Server) NewCode(wabaID string) (string, error) {
	var raw [9]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.businesses[wabaID]
	if !ok {
		return "", fmt.Errorf("metastandin: no business with WABA %s", wabaID)
	}
	code := "AQ" + base64.RawURLEncoding.EncodeToString(raw[:])
	b.codes[code] = false
	return code, nil
}

// Business returns a copy of what the stand-in saw of the business of that WABA.
func (s *Server) Business(wabaID string) (BusinessState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.businesses[wabaID]
	if !ok {
		return BusinessState{}, false
	}
	out := *b
	out.Syncs = append([]string(nil), b.Syncs...)
	out.codes = nil
	out.Calls = map[string]int{}
	for k, v := range b.Calls {
		out.Calls[k] = v
	}
	return out, true
}

// FailNextOn makes the next call of an onboarding endpoint fail with f (an error
// Fault: HTTPStatus and/or Code), once per queued fault.
func (s *Server) FailNextOn(endpoint string, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.endpointFaults == nil {
		s.endpointFaults = map[string][]Fault{}
	}
	s.endpointFaults[endpoint] = append(s.endpointFaults[endpoint], faults...)
}

func (s *Server) nextEndpointFault(endpoint string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.endpointFaults[endpoint]
	if len(q) == 0 {
		return Fault{}, false
	}
	s.endpointFaults[endpoint] = q[1:]
	return q[0], true
}

var (
	onboardingTopRE = regexp.MustCompile(`^/(?:v[0-9]+\.[0-9]+/)?(oauth/access_token|debug_token)/?$`)
	onboardingObjRE = regexp.MustCompile(`^/(?:v[0-9]+\.[0-9]+/)?([^/]+)/(phone_numbers|subscribed_apps|register|smb_app_data|message_templates)/?$`)
	pinRE           = regexp.MustCompile(`^[0-9]{6}$`)
)

// onboardingEndpoint names the onboarding endpoint of a path and its object id, if any.
func onboardingEndpoint(path string) (endpoint, id string, ok bool) {
	if m := onboardingTopRE.FindStringSubmatch(path); m != nil {
		return m[1], "", true
	}
	if m := onboardingObjRE.FindStringSubmatch(path); m != nil {
		return m[2], m[1], true
	}
	return "", "", false
}

var endpointMethods = map[string]string{
	EndpointAccessToken: http.MethodGet, EndpointDebugToken: http.MethodGet,
	EndpointPhoneNumbers: http.MethodGet, EndpointMessageTemplates: http.MethodGet,
	EndpointSubscribedApps: http.MethodPost, EndpointRegister: http.MethodPost, EndpointSMBAppData: http.MethodPost,
}

// onboarding answers an onboarding endpoint's request.
func (s *Server) onboarding(r *http.Request, endpoint, id string, body []byte, rec *Request) answer {
	if endpoint == EndpointSubscribedApps && r.Method == http.MethodDelete {
		endpoint = EndpointUnsubscribeApp // lifecycle.go
	} else if r.Method != endpointMethods[endpoint] {
		return unsupportedRequest(strings.ToLower(r.Method), endpoint)
	}
	if f, ok := s.nextEndpointFault(endpoint); ok && (f.HTTPStatus != 0 || f.Code != 0) {
		rec.Faulted = true
		return faultAnswer(f, rec.At)
	}
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	switch endpoint {
	case EndpointAccessToken:
		if q.Get("client_id") != s.appID || s.appSecret == "" || q.Get("client_secret") != s.appSecret {
			return errorAnswer(http.StatusBadRequest, graphError{Message: "Error validating client secret.", Type: "OAuthException", Code: 1})
		}
		for _, b := range s.businesses {
			if used, ok := b.codes[q.Get("code")]; ok && q.Get("code") != "" {
				if used {
					return errorAnswer(http.StatusBadRequest, graphError{Message: "This authorization code has been used.", Type: "OAuthException", Code: 100, ErrorSubcode: 36009})
				}
				b.codes[q.Get("code")] = true
				b.CodeUsed = true
				b.Calls[endpoint]++
				return jsonAnswer(http.StatusOK, map[string]any{"access_token": b.Token, "token_type": "bearer"})
			}
		}
		return errorAnswer(http.StatusBadRequest, graphError{Message: "Invalid verification code format.", Type: "OAuthException", Code: 100, ErrorSubcode: 36007})
	case EndpointDebugToken:
		if s.appSecret == "" || token(r) != s.appID+"|"+s.appSecret {
			return tokenError("Invalid OAuth access token - Cannot parse access token", 0)
		}
		for _, b := range s.businesses {
			if b.Token == q.Get("input_token") && b.CodeUsed && !s.revokedLocked(b.Token) {
				b.Calls[endpoint]++
				ids := []string{b.WABAID}
				return jsonAnswer(http.StatusOK, map[string]any{"data": map[string]any{
					"app_id": s.appID, "type": "SYSTEM_USER", "application": "Lembra", "is_valid": true,
					"scopes": []string{"whatsapp_business_management", "whatsapp_business_messaging"},
					"granular_scopes": []map[string]any{
						{"scope": "whatsapp_business_management", "target_ids": ids},
						{"scope": "whatsapp_business_messaging", "target_ids": ids},
					},
				}})
			}
		}
		return jsonAnswer(http.StatusOK, map[string]any{"data": map[string]any{
			"error": map[string]any{"code": 190, "message": "Invalid OAuth access token."}, "is_valid": false, "scopes": []string{},
		}})
	}
	// Object endpoints: the WABA or the number must be the token's business's.
	b := s.businessOfLocked(endpoint, id, token(r))
	if b == nil {
		return unsupportedRequest(strings.ToLower(r.Method), id)
	}
	if token(r) != b.Token || !b.CodeUsed {
		return tokenError("Invalid OAuth access token - Cannot parse access token", 0)
	}
	if s.revokedLocked(b.Token) {
		return revokedTokenError()
	}
	var req struct {
		MessagingProduct string `json:"messaging_product"`
		PIN              string `json:"pin"`
		SyncType         string `json:"sync_type"`
	}
	if r.Method == http.MethodPost && len(body) > 0 && json.Unmarshal(body, &req) != nil {
		return invalidParameter("The request body is not a JSON object.")
	}
	switch endpoint {
	case EndpointPhoneNumbers:
		platform := "CLOUD_API"
		b.Calls[endpoint]++
		answer := map[string]any{
			"data": []map[string]any{{
				"verified_name": b.VerifiedName, "code_verification_status": "VERIFIED",
				"display_phone_number": b.DisplayPhoneNumber, "quality_rating": "GREEN",
				"platform_type": platform, "is_on_biz_app": b.Coexistence,
				"throughput": map[string]string{"level": "STANDARD"}, "id": b.PhoneNumberID,
			}},
			"paging": map[string]any{"cursors": map[string]string{"before": "QVFIU", "after": "QVFIU"}},
		}
		s.limitFieldLocked(q.Get("fields"), b.WABAID, answer["data"].([]map[string]any)[0]) // messaginglimit.go
		return jsonAnswer(http.StatusOK, answer)
	case EndpointSubscribedApps:
		b.Subscribed = true
		b.Calls[endpoint]++
		s.afterOnboardingLocked(endpoint, b, "")
		return jsonAnswer(http.StatusOK, map[string]bool{"success": true})
	case EndpointUnsubscribeApp:
		b.Subscribed = false
		b.Calls[endpoint]++
		return jsonAnswer(http.StatusOK, map[string]bool{"success": true})
	case EndpointRegister:
		switch {
		case req.MessagingProduct != "whatsapp":
			return invalidParameter("messaging_product must be whatsapp")
		case !pinRE.MatchString(req.PIN):
			return invalidParameter("pin must be 6 digits")
		case b.Coexistence:
			return invalidParameter("This phone number is registered on the WhatsApp Business app and cannot be registered again.")
		}
		b.Registered, b.PIN = true, req.PIN
		b.Calls[endpoint]++
		return jsonAnswer(http.StatusOK, map[string]bool{"success": true})
	case EndpointSMBAppData:
		switch {
		case req.MessagingProduct != "whatsapp":
			return invalidParameter("messaging_product must be whatsapp")
		case req.SyncType != "smb_app_state_sync" && req.SyncType != "history":
			return invalidParameter("sync_type must be smb_app_state_sync or history")
		case !b.Coexistence:
			return invalidParameter("This phone number is not onboarded from the WhatsApp Business app.")
		}
		b.Syncs = append(b.Syncs, req.SyncType)
		b.Calls[endpoint]++
		s.afterOnboardingLocked(endpoint, b, req.SyncType)
		return jsonAnswer(http.StatusOK, map[string]string{"messaging_product": "whatsapp",
			"request_id": fmt.Sprintf("%s-%s-%d", b.PhoneNumberID, req.SyncType, len(b.Syncs))})
	case EndpointMessageTemplates:
		b.Calls[endpoint]++
		var data []map[string]any
		for _, owner := range s.templateOwnersLocked(b.PhoneNumberID) {
			for _, t := range s.templates[owner] {
				vars := make([]string, t.BodyParams)
				for i := range vars {
					vars[i] = "{{" + strconv.Itoa(i+1) + "}}"
				}
				data = append(data, map[string]any{
					"name": t.Name, "language": t.Language, "status": t.Status, "category": "UTILITY",
					"components": []map[string]string{{"type": "BODY", "text": "Olá " + strings.Join(vars, ", ") + "."}},
					"id":         fmt.Sprintf("%d", 1000+len(data)),
				})
			}
		}
		if data == nil {
			data = []map[string]any{}
		}
		return jsonAnswer(http.StatusOK, map[string]any{"data": data,
			"paging": map[string]any{"cursors": map[string]string{"before": "MAZDZD", "after": "MjQZD"}}})
	}
	return unknownPath(r.URL.Path)
}

// businessOfLocked finds the business a WABA endpoint's or a number endpoint's id
// belongs to: the token's business when two hold the id (a number moved between
// businesses), else any.
func (s *Server) businessOfLocked(endpoint, id, tok string) *BusinessState {
	var found *BusinessState
	for _, b := range s.businesses {
		holds := b.PhoneNumberID == id
		switch endpoint {
		case EndpointPhoneNumbers, EndpointSubscribedApps, EndpointUnsubscribeApp, EndpointMessageTemplates:
			holds = b.WABAID == id
		}
		if holds && (found == nil || b.Token == tok) {
			found = b
		}
	}
	return found
}
