package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"cloud.google.com/go/firestore"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/onboarding"
)

// colOnboarding is the subcollection of a tenant's WhatsApp connection attempts.
const colOnboarding = "onboarding"

// GetOnboarding reads a connection attempt; nil when there is none yet.
func (s *Store) GetOnboarding(ctx context.Context, tenantID, attemptID string) (*onboarding.Attempt, error) {
	a, err := get(ctx, s.tenant(tenantID).Collection(colOnboarding).Doc(attemptID), func(a *onboarding.Attempt, id string) { a.ID = id })
	if errors.Is(err, domain.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read onboarding %s of tenant %s: %w", attemptID, tenantID, err)
	}
	return a, nil
}

// PutOnboarding stores a connection attempt as it is now.
func (s *Store) PutOnboarding(ctx context.Context, a *onboarding.Attempt) error {
	if a.TenantID == "" || a.ID == "" {
		return fmt.Errorf("%w: an onboarding attempt needs its tenant and id", domain.ErrInvalid)
	}
	if _, err := s.tenant(a.TenantID).Collection(colOnboarding).Doc(a.ID).Set(ctx, a); err != nil {
		return fmt.Errorf("save onboarding %s of tenant %s: %w", a.ID, a.TenantID, err)
	}
	return nil
}

// ClaimOnboarding reads the attempt (creating it as fresh when there is none) and, in
// the same transaction, lets the caller run it until now+lease: claimed is false, and
// nothing is written, while another call holds it.
func (s *Store) ClaimOnboarding(ctx context.Context, fresh *onboarding.Attempt, now time.Time, lease time.Duration) (a *onboarding.Attempt, claimed bool, err error) {
	ref := s.tenant(fresh.TenantID).Collection(colOnboarding).Doc(fresh.ID)
	err = s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		a, claimed = nil, false
		stored, err := getTxOrNil(tx, ref, func(a *onboarding.Attempt, id string) { a.ID = id })
		if err != nil {
			return err
		}
		if stored != nil && stored.RunningUntil.After(now) {
			a = stored
			return nil
		}
		if stored == nil {
			cp := *fresh
			stored = &cp
			stored.CreatedAt = now.UTC()
		}
		stored.RunningUntil = now.Add(lease).UTC()
		stored.UpdatedAt = now.UTC()
		a, claimed = stored, true
		return tx.Set(ref, stored)
	})
	if err != nil {
		return nil, false, fmt.Errorf("claim onboarding %s of tenant %s: %w", fresh.ID, fresh.TenantID, err)
	}
	return a, claimed, nil
}
