package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"slices"

	"cloud.google.com/go/firestore"
	firestorepb "cloud.google.com/go/firestore/apiv1/firestorepb"
	"golang.org/x/sync/errgroup"
	"google.golang.org/api/iterator"

	"github.com/lembra-app/lembra/shared/domain"
)

// The staff dashboard's reads (the Agenda and the Mensagens panel). Every query runs on
// one tenant's own collections (tenants/{t}/appointments, tenants/{t}/jobs), never on a
// collection group, so a staff member's tenant id scopes everything they can read.
// terraform/indexes_test.go (TestPanelQueriesHaveIndexes) parses the queries below and
// checks that firestore.tf declares a composite index for every shape.

// MaxAgendaAppointments bounds one day's agenda (a studio books far fewer).
const MaxAgendaAppointments = 500

// AppointmentsBetween returns a tenant's appointments starting in [from, to), ordered by
// starts_at, at most MaxAgendaAppointments. A range and an order on the same single field
// of one collection are served by Firestore's automatic single-field index on starts_at:
// no composite index.
func (s *Store) AppointmentsBetween(ctx context.Context, tenantID string, from, to time.Time) ([]*domain.Appointment, error) {
	q := s.tenant(tenantID).Collection(colAppointments).
		Where("starts_at", ">=", from).
		Where("starts_at", "<", to).
		OrderBy("starts_at", firestore.Asc).
		Limit(MaxAgendaAppointments)
	it := q.Documents(ctx)
	defer it.Stop()
	var out []*domain.Appointment
	for {
		snap, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("appointments between %s and %s: %w", from, to, err)
		}
		a, err := decodeAppointment(snap)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
}

// inLimit is the most values Firestore takes in one "in" filter.
const inLimit = 30

// JobsOfAppointments returns the jobs of the given appointments of a tenant, grouped by
// appointment id. An equality ("in") filter on one field uses the automatic single-field
// index on appointment_id; the ids go in chunks of inLimit.
func (s *Store) JobsOfAppointments(ctx context.Context, tenantID string, aptIDs []string) (map[string][]*domain.Job, error) {
	out := map[string][]*domain.Job{}
	for start := 0; start < len(aptIDs); start += inLimit {
		chunk := aptIDs[start:min(start+inLimit, len(aptIDs))]
		q := s.tenant(tenantID).Collection(colJobs).Where("appointment_id", "in", chunk)
		js, err := s.jobsOf(q.Documents(ctx))
		if err != nil {
			return nil, fmt.Errorf("jobs of appointments: %w", err)
		}
		for _, j := range js {
			out[j.AppointmentID] = append(out[j.AppointmentID], j)
		}
	}
	return out, nil
}

// PanelView is one of the Mensagens panel's two lists.
type PanelView string

const (
	// PanelQueue: jobs still waiting (for their time, a task, a retry or a status),
	// soonest scheduled_for first; its date range applies to scheduled_for.
	PanelQueue PanelView = "queue"
	// PanelHistory: jobs that are settled, most recently updated first; its date range
	// applies to updated_at.
	PanelHistory PanelView = "history"
)

// Statuses lists the job statuses a view shows.
func (v PanelView) Statuses() []domain.JobStatus {
	if v == PanelQueue {
		return []domain.JobStatus{domain.JobPending, domain.JobQueued, domain.JobSending, domain.JobUnknown}
	}
	return []domain.JobStatus{domain.JobSent, domain.JobDelivered, domain.JobRead, domain.JobFailed, domain.JobSkipped}
}

// OrderField is the field a view is ordered (and its date range applied) by.
func (v PanelView) OrderField() string {
	if v == PanelQueue {
		return "scheduled_for"
	}
	return "updated_at"
}

// PanelQuery is one page request of the Mensagens panel.
type PanelQuery struct {
	View     PanelView
	Statuses []domain.JobStatus // one status (a filter) or the view's statuses
	Type     domain.JobType     // "" for every type
	From, To time.Time          // zero: unbounded; applied to View.OrderField(), [From, To)
	// After continues after the last job of the previous page (its order value and id).
	AfterValue time.Time
	AfterID    string
	Limit      int
}

// PanelJob is one job of a page. A document that does not decode is still listed
// (Malformed, with its id and whatever type it names), so an old or broken job never
// breaks the page.
type PanelJob struct {
	Job       *domain.Job
	Malformed bool
}

