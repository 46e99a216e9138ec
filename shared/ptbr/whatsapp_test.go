package ptbr

import (
	"net/url"
	"testing"
)

func TestManualMessage(t *testing.T) {
	for _, c := range []struct{ client, want string }{
		{"Maria Souza", "Olá, Maria! Aqui é do Studio Jana, sobre o seu horário de Design de sobrancelhas em 02/12/2026 às 14:00."},
		{"  Ana ", "Olá, Ana! Aqui é do Studio Jana, sobre o seu horário de Design de sobrancelhas em 02/12/2026 às 14:00."},
		{"", "Olá! Aqui é do Studio Jana, sobre o seu horário de Design de sobrancelhas em 02/12/2026 às 14:00."},
	} {
		if got := ManualMessage(c.client, "Studio Jana", "Design de sobrancelhas", "02/12/2026", "14:00"); got != c.want {
			t.Errorf("%q: %q, want %q", c.client, got, c.want)
		}
	}
}

func TestWhatsAppURL(t *testing.T) {
	for _, c := range []struct{ name, phone, text, want string }{
		{"E.164, accents, comma, exclamation and colon encoded, spaces as %20", "+5511987654321", "Olá, Maria! às 14:00.",
			"https://wa.me/5511987654321?text=Ol%C3%A1%2C%20Maria%21%20%C3%A0s%2014%3A00."},
		{"a formatted number keeps its digits only", "+55 (11) 98765-4321", "oi", "https://wa.me/5511987654321?text=oi"},
		{"a literal plus, ampersand, question mark and hash stay text", "+5511987654321", "1+1 & ok? #2",
			"https://wa.me/5511987654321?text=1%2B1%20%26%20ok%3F%20%232"},
		{"no text: no query", "+5511987654321", "", "https://wa.me/5511987654321"},
		{"no digits: no link", "abc", "oi", ""},
	} {
		got := WhatsAppURL(c.phone, c.text)
		if got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
			continue
		}
		if got == "" || c.text == "" {
			continue
		}
		u, err := url.Parse(got)
		if err != nil || u.Query().Get("text") != c.text {
			t.Errorf("%s: the link's text decodes to %q (%v), want %q", c.name, u.Query().Get("text"), err, c.text)
		}
	}
}
