package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/store"
	"github.com/lembra-app/lembra/shared/tenants"
)

func TestMain(m *testing.M) { os.Exit(devstack.RunTests(m)) }

// TestParseTakesOnlyTheFlagsGiven: a flag left out never becomes part of the change,
// whatever its default.
func TestParseTakesOnlyTheFlagsGiven(t *testing.T) {
	dryRun, enabled := domain.ModeDryRun, domain.ModeEnabled
	tests := []struct {
		name    string
		args    []string
		want    tenants.Change
		apiKey  *bool
		wantErr string
	}{
		{name: "only the mode", args: []string{"-id", "x", "-mode", "dry_run"}, want: tenants.Change{Mode: &dryRun}},
		{name: "nothing but the id", args: []string{"-id", "x"}, want: tenants.Change{}},
		{name: "kill switch", args: []string{"-id", "x", "-kill-switch"}, want: tenants.Change{KillSwitch: ptr(true)}},
		{name: "kill switch off", args: []string{"-id", "x", "-kill-switch=false"}, want: tenants.Change{KillSwitch: ptr(false)}},
		{name: "clear flags", args: []string{"-id", "x", "-clear-phone-number-id", "-clear-waba-id", "-mode", "enabled"},
			want: tenants.Change{ClearPhoneNumberID: true, ClearWABAID: true, Mode: &enabled}},
		{name: "an explicitly empty phone number id is passed on (and refused by the merge)",
			args: []string{"-id", "x", "-phone-number-id", ""}, want: tenants.Change{PhoneNumberID: ptr("")}},
		{name: "a reminder template takes -language", args: []string{"-id", "x", "-reminder-template", "lembrete", "-language", "es"},
			want: tenants.Change{Templates: map[string]domain.TemplateRef{string(domain.JobReminder): {Name: "lembrete", Language: "es"}}}},
		{name: "a template without -language is pt_BR", args: []string{"-id", "x", "-created-template", "aviso"},
			want: tenants.Change{Templates: map[string]domain.TemplateRef{string(domain.JobCreated): {Name: "aviso", Language: "pt_BR"}}}},
		{name: "-api-key given", args: []string{"-id", "x", "-api-key"}, apiKey: ptr(true)},
		{name: "-api-key=false given", args: []string{"-id", "x", "-api-key=false"}, apiKey: ptr(false)},
		{name: "no id", args: []string{"-mode", "enabled"}, wantErr: "-id is required"},
		{name: "bad mode", args: []string{"-id", "x", "-mode", "on"}, wantErr: "mode"},
		{name: "-language alone", args: []string{"-id", "x", "-language", "es"}, wantErr: "-language applies"},
		{name: "-list-keys with a change", args: []string{"-id", "x", "-list-keys", "-mode", "enabled"}, wantErr: "change nothing else"},
		{name: "-revoke-key without id", args: []string{"-id", "x", "-revoke-key", " "}, wantErr: "needs a key id"},
		{name: "stray argument", args: []string{"-id", "x", "enabled"}, wantErr: "unexpected arguments"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := parse(tc.args, io.Discard)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(req.change, tc.want) {
				t.Errorf("change = %+v, want %+v", req.change, tc.want)
			}
			if !reflect.DeepEqual(req.apiKey, tc.apiKey) {
				t.Errorf("api key = %v, want %v", req.apiKey, tc.apiKey)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// cmd runs the command against a local stack, as an operator would with the
// environment pointing at it.
type cmd struct {
	t  *testing.T
	s  *devstack.Stack
	st *store.Store
}

func newCmd(t *testing.T) *cmd {
	s := devstack.ForTest(t, devstack.Options{})
	st, err := s.Env.Store(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return &cmd{t: t, s: s, st: st}
}

func (c *cmd) run(token string, args ...string) (string, error) {
	c.t.Helper()
	var out bytes.Buffer
	open := func(ctx context.Context) (*store.Store, tenants.SecretWriter, error) {
		sm, err := c.s.Env.SecretManager(ctx)
		return c.st, sm, err
	}
	getenv := func(k string) string {
		if k == "META_ACCESS_TOKEN" {
			return token
		}
		return ""
	}
	err := run(context.Background(), args, getenv, &out, io.Discard, open, time.Now)
	return out.String(), err
}

func (c *cmd) mustRun(token string, args ...string) string {
	c.t.Helper()
	out, err := c.run(token, args...)
	if err != nil {
		c.t.Fatalf("tenant %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func (c *cmd) tenant(id string) *domain.Tenant {
	c.t.Helper()
	tn, err := c.st.GetTenant(context.Background(), id)
	if err != nil {
		c.t.Fatal(err)
	}
	return tn
}

func (c *cmd) secret(id string) string {
	c.t.Helper()
	sm, err := c.s.Env.SecretManager(context.Background())
	if err != nil {
		c.t.Fatal(err)
	}
	v, err := sm.Secret(context.Background(), id)
	if err != nil {
		c.t.Fatal(err)
	}
	return string(v)
}

var issuedKey = regexp.MustCompile(`API key ([0-9a-f]{16}) \(shown once[^)]*\): (lembra_\S+)`)

func (c *cmd) owner(col func(context.Context, string) (string, error), id string) string {
	c.t.Helper()
	o, err := col(context.Background(), id)
	if errors.Is(err, domain.ErrNotFound) {
		return ""
	}
	if err != nil {
		c.t.Fatal(err)
	}
	return o
}

// TestRerunChangesOnlyWhatItIsTold runs scripts/tenant against the Firestore emulator
// and the Secret Manager stand-in: after onboarding and what Meta's events and staff
// later set, a second run with only -mode changes only the mode, a token rotation
// changes nothing on the tenant, the phone number and WABA indexes follow a change or
// an explicit clear, and an API key is issued for an existing tenant only when asked.
func TestRerunChangesOnlyWhatItIsTold(t *testing.T) {
	c := newCmd(t)
	ctx := context.Background()
	out := c.mustRun("token-1", "-id", "studio-x", "-name", "Studio X", "-location", "Rua A, 1",
		"-phone-number-id", "1110001", "-waba-id", "2220002", "-display-number", "+55 11 4000-0000",
		"-created-template", "aviso_de_agendamento", "-reminder-template", "confirmacao_24h", "-mode", "dry_run")
	if !strings.Contains(out, "studio-x created") || !issuedKey.MatchString(out) {
		t.Fatalf("creating a tenant should say so and issue a key:\n%s", out)
	}

	// What the events function and staff set later on.
	lastEventAt := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	err := c.st.UpdateTenant(ctx, "studio-x", func(tn *domain.Tenant) error {
		tn.KillSwitch = true
		tn.StaffLabel, tn.RescheduleText = "Falar com a Xênia", "Responda com o melhor dia."
		tn.TemplateStatuses = map[string]domain.TemplateStatus{
			"aviso_de_agendamento:pt_BR": {Name: "aviso_de_agendamento", Language: "pt_BR", Status: "PAUSED", Reason: "LOW_QUALITY", UpdatedAt: lastEventAt},
		}
		tn.WhatsApp.Status, tn.WhatsApp.MessagingTier = "disconnected", "TIER_1K"
		tn.WhatsApp.LastEvent, tn.WhatsApp.LastEventAt, tn.WhatsApp.LastEventInfo = "account_update:PARTNER_REMOVED", lastEventAt, `{"event":"PARTNER_REMOVED"}`
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	before := c.tenant("studio-x")
	if before.CreatedAt.IsZero() || before.WhatsApp.AccessTokenSecret != "meta-token-studio-x" {
		t.Fatalf("onboarded tenant: %+v", before)
	}

	// A second run with only -mode.
	out = c.mustRun("", "-id", "studio-x", "-mode", "enabled")
	if issuedKey.MatchString(out) {
		t.Errorf("a run without -api-key issued a key for an existing tenant:\n%s", out)
	}
	want := *before
	want.Mode = domain.ModeEnabled
	if got := c.tenant("studio-x"); !reflect.DeepEqual(got, &want) {
		t.Errorf("after -mode enabled:\n got  %+v\n want %+v", got, &want)
	}

	// A token rotation: a new secret version, nothing else.
	before = c.tenant("studio-x")
	c.mustRun("token-2", "-id", "studio-x")
	if got := c.tenant("studio-x"); !reflect.DeepEqual(got, before) {
		t.Errorf("a token rotation changed the tenant:\n got  %+v\n want %+v", got, before)
	}
	if v := c.secret("meta-token-studio-x"); v != "token-2" {
		t.Errorf("token secret = %q, want the new token", v)
	}
	if keys, _ := c.st.TenantAPIKeys(ctx, "studio-x"); len(keys) != 1 {
		t.Errorf("%d API keys, want only the one issued at creation", len(keys))
	}

	// A new number moves the phone index; the WABA index stays.
	c.mustRun("", "-id", "studio-x", "-phone-number-id", "3330003")
	if o := c.owner(c.st.TenantForPhoneNumber, "3330003"); o != "studio-x" {
		t.Errorf("new number routes to %q", o)
	}
	if o := c.owner(c.st.TenantForPhoneNumber, "1110001"); o != "" {
		t.Errorf("old number still routes to %q", o)
	}
	if o := c.owner(c.st.TenantForWABA, "2220002"); o != "studio-x" {
		t.Errorf("WABA routes to %q", o)
	}

	// An empty value is refused and changes nothing; clearing takes the flag.
	before = c.tenant("studio-x")
	if _, err := c.run("token-3", "-id", "studio-x", "-waba-id", ""); err == nil || !strings.Contains(err.Error(), "clear") {
		t.Errorf("-waba-id \"\" = %v, want a refusal naming the clear flag", err)
	}
	if got := c.tenant("studio-x"); !reflect.DeepEqual(got, before) {
		t.Errorf("a refused run changed the tenant")
	}
	if v := c.secret("meta-token-studio-x"); v != "token-2" {
		t.Errorf("a refused run stored its token: %q", v)
	}
	c.mustRun("", "-id", "studio-x", "-clear-waba-id")
	if got := c.tenant("studio-x"); got.WhatsApp.WABAID != "" || got.WhatsApp.PhoneNumberID != "3330003" {
		t.Errorf("after -clear-waba-id: %+v", got.WhatsApp)
	}
	if o := c.owner(c.st.TenantForWABA, "2220002"); o != "" {
		t.Errorf("cleared WABA still routes to %q", o)
	}
	c.mustRun("", "-id", "studio-x", "-clear-phone-number-id")
	if got := c.tenant("studio-x"); got.WhatsApp.PhoneNumberID != "" || got.WhatsApp.DisplayPhoneNumber != "" {
		t.Errorf("after -clear-phone-number-id: %+v", got.WhatsApp)
	}
	if o := c.owner(c.st.TenantForPhoneNumber, "3330003"); o != "" {
		t.Errorf("cleared number still routes to %q", o)
	}

	// A number another tenant owns is refused; nothing of the new tenant is stored.
	c.mustRun("", "-id", "studio-x", "-phone-number-id", "3330003")
	if _, err := c.run("", "-id", "studio-y", "-name", "Y", "-location", "Rua Y", "-phone-number-id", "3330003"); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("taking another tenant's number: %v, want a conflict", err)
	}
	if _, err := c.st.GetTenant(ctx, "studio-y"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("a refused creation stored the tenant: %v", err)
	}
	if o := c.owner(c.st.TenantForPhoneNumber, "3330003"); o != "studio-x" {
		t.Errorf("number now routes to %q", o)
	}

	// Asked for, a key is issued; a new tenant with -api-key=false gets none.
	if out := c.mustRun("", "-id", "studio-x", "-api-key", "-api-key-label", "agenda-pro"); !issuedKey.MatchString(out) {
		t.Errorf("-api-key issued no key:\n%s", out)
	}
	if out := c.mustRun("", "-id", "studio-z", "-name", "Z", "-location", "Rua Z", "-api-key=false"); issuedKey.MatchString(out) {
		t.Errorf("-api-key=false issued a key:\n%s", out)
	}
	if keys, _ := c.st.TenantAPIKeys(ctx, "studio-z"); len(keys) != 0 {
		t.Errorf("studio-z has %d keys", len(keys))
	}
}

// TestKeysListedRevokedAndLastUse: keys are listed with label and last use, last use is
// written once per interval however many requests come, and a revoked key is refused
// by the API at once while the tenant's other key still works.
func TestKeysListedRevokedAndLastUse(t *testing.T) {
	c := newCmd(t)
	ctx := context.Background()
	out := c.mustRun("tok", "-id", "studio-k", "-name", "Studio K", "-location", "Rua K, 1", "-api-key-label", "agenda-antiga")
	m := issuedKey.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no key issued:\n%s", out)
	}
	oldID, oldKey := m[1], m[2]
	m = issuedKey.FindStringSubmatch(c.mustRun("", "-id", "studio-k", "-api-key", "-api-key-label", "agenda-nova"))
	if m == nil {
		t.Fatal("no second key issued")
	}
	newID, newKey := m[1], m[2]

	get := func(key string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, c.s.URL+"/api/v1/appointments/apt_000000000000000000000000", nil)
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	lastUsed := func(id string) time.Time {
		t.Helper()
		k, err := c.st.GetAPIKey(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return k.LastUsedAt
	}

	if !lastUsed(oldID).IsZero() {
		t.Fatal("a key never used has a last use")
	}
	start := time.Now()
	if code, body := get(oldKey); code != http.StatusNotFound {
		t.Fatalf("a valid key on an unknown appointment: %d %s, want 404", code, body)
	}
	first := lastUsed(oldID)
	if first.Before(start.Add(-time.Second)) || first.After(time.Now().Add(time.Second)) {
		t.Fatalf("last use %v not recorded at the request (started %v)", first, start)
	}
	for range 5 {
		get(oldKey)
	}
	if got := lastUsed(oldID); !got.Equal(first) {
		t.Errorf("last use rewritten within %v: %v, then %v", tenants.LastUsedInterval, first, got)
	}

	list := c.mustRun("", "-id", "studio-k", "-list-keys")
	for _, s := range []string{oldID, "agenda-antiga", newID, "agenda-nova", first.UTC().Format(time.RFC3339)} {
		if !strings.Contains(list, s) {
			t.Errorf("-list-keys does not show %q:\n%s", s, list)
		}
	}
	if strings.Contains(list, oldKey[len(tenants.APIKeyPrefix)+17:]) || strings.Contains(list, tenants.HashAPIKey(oldKey)) {
		t.Errorf("-list-keys shows a secret or a hash:\n%s", list)
	}

	// Another tenant cannot revoke it.
	c.mustRun("", "-id", "studio-l", "-name", "L", "-location", "Rua L", "-api-key=false")
	if _, err := c.run("", "-id", "studio-l", "-revoke-key", oldID); err == nil {
		t.Error("a tenant revoked another tenant's key")
	}
	if code, _ := get(oldKey); code != http.StatusNotFound {
		t.Errorf("key refused after another tenant's revoke attempt: %d", code)
	}

	out = c.mustRun("", "-id", "studio-k", "-revoke-key", oldID)
	if !strings.Contains(out, "revoked") {
		t.Errorf("revoke output: %s", out)
	}
	if code, body := get(oldKey); code != http.StatusUnauthorized || !strings.Contains(body, "unauthenticated") || !strings.Contains(body, "revoked") {
		t.Errorf("revoked key: %d %s, want 401 unauthenticated (revoked)", code, body)
	}
	if code, _ := get(newKey); code != http.StatusNotFound {
		t.Errorf("the other key after a revoke: %d, want 404 (authenticated)", code)
	}
	if list := c.mustRun("", "-id", "studio-k", "-list-keys"); !regexp.MustCompile(oldID + `.*revoked`).MatchString(list) {
		t.Errorf("-list-keys does not show the key revoked:\n%s", list)
	}
	if _, err := c.run("", "-id", "studio-k", "-revoke-key", "ffffffffffffffff"); err == nil || !strings.Contains(err.Error(), "no API key") {
		t.Errorf("revoking an unknown key: %v", err)
	}
}

// TestBackfillSettled: -backfill-settled gives a job written without the settled flag
// its flag from its status, says how many it changed, and a second run changes none.
func TestBackfillSettled(t *testing.T) {
	c := newCmd(t)
	ctx := context.Background()
	c.mustRun("tok", "-id", "studio-b", "-name", "Studio B", "-location", "Rua B, 1", "-api-key=false")
	fs, err := c.s.Env.Firestore(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ref := fs.Doc("tenants/studio-b/jobs/old-sent")
	if _, err := ref.Set(ctx, map[string]any{"status": "sent", "type": "appointment_created"}); err != nil {
		t.Fatal(err)
	}
	if _, err := parse([]string{"-id", "studio-b", "-backfill-settled", "-name", "X"}, io.Discard); err == nil {
		t.Error("-backfill-settled with -name was accepted")
	}
	if out := c.mustRun("", "-id", "studio-b", "-backfill-settled"); !strings.Contains(out, "1 jobs read, 1 given their settled flag") {
		t.Fatalf("first run: %q", out)
	}
	snap, err := ref.Get(ctx)
	if err != nil || snap.Data()["settled"] != true || snap.Data()["type"] != "appointment_created" {
		t.Fatalf("job after the backfill: %v, %v", snap.Data(), err)
	}
	if out := c.mustRun("", "-id", "studio-b", "-backfill-settled"); !strings.Contains(out, "1 jobs read, 0 given") {
		t.Fatalf("second run: %q", out)
	}
}