// PanelJobs returns one page of a tenant's jobs for the Mensagens panel and whether more
// follow. It reads at most Limit+1 documents (the one past the page only tells that
// another page exists). Composite indexes (firestore.tf, one per shape):
// status + order field, and type + status + order field, with the order field ascending
// for the queue and descending for the history (the id, the tie-break, follows the same
// direction, as Firestore appends it implicitly).
func (s *Store) PanelJobs(ctx context.Context, tenantID string, pq PanelQuery) ([]PanelJob, bool, error) {
	field, dir := pq.View.OrderField(), firestore.Asc
	if pq.View == PanelHistory {
		dir = firestore.Desc
	}
	statuses := make([]string, 0, len(pq.Statuses))
	for _, st := range pq.Statuses {
		statuses = append(statuses, string(st))
	}
	q := s.tenant(tenantID).Collection(colJobs).Query
	if pq.Type != "" {
		q = q.Where("type", "==", string(pq.Type))
	}
	if slices.Equal(pq.Statuses, pq.View.Statuses()) {
		q = q.Where("settled", "==", pq.View == PanelHistory) // the whole view: one equality
	} else {
		q = q.Where("status", "in", statuses)
	}
	if !pq.From.IsZero() {
		q = q.Where(field, ">=", pq.From)
	}
	if !pq.To.IsZero() {
		q = q.Where(field, "<", pq.To)
	}
	q = q.OrderBy(field, dir).OrderBy(firestore.DocumentID, dir)
	if pq.AfterID != "" {
		q = q.StartAfter(pq.AfterValue, pq.AfterID)
	}
	q = q.Limit(pq.Limit + 1)

	it := q.Documents(ctx)
	defer it.Stop()
	var out []PanelJob
	for {
		snap, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			return nil, false, fmt.Errorf("panel jobs: %w", err)
		}
		out = append(out, panelJob(snap, field))
	}
	more := len(out) > pq.Limit
	if more {
		out = out[:pq.Limit]
	}
	return out, more, nil
}

// panelJob decodes a job; one that does not decode keeps its id, its type if it is a
// string, and the order field so that the page's cursor still moves past it.
func panelJob(snap *firestore.DocumentSnapshot, orderField string) PanelJob {
	j, err := decodeJob(snap)
	if err == nil {
		return PanelJob{Job: j}
	}
	bad := &domain.Job{ID: snap.Ref.ID}
	d := snap.Data()
	if v, ok := d["type"].(string); ok {
		bad.Type = domain.JobType(v)
	}
	if v, ok := d["status"].(string); ok {
		bad.Status = domain.JobStatus(v)
	}
	if v, ok := d["appointment_id"].(string); ok {
		bad.AppointmentID = v
	}
	if v, ok := d[orderField].(time.Time); ok {
		if orderField == "scheduled_for" {
			bad.ScheduledFor = v
		} else {
			bad.UpdatedAt = v
		}
	}
	return PanelJob{Job: bad, Malformed: true}
}

// AppointmentsByID reads the given appointments of a tenant in one batch; those that do
// not exist (or do not decode) are absent from the map.
func (s *Store) AppointmentsByID(ctx context.Context, tenantID string, ids []string) (map[string]*domain.Appointment, error) {
	out := map[string]*domain.Appointment{}
	if len(ids) == 0 {
		return out, nil
	}
	refs := make([]*firestore.DocumentRef, 0, len(ids))
	for _, id := range ids {
		if id == "" || len(id) > 1500 {
			continue
		}
		refs = append(refs, s.appointment(tenantID, id))
	}
	snaps, err := s.fs.GetAll(ctx, refs)
	if err != nil {
		return nil, fmt.Errorf("appointments by id: %w", err)
	}
	for _, snap := range snaps {
		if !snap.Exists() {
			continue
		}
		a, err := decodeAppointment(snap)
		if err != nil {
			continue
		}
		out[a.ID] = a
	}
	return out, nil
}

// SearchAppointments finds a tenant's appointments of a client, at most limit: by exact
// E.164 phone (client_phone ==) for each of phones, and by name prefix (client_name in
// [p, p+"\uf8ff")) for each of namePrefixes. Firestore compares strings exactly, so a
// name prefix matches as written (the API tries it as typed and capitalised). Each is a
// one-field query served by the automatic single-field indexes.
func (s *Store) SearchAppointments(ctx context.Context, tenantID string, phones, namePrefixes []string, limit int) ([]*domain.Appointment, error) {
	col := s.tenant(tenantID).Collection(colAppointments)
	var queries []firestore.Query
	for _, p := range phones {
		queries = append(queries, col.Where("client_phone", "==", p).Limit(limit))
	}
	for _, n := range namePrefixes {
		queries = append(queries, col.Where("client_name", ">=", n).Where("client_name", "<", n+"\uf8ff").Limit(limit))
	}
	seen := map[string]bool{}
	var out []*domain.Appointment
	for _, q := range queries {
		it := q.Documents(ctx)
		for len(out) < limit {
			snap, err := it.Next()
			if errors.Is(err, iterator.Done) {
				break
			}
			if err != nil {
				it.Stop()
				return nil, fmt.Errorf("search appointments: %w", err)
			}
			if seen[snap.Ref.ID] {
				continue
			}
			a, err := decodeAppointment(snap)
			if err != nil {
				continue
			}
			seen[a.ID] = true
			out = append(out, a)
		}
		it.Stop()
	}
	return out, nil
}

