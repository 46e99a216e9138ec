package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"cloud.google.com/go/firestore"
	"golang.org/x/sync/errgroup"

	"github.com/lembra-app/lembra/shared/domain"
)

// A tenant's counters (domain.CountTransition) are of two kinds. A message's sent,
// delivered, read and buttons delivered, and its per-message pricing, are recorded on
// the job itself, in the write that changes it (Job.CountedOn, Job.BillKey:
// domain.StampCounts), and summed at read time with count aggregations (ReadCounters,
// ReadBilling): a message's lifecycle then writes no counter document at all. The
// rest (failed and skipped by reason, button replies, conversation-based pricing) are
// sharded daily documents,
// tenants/{t}/counters/{yyyy-mm-dd}_{shard}, the day in the tenant's time zone, each
// write adding to one shard picked at random with firestore.Increment, in the same
// transaction as the job's change: a job's change and what it adds to the counters are
// written together or not at all (a transaction retried by Firestore adds once).
//
// Why shards: Firestore sustains about one write per second to a single document
// ("you can't update a single document at an unlimited rate"; "write throughput
// increases linearly with the number of shards", https://cloud.google.com/firestore/docs/solutions/counters;
// "Cloud Firestore has a limit of one sustained write per second, per document",
// https://firebase.google.com/products/extensions/firebase-firestore-counter; see also
// "Updates to a single document" in https://cloud.google.com/firestore/docs/best-practices).
// Meta lets one number send up to 80 messages per second; when they all fail (or are
// all skipped, or all tapped), that is 80 counter increments per second at worst, which
// CounterShards spreads over 32 documents a day (2.5 a second each, in bursts that last
// as long as a campaign; a studio's sustained rate is far below one a second per
// shard), and a
// write never reads a shard, so concurrent jobs never abort each other on one; they
// queue briefly on the same shard at worst.
//
// Reading sums at most days×CounterShards documents in one batch read
// (ReadCounters), whatever the number of jobs: 7×32 = 224 for a week, 30×32 = 960 for
// 30 days.
const (
	colCounters   = "counters"
	CounterShards = 32
	// MaxCounterDays bounds ReadCounters.
	MaxCounterDays = 31
)

// counter document fields.
const (
	fieldSent             = "sent"
	fieldDelivered        = "delivered"
	fieldRead             = "read"
	fieldFailed           = "failed"
	fieldSkipped          = "skipped"
	fieldFailedByReason   = "failed_by_reason"
	fieldSkippedByReason  = "skipped_by_reason"
	fieldButtonsDelivered = "buttons_delivered"
	fieldButtonReplies    = "button_replies"
	// Billing (domain.BillDelta, store/billing.go): messages by category, charged and
	// free; conversation-based pricing's conversations by id, each {category, billable}.
	fieldBilled        = "billed"
	fieldBilledFree    = "billed_free"
	fieldConversations = "billed_conversations"
)

// CounterDocID names a shard of a day's counters.
func CounterDocID(day string, shard int) string { return day + "_" + strconv.Itoa(shard) }

// CounterDay is the counters' day of t in loc (yyyy-mm-dd).
func CounterDay(t time.Time, loc *time.Location) string { return t.In(loc).Format(time.DateOnly) }

// zoneTTL is how long a tenant's time zone is kept by zones: a changed zone moves the
// counters' days within this time.
const zoneTTL = 5 * time.Minute

type zoneKey struct {
	fs     *firestore.Client
	tenant string
}

type zoneEntry struct {
	loc *time.Location
	at  time.Time
}

// zones caches each tenant's time zone for the counters (read outside the job's
// transaction, so job writes never hold a lock on the tenant's document).
var zones sync.Map // zoneKey → zoneEntry

// counterZone is the tenant's time zone (domain.Tenant.Location; the default zone for a
// tenant not found, so a job's write never fails for its counters' day).
func (s *Store) counterZone(ctx context.Context, tenantID string) (*time.Location, error) {
	key := zoneKey{s.fs, tenantID}
	if e, ok := zones.Load(key); ok && time.Since(e.(zoneEntry).at) < zoneTTL {
		return e.(zoneEntry).loc, nil
	}
	t, err := s.GetTenant(ctx, tenantID)
	var loc *time.Location
	switch {
	case errors.Is(err, domain.ErrNotFound):
		loc = (&domain.Tenant{}).Location()
	case err != nil:
		return nil, fmt.Errorf("tenant time zone: %w", err)
	default:
		loc = t.Location()
	}
	zones.Store(key, zoneEntry{loc: loc, at: time.Now()})
	return loc, nil
}

