package store

import (
	"context"
	"errors"
	"fmt"

	"cloud.google.com/go/firestore"
	"github.com/lembra-app/lembra/shared/domain"
)

// PutTenant creates or replaces a tenant and its phone number and WABA indexes.
func (s *Store) PutTenant(ctx context.Context, t *domain.Tenant) error {
	if err := t.Validate(); err != nil {
		return err
	}
	_, err := s.MergeTenant(ctx, t.ID, func(*domain.Tenant) (*domain.Tenant, error) { return t, nil })
	return err
}

// MergeTenant reads a tenant (nil when there is none yet), lets fn compute what to
// store, and writes it in the same transaction, keeping the phone number and WABA
// indexes in step: an id the tenant no longer has is removed from its index, a new one
// is added, and an id another tenant owns is refused (ErrConflict) with nothing
// written. fn may run more than once (transactions retry) and must be pure; returning
// ErrNoChange writes nothing. It returns the tenant as stored.
func (s *Store) MergeTenant(ctx context.Context, id string, fn func(prev *domain.Tenant) (*domain.Tenant, error)) (*domain.Tenant, error) {
	var out *domain.Tenant
	var numbers []string // the phone number ids whose index entries may change
	defer func() {
		s.forgetTenant(id)
		for _, pn := range numbers {
			s.forgetIndex(colPhoneNumbers, pn)
		}
	}()
	err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		out = nil
		prev, err := getTxOrNil(tx, s.tenant(id), setTenantID)
		if err != nil {
			return err
		}
		var old domain.WhatsApp
		if prev != nil {
			old = prev.WhatsApp
		}
		numbers = append(numbers, old.PhoneNumberID)
		t, err := fn(prev)
		if err != nil {
			if errors.Is(err, ErrNoChange) && prev != nil {
				out = prev
				return nil
			}
			return err
		}
		if t.ID != id {
			return fmt.Errorf("%w: tenant id %q, expected %q", domain.ErrInvalid, t.ID, id)
		}
		numbers = append(numbers, t.WhatsApp.PhoneNumberID)
		if err := t.Validate(); err != nil {
			return err
		}
		type index struct{ col, oldID, newID string }
		indexes := []index{
			{colPhoneNumbers, old.PhoneNumberID, t.WhatsApp.PhoneNumberID},
			{colWABAs, old.WABAID, t.WhatsApp.WABAID},
		}
		owner := func(col, docID string) (string, error) {
			snap, err := tx.Get(s.fs.Collection(col).Doc(docID))
			if notFound(err) {
				return "", nil
			}
			if err != nil {
				return "", err
			}
			o, _ := snap.Data()["tenant_id"].(string)
			return o, nil
		}
		// Every read comes before the first write, as transactions require.
		var drop []index
		for _, ix := range indexes {
			if ix.newID != "" {
				o, err := owner(ix.col, ix.newID)
				if err != nil {
					return err
				}
				if o != "" && o != id {
					return fmt.Errorf("%w: %s %s already belongs to tenant %s", domain.ErrConflict, ix.col, ix.newID, o)
				}
			}
			if ix.oldID != "" && ix.oldID != ix.newID {
				// Only this tenant's entry is removed: never another tenant's.
				o, err := owner(ix.col, ix.oldID)
				if err != nil {
					return err
				}
				if o == id {
					drop = append(drop, ix)
				}
			}
		}
		for _, ix := range drop {
			if err := tx.Delete(s.fs.Collection(ix.col).Doc(ix.oldID)); err != nil {
				return err
			}
		}
		for _, ix := range indexes {
			if ix.newID != "" {
				if err := tx.Set(s.fs.Collection(ix.col).Doc(ix.newID), map[string]any{"tenant_id": id}); err != nil {
					return err
				}
			}
		}
		if err := tx.Set(s.tenant(id), t); err != nil {
			return err
		}
		out = t
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("save tenant %s: %w", id, err)
	}
	return out, nil
}

// TenantForPhoneNumber finds the tenant of a WhatsApp phone number id.
// Found entries are kept for PhoneNumberCacheTTL (cache.go).
func (s *Store) TenantForPhoneNumber(ctx context.Context, phoneNumberID string) (string, error) {
	return s.cachedIndexLookup(ctx, colPhoneNumbers, phoneNumberID)
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
	defer s.forgetTenant(id)
	err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		t, err := getTx(tx, s.tenant(id), setTenantID)
		if err != nil {
			return err
		}
		if err := fn(t); err != nil {
			if errors.Is(err, ErrNoChange) {
				return nil
			}
			return err
		}
		return tx.Set(s.tenant(id), t)
	})
	if err != nil {
		return fmt.Errorf("update tenant %s: %w", id, err)
	}
	return nil
}

// GetTenant reads a tenant.
func (s *Store) GetTenant(ctx context.Context, id string) (*domain.Tenant, error) {
	return get(ctx, s.tenant(id), setTenantID)
}
