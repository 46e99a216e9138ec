package store

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/firestore"

	"github.com/lembra-app/lembra/shared/domain"
)

// rpcCounter counts the Firestore RPCs a client makes, by method (RunQuery,
// BatchGetDocuments, Commit, …), at the gRPC level.
type rpcCounter struct {
	mu sync.Mutex
	by map[string]int
}

func (c *rpcCounter) count(method string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.by[path.Base(method)]++
}

func (c *rpcCounter) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for k, v := range c.by {
		out[k] = v
	}
	return out
}

func (c *rpcCounter) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.by = map[string]int{}
}

// newCountedStore is newStore on a connection of its own whose RPCs are counted.
func newCountedStore(t *testing.T) (*Store, *firestore.Client, *rpcCounter) {
	t.Helper()
	c := &rpcCounter{by: map[string]int{}}
	fs := ObservedFirestoreClient(t, func(method string, _ any) { c.count(method) })
	return New(fs), fs, c
}

// voucherToken is a well-formed token (domain.ValidVoucherToken) made from a short name.
func voucherToken(name string) string {
	return (name + strings.Repeat("x", domain.VoucherTokenLen))[:domain.VoucherTokenLen]
}

// voucherAppointment is the store tests' appointment with the given voucher token.
func voucherAppointment(tenantID, ext, token string) (*domain.Appointment, []*domain.Job) {
	apt, jobs := appointment(tenantID, ext, t0.Add(72*time.Hour))
	apt.VoucherToken = token
	return apt, jobs
}

// TestVoucherLookupByAppointmentToken: CreateAppointment writes no vouchers/{token}
// document, and VoucherAppointment finds the appointment and its tenant from the
// appointment's voucher_token, with one query and no other read of the appointment.
func TestVoucherLookupByAppointmentToken(t *testing.T) {
	ctx := context.Background()
	s, fs, rpcs := newCountedStore(t)
	for _, id := range []string{"a", "b"} {
		if err := s.PutTenant(ctx, tenant(id, "phone-"+id, "waba-"+id)); err != nil {
			t.Fatal(err)
		}
	}
	tokA, tokB := voucherToken("tenant-a-"), voucherToken("tenant-b-")
	aptA, jobsA := voucherAppointment("a", "ext-1", tokA)
	aptB, jobsB := voucherAppointment("b", "ext-1", tokB) // the same booking id, another studio
	for _, c := range []struct {
		apt  *domain.Appointment
		jobs []*domain.Job
	}{{aptA, jobsA}, {aptB, jobsB}} {
		if _, _, created, err := s.CreateAppointment(ctx, c.apt, c.jobs); err != nil || !created {
			t.Fatalf("create %s: %v %v", c.apt.ID, created, err)
		}
	}
	for _, tok := range []string{tokA, tokB} {
		if exists(t, fs, colVouchers, tok) {
			t.Errorf("CreateAppointment wrote vouchers/%s", tok)
		}
	}
	if n, err := fs.Collection(colVouchers).Documents(ctx).GetAll(); err != nil || len(n) != 0 {
		t.Errorf("vouchers/ holds %d documents (%v), want none", len(n), err)
	}

	// Warm the tenant cache of b, so that the lookup below costs only its query.
	if _, err := s.CachedTenant(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	rpcs.reset()
	ten, apt, err := s.VoucherAppointment(ctx, tokB)
	if err != nil {
		t.Fatalf("VoucherAppointment(b's token): %v", err)
	}
	if ten.ID != "b" || ten.Name != "Studio b" || apt.ID != aptB.ID || apt.TenantID != "b" || apt.VoucherToken != tokB ||
		apt.ClientName != "Maria" || apt.Service != "Corte" || !apt.StartsAt.Equal(aptB.StartsAt) {
		t.Errorf("b's token found tenant %+v, appointment %+v", ten, apt)
	}
	if got := rpcs.snapshot(); got["RunQuery"] != 1 || len(got) != 1 {
		t.Errorf("a lookup with the tenant cached made RPCs %v, want one RunQuery", got)
	}
	if ten, apt, err := s.VoucherAppointment(ctx, tokA); err != nil || ten.ID != "a" || apt.ID != aptA.ID {
		t.Errorf("a's token: %+v %+v %v", ten, apt, err)
	}

	// A well-formed token nobody holds: not found, after the query and the legacy read.
	rpcs.reset()
	if _, _, err := s.VoucherAppointment(ctx, voucherToken("nobody-")); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("unknown token: %v", err)
	}
	if got := rpcs.snapshot(); got["RunQuery"] != 1 || got["BatchGetDocuments"] != 1 || len(got) != 2 {
		t.Errorf("an unknown token made RPCs %v, want one RunQuery and one BatchGetDocuments (vouchers/{token})", got)
	}

	// A token whose appointment's tenant is not stored: not found, as before.
	orphan, orphanJobs := voucherAppointment("gone", "ext-1", voucherToken("gone-"))
	if _, _, _, err := s.CreateAppointment(ctx, orphan, orphanJobs); err != nil {
		t.Fatal(err)
	}
	if ten, apt, err := s.VoucherAppointment(ctx, orphan.VoucherToken); !errors.Is(err, domain.ErrNotFound) || ten != nil || apt != nil {
		t.Errorf("voucher of a missing tenant: %v %v %v", ten, apt, err)
	}
}

