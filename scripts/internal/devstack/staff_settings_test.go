package devstack_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/scripts/internal/emulators"
	"github.com/lembra-app/lembra/scripts/internal/standin/metastandin"
	"github.com/lembra-app/lembra/shared/config"
	"github.com/lembra-app/lembra/shared/dispatch"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/ptbr"
)

// settingsJobOf books an appointment with the API key and waits for its booking
// notice to be settled by dispatch.
func settingsJobOf(t *testing.T, s *devstack.Stack, key, tenantID, externalID string) *domain.Job {
	t.Helper()
	r := call(t, s, key, "POST", "/v1/appointments", appointmentBody(externalID, time.Now().Add(72*time.Hour).Truncate(time.Minute)))
	if r.Status != 201 {
		t.Fatalf("book %s: %d %s", externalID, r.Status, r.Raw)
	}
	aptID := appointmentID(t, r)
	return waitJob(t, s, tenantID, domain.JobID(aptID, domain.JobCreated, 1), 15*time.Second, final)
}

// TestStaffSettings: through the whole stack, with real ID tokens, the settings an
// owner changes take effect on the very next dispatch: the kill switch on skips the next
// notice with its Portuguese reason; a new template is the one the Meta stand-in
// receives; dry_run records the next notice without sending it. Every change is in the
// history (who, when, old → new), newest first in bounded pages. A staff member reads
// the settings but gets 403 changing them or touching API keys; bad input is a
// Portuguese field error that changes nothing; a mode beyond the environment's is
// refused. An API key created in the dashboard is shown once, works, and once revoked
// the booking API refuses it at once; another studio never reaches this one's keys;
// no, expired or forged tokens are 401.
func TestStaffSettings(t *testing.T) {
	s := devstack.ForTest(t, devstack.Options{Project: emulators.AuthProject})
	ctx := context.Background()
	jana, key := demo(t, s, func(tn *devstack.Tenant) {
		tn.ID = "settings-jana"
		tn.APIKey = ""
		tn.WhatsApp.WABAID, tn.WhatsApp.PhoneNumberID = "102290129340701", "106540352249701"
	})
	other, otherKey := demoStudio(t, s, "settings-bela", "Studio Bela", "102290129340702", "106540352249702")
	const password = "senha-de-teste-123"
	suffix := time.Now().UnixNano()
	sign := func(tid string, role domain.StaffRole, name string) (string, string) {
		t.Helper()
		email := fmt.Sprintf("%s-%d@example.com", name, suffix)
		if _, err := s.AddStaff(ctx, tid, role, email, password); err != nil {
			t.Fatal(err)
		}
		tok, err := s.SignIn(ctx, email, password)
		if err != nil {
			t.Fatal(err)
		}
		return tok, email
	}
	owner, ownerEmail := sign(jana.ID, domain.RoleOwner, "dona")
	staff, _ := sign(jana.ID, domain.RoleStaff, "bia")
	stranger, _ := sign(other.ID, domain.RoleOwner, "outra")
	phone := jana.WhatsApp.PhoneNumberID

	// What every member reads.
	got := call(t, s, staff, "GET", "/v1/staff/settings", nil)
	if got.Status != 200 || got.Body["mode"] != "enabled" || got.Body["environment_mode"] != string(s.Config.Mode) ||
		got.Body["can_edit"] != false || got.Body["staff_label"] != "Falar com a Jana" || got.Body["time_zone"] != "America/Sao_Paulo" {
		t.Fatalf("settings as staff: %d %s", got.Status, got.Raw)
	}
	tpls := got.Body["templates"].([]any)
	if len(tpls) != 2 || tpls[0].(map[string]any)["name"] != "aviso_de_agendamento" || tpls[0].(map[string]any)["sendable"] != true {
		t.Fatalf("templates: %v", tpls)
	}
	if days := got.Body["opening_hours"].([]any); len(days) != 7 || days[0].(map[string]any)["label"] != "Não informado" {
		t.Fatalf("opening hours: %v", days)
	}
	if r := call(t, s, stranger, "GET", "/v1/staff/settings", nil); r.Status != 200 || r.Body["can_edit"] != true ||
		r.Body["location_line"] != other.LocationLine {
		t.Fatalf("another studio's owner reads her own: %d %s", r.Status, r.Raw)
	}

	// A staff member cannot change anything; nothing changes.
	for _, c := range []struct{ method, path string }{
		{"PATCH", "/v1/staff/settings"}, {"GET", "/v1/staff/api-keys"}, {"POST", "/v1/staff/api-keys"},
		{"POST", "/v1/staff/api-keys/0123456789abcdef/revoke"},
	} {
		if r := call(t, s, staff, c.method, c.path, map[string]any{"kill_switch": true}); r.Status != 403 || !strings.Contains(r.Raw, "forbidden") {
			t.Errorf("staff %s %s: %d %s", c.method, c.path, r.Status, r.Raw)
		}
	}
	if ten := tenantNow(t, s, jana.ID); ten.KillSwitch {
		t.Fatal("a staff member's PATCH turned the kill switch on")
	}

	// Bad input: a Portuguese field error, nothing stored.
	for _, c := range []struct {
		body  map[string]any
		field string
		says  string
	}{
		{map[string]any{"staff_label": "Falar com a Jana Beleza"}, "staff_label", "20 caracteres"},
		{map[string]any{"kill_switch": true, "time_zone": "Mars/Olympus"}, "time_zone", "Fuso horário"},
		{map[string]any{"opening_hours": map[string]any{"monday": map[string]any{"open": "18:00", "close": "09:00"}}}, "opening_hours.monday.close", "depois da abertura"},
		{map[string]any{"templates": map[string]any{"appointment_created": map[string]any{"name": "Aviso Novo", "language": "pt_BR"}}}, "templates.appointment_created.name", "minúsculas"},
		{map[string]any{"mode": "ligado"}, "mode", "Modo inválido"},
		{map[string]any{}, "", "Nenhuma configuração"},
	} {
		r := call(t, s, owner, "PATCH", "/v1/staff/settings", c.body)
		if r.Status != 400 || !strings.Contains(r.Raw, c.says) || (c.field != "" && !strings.Contains(r.Raw, `"field":"`+c.field+`"`)) {
			t.Errorf("PATCH %v: %d %s", c.body, r.Status, r.Raw)
		}
	}
	if r := call(t, s, owner, "PATCH", "/v1/staff/settings", `{"kill_switch":true,"color":"pink"}`); r.Status != 400 || !strings.Contains(r.Raw, "unknown_field") {
		t.Errorf("unknown field: %d %s", r.Status, r.Raw)
	}
	if ten := tenantNow(t, s, jana.ID); ten.KillSwitch || ten.TimeZone != "America/Sao_Paulo" || len(ten.OpeningHours) != 0 {
		t.Fatalf("a refused change stored something: %+v", ten)
	}
	if h := call(t, s, owner, "GET", "/v1/staff/settings/audit", nil); h.Status != 200 || len(h.Body["entries"].([]any)) != 0 {
		t.Fatalf("history after refused changes: %d %s", h.Status, h.Raw)
	}

	// Kill switch on: the very next notice is skipped with its reason, Meta gets nothing.
	before := settingsSends(s, phone)
	changedAt := time.Now()
	r := call(t, s, owner, "PATCH", "/v1/staff/settings", map[string]any{"kill_switch": true})
	ks := r.Body["kill_switch"].(map[string]any)
	if r.Status != 200 || ks["on"] != true || ks["changed_by"] != ownerEmail || ks["changed_at_local"] == "" {
		t.Fatalf("kill switch on: %d %s", r.Status, r.Raw)
	}
	j := settingsJobOf(t, s, key, jana.ID, "settings-1")
	if j.Status != domain.JobSkipped || j.ReasonCode != domain.ReasonKillSwitch || j.Reason != ptbr.Reason(domain.ReasonKillSwitch).Text {
		t.Fatalf("the notice after the kill switch: %s %s %q", j.Status, j.ReasonCode, j.Reason)
	}
	if n := settingsSends(s, phone); n != before {
		t.Fatalf("Meta got %d requests with the kill switch on", n-before)
	}

	// A new template (approved at Meta) and the kill switch off: the next notice goes out
	// with the new template.
	s.Meta.AddTemplate(phone, metastandin.Template{Name: "aviso_novo", Language: "pt_BR", BodyParams: 5, Status: "APPROVED"})
	r = call(t, s, owner, "PATCH", "/v1/staff/settings", map[string]any{"kill_switch": false,
		"templates":     map[string]any{"appointment_created": map[string]any{"name": "aviso_novo", "language": "pt_BR"}},
		"opening_hours": map[string]any{"monday": map[string]any{"open": "09:00", "close": "18:00"}, "sunday": map[string]any{"closed": true}}})
	if r.Status != 200 || r.Body["templates"].([]any)[0].(map[string]any)["name"] != "aviso_novo" ||
		r.Body["opening_hours"].([]any)[0].(map[string]any)["label"] != "09:00 às 18:00" || r.Body["opening_hours"].([]any)[6].(map[string]any)["label"] != "Fechado" {
		t.Fatalf("template change: %d %s", r.Status, r.Raw)
	}
	j = settingsJobOf(t, s, key, jana.ID, "settings-2")
	if j.Status == domain.JobSkipped || j.Status == domain.JobFailed || j.TemplateName != "aviso_novo" {
		t.Fatalf("the notice after the template change: %s %s %q template %s", j.Status, j.ReasonCode, j.Reason, j.TemplateName)
	}
	var sentNew bool
	for _, q := range s.Meta.Accepted() {
		if q.PhoneNumberID == phone && q.TemplateName == "aviso_novo" {
			sentNew = true
		}
	}
	if !sentNew {
		t.Fatal("the Meta stand-in never received the new template")
	}

	// dry_run: the next notice is recorded, not sent.
	before = settingsSends(s, phone)
	if r := call(t, s, owner, "PATCH", "/v1/staff/settings", map[string]any{"mode": "dry_run"}); r.Status != 200 || r.Body["effective_mode"] != "dry_run" {
		t.Fatalf("dry_run: %d %s", r.Status, r.Raw)
	}
	j = settingsJobOf(t, s, key, jana.ID, "settings-3")
	if j.Status != domain.JobSkipped || j.ReasonCode != domain.ReasonDryRun || !strings.Contains(j.DryRunRequest, "aviso_novo") || settingsSends(s, phone) != before {
		t.Fatalf("the notice in dry run: %s %s request %q", j.Status, j.ReasonCode, j.DryRunRequest)
	}

	// The history: who, when, old → new, newest first, in pages.
	h := call(t, s, staff, "GET", "/v1/staff/settings/audit?limit=3", nil)
	if h.Status != 200 {
		t.Fatalf("history: %d %s", h.Status, h.Raw)
	}
	type change struct{ field, old, new string }
	var changes []change
	cursor := ""
	for page := 0; page < 5; page++ {
		path := "/v1/staff/settings/audit?limit=3"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		h := call(t, s, owner, "GET", path, nil)
		if h.Status != 200 || len(h.Body["entries"].([]any)) > 3 {
			t.Fatalf("history page %d: %d %s", page, h.Status, h.Raw)
		}
		for _, raw := range h.Body["entries"].([]any) {
			e := raw.(map[string]any)
			at, _ := time.Parse(time.RFC3339Nano, e["at"].(string))
			if e["by"] != ownerEmail || at.Before(changedAt.Add(-time.Minute)) || at.After(time.Now()) || e["at_local"] == "" || e["field_label"] == "" {
				t.Errorf("entry %v: who or when", e)
			}
			changes = append(changes, change{e["field"].(string), e["old"].(string), e["new"].(string)})
		}
		cursor, _ = h.Body["next_cursor"].(string)
		if cursor == "" {
			break
		}
	}
	want := []change{
		{"mode", "enabled", "dry_run"},
		// One PATCH's entries, in the order SettingsMerge lists them.
		{"kill_switch", "true", "false"}, {"templates.appointment_created", "aviso_de_agendamento (pt_BR)", "aviso_novo (pt_BR)"},
		{"opening_hours.monday", "", "09:00 às 18:00"}, {"opening_hours.sunday", "", "Fechado"},
		{"kill_switch", "false", "true"},
	}
	if fmt.Sprint(changes) != fmt.Sprint(want) {
		t.Errorf("history:\n  %v\nwant\n  %v", changes, want)
	}
	if r := call(t, s, owner, "GET", "/v1/staff/settings/audit?cursor=nope", nil); r.Status != 400 || !strings.Contains(r.Raw, "invalid_cursor") {
		t.Errorf("a bad cursor: %d %s", r.Status, r.Raw)
	}
	if r := call(t, s, stranger, "GET", "/v1/staff/settings/audit", nil); r.Status != 200 || len(r.Body["entries"].([]any)) != 0 {
		t.Errorf("another studio's history: %d %s", r.Status, r.Raw)
	}

	// API keys: created and shown once, used, revoked and refused at once.
	created := call(t, s, owner, "POST", "/v1/staff/api-keys", map[string]any{"label": "Agenda online"})
	newKey, _ := created.Body["key"].(string)
	if created.Status != 201 || !strings.HasPrefix(newKey, "lembra_") || created.Body["api_key"].(map[string]any)["label"] != "Agenda online" {
		t.Fatalf("create key: %d %s", created.Status, created.Raw)
	}
	keyID := created.Body["api_key"].(map[string]any)["id"].(string)
	if r := call(t, s, owner, "POST", "/v1/staff/api-keys", map[string]any{"label": " "}); r.Status != 400 || !strings.Contains(r.Raw, `"field":"label"`) {
		t.Errorf("a key without a label: %d %s", r.Status, r.Raw)
	}
	if r := call(t, s, newKey, "POST", "/v1/appointments", appointmentBody("settings-key-1", time.Now().Add(72*time.Hour))); r.Status != 201 {
		t.Fatalf("the new key books: %d %s", r.Status, r.Raw)
	}
	list := call(t, s, owner, "GET", "/v1/staff/api-keys", nil)
	if list.Status != 200 || strings.Contains(list.Raw, newKey) || strings.Contains(list.Raw, newKey[len(newKey)-52:]) {
		t.Fatalf("list keys: %d %s", list.Status, list.Raw)
	}
	var listed map[string]any
	for _, raw := range list.Body["keys"].([]any) {
		if k := raw.(map[string]any); k["id"] == keyID {
			listed = k
		}
	}
	if listed == nil || listed["last_used_at"] == nil || listed["revoked"] != false || listed["created_at_local"] == "" {
		t.Fatalf("the new key listed: %v", listed)
	}
	// Another studio's owner cannot revoke it (404), and it still works.
	if r := call(t, s, stranger, "POST", "/v1/staff/api-keys/"+keyID+"/revoke", nil); r.Status != 404 {
		t.Errorf("another studio revokes: %d %s", r.Status, r.Raw)
	}
	if r := call(t, s, stranger, "GET", "/v1/staff/api-keys", nil); r.Status != 200 || strings.Contains(r.Raw, keyID) {
		t.Errorf("another studio lists: %d %s", r.Status, r.Raw)
	}
	rv := call(t, s, owner, "POST", "/v1/staff/api-keys/"+keyID+"/revoke", nil)
	if rv.Status != 200 || rv.Body["api_key"].(map[string]any)["revoked"] != true || rv.Body["api_key"].(map[string]any)["revoked_at_local"] == "" {
		t.Fatalf("revoke: %d %s", rv.Status, rv.Raw)
	}
	if r := call(t, s, newKey, "POST", "/v1/appointments", appointmentBody("settings-key-2", time.Now().Add(72*time.Hour))); r.Status != 401 {
		t.Fatalf("the revoked key still books: %d %s", r.Status, r.Raw)
	}
	if again := call(t, s, owner, "POST", "/v1/staff/api-keys/"+keyID+"/revoke", nil); again.Status != 200 ||
		again.Body["api_key"].(map[string]any)["revoked_at"] != rv.Body["api_key"].(map[string]any)["revoked_at"] {
		t.Errorf("revoke again: %d %s", again.Status, again.Raw)
	}
	if r := call(t, s, otherKey, "POST", "/v1/appointments", appointmentBody("settings-bela-1", time.Now().Add(72*time.Hour))); r.Status != 201 {
		t.Errorf("another studio's key is untouched: %d %s", r.Status, r.Raw)
	}
	h = call(t, s, owner, "GET", "/v1/staff/settings/audit?limit=2", nil)
	entries := h.Body["entries"].([]any)
	if len(entries) != 2 || entries[0].(map[string]any)["new"] != "revogada: Agenda online ("+keyID+")" ||
		entries[1].(map[string]any)["new"] != "criada: Agenda online ("+keyID+")" || strings.Contains(h.Raw, newKey) {
		t.Errorf("history of the key: %s", h.Raw)
	}

	// Every new endpoint refuses no token, an expired one and a forged one (401).
	for _, tok := range []struct{ name, token, mention string }{
		{"no token", "", "sign in"},
		{"expired", withClaims(t, owner, map[string]any{"iat": 1700000000, "exp": 1700003600}), "expired"},
		{"forged for another project", withClaims(t, owner, map[string]any{"aud": "another-project", "iss": "https://securetoken.google.com/another-project"}), "not valid"},
		{"an API key", key, "API key"},
	} {
		for _, c := range []struct{ method, path string }{
			{"GET", "/v1/staff/settings"}, {"PATCH", "/v1/staff/settings"}, {"GET", "/v1/staff/settings/audit"},
			{"GET", "/v1/staff/api-keys"}, {"POST", "/v1/staff/api-keys"}, {"POST", "/v1/staff/api-keys/" + keyID + "/revoke"},
		} {
			r := call(t, s, tok.token, c.method, c.path, map[string]any{"kill_switch": true})
			if r.Status != 401 || !strings.Contains(r.Raw, tok.mention) {
				t.Errorf("%s: %s %s: %d %s", tok.name, c.method, c.path, r.Status, r.Raw)
			}
		}
	}
	if ten := tenantNow(t, s, jana.ID); ten.KillSwitch || ten.Mode != domain.ModeDryRun {
		t.Errorf("refused requests changed the tenant: %+v", ten)
	}
}