// writeJob writes job j in tx through jobDoc (create: tx.Create, else tx.Set) and adds
// to the tenant's counters what the change from before (domain.CounterStateOf of the job
// as read in the transaction; the zero state for a new job) adds, setting j.Counted.
func (s *Store) writeJob(ctx context.Context, tx *firestore.Transaction, tenantID string, before domain.CounterState, j *domain.Job, create bool) error {
	d, err := s.countJob(ctx, tenantID, before, j)
	if err != nil {
		return err
	}
	// The job first, then its counters: UpdateJob finds the job's update time at the
	// index of its write in the commit's results.
	ref := s.job(tenantID, j.ID)
	if create {
		err = tx.Create(ref, jobDoc(j))
	} else {
		err = tx.Set(ref, jobDoc(j))
	}
	if err != nil {
		return err
	}
	return s.addCounters(ctx, tx, tenantID, d)
}

// addCounters adds the deltas ds, summed, to one shard of today's counters of the
// tenant, in tx: one write however many jobs a transaction changes (nothing when they
// add nothing).
func (s *Store) addCounters(ctx context.Context, tx *firestore.Transaction, tenantID string, ds ...domain.CounterDelta) error {
	ref, doc, err := s.counterWrite(ctx, tenantID, ds...)
	if err != nil || ref == nil {
		return err
	}
	return tx.Set(ref, doc, firestore.MergeAll)
}

// counterWrite is what adding the deltas ds to the tenant's counters writes: the shard
// and its merge; a nil ref when they add nothing.
func (s *Store) counterWrite(ctx context.Context, tenantID string, ds ...domain.CounterDelta) (*firestore.DocumentRef, map[string]any, error) {
	totals := map[string]int{}
	failed, skipped := map[string]any{}, map[string]any{}
	byReason := map[string]map[string]int{fieldFailedByReason: {}, fieldSkippedByReason: {}}
	for _, d := range ds {
		totals[fieldSent] += d.Sent
		totals[fieldDelivered] += d.Delivered
		totals[fieldRead] += d.Read
		totals[fieldButtonsDelivered] += d.ButtonsDelivered
		totals[fieldButtonReplies] += d.ButtonReplies
		if d.FailedReason != "" {
			totals[fieldFailed]++
			byReason[fieldFailedByReason][d.FailedReason]++
		}
		if d.SkippedReason != "" {
			totals[fieldSkipped]++
			byReason[fieldSkippedByReason][d.SkippedReason]++
		}
	}
	doc := map[string]any{}
	for field, n := range totals {
		if n != 0 {
			doc[field] = firestore.Increment(n)
		}
	}
	addBilling(doc, ds)
	if len(doc) == 0 {
		return nil, nil, nil
	}
	for code, n := range byReason[fieldFailedByReason] {
		failed[code] = firestore.Increment(n)
	}
	for code, n := range byReason[fieldSkippedByReason] {
		skipped[code] = firestore.Increment(n)
	}
	if len(failed) > 0 {
		doc[fieldFailedByReason] = failed
	}
	if len(skipped) > 0 {
		doc[fieldSkippedByReason] = skipped
	}
	loc, err := s.counterZone(ctx, tenantID)
	if err != nil {
		return nil, nil, err
	}
	day := CounterDay(time.Now(), loc)
	shard := rand.IntN(CounterShards)
	doc["day"], doc["shard"] = day, shard
	return s.tenant(tenantID).Collection(colCounters).Doc(CounterDocID(day, shard)), doc, nil
}

// countJob sets next.Counted, stamps on next the per-message counts that changing it
// from before (its state as read) adds (domain.CounterDelta.Split, domain.StampCounts:
// today in the tenant's zone), and returns what the change adds to the counter shards:
// nothing at all for a message's sent, delivered and read, which the job's own write
// now records; for a caller that writes many jobs in one transaction and adds their
// deltas at once (addCounters).
func (s *Store) countJob(ctx context.Context, tenantID string, before domain.CounterState, next *domain.Job) (domain.CounterDelta, error) {
	d, marks := domain.CountTransition(before, domain.CounterStateOf(next))
	next.Counted = marks
	onJob, shards := d.Split()
	if !onJob.Empty() {
		loc, err := s.counterZone(ctx, tenantID)
		if err != nil {
			return domain.CounterDelta{}, err
		}
		domain.StampCounts(next, onJob, CounterDay(time.Now(), loc))
	}
	return shards, nil
}

// CounterRead is what ReadCounters summed, how many shard documents it asked for and
// found, and how many count aggregations it ran.
type CounterRead struct {
	domain.Counters
	From, To        string // the first and last day, yyyy-mm-dd
	DocsRead, Found int
	Aggregations    int
}

