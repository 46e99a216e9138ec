package metastandin_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lembra-app/lembra/scripts/internal/standin/metastandin"
)

const (
	pnid    = "106540352242922"
	pnid2   = "106540352242923" // same WABA as pnid
	pnidOtr = "209999999999999" // another WABA
	token   = "EAAtoken-tenant-1"
	token2  = "EAAtoken-tenant-1-second-number"
	tokenO  = "EAAtoken-tenant-2"
	to      = "+5511987654321"
)

func newServer(t *testing.T) (*metastandin.Server, string) {
	t.Helper()
	s := metastandin.New()
	s.AddNumber(metastandin.Number{PhoneNumberID: pnid, DisplayPhoneNumber: "+55 11 4000-0000", WABAID: "waba-1", AccessToken: token})
	s.AddNumber(metastandin.Number{PhoneNumberID: pnid2, DisplayPhoneNumber: "+55 11 4000-0001", WABAID: "waba-1", AccessToken: token2})
	s.AddNumber(metastandin.Number{PhoneNumberID: pnidOtr, DisplayPhoneNumber: "+55 21 4000-0000", WABAID: "waba-2", AccessToken: tokenO})
	s.AddTemplate(pnid, metastandin.Template{Name: "lembrete_agendamento", Language: "pt_BR", BodyParams: 2, Status: "APPROVED"})
	hs := httptest.NewServer(s)
	t.Cleanup(func() {
		s.Close() // releases hung handlers first, so hs.Close does not wait for them
		hs.Close()
	})
	return s, hs.URL
}

type response struct {
	status int
	header http.Header
	raw    string
	json   map[string]any
}

func post(t *testing.T, url, tok string, body any) response {
	t.Helper()
	return do(t, http.DefaultClient, http.MethodPost, url, tok, body)
}

func do(t *testing.T, c *http.Client, method, url, tok string, body any) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := response{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	_ = json.Unmarshal(raw, &r.json)
	return r
}

func sendURL(base, id string) string { return base + "/v23.0/" + id + "/messages" }

// templateBody is the DERIVED pt_BR quick-reply fixture, with a callback payload.
func templateBody(params ...string) map[string]any {
	ps := []any{}
	for _, p := range params {
		ps = append(ps, map[string]any{"type": "text", "text": p})
	}
	return map[string]any{
		"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": "template",
		"template": map[string]any{
			"name": "lembrete_agendamento", "language": map[string]any{"code": "pt_BR"},
			"components": []any{
				map[string]any{"type": "header", "parameters": []any{map[string]any{"type": "image", "image": map[string]any{"link": "https://example.com/banner.jpg"}}}},
				map[string]any{"type": "body", "parameters": ps},
				map[string]any{"type": "button", "sub_type": "quick_reply", "index": "0", "parameters": []any{map[string]any{"type": "payload", "payload": "CONFIRM:appt_123"}}},
			},
		},
		"biz_opaque_callback_data": "appt_123",
	}
}

func textBody(text string) map[string]any {
	return map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": "text",
		"text": map[string]any{"preview_url": true, "body": text}}
}

// metaError checks the error envelope and returns it.
func metaError(t *testing.T, r response, status, code int) map[string]any {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.raw)
	}
	e, ok := r.json["error"].(map[string]any)
	if !ok {
		t.Fatalf("no error envelope: %s", r.raw)
	}
	if int(e["code"].(float64)) != code {
		t.Fatalf("code %v, want %d: %s", e["code"], code, r.raw)
	}
	if id, _ := e["fbtrace_id"].(string); id == "" {
		t.Fatalf("no fbtrace_id: %s", r.raw)
	}
	if e["type"] == nil || e["message"] == nil {
		t.Fatalf("no type/message: %s", r.raw)
	}
	return e
}

func details(e map[string]any) string {
	d, _ := e["error_data"].(map[string]any)
	s, _ := d["details"].(string)
	return s
}

