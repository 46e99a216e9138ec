package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/lembra-app/lembra/scripts/internal/browser"
	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/scripts/internal/emulators"
	"github.com/lembra-app/lembra/scripts/internal/standin/metastandin"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/store"
)

// Emulators are the running emulators' hosts (host:port).
type Emulators struct{ Firestore, PubSub, Auth string }

// Options configures a run.
type Options struct {
	Out       string // the folder written (created when missing; its old PNGs removed)
	Emulators Emulators
	Log       *slog.Logger
	// Studio changes the demo studio the evidence is taken of (the tests give it ids of
	// its own, as tests share one emulator project); nil: the demo as it is.
	Studio func(*devstack.Tenant)
	// Owner is the studio owner's sign-in (default: the demo owner's).
	OwnerEmail, OwnerPassword string
	// Second changes the studio without a number that connects one through Embedded
	// Signup, and the business its owner picks (default: the demo's second studio and
	// its first business, devstack.DemoSecondTenant and DemoBusinesses).
	Second func(*domain.Tenant, *metastandin.Business)
	// SecondEmail, SecondPassword: her sign-in (default: the demo's).
	SecondEmail, SecondPassword string
	// PubSubSuffix isolates the stack's Pub/Sub names from other stacks on the emulator.
	PubSubSuffix string
}

// Screen is one screen the evidence shows: the dashboard's route, the DOM hook waited
// for, and what its text held when the screenshots were taken.
type Screen struct {
	Name       string // file names' stem: <name>-<width>.png
	Permission string
	Caption    string // English; what the screenshot shows
	Legenda    string // Portuguese
	Route      string
	Hook       string // the CSS selector that must be on the screen
	Part       bool   // one screenful from the hook down, not the whole page
	Text       string // the hook's visible text (clipped)
	Files      []string
}

// Result is what a run produced.
type Result struct {
	Screens []Screen
	Took    time.Duration
}

// Files is the number of screenshots written.
func (r *Result) Files() int {
	n := 0
	for _, s := range r.Screens {
		n += len(s.Files)
	}
	return n
}

// failure is how the command's browser reports a screen that is not what it should be:
// Run recovers it and returns it as its error.
type failure struct{ err error }

type reporter struct{}

func (reporter) Helper() {}
func (reporter) Fatalf(format string, args ...any) {
	panic(failure{fmt.Errorf(format, args...)})
}

// must stops the run on an error (recovered by Run).
func must(err error, what string) {
	if err != nil {
		panic(failure{fmt.Errorf("%s: %w", what, err)})
	}
}

// evidence is one run: the stack, the browser, and the screens so far.
type evidence struct {
	ctx     context.Context
	s       *devstack.Stack
	db      *store.Store
	b       *browser.Browser
	studio  *domain.Tenant
	apiKey  string
	email   string
	pass    string
	screens []Screen
}

