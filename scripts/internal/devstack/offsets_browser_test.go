package devstack_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/scripts/internal/emulators"
	"github.com/lembra-app/lembra/shared/domain"
)

// TestQuietHoursAndOffsetsInTheBrowser: in headless Chromium the owner sees the quiet
// hours (default 21:00 to 08:00) and the 24-hour reminder in Configurações; a second
// reminder without a template is refused in Portuguese before any request, with its
// field marked; with its template, and the quiet hours moved to 22:00, the change is
// stored and listed in the history. Screenshots of the card at 360 and 1280 px.
func TestQuietHoursAndOffsetsInTheBrowser(t *testing.T) {
	requireDashboard(t)
	s := devstack.ForTest(t, devstack.Options{Project: emulators.AuthProject})
	ctx := context.Background()
	ten, _ := demo(t, s, func(tn *devstack.Tenant) {
		tn.ID, tn.APIKey = "offsets-browser", ""
		tn.QuietHours = nil // the default
		tn.WhatsApp.WABAID, tn.WhatsApp.PhoneNumberID = "102290129340811", "106540352249811"
	})
	email := fmt.Sprintf("dona-%d@example.com", time.Now().UnixNano())
	const password = "senha-de-teste-123"
	if _, err := s.AddStaff(ctx, ten.ID, domain.RoleOwner, email, password); err != nil {
		t.Fatal(err)
	}
	b := startBrowser(t)
	b.route(s.URL, "#/entrar")
	b.waitFor("form[data-testid=sign-in] input#email", 10*time.Second)
	b.fill("input#email", email)
	b.fill("input#password", password)
	b.click(`form[data-testid=sign-in] [type=submit]`)
	b.waitJS("signed in", `!document.querySelector("[data-testid=top], header.top").hidden && !document.querySelector("form[data-testid=sign-in]")`, 10*time.Second)
	b.route(s.URL, "#/configuracoes")
	b.waitFor("[data-testid=settings-schedule]", 10*time.Second)
	b.waitFor("[data-testid=settings-audit] p.muted, [data-testid=settings-audit] ol", 10*time.Second)

	if got := b.js(`document.querySelector("[data-testid=quiet-start]").value+"-"+document.querySelector("[data-testid=quiet-end]").value+"-"+document.querySelector("[data-testid=quiet-on]").checked`); got != "21:00-08:00-true" {
		t.Errorf("the default quiet hours read %q", got)
	}
	if got := b.js(`[...document.querySelectorAll("[data-testid=offset-when]")].map(e=>e.value).join("|")`); got != "24 h" {
		t.Errorf("the reminders read %q, want the 24-hour one", got)
	}

	// A second reminder without its template: refused in the form, nothing sent.
	b.click("[data-testid=offset-add]")
	b.setValue("[data-testid=offsets] li:nth-child(2) [data-testid=offset-when]", "2 h")
	b.setValue("[data-testid=offsets] li:nth-child(2) [data-testid=offset-name]", "")
	b.click("form[data-testid=settings-form] [type=submit]")
	b.waitJS("refused", `(e=>e && e.classList.contains("error"))(document.querySelector("[data-testid=settings-result]"))`, 5*time.Second)
	if got := b.text("[data-testid=settings-result]"); !strings.Contains(got, "Escolha o modelo aprovado do lembrete de 2 horas") {
		t.Errorf("the refusal reads %q", got)
	}
	if b.attr("[data-testid=offsets] li:nth-child(2) [data-testid=offset-name]", "aria-invalid") != "true" {
		t.Error("the template's field is not marked")
	}
	if tn := tenantNow(t, s, ten.ID); tn.ReminderOffsets != nil {
		t.Fatalf("a refused form stored %v", tn.ReminderOffsets)
	}
	b.ShotOf("offsets-01-lembrete-sem-modelo", "[data-testid=offsets]")

	b.setValue("[data-testid=offsets] li:nth-child(2) [data-testid=offset-name]", "lembrete_2h")
	b.setValue("[data-testid=quiet-start]", "22:00")
	b.click("form[data-testid=settings-form] [type=submit]")
	b.waitJS("saved", `(e=>e && e.classList.contains("ok"))(document.querySelector("[data-testid=settings-result]"))`, 10*time.Second)
	b.waitJS("history", `!!document.querySelector("[data-testid=settings-audit] li[data-field=reminder_offsets]")`, 10*time.Second)
	tn := tenantNow(t, s, ten.ID)
	if !slices.Equal(tn.ReminderOffsets, []int{1440, 120}) || tn.Templates[domain.ReminderTemplateKey(120)].Name != "lembrete_2h" ||
		tn.QuietHours == nil || tn.QuietHours.Start != "22:00" || tn.QuietHours.End != "08:00" || tn.QuietHours.LeadMinutes != 60 {
		t.Errorf("stored offsets %v, templates %v, quiet hours %+v", tn.ReminderOffsets, tn.Templates, tn.QuietHours)
	}
	if got := b.text("[data-testid=settings-audit] li[data-field=quiet_hours]"); !strings.Contains(got, "22:00 às 08:00") {
		t.Errorf("the history's quiet hours read %q", got)
	}
	b.ShotOf("offsets-02-salvo", "[data-testid=settings-schedule]")
	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}
