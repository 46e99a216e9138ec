package devstack_test

// A headless Chromium (Debian's chromium package, installed by scripts/install-deps.sh)
// driven with chromedp for the dashboard's browser tests: one browser per test run, a
// fresh profile, every console message and uncaught exception collected, screenshots
// written to the run's output folder.

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's chromium; CHROMIUM_PATH names another build.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		return p
	}
	for _, p := range []string{"/usr/bin/chromium", "chromium"} {
		if found, err := exec.LookPath(p); err == nil {
			return found
		}
	}
	t.Fatal("chromium is not installed (Debian package chromium; scripts/install-deps.sh installs it): the browser tests cannot run")
	return ""
}

type browser struct {
	t   *testing.T
	ctx context.Context
	out string // screenshots go here

	mu      sync.Mutex
	console []chromedp.ConsoleMessage
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
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true), // the tests run as root
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true), // containers have a small /dev/shm
		chromedp.Flag("hide-scrollbars", true),       // screenshots exactly as wide as asked
		// A Brazilian browser: the language staff's phones send, and the date and time
		// inputs' format (dd/mm/aaaa, 24 h), which follows the browser's locale.
		chromedp.Flag("lang", "pt-BR"),
		chromedp.Flag("accept-lang", "pt-BR,pt"),
		chromedp.Env("LANG=pt_BR.UTF-8", "LANGUAGE=pt_BR:pt"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelTab(); cancelAlloc() })
	b := &browser{t: t, ctx: ctx, out: browserOutputDir(t)}
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.console = append(b.console, m)
			b.mu.Unlock()
		}
	}()
	t.Logf("browser screenshots: %s", b.out)
	fmt.Fprintf(os.Stderr, "browser screenshots: %s\n", b.out)
	return b
}

// do runs actions, failing the test on an error or after 20 s.
func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("browser: %s: %v\n%s", what, err, b.describe())
	}
}

// eval evaluates a JavaScript expression and decodes its value into out.
func (b *browser) eval(expr string, out any) error {
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](expr))
	if err != nil {
		return err
	}
	return json.Unmarshal(v, out)
}

// js returns the value of a JavaScript expression as a string ("" for null/undefined).
func (b *browser) js(expr string) string {
	b.t.Helper()
	var v any
	if err := b.eval(expr, &v); err != nil {
		b.t.Fatalf("browser: evaluate %s: %v", expr, err)
	}
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	default:
		return fmt.Sprint(v)
	}
}