// Run starts the stack, takes the evidence and writes o.Out.
func Run(ctx context.Context, o Options) (res *Result, err error) {
	started := time.Now()
	defer func() {
		if r := recover(); r != nil {
			f, ok := r.(failure)
			if !ok {
				panic(r)
			}
			res, err = nil, f.err
		}
	}()
	if o.OwnerEmail == "" {
		o.OwnerEmail, o.OwnerPassword = devstack.DemoOwnerEmail, devstack.DemoOwnerPassword
	}
	if o.SecondEmail == "" {
		o.SecondEmail, o.SecondPassword = devstack.DemoSecondOwnerEmail, devstack.DemoSecondOwnerPassword
	}
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if _, err := os.Stat(filepath.Join(repoRoot(), "dashboard", "dist", "index.html")); err != nil {
		return nil, fmt.Errorf("the dashboard is not built (%v): run scripts/install-deps.sh", err)
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return nil, err
	}
	old, _ := filepath.Glob(filepath.Join(o.Out, "*.png"))
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return nil, err
		}
	}
	sctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	// ID tokens of the Auth emulator are for its project: the stack runs on it.
	s, err := devstack.Start(sctx, devstack.Options{
		FirestoreHost: o.Emulators.Firestore, PubSubHost: o.Emulators.PubSub, AuthHost: o.Emulators.Auth,
		Project: emulators.AuthProject, Log: o.Log, PubSubSuffix: o.PubSubSuffix,
	})
	if err != nil {
		return nil, fmt.Errorf("start the local stack: %w", err)
	}
	defer s.Close()
	e := &evidence{ctx: ctx, s: s, email: o.OwnerEmail, pass: o.OwnerPassword}
	e.db, err = s.Env.Store(ctx)
	if err != nil {
		return nil, err
	}
	spec := devstack.DemoTenant()
	if o.Studio != nil {
		o.Studio(&spec)
	}
	if e.studio, e.apiKey, err = s.AddTenant(ctx, spec); err != nil {
		return nil, fmt.Errorf("add the demo studio: %w", err)
	}
	if _, err := s.AddStaff(ctx, e.studio.ID, domain.RoleOwner, e.email, e.pass); err != nil {
		return nil, fmt.Errorf("add the demo owner: %w", err)
	}
	profile, err := os.MkdirTemp("", "lembra-appreview-profile-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(profile)
	if e.b, err = browser.Start(func() browser.T { return reporter{} }, profile, o.Out); err != nil {
		return nil, err
	}
	defer e.b.Close()

	second := devstack.DemoSecondTenant()
	biz := devstack.DemoBusinesses()[0]
	if o.Second != nil {
		o.Second(&second, &biz)
	}
	if _, _, err := s.AddTenant(ctx, devstack.Tenant{Tenant: second}); err != nil {
		return nil, fmt.Errorf("add the studio without a number: %w", err)
	}
	if _, err := s.AddStaff(ctx, second.ID, domain.RoleOwner, o.SecondEmail, o.SecondPassword); err != nil {
		return nil, fmt.Errorf("add her owner: %w", err)
	}
	s.Meta.AddBusiness(biz)
	for _, ref := range second.Templates {
		s.Meta.AddTemplate(biz.PhoneNumberID, metastandin.Template{Name: ref.Name, Language: ref.Language, BodyParams: 5, Status: "APPROVED"})
	}

	e.signIn(e.email, e.pass, e.studio.Name)
	e.messaging()
	e.management()
	e.b.Click("[data-testid=sign-out]")
	e.signIn(o.SecondEmail, o.SecondPassword, second.Name)
	e.onboarding(biz)
	if errs := e.b.ConsoleErrors(); len(errs) > 0 {
		return nil, fmt.Errorf("the dashboard's console has errors:\n%s", strings.Join(errs, "\n"))
	}
	res = &Result{Screens: e.screens, Took: time.Since(started)}
	creds := []credential{
		{"Studio owner with the WhatsApp number connected (" + e.studio.Name + ")", e.email, e.pass},
		{"Studio owner without a number yet, who connects one (" + second.Name + ")", o.SecondEmail, o.SecondPassword},
	}
	if err := os.WriteFile(filepath.Join(o.Out, "README.md"), []byte(readme(res, creds)), 0o644); err != nil {
		return nil, err
	}
	return res, nil
}

// repoRoot is this checkout's root, found from this file's place in it.
func repoRoot() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "."
	}
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// shot waits for the screen's hook, checks its text holds every one of want (and is
// not empty), and takes its screenshots at 360 and 1280 px.
func (e *evidence) shot(sc Screen, want ...string) {
	e.b.WaitFor(sc.Hook, 15*time.Second)
	var text string
	deadline := time.Now().Add(10 * time.Second)
	for {
		text = strings.TrimSpace(e.b.Text(sc.Hook))
		missing := ""
		for _, w := range want {
			if !strings.Contains(text, w) {
				missing = w
				break
			}
		}
		if text != "" && missing == "" {
			break
		}
		if time.Now().After(deadline) {
			panic(failure{fmt.Errorf("screen %s (%s): %s shows %q, want it to hold %q\n%s", sc.Name, sc.Route, sc.Hook, text, missing, e.b.Describe())})
		}
		time.Sleep(200 * time.Millisecond)
	}
	if len(text) > 400 {
		text = text[:400] + "…"
	}
	sc.Text = text
	shoot := e.b.Shot
	if sc.Part {
		shoot = func(name string, _ ...int64) []string { return e.b.ShotOf(name, sc.Hook) }
	}
	for _, f := range shoot(sc.Name) {
		sc.Files = append(sc.Files, filepath.Base(f))
	}
	e.screens = append(e.screens, sc)
}

