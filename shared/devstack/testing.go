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
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/emulators"
	"github.com/lembra-app/lembra/shared/logging"
)

// RunTests runs a test binary's tests with a Firestore emulator: the one named by
// FIRESTORE_EMULATOR_HOST (scripts/test.sh starts one for the whole run), or one it
// starts itself. If neither works it fails loudly; it never skips.
func RunTests(m *testing.M) int {
	host := os.Getenv("FIRESTORE_EMULATOR_HOST")
	if host != "" {
		if err := emulators.Check(host); err != nil {
			fmt.Fprintf(os.Stderr, "FIRESTORE_EMULATOR_HOST=%s does not answer: %v\n", host, err)
			return 1
		}
		return m.Run()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	e, err := emulators.StartFirestore(ctx, "", io.Discard)
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "cannot start the Firestore emulator: %v\n", err)
		return 1
	}
	defer e.Stop()
	os.Setenv("FIRESTORE_EMULATOR_HOST", e.Host)
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
	if o.Project == "" {
		o.Project = TestProject(t)
	}
	if o.Log == nil {
		o.Log = logging.New(testWriter{t}, slog.LevelDebug)
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

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