// ReadCounters sums the tenant's counters of the days days ending with the day of now
// in loc (1 ≤ days ≤ MaxCounterDays): one batch read of days×CounterShards documents,
// and, for sent, delivered, read and buttons delivered, which each job records itself
// (Job.CountedOn), one count aggregation each over the days' range (the automatic
// single-field index of counted_on.<count>; billed one read per up to 1,000 jobs
// counted).
func (s *Store) ReadCounters(ctx context.Context, tenantID string, now time.Time, loc *time.Location, days int) (CounterRead, error) {
	if days < 1 || days > MaxCounterDays {
		return CounterRead{}, fmt.Errorf("%w: counters of %d days (1 to %d)", domain.ErrInvalid, days, MaxCounterDays)
	}
	today := now.In(loc)
	col := s.tenant(tenantID).Collection(colCounters)
	refs := make([]*firestore.DocumentRef, 0, days*CounterShards)
	out := CounterRead{Counters: domain.Counters{FailedByReason: map[string]int64{}, SkippedByReason: map[string]int64{}}}
	for i := days - 1; i >= 0; i-- {
		// AddDate on the local date keeps days whole across daylight-saving changes.
		day := time.Date(today.Year(), today.Month(), today.Day()-i, 12, 0, 0, 0, loc).Format(time.DateOnly)
		if i == days-1 {
			out.From = day
		}
		for sh := range CounterShards {
			refs = append(refs, col.Doc(CounterDocID(day, sh)))
		}
	}
	out.To = today.Format(time.DateOnly)
	var snaps []*firestore.DocumentSnapshot
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		var err error
		snaps, err = s.fs.GetAll(gctx, refs)
		return err
	})
	// The job-borne counts (domain.StampCounts), beside what the shards still hold from
	// jobs counted there before the counts moved to the jobs (added below).
	jobs := s.tenant(tenantID).Collection(colJobs)
	for _, c := range []struct {
		name string
		n    *int64
	}{{domain.CountSent, &out.Sent}, {domain.CountDelivered, &out.Delivered}, {domain.CountRead, &out.Read}, {domain.CountButtonsDelivered, &out.ButtonsDelivered}} {
		field := "counted_on." + c.name
		g.Go(func() error {
			n, err := count(gctx, jobs.Where(field, ">=", out.From).Where(field, "<=", out.To))
			*c.n = int64(n)
			return err
		})
		out.Aggregations++
	}
	if err := g.Wait(); err != nil {
		return CounterRead{}, fmt.Errorf("read counters: %w", err)
	}
	out.DocsRead = len(refs)
	for _, snap := range snaps {
		if !snap.Exists() {
			continue
		}
		out.Found++
		d := snap.Data()
		c := &out.Counters
		c.Sent += intField(d[fieldSent])
		c.Delivered += intField(d[fieldDelivered])
		c.Read += intField(d[fieldRead])
		c.Failed += intField(d[fieldFailed])
		c.Skipped += intField(d[fieldSkipped])
		c.ButtonsDelivered += intField(d[fieldButtonsDelivered])
		c.ButtonReplies += intField(d[fieldButtonReplies])
		addReasons(c.FailedByReason, d[fieldFailedByReason])
		addReasons(c.SkippedByReason, d[fieldSkippedByReason])
	}
	return out, nil
}

func addReasons(into map[string]int64, v any) {
	m, _ := v.(map[string]any)
	for code, n := range m {
		if k := intField(n); k != 0 {
			into[code] += k
		}
	}
}

// intField reads a counter's number (Firestore returns int64; a hand-edited document
// may hold a double); anything else counts as zero.
func intField(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case float64:
		return int64(n)
	}
	return 0
}

// colButtonReplies holds, per message with buttons that got a tap, the tap counted as
// its button reply: tenants/{t}/button_replies/{job id} (inbound_id, at), so a message
// counts once however many times its buttons are tapped.
const colButtonReplies = "button_replies"

// firstButtonReply reports whether client message in, answering outbound, adds a button
// reply to the counters (domain.CountsAsButtonReply): only then does it read, in tx, the
// message's button_replies document (one point read; none: this is its first tap).
func (s *Store) firstButtonReply(tx *firestore.Transaction, tenantID string, in domain.Inbound, outbound *domain.Job) (*firestore.DocumentRef, bool, error) {
	if !domain.CountsAsButtonReply(in, outbound, true) {
		return nil, false, nil
	}
	ref := s.tenant(tenantID).Collection(colButtonReplies).Doc(outbound.ID)
	_, err := tx.Get(ref)
	switch {
	case notFound(err):
		return ref, domain.CountsAsButtonReply(in, outbound, true), nil
	case err != nil:
		return nil, false, fmt.Errorf("earlier button reply: %w", err)
	}
	return nil, domain.CountsAsButtonReply(in, outbound, false), nil
}

// countButtonReply records in tx that client message in is the button reply counted
// for the message ref names, and adds it to the counters.
func (s *Store) countButtonReply(ctx context.Context, tx *firestore.Transaction, tenantID string, ref *firestore.DocumentRef, in domain.Inbound) error {
	if err := tx.Create(ref, map[string]any{"inbound_id": in.ID, "at": in.At}); err != nil {
		return err
	}
	return s.addCounters(ctx, tx, tenantID, domain.CounterDelta{ButtonReplies: 1})
}