func TestTemplateSendSuccess(t *testing.T) {
	s, base := newServer(t)
	r := post(t, sendURL(base, pnid), token, templateBody("Maria", "amanhã às 14:00"))
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.raw)
	}
	var got struct {
		MessagingProduct string `json:"messaging_product"`
		Contacts         []struct {
			Input string `json:"input"`
			WAID  string `json:"wa_id"`
		} `json:"contacts"`
		Messages []map[string]string `json:"messages"`
	}
	if err := json.Unmarshal([]byte(r.raw), &got); err != nil {
		t.Fatal(err)
	}
	if got.MessagingProduct != "whatsapp" || len(got.Contacts) != 1 || got.Contacts[0].Input != to || got.Contacts[0].WAID != "5511987654321" {
		t.Fatalf("response %s", r.raw)
	}
	if len(got.Messages) != 1 || len(got.Messages[0]) != 2 || got.Messages[0]["message_status"] != "accepted" {
		t.Fatalf("messages %v", got.Messages)
	}
	wamid := got.Messages[0]["id"]
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(wamid, "wamid."))
	if !strings.HasPrefix(wamid, "wamid.") || err != nil || !bytes.Contains(raw, []byte("5511987654321")) {
		t.Fatalf("wamid %q (%v)", wamid, err)
	}
	if !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Fatalf("content type %q", r.header.Get("Content-Type"))
	}

	acc := s.Accepted()
	if len(acc) != 1 {
		t.Fatalf("accepted %d", len(acc))
	}
	a := acc[0]
	if a.WAMID != wamid || a.PhoneNumberID != pnid || a.Version != "v23.0" || a.To != to || a.Type != "template" ||
		a.TemplateName != "lembrete_agendamento" || a.TemplateLanguage != "pt_BR" ||
		fmt.Sprint(a.BodyParams) != "[Maria amanhã às 14:00]" || a.BizOpaqueCallbackData != "appt_123" ||
		a.Authorization != "Bearer "+token || a.Status != 200 || string(a.Response) != r.raw || a.Method != "POST" || a.At.IsZero() {
		t.Fatalf("recorded %+v", a)
	}
	// Copies: mutating them does not change the record.
	acc[0].BodyParams[0] = "changed"
	if s.Requests()[0].BodyParams[0] != "Maria" {
		t.Fatal("Requests returned shared slices")
	}
}

func TestTextSendSuccessShape(t *testing.T) {
	s, base := newServer(t)
	r := post(t, sendURL(base, pnid), token, textBody("Olá! Seu horário é amanhã."))
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.raw)
	}
	// Same keys as the send_success fixture: no message_status for non-templates.
	want := `{"messaging_product":"whatsapp","contacts":[{"input":"+5511987654321","wa_id":"5511987654321"}],"messages":[{"id":"` + s.Accepted()[0].WAMID + `"}]}`
	if r.raw != want {
		t.Fatalf("response\n%s\nwant\n%s", r.raw, want)
	}
	if a := s.Accepted()[0]; a.Text != "Olá! Seu horário é amanhã." || a.Type != "text" {
		t.Fatalf("recorded %+v", a)
	}
	// Type defaults to text; unversioned paths are served too.
	body := textBody("sem tipo")
	delete(body, "type")
	if r := post(t, base+"/"+pnid+"/messages", token, body); r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.raw)
	}
	if reqs := s.Requests(); reqs[1].Version != "" || reqs[1].Type != "text" {
		t.Fatalf("recorded %+v", reqs[1])
	}
}

func TestAccessToken(t *testing.T) {
	s, base := newServer(t)
	u := sendURL(base, pnid)
	body := textBody("oi")

	r := post(t, u, "", body)
	e := metaError(t, r, 401, 190)
	if e["error_data"] != nil || e["type"] != "OAuthException" {
		t.Fatalf("missing token: %s", r.raw)
	}
	if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), `OAuth "Facebook Platform" "invalid_token"`) {
		t.Fatalf("WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
	}
	metaError(t, post(t, u, "EAAunknown", body), 401, 190)
	// A token of another business.
	e = metaError(t, post(t, u, tokenO, body), 401, 190)
	if !strings.HasPrefix(e["message"].(string), "Error validating access token: ") {
		t.Fatalf("message %v", e["message"])
	}
	// A token of another number of the same WABA is a business token of that WABA.
	if r := post(t, u, token2, body); r.status != 200 {
		t.Fatalf("same-WABA token: %d %s", r.status, r.raw)
	}
	// access_token query parameter.
	if r := post(t, u+"?access_token="+token, "", body); r.status != 200 {
		t.Fatalf("query token: %d %s", r.status, r.raw)
	}
	// Unknown phone number id with a valid token.
	r = post(t, sendURL(base, "999"), token, body)
	e = metaError(t, r, 400, 100)
	if e["type"] != "GraphMethodException" || int(e["error_subcode"].(float64)) != 33 ||
		!strings.HasPrefix(e["message"].(string), "Unsupported post request. Object with ID '999' does not exist, cannot be loaded due to missing permissions, or does not support this operation") {
		t.Fatalf("unknown number: %s", r.raw)
	}
	if n := len(s.Accepted()); n != 2 {
		t.Fatalf("accepted %d", n)
	}
	if n := len(s.Requests()); n != 6 {
		t.Fatalf("recorded %d", n)
	}
}

