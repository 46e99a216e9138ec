// Package store keeps Lembra's state in Firestore. Every read and write of tenant data
// goes through a tenant id: tenants/{t}/appointments/{a}, tenants/{t}/jobs/{j}. Small
// top-level collections index API keys, voucher tokens, phone number ids and wamids.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"cloud.google.com/go/firestore"
	"google.golang.org/api/iterator"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/lembra-app/lembra/shared/domain"
)

// Collection names.
const (
	colTenants      = "tenants"
	colAppointments = "appointments"
	colJobs         = "jobs"
	colAPIKeys      = "api_keys"
	colVouchers     = "vouchers"
	colPhoneNumbers = "phone_numbers"
	colWAMIDs       = "wamids"
	colWABAs        = "wabas"
)

// Store is the Firestore adapter.
type Store struct {
	fs *firestore.Client
}

// New wraps a Firestore client.
func New(fs *firestore.Client) *Store { return &Store{fs: fs} }

func (s *Store) tenant(id string) *firestore.DocumentRef { return s.fs.Collection(colTenants).Doc(id) }

func (s *Store) appointment(tenantID, id string) *firestore.DocumentRef {
	return s.tenant(tenantID).Collection(colAppointments).Doc(id)
}

func (s *Store) job(tenantID, id string) *firestore.DocumentRef {
	return s.tenant(tenantID).Collection(colJobs).Doc(id)
}

func notFound(err error) bool { return status.Code(err) == codes.NotFound }

// PutTenant creates or replaces a tenant and its phone number and WABA indexes.
func (s *Store) PutTenant(ctx context.Context, t *domain.Tenant) error {
	if err := t.Validate(); err != nil {
		return err
	}
	return s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		old, err := tx.Get(s.tenant(t.ID))
		var prev domain.Tenant
		if err == nil {
			if err := old.DataTo(&prev); err != nil {
				return err
			}
		} else if !notFound(err) {
			return err
		}
		indexes := []struct{ col, oldID, newID string }{
			{colPhoneNumbers, prev.WhatsApp.PhoneNumberID, t.WhatsApp.PhoneNumberID},
			{colWABAs, prev.WhatsApp.WABAID, t.WhatsApp.WABAID},
		}
		for _, ix := range indexes {
			if ix.newID == "" {
				continue
			}
			snap, err := tx.Get(s.fs.Collection(ix.col).Doc(ix.newID))
			if err == nil {
				if owner, _ := snap.Data()["tenant_id"].(string); owner != t.ID {
					return fmt.Errorf("%w: %s %s already belongs to tenant %s", domain.ErrConflict, ix.col, ix.newID, owner)
				}
			} else if !notFound(err) {
				return err
			}
		}
		for _, ix := range indexes {
			if ix.oldID != "" && ix.oldID != ix.newID {
				if err := tx.Delete(s.fs.Collection(ix.col).Doc(ix.oldID)); err != nil {
					return err
				}
			}
			if ix.newID != "" {
				if err := tx.Set(s.fs.Collection(ix.col).Doc(ix.newID), map[string]any{"tenant_id": t.ID}); err != nil {
					return err
				}
			}
		}
		return tx.Set(s.tenant(t.ID), t)
	})
}

// TenantForPhoneNumber finds the tenant of a WhatsApp phone number id.
func (s *Store) TenantForPhoneNumber(ctx context.Context, phoneNumberID string) (string, error) {
	return s.indexLookup(ctx, colPhoneNumbers, phoneNumberID)
}

// TenantForWABA finds the tenant of a WhatsApp Business Account id.
func (s *Store) TenantForWABA(ctx context.Context, wabaID string) (string, error) {
	return s.indexLookup(ctx, colWABAs, wabaID)
}

func (s *Store) indexLookup(ctx context.Context, col, id string) (string, error) {
	if id == "" {
		return "", domain.ErrNotFound
	}
	snap, err := s.fs.Collection(col).Doc(id).Get(ctx)
	if notFound(err) {
		return "", domain.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("read %s index: %w", col, err)
	}
	tenantID, _ := snap.Data()["tenant_id"].(string)
	if tenantID == "" {
		return "", domain.ErrNotFound
	}
	return tenantID, nil
}

// UpdateTenant changes a tenant in a transaction; fn returning ErrNoChange writes nothing.
func (s *Store) UpdateTenant(ctx context.Context, id string, fn func(*domain.Tenant) error) error {
	err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		snap, err := tx.Get(s.tenant(id))
		if notFound(err) {
			return fmt.Errorf("tenant %s: %w", id, domain.ErrNotFound)
		}
		if err != nil {
			return err
		}
		var t domain.Tenant
		if err := snap.DataTo(&t); err != nil {
			return err
		}
		t.ID = id
		if err := fn(&t); err != nil {
			if errors.Is(err, ErrNoChange) {
				return nil
			}
			return err
		}
		return tx.Set(s.tenant(id), &t)
	})
	if err != nil {
		return fmt.Errorf("update tenant %s: %w", id, err)
	}
	return nil
}

