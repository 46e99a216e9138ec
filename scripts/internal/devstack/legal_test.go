package devstack_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/scripts/internal/emulators"
	"github.com/lembra-app/lembra/shared/config"
)

// TestLegalPagesServedAndLinkedFromTheVoucher: the stack's voucher function serves the
// privacy policy and the terms of use (200, HTML, cached, the configured names escaped),
// a voucher's footer links both and the links lead to them, and the dashboard's
// config.json names where they are.
func TestLegalPagesServedAndLinkedFromTheVoucher(t *testing.T) {
	t.Parallel()
	s := fast(t, func(c *config.Config) {
		c.OperatorName = `Lembra & Filhos <Tecnologia>`
		c.ContactEmail = "privacidade@lembra-teste.com.br"
		c.DPOName = "Ana <i>Lima</i>"
	})
	_, key := demo(t, s, nil)
	r := call(t, s, key, "POST", "/v1/appointments", appointmentBody("legal-1", time.Now().Add(72*time.Hour)))
	voucherURL, _ := r.Body["appointment"].(map[string]any)["voucher_url"].(string)
	status, _, body := get(t, voucherURL)
	if status != 200 {
		t.Fatalf("voucher %s: %d", voucherURL, status)
	}
	base, err := url.Parse(voucherURL)
	if err != nil {
		t.Fatal(err)
	}
	links := map[string]string{} // label → resolved href
	for _, m := range regexp.MustCompile(`<a href="([^"]+)">(Política de Privacidade|Termos de Uso)</a>`).FindAllStringSubmatch(string(body), -1) {
		ref, err := url.Parse(m[1])
		if err != nil {
			t.Fatal(err)
		}
		links[m[2]] = base.ResolveReference(ref).String()
	}
	for _, c := range []struct{ label, url, h1 string }{
		{"Política de Privacidade", s.URL + "/voucher/privacidade", "Política de Privacidade"},
		{"Termos de Uso", s.URL + "/voucher/termos", "Termos de Uso"},
	} {
		if links[c.label] != c.url {
			t.Errorf("the voucher links %q to %q, want %q", c.label, links[c.label], c.url)
			continue
		}
		resp, err := http.Get(c.url)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		page := string(raw)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" ||
			resp.Header.Get("Cache-Control") != "public, max-age=3600" || resp.Header.Get("Last-Modified") == "" {
			t.Errorf("%s: %d, %v", c.url, resp.StatusCode, resp.Header)
		}
		for _, want := range []string{`<h1 id="title">` + c.h1 + "</h1>", "Lembra &amp; Filhos &lt;Tecnologia&gt;", "mailto:privacidade@lembra-teste.com.br", "Ana &lt;i&gt;Lima&lt;/i&gt;", `lang="pt-BR"`} {
			if !strings.Contains(page, want) {
				t.Errorf("%s lacks %q", c.url, want)
			}
		}
		if strings.Contains(page, "<Tecnologia>") {
			t.Errorf("%s prints the operator's name unescaped", c.url)
		}
		if dir := os.Getenv("LEMBRA_ARTIFACTS"); dir != "" {
			_ = os.WriteFile(filepath.Join(dir, filepath.Base(c.url)+".html"), []byte(page), 0o644)
		}
	}
	// A mistyped page is an unknown voucher, not a policy.
	if status, _, body := get(t, s.URL+"/voucher/privacy"); status != 404 || !strings.Contains(string(body), "Voucher não encontrado") {
		t.Errorf("/voucher/privacy: %d", status)
	}

	status, _, cfg := get(t, s.URL+"/config.json")
	var dc devstack.DashboardConfig
	if err := json.Unmarshal(cfg, &dc); status != 200 || err != nil || dc.LegalBaseURL != s.URL+"/voucher" {
		t.Errorf("config.json: %d %v legal_base_url %q, want %q", status, err, dc.LegalBaseURL, s.URL+"/voucher")
	}
}

// TestDashboardSignInLinksTheLegalPages: in Chromium, the dashboard's sign-in page links
// the privacy policy and the terms of use at config.json's legal_base_url, and following
// each link opens the page; no console error. Screenshots of the sign-in page and of the
// policy at 360 and 1280 px.
func TestDashboardSignInLinksTheLegalPages(t *testing.T) {
	requireDashboard(t)
	s := devstack.ForTest(t, devstack.Options{Project: emulators.AuthProject})
	b := startBrowser(t)
	for _, c := range []struct{ testid, href, h1, shot string }{
		{"privacy-link", s.URL + "/voucher/privacidade", "Política de Privacidade", "legal-privacidade"},
		{"terms-link", s.URL + "/voucher/termos", "Termos de Uso", "legal-termos"},
	} {
		b.route(s.URL, "#/entrar")
		sel := "[data-testid=" + c.testid + "]"
		b.waitFor(sel, 10*time.Second)
		if c.testid == "privacy-link" {
			b.shot("legal-entrar")
		}
		if got := b.js("document.querySelector(" + q(sel) + ").href"); got != c.href {
			t.Errorf("%s href %q, want %q", c.testid, got, c.href)
		}
		if got := b.text(sel); got != c.h1 {
			t.Errorf("%s reads %q, want %q", c.testid, got, c.h1)
		}
		b.click(sel)
		b.waitJS("the page "+c.href+" opens", "location.href==="+q(c.href)+"&&!!document.querySelector('h1')&&document.querySelector('h1').innerText==="+q(c.h1), 10*time.Second)
		b.shot(c.shot)
	}
	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}
