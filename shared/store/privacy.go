package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"cloud.google.com/go/firestore"
	"google.golang.org/api/iterator"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/privacy"
)

// The store's side of data deletion: the requests (data_deletions/{confirmation code},
// top level, no personal data) and the erasure of one client from one tenant, in bounded
// batches, each one transaction; running it again finds nothing left to change.

const colDataDeletions = "data_deletions"

// eraseBatch is how many documents one erasure transaction reads and writes.
const eraseBatch = 200

func (s *Store) dataDeletion(code string) *firestore.DocumentRef {
	return s.fs.Collection(colDataDeletions).Doc(code)
}

// CreateDeletion records a new deletion request under its code.
func (s *Store) CreateDeletion(ctx context.Context, d *privacy.Deletion) error {
	if _, err := s.dataDeletion(d.Code).Create(ctx, d); err != nil {
		return fmt.Errorf("create data deletion: %w", err)
	}
	return nil
}

// GetDeletion reads a deletion request (domain.ErrNotFound for an unknown code).
func (s *Store) GetDeletion(ctx context.Context, code string) (*privacy.Deletion, error) {
	return get(ctx, s.dataDeletion(code), func(d *privacy.Deletion, id string) { d.Code = id })
}

// RecordDeletionProgress stores what the erasure did in one tenant.
func (s *Store) RecordDeletionProgress(ctx context.Context, code, tenantID string, p privacy.TenantProgress) error {
	_, err := s.dataDeletion(code).Update(ctx, []firestore.Update{
		{FieldPath: firestore.FieldPath{"tenants", tenantID}, Value: p},
		{Path: "updated_at", Value: p.At},
	})
	return err
}

// FinishDeletion marks a request done.
func (s *Store) FinishDeletion(ctx context.Context, code string, at time.Time) error {
	_, err := s.dataDeletion(code).Update(ctx, []firestore.Update{
		{Path: "status", Value: privacy.StatusDone}, {Path: "done_at", Value: at}, {Path: "updated_at", Value: at},
	})
	return err
}

// TenantIDs lists every tenant's id, in pages of eraseBatch.
func (s *Store) TenantIDs(ctx context.Context) ([]string, error) {
	var ids []string
	q := s.fs.Collection(colTenants).OrderBy(firestore.DocumentID, firestore.Asc).Select().Limit(eraseBatch)
	var after *firestore.DocumentSnapshot
	for {
		page := q
		if after != nil {
			page = page.StartAfter(after)
		}
		snaps, err := page.Documents(ctx).GetAll()
		if err != nil {
			return nil, fmt.Errorf("list tenants: %w", err)
		}
		for _, sn := range snaps {
			ids = append(ids, sn.Ref.ID)
		}
		if len(snaps) < eraseBatch {
			return ids, nil
		}
		after = snaps[len(snaps)-1]
	}
}

// EraseSubject is whom an erasure looks for in one tenant.
type EraseSubject struct {
	// ID: a conversation whose wa_id or user_id is exactly this is the client's
	// (privacy.SubjectOf).
	ID string
	// ByPhone: the id is a wa_id the owner named, so the client's appointments and jobs
	// are found by its phone forms even without a conversation.
	ByPhone bool
	// Skip turns an unsent job into the skipped one to write (nil: leave it); the caller
	// owns the rule (dispatch.DecideAction).
	Skip func(j *domain.Job) *domain.Job
}

