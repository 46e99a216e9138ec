// Package legal renders Lembra's public pages: the privacy policy (Política de
// Privacidade, /privacidade) and the terms of use (Termos de Uso, /termos), in Brazilian
// Portuguese, with the operator's name, contact e-mail and data protection officer from
// the configuration. The voucher function serves them; the voucher page and the
// dashboard's sign-in page link them, and they are the Privacy Policy URL and Terms of
// Service URL of Meta's App Dashboard.
//
// The texts follow the LGPD, Lei nº 13.709/2018
// (https://www.planalto.gov.br/ccivil_03/_ato2015-2018/2018/lei/l13709.htm): controller
// and operator (art. 5º, VI and VII), legal bases (art. 7º), the data subject's rights
// (art. 18), how requests are answered (art. 19), the data protection officer (art. 41),
// international transfer (art. 33). What they say about the product is what the code
// does:
//   - vouchers: the link stops working LEMBRA_VOUCHER_TTL_DAYS after the appointment
//     (shared/voucher.Expired); the appointment itself is not deleted then;
//   - records (appointments, jobs and their statuses, client messages, conversations)
//     have no automatic expiry; they go on a deletion request (the Meta data deletion
//     callback at the webhook function's /data-deletion, or the studio's request);
//   - Pub/Sub keeps a webhook delivery at most 7 days (terraform/pubsub.tf,
//     message_retention_duration);
//   - logs mask phone numbers (shared/logging) and stay in Cloud Logging's _Default
//     bucket, 30 days unless configured otherwise
//     (https://cloud.google.com/logging/docs/buckets#default-buckets);
//   - hosting in Google Cloud's southamerica-east1 (São Paulo), terraform/variables.tf's
//     default region and Firestore location;
//   - the dashboard keeps the Firebase Authentication session in the browser's storage
//     (the JS SDK's default persistence, IndexedDB:
//     https://firebase.google.com/docs/auth/web/auth-state-persistence); no cookies.
package legal

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/lembra-app/lembra/shared/config"
)

// LastUpdated is the date the texts below last changed: change it with them.
var LastUpdated = time.Date(2026, time.December, 1, 0, 0, 0, 0, time.UTC)

// CacheControl lets browsers and caches keep a page an hour: it changes only with a
// deployment.
const CacheControl = "public, max-age=3600"

// ContentSecurityPolicy: the pages load nothing and run no script.
const ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

// Facts are what the pages say that varies by deployment.
type Facts struct {
	Operator       string // the company that runs Lembra (LEMBRA_OPERATOR_NAME)
	ContactEmail   string // where requests go (LEMBRA_CONTACT_EMAIL)
	DPO            string // the data protection officer, encarregado (LEMBRA_DPO_NAME)
	VoucherTTLDays int    // days after the appointment a voucher link works (LEMBRA_VOUCHER_TTL_DAYS)
}

// FactsFrom takes the facts from the configuration. The voucher's lifetime is whole days
// (LEMBRA_VOUCHER_TTL_DAYS); a shorter one (tests set seconds) reads as one day.
func FactsFrom(c config.Config) Facts {
	const day = 24 * time.Hour
	days := int((c.VoucherTTL + day - 1) / day)
	if days < 1 {
		days = 1
	}
	return Facts{Operator: c.OperatorName, ContactEmail: c.ContactEmail, DPO: c.DPOName, VoucherTTLDays: days}
}

// Page names a public page by its path segment.
type Page string

// The pages and their paths under the voucher function (<base>/privacidade, <base>/termos).
const (
	Privacy Page = "privacidade"
	Terms   Page = "termos"
)

// Pages lists every page.
var Pages = []Page{Privacy, Terms}

// PageFor is the page a request path names ("/privacidade", "privacidade/"), if any.
func PageFor(path string) (Page, bool) {
	name := Page(strings.Trim(path, "/"))
	for _, p := range Pages {
		if p == name {
			return p, true
		}
	}
	return "", false
}

// Title is the page's title in Portuguese.
func (p Page) Title() string {
	switch p {
	case Privacy:
		return "Política de Privacidade"
	case Terms:
		return "Termos de Uso"
	}
	return string(p)
}

type view struct {
	Facts
	Page    Page
	Title   string
	Updated string // dd/mm/aaaa
}

// Render is the page's HTML.
func Render(p Page, f Facts) ([]byte, error) {
	if _, ok := PageFor(string(p)); !ok {
		return nil, fmt.Errorf("legal: no page %q", p)
	}
	if f.VoucherTTLDays <= 0 {
		return nil, fmt.Errorf("legal: the voucher's lifetime must be positive, not %d days", f.VoucherTTLDays)
	}
	var b bytes.Buffer
	if err := pages.ExecuteTemplate(&b, string(p), view{Facts: f, Page: p, Title: p.Title(), Updated: LastUpdated.Format("02/01/2006")}); err != nil {
		return nil, fmt.Errorf("legal: render %s: %w", p, err)
	}
	return b.Bytes(), nil
}

// Handler serves every page at its path (GET and HEAD), rendered once: they are static
// for a deployment. Any other path is not its to answer: ok reports whether the request
// named a page.
type Handler struct {
	pages map[Page][]byte
}

// NewHandler renders the pages for f.
func NewHandler(f Facts) (*Handler, error) {
	h := &Handler{pages: map[Page][]byte{}}
	for _, p := range Pages {
		b, err := Render(p, f)
		if err != nil {
			return nil, err
		}
		h.pages[p] = b
	}
	return h, nil
}

// Serve answers the request if its path names a page, and reports whether it did.
func (h *Handler) Serve(w http.ResponseWriter, r *http.Request) bool {
	p, ok := PageFor(r.URL.Path)
	if !ok {
		return false
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "método não permitido", http.StatusMethodNotAllowed)
		return true
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", CacheControl)
	w.Header().Set("Content-Security-Policy", ContentSecurityPolicy)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
	// Last-Modified from LastUpdated, and 304 to a matching If-Modified-Since.
	http.ServeContent(w, r, "", LastUpdated, bytes.NewReader(h.pages[p]))
	return true
}

// ServeHTTP serves the pages and answers 404 to anything else.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !h.Serve(w, r) {
		http.NotFound(w, r)
	}
}
