package store

import (
	"context"
	"fmt"

	"github.com/lembra-app/lembra/shared/domain"
)

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
