// Package oidc issues and verifies minimal RS256 OpenID Connect ID tokens, using the
// standard library only.
//
// The Signer plays the part of Google's token service locally: the Cloud Tasks
// stand-in signs each dispatch with it, and it publishes its key as a JWKS document.
// The Verifier plays the part of Cloud Run's IAM check: it accepts a token only if its
// signature, issuer, audience, lifetime and (optionally) email are right.
package oidc

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Errors returned by Verify and used by Middleware. They are wrapped: test with errors.Is.
var (
	// ErrMissingToken: no token was presented (empty token, no Authorization header,
	// or a header that is not a Bearer token).
	ErrMissingToken = errors.New("oidc: missing bearer token")
	// ErrInvalidToken: the token is malformed, badly signed, uses another algorithm
	// than RS256, is expired or not yet valid, or has the wrong issuer or audience.
	ErrInvalidToken = errors.New("oidc: invalid token")
	// ErrForbidden: the token is valid but its email is not one of AllowedEmails (or
	// is not verified).
	ErrForbidden = errors.New("oidc: identity not allowed")
	// ErrKeysUnavailable: the signing keys could not be fetched from JWKSURL, so the
	// token could not be checked. Middleware answers 503 for it.
	ErrKeysUnavailable = errors.New("oidc: signing keys unavailable")
)

const (
	algRS256 = "RS256"
	// ClockSkew is the leeway allowed on exp, iat and nbf.
	ClockSkew = 60 * time.Second
	// jwksMaxAge is how long a fetched JWKS is used before it is fetched again.
	jwksMaxAge = 5 * time.Minute
	// jwksMinRefetch bounds refetches caused by unknown key ids, so that tokens with
	// made-up kids cannot make the verifier hammer the JWKS endpoint.
	jwksMinRefetch = time.Second
	maxTokenSize   = 16 << 10
	maxJWKSSize    = 1 << 20
)

var b64 = base64.RawURLEncoding

// ---------------------------------------------------------------------------------
// Signer

// Signer issues RS256 ID tokens with one RSA 2048 key. It is safe for concurrent use.
type Signer struct {
	Issuer string // the iss claim of every token

	key *rsa.PrivateKey
	kid string
}

// NewSigner creates a signer with a fresh RSA 2048 key. The key id is derived from
// the public key, so two signers never share one.
func NewSigner(issuer string) (*Signer, error) {
	if issuer == "" {
		return nil, errors.New("oidc: NewSigner: empty issuer")
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("oidc: generate key: %w", err)
	}
	sum := sha256.Sum256(key.PublicKey.N.Bytes())
	return &Signer{Issuer: issuer, key: key, kid: fmt.Sprintf("%x", sum[:10])}, nil
}

// KeyID is the kid of the signer's key, as put in token headers and the JWKS.
func (s *Signer) KeyID() string { return s.kid }

// PublicKey is the signer's public key (for Verifier.Keys).
func (s *Signer) PublicKey() *rsa.PublicKey { return &s.key.PublicKey }

type header struct {
	Alg string `json:"alg"`
	Typ string `json:"typ,omitempty"`
	Kid string `json:"kid,omitempty"`
}

type idClaims struct {
	Iss           string   `json:"iss"`
	Aud           audience `json:"aud"`
	Sub           string   `json:"sub"`
	Email         string   `json:"email,omitempty"`
	EmailVerified *bool    `json:"email_verified,omitempty"`
	Iat           *int64   `json:"iat,omitempty"`
	Exp           *int64   `json:"exp,omitempty"`
	Nbf           *int64   `json:"nbf,omitempty"`
}

// audience decodes the aud claim, which is either a string or an array of strings.
type audience []string

func (a audience) MarshalJSON() ([]byte, error) {
	if len(a) == 1 {
		return json.Marshal(a[0])
	}
	return json.Marshal([]string(a))
}

func (a *audience) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*a = audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("aud is neither a string nor an array of strings")
	}
	*a = many
	return nil
}

// IDToken issues a token for audience, identifying email (sub and email claims, with
// email_verified true), valid from now for ttl.
func (s *Signer) IDToken(aud, email string, ttl time.Duration) (string, error) {
	if aud == "" {
		return "", errors.New("oidc: IDToken: empty audience")
	}
	if ttl <= 0 {
		return "", errors.New("oidc: IDToken: ttl must be positive")
	}
	now := time.Now()
	iat, exp, yes := now.Unix(), now.Add(ttl).Unix(), true
	c := idClaims{
		Iss: s.Issuer, Aud: audience{aud}, Sub: email, Email: email, EmailVerified: &yes,
		Iat: &iat, Exp: &exp,
	}
	return s.sign(header{Alg: algRS256, Typ: "JWT", Kid: s.kid}, c)
}

