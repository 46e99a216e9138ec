package dispatch

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/config"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/meta"
	"github.com/lembra-app/lembra/shared/ptbr"
	"github.com/lembra-app/lembra/shared/queue"
)

var (
	testNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	testTpl = domain.TemplateRef{Name: "aviso_de_agendamento", Language: "pt_BR"}
	testKey = domain.TemplateKey(testTpl.Name, testTpl.Language)
)

// testInput is a booking notice every rule lets through: enabled everywhere, a
// connected number, a scheduled appointment three days ahead, an approved template.
func testInput() Input {
	return Input{
		Tenant: &domain.Tenant{ID: "studio", Name: "Studio", Mode: domain.ModeEnabled, TimeZone: "America/Sao_Paulo",
			LocationLine: "Rua A, 1",
			Templates:    map[string]domain.TemplateRef{string(domain.JobCreated): testTpl, string(domain.JobReminder): testTpl},
			WhatsApp:     domain.WhatsApp{PhoneNumberID: "106540352242922", AccessTokenSecret: "tok", Status: domain.AccountConnected}},
		Appointment: &domain.Appointment{ID: "apt", Status: domain.AppointmentScheduled, StartsAt: testNow.Add(72 * time.Hour),
			ScheduleVersion: 1, ClientName: "Maria Souza", ClientPhone: "+5511987654321", Service: "Design de sobrancelhas"},
		Job: &domain.Job{ID: "apt-appointment_created", TenantID: "studio", AppointmentID: "apt", Type: domain.JobCreated,
			Status: domain.JobQueued, ScheduledFor: testNow},
		Config: config.Config{Mode: domain.ModeEnabled, MaxRetries: 5, RetryBaseDelay: 30 * time.Second,
			UnknownOutcomeWait: 15 * time.Minute, MetaTimeout: 15 * time.Second},
		Now: testNow,
	}
}

// asReply makes the job a button reply: a session message to a client who wrote an
// hour ago.
func asReply(in *Input) {
	in.Job.Type, in.Job.DeliveryMode, in.Job.Recipient, in.Job.Text = domain.JobReply, domain.DeliverySession, "+5511987654321", "Oi"
	in.Job.ID = "reply-1"
	in.LastInbound = testNow.Add(-time.Hour)
}

// asNotice makes the job a cancellation notice of a canceled appointment whose client
// wrote about it an hour ago.
func asNotice(in *Input) {
	in.Job.Type, in.Job.DeliveryMode, in.Job.Recipient, in.Job.Text = domain.JobCanceled, domain.DeliverySession, "+5511987654321", "Cancelado"
	in.Job.ID = "apt-appointment_canceled"
	in.Appointment.Status = domain.AppointmentCanceled
	in.Appointment.LastInboundAt = testNow.Add(-time.Hour)
}

