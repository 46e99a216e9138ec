package tenants

import (
	"errors"
	"maps"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
)

func ptr[T any](v T) *T { return &v }

// storedTenant is a tenant as it looks after onboarding and some weeks of Meta's
// events: every field set, so a merge that drops one shows.
func storedTenant() *domain.Tenant {
	return &domain.Tenant{
		ID: "studio-jana", Name: "Studio Jana Beleza", TimeZone: "America/Sao_Paulo",
		LocationLine: "Rua Augusta, 1500", Mode: domain.ModeDryRun, KillSwitch: true,
		Templates: map[string]domain.TemplateRef{
			string(domain.JobCreated):  {Name: "aviso_de_agendamento", Language: "pt_BR"},
			string(domain.JobReminder): {Name: "confirmacao_de_agendamento_24h", Language: "pt_BR"},
		},
		WhatsApp: domain.WhatsApp{
			WABAID: "102290129340398", PhoneNumberID: "106540352242922", DisplayPhoneNumber: "+55 11 4000-1234",
			AccessTokenSecret: "meta-token-studio-jana", Status: "disconnected",
			LastEvent: "account_update:PARTNER_REMOVED", LastEventAt: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
			LastEventInfo: `{"event":"PARTNER_REMOVED"}`, MessagingTier: "TIER_1K",
		},
		TemplateStatuses: map[string]domain.TemplateStatus{
			"aviso_de_agendamento:pt_BR": {Name: "aviso_de_agendamento", Language: "pt_BR", Status: "PAUSED", Reason: "LOW_QUALITY",
				UpdatedAt: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)},
		},
		StaffLabel: "Falar com a Jana", RescheduleText: "Escolha outro horário pelo link.",
		CreatedAt: time.Date(2025, 11, 5, 9, 0, 0, 0, time.UTC),
	}
}

