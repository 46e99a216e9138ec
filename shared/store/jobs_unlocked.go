package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"cloud.google.com/go/firestore"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/lembra-app/lembra/shared/domain"
)

// errUnlocked: UpdateJobUnlocked's function asked for a read only a transaction makes.
var errUnlocked = errors.New("store: the job's appointment and conversation are read only in UpdateJob's transaction")

// unlockedTries bounds how many times UpdateJobUnlocked reads a job again after
// another write changed it first.
const unlockedTries = 8

// jobVersionTTL is how long a job this process wrote is kept, with its update time,
// for the next UpdateJobUnlocked of it (the next status of the same message, seconds
// later): that write then reads nothing first.
const jobVersionTTL = time.Minute

type jobVersion struct {
	job     []byte // the job as written (JSON: each use decodes its own copy)
	updated time.Time
}

// maxJobVersions bounds the kept versions (a few KB each): a minute of Meta's 80
// messages per second, with room.
const maxJobVersions = 6000

var jobVersions = newTTLCache[jobVersion](jobVersionTTL, maxJobVersions)

// UpdateJobUnlocked is UpdateJob for a change that needs nothing but the job (a
// message's status), without a transaction: fn runs on the job as last read (or as
// this process last wrote it, within jobVersionTTL: no read at all), and the job and
// what it adds to the counters are written in one atomic commit that holds only if
// the job is unchanged since (its update time). Nothing is locked, so statuses of one
// message arriving together never abort and re-run each other's transactions, and
// never wait on dispatch's; a write that finds the job changed reads it again and
// runs fn again (fn may run more than once and must be pure), at most unlockedTries
// times. fn returning ErrNoChange on a kept version is checked again on a fresh read,
// so a kept version never hides a change. fn may not read the appointment or the
// conversation (JobTx.Appointment: an error).
func (s *Store) UpdateJobUnlocked(ctx context.Context, tenantID, jobID string, fn func(*JobTx) error) (*domain.Job, error) {
	ref := s.job(tenantID, jobID)
	useKept := true
	for try := 1; ; try++ {
		j, updated, kept, err := s.jobToChange(ctx, ref, useKept)
		if err != nil {
			return nil, err
		}
		before := domain.CounterStateOf(j)
		jt := &JobTx{Job: j, store: s, tenantID: tenantID}
		if err := fn(jt); err != nil {
			if errors.Is(err, ErrNoChange) && kept {
				useKept = false // make sure on what is stored
				continue
			}
			if errors.Is(err, ErrNoChange) {
				return j, nil
			}
			return nil, err
		}
		at, err := s.commitUnlocked(ctx, tenantID, ref, before, j, updated)
		if status.Code(err) == codes.FailedPrecondition && try < unlockedTries {
			jobVersions.forget(ref.Path)
			useKept = false
			continue
		}
		if err != nil {
			jobVersions.forget(ref.Path)
			return nil, fmt.Errorf("update job %s: %w", jobID, err)
		}
		putJobVersion(ref, j, at)
		return j, nil
	}
}

// putJobVersion keeps job j as written at ref with its update time.
func putJobVersion(ref *firestore.DocumentRef, j *domain.Job, updated time.Time) {
	if b, err := json.Marshal(j); err == nil {
		jobVersions.put(ref.Path, jobVersion{job: b, updated: updated}, time.Now())
	}
}

// keepJobVersion keeps job j as a transaction's commit wrote it at ref: the update time
// of the commit's write number i (nothing kept when the commit does not say).
func keepJobVersion(ref *firestore.DocumentRef, j *domain.Job, commit *firestore.CommitResponse, i int) {
	res, err := commit.WriteResults()
	if err != nil || i >= len(res) || res[i] == nil || res[i].UpdateTime.IsZero() {
		return
	}
	putJobVersion(ref, j, res[i].UpdateTime)
}

// jobToChange is the job at ref with its update time: the version this process last
// wrote when useKept and one is kept (kept true), else read.
func (s *Store) jobToChange(ctx context.Context, ref *firestore.DocumentRef, useKept bool) (*domain.Job, time.Time, bool, error) {
	if useKept {
		if v, ok := jobVersions.get(ref.Path, time.Now()); ok {
			var j domain.Job
			if err := json.Unmarshal(v.job, &j); err == nil {
				return &j, v.updated, true, nil
			}
		}
	}
	snap, err := ref.Get(ctx)
	j, err := fromSnapshot(ref, snap, err, setJobID)
	if err != nil {
		return nil, time.Time{}, false, err
	}
	return j, snap.UpdateTime, false, nil
}

// commitUnlocked writes job j (every field, as UpdateJob's set does) and what changing
// it from before adds to the counters, in one commit conditional on the job's update
// time; it returns the job's new update time.
func (s *Store) commitUnlocked(ctx context.Context, tenantID string, ref *firestore.DocumentRef, before domain.CounterState, j *domain.Job, updated time.Time) (time.Time, error) {
	delta, err := s.countJob(ctx, tenantID, before, j)
	if err != nil {
		return time.Time{}, err
	}
	// A WriteBatch (marked deprecated in favour of transactions and the BulkWriter) is
	// the client's one atomic commit of several writes that returns their update times
	// without a transaction: a transaction would read (and lock) the job first, and the
	// BulkWriter's writes are not atomic together.
	b := s.fs.Batch()
	b.Update(ref, JobFieldUpdates(jobDoc(j)), firestore.LastUpdateTime(updated))
	cref, cdoc, err := s.counterWrite(ctx, tenantID, delta)
	if err != nil {
		return time.Time{}, err
	}
	if cref != nil {
		b.Set(cref, cdoc, firestore.MergeAll)
	}
	res, err := b.Commit(ctx)
	if err != nil {
		return time.Time{}, err
	}
	return res[0].UpdateTime, nil
}

// JobFieldUpdates is a job as a field-by-field update that leaves the stored document
// as a set of the job would (an empty field kept out by `omitempty` is deleted), so a
// whole job can be written with a precondition (a set takes none). Every top-level
// field of domain.Job is named by its `firestore` tag.
func JobFieldUpdates(j *domain.Job) []firestore.Update {
	v := reflect.ValueOf(j).Elem()
	t := v.Type()
	ups := make([]firestore.Update, 0, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("firestore")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fv := v.Field(i)
		if strings.Contains(opts, "omitempty") && emptyForFirestore(fv) {
			ups = append(ups, firestore.Update{Path: name, Value: firestore.Delete})
			continue
		}
		ups = append(ups, firestore.Update{Path: name, Value: fv.Interface()})
	}
	return ups
}

// emptyForFirestore is what `omitempty` leaves out (the firestore package's rule).
func emptyForFirestore(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	case reflect.Interface, reflect.Pointer:
		return v.IsNil()
	}
	if t, ok := v.Interface().(time.Time); ok {
		return t.IsZero()
	}
	return false
}
