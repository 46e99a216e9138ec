// Package store keeps Lembra's state in Firestore. Every read and write of tenant data
// goes through a tenant id: tenants/{t}/appointments/{a}, tenants/{t}/jobs/{j}. Small
// top-level collections index API keys, voucher tokens and phone number ids.
package store

import (
	"cloud.google.com/go/firestore"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Collection names.
const (
	colTenants      = "tenants"
	colAppointments = "appointments"
	colJobs         = "jobs"
	colAPIKeys      = "api_keys"
	colVouchers     = "vouchers"
	colPhoneNumbers = "phone_numbers"
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