// PanelJobByID reads one job of a tenant for the panel's job view: a document that does
// not decode is returned Malformed (its id, type, status and appointment), not an
// error; a job that does not exist is domain.ErrNotFound.
func (s *Store) PanelJobByID(ctx context.Context, tenantID, id string) (PanelJob, error) {
	snap, err := s.job(tenantID, id).Get(ctx)
	if notFound(err) {
		return PanelJob{}, fmt.Errorf("job %s: %w", id, domain.ErrNotFound)
	}
	if err != nil {
		return PanelJob{}, fmt.Errorf("job %s: %w", id, err)
	}
	return panelJob(snap, "updated_at"), nil
}

// JobsToRecipient returns at most limit of a tenant's jobs sent (or to be sent) to the
// E.164 number phone: a one-field equality on recipient (the automatic index). Template
// jobs carry their recipient once tried, session messages from their creation; the
// conversation view adds the jobs of the client's appointments for those not yet tried.
func (s *Store) JobsToRecipient(ctx context.Context, tenantID, phone string, limit int) ([]*domain.Job, error) {
	q := s.tenant(tenantID).Collection(colJobs).Where("recipient", "==", phone).Limit(limit)
	return decodableJobs(q.Documents(ctx))
}

// ClientJobs returns the jobs of the given appointments of a tenant (at most inLimit
// appointments: one "in" on appointment_id, the automatic index); jobs that do not
// decode are left out.
func (s *Store) ClientJobs(ctx context.Context, tenantID string, aptIDs []string) ([]*domain.Job, error) {
	if len(aptIDs) == 0 {
		return nil, nil
	}
	q := s.tenant(tenantID).Collection(colJobs).Where("appointment_id", "in", aptIDs[:min(len(aptIDs), inLimit)])
	return decodableJobs(q.Documents(ctx))
}

// decodableJobs reads every job of a query, leaving out those that do not decode.
func decodableJobs(it *firestore.DocumentIterator) ([]*domain.Job, error) {
	defer it.Stop()
	var out []*domain.Job
	for {
		snap, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("jobs: %w", err)
		}
		if j, err := decodeJob(snap); err == nil {
			out = append(out, j)
		}
	}
}

// DailyCount is what the Mensagens chart shows for one day of the tenant's zone
// ([From, To) in UTC). The four numbers count jobs, each by its own moment, so one
// message counts once in each column its life reached that day:
//   - Sent: jobs whose send Meta accepted that day (sent_at);
//   - Delivered: jobs Meta reported delivered that day (provider_status_times.delivered);
//   - Read: jobs Meta reported read that day (provider_status_times.read);
//   - Failed: jobs now failed whose last change (the failure: a failed job is final)
//     was that day (status == failed, updated_at).
type DailyCount struct {
	From, To                      time.Time
	Sent, Delivered, Read, Failed int
}

// dailyConcurrency bounds the count queries one chart runs at once.
const dailyConcurrency = 8

// DailyCounts counts, for each day [from, to) given, the tenant's jobs as DailyCount
// says, with Firestore count aggregations: four per day, each billed as one read per
// up to 1,000 index entries it counts, never reading a job. Sent, delivered and read
// range over one field (automatic single-field indexes); failed needs the composite
// index jobs_daily_failed (status, updated_at) in firestore.tf.
func (s *Store) DailyCounts(ctx context.Context, tenantID string, days []DailyCount) ([]DailyCount, error) {
	jobs := s.tenant(tenantID).Collection(colJobs)
	out := slices.Clone(days)
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(dailyConcurrency)
	for i := range out {
		d := &out[i]
		for _, c := range []struct {
			n *int
			q firestore.Query
		}{
			{&d.Sent, jobs.Where("sent_at", ">=", d.From).Where("sent_at", "<", d.To)},
			{&d.Delivered, jobs.Where("provider_status_times.delivered", ">=", d.From).Where("provider_status_times.delivered", "<", d.To)},
			{&d.Read, jobs.Where("provider_status_times.read", ">=", d.From).Where("provider_status_times.read", "<", d.To)},
			{&d.Failed, jobs.Where("status", "==", string(domain.JobFailed)).Where("updated_at", ">=", d.From).Where("updated_at", "<", d.To)},
		} {
			g.Go(func() error {
				n, err := count(ctx, c.q)
				*c.n = n
				return err
			})
		}
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("daily counts: %w", err)
	}
	return out, nil
}

// count runs a count aggregation of q.
func count(ctx context.Context, q firestore.Query) (int, error) {
	res, err := q.NewAggregationQuery().WithCount("n").Get(ctx)
	if err != nil {
		return 0, err
	}
	v, ok := res["n"].(*firestorepb.Value)
	if !ok {
		return 0, fmt.Errorf("count: unexpected result %T", res["n"])
	}
	return int(v.GetIntegerValue()), nil
}