// TestStaffSettingsModeWithinEnvironment: where the environment runs in dry_run, the
// owner may choose dry_run or disabled but not enabled (400, nothing stored).
func TestStaffSettingsModeWithinEnvironment(t *testing.T) {
	s := devstack.ForTest(t, devstack.Options{Project: emulators.AuthProject, Configure: func(c *config.Config) { c.Mode = domain.ModeDryRun }})
	ctx := context.Background()
	jana, _ := demo(t, s, func(tn *devstack.Tenant) {
		tn.ID, tn.APIKey, tn.Mode = "settings-env", "", domain.ModeDisabled
		tn.WhatsApp.WABAID, tn.WhatsApp.PhoneNumberID = "102290129340703", "106540352249703"
	})
	email := fmt.Sprintf("dona-env-%d@example.com", time.Now().UnixNano())
	if _, err := s.AddStaff(ctx, jana.ID, domain.RoleOwner, email, "senha-de-teste-123"); err != nil {
		t.Fatal(err)
	}
	owner, err := s.SignIn(ctx, email, "senha-de-teste-123")
	if err != nil {
		t.Fatal(err)
	}
	got := call(t, s, owner, "GET", "/v1/staff/settings", nil)
	if got.Status != 200 || got.Body["environment_mode"] != "dry_run" || fmt.Sprint(got.Body["allowed_modes"]) != "[disabled dry_run]" {
		t.Fatalf("settings: %d %s", got.Status, got.Raw)
	}
	if r := call(t, s, owner, "PATCH", "/v1/staff/settings", map[string]any{"mode": "enabled"}); r.Status != 400 ||
		!strings.Contains(r.Raw, `"field":"mode"`) || !strings.Contains(r.Raw, "no máximo o modo dry_run") {
		t.Fatalf("enabled beyond the environment: %d %s", r.Status, r.Raw)
	}
	if ten := tenantNow(t, s, jana.ID); ten.Mode != domain.ModeDisabled {
		t.Fatalf("mode stored: %s", ten.Mode)
	}
	if r := call(t, s, owner, "PATCH", "/v1/staff/settings", map[string]any{"mode": "dry_run"}); r.Status != 200 || r.Body["effective_mode"] != "dry_run" {
		t.Fatalf("dry_run: %d %s", r.Status, r.Raw)
	}
}

