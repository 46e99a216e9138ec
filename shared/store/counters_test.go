package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"cloud.google.com/go/firestore"
	"github.com/lembra-app/lembra/shared/domain"
)

// Every write path of a job adds to the counters in its own transaction: creating an
// appointment (a reminder created skipped), a job's update (sent, delivered, read,
// failed, each status twice), the reminder scan's skip, an appointment's change
// (canceled: its reminder skipped) and a button tap (counted once per message).
func TestCountersFollowEveryJobWrite(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	if err := s.PutTenant(ctx, tenant("a", "111", "waba-a")); err != nil {
		t.Fatal(err)
	}
	status := func(jobID string, st domain.JobStatus, code string) {
		t.Helper()
		for range 2 { // a redelivered status adds nothing
			if _, err := s.UpdateJob(ctx, "a", jobID, func(tx *JobTx) error {
				next := tx.Job.Status.Reported(st)
				if st == domain.JobSent && tx.Job.ProviderMessageID == "" {
					next = domain.JobSent
					tx.Job.ProviderMessageID = "wamid." + jobID
				}
				if next == tx.Job.Status {
					return ErrNoChange
				}
				tx.Job.Status = next
				if next == domain.JobFailed {
					tx.Job.ReasonCode = code
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
	apt1, jobs1 := appointment("a", "ext-1", time.Now().Add(72*time.Hour))
	apt2, jobs2 := appointment("a", "ext-2", time.Now().Add(72*time.Hour))
	jobs2[1].Status, jobs2[1].ReasonCode = domain.JobSkipped, domain.ReasonReminderTooLate
	for _, c := range []struct {
		apt  *domain.Appointment
		jobs []*domain.Job
	}{{apt1, jobs1}, {apt2, jobs2}} {
		if _, _, _, err := s.CreateAppointment(ctx, c.apt, c.jobs); err != nil {
			t.Fatal(err)
		}
	}
	status(jobs1[0].ID, domain.JobSent, "")
	status(jobs1[0].ID, domain.JobDelivered, "")
	status(jobs1[0].ID, domain.JobRead, "")
	status(jobs2[0].ID, domain.JobSent, "")
	status(jobs2[0].ID, domain.JobFailed, domain.ReasonMetaError)
	// The reminder scan skips apt1's reminder.
	for range 2 {
		if err := s.SkipJob(ctx, "a", jobs1[1].ID, time.Now(), domain.Reason{Code: domain.ReasonAppointmentPast}); err != nil {
			t.Fatal(err)
		}
	}
	// A third appointment canceled: its reminder skipped through UpdateAppointment.
	apt3, jobs3 := appointment("a", "ext-3", time.Now().Add(72*time.Hour))
	if _, _, _, err := s.CreateAppointment(ctx, apt3, jobs3); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, _, err := s.UpdateAppointment(ctx, "a", apt3.ID, func(apt *domain.Appointment, jobs []*domain.Job) (AppointmentChange, error) {
			var ch AppointmentChange
			for _, j := range jobs {
				if j.Type == domain.JobReminder && j.Status.Unsent() {
					j.Finish(time.Now(), domain.JobSkipped, domain.Reason{Code: domain.ReasonAppointmentGone})
					ch.ChangedJobs = append(ch.ChangedJobs, j)
				}
			}
			if len(ch.ChangedJobs) == 0 {
				return ch, ErrNoChange
			}
			apt.Status = domain.AppointmentCanceled
			return ch, nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	// Two taps on apt1's notice and one on apt2's (failed, never delivered): each message
	// counts once; a text reply and a repeated delivery of a tap count nothing.
	taps := []domain.Inbound{
		{ID: "wamid.IN1", WAID: "5511987654321", At: time.Now(), Type: "button", Text: "Confirmar", Payload: "Confirmar", ContextID: "wamid." + jobs1[0].ID},
		{ID: "wamid.IN1", WAID: "5511987654321", At: time.Now(), Type: "button", Text: "Confirmar", Payload: "Confirmar", ContextID: "wamid." + jobs1[0].ID},
		{ID: "wamid.IN2", WAID: "5511987654321", At: time.Now(), Type: "button", Text: "Reagendar", Payload: "Reagendar", ContextID: "wamid." + jobs1[0].ID},
		{ID: "wamid.IN3", WAID: "5511987654321", At: time.Now(), Type: "text", Text: "ok", ContextID: "wamid." + jobs1[0].ID},
		{ID: "wamid.IN4", WAID: "5511987654321", At: time.Now(), Type: "button", Text: "Confirmar", Payload: "Confirmar", ContextID: "wamid." + jobs2[0].ID},
	}
	for _, in := range taps {
		if _, err := s.RecordInbound(ctx, "a", in, func(*domain.Appointment, *domain.Job, domain.Conversation) (InboundDecision, error) {
			return InboundDecision{}, nil
		}); err != nil {
			t.Fatal(err)
		}
	}

	loc := (&domain.Tenant{}).Location()
	for _, days := range []int{1, 7, 30} {
		got, err := s.ReadCounters(ctx, "a", time.Now(), loc, days)
		if err != nil {
			t.Fatal(err)
		}
		want := domain.Counters{
			Sent: 2, Delivered: 1, Read: 1, Failed: 1, Skipped: 3, ButtonsDelivered: 1, ButtonReplies: 2,
			FailedByReason:  map[string]int64{domain.ReasonMetaError: 1},
			SkippedByReason: map[string]int64{domain.ReasonReminderTooLate: 1, domain.ReasonAppointmentPast: 1, domain.ReasonAppointmentGone: 1},
		}
		if fmt.Sprint(got.Counters) != fmt.Sprint(want) {
			t.Errorf("%d days: %+v\nwant %+v", days, got.Counters, want)
		}
		if got.DocsRead != days*CounterShards || got.Found < 1 || got.Found > CounterShards {
			t.Errorf("%d days: asked for %d documents, found %d (bound %d)", days, got.DocsRead, got.Found, days*CounterShards)
		}
		if got.To != CounterDay(time.Now(), loc) {
			t.Errorf("%d days: to %s", days, got.To)
		}
	}
	// The job keeps its marks, and the day of each per-message count; no counter shard
	// holds a sent, delivered, read or buttons delivered (the job's own write counted
	// them: no counter write of their own).
	today := CounterDay(time.Now(), loc)
	if j, _ := s.GetJob(ctx, "a", jobs1[0].ID); fmt.Sprint(j.Counted) != "[sent delivered read]" ||
		fmt.Sprint(j.CountedOn) != fmt.Sprintf("map[buttons_delivered:%[1]s delivered:%[1]s read:%[1]s sent:%[1]s]", today) {
		t.Errorf("marks %v, counted on %v", j.Counted, j.CountedOn)
	}
	if j, _ := s.GetJob(ctx, "a", jobs2[0].ID); fmt.Sprint(j.CountedOn) != "map[sent:"+today+"]" {
		t.Errorf("failed after sent: counted on %v", j.CountedOn)
	}
	shards, err := s.fs.Collection("tenants").Doc("a").Collection(colCounters).Documents(ctx).GetAll()
	if err != nil || len(shards) == 0 {
		t.Fatalf("%d shards, %v", len(shards), err)
	}
	for _, sh := range shards {
		for _, f := range []string{fieldSent, fieldDelivered, fieldRead, fieldButtonsDelivered, fieldBilled, fieldBilledFree} {
			if _, ok := sh.Data()[f]; ok {
				t.Errorf("shard %s holds %s: %v", sh.Ref.ID, f, sh.Data())
			}
		}
	}
	if got, _ := s.ReadCounters(ctx, "a", time.Now(), loc, 1); got.Aggregations != 4 { // sent, delivered, read, buttons delivered
		t.Errorf("%d aggregations", got.Aggregations)
	}
	for _, days := range []int{0, MaxCounterDays + 1} {
		if _, err := s.ReadCounters(ctx, "a", time.Now(), loc, days); err == nil {
			t.Errorf("%d days accepted", days)
		}
	}
}

// The days of ReadCounters are the tenant's local days, whole across a change of
// daylight-saving time, ending today.
func TestCounterDays(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	s, _ := newStore(t)
	// 2026-11-01 02:00 New York falls back; 03:30 UTC on 2 Nov is 22:30 on 1 Nov there.
	got, err := s.ReadCounters(context.Background(), "none", time.Date(2026, 11, 2, 3, 30, 0, 0, time.UTC), ny, 3)
	if err != nil || got.From != "2026-10-30" || got.To != "2026-11-01" || got.Found != 0 || got.Sent != 0 {
		t.Errorf("%+v %v", got, err)
	}
}

// BenchmarkStatusPath measures a status update (sent → delivered → read, each a
// transaction) with the counters against the same update of a job whose marks already
// hold every counter (no counter write): go test -bench StatusPath ./shared/store.
func BenchmarkStatusPath(b *testing.B) {
	ctx := context.Background()
	for _, counted := range []bool{false, true} {
		name := "with counters"
		if counted {
			name = "without counter writes"
		}
		b.Run(name, func(b *testing.B) {
			s, _ := newStoreB(b)
			if err := s.PutTenant(ctx, tenant("a", "111", "waba-a")); err != nil {
				b.Fatal(err)
			}
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				apt, jobs := appointment("a", fmt.Sprintf("ext-%d", i), time.Now().Add(72*time.Hour))
				if counted {
					jobs[0].Counted = []string{domain.MarkSent, domain.MarkDelivered, domain.MarkRead}
				}
				if _, _, _, err := s.CreateAppointment(ctx, apt, jobs); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				for _, st := range []domain.JobStatus{domain.JobSent, domain.JobDelivered, domain.JobRead} {
					if _, err := s.UpdateJob(ctx, "a", jobs[0].ID, func(tx *JobTx) error {
						tx.Job.Status = st
						return nil
					}); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

func newStoreB(b *testing.B) (*Store, *firestore.Client) {
	b.Helper()
	fs, err := firestore.NewClient(context.Background(), fmt.Sprintf("store-bench-%d", time.Now().UnixNano()))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { fs.Close() })
	return New(fs), fs
}

// A drain counts what it marks, each batch's jobs summed into one counter write, and a
// second run adds nothing.
func TestDrainCountsWhatItMarks(t *testing.T) {
	ctx := context.Background()
	s, fs := newStore(t)
	if err := s.PutTenant(ctx, tenant("a", "111", "waba-a")); err != nil {
		t.Fatal(err)
	}
	var jobs []*domain.Job
	for i := range 25 {
		jobs = append(jobs, &domain.Job{ID: fmt.Sprintf("old-%02d", i), TenantID: "a", Type: domain.JobReminder, Status: domain.JobPending,
			ScheduledFor: time.Now().Add(-48 * time.Hour), CreatedAt: time.Now()})
	}
	if err := s.PutJobs(ctx, "a", jobs); err != nil {
		t.Fatal(err)
	}
	sel := DrainSelector{Statuses: []domain.JobStatus{domain.JobPending}}
	rule := func(j *domain.Job) (*domain.Job, bool) {
		if j.Status != domain.JobPending {
			return nil, j.ReasonCode == domain.ReasonDiscarded
		}
		j.Finish(time.Now(), domain.JobSkipped, domain.Reason{Code: domain.ReasonDiscarded})
		return j, false
	}
	for range 2 {
		if _, err := s.Drain(ctx, "a", DrainRecord{ID: "d1", Action: "discard", Reason: "teste"}, sel, 10, 10, time.Now(), rule); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.ReadCounters(ctx, "a", time.Now(), (&domain.Tenant{}).Location(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if got.Skipped != 25 || got.SkippedByReason[domain.ReasonDiscarded] != 25 || got.Sent != 0 {
		t.Errorf("%+v", got.Counters)
	}
	// Three batches (10, 10, 5): at most three shard documents written.
	docs, err := fs.Collection("tenants").Doc("a").Collection(colCounters).Documents(ctx).GetAll()
	if err != nil || len(docs) < 1 || len(docs) > 3 {
		t.Errorf("%d counter documents %v", len(docs), err)
	}
}