func TestPlanSendRules(t *testing.T) {
	type change func(*Input)
	all := func(cs ...change) change {
		return func(in *Input) {
			for _, c := range cs {
				c(in)
			}
		}
	}
	var (
		envDisabled    = func(in *Input) { in.Config.Mode = domain.ModeDisabled }
		tenantDisabled = func(in *Input) { in.Tenant.Mode = domain.ModeDisabled }
		dryRun         = func(in *Input) { in.Config.Mode = domain.ModeDryRun }
		tenantDryRun   = func(in *Input) { in.Tenant.Mode = domain.ModeDryRun }
		notAllowed     = func(in *Input) { in.Config.AllowedTenantIDs = []string{"other"} }
		killSwitch     = func(in *Input) { in.Tenant.KillSwitch = true }
		noNumber       = func(in *Input) { in.Tenant.WhatsApp.PhoneNumberID = "" }
		disconnected   = func(in *Input) { in.Tenant.WhatsApp.Status = domain.AccountDisconnected }
		aptCanceled    = func(in *Input) { in.Appointment.Status = domain.AppointmentCanceled }
		aptStarted     = func(in *Input) { in.Appointment.StartsAt = testNow }
		oldReminder    = func(in *Input) {
			in.Job.Type, in.Job.ScheduleVersion, in.Appointment.ScheduleVersion = domain.JobReminder, 1, 2
		}
		noTemplate     = func(in *Input) { in.Tenant.Templates = nil }
		pausedTemplate = func(in *Input) {
			in.Tenant.TemplateStatuses = map[string]domain.TemplateStatus{testKey: {Status: "PAUSED", Reason: "NONE"}}
		}
		noRecipient = func(in *Input) { in.Job.Recipient = "" }
		neverWrote  = func(in *Input) { in.LastInbound = time.Time{} }
		testNumber  = func(in *Input) { in.Tenant.TestRecipient = "+5511912345678" }
	)
	cases := []struct {
		name     string
		change   change
		verdict  Verdict
		code     string // the reason's code ("" for a send)
		contains string // in the reason's text
	}{
		// Each rule alone.
		{"every rule passes", nil, Send, "", ""},
		{"environment disabled", envDisabled, Skip, domain.ReasonModeDisabled, ""},
		{"tenant disabled", tenantDisabled, Skip, domain.ReasonModeDisabled, ""},
		{"tenant on the allowlist", func(in *Input) { in.Config.AllowedTenantIDs = []string{"other", "studio"} }, Send, "", ""},
		{"tenant off the allowlist", notAllowed, Skip, domain.ReasonTenantNotAllowed, ""},
		{"kill switch", killSwitch, Skip, domain.ReasonKillSwitch, ""},
		{"no phone number", noNumber, Skip, domain.ReasonNoPhoneNumber, ""},
		{"no token secret", func(in *Input) { in.Tenant.WhatsApp.AccessTokenSecret = "" }, Skip, domain.ReasonNoPhoneNumber, ""},
		{"disconnected", disconnected, Skip, domain.ReasonAccountDisconnected, ptbr.TextAccountDisconnected},
		{"disconnected, with Meta's reason", func(in *Input) {
			in.Tenant.WhatsApp.Status = domain.AccountDisconnected
			in.Tenant.WhatsApp.Disconnection = &domain.AccountDisconnection{Reason: "PRIMARY_INACTIVITY"}
		}, Skip, domain.ReasonAccountDisconnected, "muitos dias sem ser aberto"},
		{"deleted", func(in *Input) { in.Tenant.WhatsApp.Status = domain.AccountDeleted }, Skip, domain.ReasonAccountDeleted, "excluída"},
		{"banned", func(in *Input) {
			in.Tenant.WhatsApp.Ban = &domain.AccountBan{State: domain.BanDisable, Date: "April 17, 2025"}
		}, Skip, domain.ReasonAccountBanned, "desde 17/04/2025"},
		{"reinstated", func(in *Input) { in.Tenant.WhatsApp.Ban = &domain.AccountBan{State: domain.BanReinstate} }, Send, "", ""},
		{"restricted until a time", func(in *Input) {
			in.Tenant.WhatsApp.Restrictions = []domain.AccountRestriction{{Type: domain.RestrictBusinessInitiated, Expiration: testNow.Add(48 * time.Hour)}}
		}, Skip, domain.ReasonAccountRestricted, "até 03/12/2026 09:00"},
		{"restriction expired", func(in *Input) {
			in.Tenant.WhatsApp.Restrictions = []domain.AccountRestriction{{Type: domain.RestrictBusinessInitiated, Expiration: testNow.Add(-time.Hour)}}
		}, Send, "", ""},
		{"appointment canceled", aptCanceled, Skip, domain.ReasonAppointmentGone, ""},
		{"appointment gone", func(in *Input) { in.Appointment = nil }, Skip, domain.ReasonAppointmentGone, ""},
		{"appointment started", aptStarted, Skip, domain.ReasonAppointmentPast, ""},
		{"reminder of the time before a reschedule", oldReminder, Skip, domain.ReasonRescheduled, ""},
		{"reminder of the current time", func(in *Input) {
			in.Job.Type, in.Job.ScheduleVersion, in.Appointment.ScheduleVersion = domain.JobReminder, 2, 2
		}, Send, "", ""},
		{"booking notice after a reschedule still goes", func(in *Input) { in.Appointment.ScheduleVersion = 2 }, Send, "", ""},
		{"no template for the job type", noTemplate, Skip, domain.ReasonTemplateMissing, ""},
		{"paused template", pausedTemplate, Skip, domain.ReasonTemplateNotApproved, "pausado pela Meta"},
		{"disabled template", func(in *Input) {
			in.Tenant.TemplateStatuses = map[string]domain.TemplateStatus{testKey: {Status: "DISABLED"}}
		}, Skip, domain.ReasonTemplateNotApproved, "desativado pela Meta (status DISABLED)"},
		{"rejected template", func(in *Input) {
			in.Tenant.TemplateStatuses = map[string]domain.TemplateStatus{testKey: {Status: "REJECTED", Reason: "INVALID_FORMAT"}}
		}, Skip, domain.ReasonTemplateNotApproved, "REJECTED"},
		{"red quality alone", func(in *Input) {
			in.Tenant.TemplateStatuses = map[string]domain.TemplateStatus{testKey: {Quality: "RED"}}
		}, Send, "", ""},
		{"dry run in the environment", dryRun, DryRun, domain.ReasonDryRun, ""},
		{"dry run for the tenant", tenantDryRun, DryRun, domain.ReasonDryRun, ""},
		// The studio's test number: a dry run is sent, to that number only.
		{"dry run for the tenant with a test number: sent", all(tenantDryRun, testNumber), Send, "", ""},
		{"dry run in the environment with a test number: recorded only (the environment sends nothing)", all(dryRun, testNumber), DryRun, domain.ReasonDryRun, ""},
		{"a test number while enabled changes nothing", testNumber, Send, "", ""},
		{"a test number does not lift disabled", all(tenantDisabled, testNumber), Skip, domain.ReasonModeDisabled, ""},
		{"a test number does not lift the kill switch", all(tenantDryRun, testNumber, killSwitch), Skip, domain.ReasonKillSwitch, ""},
		{"a test number does not lift a paused template", all(tenantDryRun, testNumber, pausedTemplate), Skip, domain.ReasonTemplateNotApproved, ""},
		{"a test number does not lift a canceled appointment", all(tenantDryRun, testNumber, aptCanceled), Skip, domain.ReasonAppointmentGone, ""},
		{"reply in dry run with a test number: sent", all(asReply, tenantDryRun, testNumber), Send, "", ""},
		{"reply in dry run with a test number, the window closed", all(asReply, tenantDryRun, testNumber, neverWrote), Skip, domain.ReasonWindowClosed, ""},

		// Session messages.
		{"reply, window open", asReply, Send, "", ""},
		{"reply without a recipient", all(asReply, noRecipient), Skip, domain.ReasonNoRecipient, ""},
		{"reply, the client never wrote", all(asReply, neverWrote), Skip, domain.ReasonWindowClosed, "não escreveu nas últimas 24 horas"},
		{"reply, the window closed", all(asReply, func(in *Input) { in.LastInbound = testNow.Add(-25 * time.Hour) }),
			Skip, domain.ReasonWindowClosed, "30/11/2026 08:00"},
		{"reply of a disconnected number", all(asReply, disconnected), Skip, domain.ReasonAccountDisconnected, "desconectada"},
		{"reply in dry run", all(asReply, dryRun), DryRun, domain.ReasonDryRun, ""},
		{"reply whose appointment is canceled still goes", all(asReply, aptCanceled), Send, "", ""},
		{"cancellation notice, the client wrote about it", asNotice, Send, "", ""},
		{"cancellation notice reads the appointment's inbound, not the conversation's", all(asNotice, func(in *Input) {
			in.Appointment.LastInboundAt = testNow.Add(-30 * time.Hour)
			in.LastInbound = testNow.Add(-time.Minute)
		}), Skip, domain.ReasonWindowClosed, "30/11/2026 03:00"},
		{"cancellation notice, appointment gone", all(asNotice, func(in *Input) { in.Appointment = nil }), Skip, domain.ReasonWindowClosed, ""},

		// The order of the rules: the first that applies names the reason.
		{"mode disabled before the allowlist", all(envDisabled, notAllowed), Skip, domain.ReasonModeDisabled, ""},
		{"mode disabled before a missing template", all(envDisabled, noTemplate), Skip, domain.ReasonModeDisabled, ""},
		{"disabled beats dry run", all(tenantDisabled, dryRun), Skip, domain.ReasonModeDisabled, ""},
		{"allowlist before the kill switch", all(notAllowed, killSwitch), Skip, domain.ReasonTenantNotAllowed, ""},
		{"kill switch before a canceled appointment", all(killSwitch, aptCanceled), Skip, domain.ReasonKillSwitch, ""},
		{"kill switch before a lost account", all(disconnected, killSwitch), Skip, domain.ReasonKillSwitch, ""},
		{"kill switch before a missing number", all(killSwitch, noNumber), Skip, domain.ReasonKillSwitch, ""},
		{"missing number before a lost account", all(noNumber, disconnected), Skip, domain.ReasonNoPhoneNumber, ""},
		{"lost account before a canceled appointment", all(disconnected, aptCanceled), Skip, domain.ReasonAccountDisconnected, ""},
		{"lost account before a paused template", all(disconnected, pausedTemplate), Skip, domain.ReasonAccountDisconnected, ""},
		{"canceled before started", all(aptCanceled, aptStarted), Skip, domain.ReasonAppointmentGone, ""},
		{"started before rescheduled", all(oldReminder, aptStarted), Skip, domain.ReasonAppointmentPast, ""},
		{"rescheduled before a missing template", all(oldReminder, noTemplate), Skip, domain.ReasonRescheduled, ""},
		{"a paused template beats dry run", all(dryRun, pausedTemplate), Skip, domain.ReasonTemplateNotApproved, ""},
		{"a missing template beats dry run", all(dryRun, noTemplate), Skip, domain.ReasonTemplateMissing, ""},
		{"a canceled appointment beats dry run", all(dryRun, aptCanceled), Skip, domain.ReasonAppointmentGone, ""},
		{"reply: lost account before no recipient", all(asReply, noRecipient, disconnected), Skip, domain.ReasonAccountDisconnected, ""},
		{"reply: kill switch before a closed window", all(asReply, neverWrote, killSwitch), Skip, domain.ReasonKillSwitch, ""},
		{"reply: no recipient before the window", all(asReply, noRecipient, neverWrote), Skip, domain.ReasonNoRecipient, ""},
		{"reply: a closed window beats dry run", all(asReply, neverWrote, dryRun), Skip, domain.ReasonWindowClosed, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := testInput()
			if c.change != nil {
				c.change(&in)
			}
			p := PlanSend(in)
			if p.Verdict != c.verdict || p.Reason.Code != c.code || !strings.Contains(p.Reason.Text, c.contains) {
				t.Errorf("verdict %d %s %q; want %d %q containing %q", p.Verdict, p.Reason.Code, p.Reason.Text, c.verdict, c.code, c.contains)
			}
			if c.code != "" && p.Reason.Text == "" {
				t.Errorf("reason %s without a Portuguese text", c.code)
			}
			if p.Verdict == Skip && (p.Message.To != "" || p.Template != nil) {
				t.Errorf("a skip carries a message: %+v", p)
			}
		})
	}
}

