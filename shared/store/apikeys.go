package store

import (
	"context"
	"fmt"
	"sort"
	"time"

	"cloud.google.com/go/firestore"
	"github.com/lembra-app/lembra/shared/domain"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// APIKey is a tenant's API key as stored: api_keys/{id}. The key itself is never
// stored, only its SHA-256 (Hash). Documents of the older format are keyed by that
// hash and have no Hash field; keys of that format are refused before any lookup, and
// such documents are only listed and revoked.
type APIKey struct {
	ID         string    `firestore:"-"`
	TenantID   string    `firestore:"tenant_id"`
	Hash       string    `firestore:"hash,omitempty"`
	Label      string    `firestore:"label"`
	CreatedAt  time.Time `firestore:"created_at"`
	LastUsedAt time.Time `firestore:"last_used_at,omitempty"`
	RevokedAt  time.Time `firestore:"revoked_at,omitempty"`

	updated time.Time // the document's update time, for TouchAPIKey's precondition
}

// PutAPIKey stores a new API key (its hash); an id in use is ErrConflict.
func (s *Store) PutAPIKey(ctx context.Context, k APIKey) error {
	if k.ID == "" || k.TenantID == "" || k.Hash == "" {
		return fmt.Errorf("%w: api key needs an id, a tenant and a hash", domain.ErrInvalid)
	}
	_, err := s.fs.Collection(colAPIKeys).Doc(k.ID).Create(ctx, k)
	if status.Code(err) == codes.AlreadyExists {
		return fmt.Errorf("%w: api key %s exists", domain.ErrConflict, k.ID)
	}
	if err != nil {
		return fmt.Errorf("store api key: %w", err)
	}
	return nil
}

func apiKeyFrom(snap *firestore.DocumentSnapshot) (*APIKey, error) {
	var k APIKey
	if err := snap.DataTo(&k); err != nil {
		return nil, fmt.Errorf("decode api key %s: %w", snap.Ref.ID, err)
	}
	k.ID = snap.Ref.ID
	k.updated = snap.UpdateTime
	return &k, nil
}

// GetAPIKey reads one API key by its id (one document read).
func (s *Store) GetAPIKey(ctx context.Context, id string) (*APIKey, error) {
	snap, err := s.fs.Collection(colAPIKeys).Doc(id).Get(ctx)
	if notFound(err) {
		return nil, domain.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read api key: %w", err)
	}
	return apiKeyFrom(snap)
}

// TouchAPIKey records that a key was used at now. The write is conditional on the
// document being unchanged since k was read, so of concurrent requests that all found
// last_used_at stale only one writes; the others' writes are dropped (not an error).
func (s *Store) TouchAPIKey(ctx context.Context, k *APIKey, now time.Time) error {
	var pre []firestore.Precondition
	if !k.updated.IsZero() {
		pre = append(pre, firestore.LastUpdateTime(k.updated))
	}
	res, err := s.fs.Collection(colAPIKeys).Doc(k.ID).Update(ctx,
		[]firestore.Update{{Path: "last_used_at", Value: now.UTC()}}, pre...)
	if c := status.Code(err); c == codes.FailedPrecondition || c == codes.NotFound {
		s.forgetAPIKey(k.ID) // changed (or gone) since it was read: read it again
		return nil
	}
	if err != nil {
		return fmt.Errorf("touch api key %s: %w", k.ID, err)
	}
	s.touchedAPIKey(k.ID, now.UTC(), res.UpdateTime)
	return nil
}

// TenantAPIKeys lists a tenant's API keys, oldest first, revoked ones included.
func (s *Store) TenantAPIKeys(ctx context.Context, tenantID string) ([]APIKey, error) {
	snaps, err := s.fs.Collection(colAPIKeys).Where("tenant_id", "==", tenantID).Documents(ctx).GetAll()
	if err != nil {
		return nil, fmt.Errorf("list api keys of %s: %w", tenantID, err)
	}
	keys := make([]APIKey, 0, len(snaps))
	for _, snap := range snaps {
		k, err := apiKeyFrom(snap)
		if err != nil {
			return nil, err
		}
		keys = append(keys, *k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if !keys[i].CreatedAt.Equal(keys[j].CreatedAt) {
			return keys[i].CreatedAt.Before(keys[j].CreatedAt)
		}
		return keys[i].ID < keys[j].ID
	})
	return keys, nil
}

// RevokeAPIKey marks a tenant's key revoked at now; the API refuses it from then on.
// A key that does not exist or is another tenant's is ErrNotFound; revoking a revoked
// key keeps its first revocation time. It writes no settings history (scripts/tenant);
// the dashboard's revocation is RevokeAPIKeyAudited.
func (s *Store) RevokeAPIKey(ctx context.Context, tenantID, id string, now time.Time) (*APIKey, error) {
	k, _, err := s.RevokeAPIKeyAudited(ctx, tenantID, id, now, nil)
	return k, err
}
