package store

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
)

// TestPanelJobsPagesInOrder: the queue is soonest first, the history newest first, each
// scoped to its statuses and to one tenant; pages continue after the cursor without
// repeating or losing a job; a malformed document is listed, not an error.
func TestPanelJobsPagesInOrder(t *testing.T) {
	ctx := context.Background()
	s, fs := newStore(t)
	statuses := []domain.JobStatus{domain.JobPending, domain.JobSent, domain.JobQueued, domain.JobRead}
	for i := range 12 {
		j := &domain.Job{TenantID: "t1", AppointmentID: "apt_x", Type: domain.JobReminder, Status: statuses[i%4],
			ScheduledFor: t0.Add(time.Duration(i) * time.Hour), UpdatedAt: t0.Add(time.Duration(i) * time.Minute)}
		if _, err := fs.Doc(fmt.Sprintf("tenants/t1/jobs/j%02d", i)).Set(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	// Another tenant's jobs never show up.
	if _, err := fs.Doc("tenants/t2/jobs/other").Set(ctx, &domain.Job{TenantID: "t2", Status: domain.JobPending, ScheduledFor: t0}); err != nil {
		t.Fatal(err)
	}
	// A job whose attempts are not a list does not decode.
	if _, err := fs.Doc("tenants/t1/jobs/broken").Set(ctx, map[string]any{"status": "sent", "attempts": "x", "updated_at": t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	// Written raw (not through the store), every job above carries settled=false and the
	// malformed one none: before the backfill the queue wrongly lists sent and read jobs;
	// the backfill corrects the six final jobs and gives the malformed one its flag, once.
	if js, _, err := s.PanelJobs(ctx, "t1", PanelQuery{View: PanelQueue, Statuses: PanelQueue.Statuses(), Limit: 4}); err != nil || len(js) != 4 || js[1].Job.ID != "j01" {
		t.Fatalf("queue before the backfill = %+v, %v", js, err)
	}
	if read, changed, err := s.BackfillSettled(ctx, "t1"); err != nil || read != 13 || changed != 7 {
		t.Fatalf("backfill: read %d changed %d, %v; want 13 7", read, changed, err)
	}
	if read, changed, err := s.BackfillSettled(ctx, "t1"); err != nil || read != 13 || changed != 0 {
		t.Fatalf("second backfill: read %d changed %d, %v; want 13 0", read, changed, err)
	}

	page := func(v PanelView, afterV time.Time, afterID string) ([]string, bool) {
		js, more, err := s.PanelJobs(ctx, "t1", PanelQuery{View: v, Statuses: v.Statuses(), Limit: 4, AfterValue: afterV, AfterID: afterID})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, j := range js {
			id := j.Job.ID
			if j.Malformed {
				id += "!"
			}
			ids = append(ids, id)
		}
		return ids, more
	}
	got, more := page(PanelQueue, time.Time{}, "")
	if fmt.Sprint(got) != "[j00 j02 j04 j06]" || !more {
		t.Fatalf("queue page 1 = %v more=%v", got, more)
	}
	got, more = page(PanelQueue, t0.Add(6*time.Hour), "j06")
	if fmt.Sprint(got) != "[j08 j10]" || more {
		t.Fatalf("queue page 2 = %v more=%v", got, more)
	}
	got, _ = page(PanelHistory, time.Time{}, "")
	if fmt.Sprint(got) != "[broken! j11 j09 j07]" {
		t.Fatalf("history page 1 = %v", got)
	}
	got, more = page(PanelHistory, t0.Add(7*time.Minute), "j07")
	if fmt.Sprint(got) != "[j05 j03 j01]" || more {
		t.Fatalf("history page 2 = %v more=%v", got, more)
	}
	// The range and the type filter.
	js, _, err := s.PanelJobs(ctx, "t1", PanelQuery{View: PanelQueue, Statuses: []domain.JobStatus{domain.JobPending},
		Type: domain.JobReminder, From: t0.Add(3 * time.Hour), To: t0.Add(8 * time.Hour), Limit: 50}) // [3h, 8h): j04, not j08
	if err != nil || len(js) != 1 || js[0].Job.ID != "j04" {
		t.Fatalf("filtered = %+v, %v", js, err)
	}
}

// TestAgendaReads: a day's appointments in starts_at order, with their jobs, one tenant only.
func TestAgendaReads(t *testing.T) {
	ctx := context.Background()
	s, fs := newStore(t)
	for i, h := range []int{15, 9, 30, 12} { // 30: the next day
		a := &domain.Appointment{TenantID: "t1", ClientName: fmt.Sprint("C", i), StartsAt: t0.Truncate(24 * time.Hour).Add(time.Duration(h) * time.Hour)}
		if _, err := fs.Doc(fmt.Sprintf("tenants/t1/appointments/a%d", i)).Set(ctx, a); err != nil {
			t.Fatal(err)
		}
		if _, err := fs.Doc(fmt.Sprintf("tenants/t1/jobs/a%d-n", i)).Set(ctx, &domain.Job{AppointmentID: fmt.Sprint("a", i), Type: domain.JobCreated}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := fs.Doc("tenants/t2/appointments/z").Set(ctx, &domain.Appointment{StartsAt: t0}); err != nil {
		t.Fatal(err)
	}
	day := t0.Truncate(24 * time.Hour)
	apts, err := s.AppointmentsBetween(ctx, "t1", day, day.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range apts {
		ids = append(ids, a.ID)
	}
	if fmt.Sprint(ids) != "[a1 a3 a0]" {
		t.Fatalf("agenda = %v", ids)
	}
	jobs, err := s.JobsOfAppointments(ctx, "t1", ids)
	if err != nil || len(jobs) != 3 || jobs["a3"][0].ID != "a3-n" {
		t.Fatalf("jobs = %v, %v", jobs, err)
	}
	got, err := s.AppointmentsByID(ctx, "t1", []string{"a0", "z", "missing"})
	if err != nil || len(got) != 1 || got["a0"] == nil {
		t.Fatalf("by id = %v, %v", got, err)
	}
	found, err := s.SearchAppointments(ctx, "t1", nil, []string{"C2"}, 30)
	if err != nil || len(found) != 1 || found[0].ID != "a2" {
		t.Fatalf("search = %v, %v", found, err)
	}
}

// TestPanelViewsSplitByFinal: the queue lists exactly the statuses that are not final and
// the history exactly the final ones, so a view's settled flag (domain.Job.Settled) and
// its status list never disagree; a stored document's flag follows the same split.
func TestPanelViewsSplitByFinal(t *testing.T) {
	all := []domain.JobStatus{domain.JobPending, domain.JobQueued, domain.JobSending, domain.JobUnknown,
		domain.JobSent, domain.JobDelivered, domain.JobRead, domain.JobFailed, domain.JobSkipped}
	for _, st := range all {
		inQueue, inHistory := slices.Contains(PanelQueue.Statuses(), st), slices.Contains(PanelHistory.Statuses(), st)
		if inQueue == inHistory || inHistory != st.Final() {
			t.Errorf("%s: queue %v history %v final %v", st, inQueue, inHistory, st.Final())
		}
		if got := jobDoc(&domain.Job{Status: st}).Settled; got != st.Final() {
			t.Errorf("jobDoc(%s).Settled = %v", st, got)
		}
		if got := settledOf(map[string]any{"status": string(st)}); got != st.Final() {
			t.Errorf("settledOf(%s) = %v", st, got)
		}
	}
	for _, d := range []map[string]any{{}, {"status": 3}, {"status": ""}, {"status": "promo"}} {
		if !settledOf(d) {
			t.Errorf("settledOf(%v) = false: a document without a known status belongs to the history", d)
		}
	}
}