func TestPlanSendMessage(t *testing.T) {
	t.Run("template", func(t *testing.T) {
		in := testInput()
		in.Appointment.Location = "Sala 2"
		p := PlanSend(in)
		want := meta.TemplateMessage("+5511987654321", testTpl.Name, testTpl.Language,
			[]string{"Maria Souza", "Design de sobrancelhas", "04/12/2026", "09:00", "Sala 2"}, "studio/apt-appointment_created")
		if !reflect.DeepEqual(p.Message, want) {
			t.Errorf("message %+v\nwant %+v", p.Message, want)
		}
		if p.Template == nil || *p.Template != (TemplateFields{Name: testTpl.Name, Language: testTpl.Language, Recipient: "+5511987654321"}) {
			t.Errorf("template fields %+v", p.Template)
		}
	})
	t.Run("template: the tenant's location when the appointment has none", func(t *testing.T) {
		p := PlanSend(testInput())
		if got := p.Message.Template.Components[0].Parameters[4].Text; got != "Rua A, 1" {
			t.Errorf("location %q", got)
		}
	})
	t.Run("template to the test recipient", func(t *testing.T) {
		in := testInput()
		in.Config.TestRecipient = "+5511900000000"
		p := PlanSend(in)
		if p.Message.To != "+5511900000000" || p.Template.Recipient != "+5511900000000" {
			t.Errorf("to %q, recorded %q", p.Message.To, p.Template.Recipient)
		}
	})
	t.Run("dry run builds the same message", func(t *testing.T) {
		in := testInput()
		sent := PlanSend(in)
		in.Config.Mode = domain.ModeDryRun
		if dry := PlanSend(in); !reflect.DeepEqual(dry.Message, sent.Message) || !reflect.DeepEqual(dry.Template, sent.Template) {
			t.Errorf("dry run %+v, send %+v", dry, sent)
		}
	})
	t.Run("session", func(t *testing.T) {
		in := testInput()
		asReply(&in)
		in.Config.TestRecipient = "+5511900000000"
		p := PlanSend(in)
		if want := meta.TextMessage("+5511900000000", "Oi", "studio/reply-1"); !reflect.DeepEqual(p.Message, want) || p.Template != nil {
			t.Errorf("message %+v template %+v; want %+v", p.Message, p.Template, want)
		}
	})
}

