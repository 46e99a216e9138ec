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
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/store"
)

// signedInPassword is the password of the staff members signedIn adds.
const signedInPassword = "senha-de-teste-123"

// signedIn adds a staff member of the tenant in the role (her e-mail starts with name)
// and signs her in: her ID token and e-mail.
func signedIn(t *testing.T, s *devstack.Stack, tenantID string, role domain.StaffRole, name string) (token, email string) {
	t.Helper()
	ctx := context.Background()
	email = fmt.Sprintf("%s-%d@example.com", name, time.Now().UnixNano())
	if _, err := s.AddStaff(ctx, tenantID, role, email, signedInPassword); err != nil {
		t.Fatal(err)
	}
	token, err := s.SignIn(ctx, email, signedInPassword)
	if err != nil {
		t.Fatal(err)
	}
	return token, email
}

// opsTokens adds an owner, a staff member and another studio's owner and signs them in.
func opsTokens(t *testing.T, s *devstack.Stack, tenantID, otherID string) (owner, ownerEmail, staff, stranger string) {
	t.Helper()
	owner, ownerEmail = signedIn(t, s, tenantID, domain.RoleOwner, "dona-"+tenantID)
	staff, _ = signedIn(t, s, tenantID, domain.RoleStaff, "equipe-"+tenantID)
	stranger, _ = signedIn(t, s, otherID, domain.RoleOwner, "outra-"+otherID)
	return owner, ownerEmail, staff, stranger
}

// sendsTo counts the messages the Meta stand-in received for one phone number id.
func sendsTo(s *devstack.Stack, phoneNumberID string) int {
	n := 0
	for _, r := range s.Meta.Requests() {
		if r.PhoneNumberID == phoneNumberID && r.Method == "POST" && strings.HasSuffix(r.Path, "/messages") {
			n++
		}
	}
	return n
}

// auditEvent finds the job view's timeline event of an action and checks it names who
// and why, at about when.
func auditEvent(t *testing.T, view map[string]any, kind, who, reason string, after time.Time) {
	t.Helper()
	for _, raw := range view["timeline"].([]any) {
		e := raw.(map[string]any)
		if e["kind"] != kind {
			continue
		}
		at, err := time.Parse(time.RFC3339Nano, e["at"].(string))
		detail, _ := e["detail"].(string)
		if err != nil || at.Before(after.Add(-time.Second)) || !strings.Contains(detail, who) || !strings.Contains(detail, reason) {
			t.Fatalf("audit entry %v: want %s and %q at or after %v", e, who, reason, after)
		}
		return
	}
	t.Fatalf("no %s on the timeline: %v", kind, view["timeline"])
}

