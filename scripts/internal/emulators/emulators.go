// Package emulators starts Google's own Firestore and Pub/Sub emulators (from the
// gcloud SDK) for the local stack and for tests, and stops them with their children.
package emulators

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Emulator is a running emulator process.
type Emulator struct {
	Name string
	Host string // host:port
	cmd  *exec.Cmd
	done chan struct{}
}

// FreeHostPort returns a loopback host:port nobody listens on right now.
func FreeHostPort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// StartFirestore starts the Firestore emulator on hostPort ("" picks a free port).
func StartFirestore(ctx context.Context, hostPort string, logTo io.Writer) (*Emulator, error) {
	return start(ctx, "firestore", hostPort, logTo, func(hp string) []string {
		return []string{"emulators", "firestore", "start", "--host-port=" + hp, "--quiet"}
	})
}

// StartPubSub starts the Pub/Sub emulator on hostPort ("" picks a free port).
func StartPubSub(ctx context.Context, hostPort string, logTo io.Writer) (*Emulator, error) {
	return start(ctx, "pubsub", hostPort, logTo, func(hp string) []string {
		return []string{"beta", "emulators", "pubsub", "start", "--host-port=" + hp, "--project=lembra-local", "--quiet"}
	})
}

func start(ctx context.Context, name, hostPort string, logTo io.Writer, args func(string) []string) (*Emulator, error) {
	if _, err := exec.LookPath("gcloud"); err != nil {
		return nil, fmt.Errorf("%s emulator: gcloud is not installed (it ships the emulators; see README): %w", name, err)
	}
	if hostPort == "" {
		hp, err := FreeHostPort()
		if err != nil {
			return nil, err
		}
		hostPort = hp
	}
	if logTo == nil {
		logTo = io.Discard
	}
	cmd := exec.Command("gcloud", args(hostPort)...)
	cmd.Stdout, cmd.Stderr = logTo, logTo
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s emulator: %w", name, err)
	}
	e := &Emulator{Name: name, Host: hostPort, cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(e.done) }()
	if err := e.waitReady(ctx, 90*time.Second); err != nil {
		e.Stop()
		return nil, err
	}
	return e, nil
}

// waitReady polls the emulator's HTTP root, which answers "Ok" once it serves.
func (e *Emulator) waitReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	client := &http.Client{Timeout: time.Second}
	for time.Now().Before(deadline) {
		select {
		case <-e.done:
			return fmt.Errorf("%s emulator exited during start-up (is Java installed? run it by hand: gcloud %s)", e.Name, strings.Join(e.cmd.Args[1:], " "))
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		resp, err := client.Get("http://" + e.Host + "/")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && strings.Contains(string(body), "Ok") {
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("%s emulator did not answer on %s within %v", e.Name, e.Host, limit)
}

// Stop ends the emulator and the Java process gcloud started.
func (e *Emulator) Stop() {
	if e == nil || e.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-e.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-e.done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-e.cmd.Process.Pid, syscall.SIGKILL)
		<-e.done
	}
}

// ErrNotRunning is returned when an emulator host is configured but does not answer.
var ErrNotRunning = errors.New("emulator not answering")

// Check verifies that an already-running emulator answers at host.
func Check(host string) error {
	resp, err := (&http.Client{Timeout: 3 * time.Second}).Get("http://" + host + "/")
	if err != nil {
		return fmt.Errorf("%w at %s: %v", ErrNotRunning, host, err)
	}
	resp.Body.Close()
	return nil
}
