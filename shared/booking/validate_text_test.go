package booking

import (
	"errors"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
)

func TestValidateRefusesInvisibleAndControlCharacters(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	good := func() NewAppointment {
		return NewAppointment{
			ExternalID: "agenda-1001", ClientName: "Conceição Souza", ClientPhone: "+5511987654321",
			Service: "Design de sobrancelhas", Location: "Rua Augusta, 1500 – São Paulo", StartsAt: now.Add(48 * time.Hour),
		}
	}
	cases := []struct {
		name  string
		edit  func(*NewAppointment)
		field string
		code  string
	}{
		{"valid", func(*NewAppointment) {}, "", ""},
		{"emoji in the service", func(in *NewAppointment) { in.Service = "Unhas 💅🏽" }, "", ""},
		{"right-to-left override in the name", func(in *NewAppointment) { in.ClientName = "Maria \u202eazuoS" }, "client_name", domain.CodeInvalidCharacters},
		{"NUL in the name", func(in *NewAppointment) { in.ClientName = "Maria\x00" }, "client_name", domain.CodeInvalidCharacters},
		{"zero-width space in the service", func(in *NewAppointment) { in.Service = "Design\u200b de sobrancelhas" }, "service", domain.CodeInvalidCharacters},
		{"byte order mark before the location", func(in *NewAppointment) { in.Location = "\ufeffRua Augusta" }, "location", domain.CodeInvalidCharacters},
		{"word joiner in the external id", func(in *NewAppointment) { in.ExternalID = "agenda\u20601001" }, "external_id", domain.CodeInvalidCharacters},
		{"control character in the external id", func(in *NewAppointment) { in.ExternalID = "agenda\x1b1001" }, "external_id", domain.CodeInvalidCharacters},
		// Line breaks keep their own, older code: WhatsApp refuses them in template variables.
		{"line break in the name", func(in *NewAppointment) { in.ClientName = "Maria\nSouza" }, "client_name", "invalid_text"},
	}
	for _, c := range cases {
		in := good()
		c.edit(&in)
		err := in.Validate(now)
		if c.code == "" {
			if err != nil {
				t.Errorf("%s: refused: %v", c.name, err)
			}
			continue
		}
		var ve *domain.ValidationError
		if !errors.As(err, &ve) || ve.Field != c.field || ve.Code != c.code {
			t.Errorf("%s: got %v, want %s on %s", c.name, err, c.code, c.field)
		}
	}
}
