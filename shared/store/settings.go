package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"regexp"
	"time"

	"cloud.google.com/go/firestore"
	"google.golang.org/api/iterator"

	"github.com/lembra-app/lembra/shared/domain"
)

// colSettingsAudit is a tenant's settings history: tenants/{t}/settings_audit/{id}, one
// document per changed field (secrets never among them: an API key's entry holds its id
// and label only).
const colSettingsAudit = "settings_audit"

// SettingsAudit is one change of a tenant's settings: who (an e-mail) changed which
// field from Old to New, and when. Its id sorts by time (AuditID), so the history is
// read newest first by id alone.
type SettingsAudit struct {
	ID    string    `firestore:"-"`
	At    time.Time `firestore:"at"`
	By    string    `firestore:"by"`
	Field string    `firestore:"field"`
	Old   string    `firestore:"old"`
	New   string    `firestore:"new"`
}

// auditIDPattern is the shape of AuditID's ids (and so of a history cursor).
var auditIDPattern = regexp.MustCompile(`^[0-9]{19}-[0-9]{3}-[0-9a-f]{8}$`)

// ValidAuditID reports whether id could be an audit entry's id.
func ValidAuditID(id string) bool { return auditIDPattern.MatchString(id) }

// AuditID names the n-th entry of one change made at: the nanoseconds from at to the
// end of int64 time (19 digits, so ids in ascending order are newest first: Firestore
// does not scan document ids in descending order), n (a change's entries in the order
// listed), and 4 random bytes so that two changes in the same nanosecond never collide.
func AuditID(at time.Time, n int) string {
	var b [4]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24)
	return fmt.Sprintf("%019d-%03d-%s", math.MaxInt64-at.UnixNano(), n%1000, hex.EncodeToString(b[:]))
}

func (s *Store) settingsAudit(tenantID string) *firestore.CollectionRef {
	return s.tenant(tenantID).Collection(colSettingsAudit)
}

func createAudit(tx *firestore.Transaction, col *firestore.CollectionRef, entries []SettingsAudit) error {
	for i, e := range entries {
		e.At = e.At.UTC()
		if err := tx.Create(col.Doc(AuditID(e.At, i)), e); err != nil {
			return err
		}
	}
	return nil
}

// UpdateSettings changes a tenant's settings in one transaction: fn gets the stored
// tenant and returns the tenant to store with the audit entries of what changed; both
// are written together, or neither. fn may run more than once (transactions retry) and
// must be pure; no entries (nothing changed) writes nothing. Settings never touch the
// phone number or WABA indexes (MergeTenant keeps those).
func (s *Store) UpdateSettings(ctx context.Context, tenantID string, fn func(stored *domain.Tenant) (*domain.Tenant, []SettingsAudit, error)) (*domain.Tenant, []SettingsAudit, error) {
	var out *domain.Tenant
	var audit []SettingsAudit
	defer s.forgetTenant(tenantID)
	err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		stored, err := getTx(tx, s.tenant(tenantID), setTenantID)
		if err != nil {
			return err
		}
		t, entries, err := fn(stored)
		if err != nil {
			return err
		}
		out, audit = stored, nil
		if len(entries) == 0 {
			return nil
		}
		if t.ID != tenantID || t.WhatsApp.PhoneNumberID != stored.WhatsApp.PhoneNumberID || t.WhatsApp.WABAID != stored.WhatsApp.WABAID {
			return fmt.Errorf("%w: a settings change may not change the tenant's id or WhatsApp ids", domain.ErrInvalid)
		}
		if err := t.Validate(); err != nil {
			return err
		}
		if err := tx.Set(s.tenant(tenantID), t); err != nil {
			return err
		}
		if err := createAudit(tx, s.settingsAudit(tenantID), entries); err != nil {
			return err
		}
		out, audit = t, entries
		return nil
	})
	if err != nil {
		var invalid *domain.ValidationError
		if errors.As(err, &invalid) {
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("update settings of %s: %w", tenantID, err)
	}
	return out, audit, nil
}

// MaxAuditPage bounds one page of the settings history.
const MaxAuditPage = 100