// TestVoucherLookupRefusesMalformedTokens: an empty or malformed token is not found
// without any RPC, even where an equality query would match an appointment (one stored
// without a token, one with a test fixture's token).
func TestVoucherLookupRefusesMalformedTokens(t *testing.T) {
	ctx := context.Background()
	s, _, rpcs := newCountedStore(t)
	if err := s.PutTenant(ctx, tenant("a", "111", "waba-a")); err != nil {
		t.Fatal(err)
	}
	for i, tok := range []string{"", "tok-ext-1"} {
		apt, jobs := voucherAppointment("a", fmt.Sprintf("ext-%d", i), tok)
		if _, _, _, err := s.CreateAppointment(ctx, apt, jobs); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.CachedTenant(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{"", "tok-ext-1", voucherToken("a")[:31], voucherToken("a") + "x", voucherToken("a")[:31] + "/", voucherToken("a")[:28] + ".png"} {
		rpcs.reset()
		ten, apt, err := s.VoucherAppointment(ctx, tok)
		if !errors.Is(err, domain.ErrNotFound) || ten != nil || apt != nil {
			t.Errorf("VoucherAppointment(%q) = %+v, %+v, %v; want not found", tok, ten, apt, err)
		}
		if got := rpcs.snapshot(); len(got) != 0 {
			t.Errorf("VoucherAppointment(%q) made RPCs %v, want none", tok, got)
		}
	}
}

// TestVoucherLookupLegacyIndex: a vouchers/{token} document written before
// CreateAppointment stopped writing them still opens its appointment when no
// appointment's voucher_token matches; a broken one is not found.
func TestVoucherLookupLegacyIndex(t *testing.T) {
	ctx := context.Background()
	s, fs := newStore(t)
	if err := s.PutTenant(ctx, tenant("a", "111", "waba-a")); err != nil {
		t.Fatal(err)
	}
	// The appointment carries no token (so only the legacy document names it).
	apt, jobs := voucherAppointment("a", "ext-legacy", "")
	if _, _, _, err := s.CreateAppointment(ctx, apt, jobs); err != nil {
		t.Fatal(err)
	}
	legacy := voucherToken("legacy-")
	if _, err := fs.Collection(colVouchers).Doc(legacy).Create(ctx, map[string]any{"tenant_id": "a", "appointment_id": apt.ID}); err != nil {
		t.Fatal(err)
	}
	ten, got, err := s.VoucherAppointment(ctx, legacy)
	if err != nil || ten.ID != "a" || got.ID != apt.ID || got.ClientName != "Maria" {
		t.Fatalf("legacy voucher: %+v %+v %v", ten, got, err)
	}
	for name, data := range map[string]map[string]any{
		"dangling-": {"tenant_id": "a", "appointment_id": "apt_missing"},
		"empty-":    {},
		"no-apt-":   {"tenant_id": "a"},
	} {
		tok := voucherToken(name)
		if _, err := fs.Collection(colVouchers).Doc(tok).Create(ctx, data); err != nil {
			t.Fatal(err)
		}
		if ten, got, err := s.VoucherAppointment(ctx, tok); !errors.Is(err, domain.ErrNotFound) || ten != nil || got != nil {
			t.Errorf("legacy document %v: %+v %+v %v; want not found", data, ten, got, err)
		}
	}
}

// TestVoucherLookupRefusesAmbiguousTokens: a token two appointments carry (only a
// copied document could do that) opens neither; nor does an appointments document
// that is not a tenant's.
func TestVoucherLookupRefusesAmbiguousTokens(t *testing.T) {
	ctx := context.Background()
	s, fs := newStore(t)
	for _, id := range []string{"a", "b"} {
		if err := s.PutTenant(ctx, tenant(id, "phone-"+id, "waba-"+id)); err != nil {
			t.Fatal(err)
		}
	}
	dup := voucherToken("twice-")
	for _, id := range []string{"a", "b"} {
		apt, jobs := voucherAppointment(id, "ext-1", dup)
		if _, _, _, err := s.CreateAppointment(ctx, apt, jobs); err != nil {
			t.Fatal(err)
		}
	}
	if ten, apt, err := s.VoucherAppointment(ctx, dup); !errors.Is(err, domain.ErrNotFound) || ten != nil || apt != nil {
		t.Errorf("a token of two appointments: %+v %+v %v; want not found", ten, apt, err)
	}

	for i, ref := range []*firestore.DocumentRef{
		fs.Collection(colAppointments).Doc("top-level"),
		fs.Collection(colTenants).Doc("a").Collection("archive").Doc("x").Collection(colAppointments).Doc("nested"),
	} {
		tok := voucherToken(fmt.Sprintf("stray-%d-", i))
		if _, err := ref.Create(ctx, map[string]any{"tenant_id": "a", "voucher_token": tok}); err != nil {
			t.Fatal(err)
		}
		if ten, apt, err := s.VoucherAppointment(ctx, tok); !errors.Is(err, domain.ErrNotFound) || ten != nil || apt != nil {
			t.Errorf("%s: %+v %+v %v; want not found", ref.Path, ten, apt, err)
		}
	}
}