// TestStaffSettingsTestRecipient: the studio's own test number, set by the owner through
// PATCH (a Brazilian number, stored as E.164, audited), makes the dry-run mode send the
// next booking notice for real to that number only: the Meta stand-in receives it
// addressed to the test number and never to the client, and the job's timeline says so
// in Portuguese. A bad number is a field error that changes nothing; cleared, the dry
// run only records the next notice and Meta receives nothing.
func TestStaffSettingsTestRecipient(t *testing.T) {
	s := devstack.ForTest(t, devstack.Options{Project: emulators.AuthProject})
	ctx := context.Background()
	jana, key := demoStudio(t, s, "settings-test-number", "", "102290129340704", "106540352249704")
	email := fmt.Sprintf("dona-teste-%d@example.com", time.Now().UnixNano())
	if _, err := s.AddStaff(ctx, jana.ID, domain.RoleOwner, email, "senha-de-teste-123"); err != nil {
		t.Fatal(err)
	}
	owner, err := s.SignIn(ctx, email, "senha-de-teste-123")
	if err != nil {
		t.Fatal(err)
	}
	const client, testNumber = "+5511987654321", "+5511912345678"
	phone := jana.WhatsApp.PhoneNumberID
	if got := call(t, s, owner, "GET", "/v1/staff/settings", nil); got.Status != 200 || got.Body["studio_test_recipient"] != "" {
		t.Fatalf("settings before: %d %s", got.Status, got.Raw)
	}
	if r := call(t, s, owner, "PATCH", "/v1/staff/settings", map[string]any{"mode": "dry_run", "studio_test_recipient": "98765-4321"}); r.Status != 400 ||
		!strings.Contains(r.Raw, `"field":"studio_test_recipient"`) || !strings.Contains(r.Raw, "Número de teste inválido") {
		t.Fatalf("a number without its area code: %d %s", r.Status, r.Raw)
	}
	if ten := tenantNow(t, s, jana.ID); ten.TestRecipient != "" || ten.Mode != domain.ModeEnabled {
		t.Fatalf("a refused change stored something: %+v", ten)
	}
	r := call(t, s, owner, "PATCH", "/v1/staff/settings", map[string]any{"mode": "dry_run", "studio_test_recipient": "(11) 91234-5678"})
	if r.Status != 200 || r.Body["studio_test_recipient"] != testNumber || r.Body["effective_mode"] != "dry_run" {
		t.Fatalf("set the test number: %d %s", r.Status, r.Raw)
	}

	// Dry run with a test number: sent, to the test number only.
	before := len(s.Meta.Requests())
	j := settingsJobOf(t, s, key, jana.ID, "test-number-1")
	if j.Status == domain.JobSkipped || j.Status == domain.JobFailed || j.ProviderMessageID == "" || j.Recipient != testNumber || j.DryRunRequest != "" {
		t.Fatalf("the notice with a test number: %s %s %q recipient %s wamid %q", j.Status, j.ReasonCode, j.Reason, j.Recipient, j.ProviderMessageID)
	}
	var noted bool
	for _, e := range j.Timeline {
		noted = noted || (e.Event == dispatch.EventTestRecipient && e.Detail == ptbr.TestRecipientSent(testNumber))
	}
	if !noted {
		t.Errorf("the timeline does not say it went to the test number: %+v", j.Timeline)
	}
	var toTest int
	for _, q := range s.Meta.Requests()[before:] {
		if q.PhoneNumberID != phone || q.Method != "POST" || !strings.HasSuffix(q.Path, "/messages") {
			continue
		}
		if q.To == client || strings.Contains(string(q.Body), strings.TrimPrefix(client, "+")) {
			t.Fatalf("the client got a message in the dry-run mode: %s", q.Body)
		}
		if q.To == testNumber && q.WAMID != "" && q.WAMID == j.ProviderMessageID {
			toTest++
		}
	}
	if toTest != 1 {
		t.Fatalf("the Meta stand-in accepted %d messages for the test number, want 1", toTest)
	}
	view := call(t, s, owner, "GET", "/v1/staff/jobs/"+j.ID, nil)
	if view.Status != 200 || !strings.Contains(view.Raw, "não para o cliente") {
		t.Errorf("the job's view: %d %s", view.Status, view.Raw)
	}

	// Cleared: the dry run records the next notice only; Meta receives nothing.
	if r := call(t, s, owner, "PATCH", "/v1/staff/settings", map[string]any{"studio_test_recipient": ""}); r.Status != 200 || r.Body["studio_test_recipient"] != "" {
		t.Fatalf("clear the test number: %d %s", r.Status, r.Raw)
	}
	sends := settingsSends(s, phone)
	j = settingsJobOf(t, s, key, jana.ID, "test-number-2")
	if j.Status != domain.JobSkipped || j.ReasonCode != domain.ReasonDryRun || !strings.Contains(j.DryRunRequest, client) || settingsSends(s, phone) != sends {
		t.Fatalf("the notice once cleared: %s %s request %q", j.Status, j.ReasonCode, j.DryRunRequest)
	}

	// The history: both changes of the test number, by the owner.
	h := call(t, s, owner, "GET", "/v1/staff/settings/audit?limit=3", nil)
	type change struct{ field, old, new string }
	var changes []change
	for _, raw := range h.Body["entries"].([]any) {
		e := raw.(map[string]any)
		if e["by"] != email || e["field_label"] == "" {
			t.Errorf("entry %v", e)
		}
		changes = append(changes, change{e["field"].(string), e["old"].(string), e["new"].(string)})
	}
	want := []change{{"studio_test_recipient", testNumber, ""}, {"mode", "enabled", "dry_run"}, {"studio_test_recipient", "", testNumber}}
	if fmt.Sprint(changes) != fmt.Sprint(want) {
		t.Errorf("history:\n  %v\nwant\n  %v", changes, want)
	}
}

// tenantNow reads a tenant as stored.
func tenantNow(t *testing.T, s *devstack.Stack, id string) *domain.Tenant {
	t.Helper()
	ten, err := mustStore(t, s).GetTenant(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return ten
}

// settingsSends counts the sends the Meta stand-in received for one phone number id.
func settingsSends(s *devstack.Stack, phoneNumberID string) int {
	n := 0
	for _, r := range s.Meta.Requests() {
		if r.PhoneNumberID == phoneNumberID && r.Method == "POST" && strings.HasSuffix(r.Path, "/messages") {
			n++
		}
	}
	return n
}
