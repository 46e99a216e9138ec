package domain

import (
	"errors"
	"strings"
	"testing"
)

func TestForbiddenRune(t *testing.T) {
	cases := []struct {
		name   string
		in     string
		bad    bool
		want   rune
		offset int
	}{
		{"plain name", "Maria Souza", false, 0, 0},
		{"accents", "Conceição Brandão", false, 0, 0},
		{"apostrophe and hyphen", "Ana-Luísa D'Ávila", false, 0, 0},
		{"no-break space", "Studio\u00a0Jana", false, 0, 0},
		{"combining accent", "Jose\u0301", false, 0, 0},
		{"emoji with a variation selector", "Unhas ❤️ 💅🏽", false, 0, 0},
		{"empty", "", false, 0, 0},
		{"address with dash and comma", "Rua Augusta, 1500 – São Paulo", false, 0, 0},

		{"NUL", "Maria\x00", true, 0x0000, 5},
		{"bell", "\aMaria", true, 0x0007, 0},
		{"tab", "Maria\tSouza", true, 0x0009, 5},
		{"line feed", "Maria\nSouza", true, 0x000A, 5},
		{"DEL", "Maria\x7f", true, 0x007F, 5},
		{"C1 control", "Maria\u0085", true, 0x0085, 5},
		{"right-to-left override", "Maria \u202eazuoS", true, 0x202E, 6},
		{"left-to-right embedding", "\u202aMaria", true, 0x202A, 0},
		{"first strong isolate", "Maria\u2068", true, 0x2068, 5},
		{"zero-width space", "Ma\u200bria", true, 0x200B, 2},
		{"zero-width non-joiner", "Ma\u200cria", true, 0x200C, 2},
		{"zero-width joiner", "👩\u200d🔧", true, 0x200D, 4},
		{"word joiner", "Ma\u2060ria", true, 0x2060, 2},
		{"byte order mark", "\ufeffMaria", true, 0xFEFF, 0},
		{"soft hyphen", "Ma\u00adria", true, 0x00AD, 2},
		{"tag character", "Maria\U000E0041", true, 0xE0041, 5},
		{"line separator", "Maria\u2028Souza", true, 0x2028, 5},
		{"paragraph separator", "Maria\u2029", true, 0x2029, 5},
		{"private use", "Maria\ue000", true, 0xE000, 5},
		{"not UTF-8", "Maria\xff", true, 0xFFFD, 5},
	}
	for _, c := range cases {
		r, offset, ok := ForbiddenRune(c.in)
		if ok != c.bad || (ok && (r != c.want || offset != c.offset)) {
			t.Errorf("%s: ForbiddenRune(%q) = %U at %d (%v), want %U at %d", c.name, c.in, r, offset, ok, c.want, c.offset)
		}
	}
}

func TestForbiddenRuneAllowsAReplacementCharacterThatIsUTF8(t *testing.T) {
	if _, _, ok := ForbiddenRune("Maria \ufffd"); ok {
		t.Error("U+FFFD written as UTF-8 is a visible character, not a decoding failure")
	}
}

func TestCheckText(t *testing.T) {
	if err := CheckText("client_name", "Maria Souza"); err != nil {
		t.Errorf("plain name refused: %v", err)
	}
	err := CheckText("client_name", "Maria \u202eazuoS")
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Field != "client_name" || ve.Code != CodeInvalidCharacters || !errors.Is(err, ErrInvalid) {
		t.Fatalf("got %#v, want a validation error for client_name with code invalid_characters", err)
	}
	if want := "client_name holds an invisible or control character (U+202E at byte 6); remove it"; ve.Message != want {
		t.Errorf("message %q, want %q", ve.Message, want)
	}
}

func TestTenantValidateRefusesInvisibleAndControlCharacters(t *testing.T) {
	base := Tenant{ID: "studio-jana", Name: "Studio Jana Beleza", LocationLine: "Rua Augusta, 1500 – São Paulo", Mode: ModeDryRun}
	cases := []struct {
		name     string
		edit     func(*Tenant)
		refused  bool
		mentions string
	}{
		{"valid", func(*Tenant) {}, false, ""},
		{"right-to-left override in the name", func(t *Tenant) { t.Name = "Studio \u202eanaJ" }, true, "name holds an invisible or control character (U+202E"},
		{"zero-width joiner in the name", func(t *Tenant) { t.Name = "Studio\u200dJana" }, true, "U+200D"},
		{"NUL in the location line", func(t *Tenant) { t.LocationLine = "Rua Augusta\x00, 1500" }, true, "location line holds an invisible or control character (U+0000"},
		{"line break in the location line", func(t *Tenant) { t.LocationLine = "Rua Augusta\n1500" }, true, "U+000A"},
	}
	for _, c := range cases {
		ten := base
		c.edit(&ten)
		err := ten.Validate()
		if (err != nil) != c.refused || (err != nil && (!errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.mentions))) {
			t.Errorf("%s: Validate() = %v, want refused=%v mentioning %q", c.name, err, c.refused, c.mentions)
		}
	}
}
