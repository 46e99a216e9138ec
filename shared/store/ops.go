package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"cloud.google.com/go/firestore"
	"google.golang.org/api/iterator"

	"github.com/lembra-app/lembra/shared/domain"
)

// The store's side of the owner's operations: one action on one job (ActOnJob, one
// transaction through UpdateJob), and the queue drain (CountDrain, DrainSample, Drain:
// many jobs in bounded batches, one transaction each, resumable by the drain's id).

const colDrains = "drains"

// ActionRule decides an action on a job as stored (and its appointment, nil if none or
// gone): the job to write, or nil to write nothing.
type ActionRule func(j *domain.Job, apt *domain.Appointment) *domain.Job

// ActOnJob runs rule on a job and its appointment inside one transaction (UpdateJob)
// and writes what it returns. It returns the job as stored afterwards and whether it
// changed it.
func (s *Store) ActOnJob(ctx context.Context, tenantID, jobID string, rule ActionRule) (*domain.Job, bool, error) {
	var changed bool
	j, err := s.UpdateJob(ctx, tenantID, jobID, func(tx *JobTx) error {
		changed = false
		apt, err := tx.Appointment()
		if err != nil {
			return err
		}
		next := rule(tx.Job, apt)
		if next == nil {
			return ErrNoChange
		}
		*tx.Job = *next
		changed = true
		return nil
	})
	return j, changed, err
}

// DrainSelector picks the jobs of a tenant's queue a drain marks.
type DrainSelector struct {
	Types    []domain.JobType   // empty: every type
	Statuses []domain.JobStatus // at least one
	// Before keeps jobs whose time (scheduled_for) is before it; zero: any time.
	Before time.Time
	// ClientPhone keeps jobs of one client (the phone copied onto the job); "": any.
	ClientPhone string
}

