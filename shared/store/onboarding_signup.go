package store

import (
	"context"
	"fmt"
	"time"

	"cloud.google.com/go/firestore"

	"github.com/lembra-app/lembra/shared/onboarding"
)

// ListOnboarding reads a tenant's newest connection attempts, at most limit.
func (s *Store) ListOnboarding(ctx context.Context, tenantID string, limit int) ([]*onboarding.Attempt, error) {
	snaps, err := s.tenant(tenantID).Collection(colOnboarding).OrderBy("created_at", firestore.Desc).Limit(limit).Documents(ctx).GetAll()
	if err != nil {
		return nil, fmt.Errorf("list onboarding of tenant %s: %w", tenantID, err)
	}
	out := make([]*onboarding.Attempt, 0, len(snaps))
	for _, sn := range snaps {
		var a onboarding.Attempt
		if err := sn.DataTo(&a); err != nil {
			return nil, fmt.Errorf("read onboarding %s of tenant %s: %w", sn.Ref.ID, tenantID, err)
		}
		a.ID = sn.Ref.ID
		out = append(out, &a)
	}
	return out, nil
}

// RecordSignupEvent adds a browser's Embedded Signup event to an attempt
// (onboarding.AddSignupEvent), creating the attempt as fresh when there is none, in
// one transaction; it returns the attempt as stored.
func (s *Store) RecordSignupEvent(ctx context.Context, fresh *onboarding.Attempt, e onboarding.SignupEvent, now time.Time) (*onboarding.Attempt, error) {
	ref := s.tenant(fresh.TenantID).Collection(colOnboarding).Doc(fresh.ID)
	var out *onboarding.Attempt
	err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		stored, err := getTxOrNil(tx, ref, func(a *onboarding.Attempt, id string) { a.ID = id })
		if err != nil {
			return err
		}
		a := stored
		if a == nil {
			cp := *fresh
			a = &cp
			a.CreatedAt = now.UTC()
		}
		if a.WABAID == "" {
			a.WABAID = fresh.WABAID
		}
		if a.PhoneNumberID == "" {
			a.PhoneNumberID = fresh.PhoneNumberID
		}
		out = a
		if !onboarding.AddSignupEvent(a, e) && stored != nil {
			return nil
		}
		a.UpdatedAt = now.UTC()
		return tx.Set(ref, a)
	})
	if err != nil {
		return nil, fmt.Errorf("record signup event on %s of tenant %s: %w", fresh.ID, fresh.TenantID, err)
	}
	return out, nil
}
