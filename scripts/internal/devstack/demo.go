package devstack

import (
	"context"
	"fmt"
	"time"

	"github.com/lembra-app/lembra/scripts/internal/standin/metastandin"
	"github.com/lembra-app/lembra/shared/booking"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/tenants"
)

// The demo tenant's fixed identifiers (written in the README). The API key is in the
// documented format (tenants.ParseAPIKey), with key id 0000000000000001; local use only.
const (
	DemoTenantID      = "studio-jana"
	DemoAPIKey        = "lembra_0000000000000001_studiojanademokeyforthelocalstackonlyneverproduction"
	DemoAccessToken   = "demo-meta-access-token"
	DemoPhoneNumberID = "106540352242922"
)

// DemoTenant is the first tenant: Jana's beauty studio.
func DemoTenant() Tenant {
	return Tenant{
		Tenant: domain.Tenant{
			ID: DemoTenantID, Name: "Studio Jana Beleza", TimeZone: domain.DefaultTimeZone,
			LocationLine: "Rua Augusta, 1500, sala 12 – Consolação, São Paulo",
			Mode:         domain.ModeEnabled,
			StaffLabel:   "Falar com a Jana",
			// Quiet hours off: the local stack and its tests run on the real clock, so
			// with the default 21:00–08:00 every notice booked at night would wait for the
			// morning; the quiet_*_test.go tests set them.
			QuietHours: &domain.QuietHours{Off: true, Start: "21:00", End: "08:00", LeadMinutes: 60},
			Templates: map[string]domain.TemplateRef{
				string(domain.JobCreated):  {Name: "aviso_de_agendamento", Language: "pt_BR"},
				string(domain.JobReminder): {Name: "confirmacao_de_agendamento_24h", Language: "pt_BR"},
			},
			WhatsApp: domain.WhatsApp{
				WABAID: "102290129340398", PhoneNumberID: DemoPhoneNumberID, DisplayPhoneNumber: "+55 11 4000-1234",
			},
		},
		AccessToken: DemoAccessToken,
		APIKey:      DemoAPIKey,
	}
}

// The second demo studio: no WhatsApp number yet; its owner connects one from the
// dashboard (Ajustes › WhatsApp) through the Meta stand-in's Embedded Signup, choosing
// one of DemoBusinesses (written in the README; local use only).
const (
	DemoSecondTenantID      = "studio-flor"
	DemoSecondOwnerEmail    = "flor@studio-flor.example"
	DemoSecondOwnerPassword = "lembra-demo-123"
)

// DemoSecondTenant is the second studio, without a number.
func DemoSecondTenant() domain.Tenant {
	return domain.Tenant{
		ID: DemoSecondTenantID, Name: "Espaço Flor Unhas", TimeZone: domain.DefaultTimeZone,
		LocationLine: "Rua Harmonia, 321 – Vila Madalena, São Paulo",
		Mode:         domain.ModeEnabled,
		StaffLabel:   "Falar com a Flor",
		QuietHours:   DemoTenant().QuietHours,
		Templates:    DemoTenant().Templates,
	}
}

// DemoBusinesses are the fake businesses the Meta stand-in's signup popup offers: one
// whose number moves to the Cloud API, one that stays on the WhatsApp Business app
// (coexistence); both hold the demo's approved templates.
func DemoBusinesses() []metastandin.Business {
	return []metastandin.Business{
		{Token: "demo-meta-token-flor", WABAID: "201000000000001", PhoneNumberID: "301000000000001",
			DisplayPhoneNumber: "+55 11 4000-5678", VerifiedName: "Espaço Flor Unhas"},
		{Token: "demo-meta-token-flor-app", WABAID: "201000000000002", PhoneNumberID: "301000000000002",
			DisplayPhoneNumber: "+55 11 98888-4321", VerifiedName: "Flor Unhas (aplicativo WhatsApp Business)", Coexistence: true},
	}
}

// SeedDemo creates the demo tenant and a few appointments through the booking service
// (the same path the API takes), so their notices go out through the stand-in; the
// second studio without a number; and the fake businesses of the Meta stand-in's
// Embedded Signup.
func (s *Stack) SeedDemo(ctx context.Context) (*domain.Tenant, error) {
	t, _, err := s.AddTenant(ctx, DemoTenant())
	if err != nil {
		return nil, err
	}
	if err := s.seedDemoSignup(ctx); err != nil {
		return nil, err
	}
	st, err := s.Env.Store(ctx)
	if err != nil {
		return nil, err
	}
	tasks, err := s.Env.Tasks(ctx)
	if err != nil {
		return nil, err
	}
	svc := &booking.Service{Store: st, Tasks: tasks, Log: s.Env.Log, Now: time.Now}
	loc := t.Location()
	day := time.Now().In(loc)
	at := func(days, hour, minute int) time.Time {
		return time.Date(day.Year(), day.Month(), day.Day()+days, hour, minute, 0, 0, loc)
	}
	demo := []booking.NewAppointment{
		{ExternalID: "demo-1", ClientName: "Maria Souza", ClientPhone: "+5511987650001", Service: "Design de sobrancelhas", StartsAt: at(1, 10, 0)},
		{ExternalID: "demo-2", ClientName: "Ana Lima", ClientPhone: "+5511987650002", Service: "Extensão de cílios", StartsAt: at(2, 14, 30)},
		{ExternalID: "demo-3", ClientName: "Beatriz Rocha", ClientPhone: "+5521987650003", Service: "Limpeza de pele", StartsAt: at(7, 9, 15)},
	}
	for _, in := range demo {
		if _, _, _, err := svc.Create(ctx, t, in); err != nil {
			return nil, fmt.Errorf("demo appointment %s: %w", in.ExternalID, err)
		}
	}
	return t, nil
}

// The demo owner of studio-jana in the Auth emulator (written in the README; local use
// only).
const (
	DemoOwnerEmail    = "jana@studio-jana.example"
	DemoOwnerPassword = "lembra-demo-123"
)

// SeedDemoOwner clears the stack's users in the Auth emulator and creates the demo
// owner of studio-jana and the owner of the second studio, with their staff mappings
// (SeedDemo first: the tenants must exist); uid is studio-jana's owner's.
func (s *Stack) SeedDemoOwner(ctx context.Context) (uid string, err error) {
	if err := s.ClearAuth(ctx); err != nil {
		return "", err
	}
	if uid, err = s.AddStaff(ctx, DemoTenantID, domain.RoleOwner, DemoOwnerEmail, DemoOwnerPassword); err != nil {
		return "", err
	}
	if _, err := s.AddStaff(ctx, DemoSecondTenantID, domain.RoleOwner, DemoSecondOwnerEmail, DemoSecondOwnerPassword); err != nil {
		return "", err
	}
	return uid, nil
}

// seedDemoSignup stores the second studio (no number, no token) and gives the Meta
// stand-in the fake businesses and their templates.
func (s *Stack) seedDemoSignup(ctx context.Context) error {
	st, err := s.Env.Store(ctx)
	if err != nil {
		return err
	}
	if _, err := tenants.Save(ctx, st, s.secretWriter, tenants.Spec{Tenant: DemoSecondTenant()}, time.Now()); err != nil {
		return fmt.Errorf("demo second studio: %w", err)
	}
	for _, b := range DemoBusinesses() {
		s.Meta.AddBusiness(b)
		for _, ref := range DemoTenant().Templates {
			s.Meta.AddTemplate(b.PhoneNumberID, metastandin.Template{Name: ref.Name, Language: ref.Language, BodyParams: 5, Status: "APPROVED"})
		}
	}
	return nil
}
