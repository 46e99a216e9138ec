package legal

import (
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/config"
)

var update = flag.Bool("update", false, "rewrite testdata/*.html from the current templates")

// facts with characters HTML must escape, to see them escaped on the page.
var tricky = Facts{Operator: `Silva & Filhos <Tecnologia> "Ltda."`, ContactEmail: "privacidade@silva.com.br", DPO: "Ana <b>Lima</b>", VoucherTTLDays: 45}

var plain = Facts{Operator: "Lembra Tecnologia Ltda.", ContactEmail: "privacidade@lembra.com.br", DPO: "Ana Lima", VoucherTTLDays: 30}

var headingRE = regexp.MustCompile(`<h2 id="[a-z-]+">([^<]+)</h2>`)

// TestPagesHaveTheirSections: each page renders in Portuguese, phone friendly, with the
// sections the LGPD and Meta's App Review expect, by heading and in this order.
func TestPagesHaveTheirSections(t *testing.T) {
	for _, c := range []struct {
		page     Page
		title    string
		headings []string
		facts    []string // further sentences the page must hold (plain facts)
	}{
		{Privacy, "Política de Privacidade", []string{
			"Quem somos", "Controlador e operador", "Dados que tratamos", "Para que usamos os dados", "Bases legais",
			"Compartilhamento de dados", "Transferência internacional", "Por quanto tempo guardamos os dados", "Segurança",
			"Seus direitos", "Como exercer os seus direitos", "Cookies e armazenamento local",
			"Encarregado pelo tratamento de dados", "Alterações desta política", "Última atualização",
		}, []string{
			"<strong>controlador</strong>", "<strong>operador</strong>", "nome, número de telefone (WhatsApp)",
			"enviada, entregue, lida, falhou", "WhatsApp Cloud API", "Google Cloud", "southamerica-east1",
			"deixa de funcionar 30 dias depois do horário do atendimento", "no máximo 7 dias", "art. 18 da LGPD",
			"a Meta nos envia o seu pedido de exclusão de dados", "código de confirmação", "IndexedDB", "Firebase Authentication",
			"O encarregado pelo tratamento de dados pessoais (art. 41 da LGPD) de Lembra Tecnologia Ltda. é <strong>Ana Lima</strong>",
			`<a href="mailto:privacidade@lembra.com.br">privacidade@lembra.com.br</a>`, "Esta política foi atualizada em 01/12/2026.",
		}},
		{Terms, "Termos de Uso", []string{
			"Aceitação dos termos", "O serviço", "Contas e acesso ao painel", "Responsabilidades do estúdio", "WhatsApp e Meta",
			"Proteção de dados", "Disponibilidade e limitações", "Suspensão e encerramento", "Limitação de responsabilidade",
			"Alterações dos termos", "Lei aplicável e foro", "Contato", "Última atualização",
		}, []string{
			"operado por <strong>Lembra Tecnologia Ltda.</strong>", "Tech Provider", `<a href="privacidade">Política de Privacidade</a>`,
			"Política de Mensagens do WhatsApp Business", "Encarregado pelo tratamento de dados: Ana Lima.",
			"Estes termos foram atualizados em 01/12/2026.",
		}},
	} {
		b, err := Render(c.page, plain)
		if err != nil {
			t.Fatalf("%s: %v", c.page, err)
		}
		page := string(b)
		var got []string
		for _, m := range headingRE.FindAllStringSubmatch(page, -1) {
			got = append(got, m[1])
		}
		if !slices.Equal(got, c.headings) {
			t.Errorf("%s: sections\n%q\nwant\n%q", c.page, got, c.headings)
		}
		for _, want := range append([]string{
			`<html lang="pt-BR">`, `<meta name="viewport" content="width=device-width, initial-scale=1">`,
			"<title>" + c.title + " – Lembra Tecnologia Ltda.</title>", `<h1 id="title">` + c.title + "</h1>",
			"Lembra Tecnologia Ltda. · Última atualização: 01/12/2026",
			"https://www.planalto.gov.br/ccivil_03/_ato2015-2018/2018/lei/l13709.htm",
			`<a href="privacidade">Política de Privacidade</a> · <a href="termos">Termos de Uso</a>`,
			"background: #f6efe9", "background: #8a4b2f", // the voucher page's look
		}, c.facts...) {
			if !strings.Contains(page, want) {
				t.Errorf("%s lacks %q", c.page, want)
			}
		}
		if strings.Contains(page, "<script") {
			t.Errorf("%s runs a script", c.page)
		}
		golden := filepath.Join("testdata", string(c.page)+".html")
		if *update {
			if err := os.WriteFile(golden, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (go test ./shared/legal -update writes it)", err)
		}
		if string(want) != page {
			t.Errorf("%s differs from %s: read the change, then go test ./shared/legal -update (and change LastUpdated with the text)", c.page, golden)
		}
	}
}

// TestConfiguredNamesAreEscaped: the operator, officer and e-mail come from the
// configuration and are printed escaped, never as markup.
func TestConfiguredNamesAreEscaped(t *testing.T) {
	for _, p := range Pages {
		b, err := Render(p, tricky)
		if err != nil {
			t.Fatal(err)
		}
		page := string(b)
		for _, want := range []string{
			"Silva &amp; Filhos &lt;Tecnologia&gt; &#34;Ltda.&#34;", "Ana &lt;b&gt;Lima&lt;/b&gt;", `href="mailto:privacidade@silva.com.br"`,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("%s lacks %q", p, want)
			}
		}
		for _, raw := range []string{"<Tecnologia>", "<b>Lima</b>", `"Ltda."`} {
			if strings.Contains(page, raw) {
				t.Errorf("%s prints %q unescaped", p, raw)
			}
		}
		if p == Privacy && !strings.Contains(page, "deixa de funcionar 45 dias depois") {
			t.Errorf("%s does not give the configured voucher lifetime", p)
		}
	}
}

