package browser

import (
	"bytes"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

func start(t *testing.T) *Browser {
	t.Helper()
	b, err := Start(func() T { return t }, t.TempDir(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

// TestBrowserHarness: the browser's own tools see what they claim to, so a dashboard
// test or the evidence command that finds "no console errors" or looks at a screenshot
// is not reading an empty collector or a blank file: a page's console.error and an
// uncaught exception are both collected (with where they came from), a screenshot is a
// PNG exactly as wide as each width asked for (ShotOf too), and a popup the page opens is driven as
// its own tab, its console collected apart, until it closes itself.
func TestBrowserHarness(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.URL.Path {
		case "/popup":
			fmt.Fprint(w, `<!doctype html><meta charset=utf-8><h1 data-testid=popup>Janela</h1>`+
				`<button data-action=done onclick="window.opener.postMessage('feito', location.origin); console.error('no popup'); window.close()">Ok</button>`)
		default:
			fmt.Fprint(w, `<!doctype html><meta charset=utf-8><meta name=viewport content="width=device-width,initial-scale=1">`+
				`<h1 data-testid=title>Olá, Jana</h1><button data-action=open onclick="window.open('/popup','p','popup,width=400,height=500')">Abrir</button>`+
				`<p data-testid=got></p><script>addEventListener("message", e => document.querySelector("[data-testid=got]").textContent = e.data);`+
				`console.error("falhou: " + 42); setTimeout(() => { throw new Error("quebrou") })</script>`)
		}
	}))
	defer srv.Close()
	b := start(t)
	b.Route(srv.URL, "")
	b.WaitFor("[data-testid=title]", 5*time.Second)
	if got := b.Text("[data-testid=title]"); got != "Olá, Jana" {
		t.Errorf("title %q", got)
	}
	var errs []string
	deadline := time.Now().Add(5 * time.Second)
	for len(errs) < 2 && time.Now().Before(deadline) {
		errs = b.ConsoleErrors()
	}
	joined := strings.Join(errs, "\n")
	if len(errs) != 2 || !strings.Contains(joined, "error: falhou: 42") || !strings.Contains(joined, "quebrou") {
		t.Errorf("console errors %q, want the console.error and the exception", errs)
	}
	files := b.Shot("harness")
	if len(files) != len(Widths) {
		t.Fatalf("shot wrote %v", files)
	}
	for i, w := range Widths {
		if files[i] != filepath.Join(b.Out, fmt.Sprintf("harness-%d.png", w)) {
			t.Errorf("file %s", files[i])
		}
		raw, err := os.ReadFile(files[i])
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("screenshot at %d px: %v", w, err)
		}
		if got := int64(img.Bounds().Dx()); got != w {
			t.Errorf("screenshot asked at %d px is %d px wide", w, got)
		}
	}

	part := b.ShotOf("harness-part", "[data-testid=title]", 360)
	if raw, err := os.ReadFile(part[0]); err != nil {
		t.Fatal(err)
	} else if img, err := png.Decode(bytes.NewReader(raw)); err != nil || img.Bounds().Dx() != 360 {
		t.Errorf("ShotOf at 360 px: %v, %v", err, img)
	}

	p := b.Popup("open the popup", func() { b.Click("[data-action=open]") })
	p.WaitFor("[data-testid=popup]", 5*time.Second)
	if got := p.Text("[data-testid=popup]"); got != "Janela" {
		t.Errorf("popup heading %q", got)
	}
	p.Click("[data-action=done]")
	p.WaitClosed(5 * time.Second)
	b.WaitJS("the opener got the popup's message", `document.querySelector("[data-testid=got]").textContent === "feito"`, 5*time.Second)
	if got := p.ConsoleErrors(); len(got) != 1 || !strings.Contains(got[0], "no popup") {
		t.Errorf("popup console %q", got)
	}
	if got := b.ConsoleErrors(); len(got) != 2 {
		t.Errorf("the opener's console holds the popup's error: %q", got)
	}
}

// recorder is a T that keeps the first failure instead of stopping the test.
type recorder struct {
	t      *testing.T
	failed string
}

func (r *recorder) Helper() {}
func (r *recorder) Fatalf(format string, args ...any) {
	if r.failed == "" {
		r.failed = fmt.Sprintf(format, args...)
	}
}

// TestShotRefusesAPageWiderThanAPhone: a phone-width screenshot of a page that scrolls
// sideways fails and names what overflows (a box too wide, a long unbreakable e-mail),
// while the same page at 1280 px and a page that fits at 360 px pass.
func TestShotRefusesAPageWiderThanAPhone(t *testing.T) {
	head := `<!doctype html><meta charset=utf-8><meta name=viewport content="width=device-width,initial-scale=1"><style>body{margin:0}</style>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.URL.Path {
		case "/box":
			fmt.Fprint(w, head+`<div data-testid=wide style="width:363px">largo</div>`)
		case "/email":
			fmt.Fprint(w, head+`<p data-testid=mail>por donacomumnomemuitocomprido0123456789@studiodeexemplodobairro.example</p>`)
		default:
			fmt.Fprint(w, head+`<p data-testid=fits>Cabe na tela</p>`)
		}
	}))
	defer srv.Close()
	rec := &recorder{t: t}
	b, err := Start(func() T { return rec }, t.TempDir(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	for _, tc := range []struct {
		path  string
		width int64
		want  string // "" passes
	}{
		{"/", 360, ""},
		{"/box", 1280, ""},
		{"/box", 360, "data-testid=wide"},
		{"/email", 360, "data-testid=mail"},
	} {
		rec.failed = ""
		b.Do("open "+tc.path, chromedp.Navigate(srv.URL+tc.path))
		b.Shot("wide", tc.width)
		switch {
		case tc.want == "" && rec.failed != "":
			t.Errorf("%s at %d px failed: %s", tc.path, tc.width, rec.failed)
		case tc.want != "" && !strings.Contains(rec.failed, tc.want):
			t.Errorf("%s at %d px: failure %q, want one naming %s", tc.path, tc.width, rec.failed, tc.want)
		}
	}
}
