package web

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

type item struct {
	Name string `json:"name"`
}

type body struct {
	ClientName string         `json:"client_name"`
	Count      int            `json:"count"`
	Items      []item         `json:"items"`
	Extra      map[string]any `json:"extra"`
	Deep       any            `json:"deep"`
}

func TestDecodeJSON(t *testing.T) {
	cases := []struct {
		name   string
		ctype  string
		body   string
		status int // 0: accepted
		code   string
		field  string
	}{
		{"one object", "", `{"client_name":"Maria","count":2}`, 0, "", ""},
		{"white space after the object", "", "{\"client_name\":\"Maria\"}\n \t\r\n", 0, "", ""},
		{"same key in sibling objects", "", `{"items":[{"name":"a"},{"name":"b"}],"extra":{"name":"c"}}`, 0, "", ""},
		{"same key at two depths", "", `{"extra":{"extra":{"extra":1}}}`, 0, "", ""},
		{"keys that differ only in a letter", "", `{"extra":{"ab":1,"ac":2}}`, 0, "", ""},

		{"a second object", "", `{"client_name":"a"} {"client_name":"b"}`, 400, "invalid_json", ""},
		{"a stray closing brace", "", `{"client_name":"a"}}`, 400, "invalid_json", ""},
		{"a stray closing bracket", "", `{"client_name":"a"}]`, 400, "invalid_json", ""},
		{"trailing garbage", "", `{"client_name":"a"} x`, 400, "invalid_json", ""},
		{"trailing number", "", `{"client_name":"a"}0`, 400, "invalid_json", ""},

		{"duplicate top-level key", "", `{"client_name":"Maria","client_name":"Joana"}`, 400, "duplicate_key", "client_name"},
		{"duplicate key in another case", "", `{"client_name":"Maria","Client_Name":"Joana"}`, 400, "duplicate_key", "Client_Name"},
		{"duplicate key, Kelvin sign folds to k", "", `{"extra":{"k":1,"\u212a":2}}`, 400, "duplicate_key", "extra.\u212a"},
		{"duplicate key in a nested object", "", `{"extra":{"a":1,"b":{"x":1,"x":2}}}`, 400, "duplicate_key", "extra.b.x"},
		{"duplicate key in an array element", "", `{"items":[{"name":"a"},{"name":"b","name":"c"}]}`, 400, "duplicate_key", "items[1].name"},
		{"duplicate key after a nested array", "", `{"deep":[[1,2],{"q":1}],"count":1,"deep":2}`, 400, "duplicate_key", "deep"},
		{"duplicate key with an empty name", "", `{"extra":{"":1,"":2}}`, 400, "duplicate_key", "extra."},
		{"nested too deeply", "", `{"deep":` + strings.Repeat("[", MaxJSONDepth) + strings.Repeat("]", MaxJSONDepth) + `}`, 400, "invalid_json", ""},
		{"nested as deep as allowed", "", `{"deep":` + strings.Repeat("[", MaxJSONDepth-1) + strings.Repeat("]", MaxJSONDepth-1) + `}`, 0, "", ""},

		{"empty body", "", ``, 400, "empty_body", ""},
		{"only white space", "", "  \n", 400, "empty_body", ""},
		{"not JSON", "", `client_name=Maria`, 400, "invalid_json", ""},
		{"cut short", "", `{"client_name":"Ma`, 400, "invalid_json", ""},
		{"unknown field", "", `{"client_nme":"Maria"}`, 400, "unknown_field", "client_nme"},
		{"wrong type", "", `{"count":"two"}`, 400, "invalid_type", "count"},
		{"too large", "", `{"client_name":"` + strings.Repeat("a", 300) + `"}`, 413, "body_too_large", ""},
		{"other media type", "text/plain", `{"client_name":"Maria"}`, 415, "unsupported_media_type", ""},
		{"json with a charset", "application/json; charset=utf-8", `{"client_name":"Maria"}`, 0, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(c.body))
			if c.ctype != "" {
				r.Header.Set("Content-Type", c.ctype)
			}
			var v body
			err := DecodeJSON(httptest.NewRecorder(), r, 256, &v)
			if c.status == 0 {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var we *Error
			if !errors.As(err, &we) {
				t.Fatalf("got %v, want %d %s", err, c.status, c.code)
			}
			if we.Status != c.status || we.Code != c.code || we.Field != c.field {
				t.Errorf("got %d %s field %q (%s), want %d %s field %q", we.Status, we.Code, we.Field, we.Message, c.status, c.code, c.field)
			}
		})
	}
}

func TestDecodeJSONKeepsNothingOfARefusedBody(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"client_name":"Maria","client_name":"Joana"}`))
	var v body
	if err := DecodeJSON(httptest.NewRecorder(), r, 1024, &v); err == nil {
		t.Fatal("accepted a duplicate key")
	}
	if v.ClientName != "" {
		t.Errorf("decoded %q from a refused body", v.ClientName)
	}
}

func FuzzCheckJSONKeys(f *testing.F) {
	for _, s := range []string{`{"a":1,"a":2}`, `{"a":[{"b":1},{"b":2}]}`, `[[[]]]`, `{"a":{"a":{}}}`, `"x"`, `{`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		err := CheckJSONKeys(b) // must not panic
		var we *Error
		if err != nil && (!errors.As(err, &we) || we.Status != http.StatusBadRequest) {
			t.Fatalf("CheckJSONKeys(%q) = %v, want nil or a 400", b, err)
		}
	})
}

// BenchmarkDecodeJSON measures a typical booking body; the key check is one more pass.
func BenchmarkDecodeJSON(b *testing.B) {
	const payload = `{"external_id":"agenda-1001","client_name":"Maria Souza","client_phone":"+5511987654321",` +
		`"service":"Design de sobrancelhas","starts_at":"2026-12-10T14:00:00-03:00","location":"Rua Augusta, 1500 – São Paulo"}`
	type appointment struct {
		ExternalID  string `json:"external_id"`
		ClientName  string `json:"client_name"`
		ClientPhone string `json:"client_phone"`
		Service     string `json:"service"`
		StartsAt    string `json:"starts_at"`
		Location    string `json:"location"`
	}
	b.Run("DecodeJSON", func(b *testing.B) {
		b.SetBytes(int64(len(payload)))
		for b.Loop() {
			var v appointment
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(payload))
			if err := DecodeJSON(httptest.NewRecorder(), r, 16<<10, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("CheckJSONKeys", func(b *testing.B) {
		b.SetBytes(int64(len(payload)))
		for b.Loop() {
			if err := CheckJSONKeys([]byte(payload)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
