package devstack_test

import (
	"bytes"
	"image/png"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserHarness: the browser tests' own tools see what they claim to, so a
// dashboard test that finds "no console errors" or looks at a screenshot is not
// reading an empty collector or a blank file: a page's console.error and an uncaught
// exception are both collected (with where they came from), and a screenshot is a PNG
// exactly as wide as each width asked for.
func TestBrowserHarness(t *testing.T) {
	b := startBrowser(t)
	page := `<!doctype html><meta charset=utf-8><meta name=viewport content="width=device-width,initial-scale=1">` +
		`<h1 data-testid=title>Olá, Jana</h1><script>console.error("falhou: " + 42); setTimeout(() => { throw new Error("quebrou") })</script>`
	b.do("open the page", chromedp.Navigate("data:text/html;charset=utf-8,"+url.PathEscape(page)))
	b.waitFor("[data-testid=title]", 5*time.Second)
	if got := b.text("[data-testid=title]"); got != "Olá, Jana" {
		t.Errorf("title %q", got)
	}
	var errs []string
	deadline := time.Now().Add(5 * time.Second)
	for len(errs) < 2 && time.Now().Before(deadline) {
		errs = b.consoleErrors()
	}
	joined := strings.Join(errs, "\n")
	if len(errs) != 2 || !strings.Contains(joined, "error: falhou: 42") || !strings.Contains(joined, "quebrou") {
		t.Errorf("console errors %q, want the console.error and the exception", errs)
	}
	b.shot("harness")
	for _, w := range screenshotWidths {
		raw, err := os.ReadFile(filepath.Join(b.out, "harness-"+strconv.FormatInt(w, 10)+".png"))
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
}
