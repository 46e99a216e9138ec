// Package secrets reads secrets (Meta app secret, verify token, tenants' access tokens)
// from Secret Manager, through a short in-memory cache. Values are never logged.
package secrets

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	secretmanager "cloud.google.com/go/secretmanager/apiv1"
	"cloud.google.com/go/secretmanager/apiv1/secretmanagerpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Source returns the current value of a secret, named by its short id.
type Source interface {
	Secret(ctx context.Context, id string) ([]byte, error)
}

// ErrNotFound means the secret or its latest version does not exist or is disabled.
var ErrNotFound = errors.New("secret not found")

// SecretManager reads the latest version of secrets in one project.
type SecretManager struct {
	Project string
	Client  *secretmanager.Client
}

// Secret implements Source.
func (s *SecretManager) Secret(ctx context.Context, id string) ([]byte, error) {
	if id == "" || strings.Contains(id, "/") {
		return nil, fmt.Errorf("secret id %q: %w", id, ErrNotFound)
	}
	name := fmt.Sprintf("projects/%s/secrets/%s/versions/latest", s.Project, id)
	resp, err := s.Client.AccessSecretVersion(ctx, &secretmanagerpb.AccessSecretVersionRequest{Name: name})
	if err != nil {
		switch status.Code(err) {
		case codes.NotFound, codes.FailedPrecondition:
			return nil, fmt.Errorf("secret %s: %w", id, ErrNotFound)
		}
		return nil, fmt.Errorf("secret %s: %w", id, err)
	}
	// A value added with `echo` ends in a newline; no secret here has meaningful edge spaces.
	return bytes.TrimSpace(resp.GetPayload().GetData()), nil
}

// Cache keeps values of another Source for a while. Failures are not cached.
type Cache struct {
	src Source
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	entries map[string]cacheEntry
}

type cacheEntry struct {
	value   []byte
	expires time.Time
}

// NewCache wraps src; each value is kept for ttl.
func NewCache(src Source, ttl time.Duration) *Cache {
	return &Cache{src: src, ttl: ttl, now: time.Now, entries: map[string]cacheEntry{}}
}

// Secret implements Source.
func (c *Cache) Secret(ctx context.Context, id string) ([]byte, error) {
	c.mu.Lock()
	e, ok := c.entries[id]
	c.mu.Unlock()
	if ok && c.now().Before(e.expires) {
		return e.value, nil
	}
	v, err := c.src.Secret(ctx, id)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.entries[id] = cacheEntry{value: v, expires: c.now().Add(c.ttl)}
	c.mu.Unlock()
	return v, nil
}

// Forget drops a cached value, e.g. after Meta rejected a token as expired.
func (c *Cache) Forget(id string) {
	c.mu.Lock()
	delete(c.entries, id)
	c.mu.Unlock()
}

// Put stores value as the newest version of secret id, creating the secret if needed.
// Used when onboarding a tenant or rotating its token.
func (s *SecretManager) Put(ctx context.Context, id string, value []byte) error {
	parent := "projects/" + s.Project
	_, err := s.Client.CreateSecret(ctx, &secretmanagerpb.CreateSecretRequest{
		Parent: parent, SecretId: id,
		Secret: &secretmanagerpb.Secret{Replication: &secretmanagerpb.Replication{
			Replication: &secretmanagerpb.Replication_Automatic_{Automatic: &secretmanagerpb.Replication_Automatic{}},
		}},
	})
	if err != nil && status.Code(err) != codes.AlreadyExists {
		return fmt.Errorf("create secret %s: %w", id, err)
	}
	_, err = s.Client.AddSecretVersion(ctx, &secretmanagerpb.AddSecretVersionRequest{
		Parent: parent + "/secrets/" + id, Payload: &secretmanagerpb.SecretPayload{Data: value},
	})
	if err != nil {
		return fmt.Errorf("add version to secret %s: %w", id, err)
	}
	return nil
}
