package meta

import (
	"errors"
	"strings"
	"testing"
)

func TestVerifySignature(t *testing.T) {
	secret := []byte("app-secret")
	body := []byte(`{"object":"whatsapp_business_account","entry":[]}`)
	good := Sign(body, secret)
	cases := []struct {
		name   string
		body   []byte
		header string
		want   error
	}{
		{"valid", body, good, nil},
		{"missing", body, "", ErrSignatureMissing},
		{"sha1 only", body, "sha1=abcdef", ErrSignatureMissing},
		{"truncated", body, good[:len(good)-2], ErrSignatureInvalid},
		{"not hex", body, "sha256=zz", ErrSignatureInvalid},
		{"other body", append([]byte(" "), body...), good, ErrSignatureInvalid},
		{"other secret", body, Sign(body, []byte("other")), ErrSignatureInvalid},
	}
	for _, c := range cases {
		if err := VerifySignature(c.body, c.header, secret); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
}

func FuzzVerifySignature(f *testing.F) {
	f.Add([]byte(`{}`), "sha256=00")
	f.Add([]byte(`{"object":"x"}`), Sign([]byte(`{"object":"x"}`), []byte("k")))
	f.Fuzz(func(t *testing.T, body []byte, header string) {
		if VerifySignature(body, header, []byte("k")) == nil && strings.TrimSpace(header) != Sign(body, []byte("k")) {
			t.Fatalf("accepted %q for %q", header, body)
		}
	})
}

func BenchmarkVerifySignature(b *testing.B) {
	body := []byte(strings.Repeat(`{"id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA","status":"delivered"},`, 30))
	secret := []byte("app-secret")
	sig := Sign(body, secret)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if err := VerifySignature(body, sig, secret); err != nil {
			b.Fatal(err)
		}
	}
}
