package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/firestore"

	"github.com/lembra-app/lembra/shared/domain"
)

// The store's tests run against Google's Firestore emulator, never a mock:
// scripts/test.sh starts it and sets FIRESTORE_EMULATOR_HOST. Without it they fail at
// once, saying so, rather than skip.
func TestMain(m *testing.M) {
	if os.Getenv("FIRESTORE_EMULATOR_HOST") == "" {
		fmt.Fprintln(os.Stderr, "store tests need the Firestore emulator: set FIRESTORE_EMULATOR_HOST, or run them through scripts/test.sh\n"+
			"  (go build -o /tmp/lembra-emulators ./scripts/emulators && /tmp/lembra-emulators -pubsub=false -- go test ./shared/store)")
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// newStore gives each test a project of its own on the emulator, so that
// collection-group queries see only that test's documents.
func newStore(t *testing.T) (*Store, *firestore.Client) {
	t.Helper()
	name := strings.NewReplacer("/", "-", "_", "-").Replace(strings.ToLower(t.Name()))
	project := fmt.Sprintf("store-%s-%d", name[:min(len(name), 40)], time.Now().UnixNano())
	fs, err := firestore.NewClient(context.Background(), project)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fs.Close() })
	return New(fs), fs
}

var t0 = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func tenant(id, phone, waba string) *domain.Tenant {
	return &domain.Tenant{ID: id, Name: "Studio " + id, LocationLine: "Rua A, 1", Mode: domain.ModeEnabled,
		WhatsApp: domain.WhatsApp{PhoneNumberID: phone, WABAID: waba}}
}

func exists(t *testing.T, fs *firestore.Client, col, id string) bool {
	t.Helper()
	_, err := fs.Collection(col).Doc(id).Get(context.Background())
	if err != nil && !notFound(err) {
		t.Fatal(err)
	}
	return err == nil
}

func TestTenantsAndTheirIndexes(t *testing.T) {
	ctx := context.Background()
	s, fs := newStore(t)
	if err := s.PutTenant(ctx, tenant("a", "111", "waba-a")); err != nil {
		t.Fatal(err)
	}
	if got, err := s.TenantForPhoneNumber(ctx, "111"); err != nil || got != "a" {
		t.Errorf("phone 111: %q %v", got, err)
	}
	if got, err := s.TenantForWABA(ctx, "waba-a"); err != nil || got != "a" {
		t.Errorf("waba-a: %q %v", got, err)
	}
	if got, err := s.GetTenant(ctx, "a"); err != nil || got.ID != "a" || got.WhatsApp.PhoneNumberID != "111" {
		t.Errorf("get: %+v %v", got, err)
	}

	// A new number moves the index: the old entry goes, the new one comes.
	moved, err := s.MergeTenant(ctx, "a", func(prev *domain.Tenant) (*domain.Tenant, error) {
		next := *prev
		next.WhatsApp.PhoneNumberID = "222"
		return &next, nil
	})
	if err != nil || moved.WhatsApp.PhoneNumberID != "222" {
		t.Fatalf("merge: %+v %v", moved, err)
	}
	if exists(t, fs, colPhoneNumbers, "111") || !exists(t, fs, colPhoneNumbers, "222") {
		t.Error("phone index not moved from 111 to 222")
	}
	if _, err := s.TenantForPhoneNumber(ctx, "111"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("old number still routes: %v", err)
	}

	// Another tenant cannot take a number that is a's: nothing of b is written.
	err = s.PutTenant(ctx, tenant("b", "222", "waba-b"))
	if !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("b taking a's number: %v", err)
	}
	if _, err := s.GetTenant(ctx, "b"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("b stored after a conflict: %v", err)
	}
	if exists(t, fs, colWABAs, "waba-b") {
		t.Error("b's WABA indexed after a conflict")
	}
	if got, _ := s.TenantForPhoneNumber(ctx, "222"); got != "a" {
		t.Errorf("222 routes to %q after b's attempt", got)
	}

	// b with numbers of its own; when b drops a number whose index is a's (a stale
	// copy), a's entry stays.
	if err := s.PutTenant(ctx, tenant("b", "333", "waba-b")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MergeTenant(ctx, "b", func(prev *domain.Tenant) (*domain.Tenant, error) {
		next := *prev
		next.WhatsApp.PhoneNumberID = ""
		return &next, nil
	}); err != nil {
		t.Fatal(err)
	}
	if exists(t, fs, colPhoneNumbers, "333") || !exists(t, fs, colPhoneNumbers, "222") {
		t.Error("b's removal of its number touched the wrong index entries")
	}

	// ErrNoChange writes nothing and returns what is stored; a wrong id is refused.
	got, err := s.MergeTenant(ctx, "a", func(prev *domain.Tenant) (*domain.Tenant, error) { return nil, ErrNoChange })
	if err != nil || got == nil || got.ID != "a" {
		t.Errorf("no change: %+v %v", got, err)
	}
	if _, err := s.MergeTenant(ctx, "a", func(prev *domain.Tenant) (*domain.Tenant, error) { return tenant("z", "", ""), nil }); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("id mismatch: %v", err)
	}
	if err := s.PutTenant(ctx, &domain.Tenant{ID: "bad id"}); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("invalid tenant: %v", err)
	}

	// UpdateTenant: a missing tenant is ErrNotFound, ErrNoChange writes nothing.
	if err := s.UpdateTenant(ctx, "nobody", func(*domain.Tenant) error { return nil }); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("update of a missing tenant: %v", err)
	}
	if err := s.UpdateTenant(ctx, "a", func(t *domain.Tenant) error { t.Name = "changed"; return ErrNoChange }); err != nil {
		t.Fatal(err)
	}
	if a, _ := s.GetTenant(ctx, "a"); a.Name != "Studio a" {
		t.Errorf("ErrNoChange wrote the tenant: %q", a.Name)
	}
	if _, err := s.TenantForPhoneNumber(ctx, ""); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("empty id: %v", err)
	}
}

