package voucher

import (
	"strings"
	"testing"
	"time"
)

func TestExpired(t *testing.T) {
	start := time.Date(2026, 12, 10, 17, 0, 0, 0, time.UTC) // 14:00 in São Paulo
	day := 24 * time.Hour
	cases := []struct {
		name string
		ttl  time.Duration
		now  time.Time
		want bool
	}{
		{"before the appointment", 30 * day, start.Add(-48 * time.Hour), false},
		{"during the appointment", 30 * day, start.Add(time.Hour), false},
		{"a day after", 30 * day, start.Add(day), false},
		{"a second before the end", 30 * day, start.Add(30*day - time.Second), false},
		{"exactly at the end", 30 * day, start.Add(30 * day), true},
		{"long after", 30 * day, start.AddDate(1, 0, 0), true},
		{"a one-day ttl, two days after", day, start.Add(2 * day), true},
		{"a one-day ttl, half a day after", day, start.Add(12 * time.Hour), false},
		{"no ttl means the default, 29 days after", 0, start.Add(29 * day), false},
		{"no ttl means the default, 31 days after", 0, start.Add(31 * day), true},
		{"now in another time zone", 30 * day, start.Add(30 * day).In(time.FixedZone("BRT", -3*3600)), true},
	}
	for _, c := range cases {
		if got := Expired(start, c.ttl, c.now); got != c.want {
			t.Errorf("%s: Expired = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestExpiredHTML(t *testing.T) {
	for studio, want := range map[string]string{
		"Studio Jana Beleza":   "fale com Studio Jana Beleza pelo WhatsApp",
		"":                     "fale com o estúdio pelo WhatsApp",
		"<b>Estúdio & Cia</b>": "fale com &lt;b&gt;Estúdio &amp; Cia&lt;/b&gt; pelo WhatsApp",
	} {
		b, err := ExpiredHTML(studio)
		if err != nil {
			t.Fatal(err)
		}
		page := string(b)
		if !strings.Contains(page, "Este voucher expirou") || !strings.Contains(page, want) || !strings.Contains(page, `lang="pt-BR"`) {
			t.Errorf("studio %q: page lacks %q:\n%s", studio, want, page)
		}
	}
}

// TestPagesLinkThePolicies: the voucher page and the expired page link the privacy policy
// and the terms of use, relative to the voucher's own address (<base>/privacidade,
// <base>/termos, served by the same function).
func TestPagesLinkThePolicies(t *testing.T) {
	page, err := HTML(View{Studio: "Studio Jana", FirstName: "Maria", Status: "Agendado", StatusClass: "scheduled", ImageURL: "x.png"})
	if err != nil {
		t.Fatal(err)
	}
	expired, err := ExpiredHTML("Studio Jana")
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"voucher": page, "expired": expired} {
		for _, want := range []string{`<a href="privacidade">Política de Privacidade</a>`, `<a href="termos">Termos de Uso</a>`} {
			if !strings.Contains(string(b), want) {
				t.Errorf("%s page lacks %s", name, want)
			}
		}
	}
}
