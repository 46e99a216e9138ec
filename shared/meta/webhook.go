package meta

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
)

// Signature errors: missing means no usable header; invalid means it does not match.
var (
	ErrSignatureMissing = errors.New("meta: X-Hub-Signature-256 missing")
	ErrSignatureInvalid = errors.New("meta: X-Hub-Signature-256 does not match")
)

// VerifySignature checks Meta's X-Hub-Signature-256 header ("sha256=" and the
// lowercase hex HMAC-SHA256 of the raw body, keyed with the app secret), in constant time.
func VerifySignature(body []byte, header string, appSecret []byte) error {
	hexSig, ok := strings.CutPrefix(strings.TrimSpace(header), "sha256=")
	if !ok || hexSig == "" {
		return ErrSignatureMissing
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil || len(got) != sha256.Size {
		return ErrSignatureInvalid
	}
	mac := hmac.New(sha256.New, appSecret)
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return ErrSignatureInvalid
	}
	return nil
}

// Sign computes the X-Hub-Signature-256 value for body (used by tests and the local stand-in).
func Sign(body, appSecret []byte) string {
	mac := hmac.New(sha256.New, appSecret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}