func appointment(tenantID, ext string, startsAt time.Time) (*domain.Appointment, []*domain.Job) {
	id := domain.AppointmentID(tenantID, ext)
	apt := &domain.Appointment{ID: id, TenantID: tenantID, ExternalID: ext, ClientName: "Maria", ClientPhone: "+5511987654321",
		Service: "Corte", StartsAt: startsAt, Status: domain.AppointmentScheduled, VoucherToken: "tok-" + ext, CreatedAt: t0, UpdatedAt: t0}
	created := &domain.Job{ID: domain.JobID(id, domain.JobCreated, 0), TenantID: tenantID, AppointmentID: id, Type: domain.JobCreated,
		Status: domain.JobQueued, ScheduledFor: t0, CreatedAt: t0}
	reminder := &domain.Job{ID: domain.JobID(id, domain.JobReminder, 0), TenantID: tenantID, AppointmentID: id, Type: domain.JobReminder,
		Status: domain.JobPending, ScheduledFor: startsAt.Add(-24 * time.Hour), AppointmentStartsAt: startsAt, CreatedAt: t0}
	return apt, []*domain.Job{created, reminder}
}

func TestCreateAppointmentIsIdempotent(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	apt, jobs := appointment("a", "ext-1", t0.Add(72*time.Hour))
	got, gotJobs, created, err := s.CreateAppointment(ctx, apt, jobs)
	if err != nil || !created || got.ID != apt.ID || len(gotJobs) != 2 {
		t.Fatalf("first create: %v %v %d", created, err, len(gotJobs))
	}

	// The same appointment again, with other details and another job: nothing written,
	// the stored appointment and jobs returned.
	again, againJobs := appointment("a", "ext-1", t0.Add(96*time.Hour))
	again.ClientName = "Outra"
	extra := *againJobs[0]
	extra.ID = "extra-job"
	got, gotJobs, created, err = s.CreateAppointment(ctx, again, append(againJobs, &extra))
	if err != nil || created {
		t.Fatalf("second create: created %v, %v", created, err)
	}
	if got.ClientName != "Maria" || !got.StartsAt.Equal(t0.Add(72*time.Hour)) || len(gotJobs) != 2 {
		t.Errorf("second create returned %+v with %d jobs", got, len(gotJobs))
	}
	if _, err := s.GetJob(ctx, "a", "extra-job"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("the repeated create wrote a job: %v", err)
	}
	stored, err := s.GetAppointment(ctx, "a", apt.ID)
	if err != nil || stored.ID != apt.ID || stored.ClientName != "Maria" {
		t.Errorf("stored %+v %v", stored, err)
	}
	if _, err := s.GetAppointment(ctx, "a", "apt_missing"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("missing appointment: %v", err)
	}
}