// EraseClient erases one client from one tenant: unsent jobs skipped (Skip), every job
// and appointment of her phone without her name, phone and text (privacy.EraseJob,
// EraseAppointment; ids, statuses and counts kept), the inbound ledger without her ids
// and texts, her Business App contact, her conversation and its messages deleted.
func (s *Store) EraseClient(ctx context.Context, tenantID string, sub EraseSubject, now time.Time) (privacy.TenantProgress, error) {
	p := privacy.TenantProgress{At: now}
	convs := s.tenant(tenantID).Collection(colConversations)
	var convRefs []*firestore.DocumentRef
	waIDs := map[string]bool{}
	if snap, err := convs.Doc(sub.ID).Get(ctx); err == nil {
		var c domain.Conversation
		if err := snap.DataTo(&c); err == nil && (privacy.SubjectOf(c, sub.ID) || sub.ByPhone) {
			convRefs = append(convRefs, snap.Ref)
			waIDs[c.WAID] = true
		}
	} else if !notFound(err) {
		return p, err
	}
	for _, field := range []string{"user_id", "wa_id"} {
		snaps, err := convs.Where(field, "==", sub.ID).Limit(eraseBatch).Documents(ctx).GetAll()
		if err != nil {
			return p, fmt.Errorf("erase: conversations: %w", err)
		}
		for _, snap := range snaps {
			var c domain.Conversation
			if err := snap.DataTo(&c); err == nil && privacy.SubjectOf(c, sub.ID) && !slices.ContainsFunc(convRefs, func(r *firestore.DocumentRef) bool { return r.Path == snap.Ref.Path }) {
				convRefs = append(convRefs, snap.Ref)
				waIDs[c.WAID] = true
			}
		}
	}
	if sub.ByPhone {
		waIDs[sub.ID] = true
	}
	var phones []string
	for w := range waIDs {
		for _, f := range privacy.PhoneForms(w) {
			if !slices.Contains(phones, f) {
				phones = append(phones, f)
			}
		}
	}
	p.Found = len(convRefs) > 0
	jobs := s.tenant(tenantID).Collection(colJobs)
	for _, ph := range phones {
		for _, field := range []string{"client_phone", "recipient"} {
			n, skipped, err := s.eraseJobs(ctx, tenantID, jobs.Where(field, "==", ph), sub.Skip, now)
			p.Jobs += n
			p.Skipped += skipped
			if err != nil {
				return p, err
			}
		}
		n, err := s.eraseAppointments(ctx, tenantID, ph)
		p.Appointments += n
		if err != nil {
			return p, err
		}
		for _, id := range []string{ph, ph[1:]} {
			if _, err := s.tenant(tenantID).Collection(colContacts).Doc(id).Delete(ctx); err != nil && !notFound(err) {
				return p, fmt.Errorf("erase: contact: %w", err)
			}
		}
	}
	p.Found = p.Found || p.Jobs > 0 || p.Appointments > 0
	ids := []string{sub.ID}
	for w := range waIDs {
		if w != "" && !slices.Contains(ids, w) {
			ids = append(ids, w)
		}
	}
	for _, id := range ids {
		for _, field := range []string{"wa_id", "user_id"} {
			if err := s.eraseInbound(ctx, tenantID, field, id); err != nil {
				return p, err
			}
		}
	}
	for _, ref := range convRefs {
		n, err := s.deleteAll(ctx, ref.Collection(colMessages).Query)
		p.Messages += n
		if err != nil {
			return p, err
		}
		if _, err := ref.Delete(ctx); err != nil {
			return p, fmt.Errorf("erase: conversation: %w", err)
		}
	}
	p.Done = true
	return p, nil
}

