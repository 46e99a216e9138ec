package store_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/firestore"
	"cloud.google.com/go/firestore/apiv1/firestorepb"

	"github.com/lembra-app/lembra/shared/dispatch"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/meta"
	"github.com/lembra-app/lembra/shared/store"
)

// A job is found by Meta's message id (its wamid) with a query in its own tenant's
// jobs: a send's recorded outcome, and a status that taught the job its wamid when the
// send's answer was lost, write no wamids/{wamid} index document; a status without
// callback data (JobForWAMID) and a client's tap quoting our message (RecordInbound's
// context id) find the job by the query; another tenant's wamid is never found; an
// empty wamid or context id runs no query.
func TestWAMIDLookupIsAQueryInTheTenantsJobs(t *testing.T) {
	ctx := context.Background()
	rec := &wamidRPCs{}
	fs := wamidClient(t, rec)
	s := store.New(fs)
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

	aptA, jobA1, jobA2 := wamidAppointment(t, s, "a", "ext-a", now)
	aptB, jobB1, _ := wamidAppointment(t, s, "b", "ext-b", now)

	// Dispatch records each send's outcome as dispatch.send does: Meta accepted it with
	// the wamid, Record keeps it on the job (ProviderMessageID), UpdateJob writes the job.
	sent := func(tenantID, jobID, wamid string) {
		t.Helper()
		if _, err := s.UpdateJob(ctx, tenantID, jobID, func(tx *store.JobTx) error {
			r := dispatch.Record(dispatch.SendOutcome{Job: tx.Job, Location: time.UTC, Attempt: 1,
				Result: meta.Result{MessageID: wamid}, Retry: meta.RetryPolicy{}, Now: now})
			*tx.Job = *r.Job
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	rec.reset()
	sent("a", jobA1, "wamid.A1")
	sent("b", jobB1, "wamid.B1")
	// The send's answer was lost (unknown); its first status teaches the job its wamid,
	// written without a transaction as a status is.
	if _, err := s.UpdateJobUnlocked(ctx, "a", jobA2, func(tx *store.JobTx) error {
		tx.Job.Status, tx.Job.ProviderMessageID = domain.JobSent, "wamid.A2"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if j, err := s.GetJob(ctx, "a", jobA1); err != nil || j.Status != domain.JobSent || j.ProviderMessageID != "wamid.A1" {
		t.Fatalf("recorded send: %+v %v", j, err)
	}
	if w := rec.wamidWrites(); len(w) != 0 {
		t.Errorf("writes to the wamid index: %v", w)
	}
	if docs, err := fs.Collection("wamids").Documents(ctx).GetAll(); err != nil || len(docs) != 0 {
		t.Errorf("%d wamids/ documents stored, %v", len(docs), err)
	}

	// A status without callback data: the job is found by the query, in its tenant only.
	for _, c := range []struct {
		tenant, wamid, want string // want "": not found
	}{
		{"a", "wamid.A1", jobA1},
		{"a", "wamid.A2", jobA2}, // learnt from a status, the send's answer lost
		{"b", "wamid.B1", jobB1},
		{"b", "wamid.A1", ""}, // tenant a's message, in a status routed to tenant b
		{"a", "wamid.B1", ""},
		{"a", "wamid.NEVER", ""},
	} {
		rec.reset()
		got, err := s.JobForWAMID(ctx, c.tenant, c.wamid)
		if c.want == "" && !errors.Is(err, domain.ErrNotFound) || c.want != "" && (err != nil || got != c.want) {
			t.Errorf("JobForWAMID(%s, %s) = %q %v, want %q", c.tenant, c.wamid, got, err, c.want)
		}
		if q := rec.queries(); len(q) != 1 || q[0] != "tenants/"+c.tenant+"/jobs" {
			t.Errorf("JobForWAMID(%s, %s) queried %v, want one query of tenants/%s/jobs", c.tenant, c.wamid, q, c.tenant)
		}
		if g := rec.gets(); len(g) != 0 {
			t.Errorf("JobForWAMID(%s, %s) read documents by name: %v", c.tenant, c.wamid, g)
		}
	}
	// An empty wamid or tenant runs no query.
	rec.reset()
	for _, c := range [][2]string{{"a", ""}, {"", "wamid.A1"}} {
		if got, err := s.JobForWAMID(ctx, c[0], c[1]); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("JobForWAMID(%q, %q) = %q %v, want not found", c[0], c[1], got, err)
		}
	}
	if q := rec.queries(); len(q) != 0 {
		t.Errorf("an empty wamid or tenant ran queries: %v", q)
	}

	// A tap quoting our message: correlated, by the one query, in the tapping tenant.
	tap := func(tenantID, id, contextID string) (apt *domain.Appointment, out *domain.Job) {
		t.Helper()
		in := domain.Inbound{ID: id, WAID: "5511987654321", Name: "Maria", At: now, Type: "button", Text: "Confirmar", ContextID: contextID}
		rec.reset()
		if _, err := s.RecordInbound(ctx, tenantID, in, func(a *domain.Appointment, o *domain.Job, _ domain.Conversation) (store.InboundDecision, error) {
			apt, out = a, o
			return store.InboundDecision{}, nil
		}); err != nil {
			t.Fatal(err)
		}
		// The quoted job comes from the query alone: neither the wamid index nor the job
		// is read by name (the index and then the job were two reads).
		for _, g := range rec.gets() {
			if strings.HasPrefix(g, "wamids/") || strings.HasPrefix(g, "tenants/"+tenantID+"/jobs/") {
				t.Errorf("tap %s read %s by name", id, g)
			}
		}
		return apt, out
	}
	if apt, out := tap("a", "wamid.IN-A", "wamid.A1"); apt == nil || apt.ID != aptA || out == nil || out.ID != jobA1 {
		t.Errorf("tap on tenant a's message: appointment %+v, job %+v", apt, out)
	}
	if q := rec.queries(); len(q) != 1 || q[0] != "tenants/a/jobs" {
		t.Errorf("tap queried %v, want one query of tenants/a/jobs", q)
	}
	if apt, out := tap("a", "wamid.IN-A2", "wamid.A2"); apt == nil || apt.ID != aptA || out == nil || out.ID != jobA2 {
		t.Errorf("tap on the message whose answer was lost: appointment %+v, job %+v", apt, out)
	}
	if apt, out := tap("b", "wamid.IN-B", "wamid.A1"); apt != nil || out != nil {
		t.Errorf("tenant b's client quoting tenant a's message was correlated: appointment %+v, job %+v", apt, out)
	}
	if apt, out := tap("b", "wamid.IN-B1", "wamid.B1"); apt == nil || apt.ID != aptB || out == nil || out.ID != jobB1 {
		t.Errorf("tap on tenant b's message: appointment %+v, job %+v", apt, out)
	}
	if apt, out := tap("a", "wamid.IN-TEXT", ""); apt != nil || out != nil {
		t.Errorf("a message quoting nothing was correlated: %+v %+v", apt, out)
	}
	if q := rec.queries(); len(q) != 0 {
		t.Errorf("a message without a context id ran queries: %v", q)
	}
}

// wamidAppointment stores an appointment of tenantID with a booking notice being sent
// (claimed) and a reminder whose send's answer was lost (unknown).
func wamidAppointment(t *testing.T, s *store.Store, tenantID, ext string, now time.Time) (aptID, noticeID, reminderID string) {
	t.Helper()
	id := domain.AppointmentID(tenantID, ext)
	apt := &domain.Appointment{ID: id, TenantID: tenantID, ExternalID: ext, ClientName: "Maria", ClientPhone: "+5511987654321",
		Service: "Corte", StartsAt: now.Add(72 * time.Hour), Status: domain.AppointmentScheduled, VoucherToken: "tok-wamid-" + ext, CreatedAt: now, UpdatedAt: now}
	notice := &domain.Job{ID: domain.JobID(id, domain.JobCreated, 0), TenantID: tenantID, AppointmentID: id, Type: domain.JobCreated,
		Status: domain.JobSending, ScheduledFor: now, CreatedAt: now}
	reminder := &domain.Job{ID: domain.JobID(id, domain.JobReminder, 0), TenantID: tenantID, AppointmentID: id, Type: domain.JobReminder,
		Status: domain.JobUnknown, ScheduledFor: now, AppointmentStartsAt: apt.StartsAt, CreatedAt: now}
	if _, _, _, err := s.CreateAppointment(context.Background(), apt, []*domain.Job{notice, reminder}); err != nil {
		t.Fatal(err)
	}
	return id, notice.ID, reminder.ID
}

// wamidRPCs records, from the client's gRPC requests, the documents written (each
// Commit's writes), the documents read by name (BatchGetDocuments) and the collections
// queried (RunQuery), as paths below the database's documents/.
type wamidRPCs struct {
	mu                    sync.Mutex
	writes, read, queried []string
}

func (r *wamidRPCs) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.writes, r.read, r.queried = nil, nil, nil
}

func (r *wamidRPCs) wamidWrites() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, w := range r.writes {
		if strings.HasPrefix(w, "wamids/") {
			out = append(out, w)
		}
	}
	return out
}

func (r *wamidRPCs) gets() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.read...)
}

