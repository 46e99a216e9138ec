package store

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"cloud.google.com/go/firestore"

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

// maxStaffMembers bounds the members read for one tenant (a studio has a handful).
const maxStaffMembers = 200

// StaffMembers lists a tenant's members by e-mail (at most maxStaffMembers); a stored
// mapping that does not validate is an error.
func (s *Store) StaffMembers(ctx context.Context, tenantID string) ([]*domain.StaffMember, error) {
	snaps, err := s.fs.Collection(colStaff).Where("tenant_id", "==", tenantID).Limit(maxStaffMembers).Documents(ctx).GetAll()
	if err != nil {
		return nil, fmt.Errorf("list staff of %s: %w", tenantID, err)
	}
	out := make([]*domain.StaffMember, 0, len(snaps))
	for _, snap := range snaps {
		m, err := decode(snap, setStaffUID)
		if err != nil {
			return nil, err
		}
		if err := m.Validate(); err != nil {
			return nil, fmt.Errorf("stored %w", err)
		}
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Email < out[j].Email || out[i].Email == out[j].Email && out[i].UID < out[j].UID
	})
	return out, nil
}

// ErrOtherTenant: the user is already a member of another tenant.
var ErrOtherTenant = errors.New("the user belongs to another tenant")

// AddStaffMember maps m.UID to m.TenantID with m.Role in one transaction: created when
// the user had no mapping, its role and e-mail updated (created=false, CreatedAt kept)
// when already a member of the same tenant. A user mapped to another tenant is left
// alone: ErrOtherTenant, so two studios adding the same person at once cannot both win.
func (s *Store) AddStaffMember(ctx context.Context, m *domain.StaffMember) (stored *domain.StaffMember, created bool, err error) {
	if err := m.Validate(); err != nil {
		return nil, false, err
	}
	ref := s.fs.Collection(colStaff).Doc(m.UID)
	err = s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		old, err := getTxOrNil(tx, ref, setStaffUID)
		if err != nil {
			return err
		}
		next := *m
		created = old == nil
		if old != nil {
			if old.TenantID != m.TenantID {
				return fmt.Errorf("staff %s: %w", m.UID, ErrOtherTenant)
			}
			next.CreatedAt = old.CreatedAt
		}
		stored = &next
		return tx.Set(ref, &next)
	})
	if err != nil {
		return nil, false, err
	}
	return stored, created, nil
}