// eraseJobs erases the jobs q picks, a batch per transaction, until none is left (an
// erased job leaves the query: its phone and recipient are gone).
func (s *Store) eraseJobs(ctx context.Context, tenantID string, q firestore.Query, skip func(*domain.Job) *domain.Job, now time.Time) (n, skipped int, err error) {
	for {
		snaps, err := q.Limit(eraseBatch).Documents(ctx).GetAll()
		if err != nil {
			return n, skipped, fmt.Errorf("erase: jobs: %w", err)
		}
		if len(snaps) == 0 {
			return n, skipped, nil
		}
		refs := make([]*firestore.DocumentRef, len(snaps))
		for i, sn := range snaps {
			refs[i] = sn.Ref
		}
		var bn, bs int
		err = s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
			bn, bs = 0, 0
			got, err := tx.GetAll(refs)
			if err != nil {
				return err
			}
			var counted []domain.CounterDelta
			for _, sn := range got {
				if !sn.Exists() {
					continue
				}
				j, err := decodeJob(sn)
				if err != nil {
					return fmt.Errorf("job %s: %w", sn.Ref.ID, err)
				}
				before := domain.CounterStateOf(j)
				next := j
				if skip != nil {
					if sk := skip(j); sk != nil {
						next = sk
						bs++
					}
				}
				privacy.EraseJob(next)
				d, err := s.countJob(ctx, tenantID, before, next)
				if err != nil {
					return err
				}
				counted = append(counted, d)
				if err := tx.Set(sn.Ref, jobDoc(next)); err != nil {
					return err
				}
				bn++
			}
			return s.addCounters(ctx, tx, tenantID, counted...)
		})
		n, skipped = n+bn, skipped+bs
		if err != nil {
			return n, skipped, fmt.Errorf("erase: jobs: %w", err)
		}
		if bn == 0 {
			return n, skipped, errors.New("erase: jobs: a batch changed nothing")
		}
	}
}

// eraseAppointments erases the appointments of one phone form.
func (s *Store) eraseAppointments(ctx context.Context, tenantID, phone string) (int, error) {
	q := s.tenant(tenantID).Collection(colAppointments).Where("client_phone", "==", phone).Limit(eraseBatch)
	n := 0
	for {
		snaps, err := q.Documents(ctx).GetAll()
		if err != nil {
			return n, fmt.Errorf("erase: appointments: %w", err)
		}
		if len(snaps) == 0 {
			return n, nil
		}
		err = s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
			for _, sn := range snaps {
				if err := tx.Update(sn.Ref, []firestore.Update{
					{Path: "client_name", Value: privacy.RemovedName}, {Path: "client_phone", Value: ""},
				}); err != nil && !notFound(err) {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return n, fmt.Errorf("erase: appointments: %w", err)
		}
		n += len(snaps)
	}
}

// eraseInbound drops a client's ids and texts from the inbound ledger (the documents
// stay: they keep a redelivered message from being applied twice).
func (s *Store) eraseInbound(ctx context.Context, tenantID, field, id string) error {
	q := s.tenant(tenantID).Collection(colInbound).Where(field, "==", id).Limit(eraseBatch)
	for {
		snaps, err := q.Documents(ctx).GetAll()
		if err != nil {
			return fmt.Errorf("erase: inbound: %w", err)
		}
		if len(snaps) == 0 {
			return nil
		}
		err = s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
			for _, sn := range snaps {
				if err := tx.Update(sn.Ref, []firestore.Update{
					{Path: "wa_id", Value: ""}, {Path: "user_id", Value: ""}, {Path: "text", Value: firestore.Delete}, {Path: "payload", Value: firestore.Delete},
				}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("erase: inbound: %w", err)
		}
	}
}

// deleteAll deletes what q picks, eraseBatch at a time.
func (s *Store) deleteAll(ctx context.Context, q firestore.Query) (int, error) {
	n := 0
	for {
		it := q.Select().Limit(eraseBatch).Documents(ctx)
		b := s.fs.BulkWriter(ctx)
		got := 0
		var jobs []*firestore.BulkWriterJob
		for {
			sn, err := it.Next()
			if errors.Is(err, iterator.Done) {
				break
			}
			if err != nil {
				b.End()
				return n, fmt.Errorf("erase: messages: %w", err)
			}
			j, err := b.Delete(sn.Ref)
			if err != nil {
				b.End()
				return n, err
			}
			jobs = append(jobs, j)
			got++
		}
		b.End()
		for _, j := range jobs {
			if _, err := j.Results(); err != nil {
				return n, fmt.Errorf("erase: messages: %w", err)
			}
		}
		n += got
		if got == 0 {
			return n, nil
		}
	}
}