// TestPlanSendTestRecipient: where a message goes, and what its job's timeline notes,
// by the mode, the studio's test number and the environment's override.
func TestPlanSendTestRecipient(t *testing.T) {
	const (
		client = "+5511987654321"
		studio = "+5511912345678"
		env    = "+5511900000000"
	)
	cases := []struct {
		name              string
		envMode, tenMode  domain.Mode
		studioNum, envNum string
		reply             bool
		verdict           Verdict
		to                string // the message's recipient
		note              bool   // a timeline note of the test send
	}{
		{"enabled: the client", domain.ModeEnabled, domain.ModeEnabled, "", "", false, Send, client, false},
		{"enabled with a test number: still the client", domain.ModeEnabled, domain.ModeEnabled, studio, "", false, Send, client, false},
		{"dry run without a test number: recorded, addressed to the client", domain.ModeEnabled, domain.ModeDryRun, "", "", false, DryRun, client, false},
		{"dry run with a test number: sent to it", domain.ModeEnabled, domain.ModeDryRun, studio, "", false, Send, studio, true},
		{"environment in dry run, studio enabled, with a test number: recorded only", domain.ModeDryRun, domain.ModeEnabled, studio, "", false, DryRun, client, false},
		{"environment and studio in dry run, with a test number: recorded only", domain.ModeDryRun, domain.ModeDryRun, studio, "", false, DryRun, client, false},
		{"environment disabled, studio in dry run with a test number: skipped", domain.ModeDisabled, domain.ModeDryRun, studio, "", false, Skip, "", false},
		{"the environment's override wins over the test number", domain.ModeEnabled, domain.ModeDryRun, studio, env, false, Send, env, true},
		{"the environment's override while enabled", domain.ModeEnabled, domain.ModeEnabled, studio, env, false, Send, env, false},
		{"the environment's override in a dry run without a test number: recorded", domain.ModeEnabled, domain.ModeDryRun, "", env, false, DryRun, env, false},
		{"reply in dry run with a test number: sent to it", domain.ModeEnabled, domain.ModeDryRun, studio, "", true, Send, studio, true},
		{"reply in dry run without a test number: recorded", domain.ModeEnabled, domain.ModeDryRun, "", "", true, DryRun, client, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := testInput()
			if c.reply {
				asReply(&in)
			}
			in.Config.Mode, in.Tenant.Mode = c.envMode, c.tenMode
			in.Tenant.TestRecipient, in.Config.TestRecipient = c.studioNum, c.envNum
			p := PlanSend(in)
			if p.Verdict != c.verdict || p.Message.To != c.to {
				t.Fatalf("verdict %d to %q; want %d to %q", p.Verdict, p.Message.To, c.verdict, c.to)
			}
			if !c.reply && c.verdict != Skip && p.Template.Recipient != c.to {
				t.Errorf("recorded recipient %q, want %q", p.Template.Recipient, c.to)
			}
			want := ""
			if c.note {
				want = ptbr.TestRecipientSent(c.to)
			}
			if p.TestNote != want {
				t.Errorf("note %q, want %q", p.TestNote, want)
			}
			if c.note && (!strings.Contains(p.TestNote, "não para o cliente") || !strings.Contains(p.TestNote, c.to)) {
				t.Errorf("note %q does not say where it went", p.TestNote)
			}
			if c.verdict == Send && p.Reason.Code != "" {
				t.Errorf("a send with a reason %+v", p.Reason)
			}
		})
	}
}