func TestBodyValidation(t *testing.T) {
	_, base := newServer(t)
	u := sendURL(base, pnid)
	with := func(f func(m map[string]any)) map[string]any {
		m := textBody("oi")
		f(m)
		return m
	}
	long := strings.Repeat("á", 4097)
	cases := []struct {
		name   string
		body   any
		status int
		code   int
		detail string // substring of error_data.details
	}{
		{"not json", "messaging_product=whatsapp", 400, 100, "JSON"},
		{"json array", `[1]`, 400, 100, "JSON"},
		{"no messaging_product", with(func(m map[string]any) { delete(m, "messaging_product") }), 400, 100, "messaging_product"},
		{"wrong messaging_product", with(func(m map[string]any) { m["messaging_product"] = "instagram" }), 400, 100, "messaging_product"},
		{"no to", with(func(m map[string]any) { delete(m, "to") }), 400, 100, "to"},
		{"to letters", with(func(m map[string]any) { m["to"] = "+55abc87654321" }), 400, 100, "to"},
		{"to too short", with(func(m map[string]any) { m["to"] = "+1234567" }), 400, 100, "to"},
		{"to too long", with(func(m map[string]any) { m["to"] = "+1234567890123456" }), 400, 100, "to"},
		{"to number", with(func(m map[string]any) { m["to"] = 5511987654321 }), 400, 100, "to"},
		{"recipient_type group", with(func(m map[string]any) { m["recipient_type"] = "group" }), 400, 100, "recipient_type"},
		{"text without body", with(func(m map[string]any) { m["text"] = map[string]any{"preview_url": false} }), 400, 131008, "text['body']"},
		{"text empty", with(func(m map[string]any) { m["text"] = map[string]any{"body": ""} }), 400, 131008, "text['body']"},
		{"text missing", with(func(m map[string]any) { delete(m, "text") }), 400, 131008, "text['body']"},
		{"text too long", with(func(m map[string]any) { m["text"] = map[string]any{"body": long} }), 400, 100, "4096"},
		{"unknown type", with(func(m map[string]any) { m["type"] = "hologram"; m["hologram"] = map[string]any{} }), 400, 100, "type"},
		{"image missing", with(func(m map[string]any) { m["type"] = "image" }), 400, 131008, "image"},
		{"callback data too long", with(func(m map[string]any) { m["biz_opaque_callback_data"] = strings.Repeat("x", 513) }), 400, 100, "biz_opaque_callback_data"},
		{"mark read without id", map[string]any{"messaging_product": "whatsapp", "status": "read"}, 400, 131008, "message_id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := post(t, u, token, c.body)
			e := metaError(t, r, c.status, c.code)
			if c.code == 100 && e["message"] != "(#100) Invalid parameter" {
				t.Fatalf("message %v", e["message"])
			}
			if !strings.Contains(details(e), c.detail) {
				t.Fatalf("details %q, want mention of %q", details(e), c.detail)
			}
			if d := e["error_data"].(map[string]any); d["messaging_product"] != "whatsapp" {
				t.Fatalf("error_data %v", d)
			}
		})
	}
	ok := []struct {
		name string
		body any
	}{
		{"to without plus", with(func(m map[string]any) { m["to"] = "5511987654321" })},
		{"no recipient_type", with(func(m map[string]any) { delete(m, "recipient_type") })},
		{"text 4096 chars", with(func(m map[string]any) { m["text"] = map[string]any{"body": long[:len(long)-2]} })},
		{"image by link", map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual", "to": "+16505551234", "type": "image",
			"image": map[string]any{"link": "https://www.luckyshrub.com/assets/succulents/aloe.png", "caption": "The best succulent ever?"}}},
	}
	for _, c := range ok {
		t.Run(c.name, func(t *testing.T) {
			if r := post(t, u, token, c.body); r.status != 200 {
				t.Fatalf("status %d: %s", r.status, r.raw)
			}
		})
	}
}

