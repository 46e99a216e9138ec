// Command tenant creates or updates a tenant and manages its booking system's API
// keys. It reads GOOGLE_CLOUD_PROJECT (and, locally, FIRESTORE_EMULATOR_HOST and
// SECRET_MANAGER_EMULATOR_HOST) like the functions do. The tenant's Meta access token
// is read from the META_ACCESS_TOKEN environment variable, never from a flag, so it
// stays out of shell history.
//
// Creating a tenant (-name and -location are required; mode defaults to disabled) also
// issues an API key unless -api-key=false:
//
//	META_ACCESS_TOKEN=… go run ./scripts/tenant -id studio-jana -name "Studio Jana" \
//	  -location "Rua Augusta, 1500 – São Paulo" -phone-number-id 1065… -waba-id 1022… \
//	  -created-template aviso_de_agendamento -reminder-template confirmacao_de_agendamento_24h
//
// Running it again for an existing tenant changes only the fields given on the command
// line, in one Firestore transaction; everything else (kill switch, labels, template
// statuses, the connection state Meta's events keep, created_at) stays as stored.
// Clearing the phone number id or the WABA id takes -clear-phone-number-id or
// -clear-waba-id. A new API key is issued for an existing tenant only with -api-key.
// Rotating the token is META_ACCESS_TOKEN=… with just -id.
//
//	go run ./scripts/tenant -id studio-jana -list-keys
//	go run ./scripts/tenant -id studio-jana -revoke-key 3f9c…
//
// Jobs written before the Mensagens panel selected its views by the job's settled flag
// (domain.Job.Settled) are listed there only after
//
//	go run ./scripts/tenant -id studio-jana -backfill-settled
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lembra-app/lembra/shared/app"
	"github.com/lembra-app/lembra/shared/config"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/store"
	"github.com/lembra-app/lembra/shared/tenants"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr, cloudDeps, time.Now)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "tenant:", err)
		os.Exit(1)
	}
}

// deps opens what a run writes to: Firestore and Secret Manager.
type deps func(ctx context.Context) (*store.Store, tenants.SecretWriter, error)

func cloudDeps(ctx context.Context) (*store.Store, tenants.SecretWriter, error) {
	cfg, err := config.FromEnv()
	if err != nil {
		return nil, nil, err
	}
	env := app.New(cfg, nil)
	st, err := env.Store(ctx)
	if err != nil {
		return nil, nil, err
	}
	sm, err := env.SecretManager(ctx)
	if err != nil {
		return nil, nil, err
	}
	return st, sm, nil
}

// request is one command line, parsed: what to change and what to do with keys.
type request struct {
	id        string
	change    tenants.Change
	apiKey    *bool // nil: not given (a key for a new tenant, none for an existing one)
	keyLabel  string
	listKeys  bool
	revokeKey string
	backfill  bool
}