func TestNeedsLastInbound(t *testing.T) {
	reply := func(st domain.JobStatus) *domain.Job {
		return &domain.Job{Type: domain.JobReply, DeliveryMode: domain.DeliverySession, Recipient: "+5511987654321", Status: st}
	}
	cases := []struct {
		name string
		job  *domain.Job
		want string
		ok   bool
	}{
		{"reply to send", reply(domain.JobQueued), "5511987654321", true},
		{"reply pending", reply(domain.JobPending), "5511987654321", true},
		{"reply after an unknown outcome", reply(domain.JobUnknown), "5511987654321", true},
		{"reply being sent", reply(domain.JobSending), "", false},
		{"reply sent", reply(domain.JobSent), "", false},
		{"reply without a recipient", &domain.Job{Type: domain.JobReply, DeliveryMode: domain.DeliverySession, Status: domain.JobQueued}, "", false},
		{"cancellation notice: the client's ledger (the window as Meta counts it)", &domain.Job{Type: domain.JobCanceled, DeliveryMode: domain.DeliverySession,
			Recipient: "+5511987654321", Status: domain.JobQueued}, "5511987654321", true},
		{"template", &domain.Job{Type: domain.JobCreated, Status: domain.JobQueued, Recipient: "+5511987654321"}, "", false},
	}
	for _, c := range cases {
		if got, ok := NeedsLastInbound(c.job); got != c.want || ok != c.ok {
			t.Errorf("%s: %q, %v; want %q, %v", c.name, got, ok, c.want, c.ok)
		}
	}
}

