package store

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"cloud.google.com/go/firestore"
	"google.golang.org/api/iterator"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/lembra-app/lembra/shared/domain"
)

// jobDoc is a job as it is written: every write of a job goes through it, so the
// fields derived from its status (domain.Job.Settled) never disagree with it.
func jobDoc(j *domain.Job) *domain.Job {
	j.Settled = j.Status.Final()
	return j
}

// backfillPage is how many jobs BackfillSettled reads and writes per batch.
const backfillPage = 300

// BackfillSettled gives the tenant's jobs written before domain.Job.Settled existed
// (or by hand) the field, derived from their stored status, so the Mensagens panel
// lists them. It walks the jobs by id in pages, writes only the documents whose field
// is missing or wrong (a field update: nothing else of the job changes), and can be run
// again at any time: a second run changes nothing. A document without a readable
// status is given settled=true, so it is listed in the history as malformed instead of
// hanging in the queue. It returns how many documents it read and changed.
func (s *Store) BackfillSettled(ctx context.Context, tenantID string) (read, changed int, err error) {
	col := s.tenant(tenantID).Collection(colJobs)
	var after *firestore.DocumentSnapshot
	for {
		q := col.OrderBy(firestore.DocumentID, firestore.Asc).Limit(backfillPage)
		if after != nil {
			q = q.StartAfter(after)
		}
		snaps, err := q.Documents(ctx).GetAll()
		if err != nil && !errors.Is(err, iterator.Done) {
			return read, changed, fmt.Errorf("backfill settled: %w", err)
		}
		if len(snaps) == 0 {
			return read, changed, nil
		}
		read += len(snaps)
		bw := s.fs.BulkWriter(ctx)
		var jobs []*firestore.BulkWriterJob
		for _, snap := range snaps {
			want := settledOf(snap.Data())
			if got, ok := snap.Data()["settled"].(bool); ok && got == want {
				continue
			}
			j, err := bw.Update(snap.Ref, []firestore.Update{{Path: "settled", Value: want}}, firestore.LastUpdateTime(snap.UpdateTime))
			if err != nil {
				bw.End()
				return read, changed, fmt.Errorf("backfill settled %s: %w", snap.Ref.ID, err)
			}
			jobs = append(jobs, j)
		}
		bw.End()
		for _, j := range jobs {
			if _, err := j.Results(); err != nil {
				// A job written meanwhile got the field from its writer (jobDoc).
				if isPreconditionFailed(err) {
					continue
				}
				return read, changed, fmt.Errorf("backfill settled: %w", err)
			}
			changed++
		}
		after = snaps[len(snaps)-1]
	}
}

// settledOf is Settled for a stored document: false only for a status of the queue
// (PanelQueue.Statuses), true for a final one and for a status that is missing, not a
// string or unknown, so such a document is listed once, in the history.
func settledOf(d map[string]any) bool {
	st, _ := d["status"].(string)
	return !slices.Contains(PanelQueue.Statuses(), domain.JobStatus(st))
}

func isPreconditionFailed(err error) bool { return status.Code(err) == codes.FailedPrecondition }
