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
	Job      *domain.Job
	wamid    string
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

// IndexWAMID records, with the job, that Meta's message id names it.
func (t *JobTx) IndexWAMID(wamid string) { t.wamid = wamid }

// GetJob reads one job of a tenant.
func (s *Store) GetJob(ctx context.Context, tenantID, id string) (*domain.Job, error) {
	return get(ctx, s.job(tenantID, id), setJobID)
}

// UpdateJob runs fn on a job inside a transaction (fn may read its appointment and the
// client's conversation through the JobTx) and writes the
// job back, unless fn returns ErrNoChange. It returns the job as stored afterwards.
func (s *Store) UpdateJob(ctx context.Context, tenantID, jobID string, fn func(*JobTx) error) (*domain.Job, error) {
	var out *domain.Job
	ref := s.job(tenantID, jobID)
	defer jobVersions.forget(ref.Path) // UpdateJobUnlocked's kept version is outdated
	err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
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
		if jt.wamid != "" {
			if err := tx.Set(s.fs.Collection(colWAMIDs).Doc(jt.wamid), map[string]any{
				"tenant_id": tenantID, "job_id": jobID,
			}); err != nil {
				return err
			}
		}
		out = j
		return s.writeJob(ctx, tx, tenantID, before, j, false)
	})
	if err != nil {
		return nil, fmt.Errorf("update job %s: %w", jobID, err)
	}
	return out, nil
}

// JobForWAMID finds the job Meta's message id belongs to.
func (s *Store) JobForWAMID(ctx context.Context, wamid string) (tenantID, jobID string, err error) {
	snap, err := s.fs.Collection(colWAMIDs).Doc(wamid).Get(ctx)
	if notFound(err) {
		return "", "", domain.ErrNotFound
	}
	if err != nil {
		return "", "", fmt.Errorf("read wamid index: %w", err)
	}
	d := snap.Data()
	tenantID, _ = d["tenant_id"].(string)
	jobID, _ = d["job_id"].(string)
	return tenantID, jobID, nil
}