// GetTenant reads a tenant.
func (s *Store) GetTenant(ctx context.Context, id string) (*domain.Tenant, error) {
	snap, err := s.tenant(id).Get(ctx)
	if notFound(err) {
		return nil, fmt.Errorf("tenant %s: %w", id, domain.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read tenant %s: %w", id, err)
	}
	var t domain.Tenant
	if err := snap.DataTo(&t); err != nil {
		return nil, fmt.Errorf("decode tenant %s: %w", id, err)
	}
	t.ID = id
	return &t, nil
}

// PutAPIKey stores the hash of a tenant's API key.
func (s *Store) PutAPIKey(ctx context.Context, tenantID, keyHash, label string, now time.Time) error {
	_, err := s.fs.Collection(colAPIKeys).Doc(keyHash).Create(ctx, map[string]any{
		"tenant_id": tenantID, "label": label, "created_at": now,
	})
	if status.Code(err) == codes.AlreadyExists {
		return fmt.Errorf("%w: api key exists", domain.ErrConflict)
	}
	return err
}

// TenantForAPIKey finds the tenant an API key (by hash) belongs to.
func (s *Store) TenantForAPIKey(ctx context.Context, keyHash string) (string, error) {
	snap, err := s.fs.Collection(colAPIKeys).Doc(keyHash).Get(ctx)
	if notFound(err) {
		return "", domain.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("read api key: %w", err)
	}
	id, _ := snap.Data()["tenant_id"].(string)
	if id == "" {
		return "", domain.ErrNotFound
	}
	return id, nil
}

// CreateAppointment writes an appointment, its jobs and its voucher index in one
// transaction. If the appointment already exists it writes nothing and returns the
// stored appointment and jobs with created=false.
func (s *Store) CreateAppointment(ctx context.Context, apt *domain.Appointment, jobs []*domain.Job) (*domain.Appointment, []*domain.Job, bool, error) {
	var (
		outApt  *domain.Appointment
		outJobs []*domain.Job
		created bool
	)
	ref := s.appointment(apt.TenantID, apt.ID)
	err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		snap, err := tx.Get(ref)
		if err == nil {
			a, err := decodeAppointment(snap)
			if err != nil {
				return err
			}
			js, err := s.jobsOf(tx.Documents(s.jobsQuery(apt.TenantID, apt.ID)))
			if err != nil {
				return err
			}
			outApt, outJobs, created = a, js, false
			return nil
		}
		if !notFound(err) {
			return err
		}
		if err := tx.Create(ref, apt); err != nil {
			return err
		}
		for _, j := range jobs {
			if err := tx.Create(s.job(apt.TenantID, j.ID), j); err != nil {
				return err
			}
		}
		if err := tx.Create(s.fs.Collection(colVouchers).Doc(apt.VoucherToken), map[string]any{
			"tenant_id": apt.TenantID, "appointment_id": apt.ID,
		}); err != nil {
			return err
		}
		outApt, outJobs, created = apt, jobs, true
		return nil
	})
	if err != nil {
		return nil, nil, false, fmt.Errorf("create appointment %s: %w", apt.ID, err)
	}
	return outApt, outJobs, created, nil
}

func (s *Store) jobsQuery(tenantID, aptID string) firestore.Query {
	return s.tenant(tenantID).Collection(colJobs).Where("appointment_id", "==", aptID)
}

