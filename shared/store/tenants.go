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
