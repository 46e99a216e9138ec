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
)

// TestDashboardOwnerOperations drives the owner's operations screens in headless
// Chromium against the whole local stack (one stack, one browser): the owner marks a
// stuck job failed with a reason and sees who and why on its timeline; a refused action
// shows the API's Portuguese reason; a sent job offers no "Tentar de novo" (and the API
// refuses a retry, the Meta stand-in receives nothing); the queue drain previews and
// drains the counts (a double tap drains once); the reminder scan is paused and
// resumed; the contact button's label is saved and shows in the history; an API key is
// created (shown once), works, and is revoked; the counters show; a staff member sees
// none of the owner's actions. Screenshots of each screen at 360 and 1280 px.
func TestDashboardOwnerOperations(t *testing.T) {
	started := time.Now()
	requireDashboard(t)
	s := devstack.ForTest(t, devstack.Options{Project: emulators.AuthProject})
	ctx := context.Background()
	suffix := fmt.Sprint(time.Now().UnixNano())
	jana, key := demoStudio(t, s, "ops-browser", "", "102290129340681", "106540352242981")
	const password = "senha-de-teste-123"
	ownerEmail, staffEmail := "dona-"+suffix+"@example.com", "equipe-"+suffix+"@example.com"
	if _, err := s.AddStaff(ctx, jana.ID, domain.RoleOwner, ownerEmail, password); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddStaff(ctx, jana.ID, domain.RoleStaff, staffEmail, password); err != nil {
		t.Fatal(err)
	}
	db := mustStore(t, s)

	// Old jobs: a stuck one, a test one, and twelve of one client the drain clears.
	old := time.Now().Add(-40 * 24 * time.Hour).UTC()
	seed := func(id, phone string) *domain.Job {
		j := &domain.Job{ID: id, TenantID: jana.ID, AppointmentID: "apt_000000000000000000000000", Type: domain.JobCreated,
			Status: domain.JobPending, ClientName: "Cliente Antiga", ClientPhone: phone, ScheduledFor: old, CreatedAt: old, UpdatedAt: old}
		j.AddEvent(old, "created", "")
		return j
	}
	jobs := []*domain.Job{seed("legacy-stuck", "+5511900000009"), seed("teste-recusa", "+5511900000009")}
	var drained []string
	for i := range 12 {
		id := fmt.Sprintf("fila-%02d", i)
		drained = append(drained, id)
		jobs = append(jobs, seed(id, "+5511900000001"))
	}
	if err := db.PutJobs(ctx, jana.ID, jobs); err != nil {
		t.Fatal(err)
	}
	// A notice that went out.
	created := call(t, s, key, "POST", "/v1/appointments", appointmentBody("ops-browser-1", time.Now().Add(72*time.Hour).Truncate(time.Minute)))
	if created.Status != 201 {
		t.Fatalf("create: %d %s", created.Status, created.Raw)
	}
	noticeID := domain.JobID(appointmentID(t, created), domain.JobCreated, 0)
	waitJob(t, s, jana.ID, noticeID, 15*time.Second, func(j *domain.Job) bool { return j.Status == domain.JobSent })

	b := startBrowser(t)
	step := func(name string, f func(t *testing.T)) bool {
		return t.Run(name, func(st *testing.T) {
			b.t = st
			defer func() { b.t = t }()
			f(st)
		})
	}
	signIn := func(email string) {
		b.route(s.URL, "#/entrar")
		b.waitFor("form[data-testid=sign-in] input#email", 10*time.Second)
		b.fill("input#email", email)
		b.fill("input#password", password)
		b.click(`form[data-testid=sign-in] [type=submit]`)
		// Signed in: the screen asked before (the Agenda on a first sign-in).
		b.waitJS("signed in", `!document.querySelector("[data-testid=top], header.top").hidden && !document.querySelector("form[data-testid=sign-in]")`, 10*time.Second)
	}
	dialogOpen := `(d=>d && d.open)(document.querySelector("dialog[data-testid=action-dialog]"))`

	if !step("sign in as the owner", func(t *testing.T) { signIn(ownerEmail) }) {
		return
	}

	step("fail a stuck job with a reason", func(t *testing.T) {
		b.route(s.URL, "#/mensagem/legacy-stuck")
		b.waitFor("[data-testid=timeline] li", 10*time.Second)
		for act, want := range map[string]bool{"fail": true, "discard": true, "retry": false, "send_now": false} {
			if got := b.count("[data-testid=job-action-"+act+"]") == 1; got != want {
				t.Errorf("a stuck pending notice offers %s: %v, want %v", act, got, want)
			}
		}
		b.shot("ops-01-mensagem-acoes")
		b.click("[data-testid=job-action-fail]")
		b.waitJS("dialog", dialogOpen, 5*time.Second)
		// The reason is required: an empty one is refused in the dialog, nothing is sent.
		b.click("[data-testid=action-confirm]")
		b.waitJS("reason required", `document.querySelector("#action-reason").getAttribute("aria-invalid")==="true"`, 3*time.Second)
		if j := getJob(t, s, jana.ID, "legacy-stuck"); j.Status != domain.JobPending {
			t.Fatalf("an empty reason changed the job: %s", j.Status)
		}
		b.fill("[data-testid=action-reason]", "job antigo da versão anterior")
		b.shot("ops-02-dialogo-falha")
		b.click("[data-testid=action-confirm]")
		b.waitJS("result", `(e=>e && e.dataset.outcome==="done")(document.querySelector("[data-testid=action-result]"))`, 10*time.Second)
		b.waitJS("dialog closed", `!document.querySelector("dialog[data-testid=action-dialog]")`, 5*time.Second)
		sel := `[data-testid=timeline] li[data-kind=action_fail]`
		b.waitFor(sel, 5*time.Second)
		if got := b.text(sel); !strings.Contains(got, ownerEmail) || !strings.Contains(got, "job antigo da versão anterior") {
			t.Errorf("the timeline's entry reads %q, want who and why", got)
		}
		if got := b.text("[data-testid=action-result]"); !strings.Contains(got, "marcada como falha") || !strings.Contains(got, ownerEmail) {
			t.Errorf("result %q", got)
		}
		// The view offers what the API's rule allows now: an operational failure may be
		// tried again once its cause is fixed, but not this one, whose appointment no
		// longer exists (dispatch.AllowedActions; the retry would be refused).
		if n := b.count("[data-testid^=job-action-]"); n != 0 {
			t.Errorf("a failed job of a missing appointment offers %d actions, want none", n)
		}
		if j := getJob(t, s, jana.ID, "legacy-stuck"); j.Status != domain.JobFailed || j.ReasonCode != domain.ReasonOperationalFailure {
			t.Errorf("job after fail: %s %s", j.Status, j.ReasonCode)
		}
		b.shot("ops-03-mensagem-falha")
	})

	step("a refusal shows the API's reason", func(t *testing.T) {
		b.route(s.URL, "#/mensagem/teste-recusa")
		b.waitFor("[data-testid=job-action-fail]", 10*time.Second)
		b.click("[data-testid=job-action-fail]")
		b.waitJS("dialog", dialogOpen, 5*time.Second)
		b.fill("[data-testid=action-reason]", "mensagem de teste")
		// Meanwhile the job is discarded elsewhere (another tab).
		owner, err := s.SignIn(ctx, ownerEmail, password)
		if err != nil {
			t.Fatal(err)
		}
		if r := call(t, s, owner, "POST", "/v1/staff/jobs/teste-recusa/actions", map[string]any{"action": "discard", "reason": "descartada em outra aba"}); r.Status != 200 {
			t.Fatalf("discard: %d %s", r.Status, r.Raw)
		}
		b.click("[data-testid=action-confirm]")
		b.waitJS("refusal", `(e=>e && e.dataset.outcome==="refused")(document.querySelector("dialog [data-testid=action-result]"))`, 10*time.Second)
		if got := b.text("dialog [data-testid=action-result]"); !strings.Contains(got, "Esta mensagem já terminou") {
			t.Errorf("refusal reads %q, want the API's Portuguese reason", got)
		}
		b.shot("ops-04-recusa")
		b.js(`[...document.querySelectorAll("dialog[data-testid=action-dialog] button")].find(e=>e.innerText.trim()==="Fechar").click()`)
		b.waitJS("dialog closed", `!document.querySelector("dialog[data-testid=action-dialog]")`, 5*time.Second)
	})

	step("a sent job offers no retry and the API refuses it", func(t *testing.T) {
		b.route(s.URL, "#/mensagem/"+noticeID)
		b.waitFor("[data-testid=timeline] li", 10*time.Second)
		if n := b.count("[data-testid^=job-action-]"); n != 0 {
			t.Errorf("a sent notice offers %d actions", n)
		}
		before := sendsTo(s, jana.WhatsApp.PhoneNumberID)
		owner, err := s.SignIn(ctx, ownerEmail, password)
		if err != nil {
			t.Fatal(err)
		}
		r := call(t, s, owner, "POST", "/v1/staff/jobs/"+noticeID+"/actions", map[string]any{"action": "retry", "reason": "não recebeu"})
		if r.Status != 409 || !strings.Contains(r.Raw, "action_refused") {
			t.Errorf("retry of a sent job: %d %s", r.Status, r.Raw)
		}
		time.Sleep(300 * time.Millisecond)
		if n := sendsTo(s, jana.WhatsApp.PhoneNumberID); n != before {
			t.Errorf("the Meta stand-in received %d new messages", n-before)
		}
	})

	step("drain the queue", func(t *testing.T) {
		b.route(s.URL, "#/mensagens")
		b.waitFor(`a[href="#/fila"]`, 10*time.Second)
		b.click(`a[href="#/fila"]`)
		b.waitFor("form[data-testid=drain-form]", 10*time.Second)
		b.shot("ops-05-fila")
		b.fill("#drain-days", "30")
		b.fill("#drain-phone", "(11) 90000-0001")
		b.click("form[data-testid=drain-form] [type=submit]")
		b.waitFor("[data-testid=drain-count]", 10*time.Second)
		if got := b.attr("[data-testid=drain-count]", "data-count"); got != "12" {
			t.Fatalf("preview counts %s, want 12: %s", got, b.text("[data-testid=drain-preview]"))
		}
		b.click("#drain-action-skip")
		b.fill("[data-testid=drain-reason]", "mensagens de teste antigas")
		b.shot("ops-06-fila-previa")
		// A double tap: two clicks on the confirm button.
		b.js(`(e=>{e.click();e.click();return 1})(document.querySelector("[data-testid=drain-confirm]"))`)
		b.waitFor("[data-testid=drain-result]", 15*time.Second)
		if m, a := b.attr("[data-testid=drain-result]", "data-marked"), b.attr("[data-testid=drain-result]", "data-already"); m != "12" || a != "0" {
			t.Errorf("drain result marked %s already %s, want 12 and 0: %s", m, a, b.text("[data-testid=drain-result]"))
		}
		for _, id := range drained {
			if j := getJob(t, s, jana.ID, id); j.Status != domain.JobSkipped || len(j.Timeline) < 2 || j.Timeline[0].Event != "created" {
				t.Errorf("%s after the drain: %s, %d events", id, j.Status, len(j.Timeline))
			}
		}
		b.shot("ops-07-fila-resultado")
		b.click("form[data-testid=drain-form] [type=submit]")
		b.waitJS("new preview", `(e=>e && e.dataset.count==="0")(document.querySelector("[data-testid=drain-count]"))`, 10*time.Second)
	})

	step("pause and resume the reminder scan", func(t *testing.T) {
		b.fill("[data-testid=scan-reason]", "limpando a fila antiga")
		b.click("[data-testid=scan-pause]")
		b.waitJS("paused", `document.querySelector("[data-testid=scan-pause]").getAttribute("aria-pressed")==="true"`, 10*time.Second)
		tn, err := db.GetTenant(ctx, jana.ID)
		if err != nil || !tn.ScanPause.Paused || tn.ScanPause.By != ownerEmail {
			t.Errorf("tenant scan pause after the toggle: %+v (%v)", tn.ScanPause, err)
		}
		b.shot("ops-08-lembretes-pausados")
		b.fill("[data-testid=scan-reason]", "fila limpa")
		b.click("[data-testid=scan-pause]")
		b.waitJS("resumed", `document.querySelector("[data-testid=scan-pause]").getAttribute("aria-pressed")==="false"`, 10*time.Second)
	})

	step("change the contact button's label", func(t *testing.T) {
		b.click(`nav a[data-nav=configuracoes]`)
		b.waitFor("form[data-testid=settings-form]", 10*time.Second)
		b.waitFor("[data-testid=settings-audit]", 10*time.Second)
		old := b.js(`document.querySelector("[data-testid=settings-staff-label]").value`)
		b.fill("[data-testid=settings-staff-label]", "Falar com a Jana")
		if old == "Falar com a Jana" {
			b.fill("[data-testid=settings-staff-label]", "Chamar a Jana")
		}
		want := b.js(`document.querySelector("[data-testid=settings-staff-label]").value`)
		b.click("form[data-testid=settings-form] [type=submit]")
		b.waitJS("saved", `(e=>e && e.classList.contains("ok"))(document.querySelector("[data-testid=settings-result]"))`, 10*time.Second)
		b.waitJS("history entry", `[...document.querySelectorAll("[data-testid=settings-audit] li[data-field=staff_label]")].some(e=>e.innerText.includes(`+q(want)+`))`, 10*time.Second)
		if got := b.text("[data-testid=settings-audit] li[data-field=staff_label]"); !strings.Contains(got, ownerEmail) {
			t.Errorf("history entry %q does not say who", got)
		}
		if tn, err := db.GetTenant(ctx, jana.ID); err != nil || tn.StaffLabel != want {
			t.Errorf("stored label %q (%v), want %q", tn.StaffLabel, err, want)
		}
		b.shot("ops-09-configuracoes")
	})

	step("create an API key and revoke it", func(t *testing.T) {
		b.route(s.URL, "#/chaves")
		b.waitFor("form[data-testid=api-key-new]", 10*time.Second)
		b.waitFor("[data-testid=api-keys] .keys, [data-testid=api-keys] p.muted", 10*time.Second)
		b.fill("#key-label", "Agenda online")
		b.click("form[data-testid=api-key-new] [type=submit]")
		b.waitFor("[data-testid=api-key-secret]", 10*time.Second)
		secret := b.js(`document.querySelector("[data-testid=api-key-secret]").value`)
		if len(secret) < 20 {
			t.Fatalf("secret %q", secret)
		}
		if r := call(t, s, secret, "GET", "/v1/appointments/"+appointmentID(t, created), nil); r.Status != 200 {
			t.Errorf("the new key: %d %s", r.Status, r.Raw)
		}
		b.shot("ops-10-chave-criada")
		// Shown once: back on the page, no secret.
		b.route(s.URL, "#/configuracoes")
		b.waitFor("form[data-testid=settings-form]", 10*time.Second)
		b.route(s.URL, "#/chaves")
		b.waitFor("[data-testid=api-key]", 10*time.Second)
		if b.count("[data-testid=api-key-secret]") != 0 || strings.Contains(b.js("document.body.innerText"), secret) {
			t.Error("the key shows again after leaving the page")
		}
		row := `[data-testid=api-key][data-revoked=false]`
		b.waitJS("the new key listed", `[...document.querySelectorAll(`+q(row)+`)].some(e=>e.innerText.includes("Agenda online"))`, 5*time.Second)
		b.js(`[...document.querySelectorAll(` + q(row) + `)].find(e=>e.innerText.includes("Agenda online")).querySelector("[data-testid=api-key-revoke]").click()`)
		b.waitFor("[data-testid=api-key-revoke-confirm]", 5*time.Second)
		b.click("[data-testid=api-key-revoke-confirm]")
		b.waitJS("revoked", `[...document.querySelectorAll("[data-testid=api-key][data-revoked=true]")].some(e=>e.innerText.includes("Agenda online"))`, 10*time.Second)
		if r := call(t, s, secret, "GET", "/v1/appointments/"+appointmentID(t, created), nil); r.Status != 401 {
			t.Errorf("the revoked key: %d %s", r.Status, r.Raw)
		}
		b.shot("ops-11-chaves")
	})

	step("counters", func(t *testing.T) {
		b.route(s.URL, "#/numeros")
		b.waitFor("[data-testid=counters] .stats", 10*time.Second)
		if got := b.text(`[data-testid=counters] [data-key=sent] dd`); got == "" || got == "0" {
			t.Errorf("sent in the last 7 days reads %q, want at least the notice", got)
		}
		b.shot("ops-12-numeros")
	})

	step("erase a client's data from the conversation", func(t *testing.T) {
		// "teste-recusa" is a job of +5511900000009 that the steps above left alone.
		before, err := db.GetJob(ctx, jana.ID, "teste-recusa")
		if err != nil || before.ClientPhone == "" {
			t.Fatalf("job before: %+v, %v", before, err)
		}
		b.route(s.URL, "#/conversa/5511900000009")
		b.waitFor("[data-testid=erase-client]", 10*time.Second)
		b.click("[data-testid=erase-client]")
		b.waitJS("dialog", `(d=>d && d.open)(document.querySelector("dialog[data-testid=erase-dialog]"))`, 5*time.Second)
		b.fill("#erase-reason", "o cliente pediu a exclusão no balcão")
		b.shot("ops-14-excluir-cliente")
		b.click("[data-testid=erase-confirm]")
		b.waitJS("result", `document.querySelector("[data-testid=erase-result]").textContent.includes("excluídos")`, 10*time.Second)
		after, err := db.GetJob(ctx, jana.ID, "teste-recusa")
		if err != nil || after.ClientPhone != "" || after.ClientName == "Cliente Antiga" {
			t.Errorf("job after the erasure: phone %q name %q, %v", after.ClientPhone, after.ClientName, err)
		}
		b.shot("ops-15-cliente-excluido")
	})

	// The only console line allowed: the browser's note of the refused action's 409.
	consoleErrors := func(t *testing.T) {
		t.Helper()
		for _, e := range b.consoleErrors() {
			if !strings.Contains(e, "409") || !strings.Contains(e, "/jobs/teste-recusa/actions") {
				t.Errorf("console error: %s", e)
			}
		}
	}
	step("no console errors", consoleErrors)

	step("staff see no owner actions", func(t *testing.T) {
		if _, err := db.GetJob(ctx, jana.ID, "fila-00"); err != nil {
			t.Fatal(err)
		}
		if err := db.PutJobs(ctx, jana.ID, []*domain.Job{seed("para-equipe", "+5511900000002")}); err != nil {
			t.Fatal(err)
		}
		b.click("[data-testid=sign-out]")
		b.waitFor("form[data-testid=sign-in] input#email", 10*time.Second)
		signIn(staffEmail)
		b.route(s.URL, "#/mensagem/para-equipe")
		b.waitFor("[data-testid=timeline] li", 10*time.Second)
		if n := b.count("[data-testid^=job-action-]"); n != 0 {
			t.Errorf("staff are offered %d actions", n)
		}
		b.route(s.URL, "#/mensagens")
		b.waitFor("[data-testid=messages-chart]", 10*time.Second)
		if b.count(`a[href="#/fila"]`) != 0 || b.js(`document.querySelector("nav a[data-nav=configuracoes]").hidden`) != "true" {
			t.Error("staff see the links to the queue drain or the settings")
		}
		b.route(s.URL, "#/fila")
		b.waitJS("refusal", `document.querySelector("main").innerText.includes("Apenas o responsável")`, 5*time.Second)
		if b.count("[data-testid=drain-form]") != 0 {
			t.Error("staff get the drain form")
		}
		b.shot("ops-13-equipe-sem-acoes")
		// Staff reach the connection's state from their own menu link, read only.
		b.route(s.URL, "#/mensagens")
		b.waitFor("[data-testid=messages-chart]", 10*time.Second)
		b.click(`nav a[data-nav=whatsapp]`)
		b.waitFor("[data-testid=whatsapp-state]", 10*time.Second)
		if b.attr("nav a[data-nav=whatsapp]", "aria-current") != "page" || b.count("[data-testid=whatsapp-connect]") != 0 || b.count("[data-testid=whatsapp-disconnect]") != 0 {
			t.Errorf("staff's WhatsApp screen: current %q, connect %d, disconnect %d", b.attr("nav a[data-nav=whatsapp]", "aria-current"),
				b.count("[data-testid=whatsapp-connect]"), b.count("[data-testid=whatsapp-disconnect]"))
		}
		b.shot("ops-13b-equipe-whatsapp")
		consoleErrors(t)
	})
	t.Logf("owner operations browser test took %v; screenshots in %s", time.Since(started).Round(100*time.Millisecond), b.out)
}