// TestStaffJobActions: through the whole stack with real ID tokens, the owner marks a
// stuck job failed, discards a test job, retries a job whose token Meta rejected (a new
// attempt under the same job, one new message) and sends a waiting reminder now, each
// recorded on the job's timeline with who, when and why; a sent job cannot be retried
// (409, the Meta stand-in receives nothing new); staff get 403, another studio's owner
// 404, and no or forged tokens 401.
func TestStaffJobActions(t *testing.T) {
	s := devstack.ForTest(t, devstack.Options{Project: emulators.AuthProject})
	ctx := context.Background()
	jana, key := demoStudio(t, s, "ops-jana", "", "102290129348101", "106540352248101")
	other, _ := demoStudio(t, s, "ops-bela", "Studio Bela", "102290129348102", "106540352248102")
	owner, ownerEmail, staff, stranger := opsTokens(t, s, jana.ID, other.ID)
	db := mustStore(t, s)
	pn := jana.WhatsApp.PhoneNumberID

	// An appointment 3 days ahead: its notice goes out, its reminder waits for its time.
	startsAt := time.Now().Add(72 * time.Hour).Truncate(time.Minute)
	created := call(t, s, key, "POST", "/v1/appointments", appointmentBody("ops-1", startsAt))
	if created.Status != 201 {
		t.Fatalf("create: %d %s", created.Status, created.Raw)
	}
	aptID := appointmentID(t, created)
	noticeID, reminderID := domain.JobID(aptID, domain.JobCreated, 0), domain.JobID(aptID, domain.JobReminder, 1)
	waitJob(t, s, jana.ID, noticeID, 15*time.Second, func(j *domain.Job) bool { return j.Status == domain.JobSent })
	if r := getJob(t, s, jana.ID, reminderID); r.Status != domain.JobPending || !r.ScheduledFor.After(time.Now().Add(47*time.Hour)) {
		t.Fatalf("reminder: %+v", r)
	}

	// The job view offers the owner what the rule allows now, and staff nothing.
	offered := func(tok, jobID string) string {
		r := call(t, s, tok, "GET", "/v1/staff/jobs/"+jobID, nil)
		if r.Status != 200 {
			t.Fatalf("job view %s: %d %s", jobID, r.Status, r.Raw)
		}
		return fmt.Sprint(r.Body["actions"])
	}
	if got := offered(owner, reminderID); got != "[fail discard send_now]" {
		t.Errorf("the owner is offered %s on a waiting reminder, want [fail discard send_now]", got)
	}
	if got := offered(owner, noticeID); got != "[]" {
		t.Errorf("the owner is offered %s on a sent notice, want none", got)
	}
	if got := offered(staff, reminderID); got != "[]" {
		t.Errorf("staff are offered %s, want none", got)
	}

	action := func(tok, jobID, act, reason string) reply {
		return call(t, s, tok, "POST", "/v1/staff/jobs/"+jobID+"/actions", map[string]any{"action": act, "reason": reason})
	}

	// A sent job cannot be retried: 409 with a Portuguese reason, nothing new to Meta.
	sentBefore := sendsTo(s, pn)
	r := action(owner, noticeID, "retry", "cliente disse que não recebeu")
	if r.Status != 409 || !strings.Contains(r.Raw, "action_refused") || !strings.Contains(r.Raw, "já foi aceita pela Meta") {
		t.Fatalf("retry of a sent job: %d %s", r.Status, r.Raw)
	}
	time.Sleep(time.Second)
	if n := sendsTo(s, pn); n != sentBefore {
		t.Fatalf("the Meta stand-in received %d new messages after a refused retry", n-sentBefore)
	}
	if j := getJob(t, s, jana.ID, noticeID); j.Status != domain.JobSent || j.AttemptCount() != 1 || j.HasEvent("action_retry") {
		t.Fatalf("refused retry changed the job: %+v", j)
	}

	// send_now: the reminder goes out now, once, through the dispatch rules.
	before := time.Now()
	r = action(owner, reminderID, "send_now", "cliente pediu a confirmação hoje")
	if r.Status != 200 || r.Body["status"] != "queued" {
		t.Fatalf("send now: %d %s", r.Status, r.Raw)
	}
	if a := r.Body["audit"].(map[string]any); a["by"] != ownerEmail || a["action"] != "send_now" || a["event"] != "action_send_now" {
		t.Fatalf("send now audit: %v", a)
	}
	rem := waitJob(t, s, jana.ID, reminderID, 15*time.Second, func(j *domain.Job) bool { return j.Status == domain.JobSent })
	if rem.AttemptCount() != 1 || rem.ScheduledFor.After(time.Now()) {
		t.Fatalf("reminder after send now: %+v", rem)
	}
	if n := sendsTo(s, pn); n != sentBefore+1 {
		t.Fatalf("send now: %d messages to Meta, want 1", n-sentBefore)
	}
	view := call(t, s, staff, "GET", "/v1/staff/jobs/"+reminderID, nil)
	auditEvent(t, view.Body, "action_send_now", ownerEmail, "cliente pediu a confirmação hoje", before)
	if r := action(owner, reminderID, "send_now", "de novo, por engano"); r.Status != 409 {
		t.Fatalf("send now of a sent reminder: %d %s", r.Status, r.Raw)
	}

	// A send-now whose task cannot be created is undone: 503, the reminder waits for its
	// time again, and both the action and the undo stay on its timeline.
	created3 := call(t, s, key, "POST", "/v1/appointments", appointmentBody("ops-3", startsAt.Add(2*time.Hour)))
	if created3.Status != 201 {
		t.Fatalf("create 3: %d %s", created3.Status, created3.Raw)
	}
	waiting := domain.JobID(appointmentID(t, created3), domain.JobReminder, 1)
	orig := getJob(t, s, jana.ID, waiting)
	s.Tasks.FailCreates(1)
	if r := action(owner, waiting, "send_now", "cliente pediu agora"); r.Status != 503 || !strings.Contains(r.Raw, "queue_unavailable") {
		t.Fatalf("send now with the queue down: %d %s", r.Status, r.Raw)
	}
	s.Tasks.FailCreates(0)
	if j := getJob(t, s, jana.ID, waiting); j.Status != domain.JobPending || !j.ScheduledFor.Equal(orig.ScheduledFor) ||
		!j.HasEvent("action_send_now") || !j.HasEvent("enqueue_failed") {
		t.Fatalf("undone send now: %+v", j)
	}
	if r := action(owner, waiting, "send_now", "cliente pediu agora"); r.Status != 200 {
		t.Fatalf("send now again: %d %s", r.Status, r.Raw)
	}
	waitJob(t, s, jana.ID, waiting, 15*time.Second, func(j *domain.Job) bool { return j.Status == domain.JobSent })

	// retry: Meta rejects the token of the next notice (190, failed for good); after the
	// token is reconnected, a retry makes a second attempt under the same job.
	s.Meta.FailNext(metastandin.Fault{HTTPStatus: 401, Code: 190})
	created2 := call(t, s, key, "POST", "/v1/appointments", appointmentBody("ops-2", startsAt.Add(time.Hour)))
	if created2.Status != 201 {
		t.Fatalf("create 2: %d %s", created2.Status, created2.Raw)
	}
	failedID := domain.JobID(appointmentID(t, created2), domain.JobCreated, 0)
	fj := waitJob(t, s, jana.ID, failedID, 15*time.Second, final)
	if fj.Status != domain.JobFailed || fj.ErrorCode != 190 || fj.AttemptCount() != 1 {
		t.Fatalf("notice with a rejected token: %+v", fj)
	}
	sentBefore = sendsTo(s, pn)
	before = time.Now()
	r = action(owner, failedID, "retry", "token reconectado")
	if r.Status != 200 || r.Body["status"] != "queued" {
		t.Fatalf("retry: %d %s", r.Status, r.Raw)
	}
	rj := waitJob(t, s, jana.ID, failedID, 15*time.Second, func(j *domain.Job) bool { return j.Status == domain.JobSent })
	if rj.AttemptCount() != 2 || rj.ProviderMessageID == "" || !rj.HasEvent(string(domain.JobFailed)) {
		t.Fatalf("after the retry: %+v", rj)
	}
	if n := sendsTo(s, pn); n != sentBefore+1 {
		t.Fatalf("retry: %d messages to Meta, want 1", n-sentBefore)
	}
	auditEvent(t, call(t, s, owner, "GET", "/v1/staff/jobs/"+failedID, nil).Body, "action_retry", ownerEmail, "token reconectado", before)
	// Now that it was sent, a second retry is refused and Meta gets nothing.
	sentBefore = sendsTo(s, pn)
	if r := action(owner, failedID, "retry", "mais uma vez"); r.Status != 409 || !strings.Contains(r.Raw, "segunda mensagem") {
		t.Fatalf("retry of the retried, sent job: %d %s", r.Status, r.Raw)
	}
	time.Sleep(500 * time.Millisecond)
	if n := sendsTo(s, pn); n != sentBefore {
		t.Fatalf("the Meta stand-in received %d new messages", n-sentBefore)
	}

	// fail and discard: a legacy job stuck pending and a test job.
	old := time.Now().Add(-40 * 24 * time.Hour)
	seed := func(id string) *domain.Job {
		j := &domain.Job{ID: id, TenantID: jana.ID, AppointmentID: "apt_000000000000000000000000", Type: domain.JobCreated,
			Status: domain.JobPending, ScheduledFor: old, CreatedAt: old, UpdatedAt: old}
		j.AddEvent(old, "created", "")
		return j
	}
	if err := db.PutJobs(ctx, jana.ID, []*domain.Job{seed("legacy-stuck"), seed("teste-1")}); err != nil {
		t.Fatal(err)
	}
	before = time.Now()
	r = action(owner, "legacy-stuck", "fail", "job antigo da versão anterior")
	card := r.Body["job"].(map[string]any)["card"].(map[string]any)
	if r.Status != 200 || r.Body["status"] != "failed" || card["status"] != "failed" {
		t.Fatalf("fail: %d %s", r.Status, r.Raw)
	}
	lj := getJob(t, s, jana.ID, "legacy-stuck")
	if lj.Status != domain.JobFailed || lj.ReasonCode != domain.ReasonOperationalFailure || lj.Reason != "Falha operacional: job antigo da versão anterior." ||
		!lj.Settled || lj.Timeline[0].Event != "created" {
		t.Fatalf("failed job: %+v", lj)
	}
	auditEvent(t, r.Body["job"].(map[string]any), "action_fail", ownerEmail, "job antigo da versão anterior", before)
	r = action(owner, "teste-1", "discard", "mensagem de teste")
	dj := getJob(t, s, jana.ID, "teste-1")
	if r.Status != 200 || dj.Status != domain.JobSkipped || dj.ReasonCode != domain.ReasonDiscarded || dj.Reason != "Descartada pelo responsável: mensagem de teste." {
		t.Fatalf("discard: %d %s; %+v", r.Status, r.Raw, dj)
	}
	auditEvent(t, r.Body["job"].(map[string]any), "action_discard", ownerEmail, "mensagem de teste", before)
	if r := action(owner, "teste-1", "discard", "de novo"); r.Status != 409 || !strings.Contains(r.Raw, "ainda não saiu") {
		t.Fatalf("discard twice: %d %s", r.Status, r.Raw)
	}

	// Bad input: a clear 400 and nothing changes.
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"action": "fail"}, "reason"},
		{map[string]any{"action": "fail", "reason": "ok"}, "reason"},
		{map[string]any{"action": "fail", "reason": strings.Repeat("a", 501)}, "reason"},
		{map[string]any{"action": "delete", "reason": "apagar tudo"}, "action"},
		{map[string]any{"reason": "sem ação"}, "action"},
	} {
		if r := call(t, s, owner, "POST", "/v1/staff/jobs/"+reminderID+"/actions", c.body); r.Status != 400 || !strings.Contains(r.Raw, `"field":"`+c.field+`"`) {
			t.Errorf("%v: %d %s", c.body, r.Status, r.Raw)
		}
	}

	// Staff 403; another studio's owner 404 (nothing changes); no or forged token 401.
	pending := seed("teste-2")
	if err := db.PutJobs(ctx, jana.ID, []*domain.Job{pending}); err != nil {
		t.Fatal(err)
	}
	if r := action(staff, "teste-2", "discard", "sou da equipe"); r.Status != 403 || !strings.Contains(r.Raw, "forbidden") {
		t.Fatalf("staff: %d %s", r.Status, r.Raw)
	}
	if r := action(stranger, "teste-2", "discard", "outro estúdio"); r.Status != 404 || !strings.Contains(r.Raw, "not_found") {
		t.Fatalf("another studio: %d %s", r.Status, r.Raw)
	}
	if j := getJob(t, s, jana.ID, "teste-2"); j.Status != domain.JobPending || len(j.Timeline) != 1 {
		t.Fatalf("refused callers changed the job: %+v", j)
	}
	for _, tok := range []struct{ name, token, mention string }{
		{"no token", "", "sign in"},
		{"forged for another project", withClaims(t, owner, map[string]any{"aud": "another-project", "iss": "https://securetoken.google.com/another-project"}), "not valid"},
		{"expired", withClaims(t, owner, map[string]any{"iat": 1700000000, "exp": 1700003600}), "expired"},
	} {
		for _, c := range []struct{ method, path string }{
			{"POST", "/v1/staff/jobs/teste-2/actions"}, {"POST", "/v1/staff/queue/drain/preview"},
			{"POST", "/v1/staff/queue/drain"}, {"PUT", "/v1/staff/settings/scan"},
		} {
			if r := call(t, s, tok.token, c.method, c.path, map[string]any{}); r.Status != 401 || !strings.Contains(r.Raw, tok.mention) {
				t.Errorf("%s: %s %s: %d %s", tok.name, c.method, c.path, r.Status, r.Raw)
			}
		}
	}
	for _, path := range []string{"/v1/staff/queue/drain/preview", "/v1/staff/queue/drain"} {
		if r := call(t, s, staff, "POST", path, map[string]any{}); r.Status != 403 {
			t.Errorf("staff: %s: %d %s", path, r.Status, r.Raw)
		}
	}
	if r := call(t, s, staff, "PUT", "/v1/staff/settings/scan", map[string]any{"paused": true, "reason": "pausa"}); r.Status != 403 {
		t.Errorf("staff: scan settings: %d %s", r.Status, r.Raw)
	}
}

