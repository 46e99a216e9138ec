package domain

import (
	"strings"
	"testing"
)

func TestValidVoucherToken(t *testing.T) {
	for _, c := range []struct {
		name, token string
		want        bool
	}{
		{"a token as the booking API makes them", "q3Xz-_09AbCdEfGhIjKlMnOpQrStUvWx", true},
		{"every letter of the alphabet", strings.Repeat("-_", 16), true},
		{"empty: it would match an appointment without a token", "", false},
		{"one short", strings.Repeat("a", 31), false},
		{"one long", strings.Repeat("a", 33), false},
		{"padding is never written", strings.Repeat("a", 31) + "=", false},
		{"standard base64's plus", strings.Repeat("a", 31) + "+", false},
		{"standard base64's slash", strings.Repeat("a", 31) + "/", false},
		{"a path's dot", strings.Repeat("a", 28) + ".png", false},
		{"a space", strings.Repeat("a", 31) + " ", false},
		{"non-ASCII of the same byte length", strings.Repeat("a", 30) + "é", false},
		{"a test fixture's token", "tok-ext-1", false},
	} {
		if got := ValidVoucherToken(c.token); got != c.want {
			t.Errorf("%s: ValidVoucherToken(%q) = %v, want %v", c.name, c.token, got, c.want)
		}
	}
}
