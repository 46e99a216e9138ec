package store

import (
	"context"
	"errors"
	"fmt"

	"cloud.google.com/go/firestore"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/logging"
)

// OptOutChange is a change of a client's opt-out (domain.ApplyOptOut), with the entry
// for the settings history when the owner makes it (nil for the client's own keyword).
type OptOutChange struct {
	Identity string // the client's conversation (wa_id)
	Next     domain.OptOut
	Audit    *SettingsAudit
	// RequireActive refuses the change (ErrNotOptedOut) unless the ledger holds an
	// active opt-out: the owner's resume, checked in the transaction that writes it.
	RequireActive bool
}

// ErrNotOptedOut: an OptOutChange with RequireActive found no active opt-out.
var ErrNotOptedOut = errors.New("the client has not opted out")

// ChangeClientOptOut applies a client's opt-out change in one transaction to her
// conversation ledger (the record of truth) and to the tenant's opt-out set
// (domain.Tenant.SetOptedOut, which dispatch reads on the tenant it already caches),
// with the owner's audit entry when there is one. A change the ledger already has (a
// redelivered webhook) or one older than it writes nothing. It reports whether it
// changed anything, and returns the ledger's opt-out as stored.
func (s *Store) ChangeClientOptOut(ctx context.Context, tenantID string, c OptOutChange) (*domain.OptOut, bool, error) {
	convRef := s.conversation(tenantID, c.Identity)
	tenRef := s.tenant(tenantID)
	var out *domain.OptOut
	var changed bool
	defer s.forgetTenant(tenantID)
	err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		out, changed = nil, false
		t, err := getTx(tx, tenRef, setTenantID)
		if err != nil {
			return err
		}
		stored, err := getTxOrNil[domain.Conversation](tx, convRef, nil)
		if err != nil {
			return err
		}
		if c.RequireActive && !stored.OptedOut() {
			return ErrNotOptedOut
		}
		exists := stored != nil
		var conv domain.Conversation
		if exists {
			conv = *stored
		}
		next, ok := domain.ApplyOptOut(conv.OptOut, c.Next)
		out = next
		setChanged := t.SetOptedOut(c.Identity, next != nil && next.Active)
		if !ok && !setChanged {
			return nil
		}
		changed = true
		if ok {
			if exists {
				if err := tx.Update(convRef, []firestore.Update{{Path: "opt_out", Value: next}}); err != nil {
					return err
				}
			} else {
				if err := tx.Set(convRef, domain.Conversation{WAID: c.Identity, OptOut: next}); err != nil {
					return err
				}
			}
		}
		if setChanged {
			if err := tx.Update(tenRef, []firestore.Update{{Path: "opted_out", Value: t.OptedOut}, {Path: "opt_out_overflow", Value: t.OptOutOverflow}}); err != nil {
				return err
			}
		}
		if c.Audit != nil && ok {
			return createAudit(tx, s.settingsAudit(tenantID), []SettingsAudit{*c.Audit})
		}
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("client opt-out %s: %w", logging.WAMIDHash(c.Identity), err)
	}
	return out, changed, nil
}
