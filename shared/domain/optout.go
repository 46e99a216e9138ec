package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// A client's opt-out of a tenant's automatic messages: she writes one of the tenant's
// opt-out keywords (DefaultOptOutKeywords unless the tenant set its own) as the whole
// message and gets no booking notice, reminder or cancellation notice from that tenant
// any more, until she writes ResumeKeyword or the owner resumes her in the dashboard.
// Messages staff send by hand from the WhatsApp Business App never pass through Lembra
// and are never blocked.

// DefaultOptOutKeywords are the opt-out keywords of a tenant that set none.
var DefaultOptOutKeywords = []string{"PARAR", "SAIR", "CANCELAR MENSAGENS", "STOP"}

// ResumeKeyword resumes a client who opted out. It is fixed (not a setting), so the
// confirmation text can always name it.
const ResumeKeyword = "VOLTAR"

// Opt-out keyword list bounds (the settings' rule, tenants.CheckOptOutKeywords).
const (
	MaxOptOutKeywords   = 20
	MaxOptOutKeywordLen = 40
)

// OptOutIntent is what a client message says about automatic messages.
type OptOutIntent int

const (
	OptOutNone   OptOutIntent = iota // an ordinary message
	OptOutStop                       // one of the opt-out keywords
	OptOutResume                     // ResumeKeyword
)

var foldMarks = transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)

// NormalizeKeyword is the form keywords are compared in: accents folded, upper case,
// anything that is not a letter or a digit at either end dropped (punctuation, emoji,
// spaces, invisible characters), and each run of spaces or punctuation inside turned
// into one space. "  Parar!! 🙏" and "párar" become "PARAR"; "cancelar-mensagens"
// becomes "CANCELAR MENSAGENS".
func NormalizeKeyword(s string) string {
	folded, _, err := transform.String(foldMarks, s)
	if err != nil {
		folded = s
	}
	var b strings.Builder
	gap := false
	for _, r := range folded {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if gap && b.Len() > 0 {
				b.WriteByte(' ')
			}
			gap = false
			b.WriteString(strings.ToUpper(string(r)))
			continue
		}
		gap = true
	}
	return b.String()
}

// OptOutKeywords is a tenant's keyword list in normalized form: its own when set, else
// DefaultOptOutKeywords.
func OptOutKeywords(custom []string) []string {
	src := custom
	if len(src) == 0 {
		src = DefaultOptOutKeywords
	}
	out := make([]string, 0, len(src))
	for _, k := range src {
		if n := NormalizeKeyword(k); n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// MatchOptOut reads a client's text message against the tenant's keywords (as stored;
// nil: the defaults): the whole message, normalized, must be a keyword ("Parar." is an
// opt-out, "não quero parar" is not), or ResumeKeyword.
func MatchOptOut(text string, custom []string) OptOutIntent {
	n := NormalizeKeyword(text)
	switch {
	case n == "":
		return OptOutNone
	case n == ResumeKeyword:
		return OptOutResume
	case slices.Contains(OptOutKeywords(custom), n):
		return OptOutStop
	}
	return OptOutNone
}

// OptOutKey is the key a client is known by in the tenant's opt-out set: a hash of the
// digits of her number (so "+55 11 98765-4321", "5511987654321" and the wa_id
// "551187654321" are one client),
// short enough that a few thousand fit the tenant document.
func OptOutKey(phone string) string {
	d := Digits(phone)
	if d == "" {
		return ""
	}
	// A Brazilian mobile number's wa_id may lack the ninth digit the booking system
	// writes (55 DD 8xxx-xxxx for 55 DD 98xxx-xxxx): both are one client, keyed by the
	// form with it.
	if other, ok := BrazilMobileOtherForm(d); ok && len(d) == 12 {
		d = other
	}
	sum := sha256.Sum256([]byte("optout:" + d))
	return hex.EncodeToString(sum[:8])
}

// MaxOptedOut bounds the tenant document's opt-out set (16 hex digits each: about
// 100 KB at the bound). A tenant beyond it is marked OptOutOverflow, and dispatch then
// reads the client's conversation ledger (the record of truth) for each automatic send.
const MaxOptedOut = 5000

// OptOut is a client's opt-out as her conversation ledger records it.
type OptOut struct {
	Active bool `firestore:"active"`
	// At is the time of the message or action that made the latest change: an older
	// one (a late redelivery) changes nothing.
	At time.Time `firestore:"at"`
	// InboundID is the client's message that made it (empty: the owner did).
	InboundID string `firestore:"inbound_id,omitempty"`
	// Keyword is the client's word, as normalized ("PARAR", "VOLTAR").
	Keyword string `firestore:"keyword,omitempty"`
	// By is the owner's e-mail and Reason her reason, when she resumed the client.
	By     string `firestore:"by,omitempty"`
	Reason string `firestore:"reason,omitempty"`
}

// ApplyOptOut is the ledger's state after a change: a change older than the stored
// one changes nothing (false), as does one that repeats the stored change's message,
// or a resume of a client who never opted out (nil stays nil).
func ApplyOptOut(cur *OptOut, next OptOut) (*OptOut, bool) {
	if cur == nil && !next.Active {
		return nil, false
	}
	if cur != nil {
		if next.At.Before(cur.At) || (next.InboundID != "" && next.InboundID == cur.InboundID) {
			return cur, false
		}
		if cur.Active == next.Active && next.At.Equal(cur.At) {
			return cur, false
		}
	}
	n := next
	n.At = n.At.UTC()
	return &n, true
}

// OptedOut reports whether the ledger says the client opted out.
func (c *Conversation) OptedOut() bool { return c != nil && c.OptOut != nil && c.OptOut.Active }

// ClientOptedOut reports whether the tenant document lists the client's number as opted
// out (a set kept in step with the ledgers, see SetOptedOut).
func (t *Tenant) ClientOptedOut(phone string) bool {
	k := OptOutKey(phone)
	return k != "" && slices.Contains(t.OptedOut, k)
}

// SetOptedOut adds (active) or removes the client's key in the tenant's opt-out set
// and reports whether the tenant changed. A set at MaxOptedOut takes no more keys and
// marks the tenant OptOutOverflow instead.
func (t *Tenant) SetOptedOut(phone string, active bool) bool {
	k := OptOutKey(phone)
	if k == "" {
		return false
	}
	i := slices.Index(t.OptedOut, k)
	switch {
	case active && i >= 0, !active && i < 0 && !t.OptOutOverflow:
		return false
	case active && len(t.OptedOut) >= MaxOptedOut:
		if t.OptOutOverflow {
			return false
		}
		t.OptOutOverflow = true
		return true
	case active:
		t.OptedOut = append(t.OptedOut, k)
		return true
	case i >= 0:
		t.OptedOut = slices.Delete(t.OptedOut, i, i+1)
		return true
	}
	return false // overflowed and not in the set: the ledger is what dispatch reads
}

// Digits keeps the digits of a phone number, whatever it is written with.
func Digits(phone string) string {
	var b strings.Builder
	for _, r := range phone {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
