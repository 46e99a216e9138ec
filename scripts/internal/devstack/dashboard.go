package devstack

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
)

// DashboardConfig is the dashboard's /config.json: where the api is and how to reach
// Firebase Authentication. The local stack generates it; Terraform writes the deployed one.
type DashboardConfig struct {
	APIBase  string                `json:"api_base"`
	Firebase DashboardFirebaseConf `json:"firebase"`
	// LegalBaseURL is where the privacy policy and the terms of use are
	// (<base>/privacidade, <base>/termos: the voucher function), linked from the sign-in page.
	LegalBaseURL string `json:"legal_base_url"`
	// AuthEmulatorURL points the Firebase JS SDK at the Auth emulator (local only).
	AuthEmulatorURL string `json:"auth_emulator_url,omitempty"`
}

// DashboardFirebaseConf is the Firebase web app configuration the JS SDK starts with.
type DashboardFirebaseConf struct {
	APIKey     string `json:"apiKey"`
	AuthDomain string `json:"authDomain"`
	ProjectID  string `json:"projectId"`
}

// DefaultDashboardDir is the built dashboard of this checkout (dashboard/dist, made by
// scripts/install-deps.sh), found from this file's place in the repository.
func DefaultDashboardDir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return filepath.Join("dashboard", "dist")
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "dashboard", "dist")
}

// dashboardConfig is the local /config.json: the api on the stack's own origin, any
// non-empty API key (the Auth emulator checks none) and the emulator's URL.
func (s *Stack) dashboardConfig(project string) DashboardConfig {
	c := DashboardConfig{
		APIBase:      s.URL + "/api",
		Firebase:     DashboardFirebaseConf{APIKey: "local-api-key", AuthDomain: "localhost", ProjectID: project},
		LegalBaseURL: s.URL + "/voucher",
	}
	if s.AuthHost != "" {
		c.AuthEmulatorURL = "http://" + s.AuthHost
	}
	return c
}

// dashboardMessage is the answer at / when the dashboard has not been built: the stack
// still starts (many tests need no dashboard) and says how to build it.
const dashboardMessage = `<!doctype html>
<html lang="pt-BR"><meta charset="utf-8"><title>Lembra: painel não construído</title>
<h1>O painel ainda não foi construído</h1>
<p>Rode <code>scripts/install-deps.sh</code> na raiz do repositório e recarregue esta página.</p>
<p lang="en">The dashboard has not been built: run <code>scripts/install-deps.sh</code> at the repository's root, then reload.</p>
</html>
`

// dashboardHandler serves the built dashboard at / (same origin as /api) and its
// generated /config.json. Everything is sent with Cache-Control: no-cache, so a rebuild
// shows at the next reload.
func (s *Stack) dashboardHandler(dir, project string) (config, files http.Handler) {
	cfg, _ := json.Marshal(s.dashboardConfig(project))
	config = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(cfg)
	})
	fileServer := http.FileServer(http.Dir(dir))
	files = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		if r.URL.Path == "/" || r.URL.Path == "/index.html" {
			if _, err := os.Stat(filepath.Join(dir, "index.html")); err != nil {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				w.WriteHeader(http.StatusServiceUnavailable)
				_, _ = w.Write([]byte(dashboardMessage))
				return
			}
		}
		fileServer.ServeHTTP(w, r)
	})
	return config, files
}