func TestMarkAsRead(t *testing.T) {
	s, base := newServer(t)
	r := post(t, sendURL(base, pnid), token, map[string]any{"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.X"})
	if r.status != 200 || r.raw != `{"success":true}` {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	if len(s.Accepted()) != 0 || s.Requests()[0].Type != "read" {
		t.Fatalf("recorded %+v", s.Requests())
	}
}

func interactiveBody(mod func(it map[string]any)) map[string]any {
	it := map[string]any{
		"type":   "button",
		"header": map[string]any{"type": "image", "image": map[string]any{"id": "2762702990552401"}},
		"body":   map[string]any{"text": "Hi Pablo! Your gardening workshop is scheduled for 9am tomorrow."},
		"footer": map[string]any{"text": "Lucky Shrub"},
		"action": map[string]any{"buttons": []any{
			map[string]any{"type": "reply", "reply": map[string]any{"id": "change-button", "title": "Change"}},
			map[string]any{"type": "reply", "reply": map[string]any{"id": "cancel-button", "title": "Cancel"}},
		}},
	}
	if mod != nil {
		mod(it)
	}
	return map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual", "to": "+16505551234", "type": "interactive", "interactive": it}
}

func buttons(n int, title string) map[string]any {
	var bs []any
	for i := range n {
		bs = append(bs, map[string]any{"type": "reply", "reply": map[string]any{"id": fmt.Sprint("b", i), "title": fmt.Sprint(title, i)}})
	}
	return map[string]any{"buttons": bs}
}

func TestInteractiveButtons(t *testing.T) {
	s, base := newServer(t)
	u := sendURL(base, pnid)
	if r := post(t, u, token, interactiveBody(nil)); r.status != 200 {
		t.Fatalf("fixture: %d %s", r.status, r.raw)
	}
	if a := s.Accepted()[0]; a.Type != "interactive" || !strings.HasPrefix(a.Text, "Hi Pablo!") {
		t.Fatalf("recorded %+v", a)
	}
	cases := []struct {
		name string
		mod  func(it map[string]any)
		code int
	}{
		{"no type", func(it map[string]any) { delete(it, "type") }, 131008},
		{"no body", func(it map[string]any) { delete(it, "body") }, 131008},
		{"no buttons", func(it map[string]any) { it["action"] = map[string]any{"buttons": []any{}} }, 131008},
		{"four buttons", func(it map[string]any) { it["action"] = buttons(4, "B") }, 100},
		{"title too long", func(it map[string]any) { it["action"] = buttons(1, strings.Repeat("x", 20)) }, 100},
		{"duplicate title", func(it map[string]any) {
			it["action"] = map[string]any{"buttons": []any{
				map[string]any{"type": "reply", "reply": map[string]any{"id": "a", "title": "Same"}},
				map[string]any{"type": "reply", "reply": map[string]any{"id": "b", "title": "Same"}},
			}}
		}, 100},
		{"not reply", func(it map[string]any) {
			it["action"] = map[string]any{"buttons": []any{map[string]any{"type": "url", "reply": map[string]any{"id": "a", "title": "A"}}}}
		}, 100},
		{"no id", func(it map[string]any) {
			it["action"] = map[string]any{"buttons": []any{map[string]any{"type": "reply", "reply": map[string]any{"title": "A"}}}}
		}, 131008},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			metaError(t, post(t, u, token, interactiveBody(c.mod)), 400, c.code)
		})
	}
	// Boundary: three buttons, 20-character titles (19 + index digit).
	if r := post(t, u, token, interactiveBody(func(it map[string]any) { it["action"] = buttons(3, strings.Repeat("é", 19)) })); r.status != 200 {
		t.Fatalf("3 buttons: %d %s", r.status, r.raw)
	}
	// Other interactive types are accepted as they are.
	if r := post(t, u, token, interactiveBody(func(it map[string]any) { it["type"] = "list"; delete(it, "action") })); r.status != 200 {
		t.Fatalf("list: %d %s", r.status, r.raw)
	}
}

