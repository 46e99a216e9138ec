package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"firebase.google.com/go/v4/auth"

	"github.com/lembra-app/lembra/shared/app"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/logging"
	"github.com/lembra-app/lembra/shared/tenants"
	"github.com/lembra-app/lembra/shared/web"
)

// Staff is the signed-in member of a studio a staff request acts for: a Firebase
// Authentication user, mapped (staff/{uid} in Firestore) to exactly one tenant and a
// role. Every staff endpoint reads and writes only Staff.Tenant's data.
type Staff struct {
	UID, Email string
	Role       domain.StaffRole
	Tenant     *domain.Tenant
}

// staffHandler is an endpoint of the dashboard, called for a signed-in member.
type staffHandler func(w http.ResponseWriter, r *http.Request, st Staff) error

// signedInUser is what a verified ID token says about its user.
type signedInUser struct {
	UID, Email string
}

// idTokenVerifier checks a Firebase ID token: signature, expiry, audience (this
// project) and that the user still exists and is not disabled. A token it refuses is a
// *tokenRefused; any other error is the verifier's own failure.
type idTokenVerifier interface {
	VerifyIDToken(ctx context.Context, idToken string) (signedInUser, error)
}

// staffDirectory finds a user's mapping and its tenant (*store.Store; tests of the
// middleware's own decisions pass a map).
type staffDirectory interface {
	GetStaffMember(ctx context.Context, uid string) (*domain.StaffMember, error)
	GetTenant(ctx context.Context, id string) (*domain.Tenant, error)
}

// tokenRefused is a token the verifier would not accept, with why, for the caller.
type tokenRefused struct{ reason string }

func (e *tokenRefused) Error() string { return "ID token refused: " + e.reason }

// credential is what a request presents to authenticate.
type credential int

const (
	credNone    credential = iota // nothing
	credAPIKey                    // a tenant API key (booking systems)
	credIDToken                   // a Firebase ID token (staff)
	credUnknown                   // neither shape
)

// maxIDTokenLen bounds what is taken for an ID token (Firebase's are about 1 KB, more
// with custom claims).
const maxIDTokenLen = 8 << 10

// presented reads a request's credential and tells an API key from an ID token by the
// API key's documented format (tenants.APIKeyPrefix, shared/tenants/apikeys.go) and a
// JWT's shape (three base64url segments): an API key is never sent to Firebase and an
// ID token never looked up as a key.
func presented(r *http.Request) (credential, string) {
	if key := strings.TrimSpace(r.Header.Get("X-Api-Key")); key != "" {
		return credAPIKey, key
	}
	auth := r.Header.Get("Authorization")
	if len(auth) < len("Bearer ") || !strings.EqualFold(auth[:len("Bearer ")], "Bearer ") {
		if strings.TrimSpace(auth) != "" {
			return credUnknown, ""
		}
		return credNone, ""
	}
	v := strings.TrimSpace(auth[len("Bearer "):])
	switch {
	case v == "":
		return credNone, ""
	case strings.HasPrefix(v, tenants.APIKeyPrefix):
		return credAPIKey, v
	case looksLikeJWT(v):
		return credIDToken, v
	}
	return credUnknown, v
}

