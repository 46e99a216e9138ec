package store

import (
	"context"
	"errors"

	"cloud.google.com/go/firestore"

	"github.com/lembra-app/lembra/shared/domain"
)

// The tenant's messaging-limit usage (domain.LimitUsage) is one document,
// tenants/{id}/usage/messaging_limit, read and written in the dispatch's claim
// transaction of a template send, and only for a tenant whose limit is counted
// (domain.LimitCounted): an unlimited tenant pays nothing. It holds at most
// domain.MaxCountedLimit entries, each a hash of a client's WhatsApp id
// (domain.LimitKey) and a time, never a phone number. Every claim of a counted tenant
// reads it, so those claims take their turn on it: the price of an exact count of
// unique clients, paid only by tenants with a finite limit.
const (
	colUsage          = "usage"
	docMessagingLimit = "messaging_limit"
)

func (s *Store) messagingUsage(tenantID string) *firestore.DocumentRef {
	return s.tenant(tenantID).Collection(colUsage).Doc(docMessagingLimit)
}

// MessagingUsage reads, inside the transaction, the tenant's messaging-limit usage
// (empty when nothing was counted yet).
func (t *JobTx) MessagingUsage() (domain.LimitUsage, error) {
	u, err := getTxOrNil[domain.LimitUsage](t.tx, t.store.messagingUsage(t.tenantID), nil)
	if err != nil || u == nil {
		return domain.LimitUsage{}, err
	}
	return *u, nil
}

// PutMessagingUsage writes the tenant's usage with the job (one write). Call it after
// every read of the transaction.
func (t *JobTx) PutMessagingUsage(u domain.LimitUsage) error {
	if err := t.tx.Set(t.store.messagingUsage(t.tenantID), u); err != nil {
		return err
	}
	t.writes++
	return nil
}

// GetMessagingUsage reads the tenant's messaging-limit usage (empty when none).
func (s *Store) GetMessagingUsage(ctx context.Context, tenantID string) (domain.LimitUsage, error) {
	u, err := get[domain.LimitUsage](ctx, s.messagingUsage(tenantID), nil)
	if errors.Is(err, domain.ErrNotFound) {
		return domain.LimitUsage{}, nil
	}
	if err != nil {
		return domain.LimitUsage{}, err
	}
	return *u, nil
}