func TestTemplateChecks(t *testing.T) {
	s, base := newServer(t)
	u := sendURL(base, pnid)

	// Unknown template: exactly the shape of the captured fixture.
	body := templateBody("Maria", "amanhã")
	body["template"].(map[string]any)["name"] = "cg_quest_text"
	body["template"].(map[string]any)["language"] = map[string]any{"code": "en_US"}
	r := post(t, u, token, body)
	prefix := `{"error":{"message":"(#132001) Template name does not exist in the translation","type":"OAuthException","code":132001,"error_data":{"messaging_product":"whatsapp","details":"template name (cg_quest_text) does not exist in en_US"},"fbtrace_id":"`
	if r.status != 404 || !strings.HasPrefix(r.raw, prefix) || strings.Contains(r.raw, "error_subcode") {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	// Known name, other language.
	body = templateBody("Maria", "amanhã")
	body["template"].(map[string]any)["language"] = map[string]any{"code": "en_US"}
	e := metaError(t, post(t, u, token, body), 404, 132001)
	if details(e) != "template name (lembrete_agendamento) does not exist in en_US" {
		t.Fatalf("details %q", details(e))
	}
	// Parameters.
	e = metaError(t, post(t, u, token, templateBody("Maria")), 400, 132000)
	if e["message"] != "(#132000) Number of parameters does not match the expected number of params" {
		t.Fatalf("message %v", e["message"])
	}
	metaError(t, post(t, u, token, templateBody("Maria", "amanhã", "extra")), 400, 132000)
	metaError(t, post(t, u, token, templateBody("Maria", "")), 400, 131008)
	metaError(t, post(t, u, token, templateBody("Maria", "   ")), 400, 131008)

	// Statuses.
	for status, code := range map[string]int{"PAUSED": 132015, "DISABLED": 132016, "REJECTED": 132001, "PENDING": 132001} {
		s.SetTemplateStatus(pnid, "lembrete_agendamento", "pt_BR", status)
		want := 400
		if code == 132001 {
			want = 404
		}
		metaError(t, post(t, u, token, templateBody("Maria", "amanhã")), want, code)
	}
	s.SetTemplateStatus(pnid, "lembrete_agendamento", "pt_BR", "APPROVED")
	if r := post(t, u, token, templateBody("Maria", "amanhã")); r.status != 200 {
		t.Fatalf("approved again: %d %s", r.status, r.raw)
	}
	// Templates belong to the WABA: the second number of waba-1 may use it, the
	// number of waba-2 may not.
	if r := post(t, sendURL(base, pnid2), token2, templateBody("Maria", "amanhã")); r.status != 200 {
		t.Fatalf("same WABA: %d %s", r.status, r.raw)
	}
	metaError(t, post(t, sendURL(base, pnidOtr), tokenO, templateBody("Maria", "amanhã")), 404, 132001)
	// A template without body variables.
	s.AddTemplate(pnidOtr, metastandin.Template{Name: "hello", Language: "pt_BR"})
	body = templateBody()
	body["template"].(map[string]any)["name"] = "hello"
	body["template"].(map[string]any)["components"] = []any{}
	if r := post(t, sendURL(base, pnidOtr), tokenO, body); r.status != 200 {
		t.Fatalf("no params: %d %s", r.status, r.raw)
	}
	// Missing name / language.
	body = templateBody("Maria", "amanhã")
	delete(body["template"].(map[string]any), "language")
	metaError(t, post(t, u, token, body), 400, 131008)
}

func TestRecipientChecks(t *testing.T) {
	s, base := newServer(t)
	s.AddUnreachable("+55 (11) 98765-4321")
	e := metaError(t, post(t, sendURL(base, pnid), token, textBody("oi")), 400, 131026)
	if e["message"] != "(#131026) Message undeliverable" {
		t.Fatalf("message %v", e["message"])
	}
	body := textBody("oi")
	body["to"] = "+551140000000" // the sender's own number
	metaError(t, post(t, sendURL(base, pnid), token, body), 400, 131021)
	if len(s.Accepted()) != 0 {
		t.Fatal("accepted an undeliverable message")
	}
}

func TestFailNextOrdering(t *testing.T) {
	s, base := newServer(t)
	u := sendURL(base, pnid)
	s.FailNext(
		metastandin.Fault{HTTPStatus: 500},
		metastandin.Fault{HTTPStatus: 429, Code: 130429, Subcode: 2494055},
	)
	r := post(t, u, token, templateBody("Maria", "amanhã"))
	if r.status != 500 || r.raw != "" {
		t.Fatalf("first: %d %q", r.status, r.raw)
	}
	r = post(t, u, token, templateBody("Maria", "amanhã"))
	e := metaError(t, r, 429, 130429)
	if e["message"] != "(#130429) Rate limit hit" || details(e) != "Cloud API message throughput has been reached." ||
		int(e["error_subcode"].(float64)) != 2494055 || e["type"] != "OAuthException" {
		t.Fatalf("second: %s", r.raw)
	}
	if r := post(t, u, token, templateBody("Maria", "amanhã")); r.status != 200 {
		t.Fatalf("third: %d %s", r.status, r.raw)
	}
	reqs := s.Requests()
	if len(reqs) != 3 || !reqs[0].Faulted || !reqs[1].Faulted || reqs[2].Faulted || reqs[0].WAMID != "" || reqs[1].WAMID != "" || reqs[2].WAMID == "" {
		t.Fatalf("recorded %+v", reqs)
	}
	if reqs[0].TemplateName != "lembrete_agendamento" || reqs[0].Status != 500 {
		t.Fatalf("faulted request not parsed: %+v", reqs[0])
	}
	if len(s.Accepted()) != 1 {
		t.Fatal("faulted requests were accepted")
	}
}

func TestFaultsConsumedBeforeValidation(t *testing.T) {
	s, base := newServer(t)
	u := sendURL(base, pnid)
	s.FailNext(
		metastandin.Fault{Code: 131000}, // consumed by an unauthenticated request
		metastandin.Fault{},             // pass-through
		metastandin.Fault{Code: 190},    // expired token
		metastandin.Fault{HTTPStatus: 502, Message: "Bad Gateway"},
		metastandin.Fault{Code: 131047, Message: "custom", Details: "d", Type: "T", HTTPStatus: 400},
	)
	// Requests that do not reach the send route consume nothing.
	do(t, http.DefaultClient, http.MethodGet, u, token, nil)
	do(t, http.DefaultClient, http.MethodGet, base+"/_standin/requests", "", nil)

	metaError(t, post(t, u, "", textBody("oi")), 500, 131000)
	if r := post(t, u, token, textBody("oi")); r.status != 200 {
		t.Fatalf("pass-through: %d %s", r.status, r.raw)
	}
	r := post(t, u, token, textBody("oi"))
	e := metaError(t, r, 401, 190)
	if e["error_data"] != nil || int(e["error_subcode"].(float64)) != 463 || !strings.HasPrefix(e["message"].(string), "Error validating access token: Session has expired on ") {
		t.Fatalf("190 fault: %s", r.raw)
	}
	r = post(t, u, token, textBody("oi"))
	if r.status != 502 || r.raw != "Bad Gateway" || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
		t.Fatalf("502: %d %q %q", r.status, r.raw, r.header.Get("Content-Type"))
	}
	e = metaError(t, post(t, u, token, textBody("oi")), 400, 131047)
	if e["message"] != "custom" || e["type"] != "T" || details(e) != "d" {
		t.Fatalf("explicit fault %v", e)
	}
	if r := post(t, u, token, textBody("oi")); r.status != 200 {
		t.Fatalf("after faults: %d %s", r.status, r.raw)
	}
}

