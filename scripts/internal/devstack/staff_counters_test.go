package devstack_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/scripts/internal/emulators"
	"github.com/lembra-app/lembra/scripts/internal/standin/metastandin"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/ptbr"
	"github.com/lembra-app/lembra/shared/store"
)

// TestStaffCounters drives jobs through the whole stack (booking API → dispatch → the
// Meta stand-in's status webhooks → events) and checks GET /v1/staff/counters counts
// each exactly: a notice delivered and read (each status posted twice), two taps on its
// buttons (one button reply), the answers to them sent, a notice Meta refused at the
// send, a notice Meta reported failed after it was sent, a reminder created too late, a
// notice skipped by the kill switch, and two reminders skipped by canceled appointments.
// Redelivered webhooks count nothing; jobs written around the counters (a bulk import of
// 300 delivered jobs) are not counted, so the answer is the aggregates, not a scan of the
// jobs; a read costs days × store.CounterShards documents; staff and owner may read, a
// bad days is 400, another studio sees only its own.
func TestStaffCounters(t *testing.T) {
	s := devstack.ForTest(t, devstack.Options{Project: emulators.AuthProject})
	ctx := context.Background()
	jana, key := demoStudio(t, s, "cnt-jana", "", "102290129340691", "106540352242991")
	other, _ := demoStudio(t, s, "cnt-bela", "Studio Bela", "102290129340692", "106540352242992")
	owner, _, staff, stranger := opsTokens(t, s, jana.ID, other.ID)
	db := mustStore(t, s)

	create := func(ext string, startsAt time.Time) string {
		t.Helper()
		r := call(t, s, key, "POST", "/v1/appointments", appointmentBody(ext, startsAt))
		if r.Status != http.StatusCreated {
			t.Fatalf("create %s: %d %s", ext, r.Status, r.Raw)
		}
		return appointmentID(t, r)
	}
	post := func(wamid, status string, code int) {
		t.Helper()
		for range 2 { // every status delivered twice, as Meta may
			if got, err := s.Meta.PostStatus(ctx, wamid, status, code, "", ""); err != nil || got != http.StatusOK {
				t.Fatalf("status %s: %d %v", status, got, err)
			}
		}
	}
	ahead := time.Now().Add(72 * time.Hour).Truncate(time.Minute)

	// 1. A notice sent, delivered and read; the client taps two of its buttons.
	apt1 := create("cnt-1", ahead)
	n1 := waitJob(t, s, jana.ID, domain.JobID(apt1, domain.JobCreated, 0), 15*time.Second, func(j *domain.Job) bool { return j.Status == domain.JobSent })
	post(n1.ProviderMessageID, "sent", 0)
	post(n1.ProviderMessageID, "delivered", 0)
	waitJob(t, s, jana.ID, n1.ID, 15*time.Second, func(j *domain.Job) bool { return j.Status == domain.JobDelivered })
	post(n1.ProviderMessageID, "read", 0)
	waitJob(t, s, jana.ID, n1.ID, 15*time.Second, func(j *domain.Job) bool { return j.Status == domain.JobRead })
	for _, b := range []string{"Confirmar", "Reagendar"} {
		in, got, err := s.Meta.TapButton(ctx, n1.ProviderMessageID, b, b)
		if err != nil || got != http.StatusOK {
			t.Fatalf("tap %s: %d %v", b, got, err)
		}
		r := waitJob(t, s, jana.ID, eventsReplyID(in), 15*time.Second, final)
		if r.Status != domain.JobSent {
			t.Fatalf("answer to %s: %s %s", b, r.Status, r.ReasonCode)
		}
	}

	// 2. A notice Meta refuses at the send (a bad parameter: failed for good).
	s.Meta.FailNext(metastandin.Fault{HTTPStatus: 400, Code: 131008})
	apt2 := create("cnt-2", ahead.Add(time.Hour))
	f2 := waitJob(t, s, jana.ID, domain.JobID(apt2, domain.JobCreated, 0), 15*time.Second, final)
	if f2.Status != domain.JobFailed || f2.ReasonCode == "" {
		t.Fatalf("refused notice: %s %q", f2.Status, f2.ReasonCode)
	}

	// 3. A notice sent, then reported failed by Meta (twice).
	apt3 := create("cnt-3", ahead.Add(2*time.Hour))
	n3 := waitJob(t, s, jana.ID, domain.JobID(apt3, domain.JobCreated, 0), 15*time.Second, func(j *domain.Job) bool { return j.Status == domain.JobSent })
	post(n3.ProviderMessageID, "failed", 131049)
	f3 := waitJob(t, s, jana.ID, n3.ID, 15*time.Second, func(j *domain.Job) bool { return j.Status == domain.JobFailed })

	// 4. An appointment in 12 hours: its reminder is created skipped (too late).
	apt4 := create("cnt-4", time.Now().Add(12*time.Hour).Truncate(time.Minute))
	waitJob(t, s, jana.ID, domain.JobID(apt4, domain.JobCreated, 0), 15*time.Second, func(j *domain.Job) bool { return j.Status == domain.JobSent })

	// 5. The kill switch on: the next notice is skipped; then off again.
	killSwitch := func(on bool) {
		t.Helper()
		if _, err := db.MergeTenant(ctx, jana.ID, func(prev *domain.Tenant) (*domain.Tenant, error) {
			prev.KillSwitch = on
			return prev, nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	killSwitch(true)
	apt5 := create("cnt-5", ahead.Add(3*time.Hour))
	k5 := waitJob(t, s, jana.ID, domain.JobID(apt5, domain.JobCreated, 0), 15*time.Second, final)
	killSwitch(false)
	if k5.Status != domain.JobSkipped || k5.ReasonCode != domain.ReasonKillSwitch {
		t.Fatalf("notice with the kill switch on: %s %s", k5.Status, k5.ReasonCode)
	}

	// 6. Appointments 1 and 5 canceled without notice: their reminders are skipped.
	for _, id := range []string{apt1, apt5} {
		if r := call(t, s, key, "POST", "/v1/appointments/"+id+"/cancel", map[string]any{"notify_client": false}); r.Status != http.StatusOK {
			t.Fatalf("cancel %s: %d %s", id, r.Status, r.Raw)
		}
	}

	// A bulk import around the counters: 300 delivered jobs that no function wrote.
	var imported []*domain.Job
	for i := range 300 {
		imported = append(imported, &domain.Job{ID: fmt.Sprintf("imported-%03d", i), TenantID: jana.ID, Type: domain.JobCreated,
			Status: domain.JobDelivered, ProviderMessageID: fmt.Sprintf("wamid.imported-%d", i), CreatedAt: time.Now(), UpdatedAt: time.Now()})
	}
	if err := db.PutJobs(ctx, jana.ID, imported); err != nil {
		t.Fatal(err)
	}

	failed := func(codes ...string) map[string]int {
		m := map[string]int{}
		for _, c := range codes {
			m[domain.CounterReason(c)]++
		}
		return m
	}
	want := wantCounters{
		// notices 1, 3 and 4 and the two answers went out; 2 never did.
		sent: 5, delivered: 1, read: 1, buttonsDelivered: 1, buttonReplies: 1, replyRate: 1,
		failed: failed(f2.ReasonCode, f3.ReasonCode),
		skipped: map[string]int{
			domain.ReasonReminderTooLate: 1, domain.ReasonKillSwitch: 1, domain.ReasonAppointmentGone: 2,
		},
	}
	check := func(tok string, days int) {
		t.Helper()
		r := call(t, s, tok, "GET", fmt.Sprintf("/v1/staff/counters?days=%d", days), nil)
		if r.Status != http.StatusOK {
			t.Fatalf("counters: %d %s", r.Status, r.Raw)
		}
		if problem := want.differs(r.Body, days); problem != "" {
			t.Fatalf("counters of %d days: %s\n%s", days, problem, r.Raw)
		}
	}
	// The answers' statuses are not posted (no auto statuses): every job is where it
	// stays. Wait for the last asynchronous writes, then again: redelivered webhooks
	// processed late still count nothing.
	eventually(t, 15*time.Second, "the counters", func() bool {
		r := call(t, s, staff, "GET", "/v1/staff/counters?days=7", nil)
		return r.Status == http.StatusOK && want.differs(r.Body, 7) == ""
	})
	time.Sleep(2 * time.Second)
	check(staff, 7)
	check(owner, 30)
	check(staff, 30)

	// Redelivered webhooks again, long after: nothing changes.
	post(n1.ProviderMessageID, "delivered", 0)
	post(n1.ProviderMessageID, "read", 0)
	post(n3.ProviderMessageID, "failed", 131049)
	time.Sleep(2 * time.Second)
	check(owner, 7)

	// What a read costs: days × CounterShards documents, found at most as many.
	for _, days := range []int{7, 30} {
		c, err := db.ReadCounters(ctx, jana.ID, time.Now(), jana.Location(), days)
		if err != nil {
			t.Fatal(err)
		}
		if c.DocsRead != days*store.CounterShards || c.Found < 1 || c.Found > days*store.CounterShards {
			t.Fatalf("%d days: %d documents read, %d found; bound %d", days, c.DocsRead, c.Found, days*store.CounterShards)
		}
		t.Logf("counters of %d days: %d documents asked for, %d exist", days, c.DocsRead, c.Found)
	}

	// Labels are Portuguese; a bad days is 400; another studio's owner sees its own
	// (empty) counters; no token is 401.
	r := call(t, s, owner, "GET", "/v1/staff/counters", nil)
	if r.Status != http.StatusOK || r.Body["days"] != float64(7) {
		t.Fatalf("default days: %d %s", r.Status, r.Raw)
	}
	for _, raw := range r.Body["skipped"].(map[string]any)["by_reason"].([]any) {
		e := raw.(map[string]any)
		if e["label"] != ptbr.CounterReasonLabel(e["code"].(string)) || e["label"] == "" {
			t.Errorf("skipped reason %v: label", e)
		}
	}
	for _, bad := range []string{"14", "0", "x", "-7"} {
		if r := call(t, s, staff, "GET", "/v1/staff/counters?days="+bad, nil); r.Status != http.StatusBadRequest || !strings.Contains(r.Raw, `"field":"days"`) {
			t.Errorf("days=%s: %d %s", bad, r.Status, r.Raw)
		}
	}
	if r := call(t, s, stranger, "GET", "/v1/staff/counters?days=30", nil); r.Status != http.StatusOK || r.Body["sent"] != float64(0) || r.Body["reply_rate"] != nil {
		t.Errorf("another studio: %d %s", r.Status, r.Raw)
	}
	if r := call(t, s, "", "GET", "/v1/staff/counters", nil); r.Status != http.StatusUnauthorized {
		t.Errorf("no token: %d %s", r.Status, r.Raw)
	}
}

// wantCounters is what GET /v1/staff/counters should answer.
type wantCounters struct {
	sent, delivered, read, buttonsDelivered, buttonReplies int
	replyRate                                              float64
	failed, skipped                                        map[string]int
}

// differs says how body differs from w ("" when it does not).
func (w wantCounters) differs(body map[string]any, days int) string {
	num := func(k string) int { f, _ := body[k].(float64); return int(f) }
	if num("days") != days {
		return fmt.Sprintf("days %v", body["days"])
	}
	for k, v := range map[string]int{"sent": w.sent, "delivered": w.delivered, "read": w.read,
		"buttons_delivered": w.buttonsDelivered, "button_replies": w.buttonReplies} {
		if num(k) != v {
			return fmt.Sprintf("%s %d, want %d", k, num(k), v)
		}
	}
	if rate, _ := body["reply_rate"].(float64); rate != w.replyRate {
		return fmt.Sprintf("reply_rate %v, want %v", body["reply_rate"], w.replyRate)
	}
	for name, want := range map[string]map[string]int{"failed": w.failed, "skipped": w.skipped} {
		rc, _ := body[name].(map[string]any)
		total := 0
		got := map[string]int{}
		list, _ := rc["by_reason"].([]any)
		for _, raw := range list {
			e, _ := raw.(map[string]any)
			n, _ := e["count"].(float64)
			got[fmt.Sprint(e["code"])] = int(n)
		}
		for _, n := range want {
			total += n
		}
		if t, _ := rc["total"].(float64); int(t) != total || fmt.Sprint(got) != fmt.Sprint(want) {
			return fmt.Sprintf("%s %v (total %v), want %v (total %d)", name, got, rc["total"], want, total)
		}
	}
	return ""
}
