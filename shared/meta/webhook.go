package meta

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Signature errors: missing means no usable header; invalid means it does not match.
var (
	ErrSignatureMissing = errors.New("meta: X-Hub-Signature-256 missing")
	ErrSignatureInvalid = errors.New("meta: X-Hub-Signature-256 does not match")
)

// MinWebhookSecretBytes is the shortest app secret or verify token the webhook accepts.
// Meta's app secrets are 32 hexadecimal characters (App Dashboard > Settings > Basic,
// https://developers.facebook.com/docs/development/create-an-app/app-dashboard/basic-settings);
// the verify token is ours to choose (https://developers.facebook.com/docs/graph-api/webhooks/getting-started),
// and 16 bytes is the least that cannot be guessed or typed by mistake. A shorter value
// is a misconfiguration (an empty version added with `echo | gcloud secrets versions
// add`, a placeholder), never something to check a signature or a handshake against.
const MinWebhookSecretBytes = 16

// ErrWebhookSecretUnusable means the configured app secret or verify token is empty or
// too short: the webhook answers 503 (Meta retries) rather than trust it.
var ErrWebhookSecretUnusable = errors.New("meta: webhook secret unusable")

// CheckWebhookSecret reports whether an app secret or verify token, as read from
// Secret Manager (edge whitespace already trimmed), may be used: at least
// MinWebhookSecretBytes bytes.
func CheckWebhookSecret(value []byte) error {
	if len(value) < MinWebhookSecretBytes {
		return fmt.Errorf("%w: %d bytes, at least %d needed", ErrWebhookSecretUnusable, len(value), MinWebhookSecretBytes)
	}
	return nil
}

// VerifySignature checks Meta's X-Hub-Signature-256 header ("sha256=" and the
// lowercase hex HMAC-SHA256 of the raw body, keyed with the app secret), in constant time.
// An unusable app secret (CheckWebhookSecret) verifies nothing: an HMAC keyed with an
// empty key is one anybody can compute.
func VerifySignature(body []byte, header string, appSecret []byte) error {
	if err := CheckWebhookSecret(appSecret); err != nil {
		return err
	}
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

// Sign computes the X-Hub-Signature-256 value Meta sends for body: what tests sign
// their deliveries with (the local Meta stand-in has its own signer).
func Sign(body, appSecret []byte) string {
	mac := hmac.New(sha256.New, appSecret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}
