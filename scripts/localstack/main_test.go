package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/scripts/internal/emulators"
)

// TestREADMECommands checks that the README opens with the two commands and that the
// first one brings up a working system: the demo tenant's API key creates an
// appointment whose notice reaches the Meta stand-in, and Ctrl-C stops it cleanly.
func TestREADMECommands(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	head := strings.Join(strings.SplitN(string(readme), "\n", 8)[:7], "\n")
	for _, cmd := range []string{"scripts/dev.sh", "scripts/test.sh"} {
		if !strings.Contains(head, cmd) {
			t.Errorf("README's first lines do not give %s", cmd)
		}
		if _, err := os.Stat(filepath.Join("..", "..", cmd)); err != nil {
			t.Errorf("%s: %v", cmd, err)
		}
	}

	bin := filepath.Join(t.TempDir(), "localstack")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	addrs := map[string]string{}
	for _, name := range []string{"http", "firestore", "pubsub", "tasks", "secrets", "meta", "auth"} {
		a, err := emulators.FreeHostPort()
		if err != nil {
			t.Fatal(err)
		}
		addrs[name] = a
	}
	args := []string{}
	for k, v := range addrs {
		args = append(args, "-"+k+"="+v)
	}
	cmd := exec.Command(bin, args...)
	// Its own emulators: the demo owner's seeding clears the Auth emulator's users.
	cmd.Env = append(os.Environ(), "FIRESTORE_EMULATOR_HOST=", "PUBSUB_EMULATOR_HOST=", "FIREBASE_AUTH_EMULATOR_HOST=")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	ready := make(chan struct{})
	var out bytes.Buffer
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			out.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), "Lembra is running locally") {
				close(ready)
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(2 * time.Minute):
		t.Fatalf("local stack did not come up\nstdout:\n%s\nstderr:\n%s", out.String(), stderr.String())
	}

	body := fmt.Sprintf(`{"external_id":"readme-1","client_name":"Joana Dias","client_phone":"+5511987659999","service":"Manicure","starts_at":%q}`,
		time.Now().Add(72*time.Hour).Format(time.RFC3339))
	req, _ := http.NewRequest("POST", "http://"+addrs["http"]+"/api/v1/appointments", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+devstack.DemoAPIKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("create with the demo key: %d %s", resp.StatusCode, raw)
	}

	// The three demo appointments and this one: four notices reach the Meta stand-in.
	deadline := time.Now().Add(20 * time.Second)
	var got []map[string]any
	for time.Now().Before(deadline) {
		got = nil
		r, err := http.Get("http://" + addrs["meta"] + "/_standin/requests")
		if err == nil {
			_ = json.NewDecoder(r.Body).Decode(&got)
			r.Body.Close()
		}
		if len(got) >= 4 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	found := false
	for _, m := range got {
		if m["to"] == "+5511987659999" {
			found = true
		}
	}
	if len(got) != 4 || !found {
		t.Fatalf("Meta stand-in recorded %d requests (want 4, one to +5511987659999): %v", len(got), got)
	}

	// The demo owner printed at start-up signs in through the Auth emulator, as the
	// README shows, and the staff API knows her as studio-jana's owner.
	if !strings.Contains(out.String(), devstack.DemoOwnerEmail) || !strings.Contains(out.String(), devstack.DemoOwnerPassword) {
		t.Errorf("the demo owner's e-mail and password are not printed:\n%s", out.String())
	}
	// The dashboard: its URL printed with the sign-in, served on the api's origin with
	// its generated config.json (scripts/test.sh and .ci/run build it first).
	dashURL := "http://" + addrs["http"] + "/"
	if !strings.Contains(out.String(), "Dashboard       "+dashURL) {
		t.Errorf("the dashboard's URL %s is not printed:\n%s", dashURL, out.String())
	}
	if r, err := http.Get(dashURL); err != nil {
		t.Error(err)
	} else {
		page, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if r.StatusCode != 200 || !strings.Contains(string(page), `data-testid="sign-out"`) {
			t.Errorf("GET %s: %d %.300s (built? run scripts/install-deps.sh)", dashURL, r.StatusCode, page)
		}
	}
	if r, err := http.Get(dashURL + "config.json"); err != nil {
		t.Error(err)
	} else {
		var cfg devstack.DashboardConfig
		_ = json.NewDecoder(r.Body).Decode(&cfg)
		r.Body.Close()
		if cfg.APIBase != "http://"+addrs["http"]+"/api" || cfg.AuthEmulatorURL != "http://"+addrs["auth"] || cfg.Firebase.ProjectID != emulators.AuthProject {
			t.Errorf("config.json: %+v", cfg)
		}
	}

	signIn := fmt.Sprintf(`{"email":%q,"password":%q,"returnSecureToken":true}`, devstack.DemoOwnerEmail, devstack.DemoOwnerPassword)
	resp, err = http.Post("http://"+addrs["auth"]+"/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=any", "application/json", strings.NewReader(signIn))
	if err != nil {
		t.Fatal(err)
	}
	var session struct {
		IDToken string `json:"idToken"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&session)
	resp.Body.Close()
	req, _ = http.NewRequest("GET", "http://"+addrs["http"]+"/api/v1/staff/me", nil)
	req.Header.Set("Authorization", "Bearer "+session.IDToken)
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	raw, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(raw), `"role":"owner"`) || !strings.Contains(string(raw), devstack.DemoTenantID) {
		t.Errorf("the demo owner's /v1/staff/me: %d %s", resp.StatusCode, raw)
	}

	_ = cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("local stack exited with %v\nstderr:\n%s", err, stderr.String())
		}
	case <-ctx.Done():
		t.Error("local stack did not stop on Ctrl-C")
	}
}
