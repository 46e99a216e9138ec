package store

import (
	"context"
	"errors"
	"fmt"

	"cloud.google.com/go/firestore"

	"github.com/lembra-app/lembra/shared/domain"
)

// get reads the document at ref into a T and sets its id with setID (nil when T keeps
// none). A missing document is domain.ErrNotFound, named by its collection and id.
func get[T any](ctx context.Context, ref *firestore.DocumentRef, setID func(*T, string)) (*T, error) {
	snap, err := ref.Get(ctx)
	return fromSnapshot(ref, snap, err, setID)
}

// getTx is get inside a transaction.
func getTx[T any](tx *firestore.Transaction, ref *firestore.DocumentRef, setID func(*T, string)) (*T, error) {
	snap, err := tx.Get(ref)
	return fromSnapshot(ref, snap, err, setID)
}

// getTxOrNil is getTx where a missing document is not an error but nil.
func getTxOrNil[T any](tx *firestore.Transaction, ref *firestore.DocumentRef, setID func(*T, string)) (*T, error) {
	v, err := getTx(tx, ref, setID)
	if errors.Is(err, domain.ErrNotFound) {
		return nil, nil
	}
	return v, err
}

func fromSnapshot[T any](ref *firestore.DocumentRef, snap *firestore.DocumentSnapshot, err error, setID func(*T, string)) (*T, error) {
	if notFound(err) {
		return nil, fmt.Errorf("%s %s: %w", ref.Parent.ID, ref.ID, domain.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s %s: %w", ref.Parent.ID, ref.ID, err)
	}
	return decode(snap, setID)
}

// decode reads a document's data into a T and sets its id with setID (nil when T
// keeps none).
func decode[T any](snap *firestore.DocumentSnapshot, setID func(*T, string)) (*T, error) {
	var v T
	if err := snap.DataTo(&v); err != nil {
		return nil, fmt.Errorf("decode %s %s: %w", snap.Ref.Parent.ID, snap.Ref.ID, err)
	}
	if setID != nil {
		setID(&v, snap.Ref.ID)
	}
	return &v, nil
}

// The id setters of the documents that carry their id outside their data.
func setTenantID(t *domain.Tenant, id string)           { t.ID = id }
func setAppointmentID(a *domain.Appointment, id string) { a.ID = id }
func setJobID(j *domain.Job, id string)                 { j.ID = id }
func setMessageID(m *domain.ConversationMessage, id string) {
	m.ID = id
}

func decodeAppointment(snap *firestore.DocumentSnapshot) (*domain.Appointment, error) {
	return decode(snap, setAppointmentID)
}

func decodeJob(snap *firestore.DocumentSnapshot) (*domain.Job, error) { return decode(snap, setJobID) }
