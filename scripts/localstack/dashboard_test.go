package main

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// TestDashboardPureHelpers runs the dashboard's table tests of its pure helpers (days in
// the studio's zone, phone numbers, ticks, the cancel result's sentence, Portuguese
// errors) with node --test, so scripts/test.sh runs them with the Go tests.
func TestDashboardPureHelpers(t *testing.T) {
	cmd := exec.Command("node", "--test", "test/")
	cmd.Dir = filepath.Join("..", "..", "dashboard")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("node --test in dashboard/: %v\n%s", err, out)
	}
}
