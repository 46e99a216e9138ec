package emulators

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// AuthProject is the project the Auth emulator issues ID tokens for: the local stack's
// project. The end-to-end staff tests run their stacks on it too, since a token's
// audience is the emulator's project.
const AuthProject = "lembra-local"

// firebaseBin finds the Firebase CLI: LEMBRA_FIREBASE_BIN, the copy scripts/install-deps.sh
// installs from scripts/internal/emulators/node/package-lock.json, or one on PATH.
func firebaseBin() (string, error) {
	if b := os.Getenv("LEMBRA_FIREBASE_BIN"); b != "" {
		return b, nil
	}
	if _, file, _, ok := runtime.Caller(0); ok {
		b := filepath.Join(filepath.Dir(file), "node", "node_modules", ".bin", "firebase")
		if _, err := os.Stat(b); err == nil {
			return b, nil
		}
	}
	if b, err := exec.LookPath("firebase"); err == nil {
		return b, nil
	}
	return "", fmt.Errorf("auth emulator: the Firebase CLI is not installed (run scripts/install-deps.sh, which runs npm ci in scripts/internal/emulators/node)")
}

// StartAuth starts the Firebase Authentication emulator (npm firebase-tools, UI off)
// for AuthProject on hostPort ("" picks a free port). It needs Node, not Java, and
// works offline.
func StartAuth(ctx context.Context, hostPort string, logTo io.Writer) (*Emulator, error) {
	bin, err := firebaseBin()
	if err != nil {
		return nil, err
	}
	if hostPort == "" {
		if hostPort, err = FreeHostPort(); err != nil {
			return nil, err
		}
	}
	host, portText, err := net.SplitHostPort(hostPort)
	if err != nil {
		return nil, fmt.Errorf("auth emulator: %w", err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		return nil, fmt.Errorf("auth emulator: port %q: %w", portText, err)
	}
	dir, err := os.MkdirTemp("", "lembra-auth-emulator-*")
	if err != nil {
		return nil, err
	}
	// firebase.json: the auth emulator alone, the UI off, and the hub and logging ports
	// (4400 and 4500 by default) free ones, so two runs on one machine do not collide.
	hub, err := freePort()
	if err != nil {
		return nil, err
	}
	logging, err := freePort()
	if err != nil {
		return nil, err
	}
	conf := map[string]any{"emulators": map[string]any{
		"auth":              map[string]any{"host": host, "port": port},
		"hub":               map[string]any{"host": "127.0.0.1", "port": hub},
		"logging":           map[string]any{"host": "127.0.0.1", "port": logging},
		"ui":                map[string]any{"enabled": false},
		"singleProjectMode": true,
	}}
	b, _ := json.Marshal(conf)
	if err := os.WriteFile(filepath.Join(dir, "firebase.json"), b, 0o600); err != nil {
		return nil, err
	}
	if logTo == nil {
		logTo = io.Discard
	}
	cmd := exec.Command(bin, "emulators:start", "--only", "auth", "--project", AuthProject, "--config", filepath.Join(dir, "firebase.json"))
	cmd.Dir = dir
	// TMPDIR of its own: the CLI keeps a locator file per project (hub-<project>.json) in
	// the temporary directory, and a second emulator for the same project on the machine
	// (the test run's and the local stack's) would find the first's and fail
	// ("running multiple instances of the emulator suite… An unexpected error").
	cmd.Env = append(os.Environ(), "NO_UPDATE_NOTIFIER=1", "FIREBASE_CLI_DISABLE_UPDATE_CHECK=true", "CI=true", "TMPDIR="+dir)
	cmd.Stdout, cmd.Stderr = logTo, logTo
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("auth emulator: %w", err)
	}
	e := &Emulator{Name: "auth", Host: hostPort, cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); os.RemoveAll(dir); close(e.done) }()
	if err := e.waitAuthReady(ctx, 90*time.Second); err != nil {
		e.Stop()
		return nil, err
	}
	return e, nil
}

// waitAuthReady polls the emulator's root, which answers {"authEmulator":{"ready":true}}.
func (e *Emulator) waitAuthReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	client := &http.Client{Timeout: time.Second}
	for time.Now().Before(deadline) {
		select {
		case <-e.done:
			return fmt.Errorf("auth emulator exited during start-up (run it by hand: %s)", strings.Join(e.cmd.Args, " "))
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if resp, err := client.Get("http://" + e.Host + "/"); err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var root struct {
				AuthEmulator struct {
					Ready bool `json:"ready"`
				} `json:"authEmulator"`
			}
			if resp.StatusCode == http.StatusOK && json.Unmarshal(body, &root) == nil && root.AuthEmulator.Ready {
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("auth emulator did not answer on %s within %v", e.Host, limit)
}

func freePort() (int, error) {
	hp, err := FreeHostPort()
	if err != nil {
		return 0, err
	}
	_, p, _ := net.SplitHostPort(hp)
	return strconv.Atoi(p)
}
