package devstack_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/scripts/internal/emulators"
	"github.com/lembra-app/lembra/shared/domain"
)

// TestStaffJobConversationAndChart: through the whole stack with real ID tokens, a
// studio's member opens a job (its timeline in event order: created, queued, sent,
// delivered, read, and the client's tap), the client's conversation (the notice once,
// the tap, the answer, a manual echo from the Business App, the window open) and the
// chart (today's sends counted by count aggregations, no job read); a malformed job
// answers its card; another studio's owner gets 404 for the job and an empty
// conversation and chart; no token, an API key or a forged token is 401; bad ids are
// 404 and a bad days is 400.
func TestStaffJobConversationAndChart(t *testing.T) {
	s := devstack.ForTest(t, devstack.Options{Project: emulators.AuthProject, AutoStatuses: []string{"sent", "delivered", "read"}})
	ctx := context.Background()
	jana, key := demoStudio(t, s, "panel2-jana", "", "102290129340521", "106540352242971")
	other, _ := demoStudio(t, s, "panel2-bela", "Studio Bela", "102290129340522", "106540352242972")
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
	staff := token(jana.ID, domain.RoleStaff, "bia")
	stranger := token(other.ID, domain.RoleOwner, "dona")

	startsAt := time.Now().Add(72 * time.Hour)
	created := call(t, s, key, "POST", "/v1/appointments", appointmentBody(fmt.Sprint("panel2-", suffix), startsAt))
	if created.Status != 201 {
		t.Fatalf("create: %d %s", created.Status, created.Raw)
	}
	aptID := appointmentID(t, created)
	noticeID := domain.JobID(aptID, domain.JobCreated, 0)
	notice := waitJob(t, s, jana.ID, noticeID, 20*time.Second, func(j *domain.Job) bool {
		return j.Status == domain.JobRead && j.HasEvent("delivered") // webhooks may be applied read first
	})
	tap, _, err := s.Meta.TapButton(ctx, notice.ProviderMessageID, "Confirmar", "Confirmar")
	if err != nil {
		t.Fatal(err)
	}
	waitJob(t, s, jana.ID, eventsReplyID(tap), 20*time.Second, final)
	st := mustStore(t, s)
	// The job carries its client, so the panel lists it without reading the appointment.
	if j, err := st.GetJob(ctx, jana.ID, noticeID); err != nil || j.ClientName != "Maria Souza" || j.ClientPhone != "+5511987654321" {
		t.Fatalf("notice's client %+v, %v", j, err)
	}
	// What staff sent from the Business App, as the events service records an echo.
	if err := st.RecordConversationMessage(ctx, jana.ID, "5511987654321", domain.ConversationMessage{
		ID: "wamid.echo-panel2", Direction: "out", Source: domain.SourceManual, Type: "image", At: time.Now().UTC(),
	}); err != nil {
		t.Fatal(err)
	}

	// The job.
	r := call(t, s, staff, "GET", "/v1/staff/jobs/"+noticeID, nil)
	if r.Status != 200 {
		t.Fatalf("job: %d %s", r.Status, r.Raw)
	}
	card := r.Body["card"].(map[string]any)
	if card["client_name"] != "Maria Souza" || card["status"] != "read" || card["job_id"] != noticeID {
		t.Fatalf("card %v", card)
	}
	var kinds []string
	for _, e := range r.Body["timeline"].([]any) {
		ev := e.(map[string]any)
		kinds = append(kinds, ev["kind"].(string))
		if ev["label"] == "" || ev["at_local"] == "" {
			t.Errorf("event without label or local time: %v", ev)
		}
		if ev["kind"] == "client_reply" && (ev["label"] != "Resposta do cliente" || ev["detail"] != "Confirmar") {
			t.Errorf("reply event %v", ev)
		}
	}
	order := func(names ...string) bool {
		last := -1
		for _, n := range names {
			i := slices.Index(kinds, n)
			if i <= last {
				return false
			}
			last = i
		}
		return true
	}
	if !order("created", "queued", "sent", "delivered", "read") || !slices.Contains(kinds, "client_reply") {
		t.Fatalf("timeline %v (stored: %+v)", kinds, waitJob(t, s, jana.ID, noticeID, time.Second, final).Timeline)
	}
	if n, _ := r.Body["attempt_count"].(float64); n != 1 || len(r.Body["attempts"].([]any)) != 1 {
		t.Errorf("attempts %v (%v)", r.Body["attempts"], r.Body["attempt_count"])
	}

	// A malformed job answers its card, never a 500.
	fs, _ := s.Env.Firestore(ctx)
	if _, err := fs.Collection("tenants").Doc(jana.ID).Collection("jobs").Doc("broken-panel2").Set(ctx, map[string]any{"status": "sent", "attempts": "x"}); err != nil {
		t.Fatal(err)
	}
	r = call(t, s, staff, "GET", "/v1/staff/jobs/broken-panel2", nil)
	if r.Status != 200 || r.Body["card"].(map[string]any)["malformed"] != true || len(r.Body["timeline"].([]any)) != 0 {
		t.Fatalf("malformed job: %d %s", r.Status, r.Raw)
	}

	// The conversation.
	r = call(t, s, staff, "GET", "/v1/staff/conversations/5511987654321", nil)
	if r.Status != 200 {
		t.Fatalf("conversation: %d %s", r.Status, r.Raw)
	}
	win := r.Body["window"].(map[string]any)
	if r.Body["client_name"] != "Maria Souza" || win["open"] != true || win["until_local"] == "" {
		t.Fatalf("conversation %v, window %v", r.Body["client_name"], win)
	}
	// The notice reads as what the client got, its template's name beside it.
	loc := jana.Location()
	noticeText := fmt.Sprintf("automation:Aviso de agendamento: Design de sobrancelhas em %s às %s — %s", startsAt.In(loc).Format("02/01/2006"), startsAt.In(loc).Format("15:04"), jana.Name)
	var sources []string
	seen := map[string]int{}
	var lastAt time.Time
	for _, m := range r.Body["messages"].([]any) {
		msg := m.(map[string]any)
		sources = append(sources, msg["source"].(string)+":"+msg["text"].(string))
		seen[msg["id"].(string)]++
		if msg["id"] == notice.ProviderMessageID && msg["template_name"] != "aviso_de_agendamento" {
			t.Errorf("the notice names template %v", msg["template_name"])
		}
		if at, _ := time.Parse(time.RFC3339Nano, msg["at"].(string)); at.Before(lastAt) {
			t.Errorf("messages out of order at %v", msg)
		} else {
			lastAt = at
		}
	}
	if seen[notice.ProviderMessageID] != 1 || !slices.Contains(sources, "client:Confirmar") || !slices.Contains(sources, "manual:[foto]") ||
		!slices.Contains(sources, noticeText) {
		t.Fatalf("conversation messages %v", sources)
	}
	answers := 0
	for _, src := range sources {
		if len(src) > len("automation:") && src[:len("automation:")] == "automation:" && src != noticeText &&
			!strings.HasPrefix(src, "automation:Lembrete de 24 horas: Design de sobrancelhas") {
			answers++
		}
	}
	if answers != 1 {
		t.Errorf("the answer to the tap appears %d times in %v", answers, sources)
	}

	// The chart: today's sends, counted without reading a job.
	r = call(t, s, staff, "GET", "/v1/staff/messages/daily", nil)
	days, _ := r.Body["days"].([]any)
	if r.Status != 200 || len(days) != 14 {
		t.Fatalf("daily: %d %s", r.Status, r.Raw)
	}
	today := days[13].(map[string]any)
	if today["date"] != time.Now().In(jana.Location()).Format("2006-01-02") || today["sent"].(float64) < 2 ||
		today["delivered"].(float64) < 1 || today["read"].(float64) < 1 || today["failed"].(float64) != 0 {
		t.Fatalf("today %v", today)
	}
	counted, reads := countedStore(t, s)
	if _, err := counted.DailyCounts(ctx, jana.ID, nil); err != nil {
		t.Fatal(err)
	}
	r = call(t, s, staff, "GET", "/v1/staff/messages/daily?days=31", nil)
	if r.Status != 200 || len(r.Body["days"].([]any)) != 31 {
		t.Fatalf("31 days: %d", r.Status)
	}
	if n := reads.n.Load(); n != 0 {
		t.Errorf("the chart read %d documents", n)
	}

	// Another studio, tokens, ids.
	r = call(t, s, stranger, "GET", "/v1/staff/conversations/5511987654321", nil)
	if r.Status != 200 || len(r.Body["messages"].([]any)) != 0 || r.Body["window"].(map[string]any)["open"] != false || r.Body["client_name"] != "" {
		t.Fatalf("another studio's view of the conversation: %d %s", r.Status, r.Raw)
	}
	r = call(t, s, stranger, "GET", "/v1/staff/messages/daily?days=1", nil)
	if d := r.Body["days"].([]any)[0].(map[string]any); r.Status != 200 || d["sent"].(float64) != 0 || d["read"].(float64) != 0 {
		t.Fatalf("another studio's chart: %d %s", r.Status, r.Raw)
	}
	for name, tc := range map[string]struct {
		tok, path string
		status    int
		code      string
	}{
		"another studio's job":         {stranger, "/v1/staff/jobs/" + noticeID, 404, "not_found"},
		"an unknown job":               {staff, "/v1/staff/jobs/apt_000000000000000000000000-appointment_created", 404, "not_found"},
		"a job id of no shape":         {staff, "/v1/staff/jobs/..%2Fx", 404, "not_found"},
		"a wa_id of no shape":          {staff, "/v1/staff/conversations/+5511987654321", 404, "not_found"},
		"days out of range":            {staff, "/v1/staff/messages/daily?days=32", 400, "invalid_value"},
		"days not a number":            {staff, "/v1/staff/messages/daily?days=duas", 400, "invalid_value"},
		"job: no token":                {"", "/v1/staff/jobs/" + noticeID, 401, "unauthenticated"},
		"job: the API key":             {key, "/v1/staff/jobs/" + noticeID, 401, "unauthenticated"},
		"job: a forged token":          {forgedToken, "/v1/staff/jobs/" + noticeID, 401, "unauthenticated"},
		"conversation: no token":       {"", "/v1/staff/conversations/5511987654321", 401, "unauthenticated"},
		"conversation: the API key":    {key, "/v1/staff/conversations/5511987654321", 401, "unauthenticated"},
		"conversation: a forged token": {forgedToken, "/v1/staff/conversations/5511987654321", 401, "unauthenticated"},
		"daily: no token":              {"", "/v1/staff/messages/daily", 401, "unauthenticated"},
		"daily: the API key":           {key, "/v1/staff/messages/daily", 401, "unauthenticated"},
		"daily: a forged token":        {forgedToken, "/v1/staff/messages/daily", 401, "unauthenticated"},
		"daily: a tampered real token": {tampered(staff), "/v1/staff/messages/daily", 401, "unauthenticated"},
	} {
		r := call(t, s, tc.tok, "GET", tc.path, nil)
		e, _ := r.Body["error"].(map[string]any)
		if r.Status != tc.status || e["code"] != tc.code {
			t.Errorf("%s: %d %s, want %d %s", name, r.Status, r.Raw, tc.status, tc.code)
		}
	}
}

// forgedToken is shaped like an ID token but signed by nobody for no project.
const forgedToken = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJzb21lLW90aGVyLXByb2plY3QiLCJzdWIiOiJ4In0.c2lnbmF0dXJl"

// tampered is a real token with its payload's last character changed.
func tampered(tok string) string {
	b := []byte(tok)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == '.' && i > 1 {
			if b[i-1] == 'A' {
				b[i-1] = 'B'
			} else {
				b[i-1] = 'A'
			}
			break
		}
	}
	return string(b)
}
