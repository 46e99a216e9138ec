package store

import (
	"context"
	"fmt"

	"cloud.google.com/go/firestore"

	"github.com/lembra-app/lembra/shared/domain"
)

// VoucherAppointment finds the appointment an unguessable voucher token names, and its
// tenant: a collection-group query on appointments where voucher_token == token, the
// tenant taken from the document's path (tenants/{t}/appointments/{a}). One read per
// view, the tenant from CachedTenant (store.TenantCacheTTL): the voucher page shows
// the studio's name, address and time zone, and does not look at the tenant's mode,
// so a change reaching it up to that TTL late changes nothing that matters. The query
// needs the COLLECTION_GROUP field index terraform/firestore.tf declares
// (google_firestore_field.appointments_voucher_token).
//
// A malformed or empty token is domain.ErrNotFound without a query
// (domain.ValidVoucherToken); so is a token that matches two appointments (see below).
func (s *Store) VoucherAppointment(ctx context.Context, token string) (*domain.Tenant, *domain.Appointment, error) {
	if !domain.ValidVoucherToken(token) {
		return nil, nil, fmt.Errorf("voucher: malformed token: %w", domain.ErrNotFound)
	}
	// Limit(2), not 1: a second match costs a read only when there is one. Tokens are
	// 192 random bits, so two appointments with one token mean a copied document (a
	// restore or import into another tenant, a hand edit), and the page would show one
	// of them chosen by index order to whoever holds the link, possibly another studio's
	// client: refused as not found, like any token that names no single appointment.
	snaps, err := s.fs.CollectionGroup(colAppointments).Where("voucher_token", "==", token).Limit(2).Documents(ctx).GetAll()
	if err != nil {
		return nil, nil, fmt.Errorf("find voucher: %w", err)
	}
	switch len(snaps) {
	case 0:
		return s.legacyVoucherAppointment(ctx, token)
	case 1:
	default:
		return nil, nil, fmt.Errorf("voucher: the token names %d appointments: %w", len(snaps), domain.ErrNotFound)
	}
	tenantID, ok := appointmentTenant(snaps[0].Ref)
	if !ok {
		// An "appointments" collection somewhere else than under a tenant.
		return nil, nil, fmt.Errorf("voucher: %s is not a tenant's appointment: %w", snaps[0].Ref.Path, domain.ErrNotFound)
	}
	apt, err := decodeAppointment(snaps[0])
	if err != nil {
		return nil, nil, err
	}
	return s.withVoucherTenant(ctx, tenantID, apt)
}

// withVoucherTenant is a voucher's appointment with its tenant (CachedTenant: the page
// shows only the studio's name, address and time zone).
func (s *Store) withVoucherTenant(ctx context.Context, tenantID string, apt *domain.Appointment) (*domain.Tenant, *domain.Appointment, error) {
	t, err := s.CachedTenant(ctx, tenantID)
	if err != nil {
		return nil, nil, err
	}
	return t, apt, nil
}

// appointmentTenant is the tenant id of a document at tenants/{t}/appointments/{a}.
func appointmentTenant(ref *firestore.DocumentRef) (string, bool) {
	col := ref.Parent
	if col == nil || col.ID != colAppointments || col.Parent == nil {
		return "", false
	}
	tenant := col.Parent
	if tenant.Parent == nil || tenant.Parent.ID != colTenants || tenant.Parent.Parent != nil {
		return "", false
	}
	return tenant.ID, true
}

// legacyVoucherAppointment reads the former index, vouchers/{token}. It stays because
// the vouchers already sent point at appointments created while the index was written
// (those also carry voucher_token, so the query above normally finds them first), and
// the documents stay in place: nothing stored is lost or needs a migration, and a
// voucher keeps opening however the appointment document was written. It costs a read
// only when the query found nothing (an unknown token): 2 reads then instead of 1.
func (s *Store) legacyVoucherAppointment(ctx context.Context, token string) (*domain.Tenant, *domain.Appointment, error) {
	snap, err := s.fs.Collection(colVouchers).Doc(token).Get(ctx)
	if notFound(err) {
		return nil, nil, fmt.Errorf("voucher: unknown token: %w", domain.ErrNotFound)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read voucher: %w", err)
	}
	tenantID, _ := snap.Data()["tenant_id"].(string)
	aptID, _ := snap.Data()["appointment_id"].(string)
	if tenantID == "" || aptID == "" {
		return nil, nil, fmt.Errorf("voucher: the index names no appointment: %w", domain.ErrNotFound)
	}
	apt, err := s.GetAppointment(ctx, tenantID, aptID)
	if err != nil {
		return nil, nil, err
	}
	return s.withVoucherTenant(ctx, tenantID, apt)
}