// looksLikeJWT: header.payload.signature, each base64url without padding; the header
// and payload are never empty, the signature is empty in the Auth emulator's tokens.
func looksLikeJWT(v string) bool {
	if len(v) > maxIDTokenLen {
		return false
	}
	parts := strings.Split(v, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" {
		return false
	}
	for _, p := range parts {
		for i := 0; i < len(p); i++ {
			c := p[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// unauthenticated is every 401 of a staff endpoint.
func unauthenticated(format string, args ...any) error {
	return web.Errorf(http.StatusUnauthorized, "unauthenticated", format, args...)
}

// staffOnly authenticates a signed-in member by the Firebase ID token in
// 'Authorization: Bearer <ID token>', maps the user to their tenant and role, and
// calls h when the role is one of roles (none: every role). A missing, malformed,
// expired, forged or wrongly-signed token, a token for another project, a disabled or
// deleted user, a user with no mapping, or a mapping to a tenant that does not exist
// is 401; a role not in roles is 403.
func (s *server) staffOnly(h staffHandler, roles ...domain.StaffRole) http.Handler {
	return web.Handle(s.env.Log, func(w http.ResponseWriter, r *http.Request) error {
		st, err := s.signedIn(r)
		if err != nil {
			return err
		}
		if !domain.RoleAllowed(st.Role, roles...) {
			return web.Errorf(http.StatusForbidden, "forbidden", "this action is for the studio's %s; you are signed in as %s", rolesText(roles), st.Role)
		}
		ctx := logging.WithTrace(r.Context(), r, s.env.Config.Project)
		return h(w, r.WithContext(ctx), st)
	})
}

func rolesText(roles []domain.StaffRole) string {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	return strings.Join(names, " or ")
}

// signedIn is the authentication half of staffOnly.
func (s *server) signedIn(r *http.Request) (Staff, error) {
	kind, token := presented(r)
	switch kind {
	case credNone:
		return Staff{}, unauthenticated("sign in: send the signed-in user's Firebase ID token as 'Authorization: Bearer <ID token>'")
	case credAPIKey:
		return Staff{}, unauthenticated("staff endpoints take a signed-in user's Firebase ID token, not a tenant API key")
	case credUnknown:
		return Staff{}, unauthenticated("not a Firebase ID token: send 'Authorization: Bearer <ID token>'")
	}
	user, err := s.verifier.VerifyIDToken(r.Context(), token)
	var refused *tokenRefused
	if errors.As(err, &refused) {
		return Staff{}, unauthenticated("%s", refused.reason)
	}
	if err != nil {
		return Staff{}, fmt.Errorf("verify ID token: %w", err)
	}
	m, err := s.staffDir.GetStaffMember(r.Context(), user.UID)
	if errors.Is(err, domain.ErrNotFound) {
		return Staff{}, unauthenticated("this user is not a member of any studio: ask the studio's owner to add you")
	}
	if err != nil {
		return Staff{}, err
	}
	t, err := s.staffDir.GetTenant(r.Context(), m.TenantID)
	if errors.Is(err, domain.ErrNotFound) {
		s.env.Log.WarnContext(r.Context(), "staff member of a missing tenant", "uid", user.UID, "tenant_id", m.TenantID)
		return Staff{}, unauthenticated("this user's studio does not exist any more")
	}
	if err != nil {
		return Staff{}, err
	}
	email := user.Email
	if email == "" {
		email = m.Email
	}
	return Staff{UID: user.UID, Email: email, Role: m.Role, Tenant: t}, nil
}

// staffReadRoutes are the dashboard's first endpoints (listed by routes, with the
// booking API's).
func (s *server) staffReadRoutes() []route {
	return []route{
		{pattern: "GET /v1/staff/me", staff: s.staffMe},
		{pattern: "GET /v1/staff/agenda", staff: s.staffAgenda},
		{pattern: "GET /v1/staff/appointments/{id}", staff: s.staffAppointment},
		{pattern: "GET /v1/staff/messages", staff: s.staffMessages},
	}
}

// staffRoutes lists every dashboard endpoint: the reads above, the changes staff make
// (staff_write.go) and the panel's job, conversation and chart reads (staff_panel.go).
func (s *server) staffRoutes() []route {
	routes := s.staffReadRoutes()
	routes = append(routes, s.staffWriteRoutes()...)
	routes = append(routes, s.staffOpsRoutes()...)
	routes = append(routes, s.staffSettingsRoutes()...)
	routes = append(routes, s.staffCountersRoutes()...)
	routes = append(routes, s.staffBillingRoutes()...)
	routes = append(routes, s.staffPrivacyRoutes()...)
	routes = append(routes, s.staffConnectRoutes()...)
	routes = append(routes, s.staffWhatsAppRoutes()...)
	routes = append(routes, s.staffOptOutRoutes()...)
	return append(routes, s.staffPanelRoutes()...)
}

// staffMe answers who is signed in, for which studio, with which role.
func (s *server) staffMe(w http.ResponseWriter, r *http.Request, st Staff) error {
	web.WriteJSON(w, http.StatusOK, NewStaffMeResponse(st))
	return nil
}

// StaffMeResponse is the answer of GET /v1/staff/me.
type StaffMeResponse struct {
	UID    string           `json:"uid"`
	Email  string           `json:"email"`
	Role   domain.StaffRole `json:"role"`
	Tenant StaffTenant      `json:"tenant"`
}

// StaffTenant is the studio a member belongs to, as the dashboard shows it.
type StaffTenant struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	TimeZone string `json:"time_zone"`
}

// NewStaffMeResponse builds the answer from the signed-in member.
func NewStaffMeResponse(st Staff) StaffMeResponse {
	return StaffMeResponse{
		UID: st.UID, Email: st.Email, Role: st.Role,
		Tenant: StaffTenant{ID: st.Tenant.ID, Name: st.Tenant.Name, TimeZone: st.Tenant.Location().String()},
	}
}

// firebaseVerifier verifies ID tokens with the Firebase Admin SDK, whose client is
// created on the first staff request. Outside the emulator the SDK checks the RS256
// signature against Google's public keys (no permission needed); the disabled and
// revoked check reads the user (Identity Platform), once per request.
//
// With FIREBASE_AUTH_EMULATOR_HOST set the SDK accepts the Auth emulator's unsigned
// tokens (it skips the signature, still checks audience, issuer, expiry and the user):
// config.Load refuses that variable when LEMBRA_ENVIRONMENT is prod.
type firebaseVerifier struct{ env *app.Env }

func (v firebaseVerifier) VerifyIDToken(ctx context.Context, idToken string) (signedInUser, error) {
	c, err := v.env.Auth(ctx)
	if err != nil {
		return signedInUser{}, err
	}
	tok, err := c.VerifyIDTokenAndCheckRevoked(ctx, idToken)
	if err != nil {
		if reason := refusalReason(err); reason != "" {
			return signedInUser{}, &tokenRefused{reason: reason}
		}
		return signedInUser{}, err
	}
	email, _ := tok.Claims["email"].(string)
	return signedInUser{UID: tok.UID, Email: email}, nil
}

// refusalReason says why the Admin SDK refused a token, or "" when the error is not
// about the token (public keys not fetched, Identity Platform unreachable).
func refusalReason(err error) string {
	switch {
	case auth.IsIDTokenExpired(err):
		return "the ID token has expired: sign in again"
	case auth.IsIDTokenRevoked(err):
		return "the ID token was revoked: sign in again"
	case auth.IsUserDisabled(err):
		return "this user is disabled"
	case auth.IsUserNotFound(err):
		return "this user does not exist any more"
	case auth.IsIDTokenInvalid(err):
		return "the ID token is not valid for this project (forged, wrongly signed or for another project)"
	}
	return ""
}