func TestRouting(t *testing.T) {
	s, base := newServer(t)
	s.FailNext(metastandin.Fault{HTTPStatus: 500})
	r := do(t, http.DefaultClient, http.MethodGet, sendURL(base, pnid), token, nil)
	e := metaError(t, r, 400, 100)
	if e["type"] != "GraphMethodException" || !strings.HasPrefix(e["message"].(string), "Unsupported get request. Object with ID '"+pnid+"'") {
		t.Fatalf("GET: %s", r.raw)
	}
	r = post(t, base+"/v23.0/"+pnid+"/media", token, textBody("oi"))
	e = metaError(t, r, 400, 2500)
	if !strings.HasPrefix(e["message"].(string), "Unknown path components") {
		t.Fatalf("unknown path: %s", r.raw)
	}
	reqs := s.Requests()
	if len(reqs) != 2 || reqs[0].PhoneNumberID != pnid || reqs[0].Version != "v23.0" || reqs[1].PhoneNumberID != "" {
		t.Fatalf("recorded %+v", reqs)
	}
	// The fault is still pending.
	if r := post(t, sendURL(base, pnid), token, textBody("oi")); r.status != 500 {
		t.Fatalf("fault not pending: %d", r.status)
	}
}

func TestAcceptThenHang(t *testing.T) {
	s, base := newServer(t)
	s.FailNext(metastandin.Fault{AcceptThenHang: true})
	client := &http.Client{Timeout: 200 * time.Millisecond}
	body, _ := json.Marshal(templateBody("Maria", "amanhã"))
	req, _ := http.NewRequest(http.MethodPost, sendURL(base, pnid), bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	start := time.Now()
	_, err := client.Do(req)
	var nerr net.Error
	if err == nil || !errors.As(err, &nerr) || !nerr.Timeout() {
		t.Fatalf("want a client timeout, got %v", err)
	}
	if time.Since(start) < 200*time.Millisecond {
		t.Fatal("answered before the timeout")
	}
	acc := s.Accepted()
	if len(acc) != 1 || acc[0].WAMID == "" || !acc[0].Hung || acc[0].Status != 200 || acc[0].TemplateName != "lembrete_agendamento" {
		t.Fatalf("accepted %+v", acc)
	}
	// The next request is answered normally.
	if r := post(t, sendURL(base, pnid), token, templateBody("Maria", "amanhã")); r.status != 200 {
		t.Fatalf("after hang: %d", r.status)
	}
	// An invalid request hangs too, but is not accepted.
	s.FailNext(metastandin.Fault{AcceptThenHang: true})
	req, _ = http.NewRequest(http.MethodPost, sendURL(base, pnid), strings.NewReader(`{}`))
	req.Header.Set("Authorization", "Bearer "+token)
	if _, err := client.Do(req); err == nil {
		t.Fatal("invalid hung request was answered")
	}
	if reqs := s.Requests(); len(s.Accepted()) != 2 || !reqs[2].Hung || reqs[2].Status != 400 {
		t.Fatalf("recorded %+v", reqs[2])
	}
}

func TestCloseReleasesHungRequests(t *testing.T) {
	s := metastandin.New()
	s.AddNumber(metastandin.Number{PhoneNumberID: pnid, AccessToken: token})
	base, err := s.Serve("127.0.0.1:0")
	if err != nil || !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("Serve = %q, %v", base, err)
	}
	s.FailNext(metastandin.Fault{AcceptThenHang: true})
	done := make(chan error, 1)
	go func() {
		body, _ := json.Marshal(textBody("oi"))
		req, _ := http.NewRequest(http.MethodPost, sendURL(base, pnid), bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req) // no timeout
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.WaitRequests(ctx, 1); err != nil {
		t.Fatal(err)
	}
	s.Close()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("hung request got an answer")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not release the hung request")
	}
	if len(s.Accepted()) != 1 {
		t.Fatal("hung message not accepted")
	}
	s.Close() // idempotent
	if _, err := s.Serve("127.0.0.1:0"); err == nil {
		t.Fatal("Serve after Close succeeded")
	}
}