func TestApply(t *testing.T) {
	now := time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)
	enabled := domain.ModeEnabled
	with := func(f func(*domain.Tenant)) *domain.Tenant {
		t := storedTenant()
		f(t)
		return t
	}
	tests := []struct {
		name    string
		stored  *domain.Tenant
		change  Change
		want    *domain.Tenant
		wantErr string
	}{
		{name: "only the mode", stored: storedTenant(), change: Change{Mode: &enabled},
			want: with(func(t *domain.Tenant) { t.Mode = domain.ModeEnabled })},
		{name: "token rotation keeps kill switch, labels, template statuses, connection state and created_at",
			stored: storedTenant(), change: Change{TokenStored: true}, want: storedTenant()},
		{name: "token rotation on a tenant that had no token names its secret",
			stored: with(func(t *domain.Tenant) { t.WhatsApp.AccessTokenSecret = "" }), change: Change{TokenStored: true},
			want: storedTenant()},
		{name: "nothing asked, nothing changes", stored: storedTenant(), change: Change{}, want: storedTenant()},
		{name: "kill switch off", stored: storedTenant(), change: Change{KillSwitch: ptr(false)},
			want: with(func(t *domain.Tenant) { t.KillSwitch = false })},
		{name: "one template changes, the other stays, statuses stay",
			stored: storedTenant(),
			change: Change{Templates: map[string]domain.TemplateRef{string(domain.JobReminder): {Name: "lembrete_24h", Language: "pt_BR"}}},
			want: with(func(t *domain.Tenant) {
				t.Templates[string(domain.JobReminder)] = domain.TemplateRef{Name: "lembrete_24h", Language: "pt_BR"}
			})},
		{name: "new phone number id keeps the WABA id and Meta's status",
			stored: storedTenant(), change: Change{PhoneNumberID: ptr(" 555 ")},
			want: with(func(t *domain.Tenant) { t.WhatsApp.PhoneNumberID = "555" })},
		{name: "clearing the phone number id clears its display number",
			stored: storedTenant(), change: Change{ClearPhoneNumberID: true},
			want: with(func(t *domain.Tenant) { t.WhatsApp.PhoneNumberID, t.WhatsApp.DisplayPhoneNumber = "", "" })},
		{name: "clearing the WABA id forgets the old account's state", stored: storedTenant(), change: Change{ClearWABAID: true},
			want: with(func(t *domain.Tenant) {
				t.WhatsApp.WABAID = ""
				t.WhatsApp.ResetAccountState()
				t.WhatsApp.Status = "connected"
			})},
		{name: "a banned WABA replaced by another: the new one is not blocked by the old ban",
			stored: with(func(t *domain.Tenant) {
				t.WhatsApp.Ban = &domain.AccountBan{State: "DISABLE"}
				t.WhatsApp.EventTimes = map[string]time.Time{"ban": time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}
			}),
			change: Change{WABAID: ptr("999")},
			want: with(func(t *domain.Tenant) {
				t.WhatsApp.WABAID = "999"
				t.WhatsApp.ResetAccountState()
				t.WhatsApp.Status = "connected"
			})},
		{name: "an empty phone number id is refused, not a clear",
			stored: storedTenant(), change: Change{PhoneNumberID: ptr("")}, wantErr: "clear it explicitly"},
		{name: "an empty WABA id is refused, not a clear",
			stored: storedTenant(), change: Change{WABAID: ptr("  ")}, wantErr: "clear it explicitly"},
		{name: "set and clear together", stored: storedTenant(),
			change: Change{PhoneNumberID: ptr("555"), ClearPhoneNumberID: true}, wantErr: "not both"},
		{name: "an empty name is refused", stored: storedTenant(), change: Change{Name: ptr(" ")}, wantErr: "name is required"},
		{name: "an unknown time zone is refused", stored: storedTenant(), change: Change{TimeZone: ptr("Mars/Olympus")}, wantErr: "unknown"},
		{name: "a template without a name is refused", stored: storedTenant(),
			change: Change{Templates: map[string]domain.TemplateRef{string(domain.JobCreated): {Language: "pt_BR"}}}, wantErr: "needs a name"},
		{name: "empty reschedule text goes back to the default", stored: storedTenant(), change: Change{RescheduleText: ptr("")},
			want: with(func(t *domain.Tenant) { t.RescheduleText = "" })},
		{name: "a new tenant: defaults, created now, connected once it has a number",
			change: Change{Name: ptr("Studio Nova"), LocationLine: ptr("Rua B, 2"), PhoneNumberID: ptr("777"), TokenStored: true},
			want: &domain.Tenant{
				ID: "studio-jana", Name: "Studio Nova", LocationLine: "Rua B, 2", Mode: domain.ModeDisabled,
				TimeZone: domain.DefaultTimeZone, CreatedAt: now,
				WhatsApp: domain.WhatsApp{PhoneNumberID: "777", Status: "connected", AccessTokenSecret: "meta-token-studio-jana"},
			}},
		{name: "a new tenant needs a name and a location", change: Change{Mode: &enabled}, wantErr: "name is required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var before *domain.Tenant
			if tc.stored != nil {
				c := *tc.stored
				c.Templates, c.TemplateStatuses = maps.Clone(c.Templates), maps.Clone(c.TemplateStatuses)
				before = &c
			}
			got, err := Apply(tc.stored, "studio-jana", tc.change, now)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, domain.ErrInvalid) {
					t.Fatalf("err = %v, want an ErrInvalid containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
			if tc.stored != nil && !reflect.DeepEqual(tc.stored, before) {
				t.Errorf("Apply modified the stored tenant: %+v", tc.stored)
			}
		})
	}
}

func TestChangeEmpty(t *testing.T) {
	if !(Change{}).Empty() {
		t.Error("zero change is not empty")
	}
	for name, c := range map[string]Change{
		"mode": {Mode: ptr(domain.ModeEnabled)}, "token": {TokenStored: true}, "clear": {ClearWABAID: true},
		"kill switch off": {KillSwitch: ptr(false)}, "empty reschedule text": {RescheduleText: ptr("")},
		"template": {Templates: map[string]domain.TemplateRef{"x": {Name: "a", Language: "b"}}},
	} {
		if c.Empty() {
			t.Errorf("%s: reported empty", name)
		}
	}
}
