package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestCORSHeaders: only the configured dashboard origins, exactly, get
// Access-Control-Allow-Origin; preflights are answered with the dashboard's methods and
// headers; requests without Origin get nothing.
func TestCORSHeaders(t *testing.T) {
	allowed := []string{"https://painel.lembra.app", "http://localhost:5173"}
	for _, c := range []struct {
		name                    string
		allowed                 []string
		method, origin, request string
		preflight               bool
		allowOrigin, methods    string
		vary                    bool
	}{
		{"preflight from the dashboard", allowed, "OPTIONS", "https://painel.lembra.app", "PATCH", true, "https://painel.lembra.app", corsAllowMethods, true},
		{"call from the dashboard", allowed, "POST", "https://painel.lembra.app", "", false, "https://painel.lembra.app", "", true},
		{"the second origin", allowed, "GET", "http://localhost:5173", "", false, "http://localhost:5173", "", true},
		{"preflight from another site", allowed, "OPTIONS", "https://evil.example", "POST", true, "", "", true},
		{"a look-alike origin", allowed, "GET", "https://painel.lembra.app.evil.example", "", false, "", "", true},
		{"scheme differs", allowed, "GET", "http://painel.lembra.app", "", false, "", "", true},
		{"no Origin: a booking system", allowed, "POST", "", "", false, "", "", true},
		{"OPTIONS that is no preflight goes to the routes", allowed, "OPTIONS", "https://painel.lembra.app", "", false, "https://painel.lembra.app", "", true},
		{"none configured: nothing", nil, "OPTIONS", "https://painel.lembra.app", "GET", true, "", "", false},
	} {
		h, preflight := corsHeaders(c.allowed, c.method, c.origin, c.request)
		if preflight != c.preflight || h.Get("Access-Control-Allow-Origin") != c.allowOrigin ||
			h.Get("Access-Control-Allow-Methods") != c.methods || (h.Get("Vary") == "Origin") != c.vary {
			t.Errorf("%s: preflight %v, headers %v", c.name, preflight, h)
		}
		if c.methods != "" && (h.Get("Access-Control-Allow-Headers") != "Authorization, Content-Type" || h.Get("Access-Control-Max-Age") == "") {
			t.Errorf("%s: headers %v", c.name, h)
		}
		if h.Get("Access-Control-Allow-Credentials") != "" {
			t.Errorf("%s: credentials allowed (the dashboard sends a bearer token, no cookies)", c.name)
		}
	}
}

// TestWithCORS: a preflight never reaches the routes; a call does, with the header.
func TestWithCORS(t *testing.T) {
	reached := 0
	h := withCORS([]string{"https://painel.lembra.app"}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached++
		w.WriteHeader(http.StatusTeapot)
	}))
	r := httptest.NewRequest("OPTIONS", "/v1/staff/appointments", nil)
	r.Header.Set("Origin", "https://painel.lembra.app")
	r.Header.Set("Access-Control-Request-Method", "POST")
	r.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusNoContent || reached != 0 || w.Header().Get("Access-Control-Allow-Origin") != "https://painel.lembra.app" {
		t.Fatalf("preflight: %d, reached %d, %v", w.Code, reached, w.Header())
	}
	r = httptest.NewRequest("GET", "/v1/staff/me", nil)
	r.Header.Set("Origin", "https://painel.lembra.app")
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusTeapot || reached != 1 || w.Header().Get("Access-Control-Allow-Origin") != "https://painel.lembra.app" {
		t.Fatalf("call: %d, reached %d, %v", w.Code, reached, w.Header())
	}
}

// TestCORSAllowsEveryRouteMethod: the dashboard (on its own origin) can call every
// method a route uses: a method missing from the preflight's answer is refused by the
// browser before the request is sent.
func TestCORSAllowsEveryRouteMethod(t *testing.T) {
	allowed := map[string]bool{}
	for _, m := range strings.Split(corsAllowMethods, ",") {
		allowed[strings.TrimSpace(m)] = true
	}
	for _, rt := range (&server{}).routes() {
		method, _, _ := strings.Cut(rt.pattern, " ")
		if !allowed[method] {
			t.Errorf("%s: %s is not in corsAllowMethods (%s)", rt.pattern, method, corsAllowMethods)
		}
	}
}
