package ptbr

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
)

// domainReasonCodes reads package domain's source and returns every constant named
// Reason… (name → value), and the file each is declared in.
func domainReasonCodes(t *testing.T) (map[string]string, map[string]string) {
	t.Helper()
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, "../domain", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	values, files := map[string]string{}, map[string]string{}
	for _, pkg := range pkgs {
		for name, f := range pkg.Files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			for _, d := range f.Decls {
				g, ok := d.(*ast.GenDecl)
				if !ok || g.Tok != token.CONST {
					continue
				}
				for _, spec := range g.Specs {
					vs := spec.(*ast.ValueSpec)
					for i, n := range vs.Names {
						if !strings.HasPrefix(n.Name, "Reason") {
							continue
						}
						lit, ok := vs.Values[i].(*ast.BasicLit)
						if !ok || lit.Kind != token.STRING {
							t.Fatalf("domain.%s is not a string literal", n.Name)
						}
						v, _ := strconv.Unquote(lit.Value)
						values[n.Name], files[n.Name] = v, fset.Position(n.Pos()).Filename
					}
				}
			}
		}
	}
	return values, files
}

// Every reason code is declared in domain/reasons.go, is unique, and has its text here;
// every text here belongs to a code.
func TestEveryReasonCodeHasText(t *testing.T) {
	codes, files := domainReasonCodes(t)
	if len(codes) < 20 {
		t.Fatalf("only %d reason codes found in package domain", len(codes))
	}
	byValue := map[string]string{}
	for name, code := range codes {
		if !strings.HasSuffix(files[name], "reasons.go") {
			t.Errorf("domain.%s is declared in %s, not with the others in reasons.go", name, files[name])
		}
		if other, dup := byValue[code]; dup {
			t.Errorf("domain.%s and domain.%s share the code %q", name, other, code)
		}
		byValue[code] = name
		text, ok := reasonTexts[code]
		if !ok {
			t.Errorf("domain.%s (%q) has no Portuguese text", name, code)
			continue
		}
		if r := Reason(code); r.Code != code || r.Text != text || text == "" || strings.Contains(text, code) || !strings.HasSuffix(text, ".") {
			t.Errorf("domain.%s: %+v", name, r)
		}
	}
	for code := range reasonTexts {
		if _, ok := byValue[code]; !ok {
			t.Errorf("text for %q, which is not a reason code of package domain", code)
		}
	}
}

// A reason built with its details falls back to the catalogue's sentence when Meta
// gave none, so the two never drift apart.
func TestReasonBuildersMatchCatalogue(t *testing.T) {
	loc := time.UTC
	cases := []struct {
		got  domain.Reason
		code string
	}{
		{AccountBlocked(domain.AccountBlock{Code: domain.BlockDisconnected}, loc), domain.ReasonAccountDisconnected},
		{AccountBlocked(domain.AccountBlock{Code: domain.BlockDeleted}, loc), domain.ReasonAccountDeleted},
		{AccountBlocked(domain.AccountBlock{Code: domain.BlockBanned}, loc), domain.ReasonAccountBanned},
		{AccountBlocked(domain.AccountBlock{Code: domain.BlockRestricted}, loc), domain.ReasonAccountRestricted},
	}
	for _, c := range cases {
		if want := Reason(c.code); c.got != want {
			t.Errorf("%s: %q, want %q", c.code, c.got.Text, want.Text)
		}
	}
	// The builders with details keep their code.
	for _, c := range []struct {
		got  domain.Reason
		code string
	}{
		{RetriesExhausted(3, "HTTP 500"), domain.ReasonRetriesExhausted},
		{WindowExpired(time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC), loc), domain.ReasonWindowExpired},
		{WindowCheckFailed("x"), domain.ReasonWindowCheckFailed},
		{WindowClosedAtSend(time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC), loc), domain.ReasonWindowClosed},
		{TemplateRefused("t", "pt_BR", "PAUSED", ""), domain.ReasonTemplateNotApproved},
	} {
		if c.got.Code != c.code || c.got.Text == "" {
			t.Errorf("%s: %+v", c.code, c.got)
		}
	}
}