func TestDecide(t *testing.T) {
	lease := testNow.Add(15*time.Second + leaseMargin)
	cases := []struct {
		name   string
		change func(*Input)
		step   Step
		check  func(t *testing.T, d Decision)
	}{
		{"early task waits for the job's time", func(in *Input) { in.Job.ScheduledFor = testNow.Add(time.Hour) }, Wait,
			func(t *testing.T, d Decision) {
				if !d.At.Equal(testNow.Add(time.Hour)) || d.Job != nil {
					t.Errorf("at %v job %v", d.At, d.Job)
				}
			}},
		{"a live claim makes a duplicate wait", func(in *Input) {
			in.Job.Status, in.Job.LeaseUntil = domain.JobSending, testNow.Add(time.Minute)
		}, Wait, nil},
		{"settled jobs are left alone", func(in *Input) { in.Job.Status = domain.JobDelivered }, Ignore, nil},
		{"a skipped job is left alone, even if the rules now pass", func(in *Input) { in.Job.Status = domain.JobSkipped }, Ignore, nil},
		{"claimed", nil, Claim, func(t *testing.T, d Decision) {
			j := d.Job
			if j.Status != domain.JobSending || !j.LeaseUntil.Equal(lease) || !j.NextRetryAt.IsZero() || d.Attempt != 1 {
				t.Errorf("status %s lease %v retry %v attempt %d", j.Status, j.LeaseUntil, j.NextRetryAt, d.Attempt)
			}
			if j.DeliveryMode != domain.DeliveryTemplate || j.TemplateName != testTpl.Name || j.TemplateLanguage != "pt_BR" || j.Recipient != "+5511987654321" {
				t.Errorf("template fields %s %s %s %s", j.DeliveryMode, j.TemplateName, j.TemplateLanguage, j.Recipient)
			}
			if d.Plan == nil || d.Plan.Message.To != "+5511987654321" || d.Next != nil {
				t.Errorf("plan %+v next %+v", d.Plan, d.Next)
			}
		}},
		{"a retry's attempt number follows the attempts made", func(in *Input) {
			in.Job.Attempts = []domain.Attempt{{N: 1, Outcome: "retry"}, {N: 2, Outcome: "retry"}}
		}, Claim, func(t *testing.T, d Decision) {
			if d.Attempt != 3 {
				t.Errorf("attempt %d", d.Attempt)
			}
		}},
		{"skipped with the rule's reason", func(in *Input) { in.Tenant.KillSwitch = true }, Update, func(t *testing.T, d Decision) {
			j := d.Job
			if j.Status != domain.JobSkipped || j.ReasonCode != domain.ReasonKillSwitch || j.Reason == "" || d.Next != nil {
				t.Errorf("status %s reason %s %q", j.Status, j.ReasonCode, j.Reason)
			}
			if last := j.Timeline[len(j.Timeline)-1]; last.Event != "skipped" || last.Detail != j.Reason {
				t.Errorf("timeline %+v", last)
			}
		}},
		{"dry run records the request", func(in *Input) { in.Config.Mode = domain.ModeDryRun }, Update, func(t *testing.T, d Decision) {
			j := d.Job
			body, _ := json.Marshal(d.Plan.Message)
			if j.Status != domain.JobSkipped || j.ReasonCode != domain.ReasonDryRun || j.DryRunRequest != string(body) || j.TemplateName != testTpl.Name {
				t.Errorf("status %s reason %s request %q template %q", j.Status, j.ReasonCode, j.DryRunRequest, j.TemplateName)
			}
		}},
		{"dry run with the studio's test number: claimed for it, noted on the timeline", func(in *Input) {
			in.Tenant.Mode, in.Tenant.TestRecipient = domain.ModeDryRun, "+5511912345678"
		}, Claim, func(t *testing.T, d Decision) {
			j := d.Job
			if j.Status != domain.JobSending || j.Recipient != "+5511912345678" || d.Plan.Message.To != "+5511912345678" || j.DryRunRequest != "" {
				t.Errorf("status %s recipient %s to %s request %q", j.Status, j.Recipient, d.Plan.Message.To, j.DryRunRequest)
			}
			last := j.Timeline[len(j.Timeline)-1]
			if last.Event != EventTestRecipient || last.Detail != ptbr.TestRecipientSent("+5511912345678") || j.ReasonCode != "" {
				t.Errorf("timeline %+v reason %s", last, j.ReasonCode)
			}
		}},
		{"reply claimed: its recipient is kept", asReply, Claim, func(t *testing.T, d Decision) {
			if d.Job.DeliveryMode != domain.DeliverySession || d.Job.TemplateName != "" || d.Job.Recipient != "+5511987654321" {
				t.Errorf("fields %s %q %s", d.Job.DeliveryMode, d.Job.TemplateName, d.Job.Recipient)
			}
		}},
		{"a claim whose lease ran out: outcome unknown, checked after the wait", func(in *Input) {
			in.Job.Status, in.Job.LeaseUntil = domain.JobSending, testNow.Add(-time.Second)
			in.Job.Attempts = []domain.Attempt{{N: 1, Outcome: "retry"}}
		}, Update, func(t *testing.T, d Decision) {
			j := d.Job
			if j.Status != domain.JobUnknown || !j.NextRetryAt.Equal(testNow.Add(15*time.Minute)) || !j.LeaseUntil.IsZero() {
				t.Errorf("status %s retry %v lease %v", j.Status, j.NextRetryAt, j.LeaseUntil)
			}
			if a := j.Attempts[len(j.Attempts)-1]; a.N != 2 || a.Outcome != "unknown" {
				t.Errorf("attempt %+v", a)
			}
			if d.Next == nil || d.Next.Purpose != queue.CheckPurpose(2) || !d.Next.At.Equal(j.NextRetryAt) {
				t.Errorf("follow-up %+v", d.Next)
			}
			if last := j.Timeline[len(j.Timeline)-1]; last.Event != "unknown" || last.Detail != ptbr.TextLeaseExpired {
				t.Errorf("timeline %+v", last)
			}
		}},
		{"unknown outcome whose wamid came after all: sent", func(in *Input) {
			in.Job.Status, in.Job.ProviderMessageID, in.Job.NextRetryAt = domain.JobUnknown, "wamid.1", testNow.Add(-time.Second)
			in.Tenant.KillSwitch = true // no rule is asked: it went out
		}, Update, func(t *testing.T, d Decision) {
			if d.Job.Status != domain.JobSent || !d.Job.NextRetryAt.IsZero() || d.Job.Timeline[len(d.Job.Timeline)-1].Event != "sent" {
				t.Errorf("status %s retry %v", d.Job.Status, d.Job.NextRetryAt)
			}
		}},
		{"unknown outcome with the retries used up: failed", func(in *Input) {
			in.Job.Status = domain.JobUnknown
			in.Config.MaxRetries = 1
			in.Job.Attempts = []domain.Attempt{{N: 1, Outcome: "retry"}, {N: 2, Outcome: "unknown"}}
		}, Update, func(t *testing.T, d Decision) {
			if d.Job.Status != domain.JobFailed || d.Job.ReasonCode != domain.ReasonOutcomeUnknown {
				t.Errorf("status %s reason %s", d.Job.Status, d.Job.ReasonCode)
			}
		}},
		{"unknown outcome with retries left: tried again through the rules", func(in *Input) {
			in.Job.Status = domain.JobUnknown
			in.Job.Attempts = []domain.Attempt{{N: 1, Outcome: "unknown"}}
		}, Claim, func(t *testing.T, d Decision) {
			if d.Attempt != 2 || d.Job.Timeline[len(d.Job.Timeline)-1].Detail != ptbr.TextUnknownRetry {
				t.Errorf("attempt %d timeline %+v", d.Attempt, d.Job.Timeline)
			}
		}},
		{"unknown outcome tried again is still skipped by a rule", func(in *Input) {
			in.Job.Status = domain.JobUnknown
			in.Job.Attempts = []domain.Attempt{{N: 1, Outcome: "unknown"}}
			in.Appointment.Status = domain.AppointmentCanceled
		}, Update, func(t *testing.T, d Decision) {
			if d.Job.Status != domain.JobSkipped || d.Job.ReasonCode != domain.ReasonAppointmentGone {
				t.Errorf("status %s reason %s", d.Job.Status, d.Job.ReasonCode)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := testInput()
			if c.change != nil {
				c.change(&in)
			}
			before := cloneJob(in.Job)
			d := Decide(in)
			if d.Step != c.step {
				t.Fatalf("step %d, want %d (%+v)", d.Step, c.step, d)
			}
			if (d.Job == nil) != (c.step == Wait || c.step == Ignore) {
				t.Errorf("step %d with job %v", d.Step, d.Job)
			}
			if !reflect.DeepEqual(in.Job, before) {
				t.Error("Decide changed its input job")
			}
			if c.check != nil {
				c.check(t, d)
			}
		})
	}
}