// waitJS waits until a JavaScript expression is truthy, polling every 100 ms.
func (b *browser) waitJS(what, expr string, within time.Duration) {
	b.t.Helper()
	deadline := time.Now().Add(within)
	var last error
	for {
		var ok bool
		err := b.eval("!!("+expr+")", &ok)
		if err == nil && ok {
			return
		}
		last = err
		if time.Now().After(deadline) {
			b.t.Fatalf("browser: %s: not within %v (%s; last error %v)\n%s", what, within, expr, last, b.describe())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// q quotes a CSS selector for use inside JavaScript.
func q(sel string) string {
	enc, _ := json.Marshal(sel)
	return string(enc)
}

// waitFor waits until an element matching sel is in the page.
func (b *browser) waitFor(sel string, within time.Duration) {
	b.t.Helper()
	b.waitJS("element "+sel, "document.querySelector("+q(sel)+")", within)
}

// text is the visible text of the first element matching sel ("" when there is none).
func (b *browser) text(sel string) string {
	b.t.Helper()
	return b.js("(document.querySelector(" + q(sel) + ")||{}).innerText||''")
}

// attr is an attribute of the first element matching sel.
func (b *browser) attr(sel, name string) string {
	b.t.Helper()
	return b.js("(e=>e?e.getAttribute(" + q(name) + "):null)(document.querySelector(" + q(sel) + "))")
}

// count is the number of elements matching sel.
func (b *browser) count(sel string) int {
	b.t.Helper()
	var n int
	if err := b.eval("document.querySelectorAll("+q(sel)+").length", &n); err != nil {
		b.t.Fatal(err)
	}
	return n
}

// click clicks the first element matching sel once it is visible.
//
// The Agenda redraws its rows when a poll brings news: a node found just before a redraw
// is gone when the click lands ("Could not find node"), so the click looks the selector
// up again, as a person taps the row that is on the screen now.
func (b *browser) click(sel string) {
	b.t.Helper()
	var err error
	for range 5 {
		ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
		err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
		cancel()
		if err == nil || !strings.Contains(err.Error(), "Could not find node") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		b.t.Fatalf("browser: click %s: %v\n%s", sel, err, b.describe())
	}
}

// fill replaces the value of the input matching sel by typing over it.
func (b *browser) fill(sel, value string) {
	b.t.Helper()
	b.waitFor(sel, 5*time.Second)
	// As a person does: select what the field holds, then type over it.
	b.js("(e=>{e.focus();e.select();return e.value})(document.querySelector(" + q(sel) + "))")
	b.do("fill "+sel, chromedp.SendKeys(chromedp.CSS(sel), value, chromedp.NodeVisible))
	if got := b.js("document.querySelector(" + q(sel) + ").value"); got != value {
		b.t.Fatalf("typed %q into %s, which holds %q\n%s", value, sel, got, b.describe())
	}
}

// setValue sets an input's value as a script would and fires input and change (for
// date and time inputs, whose typing order depends on the locale).
func (b *browser) setValue(sel, value string) {
	b.t.Helper()
	v, _ := json.Marshal(value)
	b.js("(e=>{e.value=" + string(v) + ";e.dispatchEvent(new Event('input',{bubbles:true}));e.dispatchEvent(new Event('change',{bubbles:true}));return e.value})(document.querySelector(" + q(sel) + "))")
}

// route navigates the page to the dashboard route (a hash such as #/agenda).
func (b *browser) route(base, hash string) {
	b.t.Helper()
	h, _ := json.Marshal(hash)
	if b.js("location.origin+location.pathname") == base+"/" {
		b.js("location.hash=" + string(h))
		return
	}
	b.do("open "+base+"/"+hash, chromedp.Navigate(base+"/"+hash))
}

// Widths the screenshots are taken at: a small phone, and a laptop.
var screenshotWidths = []int64{360, 1280}

// shot saves full-page screenshots of the current screen at each width as
// <name>-<width>.png, and returns to the laptop width.
func (b *browser) shot(name string) {
	b.t.Helper()
	for _, w := range screenshotWidths {
		opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(1)}
		h := int64(800)
		if w < 600 {
			opts = append(opts, chromedp.EmulateMobile)
			h = 780
		}
		b.do("viewport", chromedp.EmulateViewport(w, h, opts...))
		time.Sleep(150 * time.Millisecond) // layout and fonts settle
		// A page with an open dialog is taken as the screen shows it (a full-page capture
		// would draw the dialog's backdrop over the first screenful only).
		capture := chromedp.FullScreenshot(100)
		if b.js(`!!document.querySelector("dialog[open]")`) == "true" {
			capture = chromedp.CaptureScreenshot()
		}
		ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
		png, err := chromedp.Run(ctx, capture)
		cancel()
		if err != nil {
			b.t.Fatalf("screenshot %s at %d px: %v", name, w, err)
		}
		if err := os.WriteFile(filepath.Join(b.out, fmt.Sprintf("%s-%d.png", name, w)), png, 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
	b.do("viewport", chromedp.EmulateViewport(1280, 900, chromedp.EmulateScale(1)))
}

// consoleErrors are the console's errors and uncaught exceptions so far.
func (b *browser) consoleErrors() []string {
	time.Sleep(200 * time.Millisecond) // the last events reach the collector
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, m := range b.console {
		if m.Type == chromedp.ConsoleError || m.IsException() {
			s := m.String()
			if m.URL != "" {
				s += fmt.Sprintf(" (%s:%d)", m.URL, m.Line+1)
			}
			out = append(out, s)
		}
	}
	return out
}

// describe is what a failure report shows of the page: its URL, visible text and the
// console so far.
func (b *browser) describe() string {
	var url, body string
	_ = b.eval("location.href", &url)
	_ = b.eval("document.body?document.body.innerText:''", &body)
	if len(body) > 3000 {
		body = body[:3000] + "…"
	}
	b.mu.Lock()
	var cons []string
	for _, m := range b.console {
		cons = append(cons, m.String())
	}
	b.mu.Unlock()
	return fmt.Sprintf("page %s\n--- text ---\n%s\n--- console ---\n%s", url, body, strings.Join(cons, "\n"))
}
