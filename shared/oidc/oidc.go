// Package oidc checks the Google-signed OpenID Connect ID tokens that Cloud Tasks and
// Cloud Scheduler attach to their calls of private functions (dispatch, reminders). It
// is a thin layer over github.com/coreos/go-oidc/v3, which parses the token, checks its
// RS256 signature against the issuer's JWKS, its audience and its expiry; this package
// adds the issuer list (Google writes iss as "https://accounts.google.com" or
// "accounts.google.com"), the email allowlist (email_verified required), a cap on how
// long cached keys are trusted while the key endpoint is down (KeySet), and the HTTP
// middleware.
//
// Deployed, Cloud Run checks the same token first (roles/run.invoker); the check here
// keeps a private function closed even if its IAM binding is widened by mistake, and is
// what the local stack exercises (its tokens come from scripts/internal/standin/oidcsigner).
package oidc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
)

// Errors returned by Verify and used by Middleware. They are wrapped: test with errors.Is.
var (
	// ErrMissingToken: no token was presented (empty token, no Authorization header,
	// or a header that is not a Bearer token).
	ErrMissingToken = errors.New("oidc: missing bearer token")
	// ErrInvalidToken: the token is malformed, unsigned or badly signed, uses another
	// algorithm than RS256, names a key the issuer does not publish, is expired, or
	// has the wrong issuer or audience.
	ErrInvalidToken = errors.New("oidc: invalid token")
	// ErrForbidden: the token is valid but its email is not one of AllowedEmails (or
	// is not verified).
	ErrForbidden = errors.New("oidc: identity not allowed")
	// ErrKeysUnavailable: the signing keys could not be fetched, and no keys confirmed
	// recently enough are cached (see KeySet), so the token could not be checked.
	// Middleware answers 503, so Cloud Tasks tries again later.
	ErrKeysUnavailable = errors.New("oidc: signing keys unavailable")
)

// GoogleJWKSURL is where Google publishes the keys of its ID tokens
// (https://developers.google.com/identity/openid-connect/openid-connect#discovery:
// jwks_uri of https://accounts.google.com/.well-known/openid-configuration).
const GoogleJWKSURL = "https://www.googleapis.com/oauth2/v3/certs"

const maxTokenSize = 16 << 10

// Claims are the checked claims of a verified token.
type Claims struct {
	Issuer        string
	Subject       string
	Email         string
	EmailVerified bool
	Audience      string // the audience that matched Verifier.Audience
	IssuedAt      time.Time
	Expiry        time.Time
}

// Verifier checks RS256 ID tokens. Set its fields before first use and do not change
// or copy it afterwards; it is safe for concurrent use.
type Verifier struct {
	Issuers       []string // accepted iss values (required)
	Audience      string   // required aud (aud may be a string or an array in the token)
	AllowedEmails []string // if non-empty, email must be one of them (and verified)
	// JWKSURL is where the issuer publishes its keys (required). They are fetched on
	// first use and trusted within the limits of KeySet.
	JWKSURL    string
	HTTPClient *http.Client     // default: a client with a 10 s timeout
	Now        func() time.Time // default time.Now
	// RefreshAfter and MaxKeyAge tune the key set (see KeySet); zero: the defaults.
	RefreshAfter, MaxKeyAge time.Duration

	once sync.Once
	keys *KeySet
	idv  *gooidc.IDTokenVerifier
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

func (v *Verifier) init() {
	v.once.Do(func() {
		v.keys = &KeySet{
			URL: v.JWKSURL, HTTPClient: v.HTTPClient, Now: v.now,
			RefreshAfter: v.RefreshAfter, MaxKeyAge: v.MaxKeyAge,
		}
		v.idv = gooidc.NewVerifier("", v.keys, &gooidc.Config{
			ClientID:             v.Audience,
			SupportedSigningAlgs: []string{gooidc.RS256},
			// go-oidc compares iss with one issuer; the list is checked below instead.
			SkipIssuerCheck: true,
			Now:             v.now,
		})
	})
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidToken, fmt.Sprintf(format, args...))
}

