package store

import (
	"context"
	"fmt"

	"github.com/lembra-app/lembra/shared/domain"
)

// colStaff maps signed-in users to their tenant: staff/{uid}.
const colStaff = "staff"

func setStaffUID(m *domain.StaffMember, uid string) { m.UID = uid }

// GetStaffMember reads the mapping of a signed-in user (domain.ErrNotFound when the
// user belongs to no tenant). A stored mapping that does not validate is an error.
func (s *Store) GetStaffMember(ctx context.Context, uid string) (*domain.StaffMember, error) {
	m, err := get(ctx, s.fs.Collection(colStaff).Doc(uid), setStaffUID)
	if err != nil {
		return nil, err
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("stored %w", err)
	}
	return m, nil
}

// PutStaffMember creates or replaces a user's mapping. The tenant must exist.
func (s *Store) PutStaffMember(ctx context.Context, m *domain.StaffMember) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if _, err := s.GetTenant(ctx, m.TenantID); err != nil {
		return fmt.Errorf("staff member %s: %w", m.UID, err)
	}
	if _, err := s.fs.Collection(colStaff).Doc(m.UID).Set(ctx, m); err != nil {
		return fmt.Errorf("write staff %s: %w", m.UID, err)
	}
	return nil
}

// DeleteStaffMember removes a user's mapping (nothing happens if there is none).
func (s *Store) DeleteStaffMember(ctx context.Context, uid string) error {
	if _, err := s.fs.Collection(colStaff).Doc(uid).Delete(ctx); err != nil {
		return fmt.Errorf("delete staff %s: %w", uid, err)
	}
	return nil
}