// Key is the selector in one canonical string, stored with a drain so that a drain id
// is not reused for another selection.
func (sel DrainSelector) Key() string {
	types := make([]string, len(sel.Types))
	for i, t := range sel.Types {
		types[i] = string(t)
	}
	statuses := make([]string, len(sel.Statuses))
	for i, st := range sel.Statuses {
		statuses[i] = string(st)
	}
	slices.Sort(types)
	slices.Sort(statuses)
	before := ""
	if !sel.Before.IsZero() {
		before = sel.Before.UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf("types=%s;statuses=%s;before=%s;phone=%s", strings.Join(types, ","), strings.Join(statuses, ","), before, sel.ClientPhone)
}

// queries are the selector's queries, one per type (or one for every type), each
// ordered by scheduled_for and id. Composite indexes: status + scheduled_for and type +
// status + scheduled_for (firestore.tf, the panel's queue); with a client phone,
// client_phone is one more equality before them.
func (s *Store) drainQueries(tenantID string, sel DrainSelector) []firestore.Query {
	statuses := make([]string, len(sel.Statuses))
	for i, st := range sel.Statuses {
		statuses[i] = string(st)
	}
	base := s.tenant(tenantID).Collection(colJobs).Query
	if sel.ClientPhone != "" {
		base = base.Where("client_phone", "==", sel.ClientPhone)
	}
	types := sel.Types
	if len(types) == 0 {
		types = []domain.JobType{""}
	}
	var out []firestore.Query
	for _, t := range types {
		q := base
		if t != "" {
			q = q.Where("type", "==", string(t))
		}
		q = q.Where("status", "in", statuses)
		if !sel.Before.IsZero() {
			q = q.Where("scheduled_for", "<", sel.Before)
		}
		out = append(out, q.OrderBy("scheduled_for", firestore.Asc).OrderBy(firestore.DocumentID, firestore.Asc))
	}
	return out
}

// CountDrain counts the jobs a drain would mark, up to max: count aggregations over
// queries limited to max+1 documents, so the count never reads more than that. It
// reports whether there are more than max.
func (s *Store) CountDrain(ctx context.Context, tenantID string, sel DrainSelector, max int) (int, bool, error) {
	total := 0
	for _, q := range s.drainQueries(tenantID, sel) {
		n, err := count(ctx, q.Limit(max+1-total))
		if err != nil {
			return 0, false, fmt.Errorf("count drain: %w", err)
		}
		if total += n; total > max {
			return max, true, nil
		}
	}
	return total, false, nil
}

// DrainSample returns the first n jobs a drain would mark, soonest time first (at most
// n read per type); a document that does not decode is listed malformed.
func (s *Store) DrainSample(ctx context.Context, tenantID string, sel DrainSelector, n int) ([]PanelJob, error) {
	var out []PanelJob
	for _, q := range s.drainQueries(tenantID, sel) {
		snaps, err := q.Limit(n).Documents(ctx).GetAll()
		if err != nil {
			return nil, fmt.Errorf("drain sample: %w", err)
		}
		for _, snap := range snaps {
			out = append(out, panelJob(snap, "scheduled_for"))
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Job.ScheduledFor.Before(out[b].Job.ScheduledFor) })
	if len(out) > n {
		out = out[:n]
	}
	return out, nil
}

// DrainRecord is a drain as stored (tenants/{id}/drains/{drain id}): what it does, who
// started it, and what its runs have done so far.
type DrainRecord struct {
	ID        string    `firestore:"-"`
	Action    string    `firestore:"action"`
	Reason    string    `firestore:"reason"`
	Selector  string    `firestore:"selector"`
	By        string    `firestore:"by"`
	Marked    int       `firestore:"marked"`
	Refused   int       `firestore:"refused"`
	Batches   int       `firestore:"batches"`
	Runs      int       `firestore:"runs"`
	CreatedAt time.Time `firestore:"created_at"`
	UpdatedAt time.Time `firestore:"updated_at"`
}

// ErrDrainConflict: the drain id was used for another action, reason or selection.
var ErrDrainConflict = errors.New("drain id already used for another drain")

// DrainRule decides one job of a drain: the job to write (nil: none), or already when
// this drain marked it before.
type DrainRule func(j *domain.Job) (next *domain.Job, already bool)

// DrainRun is what one run of a drain did.
type DrainRun struct {
	Marked  int // jobs this run marked
	Already int // jobs this drain had marked before (earlier runs, or a run beside this one)
	Refused int // jobs the rule would not mark (and documents that do not decode)
	Batches int // transactions this run committed
	// More: the run stopped at maxBatches; running the same drain again continues.
	More bool
}

// Drain marks the jobs sel picks with rule, in batches of at most batch jobs, each
// read and written in one transaction that also counts them on the drain's record
// (rec, created by the first run; a later run must name the same action, reason and
// selector, else ErrDrainConflict; rec.Selector, when set, is the selection's key
// instead of sel.Key(), e.g. one that names an age rather than its cutoff). A job leaves the selection once marked, so a
// second run of a drain that finished finds nothing, and one that was interrupted
// continues where it stopped; the rule sees each job as stored at its batch, so a job
// another writer changed meanwhile is decided again. It stops after maxBatches batches
// (DrainRun.More).
func (s *Store) Drain(ctx context.Context, tenantID string, rec DrainRecord, sel DrainSelector, batch, maxBatches int, now time.Time, rule DrainRule) (DrainRun, error) {
	var run DrainRun
	recRef := s.tenant(tenantID).Collection(colDrains).Doc(rec.ID)
	if rec.Selector == "" {
		rec.Selector = sel.Key()
	}
	err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		snap, err := tx.Get(recRef)
		if notFound(err) {
			rec.CreatedAt, rec.UpdatedAt, rec.Runs = now, now, 1
			return tx.Create(recRef, rec)
		}
		if err != nil {
			return err
		}
		var prev DrainRecord
		if err := snap.DataTo(&prev); err != nil {
			return err
		}
		if prev.Action != rec.Action || prev.Reason != rec.Reason || prev.Selector != rec.Selector {
			return ErrDrainConflict
		}
		run.Already = prev.Marked
		return tx.Update(recRef, []firestore.Update{{Path: "runs", Value: firestore.Increment(1)}, {Path: "updated_at", Value: now}})
	})
	if err != nil {
		if errors.Is(err, ErrDrainConflict) {
			return run, err
		}
		return run, fmt.Errorf("drain %s: %w", rec.ID, err)
	}
	for _, q := range s.drainQueries(tenantID, sel) {
		var after *firestore.DocumentSnapshot
		for {
			if run.Batches >= maxBatches {
				run.More = true
				return run, nil
			}
			page := q.Limit(batch)
			if after != nil {
				page = page.StartAfter(after)
			}
			snaps, err := page.Documents(ctx).GetAll()
			if err != nil && !errors.Is(err, iterator.Done) {
				return run, fmt.Errorf("drain %s: %w", rec.ID, err)
			}
			if len(snaps) == 0 {
				break
			}
			b, err := s.drainBatch(ctx, tenantID, recRef, snaps, now, rule)
			if err != nil {
				return run, fmt.Errorf("drain %s: %w", rec.ID, err)
			}
			run.Marked += b.Marked
			run.Already += b.Already
			run.Refused += b.Refused
			run.Batches++
			if len(snaps) < batch {
				break
			}
			after = snaps[len(snaps)-1]
		}
	}
	return run, nil
}

