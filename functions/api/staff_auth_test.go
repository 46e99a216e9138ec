package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lembra-app/lembra/shared/app"
	"github.com/lembra-app/lembra/shared/config"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/tenants"
)

// An ID token in Firebase's shape (header.payload.signature) and the emulator's (no
// signature).
const (
	signedJWT   = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl"
	emulatorJWT = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1MSJ9."
)

func TestPresentedCredential(t *testing.T) {
	key, _, err := tenants.GenerateAPIKey()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, auth, apiKey string
		want               credential
	}{
		{"nothing", "", "", credNone},
		{"empty bearer", "Bearer  ", "", credNone},
		{"API key as bearer", "Bearer " + key, "", credAPIKey},
		{"API key in X-Api-Key", "", key, credAPIKey},
		{"a malformed key is still a key, never sent to Firebase", "Bearer lembra_x.y.z", "", credAPIKey},
		{"signed ID token", "Bearer " + signedJWT, "", credIDToken},
		{"lower-case scheme", "bearer " + signedJWT, "", credIDToken},
		{"emulator ID token", "Bearer " + emulatorJWT, "", credIDToken},
		{"two segments", "Bearer abc.def", "", credUnknown},
		{"empty payload", "Bearer abc..sig", "", credUnknown},
		{"padding is not base64url JWT", "Bearer abc=.def.ghi", "", credUnknown},
		{"garbage", "Bearer not a token", "", credUnknown},
		{"too long", "Bearer " + strings.Repeat("a", maxIDTokenLen) + ".b.c", "", credUnknown},
		{"basic auth", "Basic dXNlcjpwYXNz", "", credUnknown},
	} {
		r := httptest.NewRequest(http.MethodGet, "/v1/staff/me", nil)
		if c.auth != "" {
			r.Header.Set("Authorization", c.auth)
		}
		if c.apiKey != "" {
			r.Header.Set("X-Api-Key", c.apiKey)
		}
		if got, _ := presented(r); got != c.want {
			t.Errorf("%s: credential %d, want %d", c.name, got, c.want)
		}
	}
}

// fakeVerifier accepts the tokens it knows, refuses the rest, and counts its calls.
type fakeVerifier struct {
	users map[string]signedInUser
	calls int
	fail  error
}

func (f *fakeVerifier) VerifyIDToken(_ context.Context, token string) (signedInUser, error) {
	f.calls++
	if f.fail != nil {
		return signedInUser{}, f.fail
	}
	u, ok := f.users[token]
	if !ok {
		return signedInUser{}, &tokenRefused{reason: "the ID token is not valid for this project"}
	}
	return u, nil
}

// mapDirectory is a staff directory in memory, for the middleware's own decisions
// (the store's is proven against the emulators in scripts/internal/devstack).
type mapDirectory struct {
	members map[string]*domain.StaffMember
	tenants map[string]*domain.Tenant
}

func (d mapDirectory) GetStaffMember(_ context.Context, uid string) (*domain.StaffMember, error) {
	if m, ok := d.members[uid]; ok {
		return m, nil
	}
	return nil, fmt.Errorf("staff %s: %w", uid, domain.ErrNotFound)
}

func (d mapDirectory) GetTenant(_ context.Context, id string) (*domain.Tenant, error) {
	if t, ok := d.tenants[id]; ok {
		return t, nil
	}
	return nil, fmt.Errorf("tenants %s: %w", id, domain.ErrNotFound)
}

