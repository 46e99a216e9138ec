package store

import (
	"context"
	"errors"
	"fmt"

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
