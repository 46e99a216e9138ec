// Package privacy holds the rules of data deletion: the check of Meta's data deletion
// callback (signed_request), which stored data identifies a person, how a client's data
// is anonymised, and the Portuguese status page of a deletion request. Everything here
// is pure; shared/store does the reads and writes.
//
// What the callback's user_id identifies. Meta calls the app's "Data Deletion Request
// URL" when a Facebook user removes the app in Settings & Privacy > Settings > Apps and
// Websites and asks for deletion; "the signed request contains an app-scoped ID
// identifying the user making the request"
// (https://developers.facebook.com/docs/development/create-an-app/app-dashboard/data-deletion-callback/).
// The only people who use Lembra's Meta app through Facebook are studio owners running
// Embedded Signup (Facebook Login); Lembra keeps no Facebook profile of them (their
// business token is stored per tenant in Secret Manager, not per person). The person-level
// data Lembra does hold is about the studios' clients, keyed by what WhatsApp gives: the
// wa_id (a phone number's digits) and, for username users, the business-scoped user id
// ("BSUID ... uniquely identifies a WhatsApp user and is tied to a specific business",
// https://developers.facebook.com/documentation/business-messaging/whatsapp/business-scoped-user-ids/),
// stored as the conversation's user_id. So a deletion request erases, in every tenant,
// the client whose conversation's user_id or wa_id is exactly the id the callback carries
// (Subject below); an id that names nobody Lembra holds is recorded as done with nothing
// found. Exact string equality only: never a prefix, never a phone variant of the id.
package privacy

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// SignedRequest is the payload of a verified signed_request.
type SignedRequest struct {
	Algorithm string `json:"algorithm"`
	UserID    string `json:"user_id"`
	IssuedAt  int64  `json:"issued_at"`
	Expires   int64  `json:"expires"`
}

// Errors of VerifySignedRequest (wrapped with details).
var (
	ErrMalformed = errors.New("malformed signed_request")
	ErrSignature = errors.New("signed_request signature does not match")
	ErrAlgorithm = errors.New("signed_request algorithm is not HMAC-SHA256")
	ErrNoUser    = errors.New("signed_request has no user_id")
	ErrNoSecret  = errors.New("no app secret to check signed_request with")
)

// maxSignedRequest bounds what is decoded (Meta's are a few hundred bytes).
const maxSignedRequest = 8 << 10

// VerifySignedRequest checks a signed_request as Meta's documentation builds it:
// "<base64url(signature)>.<base64url(payload)>", the signature being the raw
// HMAC-SHA256 of the ENCODED payload (the text after the dot) keyed with the app
// secret; the payload's algorithm must be HMAC-SHA256 and it must name a user_id.
// Base64url may come with or without '=' padding. The signature is compared in
// constant time, before the payload is trusted for anything.
// Source: the PHP sample of
// https://developers.facebook.com/docs/development/create-an-app/app-dashboard/data-deletion-callback/
// (explode('.', $signed_request, 2); hash_hmac('sha256', $payload, $secret, true)).
func VerifySignedRequest(signedRequest string, appSecret []byte) (SignedRequest, error) {
	var out SignedRequest
	if len(appSecret) == 0 {
		return out, ErrNoSecret
	}
	if len(signedRequest) > maxSignedRequest {
		return out, fmt.Errorf("%w: longer than %d bytes", ErrMalformed, maxSignedRequest)
	}
	encSig, encPayload, ok := strings.Cut(strings.TrimSpace(signedRequest), ".")
	if !ok || encSig == "" || encPayload == "" || strings.Contains(encPayload, ".") {
		return out, fmt.Errorf("%w: want <signature>.<payload>", ErrMalformed)
	}
	sig, err := decodeB64URL(encSig)
	if err != nil {
		return out, fmt.Errorf("%w: signature: %v", ErrMalformed, err)
	}
	mac := hmac.New(sha256.New, appSecret)
	mac.Write([]byte(encPayload))
	if !hmac.Equal(sig, mac.Sum(nil)) {
		return out, ErrSignature
	}
	payload, err := decodeB64URL(encPayload)
	if err != nil {
		return out, fmt.Errorf("%w: payload: %v", ErrMalformed, err)
	}
	if err := json.Unmarshal(payload, &out); err != nil {
		return SignedRequest{}, fmt.Errorf("%w: payload is not the expected JSON: %v", ErrMalformed, err)
	}
	if !strings.EqualFold(out.Algorithm, "HMAC-SHA256") {
		return SignedRequest{}, fmt.Errorf("%w: %q", ErrAlgorithm, out.Algorithm)
	}
	out.UserID = strings.TrimSpace(out.UserID)
	if out.UserID == "" || len(out.UserID) > 256 {
		return SignedRequest{}, ErrNoUser
	}
	return out, nil
}

// decodeB64URL decodes base64url with or without padding.
func decodeB64URL(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

// SignRequest builds a signed_request the way Meta does (for the local stand-in and
// tests): the payload's JSON, base64url without padding, signed as above.
func SignRequest(p SignedRequest, appSecret []byte) string {
	body, _ := json.Marshal(p)
	enc := base64.RawURLEncoding.EncodeToString(body)
	mac := hmac.New(sha256.New, appSecret)
	mac.Write([]byte(enc))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)) + "." + enc
}

// IssuedTime is the payload's issue time (zero when absent).
func (r SignedRequest) IssuedTime() time.Time {
	if r.IssuedAt <= 0 {
		return time.Time{}
	}
	return time.Unix(r.IssuedAt, 0).UTC()
}