func TestUpdatesWithoutChangeWriteNothing(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	apt, jobs := appointment("a", "ext-1", t0.Add(72*time.Hour))
	if _, _, _, err := s.CreateAppointment(ctx, apt, jobs); err != nil {
		t.Fatal(err)
	}

	// UpdateAppointment: ErrNoChange leaves appointment and jobs as they were, even
	// though fn changed its copies; the answer is what is stored.
	gotApt, gotJobs, err := s.UpdateAppointment(ctx, "a", apt.ID, func(a *domain.Appointment, js []*domain.Job) (AppointmentChange, error) {
		a.Status = domain.AppointmentCanceled
		js[0].Status = domain.JobSkipped
		return AppointmentChange{ChangedJobs: js}, ErrNoChange
	})
	if err != nil || gotApt == nil || len(gotJobs) != 2 {
		t.Fatalf("no-change update: %v", err)
	}
	if a, _ := s.GetAppointment(ctx, "a", apt.ID); a.Status != domain.AppointmentScheduled {
		t.Errorf("appointment written: %s", a.Status)
	}
	if j, _ := s.GetJob(ctx, "a", jobs[0].ID); j.Status != domain.JobQueued {
		t.Errorf("job written: %s", j.Status)
	}
	// A real change writes the appointment, the changed jobs and the new ones.
	_, gotJobs, err = s.UpdateAppointment(ctx, "a", apt.ID, func(a *domain.Appointment, js []*domain.Job) (AppointmentChange, error) {
		a.ScheduleVersion++
		js[1].Status = domain.JobSkipped
		nj := *js[1]
		nj.ID, nj.Status = domain.JobID(a.ID, domain.JobReminder, 1), domain.JobPending
		return AppointmentChange{ChangedJobs: js[1:], NewJobs: []*domain.Job{&nj}}, nil
	})
	if err != nil || len(gotJobs) != 3 {
		t.Fatalf("update: %d jobs, %v", len(gotJobs), err)
	}
	if a, _ := s.GetAppointment(ctx, "a", apt.ID); a.ScheduleVersion != 1 {
		t.Errorf("schedule version %d", a.ScheduleVersion)
	}
	if _, _, err := s.UpdateAppointment(ctx, "a", "apt_missing", func(*domain.Appointment, []*domain.Job) (AppointmentChange, error) {
		return AppointmentChange{}, nil
	}); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("missing appointment: %v", err)
	}
	// A job whose update fails with an error of its own is not written either.
	boom := errors.New("boom")
	if _, _, err := s.UpdateAppointment(ctx, "a", apt.ID, func(a *domain.Appointment, _ []*domain.Job) (AppointmentChange, error) {
		a.Status = domain.AppointmentCanceled
		return AppointmentChange{}, boom
	}); !errors.Is(err, boom) {
		t.Errorf("fn's error: %v", err)
	}

	// UpdateJob: ErrNoChange writes nothing (not even the wamid it set).
	created := jobs[0].ID
	out, err := s.UpdateJob(ctx, "a", created, func(tx *JobTx) error {
		if got, err := tx.Appointment(); err != nil || got == nil || got.ID != apt.ID {
			t.Errorf("the job's appointment, read in the transaction: %+v %v", got, err)
		}
		tx.Job.Status, tx.Job.ProviderMessageID = domain.JobSent, "wamid.NOCHANGE"
		return ErrNoChange
	})
	if err != nil || out == nil {
		t.Fatalf("no-change job update: %v", err)
	}
	if j, _ := s.GetJob(ctx, "a", created); j.Status != domain.JobQueued {
		t.Errorf("job written: %s", j.Status)
	}
	if _, err := s.JobForWAMID(ctx, "a", "wamid.NOCHANGE"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("wamid stored without a change: %v", err)
	}
	// A change writes the job, which is then found by its wamid.
	if _, err := s.UpdateJob(ctx, "a", created, func(tx *JobTx) error {
		tx.Job.Status, tx.Job.ProviderMessageID = domain.JobSent, "wamid.A"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if id, err := s.JobForWAMID(ctx, "a", "wamid.A"); err != nil || id != created {
		t.Errorf("job by wamid: %q %v", id, err)
	}
	if _, err := s.UpdateJob(ctx, "a", "no-such-job", func(*JobTx) error { return nil }); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("missing job: %v", err)
	}
	// A job whose appointment is gone is given with a nil appointment.
	orphan := &domain.Job{ID: "orphan", TenantID: "a", AppointmentID: "apt_gone", Type: domain.JobReply, Status: domain.JobPending}
	if _, _, _, err := s.CreateAppointment(ctx, &domain.Appointment{ID: "apt_other", TenantID: "a", VoucherToken: "tok-o"}, []*domain.Job{orphan}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateJob(ctx, "a", "orphan", func(tx *JobTx) error {
		if got, err := tx.Appointment(); err != nil || got != nil {
			t.Errorf("appointment %+v (%v) for a job whose appointment is gone", got, err)
		}
		return ErrNoChange
	}); err != nil {
		t.Fatal(err)
	}
}

func TestDueAndQueuedRemindersInOrderAndBounded(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	until := t0.Add(time.Hour)
	type row struct {
		tenant, ext string
		due         time.Duration // from t0
		status      domain.JobStatus
		jt          domain.JobType
	}
	rows := []row{
		{"a", "r3", 30 * time.Minute, domain.JobPending, domain.JobReminder},
		{"b", "r1", -2 * time.Hour, domain.JobPending, domain.JobReminder},
		{"a", "r2", -time.Hour, domain.JobPending, domain.JobReminder},
		{"b", "r4", time.Hour, domain.JobPending, domain.JobReminder},         // at until: due
		{"a", "late", 2 * time.Hour, domain.JobPending, domain.JobReminder},   // after until
		{"a", "q1", -3 * time.Hour, domain.JobQueued, domain.JobReminder},     // queued
		{"b", "q2", -30 * time.Minute, domain.JobQueued, domain.JobReminder},  // queued
		{"a", "sent", -4 * time.Hour, domain.JobSent, domain.JobReminder},     // gone out
		{"a", "notice", -5 * time.Hour, domain.JobPending, domain.JobCreated}, // not a reminder
	}
	for _, r := range rows {
		id := domain.AppointmentID(r.tenant, r.ext)
		j := &domain.Job{ID: r.ext, TenantID: r.tenant, AppointmentID: id, Type: r.jt, Status: r.status, ScheduledFor: t0.Add(r.due), CreatedAt: t0}
		if _, _, _, err := s.CreateAppointment(ctx, &domain.Appointment{ID: id, TenantID: r.tenant, VoucherToken: "tok-" + r.tenant + r.ext}, []*domain.Job{j}); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(js []*domain.Job) string {
		var s []string
		for _, j := range js {
			s = append(s, j.TenantID+"/"+j.ID)
		}
		return strings.Join(s, ",")
	}
	for _, c := range []struct {
		name  string
		query func(context.Context, time.Time, int) ([]*domain.Job, error)
		limit int
		want  string
	}{
		{"due, oldest first, across tenants", s.DueReminders, 10, "b/r1,a/r2,a/r3,b/r4"},
		{"due, limited", s.DueReminders, 2, "b/r1,a/r2"},
		{"queued", s.QueuedReminders, 10, "a/q1,b/q2"},
		{"queued, limited", s.QueuedReminders, 1, "a/q1"},
	} {
		got, err := c.query(ctx, until, c.limit)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if ids(got) != c.want {
			t.Errorf("%s: %s, want %s", c.name, ids(got), c.want)
		}
	}

	// Marking, releasing and skipping move only the jobs they may.
	if marked, err := s.MarkQueued(ctx, "a", "r2", t0); err != nil || !marked {
		t.Fatalf("mark r2: %v %v", marked, err)
	}
	if marked, err := s.MarkQueued(ctx, "a", "r2", t0); err != nil || marked {
		t.Errorf("marked twice: %v %v", marked, err)
	}
	if err := s.ReleaseQueued(ctx, "a", "r2", t0, "fila indisponível"); err != nil {
		t.Fatal(err)
	}
	if j, _ := s.GetJob(ctx, "a", "r2"); j.Status != domain.JobPending || !j.HasEvent("enqueue_failed") {
		t.Errorf("released: %s", j.Status)
	}
	if err := s.SkipJob(ctx, "a", "sent", t0, domain.Reason{Code: domain.ReasonAppointmentPast, Text: "x"}); err != nil {
		t.Fatal(err)
	}
	if j, _ := s.GetJob(ctx, "a", "sent"); j.Status != domain.JobSent {
		t.Errorf("a sent job was skipped: %s", j.Status)
	}
	if err := s.SkipJob(ctx, "a", "late", t0, domain.Reason{Code: domain.ReasonAppointmentPast, Text: "x"}); err != nil {
		t.Fatal(err)
	}
	if j, _ := s.GetJob(ctx, "a", "late"); j.Status != domain.JobSkipped || j.ReasonCode != domain.ReasonAppointmentPast {
		t.Errorf("skip: %s %s", j.Status, j.ReasonCode)
	}
	if _, err := s.MarkQueued(ctx, "a", "no-such-job", t0); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("marking a missing job: %v", err)
	}
}

func TestRecordInboundOnce(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	apt, jobs := appointment("a", "ext-1", t0.Add(72*time.Hour))
	if _, _, _, err := s.CreateAppointment(ctx, apt, jobs); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateJob(ctx, "a", jobs[0].ID, func(tx *JobTx) error {
		tx.Job.Status, tx.Job.ProviderMessageID = domain.JobSent, "wamid.OUT"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	in := domain.Inbound{ID: "wamid.IN", WAID: "5511987654321", Name: "Maria", At: t0, Type: "button", Text: "Confirmar", ContextID: "wamid.OUT"}
	calls := 0
	decide := func(a *domain.Appointment, out *domain.Job, _ domain.Conversation) (InboundDecision, error) {
		calls++
		if a == nil || a.ID != apt.ID || out == nil || out.ID != jobs[0].ID {
			t.Errorf("not correlated: %+v %+v", a, out)
			return InboundDecision{}, nil
		}
		a.LastInboundAt, a.LastInboundID = in.At, in.ID
		reply := &domain.Job{ID: "reply-1", TenantID: "a", AppointmentID: a.ID, Type: domain.JobReply, Status: domain.JobPending, ScheduledFor: t0}
		return InboundDecision{Reply: reply, AptChanged: true}, nil
	}
	first, err := s.RecordInbound(ctx, "a", in, decide)
	if err != nil || first.Duplicate || first.Reply == nil || first.Appointment == nil || calls != 1 {
		t.Fatalf("first: %+v %v (decide called %d times)", first, err, calls)
	}
	// The same message again: a duplicate, decide is not asked, the reply is the stored one.
	second, err := s.RecordInbound(ctx, "a", in, decide)
	if err != nil || !second.Duplicate || second.Reply == nil || second.Reply.ID != "reply-1" || calls != 1 {
		t.Fatalf("second: %+v %v (decide called %d times)", second, err, calls)
	}
	if a, _ := s.GetAppointment(ctx, "a", apt.ID); !a.LastInboundAt.Equal(t0) || a.LastInboundID != "wamid.IN" {
		t.Errorf("appointment %+v", a)
	}
	conv, err := s.GetConversation(ctx, "a", "5511987654321")
	if err != nil || !conv.LastInboundAt.Equal(t0) || conv.Name != "Maria" || !conv.LastReplyAt.Equal(t0) {
		t.Errorf("conversation %+v %v", conv, err)
	}
	// A second tap sees the ledger with the first reply's time, and its reply, spaced
	// after it, moves the ledger's LastReplyAt; a reply due earlier would not.
	for i, c := range []struct {
		id         string
		at, seen   time.Time
		wantLedger time.Time
	}{
		{"wamid.IN2", t0.Add(7 * time.Second), t0, t0.Add(7 * time.Second)},
		{"wamid.IN3", t0.Add(time.Second), t0.Add(7 * time.Second), t0.Add(7 * time.Second)},
	} {
		tap := in
		tap.ID = c.id
		if _, err := s.RecordInbound(ctx, "a", tap, func(_ *domain.Appointment, _ *domain.Job, conv domain.Conversation) (InboundDecision, error) {
			if !conv.LastReplyAt.Equal(c.seen) {
				t.Errorf("tap %d: decide saw LastReplyAt %v, want %v", i, conv.LastReplyAt, c.seen)
			}
			return InboundDecision{Reply: &domain.Job{ID: "reply-" + c.id, TenantID: "a", Type: domain.JobReply, Status: domain.JobPending, ScheduledFor: c.at}}, nil
		}); err != nil {
			t.Fatal(err)
		}
		if conv, _ := s.GetConversation(ctx, "a", "5511987654321"); !conv.LastReplyAt.Equal(c.wantLedger) {
			t.Errorf("tap %d: ledger LastReplyAt %v, want %v", i, conv.LastReplyAt, c.wantLedger)
		}
	}
	msgs, err := s.ConversationMessages(ctx, "a", "5511987654321")
	if err != nil || len(msgs) != 3 || msgs[0].ID != "wamid.IN" || msgs[0].AppointmentID != apt.ID {
		t.Errorf("messages %+v %v", msgs, err)
	}
	if _, err := s.GetConversation(ctx, "a", "5511000000000"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("unknown conversation: %v", err)
	}
	// A conversation message (an echo) opens no window.
	if err := s.RecordConversationMessage(ctx, "a", "5511987654321", domain.ConversationMessage{ID: "wamid.ECHO", Direction: "out", At: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if conv, _ := s.GetConversation(ctx, "a", "5511987654321"); !conv.LastInboundAt.Equal(t0) || !conv.LastMessageAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("after an echo: %+v", conv)
	}
	// Contacts: an older change does not replace a newer one.
	if err := s.PutContact(ctx, "a", domain.Contact{Phone: "16505551234", FullName: "Pablo", UpdatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutContact(ctx, "a", domain.Contact{Phone: "16505551234", FullName: "Old", UpdatedAt: t0.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if c, err := s.GetContact(ctx, "a", "16505551234"); err != nil || c.FullName != "Pablo" {
		t.Errorf("contact %+v %v", c, err)
	}
	if _, err := s.GetContact(ctx, "a", "0"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("missing contact: %v", err)
	}
}

func TestDeadLettersAreBounded(t *testing.T) {
	ctx := context.Background()
	s, fs := newStore(t)
	body := bytes.Repeat([]byte(`{"entry":"olá"}`), 200_000) // 3 MB, as Meta's largest deliveries
	longID := "delivery-" + strings.Repeat("9", 5000)
	for i := 0; i < 2; i++ {
		if err := s.PutDeadLetter(ctx, longID, body, strings.Repeat("motivo ", 10000)); err != nil {
			t.Fatal(err)
		}
	}
	snap, err := fs.Collection(colDeadLetters).Doc(docKey(longID)).Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d := snap.Data()
	if excerpt, _ := d["body"].(string); len(excerpt) > MaxBodyExcerpt || len(excerpt) < MaxBodyExcerpt-3 {
		t.Errorf("excerpt of %d bytes", len(excerpt))
	}
	if d["count"] != int64(2) || d["body_size"] != int64(len(body)) || d["body_truncated"] != true {
		t.Errorf("count %v size %v truncated %v", d["count"], d["body_size"], d["body_truncated"])
	}
	if reason, _ := d["reason"].(string); len(reason) > maxStoredText {
		t.Errorf("reason of %d bytes", len(reason))
	}
	if id, _ := d["id"].(string); len(id) > maxStoredText {
		t.Errorf("id of %d bytes", len(id))
	}
	// An unrouted change is counted per id, its last value bounded.
	for i := 0; i < 3; i++ {
		if err := s.CountUnrouted(ctx, "phone_number_id", "999", body); err != nil {
			t.Fatal(err)
		}
	}
	snap, err = fs.Collection(colUnrouted).Doc(docKey("phone_number_id-999")).Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := snap.Data(); d["count"] != int64(3) || len(d["last_value"].(string)) > MaxBodyExcerpt {
		t.Errorf("unrouted: count %v, value of %d bytes", d["count"], len(d["last_value"].(string)))
	}
}