// Verify checks rawToken and returns its claims. Errors wrap ErrMissingToken,
// ErrInvalidToken, ErrForbidden or ErrKeysUnavailable; with ErrForbidden the (valid)
// claims are returned too.
func (v *Verifier) Verify(ctx context.Context, rawToken string) (*Claims, error) {
	rawToken = strings.TrimSpace(rawToken)
	if rawToken == "" {
		return nil, ErrMissingToken
	}
	if len(v.Issuers) == 0 || v.Audience == "" {
		return nil, invalid("verifier has no issuers or no audience configured")
	}
	if v.JWKSURL == "" {
		return nil, fmt.Errorf("%w: verifier has no JWKS URL", ErrKeysUnavailable)
	}
	if len(rawToken) > maxTokenSize {
		return nil, invalid("token too large")
	}
	v.init()
	call := &keyCall{}
	tok, err := v.idv.Verify(context.WithValue(ctx, keyCallKey{}, call), rawToken)
	if call.unavailable != nil {
		// go-oidc flattens the key set's error into text; the key set said why here.
		return nil, call.unavailable
	}
	if err != nil {
		return nil, invalid("%s", strings.TrimPrefix(err.Error(), "oidc: "))
	}
	if !slices.Contains(v.Issuers, tok.Issuer) {
		return nil, invalid("issuer %q not accepted", tok.Issuer)
	}
	var extra struct {
		Email         string `json:"email"`
		EmailVerified bool   `json:"email_verified"`
	}
	if err := tok.Claims(&extra); err != nil {
		return nil, invalid("claims: %v", err)
	}
	claims := &Claims{
		Issuer: tok.Issuer, Subject: tok.Subject, Email: extra.Email, EmailVerified: extra.EmailVerified,
		Audience: v.Audience, IssuedAt: tok.IssuedAt, Expiry: tok.Expiry,
	}
	if len(v.AllowedEmails) > 0 {
		if !claims.EmailVerified || !slices.Contains(v.AllowedEmails, claims.Email) {
			return claims, fmt.Errorf("%w: email %q (verified %t) is not allowed", ErrForbidden, claims.Email, claims.EmailVerified)
		}
	}
	return claims, nil
}

// ---------------------------------------------------------------------------------
// HTTP middleware

type claimsKey struct{}

// ClaimsFrom returns the claims Middleware put in the request context.
func ClaimsFrom(ctx context.Context) (*Claims, bool) {
	c, ok := ctx.Value(claimsKey{}).(*Claims)
	return c, ok
}

// WithClaims returns a context carrying c, as Middleware does (useful in tests).
func WithClaims(ctx context.Context, c *Claims) context.Context {
	return context.WithValue(ctx, claimsKey{}, c)
}

// Middleware admits only requests with a valid "Authorization: Bearer" ID token.
// A missing or invalid token gets 401 (code "unauthenticated"), a valid token whose
// email is not allowed 403 ("forbidden"), and unreachable signing keys 503
// ("unavailable"), each with a JSON body {"error":{"code":…,"message":…}}. Otherwise
// next runs with the claims in the request context (see ClaimsFrom).
func (v *Verifier) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, err := bearer(r.Header.Get("Authorization"))
		var claims *Claims
		if err == nil {
			claims, err = v.Verify(r.Context(), token)
		}
		switch {
		case err == nil:
			next.ServeHTTP(w, r.WithContext(WithClaims(r.Context(), claims)))
		case errors.Is(err, ErrForbidden):
			writeError(w, http.StatusForbidden, "forbidden", "the caller's identity is not allowed")
		case errors.Is(err, ErrKeysUnavailable):
			w.Header().Set("Retry-After", "30")
			writeError(w, http.StatusServiceUnavailable, "unavailable", "token signing keys are unavailable")
		case errors.Is(err, ErrMissingToken):
			w.Header().Set("WWW-Authenticate", `Bearer`)
			writeError(w, http.StatusUnauthorized, "unauthenticated", "a bearer ID token is required")
		default:
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			writeError(w, http.StatusUnauthorized, "unauthenticated", strings.TrimPrefix(err.Error(), "oidc: "))
		}
	})
}

func bearer(h string) (string, error) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return "", ErrMissingToken
	}
	return strings.TrimSpace(token), nil
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, `{"error":{"code":%q,"message":%q}}`+"\n", code, msg)
}

// ---------------------------------------------------------------------------------
// Private functions

// Caller is the one identity allowed to call a private function: Google signs its ID
// token (an issuer of Issuers, keys at JWKSURL) for Audience (the function's URL), and
// its email is Email (the caller's service account).
type Caller struct {
	Audience string
	Email    string
	Issuers  []string
	JWKSURL  string
}

// Require serves next only to the caller (see Verifier.Middleware for the answers). If
// the caller's audience or email is not configured it logs that once and refuses every
// request with 403: a private function never runs open. name names the function and
// its settings in the log line.
func Require(log *slog.Logger, name string, c Caller, next http.Handler) http.Handler {
	if c.Audience == "" || c.Email == "" {
		log.Error(name + ": the caller's OIDC audience or service account is not set; refusing every call")
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			writeError(w, http.StatusForbidden, "forbidden", "the caller identity is not configured")
		})
	}
	v := &Verifier{Issuers: c.Issuers, Audience: c.Audience, AllowedEmails: []string{c.Email}, JWKSURL: c.JWKSURL}
	return v.Middleware(next)
}
