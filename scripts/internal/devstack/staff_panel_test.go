package devstack_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/scripts/internal/emulators"
	"github.com/lembra-app/lembra/shared/domain"
)

// TestStaffAgendaAndMessages: through the whole stack with real ID tokens from the Auth
// emulator, a studio's members see the day's appointment with its notice's ticks moving
// to lida as the Meta stand-in posts webhooks, its reminder scheduled, the appointment's
// jobs and timelines, and its jobs in the Mensagens panel (by list and by client search);
// another studio's owner sees none of it (404 for its id, empty lists, a cursor made from
// the first studio's job positions only their own query); bad parameters are 400s
// naming the field; an API key or no token is 401.
func TestStaffAgendaAndMessages(t *testing.T) {
	s := devstack.ForTest(t, devstack.Options{Project: emulators.AuthProject, AutoStatuses: []string{"sent", "delivered", "read"}})
	ctx := context.Background()
	jana, key := demoStudio(t, s, "panel-jana", "", "102290129340501", "106540352242951")
	other, _ := demoStudio(t, s, "panel-bela", "Studio Bela", "102290129340502", "106540352242952")
	const password = "senha-de-teste-123"
	suffix := time.Now().UnixNano()
	token := func(tenantID string, role domain.StaffRole, name string) string {
		t.Helper()
		email := fmt.Sprintf("%s-%d@example.com", name, suffix)
		if _, err := s.AddStaff(ctx, tenantID, role, email, password); err != nil {
			t.Fatal(err)
		}
		tok, err := s.SignIn(ctx, email, password)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	owner := token(jana.ID, domain.RoleOwner, "jana")
	staff := token(jana.ID, domain.RoleStaff, "bia")
	stranger := token(other.ID, domain.RoleOwner, "dona")

	loc := jana.Location()
	startsAt := time.Now().In(loc).Add(72 * time.Hour).Truncate(time.Minute)
	created := call(t, s, key, "POST", "/v1/appointments", appointmentBody(fmt.Sprint("panel-", suffix), startsAt))
	if created.Status != 201 {
		t.Fatalf("create: %d %s", created.Status, created.Raw)
	}
	aptID := appointmentID(t, created)
	day := startsAt.Format("2006-01-02")

	agendaOf := func(tok string) []any {
		t.Helper()
		r := call(t, s, tok, "GET", "/v1/staff/agenda?date="+day, nil)
		if r.Status != 200 {
			t.Fatalf("agenda: %d %s", r.Status, r.Raw)
		}
		apts, _ := r.Body["appointments"].([]any)
		return apts
	}
	var row map[string]any
	deadline := time.Now().Add(20 * time.Second)
	for {
		apts := agendaOf(owner)
		if len(apts) != 1 {
			t.Fatalf("agenda of %s holds %d appointments, want 1", day, len(apts))
		}
		row = apts[0].(map[string]any)
		if row["notice"].(map[string]any)["state"] == "read" || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	notice, reminder := row["notice"].(map[string]any), row["reminder"].(map[string]any)
	if row["id"] != aptID || row["client_name"] != "Maria Souza" || row["starts_at_local"] != startsAt.Format("02/01/2006 15:04") {
		t.Fatalf("agenda row %v", row)
	}
	if notice["state"] != "read" || notice["label"] != "lida" || notice["at_local"] == "" {
		t.Fatalf("notice %v, want read (lida) with its time", notice)
	}
	if reminder["state"] != "scheduled" || reminder["at_local"] != startsAt.Add(-24*time.Hour).Format("02/01/2006 15:04") {
		t.Fatalf("reminder %v, want scheduled 24 h before", reminder)
	}
	if got := agendaOf(staff); len(got) != 1 {
		t.Fatalf("staff role sees %d appointments", len(got))
	}
	if got := agendaOf(stranger); len(got) != 0 {
		t.Fatalf("another studio's owner sees %v", got)
	}

	detail := call(t, s, owner, "GET", "/v1/staff/appointments/"+aptID, nil)
	jobs, _ := detail.Body["jobs"].([]any)
	if detail.Status != 200 || len(jobs) != 2 {
		t.Fatalf("detail: %d %s", detail.Status, detail.Raw)
	}
	for _, j := range jobs {
		if tl, _ := j.(map[string]any)["timeline"].([]any); len(tl) == 0 {
			t.Fatalf("job without timeline: %v", j)
		}
	}
	for name, tc := range map[string]struct {
		tok, path string
		status    int
		code      string
	}{
		"another studio's appointment": {stranger, "/v1/staff/appointments/" + aptID, 404, "not_found"},
		"an id of no shape":            {owner, "/v1/staff/appointments/..%2Fx", 404, "not_found"},
		"the API key":                  {key, "/v1/staff/agenda", 401, "unauthenticated"},
		"no token":                     {"", "/v1/staff/messages", 401, "unauthenticated"},
		"a bad date":                   {owner, "/v1/staff/agenda?date=31/12/2026", 400, "invalid_time"},
		"a bad view":                   {owner, "/v1/staff/messages?view=tudo", 400, "invalid_value"},
		"a tampered cursor":            {owner, "/v1/staff/messages?cursor=eyJ2IjoicXVldWUifQ", 400, "invalid_cursor"},
	} {
		r := call(t, s, tc.tok, "GET", tc.path, nil)
		e, _ := r.Body["error"].(map[string]any)
		if r.Status != tc.status || e["code"] != tc.code {
			t.Errorf("%s: %d %s, want %d %s", name, r.Status, r.Raw, tc.status, tc.code)
		}
	}

	messages := func(tok string, q url.Values) []map[string]any {
		t.Helper()
		r := call(t, s, tok, "GET", "/v1/staff/messages?"+q.Encode(), nil)
		if r.Status != 200 {
			t.Fatalf("messages %v: %d %s", q, r.Status, r.Raw)
		}
		var out []map[string]any
		for _, m := range r.Body["messages"].([]any) {
			out = append(out, m.(map[string]any))
		}
		return out
	}
	queue := messages(staff, url.Values{"view": {"queue"}})
	if len(queue) != 1 || queue[0]["type"] != "appointment_reminder" || queue[0]["client_name"] != "Maria Souza" ||
		queue[0]["template_name"] != "confirmacao_de_agendamento_24h" || queue[0]["status_label"] != "agendada" {
		t.Fatalf("queue %v", queue)
	}
	history := messages(owner, url.Values{"view": {"history"}})
	if len(history) != 1 || history[0]["type_label"] != "aviso de agendamento" || history[0]["status"] != "read" || history[0]["updated_at_local"] == "" {
		t.Fatalf("history %v", history)
	}
	if found := messages(owner, url.Values{"view": {"history"}, "q": {"maria"}}); len(found) != 1 {
		t.Fatalf("search by name: %v", found)
	}
	if found := messages(owner, url.Values{"view": {"queue"}, "q": {"+55 11 98765-4321"}}); len(found) != 1 {
		t.Fatalf("search by phone: %v", found)
	}
	if got := messages(stranger, url.Values{"view": {"queue"}}); len(got) != 0 {
		t.Fatalf("another studio's queue: %v", got)
	}
	if got := messages(stranger, url.Values{"view": {"history"}, "q": {"Maria"}}); len(got) != 0 {
		t.Fatalf("another studio's search: %v", got)
	}
	// A well-formed cursor naming the first studio's job only positions the other
	// studio's own query: it reads nothing of the first studio.
	crafted := base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf(`{"v":"queue","t":%q,"id":%q}`,
		time.Now().Add(-time.Hour).UTC().Format(time.RFC3339Nano), queue[0]["job_id"])))
	if got := messages(stranger, url.Values{"view": {"queue"}, "cursor": {crafted}}); len(got) != 0 || strings.Contains(fmt.Sprint(got), aptID) {
		t.Fatalf("another studio's page after a crafted cursor: %v", got)
	}
}