// drainBatch decides and writes one batch of jobs in one transaction, reading them
// again inside it.
func (s *Store) drainBatch(ctx context.Context, tenantID string, recRef *firestore.DocumentRef, snaps []*firestore.DocumentSnapshot, now time.Time, rule DrainRule) (DrainRun, error) {
	refs := make([]*firestore.DocumentRef, len(snaps))
	for i, snap := range snaps {
		refs[i] = snap.Ref
	}
	var b DrainRun
	err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		b = DrainRun{}
		var counted []domain.CounterDelta // what the batch adds to the counters (counters.go)
		got, err := tx.GetAll(refs)
		if err != nil {
			return err
		}
		for _, snap := range got {
			if !snap.Exists() {
				continue
			}
			j, err := decodeJob(snap)
			if err != nil {
				b.Refused++
				continue
			}
			before := domain.CounterStateOf(j)
			next, already := rule(j)
			switch {
			case already:
				b.Already++
			case next == nil:
				b.Refused++
			default:
				d, err := s.countJob(ctx, tenantID, before, next)
				if err != nil {
					return err
				}
				counted = append(counted, d)
				if err := tx.Set(snap.Ref, jobDoc(next)); err != nil {
					return err
				}
				b.Marked++
			}
		}
		if err := s.addCounters(ctx, tx, tenantID, counted...); err != nil {
			return err
		}
		return tx.Update(recRef, []firestore.Update{
			{Path: "marked", Value: firestore.Increment(b.Marked)},
			{Path: "refused", Value: firestore.Increment(b.Refused)},
			{Path: "batches", Value: firestore.Increment(1)},
			{Path: "updated_at", Value: now},
		})
	})
	return b, err
}

// GetDrain reads a drain's record.
func (s *Store) GetDrain(ctx context.Context, tenantID, drainID string) (*DrainRecord, error) {
	return get(ctx, s.tenant(tenantID).Collection(colDrains).Doc(drainID), func(d *DrainRecord, id string) { d.ID = id })
}

// PutJobs writes jobs of a tenant as they are (ids set), through the same encoding as
// every other write (jobDoc), with a BulkWriter: bulk imports and the drain's test seed.
func (s *Store) PutJobs(ctx context.Context, tenantID string, jobs []*domain.Job) error {
	bw := s.fs.BulkWriter(ctx)
	var writes []*firestore.BulkWriterJob
	for _, j := range jobs {
		w, err := bw.Set(s.job(tenantID, j.ID), jobDoc(j))
		if err != nil {
			bw.End()
			return fmt.Errorf("put job %s: %w", j.ID, err)
		}
		writes = append(writes, w)
	}
	bw.End()
	for _, w := range writes {
		if _, err := w.Results(); err != nil {
			return fmt.Errorf("put jobs: %w", err)
		}
	}
	return nil
}

// RemindersAfter continues DueReminders (status pending) or QueuedReminders (queued)
// after the job `after`, the last of the previous page, in the same order (scheduled_for,
// then the document's path), reading at most limit jobs: the reminder scan reads past a
// page of reminders it leaves alone (a paused tenant's). The same index serves it.
func (s *Store) RemindersAfter(ctx context.Context, st domain.JobStatus, until time.Time, after *domain.Job, limit int) ([]*domain.Job, error) {
	q := s.fs.CollectionGroup(colJobs).
		Where("type", "==", string(domain.JobReminder)).
		Where("status", "==", string(st)).
		Where("scheduled_for", "<=", until).
		OrderBy("scheduled_for", firestore.Asc).
		OrderBy(firestore.DocumentID, firestore.Asc).
		StartAfter(after.ScheduledFor, s.job(after.TenantID, after.ID)).
		Limit(limit)
	js, err := s.jobsOf(q.Documents(ctx))
	if err != nil {
		return nil, fmt.Errorf("%s reminders after %s: %w", st, after.ID, err)
	}
	return js, nil
}
