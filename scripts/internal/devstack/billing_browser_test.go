package devstack_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/scripts/internal/emulators"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/meta"
)

// TestBillingInTheBrowser: in headless Chromium the owner opens Custos from Mensagens
// and sees the month's charged and free messages by category with the estimate in the
// table's currency (pt-BR formatting), the price table's date and that its values are
// not confirmed, a month selector (an earlier month: nothing counted), and downloads the
// CSV. Screenshots at 360 and 1280 px.
func TestBillingInTheBrowser(t *testing.T) {
	requireDashboard(t)
	s := devstack.ForTest(t, devstack.Options{Project: emulators.AuthProject})
	ctx := context.Background()
	ten, _ := demoStudio(t, s, "bill-browser", "", "102290129340793", "106540352242793")
	email := fmt.Sprintf("dona-%d@example.com", time.Now().UnixNano())
	const password = "senha-de-teste-123"
	if _, err := s.AddStaff(ctx, ten.ID, domain.RoleOwner, email, password); err != nil {
		t.Fatal(err)
	}
	// 12 utility templates and 2 marketing ones delivered (charged), 3 service replies (free).
	fs, _ := s.Env.Firestore(ctx)
	now := time.Now().UTC()
	prices := []billingPricing{}
	for range 12 {
		prices = append(prices, billingPricing{Billable: true, PricingModel: "PMP", Category: "utility", Type: "regular"})
	}
	for range 2 {
		prices = append(prices, billingPricing{Billable: true, PricingModel: "PMP", Category: "marketing", Type: "regular"})
	}
	for range 3 {
		prices = append(prices, billingPricing{Billable: false, PricingModel: "PMP", Category: "service", Type: "free_customer_service"})
	}
	for i, p := range prices {
		jobID, wamid := fmt.Sprintf("billb-%02d", i), fmt.Sprintf("wamid.billb%02d", i)
		j := domain.Job{TenantID: ten.ID, AppointmentID: "apt-billb", Type: domain.JobCreated, Status: domain.JobSent,
			ProviderMessageID: wamid, SentAt: now, CreatedAt: now, DeliveryMode: domain.DeliveryTemplate, Counted: []string{domain.MarkSent}}
		if _, err := fs.Collection("tenants").Doc(ten.ID).Collection("jobs").Doc(jobID).Set(ctx, j); err != nil {
			t.Fatal(err)
		}
		b := billingStatusBody(ten, wamid, "delivered", now, p)
		if status := postWebhook(t, s, b, meta.Sign(b, []byte(devstack.AppSecret))); status != 200 {
			t.Fatalf("webhook %d", status)
		}
		waitJob(t, s, ten.ID, jobID, 15*time.Second, func(j *domain.Job) bool { return j.Status == domain.JobDelivered })
	}
	_, br := domain.Prices().Market("")
	util, _ := domain.ParseMicros(br.Rates["utility"])
	mkt, _ := domain.ParseMicros(br.Rates["marketing"])
	estimate := (util*12 + mkt*2).Decimal(2, ",")

	b := startBrowser(t)
	b.route(s.URL, "#/entrar")
	b.waitFor("form[data-testid=sign-in] input#email", 10*time.Second)
	b.fill("input#email", email)
	b.fill("input#password", password)
	b.click(`form[data-testid=sign-in] [type=submit]`)
	b.waitJS("signed in", `!document.querySelector("[data-testid=top], header.top").hidden && !document.querySelector("form[data-testid=sign-in]")`, 10*time.Second)
	b.route(s.URL, "#/mensagens")
	b.waitFor(`a[href="#/custos"]`, 10*time.Second)
	b.shot("custos-00-mensagens")
	b.click(`a[href="#/custos"]`)
	b.waitFor("[data-testid=billing-table]", 10*time.Second)

	if got := b.text("[data-testid=billing] [data-key=estimate] dd"); !strings.Contains(got, estimate) || !strings.Contains(got, "$") {
		t.Errorf("the estimate reads %q, want %s", got, estimate)
	}
	if got := b.text("[data-testid=billing] [data-key=billable] dd") + "/" + b.text("[data-testid=billing] [data-key=free] dd"); got != "14/3" {
		t.Errorf("charged/free read %q", got)
	}
	if got := b.js(`[...document.querySelectorAll("[data-testid=billing-table] tbody tr")].map(r=>r.dataset.category+":"+r.querySelector("[data-key=billable]").textContent+"+"+r.querySelector("[data-key=free]").textContent).join(" ")`); got != "utility:12+0 marketing:2+0 service:0+3" {
		t.Errorf("the table reads %q", got)
	}
	if got := b.text("[data-testid=billing-table] tbody tr[data-category=utility] th"); !strings.Contains(got, "Utilidade") || !strings.Contains(got, "cada") {
		t.Errorf("the utility row reads %q", got)
	}
	if got := b.text("[data-testid=billing-note]"); !strings.Contains(got, "tabela de preços da Meta de") || (!br.Confirmed && !strings.Contains(got, "não confirmados")) {
		t.Errorf("the note reads %q", got)
	}
	b.shot("custos-01-mes")

	b.click("[data-testid=billing-csv]")
	b.waitJS("downloaded", `/baixado/.test(document.querySelector("[data-testid=billing-csv-status]").textContent)`, 10*time.Second)

	// An earlier month: nothing counted there.
	prev := b.js(`document.querySelector("[data-testid=billing-month] option:nth-child(2)").value`)
	b.setValue("[data-testid=billing-month]", prev)
	b.waitJS("earlier month", fmt.Sprintf(`(e=>e && e.dataset.month===%q && !!document.querySelector("[data-testid=billing-empty]"))(document.querySelector("[data-testid=billing]"))`, prev), 10*time.Second)
	b.shot("custos-02-mes-anterior")
	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}
