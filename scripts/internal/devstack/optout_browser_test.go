package devstack_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/scripts/internal/emulators"
	"github.com/lembra-app/lembra/shared/domain"
)

// TestOptOutInTheBrowser: in headless Chromium the owner sees, in the client's
// conversation, that she wrote PARAR and gets no automatic message; she resumes her
// with a reason (the client leaves the studio's opt-out set); in Configurações she sees
// the default keywords, sets her own and the strict window rule, and they are stored.
// Screenshots at 360 and 1280 px.
func TestOptOutInTheBrowser(t *testing.T) {
	requireDashboard(t)
	s := devstack.ForTest(t, devstack.Options{Project: emulators.AuthProject})
	ten, key := demo(t, s, func(tn *devstack.Tenant) {
		tn.ID, tn.APIKey = "optout-browser", ""
		tn.WhatsApp.WABAID, tn.WhatsApp.PhoneNumberID = "102290129371321", "106540352271321"
	})
	const phone = "+5511987654321"
	notice(t, s, ten, key, "browser-optout")
	sendTextTimes(t, s, ten, phone, "PARAR", 1)
	waitTenant(t, s, ten.ID, "opted out", func(x *domain.Tenant) bool { return x.ClientOptedOut(phone) })
	_, email := signedIn(t, s, ten.ID, domain.RoleOwner, "dona-optout")

	b := startBrowser(t)
	b.route(s.URL, "#/entrar")
	b.waitFor("form[data-testid=sign-in] input#email", 10*time.Second)
	b.fill("input#email", email)
	b.fill("input#password", signedInPassword)
	b.click(`form[data-testid=sign-in] [type=submit]`)
	b.waitJS("signed in", `!document.querySelector("[data-testid=top], header.top").hidden && !document.querySelector("form[data-testid=sign-in]")`, 10*time.Second)

	b.route(s.URL, "#/conversa/5511987654321")
	b.waitFor("[data-testid=conv-optout][data-active=true]", 10*time.Second)
	if got := b.text("[data-testid=conv-optout]"); !strings.Contains(got, "Não recebe mensagens automáticas: respondeu PARAR") {
		t.Errorf("the conversation's opt-out reads %q", got)
	}
	b.ShotOf("optout-01-conversa", "[data-testid=conversation]")
	b.click("[data-testid=optout-resume]")
	b.waitFor("[data-testid=optout-resume-dialog][open]", 5*time.Second)
	b.fill("#optout-resume-reason", "Pediu por telefone para voltar")
	b.click("[data-testid=optout-resume-confirm]")
	b.waitFor("[data-testid=conv-optout][data-active=false]", 10*time.Second)
	if got := b.text("[data-testid=conv-optout]"); !strings.Contains(got, "Pediu por telefone para voltar") || !strings.Contains(got, email) {
		t.Errorf("after the resumption the conversation reads %q", got)
	}
	if b.count("[data-testid=optout-resume]") != 0 {
		t.Error("the resume button is still offered")
	}
	waitTenant(t, s, ten.ID, "resumed", func(x *domain.Tenant) bool { return !x.ClientOptedOut(phone) })
	b.ShotOf("optout-02-retomado", "[data-testid=conversation]")

	b.route(s.URL, "#/configuracoes")
	b.waitFor("[data-testid=settings-optout]", 10*time.Second)
	if b.js(`String(document.querySelector("[data-testid=settings-optout]").open)`) != "false" || !strings.Contains(b.text("[data-testid=settings-optout] summary"), "PARAR, SAIR, CANCELAR MENSAGENS, STOP") {
		t.Errorf("the folded card's summary reads %q", b.text("[data-testid=settings-optout] summary"))
	}
	b.click("[data-testid=settings-optout] summary")
	b.waitJS("unfolded", `document.querySelector("[data-testid=settings-optout]").open`, 5*time.Second)
	if got := b.js(`document.querySelector("[data-testid=optout-keywords]").value`); got != "PARAR\nSAIR\nCANCELAR MENSAGENS\nSTOP" {
		t.Errorf("the default keywords read %q", got)
	}
	b.setValue("[data-testid=optout-keywords]", "Chega\nNão quero mais")
	b.click("[data-testid=strict-window]")
	b.click("form[data-testid=settings-form] [type=submit]")
	b.waitJS("answered", `(e=>e && (e.classList.contains("ok") || e.classList.contains("error")))(document.querySelector("[data-testid=settings-result]"))`, 10*time.Second)
	if got := b.text("[data-testid=settings-result]"); got != "Configurações salvas." {
		t.Fatalf("saving reads %q", got)
	}
	b.waitJS("history", `!!document.querySelector("[data-testid=settings-audit] li[data-field=opt_out_keywords]")`, 10*time.Second)
	tn := tenantNow(t, s, ten.ID)
	if !slices.Equal(tn.OptOutKeywords, []string{"Chega", "Não quero mais"}) || !tn.StrictCancelWindow {
		t.Errorf("stored keywords %v, strict %v", tn.OptOutKeywords, tn.StrictCancelWindow)
	}
	b.ShotOf("optout-03-ajustes", "[data-testid=settings-optout]")
	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}
