package meta

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckWebhookSecret(t *testing.T) {
	cases := []struct {
		name  string
		value string
		ok    bool
	}{
		{"empty", "", false},
		{"one byte", "k", false},
		{"15 bytes", strings.Repeat("a", 15), false},
		{"16 bytes", strings.Repeat("a", 16), true},
		{"a Meta app secret (32 hex)", "3f1c9a0e5b7d2c4e6a8b0d1f3e5c7a9b", true},
		{"a long verify token", "lembra-webhook-verify-8c1f0a2b3d4e", true},
	}
	for _, c := range cases {
		err := CheckWebhookSecret([]byte(c.value))
		if c.ok != (err == nil) || (err != nil && !errors.Is(err, ErrWebhookSecretUnusable)) {
			t.Errorf("%s: CheckWebhookSecret = %v, want ok=%v", c.name, err, c.ok)
		}
	}
}

func TestVerifySignatureRefusesAnUnusableKey(t *testing.T) {
	body := []byte(`{"object":"whatsapp_business_account","entry":[]}`)
	for _, key := range [][]byte{nil, {}, []byte("short")} {
		// The signature is right for that key: whoever knows the key is empty can make it.
		if err := VerifySignature(body, Sign(body, key), key); !errors.Is(err, ErrWebhookSecretUnusable) {
			t.Errorf("key %q: got %v, want ErrWebhookSecretUnusable", key, err)
		}
	}
}

func TestVerifySignature(t *testing.T) {
	secret := []byte("3f1c9a0e5b7d2c4e6a8b0d1f3e5c7a9b")
	body := []byte(`{"object":"whatsapp_business_account","entry":[]}`)
	good := Sign(body, secret)
	cases := []struct {
		name   string
		body   []byte
		header string
		want   error
	}{
		{"valid", body, good, nil},
		{"valid, hex in upper case", body, "sha256=" + strings.ToUpper(strings.TrimPrefix(good, "sha256=")), nil},
		{"missing", body, "", ErrSignatureMissing},
		{"sha1 only", body, "sha1=abcdef", ErrSignatureMissing},
		{"truncated", body, good[:len(good)-2], ErrSignatureInvalid},
		{"not hex", body, "sha256=zz", ErrSignatureInvalid},
		{"other body", append([]byte(" "), body...), good, ErrSignatureInvalid},
		{"other secret", body, Sign(body, []byte("0000000000000000")), ErrSignatureInvalid},
	}
	for _, c := range cases {
		if err := VerifySignature(c.body, c.header, secret); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
}

func FuzzVerifySignature(f *testing.F) {
	key := []byte("fuzz-app-secret-0123456789abcdef")
	f.Add([]byte(`{}`), "sha256=00")
	f.Add([]byte(`{"object":"x"}`), Sign([]byte(`{"object":"x"}`), key))
	f.Fuzz(func(t *testing.T, body []byte, header string) {
		// Hex digits may come in either case; anything else accepted would be a forgery.
		if VerifySignature(body, header, key) == nil && !strings.EqualFold(strings.TrimSpace(header), Sign(body, key)) {
			t.Fatalf("accepted %q for %q", header, body)
		}
	})
}

func BenchmarkVerifySignature(b *testing.B) {
	body := []byte(strings.Repeat(`{"id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA","status":"delivered"},`, 30))
	secret := []byte("3f1c9a0e5b7d2c4e6a8b0d1f3e5c7a9b")
	sig := Sign(body, secret)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if err := VerifySignature(body, sig, secret); err != nil {
			b.Fatal(err)
		}
	}
}