func (r *wamidRPCs) queries() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.queried...)
}

// relative is a document or parent name below the database's documents/.
func relative(name string) string {
	if _, after, ok := strings.Cut(name, "/documents/"); ok {
		return after
	}
	return ""
}

func (r *wamidRPCs) request(m any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch q := m.(type) {
	case *firestorepb.CommitRequest:
		for _, w := range q.GetWrites() {
			name := w.GetUpdate().GetName()
			if name == "" {
				name = w.GetDelete()
			}
			r.writes = append(r.writes, relative(name))
		}
	case *firestorepb.BatchGetDocumentsRequest:
		for _, d := range q.GetDocuments() {
			r.read = append(r.read, relative(d))
		}
	case *firestorepb.GetDocumentRequest:
		r.read = append(r.read, relative(q.GetName()))
	case *firestorepb.RunQueryRequest:
		for _, from := range q.GetStructuredQuery().GetFrom() {
			p := relative(q.GetParent() + "/")
			r.queried = append(r.queried, p+from.GetCollectionId())
		}
	}
}

// wamidClient is a Firestore client on the emulator, in a project of its own, whose
// requests r records.
func wamidClient(t *testing.T, r *wamidRPCs) *firestore.Client {
	t.Helper()
	return store.ObservedFirestoreClient(t, func(_ string, req any) { r.request(req) })
}
