package ptbr

import (
	"testing"
	"time"
)

func TestFormatsInTenantZone(t *testing.T) {
	sp, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		t.Fatal(err)
	}
	manaus, _ := time.LoadLocation("America/Manaus")
	at := time.Date(2026, 12, 1, 2, 30, 0, 0, time.UTC) // 23:30 the day before in São Paulo
	cases := []struct {
		name string
		got  string
		want string
	}{
		{"date sao paulo", Date(at, sp), "30/11/2026"},
		{"time sao paulo", Time(at, sp), "23:30"},
		{"date manaus", Date(at, manaus), "30/11/2026"},
		{"time manaus", Time(at, manaus), "22:30"},
		{"datetime", DateTime(time.Date(2026, 3, 5, 17, 4, 0, 0, time.UTC), sp), "05/03/2026 14:04"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
}
