package store

import (
	"context"
	"fmt"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// PutAPIKey stores the hash of a tenant's API key.
func (s *Store) PutAPIKey(ctx context.Context, tenantID, keyHash, label string, now time.Time) error {
	_, err := s.fs.Collection(colAPIKeys).Doc(keyHash).Create(ctx, map[string]any{
		"tenant_id": tenantID, "label": label, "created_at": now,
	})
	if status.Code(err) == codes.AlreadyExists {
		return fmt.Errorf("%w: api key exists", domain.ErrConflict)
	}
	return err
}

// TenantForAPIKey finds the tenant an API key (by hash) belongs to.
func (s *Store) TenantForAPIKey(ctx context.Context, keyHash string) (string, error) {
	snap, err := s.fs.Collection(colAPIKeys).Doc(keyHash).Get(ctx)
	if notFound(err) {
		return "", domain.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("read api key: %w", err)
	}
	id, _ := snap.Data()["tenant_id"].(string)
	if id == "" {
		return "", domain.ErrNotFound
	}
	return id, nil
}
