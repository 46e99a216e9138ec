package devstack

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDashboardServing: the stack serves the built dashboard at / and its generated
// /config.json (the api on the same origin, the Auth emulator's URL), and without a
// build it still answers /, saying how to build it.
func TestDashboardServing(t *testing.T) {
	s := &Stack{URL: "http://127.0.0.1:18080", AuthHost: "127.0.0.1:18686"}
	get := func(h http.Handler, path string) (int, http.Header, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		body, _ := io.ReadAll(rec.Result().Body)
		return rec.Code, rec.Result().Header, string(body)
	}

	built := t.TempDir()
	if err := os.WriteFile(filepath.Join(built, "index.html"), []byte(`<!doctype html><title>painel</title>`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(built, "main-ABC.js"), []byte(`export {}`), 0o644); err != nil {
		t.Fatal(err)
	}
	config, files := s.dashboardHandler(built, "lembra-local")

	code, hdr, body := get(config, "/config.json")
	var c DashboardConfig
	if err := json.Unmarshal([]byte(body), &c); err != nil || code != 200 {
		t.Fatalf("config.json: %d %s (%v)", code, body, err)
	}
	want := DashboardConfig{
		APIBase:         "http://127.0.0.1:18080/api",
		Firebase:        DashboardFirebaseConf{APIKey: "local-api-key", AuthDomain: "localhost", ProjectID: "lembra-local"},
		LegalBaseURL:    "http://127.0.0.1:18080/voucher",
		AuthEmulatorURL: "http://127.0.0.1:18686",
	}
	if c != want || !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") {
		t.Errorf("config.json = %+v (%s), want %+v", c, hdr.Get("Content-Type"), want)
	}
	if code, _, body := get(files, "/"); code != 200 || !strings.Contains(body, "painel") {
		t.Errorf("/ with a build: %d %q", code, body)
	}
	if code, hdr, _ := get(files, "/main-ABC.js"); code != 200 || hdr.Get("Cache-Control") != "no-cache" || !strings.Contains(hdr.Get("Content-Type"), "javascript") {
		t.Errorf("/main-ABC.js: %d %v", code, hdr)
	}
	if code, _, _ := get(files, "/nothing-here.js"); code != 404 {
		t.Errorf("/nothing-here.js: %d, want 404", code)
	}

	// No Auth emulator: no auth_emulator_url (the deployed shape).
	noAuth := &Stack{URL: "http://x"}
	cfg, _ := noAuth.dashboardHandler(built, "p")
	if _, _, body := get(cfg, "/config.json"); strings.Contains(body, "auth_emulator_url") {
		t.Errorf("config.json without an emulator names one: %s", body)
	}

	// Not built: / says how to build it, in Portuguese and English, and the stack runs.
	_, missing := s.dashboardHandler(filepath.Join(t.TempDir(), "dist"), "lembra-local")
	code, _, body = get(missing, "/")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "scripts/install-deps.sh") || !strings.Contains(body, "O painel ainda não foi construído") {
		t.Errorf("/ without a build: %d %q", code, body)
	}
}