func TestStaffOnly(t *testing.T) {
	key, _, _ := tenants.GenerateAPIKey()
	tokens := map[string]signedInUser{
		"owner.token.a":    {UID: "jana", Email: "jana@example.com"},
		"staff.token.b":    {UID: "bia", Email: "bia@example.com"},
		"nomember.token.c": {UID: "stranger"},
		"orphan.token.d":   {UID: "orphan"},
	}
	dir := mapDirectory{
		members: map[string]*domain.StaffMember{
			"jana":   {UID: "jana", TenantID: "studio-jana", Role: domain.RoleOwner},
			"bia":    {UID: "bia", TenantID: "studio-jana", Role: domain.RoleStaff},
			"orphan": {UID: "orphan", TenantID: "gone", Role: domain.RoleOwner},
		},
		tenants: map[string]*domain.Tenant{"studio-jana": {ID: "studio-jana", Name: "Studio Jana"}},
	}
	for _, c := range []struct {
		name, auth string
		roles      []domain.StaffRole
		status     int
		verified   bool // the token reached the verifier
		mentions   string
	}{
		{"owner, any role", "Bearer owner.token.a", nil, 200, true, ""},
		{"staff, any role", "Bearer staff.token.b", nil, 200, true, ""},
		{"owner, owner-only", "Bearer owner.token.a", []domain.StaffRole{domain.RoleOwner}, 200, true, ""},
		{"staff, owner-only", "Bearer staff.token.b", []domain.StaffRole{domain.RoleOwner}, 403, true, "owner"},
		{"no token", "", nil, 401, false, "sign in"},
		{"API key", "Bearer " + key, nil, 401, false, "not a tenant API key"},
		{"garbage", "Bearer garbage", nil, 401, false, "not a Firebase ID token"},
		{"refused token", "Bearer forged.token.x", nil, 401, true, "not valid"},
		{"no mapping", "Bearer nomember.token.c", nil, 401, true, "not a member"},
		{"tenant gone", "Bearer orphan.token.d", nil, 401, true, "does not exist"},
	} {
		v := &fakeVerifier{users: tokens}
		s := &server{env: app.New(config.Config{}, nil), verifier: v, staffDir: dir}
		var got Staff
		h := s.staffOnly(func(w http.ResponseWriter, r *http.Request, st Staff) error {
			got = st
			w.WriteHeader(http.StatusOK)
			return nil
		}, c.roles...)
		r := httptest.NewRequest(http.MethodGet, "/v1/staff/me", nil)
		if c.auth != "" {
			r.Header.Set("Authorization", c.auth)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != c.status {
			t.Errorf("%s: status %d, want %d: %s", c.name, w.Code, c.status, w.Body)
			continue
		}
		if (v.calls > 0) != c.verified {
			t.Errorf("%s: verifier called %d times, want called %v", c.name, v.calls, c.verified)
		}
		if c.status == 200 {
			if u := tokens[strings.TrimPrefix(c.auth, "Bearer ")]; got.UID != u.UID || got.Email != u.Email || got.Tenant == nil || got.Tenant.ID != "studio-jana" {
				t.Errorf("%s: handler got %+v", c.name, got)
			}
			continue
		}
		var body struct {
			Error struct{ Code, Message string }
		}
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
			t.Fatalf("%s: %v: %s", c.name, err, w.Body)
		}
		wantCode := map[int]string{401: "unauthenticated", 403: "forbidden"}[c.status]
		if body.Error.Code != wantCode || !strings.Contains(body.Error.Message, c.mentions) {
			t.Errorf("%s: error %+v, want %s mentioning %q", c.name, body.Error, wantCode, c.mentions)
		}
	}
}

// TestStaffOnlyVerifierFailure: a verifier that cannot answer (keys not fetched) is a
// 500, not a 401 that would send a signed-in member back to the sign-in page.
func TestStaffOnlyVerifierFailure(t *testing.T) {
	s := &server{env: app.New(config.Config{}, nil), verifier: &fakeVerifier{fail: errors.New("public keys unreachable")}, staffDir: mapDirectory{}}
	h := s.staffOnly(func(http.ResponseWriter, *http.Request, Staff) error { return nil })
	r := httptest.NewRequest(http.MethodGet, "/v1/staff/me", nil)
	r.Header.Set("Authorization", "Bearer a.b.c")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusInternalServerError {
		t.Errorf("status %d, want 500: %s", w.Code, w.Body)
	}
}

// TestBookingRoutesRefuseIDTokens: an ID token sent to a booking route is refused
// before any key lookup (the store is nil: a lookup would panic).
func TestBookingRoutesRefuseIDTokens(t *testing.T) {
	s := &server{env: app.New(config.Config{}, nil)}
	h := s.tenantOnly(func(http.ResponseWriter, *http.Request, *domain.Tenant) error { return nil })
	for _, tok := range []string{signedJWT, emulatorJWT} {
		r := httptest.NewRequest(http.MethodGet, "/v1/appointments/x", nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusUnauthorized || !strings.Contains(w.Body.String(), "not a staff sign-in token") {
			t.Errorf("%s: %d %s", tok, w.Code, w.Body)
		}
	}
}
