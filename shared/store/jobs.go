package store

import (
	"context"
	"errors"
	"fmt"

	"cloud.google.com/go/firestore"
	"github.com/lembra-app/lembra/shared/domain"
)

// ErrNoChange, returned by an UpdateJob function, ends the transaction without writing.
var ErrNoChange = errors.New("no change")

// JobTx is what an UpdateJob function sees and may change.
type JobTx struct {
	Job *domain.Job
	// writes counts the writes fn made in the transaction (before the job's own).
	writes   int
	tx       *firestore.Transaction
	store    *Store
	tenantID string
}

// Appointment reads, inside the transaction, the job's appointment (nil if the job has
// none or it is gone). Only what asks for it pays the read and holds its lock: the
// claim does; a send's outcome and a status update do not.
func (t *JobTx) Appointment() (*domain.Appointment, error) {
	if t.tx == nil {
		return nil, errUnlocked
	}
	if t.Job.AppointmentID == "" {
		return nil, nil
	}
	return getTxOrNil(t.tx, t.store.appointment(t.tenantID, t.Job.AppointmentID), setAppointmentID)
}

// Conversation reads, inside the transaction, the ledger of the client the job is
// for (nil if the client never wrote).
func (t *JobTx) Conversation(identity string) (*domain.Conversation, error) {
	if t.tx == nil {
		return nil, errUnlocked
	}
	for _, id := range domain.ClientIdentityForms(identity) { // a second read only if the first finds none
		if c, err := getTxOrNil[domain.Conversation](t.tx, t.store.conversation(t.tenantID, id), nil); c != nil || err != nil {
			return c, err
		}
	}
	return nil, nil
}

// GetJob reads one job of a tenant.
func (s *Store) GetJob(ctx context.Context, tenantID, id string) (*domain.Job, error) {
	return get(ctx, s.job(tenantID, id), setJobID)
}

// UpdateJob runs fn on a job inside a transaction (fn may read its appointment and the
// client's conversation through the JobTx) and writes the
// job back, unless fn returns ErrNoChange. It returns the job as stored afterwards.
//
// The job as written is kept, with the update time the commit gave it, for this
// process's next UpdateJobUnlocked of it (jobVersionTTL): a send's outcome, recorded
// right after the claim, and the message's first status then read nothing first.
func (s *Store) UpdateJob(ctx context.Context, tenantID, jobID string, fn func(*JobTx) error) (*domain.Job, error) {
	var out *domain.Job
	ref := s.job(tenantID, jobID)
	jobVersions.forget(ref.Path) // UpdateJobUnlocked's kept version is outdated
	var commit firestore.CommitResponse
	jobWrite := -1 // the job's write among the commit's (fn's own writes come first)
	err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		jobWrite = -1
		j, err := getTx(tx, ref, setJobID)
		if err != nil {
			return err
		}
		before := domain.CounterStateOf(j)
		jt := &JobTx{Job: j, tx: tx, store: s, tenantID: tenantID}
		if err := fn(jt); err != nil {
			if errors.Is(err, ErrNoChange) {
				out = j
				return nil
			}
			return err
		}
		out = j
		jobWrite = jt.writes
		return s.writeJob(ctx, tx, tenantID, before, j, false)
	}, firestore.WithCommitResponseTo(&commit))
	if err != nil {
		return nil, fmt.Errorf("update job %s: %w", jobID, err)
	}
	if jobWrite >= 0 {
		keepJobVersion(ref, out, &commit, jobWrite)
	}
	return out, nil
}

// fieldProviderMessageID is the job's field that holds Meta's message id (the wamid):
// domain.Job.ProviderMessageID's `firestore` tag. Firestore's automatic single-field
// index serves an equality query on it, so no index is declared for it.
const fieldProviderMessageID = "provider_message_id"

// jobByWAMID is the query, in the tenant's own jobs, for the job Meta's message id
// (wamid, not empty) names. It costs one read, found or not (Firestore bills a query
// that returns nothing as one document read:
// https://cloud.google.com/firestore/pricing). A wamid of another tenant's message
// never matches: only this tenant's jobs are searched.
func (s *Store) jobByWAMID(tenantID, wamid string) firestore.Query {
	return s.tenant(tenantID).Collection(colJobs).Where(fieldProviderMessageID, "==", wamid).Limit(1)
}

// JobForWAMID finds which of the tenant's jobs Meta's message id (wamid) belongs to
// (the job's ProviderMessageID, set when the send's answer or, if that was lost, a
// status came back); domain.ErrNotFound when none, or when wamid is empty (no query).
func (s *Store) JobForWAMID(ctx context.Context, tenantID, wamid string) (jobID string, err error) {
	if tenantID == "" || wamid == "" {
		return "", domain.ErrNotFound
	}
	snaps, err := s.jobByWAMID(tenantID, wamid).Documents(ctx).GetAll()
	if err != nil {
		return "", fmt.Errorf("find job by wamid: %w", err)
	}
	if len(snaps) == 0 {
		return "", domain.ErrNotFound
	}
	return snaps[0].Ref.ID, nil
}
