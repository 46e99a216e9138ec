package devstack_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/scripts/internal/emulators"
	"github.com/lembra-app/lembra/shared/domain"
)

// TestStaffWrites: through the whole stack with real ID tokens from the Auth emulator,
// a member creates an appointment by hand (a repeat with the same request_id creates
// nothing), reschedules it, reads the cancel dialog's window (closed: the client never
// wrote) and cancels it with and without the notice (the notice skipped with the
// window's own reason; none without); the owner lists and adds members (a new user is
// created with a password reset link; another studio's member is 409) and staff get 403;
// another studio's owner gets 404 for every id; no, expired or forged tokens get 401.
func TestStaffWrites(t *testing.T) {
	s := devstack.ForTest(t, devstack.Options{Project: emulators.AuthProject})
	ctx := context.Background()
	jana, _ := demoStudio(t, s, "write-jana", "", "102290129340601", "106540352242961")
	other, _ := demoStudio(t, s, "write-bela", "Studio Bela", "102290129340602", "106540352242962")
	const password = "senha-de-teste-123"
	suffix := time.Now().UnixNano()
	email := func(name string) string { return fmt.Sprintf("%s-%d@example.com", name, suffix) }
	token := func(tenantID string, role domain.StaffRole, name string) string {
		t.Helper()
		if _, err := s.AddStaff(ctx, tenantID, role, email(name), password); err != nil {
			t.Fatal(err)
		}
		tok, err := s.SignIn(ctx, email(name), password)
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
	form := map[string]any{"client_name": "Maria Souza", "client_phone": "+5511987654321", "service": "Design de sobrancelhas",
		"starts_at": startsAt.Format(time.RFC3339), "request_id": fmt.Sprintf("0b6f3c1e-8a7d-4a36-%d", suffix%1e12)}
	created := call(t, s, staff, "POST", "/v1/staff/appointments", form)
	if created.Status != 201 {
		t.Fatalf("create: %d %s", created.Status, created.Raw)
	}
	aptID := appointmentID(t, created)
	agenda := created.Body["agenda"].(map[string]any)
	wantLink := "https://wa.me/5511987654321?text=Ol%C3%A1%2C%20Maria%21%20Aqui%20%C3%A9%20do%20" + strings.ReplaceAll(jana.Name, " ", "%20") +
		"%2C%20sobre%20o%20seu%20hor%C3%A1rio%20de%20Design%20de%20sobrancelhas%20em%20" + strings.ReplaceAll(startsAt.Format("02/01/2006"), "/", "%2F") +
		"%20%C3%A0s%20" + strings.ReplaceAll(startsAt.Format("15:04"), ":", "%3A") + "."
	if agenda["whatsapp_url"] != wantLink || agenda["can_cancel"] != true || agenda["cancel_notice"] != nil {
		t.Fatalf("agenda of the new appointment: %v (want link %s)", agenda, wantLink)
	}
	if w := created.Body["window"].(map[string]any); w["open"] != false || !strings.HasPrefix(w["label"].(string), "Janela fechada") {
		t.Fatalf("window of a new appointment: %v", w)
	}
	again := call(t, s, owner, "POST", "/v1/staff/appointments", form)
	if again.Status != 200 || appointmentID(t, again) != aptID || len(again.Body["jobs"].([]any)) != 2 {
		t.Fatalf("the same request_id again: %d %s", again.Status, again.Raw)
	}
	form2 := map[string]any{}
	for k, v := range form {
		form2[k] = v
	}
	form2["service"] = "Manicure"
	if r := call(t, s, owner, "POST", "/v1/staff/appointments", form2); r.Status != 409 || !strings.Contains(r.Raw, "request_id_conflict") {
		t.Fatalf("the same request_id with other details: %d %s", r.Status, r.Raw)
	}
	bad := map[string]any{}
	for k, v := range form {
		bad[k] = v
	}
	bad["request_id"] = "x"
	if r := call(t, s, owner, "POST", "/v1/staff/appointments", bad); r.Status != 400 || !strings.Contains(r.Raw, `"field":"request_id"`) {
		t.Fatalf("a bad request_id: %d %s", r.Status, r.Raw)
	}

	moved := startsAt.Add(2 * time.Hour)
	r := call(t, s, owner, "PATCH", "/v1/staff/appointments/"+aptID, map[string]any{"starts_at": moved.Format(time.RFC3339)})
	if r.Status != 200 || r.Body["agenda"].(map[string]any)["starts_at_local"] != moved.Format("02/01/2006 15:04") {
		t.Fatalf("reschedule: %d %s", r.Status, r.Raw)
	}

	win := call(t, s, staff, "GET", "/v1/staff/appointments/"+aptID+"/window", nil)
	if win.Status != 200 || win.Body["open"] != false || win.Body["reason_code"] != domain.ReasonWindowNoInbound ||
		!strings.Contains(win.Body["reason"].(string), "não respondeu") {
		t.Fatalf("window: %d %s", win.Status, win.Raw)
	}

	// Another studio's owner: 404 for every id of this one, and nothing changes.
	for _, c := range []struct{ method, path string }{
		{"GET", "/v1/staff/appointments/" + aptID + "/window"},
		{"PATCH", "/v1/staff/appointments/" + aptID},
		{"POST", "/v1/staff/appointments/" + aptID + "/cancel"},
	} {
		var body any
		switch c.method {
		case "PATCH":
			body = map[string]any{"starts_at": startsAt.Format(time.RFC3339)}
		case "POST":
			body = map[string]any{"notify_client": true}
		}
		if r := call(t, s, stranger, c.method, c.path, body); r.Status != 404 || !strings.Contains(r.Raw, "not_found") {
			t.Errorf("another studio: %s %s: %d %s", c.method, c.path, r.Status, r.Raw)
		}
		if r := call(t, s, owner, c.method, "/v1/staff/appointments/..%2Fx"+strings.TrimPrefix(c.path, "/v1/staff/appointments/"+aptID), body); r.Status != 404 {
			t.Errorf("an id of no shape: %s: %d %s", c.method, r.Status, r.Raw)
		}
	}

	// Every new endpoint refuses no token, an expired one and a forged one (401).
	for _, tok := range []struct{ name, token, mention string }{
		{"no token", "", "sign in"},
		{"expired", withClaims(t, owner, map[string]any{"iat": 1700000000, "exp": 1700003600}), "expired"},
		{"forged for another project", withClaims(t, owner, map[string]any{"aud": "another-project", "iss": "https://securetoken.google.com/another-project"}), "not valid"},
	} {
		for _, c := range []struct{ method, path string }{
			{"POST", "/v1/staff/appointments"}, {"PATCH", "/v1/staff/appointments/" + aptID},
			{"GET", "/v1/staff/appointments/" + aptID + "/window"}, {"POST", "/v1/staff/appointments/" + aptID + "/cancel"},
			{"GET", "/v1/staff/members"}, {"POST", "/v1/staff/members"},
		} {
			r := call(t, s, tok.token, c.method, c.path, map[string]any{})
			if r.Status != 401 || !strings.Contains(r.Raw, tok.mention) {
				t.Errorf("%s: %s %s: %d %s", tok.name, c.method, c.path, r.Status, r.Raw)
			}
		}
	}

	// Cancel: notify_client is required; with it on and the window closed the notice is
	// skipped with the window's reason, the same the dialog showed.
	if r := call(t, s, owner, "POST", "/v1/staff/appointments/"+aptID+"/cancel", map[string]any{}); r.Status != 400 || !strings.Contains(r.Raw, "notify_client") {
		t.Fatalf("cancel without notify_client: %d %s", r.Status, r.Raw)
	}
	canceled := call(t, s, owner, "POST", "/v1/staff/appointments/"+aptID+"/cancel", map[string]any{"notify_client": true})
	notice, _ := canceled.Body["notice"].(map[string]any)
	if canceled.Status != 200 || notice["requested"] != true || notice["state"] != "not_sent" || notice["reason"] != win.Body["reason"] ||
		notice["job_id"] != domain.JobID(aptID, domain.JobCanceled, 0) {
		t.Fatalf("cancel with the notice, window closed: %d %s", canceled.Status, canceled.Raw)
	}
	if a := canceled.Body["agenda"].(map[string]any); a["can_cancel"] != false || a["cancel_notice"].(map[string]any)["state"] != "not_sent" {
		t.Fatalf("agenda after cancel: %v", a)
	}
	detail := call(t, s, staff, "GET", "/v1/staff/appointments/"+aptID, nil)
	if cn, _ := detail.Body["agenda"].(map[string]any)["cancel_notice"].(map[string]any); detail.Status != 200 || cn["reason"] != win.Body["reason"] {
		t.Fatalf("details after cancel: %d %s", detail.Status, detail.Raw)
	}

	// The checkbox off: no notice job at all.
	form3 := map[string]any{}
	for k, v := range form {
		form3[k] = v
	}
	form3["request_id"] = fmt.Sprintf("1c7a4d2f-9b8e-4b47-%d", suffix%1e12)
	second := call(t, s, staff, "POST", "/v1/staff/appointments", form3)
	if second.Status != 201 {
		t.Fatalf("second create: %d %s", second.Status, second.Raw)
	}
	secondID := appointmentID(t, second)
	quiet := call(t, s, staff, "POST", "/v1/staff/appointments/"+secondID+"/cancel", map[string]any{"notify_client": false})
	if n, _ := quiet.Body["notice"].(map[string]any); quiet.Status != 200 || n["state"] != "none" || n["requested"] != false || n["label"] != "Cliente não avisado" {
		t.Fatalf("cancel without the notice: %d %s", quiet.Status, quiet.Raw)
	}
	if _, err := mustStore(t, s).GetJob(ctx, jana.ID, domain.JobID(secondID, domain.JobCanceled, 0)); err == nil {
		t.Fatal("a cancellation job exists although notify_client was false")
	}

	// Members: owner only.
	for _, c := range []struct{ method string }{{"GET"}, {"POST"}} {
		if r := call(t, s, staff, c.method, "/v1/staff/members", map[string]any{"email": email("nova"), "role": "staff"}); r.Status != 403 || !strings.Contains(r.Raw, "forbidden") {
			t.Errorf("staff %s members: %d %s", c.method, r.Status, r.Raw)
		}
	}
	members := call(t, s, owner, "GET", "/v1/staff/members", nil)
	list, _ := members.Body["members"].([]any)
	if members.Status != 200 || len(list) != 2 || strings.Contains(members.Raw, email("dona")) {
		t.Fatalf("members: %d %s", members.Status, members.Raw)
	}
	added := call(t, s, owner, "POST", "/v1/staff/members", map[string]any{"email": strings.ToUpper(email("nova")), "role": "staff"})
	if added.Status != 201 || added.Body["email"] != email("nova") || added.Body["role_label"] != "equipe" || added.Body["created"] != true ||
		!strings.Contains(added.Body["password_reset_link"].(string), "oobCode=") {
		t.Fatalf("add a member: %d %s", added.Status, added.Raw)
	}
	if m, err := mustStore(t, s).GetStaffMember(ctx, added.Body["uid"].(string)); err != nil || m.TenantID != jana.ID || m.Role != domain.RoleStaff {
		t.Fatalf("mapping of the new member: %+v %v", m, err)
	}
	promoted := call(t, s, owner, "POST", "/v1/staff/members", map[string]any{"email": email("nova"), "role": "owner"})
	if promoted.Status != 200 || promoted.Body["created"] != false || promoted.Body["uid"] != added.Body["uid"] || promoted.Body["role"] != "owner" {
		t.Fatalf("the same member again, as owner: %d %s", promoted.Status, promoted.Raw)
	}
	if r := call(t, s, owner, "POST", "/v1/staff/members", map[string]any{"email": email("dona"), "role": "staff"}); r.Status != 409 || !strings.Contains(r.Raw, "member_of_another_studio") {
		t.Fatalf("another studio's member: %d %s", r.Status, r.Raw)
	}
	if r := call(t, s, owner, "POST", "/v1/staff/members", map[string]any{"email": email("jana"), "role": "staff"}); r.Status != 400 {
		t.Fatalf("the owner demoting herself: %d %s", r.Status, r.Raw)
	}
	if r := call(t, s, stranger, "GET", "/v1/staff/members", nil); r.Status != 200 || strings.Contains(r.Raw, email("jana")) || strings.Contains(r.Raw, email("nova")) {
		t.Fatalf("another studio's members: %d %s", r.Status, r.Raw)
	}
}
