// Command tenant creates or updates a tenant and issues an API key for its booking
// system. It reads GOOGLE_CLOUD_PROJECT (and, locally, FIRESTORE_EMULATOR_HOST and
// SECRET_MANAGER_EMULATOR_HOST) like the functions do. The tenant's Meta access token
// is read from the META_ACCESS_TOKEN environment variable, never from a flag, so it
// stays out of shell history.
//
//	META_ACCESS_TOKEN=… go run ./scripts/tenant -id studio-jana -name "Studio Jana" \
//	  -location "Rua Augusta, 1500 – São Paulo" -phone-number-id 1065… -waba-id 1022… \
//	  -created-template aviso_de_agendamento -reminder-template confirmacao_de_agendamento_24h
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/lembra-app/lembra/shared/app"
	"github.com/lembra-app/lembra/shared/config"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/tenants"
)

func main() {
	var (
		id       = flag.String("id", "", "tenant id: letters, digits, - and _")
		name     = flag.String("name", "", "business name")
		tz       = flag.String("time-zone", domain.DefaultTimeZone, "IANA time zone")
		location = flag.String("location", "", "studio location line (template variable)")
		mode     = flag.String("mode", "disabled", "disabled, dry_run or enabled")
		pnID     = flag.String("phone-number-id", "", "WhatsApp phone number id")
		wabaID   = flag.String("waba-id", "", "WhatsApp Business Account id")
		display  = flag.String("display-number", "", "the number as clients see it")
		created  = flag.String("created-template", "", "approved template for the booking notice")
		reminder = flag.String("reminder-template", "", "approved template for the 24-hour reminder")
		lang     = flag.String("language", "pt_BR", "language code of the templates")
		newKey   = flag.Bool("api-key", true, "issue a new API key")
	)
	flag.Parse()
	if err := run(*id, *name, *tz, *location, *mode, *pnID, *wabaID, *display, *created, *reminder, *lang, *newKey); err != nil {
		fmt.Fprintln(os.Stderr, "tenant:", err)
		os.Exit(1)
	}
}

func run(id, name, tz, location, mode, pnID, wabaID, display, created, reminder, lang string, newKey bool) error {
	m, err := domain.ParseMode(mode)
	if err != nil {
		return err
	}
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	env := app.New(cfg, nil)
	st, err := env.Store(ctx)
	if err != nil {
		return err
	}
	sm, err := env.SecretManager(ctx)
	if err != nil {
		return err
	}
	templates := map[string]domain.TemplateRef{}
	if created != "" {
		templates[string(domain.JobCreated)] = domain.TemplateRef{Name: created, Language: lang}
	}
	if reminder != "" {
		templates[string(domain.JobReminder)] = domain.TemplateRef{Name: reminder, Language: lang}
	}
	t, err := tenants.Save(ctx, st, sm, tenants.Spec{
		Tenant: domain.Tenant{
			ID: id, Name: name, TimeZone: tz, LocationLine: location, Mode: m, Templates: templates,
			WhatsApp: domain.WhatsApp{PhoneNumberID: pnID, WABAID: wabaID, DisplayPhoneNumber: display},
		},
		AccessToken: os.Getenv("META_ACCESS_TOKEN"),
	}, time.Now())
	if err != nil {
		return err
	}
	fmt.Printf("tenant %s saved (mode %s, token secret %q)\n", t.ID, t.Mode, t.WhatsApp.AccessTokenSecret)
	if newKey {
		key, err := tenants.NewAPIKey(ctx, st, t.ID, "scripts/tenant", time.Now())
		if err != nil {
			return err
		}
		fmt.Printf("API key (shown once, store it in the booking system): %s\n", key)
	}
	return nil
}