func (s *Store) jobsOf(it *firestore.DocumentIterator) ([]*domain.Job, error) {
	defer it.Stop()
	var out []*domain.Job
	for {
		snap, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		j, err := decodeJob(snap)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
}

func decodeAppointment(snap *firestore.DocumentSnapshot) (*domain.Appointment, error) {
	var a domain.Appointment
	if err := snap.DataTo(&a); err != nil {
		return nil, fmt.Errorf("decode appointment %s: %w", snap.Ref.ID, err)
	}
	a.ID = snap.Ref.ID
	return &a, nil
}

func decodeJob(snap *firestore.DocumentSnapshot) (*domain.Job, error) {
	var j domain.Job
	if err := snap.DataTo(&j); err != nil {
		return nil, fmt.Errorf("decode job %s: %w", snap.Ref.ID, err)
	}
	j.ID = snap.Ref.ID
	return &j, nil
}

// GetAppointment reads one appointment of a tenant.
func (s *Store) GetAppointment(ctx context.Context, tenantID, id string) (*domain.Appointment, error) {
	snap, err := s.appointment(tenantID, id).Get(ctx)
	if notFound(err) {
		return nil, fmt.Errorf("appointment %s: %w", id, domain.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read appointment %s: %w", id, err)
	}
	return decodeAppointment(snap)
}

// AppointmentJobs lists an appointment's jobs.
func (s *Store) AppointmentJobs(ctx context.Context, tenantID, aptID string) ([]*domain.Job, error) {
	js, err := s.jobsOf(s.jobsQuery(tenantID, aptID).Documents(ctx))
	if err != nil {
		return nil, fmt.Errorf("list jobs of %s: %w", aptID, err)
	}
	return js, nil
}

// GetJob reads one job of a tenant.
func (s *Store) GetJob(ctx context.Context, tenantID, id string) (*domain.Job, error) {
	snap, err := s.job(tenantID, id).Get(ctx)
	if notFound(err) {
		return nil, fmt.Errorf("job %s: %w", id, domain.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read job %s: %w", id, err)
	}
	return decodeJob(snap)
}

// AppointmentChange is what an appointment update writes besides the appointment.
type AppointmentChange struct {
	NewJobs     []*domain.Job
	ChangedJobs []*domain.Job
}

// UpdateAppointment runs fn on an appointment and its jobs inside a transaction and
// writes what it changed. fn may run more than once; it must not have side effects.
func (s *Store) UpdateAppointment(ctx context.Context, tenantID, id string,
	fn func(apt *domain.Appointment, jobs []*domain.Job) (AppointmentChange, error)) (*domain.Appointment, []*domain.Job, error) {
	var outApt *domain.Appointment
	var outJobs []*domain.Job
	ref := s.appointment(tenantID, id)
	err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		snap, err := tx.Get(ref)
		if notFound(err) {
			return fmt.Errorf("appointment %s: %w", id, domain.ErrNotFound)
		}
		if err != nil {
			return err
		}
		apt, err := decodeAppointment(snap)
		if err != nil {
			return err
		}
		jobs, err := s.jobsOf(tx.Documents(s.jobsQuery(tenantID, id)))
		if err != nil {
			return err
		}
		change, err := fn(apt, jobs)
		if err != nil {
			return err
		}
		if err := tx.Set(ref, apt); err != nil {
			return err
		}
		for _, j := range change.ChangedJobs {
			if err := tx.Set(s.job(tenantID, j.ID), j); err != nil {
				return err
			}
		}
		for _, j := range change.NewJobs {
			if err := tx.Create(s.job(tenantID, j.ID), j); err != nil {
				return err
			}
		}
		outApt, outJobs = apt, append(jobs, change.NewJobs...)
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("update appointment %s: %w", id, err)
	}
	return outApt, outJobs, nil
}

// ErrNoChange, returned by an UpdateJob function, ends the transaction without writing.
var ErrNoChange = errors.New("no change")

// JobTx is what an UpdateJob function sees and may change.
type JobTx struct {
	Job         *domain.Job
	Appointment *domain.Appointment // nil if the appointment is gone
	wamid       string
	tx          *firestore.Transaction
	store       *Store
	tenantID    string
}

// Conversation reads, inside the transaction, the ledger of the client the job is
// for (nil if the client never wrote).
func (t *JobTx) Conversation(identity string) (*domain.Conversation, error) {
	snap, err := t.tx.Get(t.store.conversation(t.tenantID, identity))
	if notFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var c domain.Conversation
	if err := snap.DataTo(&c); err != nil {
		return nil, err
	}
	return &c, nil
}

// IndexWAMID records, with the job, that Meta's message id names it.
func (t *JobTx) IndexWAMID(wamid string) { t.wamid = wamid }

// UpdateJob runs fn on a job and its appointment inside a transaction and writes the
// job back, unless fn returns ErrNoChange. It returns the job as stored afterwards.
func (s *Store) UpdateJob(ctx context.Context, tenantID, jobID string, fn func(*JobTx) error) (*domain.Job, error) {
	var out *domain.Job
	ref := s.job(tenantID, jobID)
	err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		snap, err := tx.Get(ref)
		if notFound(err) {
			return fmt.Errorf("job %s: %w", jobID, domain.ErrNotFound)
		}
		if err != nil {
			return err
		}
		j, err := decodeJob(snap)
		if err != nil {
			return err
		}
		jt := &JobTx{Job: j, tx: tx, store: s, tenantID: tenantID}
		if j.AppointmentID != "" {
			asnap, err := tx.Get(s.appointment(tenantID, j.AppointmentID))
			switch {
			case err == nil:
				if jt.Appointment, err = decodeAppointment(asnap); err != nil {
					return err
				}
			case !notFound(err):
				return err
			}
		}
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
		return tx.Set(ref, j)
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

// VoucherAppointment finds the appointment an unguessable voucher token names.
func (s *Store) VoucherAppointment(ctx context.Context, token string) (*domain.Tenant, *domain.Appointment, error) {
	snap, err := s.fs.Collection(colVouchers).Doc(token).Get(ctx)
	if notFound(err) {
		return nil, nil, domain.ErrNotFound
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read voucher: %w", err)
	}
	tenantID, _ := snap.Data()["tenant_id"].(string)
	aptID, _ := snap.Data()["appointment_id"].(string)
	t, err := s.GetTenant(ctx, tenantID)
	if err != nil {
		return nil, nil, err
	}
	apt, err := s.GetAppointment(ctx, tenantID, aptID)
	if err != nil {
		return nil, nil, err
	}
	return t, apt, nil
}
