package store

import (
	"context"
	"errors"
	"fmt"

	"cloud.google.com/go/firestore"
	"github.com/lembra-app/lembra/shared/domain"
	"google.golang.org/api/iterator"
)

// CreateAppointment writes an appointment and its jobs in one transaction (its voucher
// is found by its voucher_token: VoucherAppointment). If the appointment already exists
// it writes nothing and returns the stored appointment and jobs with created=false.
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
			withClient(j, apt)
			if err := s.writeJob(ctx, tx, apt.TenantID, domain.CounterState{}, j, true); err != nil {
				return err
			}
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

// GetAppointment reads one appointment of a tenant.
func (s *Store) GetAppointment(ctx context.Context, tenantID, id string) (*domain.Appointment, error) {
	return get(ctx, s.appointment(tenantID, id), setAppointmentID)
}

// AppointmentJobs lists an appointment's jobs.
func (s *Store) AppointmentJobs(ctx context.Context, tenantID, aptID string) ([]*domain.Job, error) {
	js, err := s.jobsOf(s.jobsQuery(tenantID, aptID).Documents(ctx))
	if err != nil {
		return nil, fmt.Errorf("list jobs of %s: %w", aptID, err)
	}
	return js, nil
}

// AppointmentChange is what an appointment update writes besides the appointment.
type AppointmentChange struct {
	NewJobs     []*domain.Job
	ChangedJobs []*domain.Job
}

// UpdateAppointment runs fn on an appointment and its jobs inside a transaction and
// writes what it changed; fn returning ErrNoChange writes nothing. fn may run more
// than once; it must not have side effects.
func (s *Store) UpdateAppointment(ctx context.Context, tenantID, id string,
	fn func(apt *domain.Appointment, jobs []*domain.Job) (AppointmentChange, error)) (*domain.Appointment, []*domain.Job, error) {
	var outApt *domain.Appointment
	var outJobs []*domain.Job
	ref := s.appointment(tenantID, id)
	err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		apt, err := getTx(tx, ref, setAppointmentID)
		if err != nil {
			return err
		}
		jobs, err := s.jobsOf(tx.Documents(s.jobsQuery(tenantID, id)))
		if err != nil {
			return err
		}
		before := make(map[string]domain.CounterState, len(jobs))
		for _, j := range jobs {
			before[j.ID] = domain.CounterStateOf(j)
		}
		change, err := fn(apt, jobs)
		if errors.Is(err, ErrNoChange) {
			outApt, outJobs = apt, jobs
			return nil
		}
		if err != nil {
			return err
		}
		if err := tx.Set(ref, apt); err != nil {
			return err
		}
		for _, j := range change.ChangedJobs {
			withClient(j, apt)
			if err := s.writeJob(ctx, tx, tenantID, before[j.ID], j, false); err != nil {
				return err
			}
		}
		for _, j := range change.NewJobs {
			withClient(j, apt)
			if err := s.writeJob(ctx, tx, tenantID, domain.CounterState{}, j, true); err != nil {
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

// withClient copies the appointment's client onto a job written with it (the panel's
// cards read them from the job; see domain.Job.ClientName).
func withClient(j *domain.Job, apt *domain.Appointment) {
	j.ClientName, j.ClientPhone = apt.ClientName, apt.ClientPhone
}
