// Package oidcsigner plays the part of Google's token service locally: it issues RS256
// OpenID Connect ID tokens and publishes its public key as a JWKS document. The Cloud
// Tasks stand-in signs every task it dispatches with it, and the local scheduler signs
// its calls of the reminder scan; the functions verify those tokens with shared/oidc, as
// they verify Google's when deployed.
//
// It is local-only code: the deployed source archive leaves out scripts/.
package oidcsigner

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"time"
)

// AlgRS256 is the only algorithm the signer uses (and the verifier accepts).
const AlgRS256 = "RS256"

var b64 = base64.RawURLEncoding

// Signer issues RS256 ID tokens with one RSA 2048 key. It is safe for concurrent use.
type Signer struct {
	Issuer string // the iss claim of every token

	key *rsa.PrivateKey
	kid string
}

// New creates a signer with a fresh RSA 2048 key. The key id is derived from the public
// key, so two signers never share one.
func New(issuer string) (*Signer, error) {
	if issuer == "" {
		return nil, errors.New("oidcsigner: empty issuer")
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("oidcsigner: generate key: %w", err)
	}
	sum := sha256.Sum256(key.PublicKey.N.Bytes())
	return &Signer{Issuer: issuer, key: key, kid: fmt.Sprintf("%x", sum[:10])}, nil
}

// KeyID is the kid of the signer's key, as put in token headers and the JWKS.
func (s *Signer) KeyID() string { return s.kid }

// PublicKey is the signer's public key.
func (s *Signer) PublicKey() *rsa.PublicKey { return &s.key.PublicKey }

// Header is a JWS protected header.
type Header struct {
	Alg string `json:"alg"`
	Typ string `json:"typ,omitempty"`
	Kid string `json:"kid,omitempty"`
}

// IDToken issues a token for audience aud, identifying email (sub and email claims, with
// email_verified true, as Google's tokens for service accounts have), valid from now for
// ttl.
func (s *Signer) IDToken(aud, email string, ttl time.Duration) (string, error) {
	if aud == "" {
		return "", errors.New("oidcsigner: IDToken: empty audience")
	}
	if ttl <= 0 {
		return "", errors.New("oidcsigner: IDToken: ttl must be positive")
	}
	now := time.Now()
	return s.Sign(s.Header(), map[string]any{
		"iss": s.Issuer, "aud": aud, "sub": email, "email": email, "email_verified": true,
		"iat": now.Unix(), "exp": now.Add(ttl).Unix(),
	})
}

// Header is the header IDToken uses: RS256, JWT, the signer's kid.
func (s *Signer) Header() Header { return Header{Alg: AlgRS256, Typ: "JWT", Kid: s.kid} }

// Sign encodes h and claims and signs them with the signer's key (RS256, whatever h.Alg
// says). Tests use it to make tokens the verifier must refuse.
func (s *Signer) Sign(h Header, claims any) (string, error) {
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
		return "", fmt.Errorf("oidcsigner: sign: %w", err)
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

// JWKS is the signer's public key as a JSON Web Key Set:
// {"keys":[{"kty":"RSA","alg":"RS256","use":"sig","kid":…,"n":…,"e":…}]}.
func (s *Signer) JWKS() []byte {
	pub := s.key.PublicKey
	b, _ := json.Marshal(map[string][]jwk{"keys": {{
		Kty: "RSA", Alg: AlgRS256, Use: "sig", Kid: s.kid,
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