// TestStaffQueueDrain: 5,000 pending jobs, seeded through the store's encoding with a
// BulkWriter, are previewed (bounded count, a sample of 10), drained in batches of at
// most 200 (25 transactions), each keeping its history and naming the drain; a second
// run of the same drain changes nothing, a new drain finds nothing left, and a drain id
// reused for another reason is 409. Jobs outside the selection stay as they were. The
// owner pauses the studio's reminder scan meanwhile (stored with who and why; what the
// scan does with it: TestReminderScanSkipsPausedTenants).
func TestStaffQueueDrain(t *testing.T) {
	s := devstack.ForTest(t, devstack.Options{Project: emulators.AuthProject})
	ctx := context.Background()
	fila, _ := demoStudio(t, s, "ops-fila", "", "102290129348103", "106540352248103")
	other, _ := demoStudio(t, s, "ops-fila-b", "Studio Bela", "102290129348104", "106540352248104")
	owner, ownerEmail, _, stranger := opsTokens(t, s, fila.ID, other.ID)
	db := mustStore(t, s)

	// Pause the reminder scan for the studio while the queue is drained.
	r := call(t, s, owner, "PUT", "/v1/staff/settings/scan", map[string]any{"paused": true, "reason": "limpando a fila"})
	if r.Status != 200 || r.Body["paused"] != true || r.Body["by"] != ownerEmail {
		t.Fatalf("pause: %d %s", r.Status, r.Raw)
	}
	now := time.Now().UTC()
	if tn, err := db.GetTenant(ctx, fila.ID); err != nil || !tn.ScanPause.Paused || tn.ScanPause.By != ownerEmail || tn.ScanPause.Reason != "limpando a fila" {
		t.Fatalf("tenant's scan pause: %+v %v", tn, err)
	}

	const n = 5000
	old := now.Add(-10 * 24 * time.Hour)
	jobs := make([]*domain.Job, 0, n+3)
	for i := range n {
		at := old.Add(time.Duration(i) * time.Second)
		j := &domain.Job{ID: fmt.Sprintf("fila-%05d", i), TenantID: fila.ID, AppointmentID: fmt.Sprintf("apt_%024x", i), Type: domain.JobCreated,
			Status: domain.JobPending, ClientName: "Cliente Antiga", ClientPhone: "+5511900000000", ScheduledFor: at, CreatedAt: at, UpdatedAt: at}
		if i%2 == 1 {
			j.Status = domain.JobQueued
		}
		j.AddEvent(at, "created", "")
		jobs = append(jobs, j)
	}
	recent := &domain.Job{ID: "fila-recente", TenantID: fila.ID, Type: domain.JobCreated, Status: domain.JobPending,
		ScheduledFor: now.Add(-24 * time.Hour), CreatedAt: now, UpdatedAt: now}
	recent.AddEvent(now, "created", "")
	sent := &domain.Job{ID: "fila-enviada", TenantID: fila.ID, Type: domain.JobCreated, Status: domain.JobSent, ProviderMessageID: "wamid.fila",
		ScheduledFor: old, CreatedAt: old, UpdatedAt: old}
	sent.AddEvent(old, "sent", "")
	jobs = append(jobs, recent, sent)
	t0 := time.Now()
	if err := db.PutJobs(ctx, fila.ID, jobs); err != nil {
		t.Fatal(err)
	}
	t.Logf("seeded %d jobs in %v", len(jobs), time.Since(t0))

	selector := map[string]any{"older_than_days": 7, "types": []string{"appointment_created"}}
	preview := call(t, s, owner, "POST", "/v1/staff/queue/drain/preview", selector)
	if preview.Status != 200 || preview.Body["count"] != float64(n) || preview.Body["count_capped"] != false {
		t.Fatalf("preview: %d %.300s", preview.Status, preview.Raw)
	}
	// The count is bounded: a count aggregation over at most max+1 documents.
	if got, capped, err := db.CountDrain(ctx, fila.ID, store.DrainSelector{Statuses: []domain.JobStatus{domain.JobPending, domain.JobQueued}}, 100); err != nil || got != 100 || !capped {
		t.Fatalf("bounded count: %d %v %v", got, capped, err)
	}
	sample := preview.Body["sample"].([]any)
	if len(sample) != 10 || sample[0].(map[string]any)["job_id"] != "fila-00000" || sample[9].(map[string]any)["job_id"] != "fila-00009" {
		t.Fatalf("sample: %v", sample)
	}
	if r := call(t, s, stranger, "POST", "/v1/staff/queue/drain/preview", selector); r.Status != 200 || r.Body["count"] != float64(0) {
		t.Fatalf("another studio's preview: %d %s", r.Status, r.Raw)
	}
	if r := call(t, s, owner, "POST", "/v1/staff/queue/drain/preview", map[string]any{"statuses": []string{"sent"}}); r.Status != 400 || !strings.Contains(r.Raw, `"field":"statuses"`) {
		t.Fatalf("drain of sent jobs: %d %s", r.Status, r.Raw)
	}

	drain := func(id, reason string) reply {
		body := map[string]any{"action": "fail", "reason": reason, "drain_id": id}
		for k, v := range selector {
			body[k] = v
		}
		return call(t, s, owner, "POST", "/v1/staff/queue/drain", body)
	}
	t0 = time.Now()
	first := drain("limpeza-0001", "jobs antigos da migração")
	if first.Status != 200 || first.Body["marked"] != float64(n) || first.Body["already"] != float64(0) || first.Body["refused"] != float64(0) ||
		first.Body["batches"] != float64(n/200) || first.Body["more"] != false {
		t.Fatalf("drain: %d %s", first.Status, first.Raw)
	}
	t.Logf("drained %d jobs in %v (%v batches)", n, time.Since(t0), first.Body["batches"])
	rec, err := db.GetDrain(ctx, fila.ID, "limpeza-0001")
	if err != nil || rec.Marked != n || rec.Batches != n/200 || rec.By != ownerEmail || rec.Action != "fail" {
		t.Fatalf("drain record: %+v %v", rec, err)
	}

	again := drain("limpeza-0001", "jobs antigos da migração")
	if again.Status != 200 || again.Body["marked"] != float64(0) || again.Body["already"] != float64(n) || again.Body["batches"] != float64(0) {
		t.Fatalf("the same drain again: %d %s", again.Status, again.Raw)
	}
	fresh := drain("limpeza-0002", "outra limpeza")
	if fresh.Status != 200 || fresh.Body["marked"] != float64(0) || fresh.Body["already"] != float64(0) || fresh.Body["batches"] != float64(0) {
		t.Fatalf("a new drain: %d %s", fresh.Status, fresh.Raw)
	}
	if r := drain("limpeza-0001", "outro motivo"); r.Status != 409 || !strings.Contains(r.Raw, "drain_id_conflict") {
		t.Fatalf("drain id reused: %d %s", r.Status, r.Raw)
	}

	// Every drained job: failed with the reason, its history kept, the drain named.
	fs, err := s.Env.Firestore(ctx)
	if err != nil {
		t.Fatal(err)
	}
	snaps, err := fs.Collection("tenants").Doc(fila.ID).Collection("jobs").Documents(ctx).GetAll()
	if err != nil {
		t.Fatal(err)
	}
	var drained int
	for _, snap := range snaps {
		var j domain.Job
		if err := snap.DataTo(&j); err != nil {
			t.Fatal(err)
		}
		switch id := snap.Ref.ID; {
		case strings.HasPrefix(id, "fila-0"):
			drained++
			if j.Status != domain.JobFailed || !j.Settled || j.ReasonCode != domain.ReasonOperationalFailure || j.Reason != "Falha operacional: jobs antigos da migração." ||
				len(j.Timeline) != 3 || j.Timeline[0].Event != "created" || j.Timeline[1].Event != "action_fail" ||
				!strings.HasPrefix(j.Timeline[1].Detail, "Limpeza da fila limpeza-0001:") || !strings.Contains(j.Timeline[1].Detail, ownerEmail) ||
				j.Timeline[2].Event != "failed" || j.ClientPhone != "+5511900000000" {
				t.Fatalf("drained job %s: %+v", id, j)
			}
		case id == recent.ID:
			if j.Status != domain.JobPending || len(j.Timeline) != 1 {
				t.Fatalf("job outside the selection changed: %s %+v", id, j)
			}
		case id == sent.ID:
			if j.Status != domain.JobSent || len(j.Timeline) != 1 {
				t.Fatalf("sent job changed: %+v", j)
			}
		}
	}
	if drained != n {
		t.Fatalf("%d drained jobs found, want %d", drained, n)
	}

	if r := call(t, s, owner, "PUT", "/v1/staff/settings/scan", map[string]any{"paused": false, "reason": "fila limpa"}); r.Status != 200 || r.Body["paused"] != false {
		t.Fatalf("resume: %d %s", r.Status, r.Raw)
	}
	if tn, err := db.GetTenant(ctx, fila.ID); err != nil || tn.ScanPause.Paused || tn.ScanPause.By != ownerEmail || tn.ScanPause.Reason != "fila limpa" {
		t.Fatalf("tenant's scan pause: %+v %v", tn, err)
	}
	// The pause and the resumption are in the settings history, newest first.
	h := call(t, s, owner, "GET", "/v1/staff/settings/audit", nil)
	entries, _ := h.Body["entries"].([]any)
	if h.Status != 200 || len(entries) < 2 {
		t.Fatalf("history: %d %s", h.Status, h.Raw)
	}
	for i, want := range [][2]string{{"pausado: limpando a fila", "ativo"}, {"ativo", "pausado: limpando a fila"}} {
		e := entries[i].(map[string]any)
		if e["field"] != "scan_pause" || e["by"] != ownerEmail || e["new"] != want[1] || e["old"] != want[0] {
			t.Errorf("history entry %d: %v, want scan_pause %s → %s by %s", i, e, want[0], want[1], ownerEmail)
		}
	}
}

