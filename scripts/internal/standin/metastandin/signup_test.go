package metastandin

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func signupServer(t *testing.T) (*Server, string) {
	t.Helper()
	s := New()
	base, err := s.Serve("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	s.SetApp("app1", "shh")
	s.AddBusiness(Business{Token: "tok-n", WABAID: "1001", PhoneNumberID: "2001", DisplayPhoneNumber: "+55 11 4000-0001", VerifiedName: "Salão <b>Rosa</b> & Cia"})
	s.AddBusiness(Business{Token: "tok-c", WABAID: "1002", PhoneNumberID: "2002", DisplayPhoneNumber: "+55 11 4000-0002", VerifiedName: "Studio Coexiste", Coexistence: true})
	return s, base
}

func get(t *testing.T, u string) (int, http.Header, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func TestSignupSDKServedAsJavaScript(t *testing.T) {
	_, base := signupServer(t)
	st, hdr, body := get(t, base+"/sdk.js")
	if st != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/javascript") {
		t.Fatalf("sdk.js: %d %q", st, hdr.Get("Content-Type"))
	}
	if hdr.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("sdk.js is loaded crossorigin=anonymous: CORS header %q", hdr.Get("Access-Control-Allow-Origin"))
	}
	for _, want := range []string{"window.FB", "init:", "login: login", "window.open(", "/_signup/dialog?", "status: 'connected'", "status: 'unknown'", `var BASE = "` + base + `"`} {
		if !strings.Contains(body, want) {
			t.Errorf("sdk.js lacks %q", want)
		}
	}
	if strings.Contains(body, "__BASE__") {
		t.Error("sdk.js: base placeholder left")
	}
	resp, err := http.Post(base+"/sdk.js", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST sdk.js: %d", resp.StatusCode)
	}
}

func dialogURL(base string, extras string, origin string) string {
	q := url.Values{"app_id": {"app1"}, "config_id": {"cfg1"}, "origin": {origin}}
	if extras != "" {
		q.Set("extras", extras)
	}
	return base + "/_signup/dialog?" + q.Encode()
}

func TestSignupDialogListsBusinesses(t *testing.T) {
	_, base := signupServer(t)
	st, hdr, body := get(t, dialogURL(base, `{"setup":{}}`, "http://127.0.0.1:8080"))
	if st != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/html") {
		t.Fatalf("dialog: %d %q", st, hdr.Get("Content-Type"))
	}
	for _, want := range []string{
		`lang="pt-BR"`, `data-business="1001"`, `data-business="1002"`, "55 11 4000-0001", "coexistência",
		"Salão &lt;b&gt;Rosa&lt;/b&gt; &amp; Cia", // escaped, never markup
		`data-action="cancel"`, `data-action="error"`, `data-step="` + SignupStep + `"`,
		"WA_EMBEDDED_SIGNUP", "FINISH", `"http://127.0.0.1:8080"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("dialog lacks %q", want)
		}
	}
	if strings.Contains(body, "<b>Rosa</b>") {
		t.Error("dialog: a business name was not escaped")
	}
	// Without coexistence, the coexistence number is listed but not selectable (and the
	// other way round), with the reason.
	if !strings.Contains(body, `data-business="1002" disabled`) || strings.Contains(body, `data-business="1001" disabled`) {
		t.Errorf("normal dialog: wrong business enabled:\n%s", body)
	}
	_, _, coex := get(t, dialogURL(base, `{"setup":{},"featureType":"whatsapp_business_app_onboarding","sessionInfoVersion":"3"}`, "http://127.0.0.1:8080"))
	if !strings.Contains(coex, `data-business="1001" disabled`) || strings.Contains(coex, `data-business="1002" disabled`) || !strings.Contains(coex, `"coexistence":true`) {
		t.Errorf("coexistence dialog: wrong business enabled:\n%s", coex)
	}

	for name, u := range map[string]string{
		"no origin":      dialogURL(base, "", ""),
		"origin path":    dialogURL(base, "", "http://127.0.0.1:8080/x"),
		"javascript":     dialogURL(base, "", "javascript:alert(1)"),
		"other app":      strings.Replace(dialogURL(base, "", "http://127.0.0.1:8080"), "app_id=app1", "app_id=app2", 1),
		"no config":      strings.Replace(dialogURL(base, "", "http://127.0.0.1:8080"), "config_id=cfg1", "config_id=", 1),
		"extras not obj": dialogURL(base, "[1", "http://127.0.0.1:8080"),
	} {
		st, _, body := get(t, u)
		if st != 200 || !strings.Contains(body, `class="problem" role="alert"`) || strings.Contains(body, `data-business=`) {
			t.Errorf("%s: %d, want the problem shown and no business:\n%s", name, st, body)
		}
	}
}

func TestSignupCodeExchanges(t *testing.T) {
	s, base := signupServer(t)
	code := func(waba string) (int, map[string]string) {
		t.Helper()
		b, _ := json.Marshal(map[string]string{"waba_id": waba})
		resp, err := http.Post(base+"/_signup/code", "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]string
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	st, first := code("1001")
	if st != 200 || first["code"] == "" || first["waba_id"] != "1001" || first["phone_number_id"] != "2001" || first["business_id"] != BusinessID("1001") {
		t.Fatalf("code: %d %v", st, first)
	}
	_, second := code("1001")
	if second["code"] == first["code"] {
		t.Error("each login must get a fresh code")
	}
	if st, _ := code("9999"); st != 404 {
		t.Errorf("unknown WABA: %d", st)
	}
	if st, _ := code(""); st != 400 {
		t.Errorf("no WABA: %d", st)
	}
	exchange := func(c string) (int, map[string]any) {
		st, _, body := get(t, base+"/v23.0/oauth/access_token?"+url.Values{"client_id": {"app1"}, "client_secret": {"shh"}, "code": {c}}.Encode())
		var out map[string]any
		_ = json.Unmarshal([]byte(body), &out)
		return st, out
	}
	if st, out := exchange(first["code"]); st != 200 || out["access_token"] != "tok-n" {
		t.Fatalf("exchange: %d %v", st, out)
	}
	if st, _ := exchange(first["code"]); st != 400 {
		t.Errorf("a code is single-use: %d", st)
	}
	if st, out := exchange(second["code"]); st != 200 || out["access_token"] != "tok-n" {
		t.Errorf("second login's code: %d %v", st, out)
	}
	if b, _ := s.Business("1001"); !b.CodeUsed {
		t.Error("business: code not marked used")
	}
	// The signup paths are not Graph requests: nothing recorded.
	for _, r := range s.Requests() {
		if strings.HasPrefix(r.Path, "/_signup") || r.Path == "/sdk.js" {
			t.Errorf("recorded %s", r.Path)
		}
	}
}

func TestValidOrigin(t *testing.T) {
	for o, want := range map[string]bool{
		"http://127.0.0.1:8080": true, "https://lembra.example": true, "": false, "127.0.0.1:8080": false,
		"http://x/": false, "http://u@x": false, "http://x?q": false, "ftp://x": false, "javascript:alert(1)": false,
	} {
		if got := validOrigin(o); got != want {
			t.Errorf("validOrigin(%q) = %v, want %v", o, got, want)
		}
	}
}

func TestBusinessesSorted(t *testing.T) {
	s, _ := signupServer(t)
	got := s.Businesses()
	if len(got) != 2 || got[0].WABAID != "1001" || got[1].WABAID != "1002" || got[0].codes != nil {
		t.Fatalf("Businesses: %+v", got)
	}
}