// SettingsHistory reads a page of a tenant's settings history, newest first: at most
// limit entries (1 to MaxAuditPage) older than the entry named by after (empty: from
// the newest). next names the last entry returned when there are more, for the next
// page; it reads limit+1 documents.
func (s *Store) SettingsHistory(ctx context.Context, tenantID, after string, limit int) (entries []SettingsAudit, next string, err error) {
	limit = max(1, min(limit, MaxAuditPage))
	q := s.settingsAudit(tenantID).OrderBy(firestore.DocumentID, firestore.Asc) // newest first (AuditID)
	if after != "" {
		if !ValidAuditID(after) {
			return nil, "", fmt.Errorf("%w: history cursor %q", domain.ErrInvalid, after)
		}
		q = q.StartAfter(after)
	}
	it := q.Limit(limit + 1).Documents(ctx)
	defer it.Stop()
	for {
		snap, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			return nil, "", fmt.Errorf("read settings history of %s: %w", tenantID, err)
		}
		e, err := decode(snap, func(a *SettingsAudit, id string) { a.ID = id })
		if err != nil {
			return nil, "", err
		}
		entries = append(entries, *e)
	}
	if len(entries) > limit {
		entries = entries[:limit]
		next = entries[limit-1].ID
	}
	return entries, next, nil
}

// CreateAPIKeyAudited stores a new API key (its hash) and its audit entry in one
// transaction; an id in use is ErrConflict.
func (s *Store) CreateAPIKeyAudited(ctx context.Context, k APIKey, entry SettingsAudit) error {
	if k.ID == "" || k.TenantID == "" || k.Hash == "" {
		return fmt.Errorf("%w: api key needs an id, a tenant and a hash", domain.ErrInvalid)
	}
	ref := s.fs.Collection(colAPIKeys).Doc(k.ID)
	err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		if _, err := tx.Get(ref); !notFound(err) {
			if err == nil {
				return fmt.Errorf("%w: api key %s exists", domain.ErrConflict, k.ID)
			}
			return err
		}
		if err := tx.Create(ref, k); err != nil {
			return err
		}
		return createAudit(tx, s.settingsAudit(k.TenantID), []SettingsAudit{entry})
	})
	if err != nil {
		return fmt.Errorf("create api key of %s: %w", k.TenantID, err)
	}
	return nil
}

// RevokeAPIKeyAudited revokes a tenant's key at now with its audit entry, in one
// transaction (as RevokeAPIKey: another tenant's or no key is ErrNotFound); entry
// builds the entry from the key as stored (nil: no entry, RevokeAPIKey). A key already
// revoked keeps its first revocation and no entry is written (revoked false).
func (s *Store) RevokeAPIKeyAudited(ctx context.Context, tenantID, id string, now time.Time, entry func(*APIKey) SettingsAudit) (k *APIKey, revoked bool, err error) {
	ref := s.fs.Collection(colAPIKeys).Doc(id)
	defer s.forgetAPIKey(id) // refused at once in this process (cache.go)
	err = s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		k, revoked = nil, false
		snap, err := tx.Get(ref)
		if notFound(err) {
			return domain.ErrNotFound
		}
		if err != nil {
			return err
		}
		rec, err := apiKeyFrom(snap)
		if err != nil {
			return err
		}
		if rec.TenantID != tenantID {
			return domain.ErrNotFound
		}
		k = rec
		if !rec.RevokedAt.IsZero() {
			return nil
		}
		rec.RevokedAt = now.UTC().Truncate(time.Microsecond) // as Firestore keeps it
		if err := tx.Update(ref, []firestore.Update{{Path: "revoked_at", Value: rec.RevokedAt}}); err != nil {
			return err
		}
		revoked = true
		if entry == nil {
			return nil
		}
		return createAudit(tx, s.settingsAudit(tenantID), []SettingsAudit{entry(rec)})
	})
	if err != nil {
		return nil, false, fmt.Errorf("revoke api key %s of %s: %w", id, tenantID, err)
	}
	return k, revoked, nil
}
