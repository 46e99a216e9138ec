// Package browser drives a headless Chromium (Debian's chromium package, installed by
// scripts/install-deps.sh) with chromedp, for the dashboard's browser tests and the App
// Review evidence command (scripts/appreview): a fresh profile per browser, every console
// message and uncaught exception collected, screenshots at a phone's and a laptop's width.
//
// A failure is reported to the browser's T (a test, or the command's reporter), as a test
// helper does: the caller's code reads as a sequence of steps, each stopping the run when
// the screen is not what it should be.
package browser

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// T is who a failure is reported to: a *testing.T, or the command's Reporter.
type T interface {
	Helper()
	Fatalf(format string, args ...any)
}

// Chromium is Debian's chromium; CHROMIUM_PATH names another build.
func Chromium() (string, error) {
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		return p, nil
	}
	for _, p := range []string{"/usr/bin/chromium", "chromium"} {
		if found, err := exec.LookPath(p); err == nil {
			return found, nil
		}
	}
	return "", errors.New("chromium is not installed (Debian package chromium; scripts/install-deps.sh installs it)")
}

// Browser is one tab of a headless Chromium (or a popup it opened: Popup).
type Browser struct {
	// T returns who failures go to now (a test swaps it for each subtest).
	T func() T
	// Out is the folder the screenshots are written to.
	Out string

	ctx   context.Context
	close func()

	mu      sync.Mutex
	console []chromedp.ConsoleMessage
	popups  map[target.ID]bool // the popups this tab opened

	opener *Browser  // a popup's opener
	target target.ID // a popup's target
}

// Start launches headless Chromium with a fresh profile in profileDir and returns its
// tab; screenshots go to out. Close it when done.
func Start(t func() T, profileDir, out string) (*Browser, error) {
	path, err := Chromium()
	if err != nil {
		return nil, err
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
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
		chromedp.UserDataDir(profileDir),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	b := &Browser{T: t, Out: out, ctx: ctx, close: func() { cancelTab(); cancelAlloc() }}
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		b.Close()
		return nil, fmt.Errorf("start chromium: %w", err)
	}
	b.collect()
	return b, nil
}

// Close ends the tab (and, for the first tab, the browser).
func (b *Browser) Close() { b.close() }

// Context is the tab's chromedp context.
func (b *Browser) Context() context.Context { return b.ctx }

// collect gathers the tab's console messages and uncaught exceptions.
func (b *Browser) collect() {
	msgs := chromedp.Console(b.ctx)
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
}

// Popup runs open (a click that makes the page call window.open) and returns the new
// window's tab, with its own console collector, reporting to the same T and writing
// screenshots to the same folder. The popup closing itself ends its context.
func (b *Browser) Popup(what string, open func()) *Browser {
	b.T().Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	// A popup that closes reports a change of its target, detached, which
	// WaitNewTarget would take for a new one: the popups seen before are not.
	b.mu.Lock()
	seen := maps.Clone(b.popups)
	b.mu.Unlock()
	ch := chromedp.WaitNewTarget(ctx, func(i *target.Info) bool { return i.Type == "page" && !seen[i.TargetID] })
	open()
	select {
	case id := <-ch:
		b.mu.Lock()
		if b.popups == nil {
			b.popups = map[target.ID]bool{}
		}
		b.popups[id] = true
		b.mu.Unlock()
		pctx, pcancel := chromedp.NewContext(b.ctx, chromedp.WithTargetID(id))
		p := &Browser{T: b.T, Out: b.Out, ctx: pctx, close: pcancel, opener: b, target: id}
		if _, err := chromedp.Run(pctx, chromedp.Evaluate[json.RawMessage]("1")); err != nil {
			b.T().Fatalf("browser: %s: attach to the popup: %v", what, err)
		}
		p.collect()
		return p
	case <-ctx.Done():
		b.T().Fatalf("browser: %s: no popup opened within 20 s\n%s", what, b.Describe())
		return nil
	}
}

