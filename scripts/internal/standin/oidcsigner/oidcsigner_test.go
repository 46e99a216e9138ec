package oidcsigner

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestIDTokenIsSignedAndShaped(t *testing.T) {
	s, err := New("http://127.0.0.1/oidc")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := s.IDToken("https://dispatch.test", "tasks@x.iam.gserviceaccount.com", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q", tok)
	}
	var h Header
	var c map[string]any
	hb, _ := b64.DecodeString(parts[0])
	cb, _ := b64.DecodeString(parts[1])
	if json.Unmarshal(hb, &h) != nil || json.Unmarshal(cb, &c) != nil {
		t.Fatal("undecodable token")
	}
	if h != (Header{Alg: "RS256", Typ: "JWT", Kid: s.KeyID()}) {
		t.Errorf("header %+v", h)
	}
	if c["iss"] != s.Issuer || c["aud"] != "https://dispatch.test" || c["email"] != "tasks@x.iam.gserviceaccount.com" ||
		c["sub"] != c["email"] || c["email_verified"] != true {
		t.Errorf("claims %v", c)
	}
	if exp, iat := c["exp"].(float64), c["iat"].(float64); exp-iat != 60 {
		t.Errorf("lifetime %v s", exp-iat)
	}
	sig, _ := b64.DecodeString(parts[2])
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(s.PublicKey(), crypto.SHA256, digest[:], sig); err != nil {
		t.Errorf("signature: %v", err)
	}
}

func TestArguments(t *testing.T) {
	s, _ := New("http://issuer")
	if _, err := s.IDToken("", "a@b", time.Minute); err == nil {
		t.Error("empty audience accepted")
	}
	if _, err := s.IDToken("aud", "a@b", 0); err == nil {
		t.Error("zero ttl accepted")
	}
	if _, err := New(""); err == nil {
		t.Error("empty issuer accepted")
	}
}

func TestJWKSDocument(t *testing.T) {
	s, _ := New("http://issuer")
	var doc struct {
		Keys []map[string]string `json:"keys"`
	}
	if err := json.Unmarshal(s.JWKS(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Keys) != 1 {
		t.Fatalf("keys %v", doc.Keys)
	}
	k := doc.Keys[0]
	if k["kty"] != "RSA" || k["alg"] != "RS256" || k["use"] != "sig" || k["kid"] != s.KeyID() || k["e"] != "AQAB" || len(k["n"]) < 340 {
		t.Errorf("key %v", k)
	}
	rec := httptest.NewRecorder()
	s.JWKSHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/jwks", nil))
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json" || rec.Body.String() != string(s.JWKS()) {
		t.Errorf("handler: %d %q %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	rec = httptest.NewRecorder()
	s.JWKSHandler().ServeHTTP(rec, httptest.NewRequest("POST", "/jwks", nil))
	if rec.Code != 405 {
		t.Errorf("POST: %d", rec.Code)
	}
}
