// Package tenants onboards a business: its tenant document, its Meta access token in
// Secret Manager, and an API key for its booking system (stored only as a hash).
package tenants

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/store"
)

// SecretWriter stores a secret value (secrets.SecretManager does).
type SecretWriter interface {
	Put(ctx context.Context, id string, value []byte) error
}

// Spec describes a tenant to create or update.
type Spec struct {
	Tenant      domain.Tenant
	AccessToken string // the tenant's Meta token; stored in Secret Manager, never in Firestore
}

// TokenSecretID names the secret holding a tenant's Meta access token.
func TokenSecretID(tenantID string) string { return "meta-token-" + tenantID }

// Save validates and stores a whole tenant as given, replacing what was stored (the
// local stack's fixtures); a non-empty AccessToken becomes the newest version of its
// token secret. scripts/tenant uses Update, which changes only what it is told.
func Save(ctx context.Context, st *store.Store, sw SecretWriter, spec Spec, now time.Time) (*domain.Tenant, error) {
	t := spec.Tenant
	if t.Mode == "" {
		t.Mode = domain.ModeDisabled
	}
	if t.TimeZone == "" {
		t.TimeZone = domain.DefaultTimeZone
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = now.UTC()
	}
	if tok := strings.TrimSpace(spec.AccessToken); tok != "" {
		t.WhatsApp.AccessTokenSecret = TokenSecretID(t.ID)
		if err := sw.Put(ctx, t.WhatsApp.AccessTokenSecret, []byte(tok)); err != nil {
			return nil, fmt.Errorf("store token of tenant %s: %w", t.ID, err)
		}
	}
	if t.WhatsApp.Status == "" && t.WhatsApp.PhoneNumberID != "" {
		t.WhatsApp.Status = "connected"
	}
	if err := st.PutTenant(ctx, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// Change is what one run of scripts/tenant asks for. A nil field is left as stored;
// Templates sets the named job types' templates and leaves the others.
type Change struct {
	Name, TimeZone, LocationLine *string
	Mode                         *domain.Mode
	KillSwitch                   *bool
	StaffLabel, RescheduleText   *string
	PhoneNumberID, WABAID        *string
	DisplayPhoneNumber           *string
	// ClearPhoneNumberID removes the phone number id (and its display number, unless
	// DisplayPhoneNumber is given); ClearWABAID removes the WABA id. A nil or empty id
	// never clears one: clearing is always asked for explicitly.
	ClearPhoneNumberID, ClearWABAID bool
	Templates                       map[string]domain.TemplateRef
	// TokenStored says the run stored a Meta access token in the tenant's secret.
	TokenStored bool
	// Connecting is onboarding's index step: the number is the tenant's, of the kind
	// Coexistence says, and sends wait for the activation (domain.MarkConnecting).
	Connecting bool
	// MessagingLimit (with Connecting) is the portfolio's messaging limit the attempt
	// read with the number (domain.WhatsApp.ApplyMessagingLimit); 0 leaves it.
	MessagingLimit int
	// Connect is onboarding's activate step: the number is connected (again), of the
	// kind Coexistence says, with the syncs its attempt requested (zero: not asked).
	Connect                       bool
	Coexistence                   bool
	SyncContactsAt, SyncHistoryAt time.Time
	// Abandon is a stopped onboarding attempt's undoing of its index step
	// (domain.AbandonConnecting), applied only while the tenant is still connecting on
	// the attempt's number (AbandonPhoneNumberID): AbandonFirst makes a first
	// connection not connected again.
	Abandon              bool
	AbandonFirst         bool
	AbandonPhoneNumberID string
}

// Empty reports whether the change asks for nothing.
func (c Change) Empty() bool {
	return c.Name == nil && c.TimeZone == nil && c.LocationLine == nil && c.Mode == nil &&
		c.KillSwitch == nil && c.StaffLabel == nil && c.RescheduleText == nil &&
		c.PhoneNumberID == nil && c.WABAID == nil && c.DisplayPhoneNumber == nil &&
		!c.ClearPhoneNumberID && !c.ClearWABAID && len(c.Templates) == 0 && !c.TokenStored && !c.Connect && !c.Connecting && !c.Abandon
}

// Apply is the merge of a change into the stored tenant (nil: none yet, so the change
// creates it with mode disabled, the default time zone and created_at now). Everything
// the change does not name is kept as stored: the kill switch, labels, template
// statuses, the connection state Meta's events keep (status, last events, messaging
// tier), created_at and whatever else the tenant holds. It checks the result and
// does not modify stored.
func Apply(stored *domain.Tenant, id string, c Change, now time.Time) (*domain.Tenant, error) {
	var problems []string
	if c.PhoneNumberID != nil && c.ClearPhoneNumberID {
		problems = append(problems, "give a phone number id or clear it, not both")
	}
	if c.WABAID != nil && c.ClearWABAID {
		problems = append(problems, "give a WABA id or clear it, not both")
	}
	if c.PhoneNumberID != nil && strings.TrimSpace(*c.PhoneNumberID) == "" {
		problems = append(problems, "an empty phone number id does not clear it: ask to clear it explicitly")
	}
	if c.WABAID != nil && strings.TrimSpace(*c.WABAID) == "" {
		problems = append(problems, "an empty WABA id does not clear it: ask to clear it explicitly")
	}
	for jt, ref := range c.Templates {
		if strings.TrimSpace(ref.Name) == "" || strings.TrimSpace(ref.Language) == "" {
			problems = append(problems, fmt.Sprintf("template for %s needs a name and a language", jt))
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%w: tenant %s: %s", domain.ErrInvalid, id, strings.Join(problems, "; "))
	}

	var t domain.Tenant
	if stored != nil {
		t = *stored
		t.Templates = maps.Clone(stored.Templates)
		t.TemplateStatuses = maps.Clone(stored.TemplateStatuses)
	} else {
		t = domain.Tenant{Mode: domain.ModeDisabled, TimeZone: domain.DefaultTimeZone, CreatedAt: now.UTC()}
	}
	t.ID = id
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = strings.TrimSpace(*v)
		}
	}
	set(&t.Name, c.Name)
	set(&t.TimeZone, c.TimeZone)
	set(&t.LocationLine, c.LocationLine)
	set(&t.StaffLabel, c.StaffLabel)
	set(&t.RescheduleText, c.RescheduleText)
	if c.Mode != nil {
		t.Mode = *c.Mode
	}
	if c.KillSwitch != nil {
		t.KillSwitch = *c.KillSwitch
	}
	wa := &t.WhatsApp
	oldWABA, oldPhone := wa.WABAID, wa.PhoneNumberID
	// The number was connected and sending before this change (a Reconectar on it
	// keeps it sending while the attempt runs).
	wasSending := oldPhone != "" && domain.ConnectionStateOf(*wa, now).CanSend
	if c.ClearPhoneNumberID {
		wa.PhoneNumberID, wa.DisplayPhoneNumber = "", ""
	}
	if c.ClearWABAID {
		wa.WABAID = ""
	}
	set(&wa.PhoneNumberID, c.PhoneNumberID)
	set(&wa.WABAID, c.WABAID)
	set(&wa.DisplayPhoneNumber, c.DisplayPhoneNumber)
	if len(c.Templates) > 0 {
		if t.Templates == nil {
			t.Templates = map[string]domain.TemplateRef{}
		}
		for jt, ref := range c.Templates {
			t.Templates[jt] = domain.TemplateRef{Name: strings.TrimSpace(ref.Name), Language: strings.TrimSpace(ref.Language)}
		}
	}
	if c.TokenStored {
		wa.AccessTokenSecret = TokenSecretID(id)
	}
	// What Meta said about the account (ban, restrictions, disconnection; account_update
	// is about a WABA) belongs to the old WABA: a move to another starts without it.
	if oldWABA != "" && wa.WABAID != oldWABA {
		wa.ResetAccountState()
	}
	if c.MessagingLimit != domain.LimitNotRead {
		wa.ApplyMessagingLimit(c.MessagingLimit, now)
	}
	if c.Connecting {
		wa.MarkConnecting(c.Coexistence, wasSending && wa.PhoneNumberID == oldPhone && wa.WABAID == oldWABA, now)
	}
	if c.Connect {
		// A (re)connection: connected again, its kind and cap (domain.MarkConnected);
		// appointments, jobs and history are not the tenant document's and stay.
		wa.MarkConnected(c.Coexistence, now)
		if c.Coexistence && (!c.SyncContactsAt.IsZero() || !c.SyncHistoryAt.IsZero()) {
			// A new attempt's syncs start over (the index step already did so for an
			// attempt run in this order: the chunks that came since are kept).
			if wa.Sync == nil || (!wa.Sync.HistoryRequestedAt.IsZero() && wa.Sync.HistoryRequestedAt.Before(c.SyncHistoryAt)) {
				wa.Sync = &domain.ConnectionSync{}
			}
			sync := *wa.Sync
			sync.ApplySync(domain.SyncUpdate{At: c.SyncContactsAt, ContactsRequested: !c.SyncContactsAt.IsZero()})
			sync.ApplySync(domain.SyncUpdate{At: c.SyncHistoryAt, HistoryRequested: !c.SyncHistoryAt.IsZero()})
			wa.Sync = &sync
		} else if !c.Coexistence {
			wa.Sync = nil
		}
	}
	if c.Abandon && !wa.ConnectingSince.IsZero() && wa.PhoneNumberID == c.AbandonPhoneNumberID {
		wa.AbandonConnecting(c.AbandonFirst)
	}
	// A number never reported on by Meta starts connected; a status Meta's events set
	// (disconnected, banned, …) is theirs to change, not this command's.
	if wa.Status == "" && wa.PhoneNumberID != "" {
		wa.Status = "connected"
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return &t, nil
}

// Update applies a change to a tenant, creating it if there is none, in one Firestore
// transaction (the phone number and WABA indexes follow). A non-empty access token
// becomes the newest version of the tenant's token secret; it is written only after
// the change was checked against the stored tenant, so bad input stores nothing. It
// reports whether the tenant was created.
func Update(ctx context.Context, st *store.Store, sw SecretWriter, id string, c Change, accessToken string, now time.Time) (*domain.Tenant, bool, error) {
	tok := strings.TrimSpace(accessToken)
	c.TokenStored = tok != ""
	prev, err := st.GetTenant(ctx, id)
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		return nil, false, err
	}
	if errors.Is(err, domain.ErrNotFound) {
		prev = nil
	}
	if _, err := Apply(prev, id, c, now); err != nil {
		return nil, false, err
	}
	if prev != nil && c.Empty() {
		return prev, false, nil
	}
	if tok != "" {
		if err := sw.Put(ctx, TokenSecretID(id), []byte(tok)); err != nil {
			return nil, false, fmt.Errorf("store token of tenant %s: %w", id, err)
		}
	}
	created := false
	t, err := st.MergeTenant(ctx, id, func(stored *domain.Tenant) (*domain.Tenant, error) {
		created = stored == nil
		return Apply(stored, id, c, now)
	})
	if err != nil {
		return nil, false, err
	}
	return t, created, nil
}