// sign encodes and signs any header and claims (tests use it to forge tokens).
func (s *Signer) sign(h header, claims any) (string, error) {
	hb, err := json.Marshal(h)
	if err != nil {
		return "", err
	}
	cb, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	input := b64.EncodeToString(hb) + "." + b64.EncodeToString(cb)
	digest := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, s.key, crypto.SHA256, digest[:])
	if err != nil {
		return "", fmt.Errorf("oidc: sign: %w", err)
	}
	return input + "." + b64.EncodeToString(sig), nil
}

type jwk struct {
	Kty string `json:"kty"`
	Alg string `json:"alg,omitempty"`
	Use string `json:"use,omitempty"`
	Kid string `json:"kid,omitempty"`
	N   string `json:"n,omitempty"`
	E   string `json:"e,omitempty"`
}

type jwks struct {
	Keys []jwk `json:"keys"`
}

// JWKS is the signer's public key as a JSON Web Key Set:
// {"keys":[{"kty":"RSA","alg":"RS256","use":"sig","kid":…,"n":…,"e":…}]}.
func (s *Signer) JWKS() []byte {
	pub := s.key.PublicKey
	b, _ := json.Marshal(jwks{Keys: []jwk{{
		Kty: "RSA", Alg: algRS256, Use: "sig", Kid: s.kid,
		N: b64.EncodeToString(pub.N.Bytes()),
		E: b64.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}}})
	return b
}

// JWKSHandler serves JWKS() as application/json.
func (s *Signer) JWKSHandler() http.Handler {
	body := s.JWKS()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "public, max-age=300")
		_, _ = w.Write(body)
	})
}

// ---------------------------------------------------------------------------------
// Verifier

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
	// JWKSURL is fetched lazily and cached: refreshed when older than 5 minutes, and
	// when a token names an unknown kid (at most once a second).
	JWKSURL string
	// Keys are static keys (kid -> key), used instead of JWKSURL when set.
	Keys       map[string]*rsa.PublicKey
	HTTPClient *http.Client     // default: a client with a 10 s timeout
	Now        func() time.Time // default time.Now; 60 s of clock skew are allowed

	mu        sync.Mutex // guards the cache below
	fetchMu   sync.Mutex // one JWKS fetch at a time
	cached    map[string]*rsa.PublicKey
	fetchedAt time.Time
	failedAt  time.Time // last failed fetch: no new attempt within jwksMinRefetch
}

var defaultClient = &http.Client{Timeout: 10 * time.Second}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
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
	if len(rawToken) > maxTokenSize {
		return nil, invalid("token too large")
	}
	parts := strings.Split(rawToken, ".")
	if len(parts) != 3 {
		return nil, invalid("not a JWS compact token")
	}
	var h header
	if err := decodeSegment(parts[0], &h); err != nil {
		return nil, invalid("header: %v", err)
	}
	if h.Alg != algRS256 {
		return nil, invalid("algorithm %q not accepted (want RS256)", h.Alg)
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil {
		return nil, invalid("signature encoding: %v", err)
	}
	key, err := v.key(ctx, h.Kid)
	if err != nil {
		return nil, err
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], sig); err != nil {
		return nil, invalid("bad signature")
	}

	var c idClaims
	if err := decodeSegment(parts[1], &c); err != nil {
		return nil, invalid("claims: %v", err)
	}
	if !slices.Contains(v.Issuers, c.Iss) {
		return nil, invalid("issuer %q not accepted", c.Iss)
	}
	if !slices.Contains(c.Aud, v.Audience) {
		return nil, invalid("audience %q does not include %q", []string(c.Aud), v.Audience)
	}
	now := v.now()
	if c.Exp == nil {
		return nil, invalid("no exp claim")
	}
	exp := time.Unix(*c.Exp, 0)
	if !now.Before(exp.Add(ClockSkew)) {
		return nil, invalid("token expired at %s", exp.UTC().Format(time.RFC3339))
	}
	var iat time.Time
	if c.Iat != nil {
		iat = time.Unix(*c.Iat, 0)
		if iat.After(now.Add(ClockSkew)) {
			return nil, invalid("token issued in the future (%s)", iat.UTC().Format(time.RFC3339))
		}
	}
	if c.Nbf != nil && time.Unix(*c.Nbf, 0).After(now.Add(ClockSkew)) {
		return nil, invalid("token not valid yet")
	}
	claims := &Claims{
		Issuer: c.Iss, Subject: c.Sub, Email: c.Email, EmailVerified: c.EmailVerified != nil && *c.EmailVerified,
		Audience: v.Audience, IssuedAt: iat, Expiry: exp,
	}
	if len(v.AllowedEmails) > 0 {
		if !claims.EmailVerified || !slices.Contains(v.AllowedEmails, claims.Email) {
			return claims, fmt.Errorf("%w: email %q (verified %t) is not allowed", ErrForbidden, claims.Email, claims.EmailVerified)
		}
	}
	return claims, nil
}