func TestRenderRefuses(t *testing.T) {
	for name, c := range map[string]struct {
		page  Page
		facts Facts
	}{
		"an unknown page":         {"cookies", plain},
		"no voucher lifetime":     {Privacy, Facts{Operator: "x", ContactEmail: "a@b.co", DPO: "y"}},
		"a negative lifetime too": {Terms, Facts{Operator: "x", ContactEmail: "a@b.co", DPO: "y", VoucherTTLDays: -1}},
	} {
		if _, err := Render(c.page, c.facts); err == nil {
			t.Errorf("%s: rendered", name)
		}
	}
}

func TestPageFor(t *testing.T) {
	for path, want := range map[string]Page{
		"/privacidade": Privacy, "privacidade": Privacy, "/privacidade/": Privacy, "/termos": Terms,
		"/": "", "": "", "/Privacidade": "", "/privacidade.html": "", "/x/termos": "", "/aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY": "",
	} {
		got, ok := PageFor(path)
		if got != want || ok != (want != "") {
			t.Errorf("PageFor(%q) = %q, %v; want %q", path, got, ok, want)
		}
	}
}

// TestHandlerAnswers: 200 with HTML and cache headers for GET and HEAD, 304 to a
// conditional GET, 405 to other methods; any other path is left to the caller.
func TestHandlerAnswers(t *testing.T) {
	h, err := NewHandler(plain)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		method, path string
		header       map[string]string
		status       int
		served       bool
		body         string
	}{
		{"GET", "/privacidade", nil, 200, true, "<h1 id=\"title\">Política de Privacidade</h1>"},
		{"GET", "/termos", nil, 200, true, "<h1 id=\"title\">Termos de Uso</h1>"},
		{"GET", "/termos/", nil, 200, true, "Termos de Uso"},
		{"HEAD", "/privacidade", nil, 200, true, ""},
		{"GET", "/privacidade", map[string]string{"If-Modified-Since": LastUpdated.Add(time.Hour).Format(http.TimeFormat)}, 304, true, ""},
		{"POST", "/privacidade", nil, 405, true, "método não permitido"},
		{"GET", "/outra", nil, 0, false, ""},
	} {
		w := httptest.NewRecorder()
		r := httptest.NewRequest(c.method, c.path, nil)
		for k, v := range c.header {
			r.Header.Set(k, v)
		}
		if served := h.Serve(w, r); served != c.served {
			t.Errorf("%s %s: served %v", c.method, c.path, served)
			continue
		}
		if !c.served {
			continue
		}
		if w.Code != c.status || !strings.Contains(w.Body.String(), c.body) {
			t.Errorf("%s %s: %d %.80q, want %d with %q", c.method, c.path, w.Code, w.Body.String(), c.status, c.body)
		}
		if c.status != 200 {
			continue
		}
		for k, want := range map[string]string{
			"Content-Type": "text/html; charset=utf-8", "Cache-Control": "public, max-age=3600",
			"Last-Modified": LastUpdated.Format(http.TimeFormat), "X-Content-Type-Options": "nosniff",
			"Content-Security-Policy": ContentSecurityPolicy,
		} {
			if got := w.Header().Get(k); got != want {
				t.Errorf("%s %s: %s %q, want %q", c.method, c.path, k, got, want)
			}
		}
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/nada", nil))
	if w.Code != 404 {
		t.Errorf("ServeHTTP of an unknown path: %d", w.Code)
	}
}

// TestFactsFrom: the configuration's names, and the voucher's lifetime in whole days, at
// least one (a test stack's lifetime of seconds still renders).
func TestFactsFrom(t *testing.T) {
	day := 24 * time.Hour
	for ttl, want := range map[time.Duration]int{30 * day: 30, day: 1, 2 * time.Second: 1, 0: 1, 36 * time.Hour: 2} {
		f := FactsFrom(config.Config{OperatorName: "Op", ContactEmail: "a@b.co", DPOName: "Ana", VoucherTTL: ttl})
		if f.VoucherTTLDays != want || f.Operator != "Op" || f.ContactEmail != "a@b.co" || f.DPO != "Ana" {
			t.Errorf("ttl %v: %+v, want %d days", ttl, f, want)
		}
		if _, err := NewHandler(f); err != nil {
			t.Errorf("ttl %v: %v", ttl, err)
		}
	}
}