// WaitClosed waits until a popup has closed its window (window.close), as its opener
// sees it: a page that opens one popup at a time (FB.login) only focuses the one still
// open.
func (b *Browser) WaitClosed(within time.Duration) {
	b.T().Helper()
	if b.opener == nil {
		b.T().Fatalf("browser: WaitClosed is for a popup")
	}
	deadline := time.Now().Add(within)
	for {
		ctx, cancel := context.WithTimeout(b.opener.ctx, 5*time.Second)
		infos, err := chromedp.Targets(ctx)
		cancel()
		if err == nil && !slices.ContainsFunc(infos, func(i *target.Info) bool { return i.TargetID == b.target }) {
			return
		}
		if time.Now().After(deadline) {
			b.T().Fatalf("browser: the popup did not close within %v (last error %v)", within, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Do runs actions, failing on an error or after 20 s.
func (b *Browser) Do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.T().Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.T().Fatalf("browser: %s: %v\n%s", what, err, b.Describe())
	}
}

// Eval evaluates a JavaScript expression and decodes its value into out.
func (b *Browser) Eval(expr string, out any) error {
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](expr))
	if err != nil {
		return err
	}
	return json.Unmarshal(v, out)
}

// JS returns the value of a JavaScript expression as a string ("" for null/undefined).
func (b *Browser) JS(expr string) string {
	b.T().Helper()
	var v any
	if err := b.Eval(expr, &v); err != nil {
		b.T().Fatalf("browser: evaluate %s: %v", expr, err)
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

// WaitJS waits until a JavaScript expression is truthy, polling every 100 ms.
func (b *Browser) WaitJS(what, expr string, within time.Duration) {
	b.T().Helper()
	deadline := time.Now().Add(within)
	var last error
	for {
		var ok bool
		err := b.Eval("!!("+expr+")", &ok)
		if err == nil && ok {
			return
		}
		last = err
		if time.Now().After(deadline) {
			b.T().Fatalf("browser: %s: not within %v (%s; last error %v)\n%s", what, within, expr, last, b.Describe())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Q quotes a CSS selector (or any string) for use inside JavaScript.
func Q(sel string) string {
	enc, _ := json.Marshal(sel)
	return string(enc)
}

// WaitFor waits until an element matching sel is in the page.
func (b *Browser) WaitFor(sel string, within time.Duration) {
	b.T().Helper()
	b.WaitJS("element "+sel, "document.querySelector("+Q(sel)+")", within)
}

// Text is the visible text of the first element matching sel ("" when there is none).
func (b *Browser) Text(sel string) string {
	b.T().Helper()
	return b.JS("(document.querySelector(" + Q(sel) + ")||{}).innerText||''")
}

// Attr is an attribute of the first element matching sel.
func (b *Browser) Attr(sel, name string) string {
	b.T().Helper()
	return b.JS("(e=>e?e.getAttribute(" + Q(name) + "):null)(document.querySelector(" + Q(sel) + "))")
}

// Count is the number of elements matching sel.
func (b *Browser) Count(sel string) int {
	b.T().Helper()
	var n int
	if err := b.Eval("document.querySelectorAll("+Q(sel)+").length", &n); err != nil {
		b.T().Fatalf("browser: count %s: %v", sel, err)
	}
	return n
}

// Click clicks the first element matching sel once it is visible.
//
// The Agenda redraws its rows when a poll brings news: a node found just before a redraw
// is gone when the click lands ("Could not find node"), so the click looks the selector
// up again, as a person taps the row that is on the screen now.
func (b *Browser) Click(sel string) {
	b.T().Helper()
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
		b.T().Fatalf("browser: click %s: %v\n%s", sel, err, b.Describe())
	}
}

// Fill replaces the value of the input matching sel by typing over it.
func (b *Browser) Fill(sel, value string) {
	b.T().Helper()
	b.WaitFor(sel, 5*time.Second)
	// As a person does: select what the field holds, then type over it.
	b.JS("(e=>{e.focus();e.select();return e.value})(document.querySelector(" + Q(sel) + "))")
	b.Do("fill "+sel, chromedp.SendKeys(chromedp.CSS(sel), value, chromedp.NodeVisible))
	if got := b.JS("document.querySelector(" + Q(sel) + ").value"); got != value {
		b.T().Fatalf("typed %q into %s, which holds %q\n%s", value, sel, got, b.Describe())
	}
}

// SetValue sets an input's value as a script would and fires input and change (for
// date and time inputs, whose typing order depends on the locale).
func (b *Browser) SetValue(sel, value string) {
	b.T().Helper()
	b.JS("(e=>{e.value=" + Q(value) + ";e.dispatchEvent(new Event('input',{bubbles:true}));e.dispatchEvent(new Event('change',{bubbles:true}));return e.value})(document.querySelector(" + Q(sel) + "))")
}

// Route navigates the page to the dashboard route (a hash such as #/agenda).
func (b *Browser) Route(base, hash string) {
	b.T().Helper()
	if b.JS("location.origin+location.pathname") == base+"/" {
		b.JS("location.hash=" + Q(hash))
		return
	}
	b.Do("open "+base+"/"+hash, chromedp.Navigate(base+"/"+hash))
}

// Widths the screenshots are taken at: a small phone, and a laptop.
var Widths = []int64{360, 1280}

// Shot saves full-page screenshots of the current screen as <name>-<width>.png at each
// width (Widths when none are given) and returns to the laptop width; it returns the
// files written.
func (b *Browser) Shot(name string, widths ...int64) []string {
	b.T().Helper()
	return b.shot(name, "", widths)
}

// ShotOf is Shot of one screenful with the element matching sel scrolled to its top,
// for a part of a long page.
func (b *Browser) ShotOf(name, sel string, widths ...int64) []string {
	b.T().Helper()
	return b.shot(name, sel, widths)
}

func (b *Browser) shot(name, sel string, widths []int64) []string {
	b.T().Helper()
	if len(widths) == 0 {
		widths = Widths
	}
	var files []string
	for _, w := range widths {
		opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(1)}
		h := int64(800)
		if w < 600 {
			opts = append(opts, chromedp.EmulateMobile)
			h = 780
		}
		b.Do("viewport", chromedp.EmulateViewport(w, h, opts...))
		time.Sleep(150 * time.Millisecond) // layout and fonts settle
		if w < 600 {
			// A phone scrolls sideways when anything is wider than its screen: the
			// screen is wrong, whatever the image shows.
			if wide := b.JS(fmt.Sprintf(overflowJS, w)); wide != "" {
				b.T().Fatalf("screenshot %s at %d px: the page is wider than the screen: %s", name, w, wide)
			}
		}
		// A page with an open dialog is taken as the screen shows it (a full-page capture
		// would draw the dialog's backdrop over the first screenful only).
		capture := pageShot(w)
		if sel != "" {
			// The element's top just below a sticky header, if the page has one.
			b.JS("(e=>{const top=e.getBoundingClientRect().top+scrollY;const h=[...document.querySelectorAll('header')].filter(x=>getComputedStyle(x).position==='sticky'||getComputedStyle(x).position==='fixed').reduce((m,x)=>Math.max(m,x.offsetHeight),0);scrollTo(0,Math.max(0,top-h-12));return 1})(document.querySelector(" + Q(sel) + "))")
			time.Sleep(100 * time.Millisecond)
			capture = chromedp.CaptureScreenshot()
		} else if b.JS(`!!document.querySelector("dialog[open]")`) == "true" {
			capture = chromedp.CaptureScreenshot()
		} else {
			// A whole-page capture of a scrolled page draws a sticky header where the
			// screen was scrolled to, over the middle of the page: start at the top.
			b.JS("scrollTo(0,0),1")
			time.Sleep(50 * time.Millisecond)
		}
		ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
		png, err := chromedp.Run(ctx, capture)
		cancel()
		if err != nil {
			b.T().Fatalf("screenshot %s at %d px: %v", name, w, err)
		}
		file := filepath.Join(b.Out, fmt.Sprintf("%s-%d.png", name, w))
		if err := os.WriteFile(file, png, 0o644); err != nil {
			b.T().Fatalf("screenshot %s: %v", name, err)
		}
		files = append(files, file)
	}
	b.Do("viewport", chromedp.EmulateViewport(1280, 900, chromedp.EmulateScale(1)))
	return files
}

// overflowJS names the elements wider than a screen %d px wide (right edge past it,
// ignoring those inside a horizontally scrolling box), or "" when none is. The width
// is the emulated screen's: a phone zooms out to fit a wider page, so innerWidth grows
// with the overflow.
const overflowJS = `((W) => {
  if (document.documentElement.scrollWidth <= W) return '';
  const out = [], hidden = [];
  const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : '') + (e.dataset.testid ? '[data-testid=' + e.dataset.testid + ']' : '') + ' "' + (e.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 24) + '" right=' + Math.round(Math.max(e.getBoundingClientRect().right, e.getBoundingClientRect().left + e.scrollWidth) + scrollX);
  for (const e of [document.body, ...document.body.querySelectorAll('*')]) {
    const r = e.getBoundingClientRect();
    const right = Math.max(r.right, r.left + e.scrollWidth) + scrollX;
    if (right <= W + 0.5 || r.height === 0) continue;
    let p = e.parentElement, scrolls = false;
    for (; p && p !== document.body; p = p.parentElement) {
      const ox = getComputedStyle(p).overflowX;
      if (ox === 'auto' || ox === 'scroll' || ox === 'hidden' || ox === 'clip') { scrolls = true; break; }
    }
    if (scrolls) { hidden.push(e); continue; }
    out.push(name(e));
    if (out.length === 6) break;
  }
  if (!out.length) out.push(...hidden.slice(0, 6).map((e) => 'inside a clipping box: ' + name(e)));
  if (!out.length) out.push('body ' + document.body.scrollWidth + ', scrollX ' + scrollX + ', innerWidth ' + innerWidth + ', active ' + (document.activeElement ? name(document.activeElement) : ''));
  return 'scrollWidth ' + document.documentElement.scrollWidth + ' > ' + W + ': ' + (out.join(', ') || '(no element found)');
})(%[1]d)`

// pageShot captures the whole page's height as a PNG exactly width px wide: a page a
// few pixels wider than the screen (an overflowing line) is cut at the screen's edge,
// as the phone shows it, instead of widening the image.
func pageShot(width int64) chromedp.Action[[]byte] {
	return func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		var height float64
		v, err := chromedp.Evaluate[float64]("Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0, innerHeight)")(ctx, t)
		if err != nil {
			return nil, err
		}
		height = v
		r, err := cdp.Call(ctx, t, page.CaptureScreenshot, page.CaptureScreenshotParams{
			CaptureBeyondViewport: ptr(true),
			FromSurface:           ptr(true),
			Format:                page.CaptureScreenshotFormatPng,
			Clip:                  &page.Viewport{X: 0, Y: 0, Width: float64(width), Height: height, Scale: 1},
		})
		if err != nil {
			return nil, err
		}
		return r.Data, nil
	}
}

func ptr[V any](v V) *V { return &v }

// ConsoleErrors are the console's errors and uncaught exceptions so far.
func (b *Browser) ConsoleErrors() []string {
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

// Describe is what a failure report shows of the page: its URL, visible text and the
// console so far.
func (b *Browser) Describe() string {
	var url, body string
	if err := b.Eval("location.href", &url); err != nil {
		url = "(unreadable: " + err.Error() + ")"
	}
	_ = b.Eval("document.body?document.body.innerText:''", &body)
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