func decodeSegment(seg string, dst any) error {
	b, err := b64.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, dst)
}

// key finds the public key for kid: among the static Keys, or in the (possibly
// refreshed) JWKS.
func (v *Verifier) key(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	if len(v.Keys) > 0 {
		if k, ok := v.Keys[kid]; ok {
			return k, nil
		}
		if kid == "" && len(v.Keys) == 1 {
			for _, k := range v.Keys {
				return k, nil
			}
		}
		return nil, invalid("unknown key id %q", kid)
	}
	if v.JWKSURL == "" {
		return nil, fmt.Errorf("%w: verifier has neither Keys nor JWKSURL", ErrKeysUnavailable)
	}

	v.mu.Lock()
	k, known := lookup(v.cached, kid)
	fresh := v.cached != nil && v.now().Sub(v.fetchedAt) < jwksMaxAge
	v.mu.Unlock()
	if known && fresh {
		return k, nil
	}

	v.fetchMu.Lock()
	defer v.fetchMu.Unlock()
	// Another caller may have fetched while this one waited.
	v.mu.Lock()
	k, known = lookup(v.cached, kid)
	now := v.now()
	age, sinceFailure := now.Sub(v.fetchedAt), now.Sub(v.failedAt)
	hasCache := v.cached != nil
	v.mu.Unlock()
	switch {
	case known && (age < jwksMaxAge || sinceFailure < jwksMinRefetch):
		return k, nil
	case hasCache && !known && age < jwksMinRefetch:
		return nil, invalid("unknown key id %q", kid)
	case sinceFailure < jwksMinRefetch:
		return nil, fmt.Errorf("%w: last fetch of %s failed just now", ErrKeysUnavailable, v.JWKSURL)
	}
	keys, err := v.fetch(ctx)
	if err != nil {
		v.mu.Lock()
		v.failedAt = v.now()
		v.mu.Unlock()
		if known {
			return k, nil // a stale key beats no key
		}
		return nil, err
	}
	v.mu.Lock()
	v.cached, v.fetchedAt, v.failedAt = keys, v.now(), time.Time{}
	v.mu.Unlock()
	if k, ok := lookup(keys, kid); ok {
		return k, nil
	}
	return nil, invalid("unknown key id %q", kid)
}

func lookup(keys map[string]*rsa.PublicKey, kid string) (*rsa.PublicKey, bool) {
	if k, ok := keys[kid]; ok {
		return k, true
	}
	if kid == "" && len(keys) == 1 {
		for _, k := range keys {
			return k, true
		}
	}
	return nil, false
}

func (v *Verifier) fetch(ctx context.Context) (map[string]*rsa.PublicKey, error) {
	client := v.HTTPClient
	if client == nil {
		client = defaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.JWKSURL, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKeysUnavailable, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKeysUnavailable, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSSize))
	if err != nil {
		return nil, fmt.Errorf("%w: read JWKS: %v", ErrKeysUnavailable, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: GET %s: HTTP %d", ErrKeysUnavailable, v.JWKSURL, resp.StatusCode)
	}
	keys, err := ParseJWKS(body)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKeysUnavailable, err)
	}
	return keys, nil
}

// ParseJWKS extracts the RSA signing keys (kid -> key) of a JWKS document. Keys of
// other types, or marked for another use or algorithm than RS256, are skipped.
func ParseJWKS(doc []byte) (map[string]*rsa.PublicKey, error) {
	var set jwks
	if err := json.Unmarshal(doc, &set); err != nil {
		return nil, fmt.Errorf("parse JWKS: %w", err)
	}
	keys := make(map[string]*rsa.PublicKey)
	for _, k := range set.Keys {
		if k.Kty != "RSA" || (k.Use != "" && k.Use != "sig") || (k.Alg != "" && k.Alg != algRS256) {
			continue
		}
		n, err := b64.DecodeString(k.N)
		if err != nil || len(n) == 0 {
			continue
		}
		e, err := b64.DecodeString(k.E)
		if err != nil || len(e) == 0 || len(e) > 4 {
			continue
		}
		eInt := new(big.Int).SetBytes(e).Int64()
		if eInt < 3 {
			continue
		}
		keys[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(eInt)}
	}
	if len(keys) == 0 {
		return nil, errors.New("JWKS has no usable RS256 key")
	}
	return keys, nil
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
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": msg}})
}
