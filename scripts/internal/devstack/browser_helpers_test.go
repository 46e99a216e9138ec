package devstack_test

// The browser tests drive the dashboard with the headless Chromium of
// scripts/internal/browser (one browser per test, a fresh profile, the console collected,
// screenshots in the run's output folder). browser is its tab seen from a test: t is the
// test (or subtest) failures go to now, and the short names below read as the steps of
// a test.

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	hb "github.com/lembra-app/lembra/scripts/internal/browser"
)

type browser struct {
	*hb.Browser
	t   *testing.T
	out string // screenshots go here
}

// browserOutputDir is a new folder for this run's screenshots: under the test's
// -test.outputdir when given, else under the system's temporary folder. It is kept
// after the run, to be looked at.
func browserOutputDir(t *testing.T) string {
	t.Helper()
	parent := os.TempDir()
	if f := flag.Lookup("test.outputdir"); f != nil && f.Value.String() != "" {
		parent = f.Value.String()
	}
	dir, err := os.MkdirTemp(parent, "lembra-browser-"+time.Now().Format("20060102-150405")+"-")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// startBrowser launches headless Chromium with a fresh profile and returns a tab.
func startBrowser(t *testing.T) *browser {
	t.Helper()
	b := &browser{t: t, out: browserOutputDir(t)}
	hbb, err := hb.Start(func() hb.T { return b.t }, t.TempDir(), b.out)
	if err != nil {
		t.Fatal(err)
	}
	b.Browser = hbb
	t.Cleanup(hbb.Close)
	t.Logf("browser screenshots: %s", b.out)
	fmt.Fprintf(os.Stderr, "browser screenshots: %s\n", b.out)
	return b
}

// popup runs open (a click that calls window.open) and returns the popup's tab, which
// reports to the same test.
func (b *browser) popup(what string, open func()) *browser {
	b.t.Helper()
	p := &browser{t: b.t, out: b.out}
	p.Browser = b.Browser.Popup(what, open)
	p.Browser.T = func() hb.T { return p.t }
	return p
}

// waitClosed waits until the popup has closed its window.
func (b *browser) waitClosed() { b.t.Helper(); b.WaitClosed(5 * time.Second) }

// q quotes a CSS selector for use inside JavaScript.
func q(sel string) string { return hb.Q(sel) }

// Widths the screenshots are taken at: a small phone, and a laptop.
var screenshotWidths = hb.Widths

func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	b.Do(what, actions...)
}
func (b *browser) eval(expr string, out any) error { return b.Eval(expr, out) }
func (b *browser) js(expr string) string           { b.t.Helper(); return b.JS(expr) }
func (b *browser) waitJS(what, expr string, within time.Duration) {
	b.t.Helper()
	b.WaitJS(what, expr, within)
}
func (b *browser) waitFor(sel string, within time.Duration) { b.t.Helper(); b.WaitFor(sel, within) }
func (b *browser) text(sel string) string                   { b.t.Helper(); return b.Text(sel) }
func (b *browser) attr(sel, name string) string             { b.t.Helper(); return b.Attr(sel, name) }
func (b *browser) count(sel string) int                     { b.t.Helper(); return b.Count(sel) }
func (b *browser) click(sel string)                         { b.t.Helper(); b.Click(sel) }
func (b *browser) fill(sel, value string)                   { b.t.Helper(); b.Fill(sel, value) }
func (b *browser) setValue(sel, value string)               { b.t.Helper(); b.SetValue(sel, value) }
func (b *browser) route(base, hash string)                  { b.t.Helper(); b.Route(base, hash) }
func (b *browser) shot(name string)                         { b.t.Helper(); b.Shot(name) }
func (b *browser) consoleErrors() []string                  { return b.ConsoleErrors() }
func (b *browser) describe() string                         { return b.Describe() }

// requireDashboard fails the test at once when the dashboard is not built: a browser
// test needs its files (scripts/install-deps.sh builds them).
func requireDashboard(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(filepath.Join("..", "..", "..", "dashboard", "dist", "index.html")); err != nil {
		t.Fatalf("the dashboard is not built (%v): run scripts/install-deps.sh", err)
	}
}