// TestReminderScanSkipsPausedTenants: on a project of its own (the scan reads every
// tenant's reminders), with pages of 5, the reminder scan leaves the reminders of a
// studio whose owner paused it exactly as they are, and reads past them to another
// studio's reminder due later, which goes on; resumed, the studio's reminders go on too.
func TestReminderScanSkipsPausedTenants(t *testing.T) {
	s := fast(t, func(c *config.Config) { c.BatchLimit = 5 })
	ctx := context.Background()
	paused, _ := demoStudio(t, s, "pausa-a", "", "102290129348105", "106540352248105")
	running, _ := demoStudio(t, s, "pausa-b", "Studio Bela", "102290129348106", "106540352248106")
	db := mustStore(t, s)
	if err := db.UpdateTenant(ctx, paused.ID, func(tn *domain.Tenant) error {
		tn.ScanPause = domain.ScanPause{Paused: true, Reason: "limpando a fila", By: "dona@example.com", At: time.Now()}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	reminder := func(tenantID string, i int, at time.Time) *domain.Job {
		j := &domain.Job{ID: fmt.Sprintf("lembrete-%s-%02d", tenantID, i), TenantID: tenantID, AppointmentID: fmt.Sprintf("apt_%024x", i),
			Type: domain.JobReminder, Status: domain.JobPending, ScheduledFor: at, AppointmentStartsAt: now.Add(25 * time.Hour),
			ScheduleVersion: 1, CreatedAt: now, UpdatedAt: now}
		j.AddEvent(now, "created", "")
		return j
	}
	var held []*domain.Job
	for i := range 12 { // more than two pages, all due before the other studio's
		held = append(held, reminder(paused.ID, i, now.Add(-time.Hour+time.Duration(i)*time.Second)))
	}
	if err := db.PutJobs(ctx, paused.ID, held); err != nil {
		t.Fatal(err)
	}
	other := reminder(running.ID, 99, now.Add(-time.Minute))
	if err := db.PutJobs(ctx, running.ID, []*domain.Job{other}); err != nil {
		t.Fatal(err)
	}

	if resp, err := s.RunReminderScan(ctx); err != nil || resp.StatusCode != 200 {
		t.Fatalf("scan: %v %v", resp, err)
	}
	// The other studio's reminder went on (queued, then dispatch: its appointment is gone).
	waitJob(t, s, running.ID, other.ID, 10*time.Second, func(j *domain.Job) bool { return j.Status != domain.JobPending })
	for _, h := range held {
		if j := getJob(t, s, paused.ID, h.ID); j.Status != domain.JobPending || len(j.Timeline) != 1 || !j.UpdatedAt.Equal(h.UpdatedAt.Truncate(time.Microsecond)) {
			t.Fatalf("the scan touched a paused studio's reminder: %+v", j)
		}
	}

	if err := db.UpdateTenant(ctx, paused.ID, func(tn *domain.Tenant) error {
		tn.ScanPause = domain.ScanPause{Paused: false, Reason: "fila limpa", By: "dona@example.com", At: time.Now()}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if resp, err := s.RunReminderScan(ctx); err != nil || resp.StatusCode != 200 {
		t.Fatalf("scan: %v %v", resp, err)
	}
	waitJob(t, s, paused.ID, held[0].ID, 10*time.Second, func(j *domain.Job) bool { return j.Status != domain.JobPending })
}
