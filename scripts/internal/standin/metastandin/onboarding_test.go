package metastandin

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"testing"
)

func TestOnboardingEndpoints(t *testing.T) {
	s := New()
	base, err := s.Serve("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	s.SetApp("app1", "shh")
	s.AddBusiness(Business{Code: "code-n", Token: "tok-n", WABAID: "waba-n", PhoneNumberID: "pn-n", DisplayPhoneNumber: "+55 11 4000-0001"})
	s.AddBusiness(Business{Code: "code-c", Token: "tok-c", WABAID: "waba-c", PhoneNumberID: "pn-c", DisplayPhoneNumber: "+55 11 4000-0002", Coexistence: true})
	s.AddTemplate("pn-n", Template{Name: "lembrete", Language: "pt_BR", BodyParams: 5})

	call := func(method, path, tok string, body any) (int, map[string]any) {
		t.Helper()
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, base+path, rd)
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	errCode := func(out map[string]any) (float64, float64) {
		e, _ := out["error"].(map[string]any)
		c, _ := e["code"].(float64)
		sc, _ := e["error_subcode"].(float64)
		return c, sc
	}
	exchange := "/v23.0/oauth/access_token?" + url.Values{"client_id": {"app1"}, "client_secret": {"shh"}, "code": {"code-n"}}.Encode()

	if st, out := call("GET", "/v23.0/oauth/access_token?client_id=app1&client_secret=bad&code=code-n", "", nil); st != 400 {
		t.Errorf("wrong secret: %d %v", st, out)
	} else if c, _ := errCode(out); c != 1 {
		t.Errorf("wrong secret code %v", out)
	}
	if st, out := call("GET", exchange, "", nil); st != 200 || out["access_token"] != "tok-n" {
		t.Fatalf("exchange: %d %v", st, out)
	}
	if st, out := call("GET", exchange, "", nil); st != 400 {
		t.Errorf("second exchange: %d %v", st, out)
	} else if c, sc := errCode(out); c != 100 || sc != 36009 {
		t.Errorf("second exchange error %v", out)
	}
	// debug_token with the app token names the WABA.
	_, out := call("GET", "/v23.0/debug_token?input_token=tok-n", "app1|shh", nil)
	data, _ := out["data"].(map[string]any)
	gs, _ := data["granular_scopes"].([]any)
	if len(gs) != 2 || gs[0].(map[string]any)["target_ids"].([]any)[0] != "waba-n" {
		t.Errorf("debug_token: %v", out)
	}
	if st, _ := call("GET", "/v23.0/debug_token?input_token=tok-n", "tok-n", nil); st != 401 {
		t.Errorf("debug_token with a business token: %d", st)
	}
	// A fault hits the next subscribed_apps call once.
	s.FailNextOn(EndpointSubscribedApps, Fault{Code: 2})
	if st, _ := call("POST", "/v23.0/waba-n/subscribed_apps", "tok-n", nil); st != 503 {
		t.Errorf("faulted subscribe: %d", st)
	}
	if st, out := call("POST", "/v23.0/waba-n/subscribed_apps", "tok-n", nil); st != 200 || out["success"] != true {
		t.Errorf("subscribe: %d %v", st, out)
	}
	if st, _ := call("POST", "/v23.0/waba-n/subscribed_apps", "tok-c", nil); st != 401 {
		t.Errorf("another business's token: %d", st)
	}
	if st, _ := call("POST", "/v23.0/pn-n/register", "tok-n", map[string]string{"messaging_product": "whatsapp", "pin": "12"}); st != 400 {
		t.Errorf("short pin: %d", st)
	}
	if st, _ := call("POST", "/v23.0/pn-n/register", "tok-n", map[string]string{"messaging_product": "whatsapp", "pin": "123456"}); st != 200 {
		t.Errorf("register: %d", st)
	}
	if st, _ := call("POST", "/v23.0/pn-n/smb_app_data", "tok-n", map[string]string{"messaging_product": "whatsapp", "sync_type": "history"}); st != 400 {
		t.Errorf("sync of a cloud number: %d", st)
	}
	_, out = call("GET", "/v23.0/waba-n/message_templates", "tok-n", nil)
	if d, _ := out["data"].([]any); len(d) != 1 || d[0].(map[string]any)["name"] != "lembrete" {
		t.Errorf("templates: %v", out)
	}
	got, _ := s.Business("waba-n")
	if !got.CodeUsed || !got.Subscribed || !got.Registered || got.PIN != "123456" || got.Calls[EndpointSubscribedApps] != 1 {
		t.Errorf("state: %+v", got)
	}

	// Coexistence: phone_numbers, no register, both syncs.
	call("GET", "/v23.0/oauth/access_token?"+url.Values{"client_id": {"app1"}, "client_secret": {"shh"}, "code": {"code-c"}}.Encode(), "", nil)
	_, out = call("GET", "/v23.0/waba-c/phone_numbers", "tok-c", nil)
	if d, _ := out["data"].([]any); len(d) != 1 || d[0].(map[string]any)["id"] != "pn-c" {
		t.Errorf("phone_numbers: %v", out)
	}
	if st, _ := call("POST", "/v23.0/pn-c/register", "tok-c", map[string]string{"messaging_product": "whatsapp", "pin": "123456"}); st != 400 {
		t.Errorf("register of a coexistence number: %d", st)
	}
	for _, st := range []string{"smb_app_state_sync", "history"} {
		if code, out := call("POST", "/v23.0/pn-c/smb_app_data", "tok-c", map[string]string{"messaging_product": "whatsapp", "sync_type": st}); code != 200 || out["request_id"] == "" {
			t.Errorf("sync %s: %d %v", st, code, out)
		}
	}
	if c, _ := s.Business("waba-c"); !slices.Equal(c.Syncs, []string{"smb_app_state_sync", "history"}) || c.Registered {
		t.Errorf("coexistence state: %+v", c)
	}
}

// TestNewCodeIsFreshAndSingleUse: each login's code exchanges once for the business's
// token; the first code's use does not spend a later one; an unknown WABA has none.
func TestNewCodeIsFreshAndSingleUse(t *testing.T) {
	s := New()
	base, err := s.Serve("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	s.SetApp("app1", "shh")
	s.AddBusiness(Business{Code: "code-n", Token: "tok-n", WABAID: "waba-n", PhoneNumberID: "pn-n"})
	exchange := func(code string) int {
		t.Helper()
		resp, err := http.Get(base + "/v23.0/oauth/access_token?" + url.Values{"client_id": {"app1"}, "client_secret": {"shh"}, "code": {code}}.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	c1, err := s.NewCode("waba-n")
	if err != nil {
		t.Fatal(err)
	}
	c2, _ := s.NewCode("waba-n")
	if c1 == c2 || c1 == "code-n" {
		t.Fatalf("codes not fresh: %q %q", c1, c2)
	}
	for _, step := range []struct {
		code string
		want int
	}{{"code-n", 200}, {c1, 200}, {c1, 400}, {c2, 200}, {"code-n", 400}} {
		if got := exchange(step.code); got != step.want {
			t.Errorf("exchange %s: %d, want %d", step.code, got, step.want)
		}
	}
	if _, err := s.NewCode("waba-x"); err == nil {
		t.Error("a code for an unknown WABA")
	}
}
