package ptbr

import (
	"strings"
	"testing"
)

// TestReplyConfirmedOffersTheCalendar: the answer to Confirmar carries the voucher link
// and says the voucher page saves the appointment in the calendar; without a link it
// mentions neither.
func TestReplyConfirmedOffersTheCalendar(t *testing.T) {
	for _, c := range []struct {
		url      string
		want     []string
		wantNone []string
	}{
		{"https://v.example/tok", []string{"Presença confirmada! ✅\nManicure em 10/12/2026 às 14:00.", "\nSeu voucher (e o botão para salvar na agenda): https://v.example/tok"}, nil},
		{"", []string{"Presença confirmada! ✅\nManicure em 10/12/2026 às 14:00."}, []string{"voucher", "agenda"}},
	} {
		got := ReplyConfirmed("Manicure", "10/12/2026", "14:00", c.url)
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("url %q: %q lacks %q", c.url, got, w)
			}
		}
		for _, w := range c.wantNone {
			if strings.Contains(got, w) {
				t.Errorf("url %q: %q has %q", c.url, got, w)
			}
		}
		if len([]rune(got)) > 160 {
			t.Errorf("a %d-character answer", len([]rune(got)))
		}
	}
}