func (e *evidence) signIn(email, password, studio string) {
	e.b.Route(e.s.URL, "#/entrar")
	e.b.WaitFor("form[data-testid=sign-in] input#email", 15*time.Second)
	e.b.Fill("input#email", email)
	e.b.Fill("input#password", password)
	e.b.Click(`form[data-testid=sign-in] [type=submit]`)
	// Signed in: the screen asked before (the Agenda on a first sign-in).
	e.b.WaitJS("signed in", `!document.querySelector("[data-testid=top], header.top").hidden && !document.querySelector("form[data-testid=sign-in]")`, 15*time.Second)
	e.b.WaitJS("the studio's name", `(e=>e && e.innerText.includes(`+browser.Q(studio)+`))(document.querySelector("[data-testid=tenant-name]"))`, 10*time.Second)
}

// api calls the local api with a bearer token and decodes the answer.
func (e *evidence) api(token, method, path string, body, out any) int {
	var rdr io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		must(err, "encode")
		rdr = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(e.ctx, method, e.s.URL+"/api"+path, rdr)
	must(err, method+" "+path)
	req.Header.Set("Authorization", "Bearer "+token)
	if rdr != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	must(err, method+" "+path)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil {
		must(json.Unmarshal(raw, out), fmt.Sprintf("%s %s: answer %d %s", method, path, resp.StatusCode, raw))
	}
	return resp.StatusCode
}