func TestDelay(t *testing.T) {
	s, base := newServer(t)
	s.FailNext(metastandin.Fault{Delay: 150 * time.Millisecond}, metastandin.Fault{Delay: 100 * time.Millisecond, HTTPStatus: 503, Code: 2})
	start := time.Now()
	r := post(t, sendURL(base, pnid), token, textBody("oi"))
	if r.status != 200 || time.Since(start) < 150*time.Millisecond {
		t.Fatalf("delayed success: %d after %v", r.status, time.Since(start))
	}
	start = time.Now()
	metaError(t, post(t, sendURL(base, pnid), token, textBody("oi")), 503, 2)
	if time.Since(start) < 100*time.Millisecond {
		t.Fatal("delayed error came early")
	}

	// The request is recorded (and accepted) before its delayed answer.
	s.FailNext(metastandin.Fault{Delay: 2 * time.Second})
	go func() {
		c := &http.Client{Timeout: 5 * time.Second}
		body, _ := json.Marshal(textBody("oi"))
		req, _ := http.NewRequest(http.MethodPost, sendURL(base, pnid), bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		if resp, err := c.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := s.WaitRequests(ctx, 3); err != nil {
		t.Fatal(err)
	}
	if len(s.Accepted()) != 2 {
		t.Fatalf("accepted %d", len(s.Accepted()))
	}
}

func TestWaitRequestsAndReset(t *testing.T) {
	s, base := newServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := s.WaitRequests(ctx, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitRequests = %v", err)
	}
	go post(t, sendURL(base, pnid), token, textBody("oi"))
	ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel2()
	if err := s.WaitRequests(ctx2, 1); err != nil {
		t.Fatal(err)
	}
	s.FailNext(metastandin.Fault{HTTPStatus: 500})
	s.Reset()
	if len(s.Requests()) != 0 || len(s.Accepted()) != 0 {
		t.Fatal("Reset kept requests")
	}
	if r := post(t, sendURL(base, pnid), token, textBody("oi")); r.status != 200 {
		t.Fatalf("Reset kept the fault: %d", r.status)
	}
}

func TestControlEndpoints(t *testing.T) {
	s := metastandin.New()
	hs := httptest.NewServer(s)
	defer hs.Close()
	defer s.Close()
	base := hs.URL
	ctl := func(method, path string, body any) response {
		return do(t, http.DefaultClient, method, base+"/_standin/"+path, "", body)
	}

	if r := ctl("POST", "numbers", map[string]any{"phone_number_id": pnid, "display_phone_number": "+55 11 4000-0000", "waba_id": "waba-1", "access_token": token}); r.status != 204 {
		t.Fatalf("numbers: %d %s", r.status, r.raw)
	}
	if r := ctl("POST", "templates", map[string]any{"phone_number_id": pnid, "name": "lembrete_agendamento", "language": "pt_BR", "body_params": 2, "status": "APPROVED"}); r.status != 204 {
		t.Fatalf("templates: %d %s", r.status, r.raw)
	}
	if r := ctl("POST", "templates", map[string]any{"phone_number_id": pnid, "name": "x", "language": "pt_BR", "status": "WEIRD"}); r.status != 400 {
		t.Fatalf("bad template status accepted: %d", r.status)
	}
	if r := ctl("POST", "unreachable", map[string]any{"phone": "+5511900000000"}); r.status != 204 {
		t.Fatalf("unreachable: %d %s", r.status, r.raw)
	}
	r := ctl("POST", "faults", `[{"http_status":500},{"code":130429,"http_status":429,"details":"slow down","delay":"50ms"}]`)
	if r.status != 200 || r.json["queued"] != float64(2) {
		t.Fatalf("faults: %d %s", r.status, r.raw)
	}
	r = ctl("GET", "faults", nil)
	var pending []metastandin.Fault
	if err := json.Unmarshal([]byte(r.raw), &pending); err != nil || len(pending) != 2 || pending[1].Delay != 50*time.Millisecond || pending[1].Details != "slow down" {
		t.Fatalf("pending faults %s (%v)", r.raw, err)
	}
	if !strings.Contains(r.raw, `"delay": "50ms"`) || !strings.Contains(r.raw, `"http_status": 429`) {
		t.Fatalf("faults JSON %s", r.raw)
	}
	for _, bad := range []string{`{"http_status":500}`, `[{"delay":"soon"}]`, `[{"httpStatus":500}]`} {
		if r := ctl("POST", "faults", bad); r.status != 400 {
			t.Fatalf("bad faults %s accepted: %d", bad, r.status)
		}
	}

	u := sendURL(base, pnid)
	if r := post(t, u, token, templateBody("Maria", "amanhã")); r.status != 500 {
		t.Fatalf("fault 1: %d", r.status)
	}
	if e := metaError(t, post(t, u, token, templateBody("Maria", "amanhã")), 429, 130429); details(e) != "slow down" {
		t.Fatalf("fault 2: %v", e)
	}
	if r := post(t, u, token, templateBody("Maria", "amanhã")); r.status != 200 {
		t.Fatalf("send: %d %s", r.status, r.raw)
	}
	body := textBody("oi")
	body["to"] = "+5511900000000"
	metaError(t, post(t, u, token, body), 400, 131026)

	r = ctl("GET", "requests", nil)
	var list []map[string]any
	if err := json.Unmarshal([]byte(r.raw), &list); err != nil || len(list) != 4 {
		t.Fatalf("requests %s (%v)", r.raw, err)
	}
	third := list[2]
	if third["status"] != float64(200) || third["template_name"] != "lembrete_agendamento" || third["phone_number_id"] != pnid ||
		!strings.HasPrefix(third["wamid"].(string), "wamid.") || !strings.Contains(third["body"].(string), `"messaging_product":"whatsapp"`) ||
		fmt.Sprint(third["body_params"]) != "[Maria amanhã]" || list[0]["faulted"] != true {
		t.Fatalf("request JSON %v", third)
	}
	r = ctl("GET", "requests?accepted=true", nil)
	if err := json.Unmarshal([]byte(r.raw), &list); err != nil || len(list) != 1 {
		t.Fatalf("accepted %s", r.raw)
	}
	if r := ctl("DELETE", "requests", nil); r.status != 204 {
		t.Fatalf("delete: %d", r.status)
	}
	r = ctl("GET", "requests", nil)
	if strings.TrimSpace(r.raw) != "[]" || len(s.Requests()) != 0 {
		t.Fatalf("after delete %s", r.raw)
	}
	ctl("POST", "faults", `[{"http_status":500}]`)
	if r := ctl("DELETE", "faults", nil); r.status != 204 {
		t.Fatalf("delete faults: %d", r.status)
	}
	if r := post(t, u, token, textBody("oi")); r.status != 200 {
		t.Fatalf("fault survived DELETE: %d", r.status)
	}
	if r := ctl("GET", "nope", nil); r.status != 404 {
		t.Fatalf("unknown control endpoint: %d", r.status)
	}
	if r := ctl("PUT", "requests", nil); r.status != 405 {
		t.Fatalf("PUT requests: %d", r.status)
	}
	if n := len(s.Requests()); n != 1 {
		t.Fatalf("control requests were recorded: %d", n)
	}
}

func TestFaultJSONRoundTrip(t *testing.T) {
	in := metastandin.Fault{HTTPStatus: 500, Code: 131000, Subcode: 1, Type: "T", Message: "m", Details: "d", AcceptThenHang: true, Delay: 2 * time.Second}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"http_status":500,"code":131000,"subcode":1,"type":"T","message":"m","details":"d","accept_then_hang":true,"delay":"2s"}`
	if string(b) != want {
		t.Fatalf("JSON %s\nwant %s", b, want)
	}
	var out metastandin.Fault
	if err := json.Unmarshal(b, &out); err != nil || out != in {
		t.Fatalf("round trip %+v, %v", out, err)
	}
}

func TestConcurrentSends(t *testing.T) {
	s, base := newServer(t)
	const n, faults = 64, 8
	for range faults {
		s.FailNext(metastandin.Fault{HTTPStatus: 500, Code: 131000})
	}
	var wg sync.WaitGroup
	statuses := make([]int, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id, tok := pnid, token
			if i%2 == 1 {
				id, tok = pnid2, token2
			}
			body := templateBody("Maria", fmt.Sprint(i))
			body["to"] = fmt.Sprintf("+55119%08d", i)
			statuses[i] = post(t, sendURL(base, id), tok, body).status
		}()
		if i%7 == 0 {
			go s.Requests()
		}
	}
	wg.Wait()
	ok, failed := 0, 0
	for _, st := range statuses {
		switch st {
		case 200:
			ok++
		case 500:
			failed++
		default:
			t.Fatalf("status %d", st)
		}
	}
	if ok != n-faults || failed != faults {
		t.Fatalf("%d ok, %d failed", ok, failed)
	}
	acc := s.Accepted()
	seen := map[string]bool{}
	for _, a := range acc {
		if seen[a.WAMID] {
			t.Fatalf("duplicate wamid %s", a.WAMID)
		}
		seen[a.WAMID] = true
	}
	if len(acc) != n-faults || len(s.Requests()) != n {
		t.Fatalf("accepted %d, recorded %d", len(acc), len(s.Requests()))
	}
}
