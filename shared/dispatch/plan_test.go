package dispatch

import (
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/config"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/ptbr"
	"github.com/lembra-app/lembra/shared/store"
)

func TestPlanAccountAndTemplateRules(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	tpl := domain.TemplateRef{Name: "aviso_de_agendamento", Language: "pt_BR"}
	key := domain.TemplateKey(tpl.Name, tpl.Language)
	base := func() *domain.Tenant {
		return &domain.Tenant{ID: "studio", Mode: domain.ModeEnabled, TimeZone: "America/Sao_Paulo",
			Templates: map[string]domain.TemplateRef{string(domain.JobCreated): tpl},
			WhatsApp:  domain.WhatsApp{PhoneNumberID: "106540352242922", AccessTokenSecret: "tok", Status: domain.AccountConnected}}
	}
	cases := []struct {
		name     string
		change   func(*domain.Tenant)
		session  bool
		code     string // "" = sends
		contains string
	}{
		{"connected sends", nil, false, "", ""},
		{"disconnected", func(t *domain.Tenant) { t.WhatsApp.Status = domain.AccountDisconnected }, false,
			ptbr.ReasonAccountDisconnected, ptbr.TextAccountDisconnected},
		{"disconnected, with Meta's reason", func(t *domain.Tenant) {
			t.WhatsApp.Status = domain.AccountDisconnected
			t.WhatsApp.Disconnection = &domain.AccountDisconnection{Reason: "PRIMARY_INACTIVITY"}
		}, false, ptbr.ReasonAccountDisconnected, "muitos dias sem ser aberto"},
		{"disconnected session message", func(t *domain.Tenant) { t.WhatsApp.Status = domain.AccountDisconnected }, true,
			ptbr.ReasonAccountDisconnected, "desconectada"},
		{"deleted", func(t *domain.Tenant) { t.WhatsApp.Status = domain.AccountDeleted }, false, ptbr.ReasonAccountDeleted, "excluída"},
		{"banned", func(t *domain.Tenant) {
			t.WhatsApp.Ban = &domain.AccountBan{State: domain.BanDisable, Date: "April 17, 2025"}
		}, false,
			ptbr.ReasonAccountBanned, "April 17, 2025"},
		{"reinstated sends", func(t *domain.Tenant) { t.WhatsApp.Ban = &domain.AccountBan{State: domain.BanReinstate} }, false, "", ""},
		{"restricted until a time", func(t *domain.Tenant) {
			t.WhatsApp.Restrictions = []domain.AccountRestriction{{Type: domain.RestrictBusinessInitiated, Expiration: now.Add(48 * time.Hour)}}
		}, false, ptbr.ReasonAccountRestricted, "até 03/12/2026 09:00"},
		{"restriction expired sends", func(t *domain.Tenant) {
			t.WhatsApp.Restrictions = []domain.AccountRestriction{{Type: domain.RestrictBusinessInitiated, Expiration: now.Add(-time.Hour)}}
		}, false, "", ""},
		{"paused template", func(t *domain.Tenant) {
			t.TemplateStatuses = map[string]domain.TemplateStatus{key: {Status: "PAUSED", Reason: "NONE"}}
		}, false, ptbr.ReasonTemplateNotApproved, "pausado pela Meta"},
		{"disabled template", func(t *domain.Tenant) {
			t.TemplateStatuses = map[string]domain.TemplateStatus{key: {Status: "DISABLED"}}
		}, false, ptbr.ReasonTemplateNotApproved, "desativado pela Meta (status DISABLED)"},
		{"rejected template", func(t *domain.Tenant) {
			t.TemplateStatuses = map[string]domain.TemplateStatus{key: {Status: "REJECTED", Reason: "INVALID_FORMAT"}}
		}, false, ptbr.ReasonTemplateNotApproved, "REJECTED"},
		{"red quality alone still sends", func(t *domain.Tenant) {
			t.TemplateStatuses = map[string]domain.TemplateStatus{key: {Quality: "RED"}}
		}, false, "", ""},
	}
	for _, c := range cases {
		ten := base()
		if c.change != nil {
			c.change(ten)
		}
		apt := &domain.Appointment{ID: "apt", Status: domain.AppointmentScheduled, StartsAt: now.Add(72 * time.Hour),
			ClientName: "Maria Souza", ClientPhone: "+5511987654321", Service: "Design de sobrancelhas"}
		job := &domain.Job{ID: "apt-appointment_created", Type: domain.JobCreated, Status: domain.JobQueued, ScheduledFor: now}
		if c.session {
			// A session job whose window is irrelevant: the account rule comes first.
			job.DeliveryMode, job.Type, job.Recipient, job.Text = domain.DeliverySession, domain.JobReply, "+5511987654321", "Oi"
		}
		s := &Service{Config: config.Config{Mode: domain.ModeEnabled}}
		_, reason, skip, err := s.plan(&store.JobTx{Job: job, Appointment: apt}, ten, now)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if skip != (c.code != "") || reason.Code != c.code || !strings.Contains(reason.Text, c.contains) {
			t.Errorf("%s: skip %v %s %q; want %q containing %q", c.name, skip, reason.Code, reason.Text, c.code, c.contains)
		}
	}
}
