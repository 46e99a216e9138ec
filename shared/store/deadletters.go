package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"cloud.google.com/go/firestore"
)

const (
	colDeadLetters = "webhook_dead_letters"
	colUnrouted    = "webhook_unrouted"
)

// MaxBodyExcerpt is how much of a body from outside (a webhook delivery, a change) is
// kept in Firestore. A document holds at most 1 MiB and Meta's deliveries reach 3 MB, so
// the body itself is never stored: its first bytes, its size and its SHA-256 are.
const MaxBodyExcerpt = 4 << 10

// maxStoredText bounds the other outside strings stored here (a reason, an id).
const maxStoredText = 1 << 10

// BodySummary is what is kept of a body from outside.
type BodySummary struct {
	Excerpt   string // the first bytes, at most MaxBodyExcerpt, valid UTF-8
	Truncated bool   // Excerpt is not the whole body
	Size      int    // bytes
	SHA256    string // hex, of the whole body
}

// SummarizeBody bounds a body for storage: the excerpt is cut on a character boundary
// and invalid UTF-8 is replaced (Firestore strings must be UTF-8); size and hash are of
// the body as received.
func SummarizeBody(body []byte) BodySummary {
	sum := sha256.Sum256(body)
	excerpt, truncated := clip(body, MaxBodyExcerpt)
	return BodySummary{Excerpt: excerpt, Truncated: truncated, Size: len(body), SHA256: hex.EncodeToString(sum[:])}
}

// clip returns at most n bytes of b as valid UTF-8, and whether anything was cut.
func clip(b []byte, n int) (string, bool) {
	if len(b) <= n {
		return strings.ToValidUTF8(string(b), "\uFFFD"), false
	}
	cut := n
	for cut > 0 && cut > n-utf8.UTFMax && !utf8.RuneStart(b[cut]) {
		cut--
	}
	s := strings.ToValidUTF8(string(b[:cut]), "\uFFFD")
	for len(s) > n { // replacements are 3 bytes: cut again, by whole characters
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s, true
}

func clipText(s string) string {
	out, _ := clip([]byte(s), maxStoredText)
	return out
}

// PutDeadLetter keeps what is left of a webhook delivery (or one change of it) that can
// never be applied, for the operator: the reason, the body's summary, and how many times
// it arrived. id names the delivery and, for a change, its entry and change index.
func (s *Store) PutDeadLetter(ctx context.Context, id string, body []byte, reason string) error {
	b := SummarizeBody(body)
	_, err := s.fs.Collection(colDeadLetters).Doc(docKey(id)).Set(ctx, map[string]any{
		"id": clipText(id), "reason": clipText(reason), "at": time.Now().UTC(), "count": firestore.Increment(1),
		"body": b.Excerpt, "body_truncated": b.Truncated, "body_size": b.Size, "body_sha256": b.SHA256,
	}, firestore.MergeAll)
	return err
}

// CountUnrouted counts a webhook change that names no known tenant, and keeps the
// summary of the last one.
func (s *Store) CountUnrouted(ctx context.Context, kind, id string, raw []byte) error {
	b := SummarizeBody(raw)
	_, err := s.fs.Collection(colUnrouted).Doc(docKey(kind+"-"+id)).Set(ctx, map[string]any{
		"kind": kind, "id": clipText(id), "count": firestore.Increment(1), "last_at": time.Now().UTC(),
		"last_value": b.Excerpt, "last_truncated": b.Truncated, "last_size": b.Size, "last_sha256": b.SHA256,
	}, firestore.MergeAll)
	return err
}

// plainKey is a document id that can be used as it is (Firestore forbids "/", "." and
// ".." alone, __x__ names, and ids over 1,500 bytes).
var plainKey = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.()-]{0,199}$`)

// docKey is key itself when it is a plain id (a Pub/Sub message id, a phone number
// id), else a hash of it, so that no outside value can make a document id invalid.
func docKey(key string) string {
	if plainKey.MatchString(key) && !strings.HasPrefix(key, "__") {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	return "sha256-" + hex.EncodeToString(sum[:16])
}