// waitJob polls a job until cond holds.
func (e *evidence) waitJob(id string, cond func(*domain.Job) bool, what string) *domain.Job {
	deadline := time.Now().Add(20 * time.Second)
	for {
		j, err := e.db.GetJob(e.ctx, e.studio.ID, id)
		if err == nil && cond(j) {
			return j
		}
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			must(err, "read job "+id)
		}
		if time.Now().After(deadline) {
			panic(failure{fmt.Errorf("job %s: %s not within 20 s (last %+v)", id, what, j)})
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// The client of the evidence's booking.
const (
	clientName  = "Carolina Mendes"
	clientPhone = "+5511987650201"
	service     = "Design de sobrancelhas"
)

// messaging: a booking made through the booking API sends its notice (a template
// message from the studio's number); Meta's status webhooks bring its ticks (sent,
// delivered, read), shown in the Agenda and on the message's timeline.
func (e *evidence) messaging() {
	loc := e.studio.Location()
	now := time.Now().In(loc)
	day := time.Date(now.Year(), now.Month(), now.Day()+3, 0, 0, 0, 0, loc)
	var created struct {
		Appointment struct {
			ID string `json:"id"`
		} `json:"appointment"`
	}
	status := e.api(e.apiKey, "POST", "/v1/appointments", map[string]any{
		"external_id": fmt.Sprintf("app-review-%d", time.Now().UnixNano()), "client_name": clientName, "client_phone": clientPhone,
		"service": service, "starts_at": day.Add(14 * time.Hour).Format(time.RFC3339),
	}, &created)
	if status != http.StatusCreated || created.Appointment.ID == "" {
		panic(failure{fmt.Errorf("book the evidence's appointment: %d", status)})
	}
	aptID := created.Appointment.ID
	noticeID := domain.JobID(aptID, domain.JobCreated, 0)
	notice := e.waitJob(noticeID, func(j *domain.Job) bool { return j.ProviderMessageID != "" }, "the notice sent to Meta")
	for _, st := range []string{"sent", "delivered", "read"} {
		_, err := e.s.Meta.PostStatus(e.ctx, notice.ProviderMessageID, st, 0, "", "")
		must(err, "status webhook "+st)
		e.waitJob(noticeID, func(j *domain.Job) bool { return string(j.Status) == st }, "status "+st)
	}
	date := day.Format("2006-01-02")
	row := `[data-testid=appointment][data-id="` + aptID + `"]`
	e.b.Route(e.s.URL, "#/agenda/"+date)
	e.b.WaitJS("the notice read in the Agenda", `(e=>e && e.dataset.state==="read")(document.querySelector(`+browser.Q(row+" [data-testid=notice-state]")+`))`, 15*time.Second)
	e.shot(Screen{Name: "messaging-01-agenda", Permission: permMessaging, Route: "#/agenda/" + date, Hook: row,
		Caption: "The Agenda: the booking's notice went out on WhatsApp from the studio's number; its ticks (✓✓ in blue) say Meta's status webhook reported it read.",
		Legenda: "A Agenda: o aviso do agendamento saiu pelo WhatsApp do número do estúdio; os tiques (✓✓ azuis) dizem que o webhook de status da Meta informou a leitura."},
		clientName, service, "lida")
	e.b.Route(e.s.URL, "#/mensagem/"+noticeID)
	e.shot(Screen{Name: "messaging-02-mensagem", Permission: permMessaging, Route: "#/mensagem/" + noticeID, Hook: "[data-testid=timeline]",
		Caption: "The message's timeline: created, sent to the Cloud API (its message id), then sent, delivered and read as Meta's webhooks arrived.",
		Legenda: "A linha do tempo da mensagem: criada, enviada à Cloud API (com o id da mensagem), depois enviada, entregue e lida conforme chegaram os webhooks da Meta."},
		"Enviada", "Entregue", "Lida")
}

// management: the message templates the studio uses, with the status Meta gives each
// (read from the WABA's message_templates), in Settings.
func (e *evidence) management() {
	// Meta reviews each template and says so in a message_template_status_update webhook
	// (https://developers.facebook.com/docs/graph-api/webhooks/reference/whatsapp-business-account/#message_template_status_update).
	for i, jt := range []domain.JobType{domain.JobCreated, domain.JobReminder} {
		ref := e.studio.Templates[string(jt)]
		value := fmt.Sprintf(`{"event":"APPROVED","message_template_id":%d,"message_template_name":%q,"message_template_language":%q,"reason":"NONE","message_template_category":"UTILITY"}`,
			1689556908129830+i, ref.Name, ref.Language)
		body := fmt.Sprintf(`{"object":"whatsapp_business_account","entry":[{"id":%q,"time":%d,"changes":[{"value":%s,"field":"message_template_status_update"}]}]}`,
			e.studio.WhatsApp.WABAID, time.Now().Unix(), value)
		status, err := e.s.Meta.Post(e.ctx, []byte(body))
		must(err, "template status webhook")
		if status != http.StatusOK {
			panic(failure{fmt.Errorf("template status webhook: %d", status)})
		}
		key := domain.TemplateKey(ref.Name, ref.Language)
		deadline := time.Now().Add(15 * time.Second)
		for {
			t, err := e.db.GetTenant(e.ctx, e.studio.ID)
			must(err, "read the studio")
			if t.TemplateStatuses[key].Status == "APPROVED" {
				break
			}
			if time.Now().After(deadline) {
				panic(failure{fmt.Errorf("template %s: Meta's approval not recorded within 15 s", key)})
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	e.b.Route(e.s.URL, "#/configuracoes")
	e.b.WaitFor("form[data-testid=settings-form] .tpl-status", 15*time.Second)
	e.shot(Screen{Name: "management-01-modelos", Permission: permManagement, Route: "#/configuracoes", Hook: "form[data-testid=settings-form]",
		Caption: "Settings: the notice's and the reminder's message templates with the status Meta reports for each (approved), read from the WhatsApp Business Account.",
		Legenda: "Configurações: os modelos de mensagem do aviso e do lembrete com o status que a Meta informa para cada um (aprovado), lidos da conta do WhatsApp Business."},
		"Modelos de mensagem (Meta)", "Aprovado pela Meta")
}

// onboarding: the owner of a studio without a number connects hers through Embedded
// Signup (the Meta stand-in's popup): the connection's steps run on the server (code
// exchange, the business token stored, the shared WABA and number found with
// debug_token, webhooks subscribed, the number registered, templates read) and the
// screen says Conectado; then the connection's details (number, kind, webhooks, token
// check) on #/whatsapp.
func (e *evidence) onboarding(biz metastandin.Business) {
	e.b.Route(e.s.URL, "#/whatsapp")
	e.b.WaitFor("[data-testid=whatsapp-connect]", 15*time.Second)
	e.shot(Screen{Name: "business-01-conectar", Permission: permBusiness, Route: "#/whatsapp", Hook: "[data-testid=whatsapp-state][data-state=not_connected]",
		Caption: "Settings › WhatsApp of a studio with no number yet: the owner starts Embedded Signup with \"Conectar WhatsApp\".",
		Legenda: "Ajustes › WhatsApp de um estúdio ainda sem número: a responsável inicia o Cadastro Incorporado com \"Conectar WhatsApp\"."},
		"Não conectado")
	popup := e.b.Popup("the Embedded Signup popup", func() { e.b.Click("[data-testid=whatsapp-connect]") })
	pick := `button[data-business="` + biz.WABAID + `"]`
	popup.WaitFor(pick, 15*time.Second)
	saved := e.b
	e.b = popup
	e.shot(Screen{Name: "business-02-cadastro-incorporado", Permission: permBusiness, Route: "Embedded Signup (Meta's window)", Hook: pick,
		Caption: "Meta's Embedded Signup window (the local Meta stand-in's): the owner picks the business and the number she shares with the app.",
		Legenda: "A janela do Cadastro Incorporado da Meta (a simulação local): a responsável escolhe a empresa e o número que compartilha com o app."},
		biz.VerifiedName)
	e.b = saved
	popup.Click(pick)
	popup.WaitClosed(10 * time.Second)
	e.b.WaitJS("the connection complete", `(e=>e && e.dataset.outcome==="complete")(document.querySelector("[data-testid=whatsapp-outcome]"))`, 30*time.Second)
	e.b.WaitFor("[data-testid=whatsapp-state][data-state=connected]", 15*time.Second)
	if n := e.b.Count(`[data-testid=whatsapp-steps] li[data-status=failed], [data-testid=whatsapp-steps] li[data-status=pending]`); n != 0 {
		panic(failure{fmt.Errorf("after the signup %d steps are not done:\n%s", n, e.b.Describe())})
	}
	e.shot(Screen{Name: "business-03-conectado", Permission: permBusiness, Route: "#/whatsapp", Hook: "main",
		Caption: "Back in the dashboard: each step of the connection done once, and the number connected (\"Conectado\").",
		Legenda: "De volta ao painel: cada etapa da conexão concluída uma vez, e o número conectado (\"Conectado\")."},
		"Conectado", "Etapas desta conexão", "concluída")
	e.shot(Screen{Name: "management-02-conexao", Permission: permManagement, Route: "#/whatsapp", Hook: "[data-testid=whatsapp-details]", Part: true,
		Caption: "Settings › WhatsApp: the connected number, its kind and send limit, the app subscribed to the account's webhooks, and the access token's daily check.",
		Legenda: "Ajustes › WhatsApp: o número conectado, o tipo e o limite de envio, o app inscrito nos webhooks da conta e a verificação diária do token de acesso."},
		biz.DisplayPhoneNumber, "webhooks", "Ativos")
}
