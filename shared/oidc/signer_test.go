package oidc

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// testSigner issues RS256 ID tokens for these tests, as Google's token service does for
// Cloud Tasks and Cloud Scheduler. (The local stack's signer lives with the stand-ins,
// which product packages cannot import; these tests need only this much of it.)
type testSigner struct {
	Issuer string
	key    *rsa.PrivateKey
	kid    string
}

var signerSerial atomic.Int64

func newTestSigner(issuer string) (*testSigner, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	return &testSigner{Issuer: issuer, key: key, kid: "test-key-" + strconv.FormatInt(signerSerial.Add(1), 10)}, nil
}

// tokenHeader is a JWT's header; tests forge unusual ones (alg none, HS256).
type tokenHeader struct {
	Alg string `json:"alg"`
	Typ string `json:"typ,omitempty"`
	Kid string `json:"kid,omitempty"`
}

func (s *testSigner) KeyID() string { return s.kid }

func (s *testSigner) Header() tokenHeader { return tokenHeader{Alg: "RS256", Typ: "JWT", Kid: s.kid} }

// Sign signs any header and claims with the signer's key.
func (s *testSigner) Sign(h tokenHeader, claims any) (string, error) {
	hb, err := json.Marshal(h)
	if err != nil {
		return "", err
	}
	cb, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(hb) + "." + enc.EncodeToString(cb)
	digest := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, s.key, crypto.SHA256, digest[:])
	if err != nil {
		return "", err
	}
	return input + "." + enc.EncodeToString(sig), nil
}

// IDToken is a valid token for aud and email, for ttl from now.
func (s *testSigner) IDToken(aud, email string, ttl time.Duration) (string, error) {
	now := time.Now()
	return s.Sign(s.Header(), map[string]any{
		"iss": s.Issuer, "aud": aud, "sub": email, "email": email, "email_verified": true,
		"iat": now.Unix(), "exp": now.Add(ttl).Unix(),
	})
}

// JWKSHandler serves the signer's public key as a JWK Set.
func (s *testSigner) JWKSHandler() http.Handler {
	body, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{
		Key: &s.key.PublicKey, KeyID: s.kid, Algorithm: "RS256", Use: "sig",
	}}})
	if err != nil {
		panic(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
}
