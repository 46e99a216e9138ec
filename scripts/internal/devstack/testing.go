package devstack

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lembra-app/lembra/scripts/internal/emulators"
	"github.com/lembra-app/lembra/shared/logging"
)

// RunTests runs a test binary's tests with the Firestore and Pub/Sub emulators: those
// named by FIRESTORE_EMULATOR_HOST and PUBSUB_EMULATOR_HOST (scripts/test.sh starts them
// once for the whole run), or ones it starts itself. If neither works it fails loudly;
// it never skips.
func RunTests(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, emu := range []struct {
		env   string
		start func(context.Context, string, io.Writer) (*emulators.Emulator, error)
	}{
		{"FIRESTORE_EMULATOR_HOST", emulators.StartFirestore},
		{"PUBSUB_EMULATOR_HOST", emulators.StartPubSub},
		{"FIREBASE_AUTH_EMULATOR_HOST", emulators.StartAuth},
	} {
		if host := os.Getenv(emu.env); host != "" {
			if err := emulators.Check(host); err != nil {
				fmt.Fprintf(os.Stderr, "%s=%s does not answer: %v\n", emu.env, host, err)
				return 1
			}
			continue
		}
		e, err := emu.start(ctx, "", io.Discard)
		if err != nil {
			fmt.Fprintf(os.Stderr, "cannot start an emulator for %s: %v\n", emu.env, err)
			return 1
		}
		defer e.Stop()
		os.Setenv(emu.env, e.Host)
	}
	return m.Run()
}

var nonID = regexp.MustCompile(`[^a-z0-9]+`)

// TestProject returns a project id of its own for a test, so tests sharing one
// emulator never see each other's data.
func TestProject(t testing.TB) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := strings.Trim(nonID.ReplaceAllString(strings.ToLower(t.Name()), "-"), "-")
	if len(name) > 40 {
		name = name[:40]
	}
	return "t-" + name + "-" + hex.EncodeToString(b)
}

// ForTest starts a stack on a project of the test's own and closes it at cleanup.
// Logs go to the test's log, shown when it fails.
func ForTest(t testing.TB, o Options) *Stack {
	t.Helper()
	o.FirestoreHost = os.Getenv("FIRESTORE_EMULATOR_HOST")
	o.PubSubHost = os.Getenv("PUBSUB_EMULATOR_HOST")
	o.AuthHost = os.Getenv("FIREBASE_AUTH_EMULATOR_HOST")
	if o.Project == "" {
		o.Project = TestProject(t)
	}
	if o.Log == nil {
		o.Log = logging.New(testWriter{t}, slog.LevelDebug)
	}
	if o.PubSubSuffix == "" { // tests on one project (the Auth emulator's) run side by side
		o.PubSubSuffix = fmt.Sprintf("-%d-%d", os.Getpid(), stackSeq.Add(1))
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := Start(ctx, o)
	if err != nil {
		t.Fatalf("start local stack: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// stackSeq numbers the stacks a test binary starts (their Pub/Sub names' suffix).
var stackSeq atomic.Int64

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
