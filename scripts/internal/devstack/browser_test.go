package devstack_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/scripts/internal/emulators"
	"github.com/lembra-app/lembra/shared/domain"
)

// TestDashboardInTheBrowser drives the staff dashboard in headless Chromium against the
// whole local stack (one stack, one browser): the demo owner signs in; an appointment
// made through the booking API shows its notice's ticks going enviada → entregue → lida
// as the Meta stand-in posts status webhooks, and "confirmou" once the client taps
// Confirmar; its "Enviar pelo WhatsApp" link carries the client's number and the
// prefilled text; the cancel dialog cancels without a notice (checkbox off: no notice
// job), with one when the window is open (sent) and shows why none is sent when it is
// closed; another studio's owner sees none of it; the console has no error. Screenshots
// of each main screen at 360 px and 1280 px go to the run's output folder.
func TestDashboardInTheBrowser(t *testing.T) {
	started := time.Now()
	requireDashboard(t)
	// ID tokens of the Auth emulator are for its project: the stack runs on it.
	s := devstack.ForTest(t, devstack.Options{Project: emulators.AuthProject})
	ctx := context.Background()
	jana, err := s.SeedDemo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SeedDemoOwner(ctx); err != nil {
		t.Fatal(err)
	}
	b := startBrowser(t)
	// step runs a subtest with the browser reporting to it.
	step := func(name string, f func(t *testing.T)) bool {
		return t.Run(name, func(st *testing.T) {
			b.t = st
			defer func() { b.t = t }()
			f(st)
		})
	}

	// The appointments of the test, on a day of their own three days ahead, made through
	// the booking API with the demo key, as a booking system would.
	loc := jana.Location()
	now := time.Now().In(loc)
	day := time.Date(now.Year(), now.Month(), now.Day()+3, 0, 0, 0, 0, loc)
	date := day.Format("2006-01-02")
	suffix := fmt.Sprint(time.Now().UnixNano())
	type apt struct {
		id, name, phone, service string
		at                       time.Time
	}
	book := func(name, phone, service string, hour int) apt {
		t.Helper()
		at := day.Add(time.Duration(hour) * time.Hour)
		r := call(t, s, devstack.DemoAPIKey, "POST", "/v1/appointments", map[string]any{
			"external_id": "browser-" + phone + "-" + suffix, "client_name": name, "client_phone": phone,
			"service": service, "starts_at": at.Format(time.RFC3339),
		})
		if r.Status != 201 {
			t.Fatalf("book %s: %d %s", name, r.Status, r.Raw)
		}
		return apt{id: appointmentID(t, r), name: name, phone: phone, service: service, at: at}
	}
	noticeOf := func(a apt) *domain.Job {
		t.Helper()
		return waitJob(t, s, jana.ID, domain.JobID(a.id, domain.JobCreated, 0), 15*time.Second, func(j *domain.Job) bool { return j.ProviderMessageID != "" })
	}
	row := func(a apt) string { return `[data-testid=appointment][data-id="` + a.id + `"]` }
	openDay := func() {
		t.Helper()
		b.route(s.URL, "#/agenda/"+date)
		b.waitFor(`[data-testid=agenda][data-date="`+date+`"]`, 10*time.Second)
	}

	step("sign in", func(t *testing.T) {
		b.route(s.URL, "#/entrar")
		b.waitFor("form[data-testid=sign-in] input#email", 10*time.Second)
		b.shot("01-entrar")
		b.fill("input#email", devstack.DemoOwnerEmail)
		b.fill("input#password", devstack.DemoOwnerPassword)
		b.click(`form[data-testid=sign-in] [type=submit]`)
		b.waitFor("[data-testid=agenda]", 10*time.Second)
		b.waitJS("tenant name shown", `document.querySelector("[data-testid=tenant-name]").innerText.includes("Studio Jana Beleza")`, 5*time.Second)
		if got := b.attr("[data-testid=agenda]", "data-date"); got != now.Format("2006-01-02") {
			t.Errorf("the Agenda opens on %q, want today in the studio's zone (%s)", got, now.Format("2006-01-02"))
		}
		// The demo's appointment of tomorrow is one "next day" away.
		b.click("[data-testid=day-next]")
		b.waitJS("tomorrow's demo appointment", `[...document.querySelectorAll("[data-testid=appointment]")].some(e=>e.innerText.includes("Maria Souza"))`, 10*time.Second)
		b.shot("02-agenda")
	})
	if t.Failed() {
		return
	}

	maria := book("Maria Oliveira", "+5511987650101", "Design de sobrancelhas", 14)
	ana := book("Ana Paula Costa", "+5511987650102", "Extensão de cílios", 15)
	bia := book("Beatriz Ramos", "+5511987650103", "Limpeza de pele", 16)
	carla := book("Carla Dias", "+5511987650104", "Manicure", 17)

	step("ticks go enviada, entregue, lida", func(t *testing.T) {
		notice := noticeOf(maria)
		openDay()
		b.waitFor(row(maria), 10*time.Second)
		sel := row(maria) + " [data-testid=notice-state]"
		for _, step := range []struct{ status, word string }{{"sent", "enviada"}, {"delivered", "entregue"}, {"read", "lida"}} {
			if _, err := s.Meta.PostStatus(ctx, notice.ProviderMessageID, step.status, 0, "", ""); err != nil {
				t.Fatal(err)
			}
			// The store first (the events function applied the webhook), then the screen.
			waitJob(t, s, jana.ID, notice.ID, 5*time.Second, func(j *domain.Job) bool { return string(j.Status) == step.status })
			b.waitJS("notice "+step.status, `document.querySelector(`+q(sel)+`).dataset.state === `+q(step.status), 8*time.Second)
			label := strings.ToLower(b.text(sel) + " " + b.attr(sel, "aria-label") + " " + b.attr(sel, "title"))
			if !strings.Contains(label, step.word) {
				t.Errorf("notice %s shows %q, want %q", step.status, label, step.word)
			}
			// The ticks as WhatsApp draws them: ✓ sent, ✓✓ delivered, ✓✓ in blue read.
			var mark struct {
				Text    string
				R, G, B int
			}
			if err := b.eval(`(root => {
				const e = [...root.querySelectorAll("*")].find(e => /^✓+$/.test(e.textContent.trim()));
				if (!e) return {Text: ""};
				const [r, g, b] = getComputedStyle(e).color.match(/\d+/g).map(Number);
				return {Text: e.textContent.trim(), R: r, G: g, B: b};
			})(document.querySelector(`+q(sel)+`))`, &mark); err != nil {
				t.Fatal(err)
			}
			wantMark, blue := map[string]string{"sent": "✓", "delivered": "✓✓", "read": "✓✓"}[step.status], mark.B > mark.R+60 && mark.B > mark.G
			if mark.Text != wantMark || blue != (step.status == "read") {
				t.Errorf("notice %s: ticks %q in rgb(%d,%d,%d), want %q, blue only when read", step.status, mark.Text, mark.R, mark.G, mark.B, wantMark)
			}
			if step.status == "delivered" {
				b.shot("03-agenda-entregue")
			}
		}
		if got := b.attr(row(maria)+" [data-testid=reminder-state]", "data-state"); got != "scheduled" {
			t.Errorf("reminder state %q, want scheduled", got)
		}
	})

	step("Confirmar shows confirmou", func(t *testing.T) {
		notice := noticeOf(maria)
		if _, _, err := s.Meta.TapButton(ctx, notice.ProviderMessageID, "Confirmar", "Confirmar"); err != nil {
			t.Fatal(err)
		}
		sel := row(maria) + " [data-testid=client-answer]"
		b.waitJS("client answer", `(e=>e && e.dataset.answer === "confirmed")(document.querySelector(`+q(sel)+`))`, 8*time.Second)
		if got := b.text(sel); !strings.Contains(got, "confirmou") {
			t.Errorf("client answer reads %q, want confirmou", got)
		}
		b.shot("04-agenda-confirmou")
	})

	step("manual WhatsApp link", func(t *testing.T) {
		link := row(maria) + " a[data-testid=whatsapp-link]"
		b.waitFor(link, 5*time.Second)
		href, err := url.Parse(b.attr(link, "href"))
		if err != nil {
			t.Fatal(err)
		}
		want := "Olá, Maria! Aqui é do Studio Jana Beleza, sobre o seu horário de Design de sobrancelhas em " +
			maria.at.Format("02/01/2006") + " às 14:00."
		if href.Scheme != "https" || href.Host != "wa.me" || href.Path != "/5511987650101" || href.Query().Get("text") != want {
			t.Errorf("link %s (text %q), want https://wa.me/5511987650101 with text %q", href, href.Query().Get("text"), want)
		}
		if got := b.attr(link, "target"); got != "_blank" {
			t.Errorf("link target %q, want _blank", got)
		}
		if got := b.text(link); !strings.Contains(got, "Enviar pelo WhatsApp") {
			t.Errorf("link reads %q", got)
		}
	})

	// cancel opens a row's cancel dialog, checks what it says before confirming, sets the
	// checkbox and confirms; it returns the result's outcome and text.
	cancel := func(t *testing.T, a apt, notify bool, shot string) (open, windowLabel, outcome, result string) {
		t.Helper()
		openDay()
		b.click(row(a) + " button[data-testid=cancel-button]")
		b.waitJS("cancel dialog", `(d=>d && d.open)(document.querySelector("dialog[data-testid=cancel-dialog]"))`, 5*time.Second)
		b.waitFor("dialog[data-testid=cancel-dialog] [data-testid=window-state][data-open]", 5*time.Second)
		if b.js(`document.querySelector("#notify-client").checked`) != "false" {
			t.Error("the checkbox is checked when the dialog opens")
		}
		if got := b.js(`(e=>e.labels && e.labels[0] ? e.labels[0].innerText : "")(document.querySelector("#notify-client"))`); strings.TrimSpace(got) != "Avisar cliente por WhatsApp (se a janela de conversa estiver aberta)" {
			t.Errorf("checkbox label %q", got)
		}
		if notify {
			b.click("#notify-client")
		}
		open = b.attr("[data-testid=window-state]", "data-open")
		windowLabel = b.text("[data-testid=window-state]")
		if shot != "" {
			b.shot(shot)
		}
		b.click("button[data-testid=confirm-cancel]")
		b.waitJS("cancel result", `(e=>e && ["none","sent","not_sent","failed"].includes(e.dataset.outcome))(document.querySelector("[data-testid=cancel-result]"))`, 10*time.Second)
		outcome, result = b.attr("[data-testid=cancel-result]", "data-outcome"), b.text("[data-testid=cancel-result]")
		// The row behind the result is redrawn at once, not at the next poll (5 s).
		b.waitJS("row canceled behind the result", `(r=>r && r.dataset.status === "canceled" && !r.querySelector("[data-testid=cancel-button]"))(document.querySelector(`+q(row(a))+`))`, 1500*time.Millisecond)
		if shot != "" {
			b.shot(shot + "-resultado")
		}
		// The staff member closes the dialog with its "Fechar" button.
		b.js(`[...document.querySelectorAll("dialog[data-testid=cancel-dialog] button")].find(e => e.innerText.trim() === "Fechar").click()`)
		b.waitJS("dialog closed", `!document.querySelector("dialog[data-testid=cancel-dialog][open]")`, 5*time.Second)
		return open, windowLabel, outcome, result
	}

	step("cancel without notice", func(t *testing.T) {
		noticeOf(ana)
		_, _, outcome, result := cancel(t, ana, false, "")
		if outcome != "none" || !strings.Contains(result, "Cliente não avisado") {
			t.Errorf("result %s %q, want none and Cliente não avisado", outcome, result)
		}
		if _, err := mustStore(t, s).GetJob(ctx, jana.ID, domain.JobID(ana.id, domain.JobCanceled, 0)); err == nil {
			t.Error("a cancel notice job exists although the checkbox was off")
		}
		r := call(t, s, devstack.DemoAPIKey, "GET", "/v1/appointments/"+ana.id, nil)
		if got := r.Body["appointment"].(map[string]any)["status"]; got != "canceled" {
			t.Errorf("appointment status %v after the dialog", got)
		}
	})

	step("cancel with the window open", func(t *testing.T) {
		notice := noticeOf(bia)
		// Beatriz answers the notice (a reply quoting it): her window is open.
		if _, _, err := s.Meta.SendText(ctx, devstack.DemoPhoneNumberID, bia.phone, "Oi! Vou precisar desmarcar, tudo bem?", notice.ProviderMessageID); err != nil {
			t.Fatal(err)
		}
		waitAptInbound(t, s, jana.ID, bia.id)
		open, label, outcome, result := cancel(t, bia, true, "05-cancelar-janela-aberta")
		if open != "true" || !strings.HasPrefix(label, "Janela aberta até ") {
			t.Errorf("window %s %q, want open with its end", open, label)
		}
		if outcome != "sent" || !strings.Contains(result, "Aviso enviado") {
			t.Errorf("result %s %q, want sent", outcome, result)
		}
		var sent bool
		for _, m := range textSends(s.Meta) {
			sent = sent || (strings.TrimPrefix(m.To, "+") == "5511987650103" && strings.Contains(m.Text, "cancelado"))
		}
		if !sent {
			t.Error("the stand-in received no cancellation notice for Beatriz")
		}
	})

	step("cancel with the window closed", func(t *testing.T) {
		noticeOf(carla)
		open, label, outcome, result := cancel(t, carla, true, "06-cancelar-janela-fechada")
		// The window as Meta counts it (the client's conversation ledger): Carla never
		// wrote to the studio at all.
		const why = "o cliente não escreveu ao estúdio nas últimas 24 horas"
		if open != "false" || !strings.Contains(label, why) {
			t.Errorf("window %s %q, want closed: %s", open, label, why)
		}
		if outcome != "not_sent" || !strings.Contains(result, "Aviso não enviado") {
			t.Errorf("result %s %q, want not_sent with the reason", outcome, result)
		}
		job, err := mustStore(t, s).GetJob(ctx, jana.ID, domain.JobID(carla.id, domain.JobCanceled, 0))
		if err != nil {
			t.Fatalf("no cancel notice job: %v", err)
		}
		// The result gives the notice's reason (after its own "Aviso não enviado:").
		reason := strings.TrimPrefix(string(job.Reason), "Aviso de cancelamento não enviado: ")
		if job.Reason == "" || !strings.Contains(result, reason) {
			t.Errorf("result %q does not give the notice's reason %q", result, job.Reason)
		}
	})

	step("other screens", func(t *testing.T) {
		b.route(s.URL, "#/agendamento/"+maria.id)
		b.waitJS("details", `document.body.innerText.includes("Maria Oliveira")`, 10*time.Second)
		b.shot("07-agendamento")
		// The list of sends says the Agenda's word for the reminder, with one state.
		if ag, sends := b.text("[data-testid=reminder-state] .ms-label"), b.text(`[data-job-id*="-appointment_reminder-"] [data-testid=job-state] .ms-label`); ag == "" || ag != sends {
			t.Errorf("reminder reads %q in the Agenda's ticks and %q in the sends", ag, sends)
		}
		b.route(s.URL, "#/novo")
		b.waitFor("form[data-testid=appointment-form]", 10*time.Second)
		b.shot("08-novo")
		b.route(s.URL, "#/mensagens")
		b.waitFor("[data-testid=messages-chart]", 10*time.Second)
		b.waitFor("[data-testid=message-card]", 10*time.Second)
		b.waitFor("[data-testid=chart-day]", 10*time.Second)
		// On a phone the chart's days are readable: at least 11 px, none overlapping, today "hoje".
		b.do("viewport", chromedp.EmulateViewport(360, 780, chromedp.EmulateScale(1), chromedp.EmulateMobile))
		time.Sleep(150 * time.Millisecond)
		if got := b.js(`(()=>{const ls=[...document.querySelectorAll("[data-testid=chart-day]")].filter(e=>getComputedStyle(e).visibility!=="hidden");
			const rs=ls.map(e=>{const r=document.createRange(); r.selectNodeContents(e); return r.getBoundingClientRect()});
			if(ls.some(e=>parseFloat(getComputedStyle(e).fontSize)<11)) return "smaller than 11 px";
			if(rs.some((r,i)=>i>0 && r.left<rs[i-1].right)) return "overlapping: "+ls.map(e=>e.innerText).join(" ");
			const t=document.querySelector("[data-testid=chart-day][data-today]"); return t && t.innerText==="hoje" && ls.includes(t) ? "ok" : "no hoje"})()`); got != "ok" {
			t.Errorf("chart days at 360 px: %s", got)
		}
		b.do("viewport", chromedp.EmulateViewport(1280, 900, chromedp.EmulateScale(1)))
		b.shot("09-mensagens")
		b.route(s.URL, "#/mensagem/"+domain.JobID(maria.id, domain.JobCreated, 0))
		b.waitFor("[data-testid=timeline] li", 10*time.Second)
		b.shot("10-mensagem")
		if got := b.js(`document.querySelector("main").innerText`); strings.Contains(got, "Ver linha do tempo") || !strings.Contains(got, "1ª tentativa · ") || strings.Contains(got, "Z ·") || strings.Contains(got, "· sent") {
			t.Errorf("job view: want its attempts in local time and Portuguese and no link to itself, got\n%s", got)
		}
		b.route(s.URL, "#/conversa/5511987650103")
		b.waitFor("[data-testid=conversation] [data-testid=conv-message]", 10*time.Second)
		b.shot("11-conversa")
		if name, phone := b.text("[data-testid=conversation] h1"), b.text("[data-testid=conversation] .conv-phone"); name != "Beatriz Ramos" || phone != "+55 11 98765-0103" {
			t.Errorf("conversation heading %q, number %q, want Beatriz Ramos and +55 11 98765-0103", name, phone)
		}
		b.route(s.URL, "#/equipe")
		b.waitFor("[data-testid=members]", 10*time.Second)
		b.shot("12-equipe")
	})

	step("no console errors", func(t *testing.T) {
		if errs := b.consoleErrors(); len(errs) > 0 {
			t.Errorf("console errors:\n%s", strings.Join(errs, "\n"))
		}
	})
	seen := len(b.consoleErrors())

	step("another studio sees none of it", func(t *testing.T) {
		flor := devstack.DemoTenant()
		flor.ID, flor.Name, flor.APIKey = "studio-flor", "Studio Flor", ""
		flor.WhatsApp.WABAID, flor.WhatsApp.PhoneNumberID = "102290129340777", "106540352242777"
		if _, _, err := s.AddTenant(ctx, flor); err != nil {
			t.Fatal(err)
		}
		email := "dona-" + suffix + "@studio-flor.example"
		if _, err := s.AddStaff(ctx, flor.ID, domain.RoleOwner, email, "senha-da-flor-123"); err != nil {
			t.Fatal(err)
		}
		b.click("[data-testid=sign-out]")
		b.waitFor("form[data-testid=sign-in] input#email", 10*time.Second)
		b.fill("input#email", email)
		b.fill("input#password", "senha-da-flor-123")
		b.click(`form[data-testid=sign-in] [type=submit]`)
		b.waitJS("Studio Flor signed in", `(e=>e && e.innerText.includes("Studio Flor"))(document.querySelector("[data-testid=tenant-name]"))`, 10*time.Second)
		openDay()
		time.Sleep(time.Second) // the day's list has answered
		if n := b.count("[data-testid=appointment]"); n != 0 {
			t.Errorf("Studio Flor's Agenda of %s shows %d appointments", date, n)
		}
		b.route(s.URL, "#/mensagens")
		b.waitFor("[data-testid=messages-chart]", 10*time.Second)
		time.Sleep(time.Second)
		if n := b.count("[data-testid=message-card]"); n != 0 {
			t.Errorf("Studio Flor's Mensagens shows %d cards", n)
		}
		// Jana's ids typed into the address bar: nothing of hers shows.
		for _, hash := range []string{
			"#/mensagem/" + domain.JobID(maria.id, domain.JobCreated, 0),
			"#/conversa/5511987650103",
			"#/agendamento/" + maria.id,
		} {
			b.route(s.URL, hash)
			time.Sleep(1200 * time.Millisecond)
			body := b.js("document.body.innerText")
			for _, leak := range []string{"Maria Oliveira", "Beatriz", "5511987650101", "Design de sobrancelhas", "Limpeza de pele", "Vou precisar desmarcar"} {
				if strings.Contains(body, leak) {
					t.Errorf("Studio Flor's %s shows %q:\n%s", hash, leak, body)
				}
			}
		}
		b.shot("13-outro-estudio")
		// The only console errors allowed here: the 404 of Jana's appointment id.
		errs := b.consoleErrors()[seen:]
		for _, e := range errs {
			if !strings.Contains(e, "404") {
				t.Errorf("console error: %s", e)
			}
		}
	})
	t.Logf("browser test took %v; screenshots in %s", time.Since(started).Round(100*time.Millisecond), b.out)
}

// waitAptInbound waits until the appointment has recorded a client message.
func waitAptInbound(t *testing.T, s *devstack.Stack, tenantID, aptID string) {
	t.Helper()
	st := mustStore(t, s)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if a, err := st.GetAppointment(context.Background(), tenantID, aptID); err == nil && !a.LastInboundAt.IsZero() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("appointment %s recorded no client message", aptID)
}
