package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSummarizeBody(t *testing.T) {
	big := bytes.Repeat([]byte(`{"text":"olá"}`), 100_000)    // 1.5 MB, multi-byte characters
	garbage := bytes.Repeat([]byte{0xff, 'a', 0xfe}, 400_000) // 1.2 MB, not UTF-8
	cases := []struct {
		name      string
		body      []byte
		excerpt   string // "" = check the prefix only
		truncated bool
	}{
		{"small kept whole", []byte(`{"object":"x"}`), `{"object":"x"}`, false},
		{"empty", nil, "", false},
		{"exactly the limit", bytes.Repeat([]byte("a"), MaxBodyExcerpt), strings.Repeat("a", MaxBodyExcerpt), false},
		{"one byte over", bytes.Repeat([]byte("a"), MaxBodyExcerpt+1), strings.Repeat("a", MaxBodyExcerpt), true},
		{"large JSON", big, "", true},
		{"large garbage", garbage, "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := SummarizeBody(c.body)
			want := sha256.Sum256(c.body)
			if s.Size != len(c.body) || s.SHA256 != hex.EncodeToString(want[:]) || s.Truncated != c.truncated {
				t.Errorf("size %d sha %s truncated %v", s.Size, s.SHA256, s.Truncated)
			}
			if len(s.Excerpt) > MaxBodyExcerpt || !utf8.ValidString(s.Excerpt) {
				t.Errorf("excerpt of %d bytes, valid UTF-8 %v", len(s.Excerpt), utf8.ValidString(s.Excerpt))
			}
			if c.excerpt != "" && s.Excerpt != c.excerpt {
				t.Errorf("excerpt %q…", s.Excerpt[:min(40, len(s.Excerpt))])
			}
			if c.truncated && len(s.Excerpt) < MaxBodyExcerpt/2 {
				t.Errorf("excerpt only %d bytes", len(s.Excerpt))
			}
		})
	}
	// A cut falling inside a character keeps the whole characters before it.
	s := SummarizeBody(big)
	if !strings.HasPrefix(string(big), s.Excerpt) || len(s.Excerpt) < MaxBodyExcerpt-3 {
		t.Errorf("excerpt is not a character-aligned prefix of the body (%d bytes)", len(s.Excerpt))
	}
}

func TestDocKey(t *testing.T) {
	long := strings.Repeat("9", 1_500_000)
	cases := []struct {
		in    string
		plain bool
	}{
		{"17134151254590318", true},               // a Pub/Sub message id
		{"17134151254590318-e0-c3", true},         // one change of it
		{"phone_number_id-106540352242922", true}, // an unrouted number
		{"phone_number_id-(vazio)", true},         // an empty one
		{"phone_number_id-" + long, false},        // 1.5 MB "number"
		{"waba_id-a/b", false},                    // a slash would be a path
		{"..", false}, {"__name__", false}, {"", false}, {"olá", false},
	}
	for _, c := range cases {
		got := docKey(c.in)
		if c.plain && got != c.in {
			t.Errorf("%.40q: got %q, want it unchanged", c.in, got)
		}
		if !c.plain && (got == c.in || !strings.HasPrefix(got, "sha256-") || len(got) != len("sha256-")+32) {
			t.Errorf("%.40q: got %q, want a hash", c.in, got)
		}
	}
	if docKey("waba_id-a/b") == docKey("waba_id-a/c") {
		t.Error("different keys share a hash")
	}
}