// parse reads a command line. Only flags given on it (flag.Visit) become part of the
// change, so an omitted flag never overwrites what is stored with its default.
func parse(args []string, stderr io.Writer) (*request, error) {
	fs := flag.NewFlagSet("tenant", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		id             = fs.String("id", "", "tenant id: letters, digits, - and _ (required)")
		name           = fs.String("name", "", "business name (required for a new tenant)")
		tz             = fs.String("time-zone", domain.DefaultTimeZone, "IANA time zone (new tenant default: "+domain.DefaultTimeZone+")")
		location       = fs.String("location", "", "studio location line, the template's location variable (required for a new tenant)")
		mode           = fs.String("mode", string(domain.ModeDisabled), "disabled, dry_run or enabled (new tenant default: disabled)")
		killSwitch     = fs.Bool("kill-switch", false, "stop (true) or allow (false) every send of this tenant")
		staffLabel     = fs.String("staff-label", "", "label of the talk-to-staff button, e.g. \"Falar com a Jana\"")
		rescheduleText = fs.String("reschedule-text", "", "answer to a Reagendar tap (empty: the default text)")
		pnID           = fs.String("phone-number-id", "", "WhatsApp phone number id")
		wabaID         = fs.String("waba-id", "", "WhatsApp Business Account id")
		display        = fs.String("display-number", "", "the number as clients see it")
		clearPN        = fs.Bool("clear-phone-number-id", false, "remove the phone number id (and its display number)")
		clearWABA      = fs.Bool("clear-waba-id", false, "remove the WABA id")
		created        = fs.String("created-template", "", "approved template for the booking notice")
		reminder       = fs.String("reminder-template", "", "approved template for the 24-hour reminder")
		lang           = fs.String("language", "pt_BR", "language code of the templates named in this run")
		apiKey         = fs.Bool("api-key", false, "issue a new API key (default: true for a new tenant, false for an existing one)")
		keyLabel       = fs.String("api-key-label", "scripts/tenant", "label of the new API key, e.g. the booking system's name")
		listKeys       = fs.Bool("list-keys", false, "list the tenant's API keys and change nothing")
		revokeKey      = fs.String("revoke-key", "", "revoke the tenant's API key with this id and change nothing")
		backfill       = fs.Bool("backfill-settled", false, "give the tenant's jobs written before the Mensagens panel's settled flag their flag, and change nothing else")
	)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if *id == "" {
		return nil, errors.New("-id is required")
	}
	req := &request{id: *id, keyLabel: *keyLabel, listKeys: *listKeys, revokeKey: strings.TrimSpace(*revokeKey), backfill: *backfill}
	if req.backfill {
		for f := range given {
			if f != "id" && f != "backfill-settled" {
				return nil, fmt.Errorf("-backfill-settled changes nothing else: drop -%s", f)
			}
		}
		return req, nil
	}
	if given["revoke-key"] && req.revokeKey == "" {
		return nil, errors.New("-revoke-key needs a key id (see -list-keys)")
	}
	if req.listKeys || given["revoke-key"] {
		for f := range given {
			if f != "id" && f != "list-keys" && f != "revoke-key" {
				return nil, fmt.Errorf("-list-keys and -revoke-key change nothing else: drop -%s", f)
			}
		}
		if req.listKeys && given["revoke-key"] {
			return nil, errors.New("give -list-keys or -revoke-key, not both")
		}
		return req, nil
	}

	str := func(flagName string, v *string) *string {
		if given[flagName] {
			return v
		}
		return nil
	}
	c := &req.change
	c.Name = str("name", name)
	c.TimeZone = str("time-zone", tz)
	c.LocationLine = str("location", location)
	c.StaffLabel = str("staff-label", staffLabel)
	c.RescheduleText = str("reschedule-text", rescheduleText)
	c.PhoneNumberID = str("phone-number-id", pnID)
	c.WABAID = str("waba-id", wabaID)
	c.DisplayPhoneNumber = str("display-number", display)
	c.ClearPhoneNumberID = *clearPN
	c.ClearWABAID = *clearWABA
	if given["mode"] {
		m, err := domain.ParseMode(*mode)
		if err != nil {
			return nil, err
		}
		c.Mode = &m
	}
	if given["kill-switch"] {
		c.KillSwitch = killSwitch
	}
	if given["language"] && !given["created-template"] && !given["reminder-template"] {
		return nil, errors.New("-language applies to the templates named in the same run: add -created-template or -reminder-template")
	}
	for flagName, jt := range map[string]domain.JobType{"created-template": domain.JobCreated, "reminder-template": domain.JobReminder} {
		if !given[flagName] {
			continue
		}
		v := *created
		if jt == domain.JobReminder {
			v = *reminder
		}
		if c.Templates == nil {
			c.Templates = map[string]domain.TemplateRef{}
		}
		c.Templates[string(jt)] = domain.TemplateRef{Name: v, Language: *lang}
	}
	if given["api-key"] {
		req.apiKey = apiKey
	}
	return req, nil
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, open deps, now func() time.Time) error {
	req, err := parse(args, stderr)
	if err != nil {
		return err
	}
	st, sw, err := open(ctx)
	if err != nil {
		return err
	}
	switch {
	case req.backfill:
		read, changed, err := st.BackfillSettled(ctx, req.id)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "tenant %s: %d jobs read, %d given their settled flag\n", req.id, read, changed)
		return nil
	case req.listKeys:
		return listKeys(ctx, st, req.id, stdout)
	case req.revokeKey != "":
		k, err := st.RevokeAPIKey(ctx, req.id, req.revokeKey, now())
		if errors.Is(err, domain.ErrNotFound) {
			return fmt.Errorf("tenant %s has no API key %q (see -list-keys)", req.id, req.revokeKey)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "API key %s (%s) of tenant %s revoked at %s: the API refuses it from now on\n",
			k.ID, k.Label, req.id, k.RevokedAt.Format(time.RFC3339))
		return nil
	}

	t, created, err := tenants.Update(ctx, st, sw, req.id, req.change, getenv("META_ACCESS_TOKEN"), now())
	if err != nil {
		return err
	}
	verb := "updated"
	switch {
	case created:
		verb = "created"
	case req.change.Empty() && strings.TrimSpace(getenv("META_ACCESS_TOKEN")) == "":
		verb = "unchanged"
	}
	fmt.Fprintf(stdout, "tenant %s %s (mode %s, kill switch %t, phone number id %q, WABA id %q, token secret %q)\n",
		t.ID, verb, t.Mode, t.KillSwitch, t.WhatsApp.PhoneNumberID, t.WhatsApp.WABAID, t.WhatsApp.AccessTokenSecret)
	issue := created // a new tenant gets a key unless -api-key=false; an existing one only with -api-key
	if req.apiKey != nil {
		issue = *req.apiKey
	}
	if !issue {
		return nil
	}
	key, err := tenants.NewAPIKey(ctx, st, t.ID, req.keyLabel, now())
	if err != nil {
		return err
	}
	id, _ := tenants.ParseAPIKey(key)
	fmt.Fprintf(stdout, "API key %s (shown once, store it in the booking system): %s\n", id, key)
	return nil
}

func listKeys(ctx context.Context, st *store.Store, tenantID string, out io.Writer) error {
	keys, err := st.TenantAPIKeys(ctx, tenantID)
	if err != nil {
		return err
	}
	if len(keys) == 0 {
		fmt.Fprintf(out, "tenant %s has no API keys\n", tenantID)
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tLABEL\tCREATED\tLAST USED\tSTATE")
	when := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.UTC().Format(time.RFC3339)
	}
	for _, k := range keys {
		state := "active"
		switch {
		case !k.RevokedAt.IsZero():
			state = "revoked " + when(k.RevokedAt)
		case k.Hash == "":
			state = "old format, refused"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", k.ID, k.Label, when(k.CreatedAt), when(k.LastUsedAt), state)
	}
	return tw.Flush()
}
