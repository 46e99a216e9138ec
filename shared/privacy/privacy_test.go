package privacy

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
)

// The test vector (testdata/meta/SOURCES.md, "Data deletion callback").
type vector struct {
	AppSecret      string        `json:"app_secret"`
	SignedRequest  string        `json:"signed_request"`
	DecodedPayload SignedRequest `json:"decoded_payload"`
}

func loadVector(t *testing.T) vector {
	t.Helper()
	b, err := os.ReadFile("../../testdata/meta/onboarding/data_deletion_signed_request_testvector.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vector
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestVerifySignedRequest(t *testing.T) {
	v := loadVector(t)
	secret := []byte(v.AppSecret)
	sig, payload, _ := strings.Cut(v.SignedRequest, ".")
	b64 := base64.RawURLEncoding.EncodeToString
	resign := func(enc string) string { return signEncoded(enc, secret) }
	flipped := []byte(sig)
	flipped[3] ^= 1
	if flipped[3] == sig[3] {
		t.Fatal("flip did nothing")
	}
	cases := []struct {
		name   string
		sr     string
		secret []byte
		want   error
	}{
		{"Meta's vector", v.SignedRequest, secret, nil},
		{"Meta's vector, signature padded with '='", sig + "=." + payload, secret, nil},
		{"padding added to the payload (not what was signed)", sig + "." + payload + "=", secret, ErrSignature},
		{"another app's secret", v.SignedRequest, []byte("client_secret_shhhhhh?"), ErrSignature},
		{"no secret", v.SignedRequest, nil, ErrNoSecret},
		{"signature flipped", string(flipped) + "." + payload, secret, ErrSignature},
		{"payload changed (user_id 218472), old signature", sig + "." + b64([]byte(`{"algorithm":"HMAC-SHA256","expires":1291840400,"issued_at":1291836800,"user_id":"218472"}`)), secret, ErrSignature},
		{"signature of the decoded payload instead of the encoded one", signDecoded(`{"algorithm":"HMAC-SHA256","user_id":"1"}`, secret), secret, ErrSignature},
		{"no dot", sig + payload, secret, ErrMalformed},
		{"empty", "", secret, ErrMalformed},
		{"empty signature", "." + payload, secret, ErrMalformed},
		{"three parts", v.SignedRequest + ".x", secret, ErrMalformed},
		{"signature not base64url", "@@@." + payload, secret, ErrMalformed},
		{"too long", strings.Repeat("a", 9000) + "." + payload, secret, ErrMalformed},
		{"signed, payload not JSON", resign(b64([]byte("not json"))), secret, ErrMalformed},
		{"signed, algorithm HMAC-SHA1", resign(b64([]byte(`{"algorithm":"HMAC-SHA1","user_id":"1"}`))), secret, ErrAlgorithm},
		{"signed, no algorithm", resign(b64([]byte(`{"user_id":"1"}`))), secret, ErrAlgorithm},
		{"signed, no user_id", resign(b64([]byte(`{"algorithm":"HMAC-SHA256"}`))), secret, ErrNoUser},
		{"signed, blank user_id", resign(b64([]byte(`{"algorithm":"HMAC-SHA256","user_id":"  "}`))), secret, ErrNoUser},
		{"signed, user_id a number", resign(b64([]byte(`{"algorithm":"HMAC-SHA256","user_id":218471}`))), secret, ErrMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := VerifySignedRequest(c.sr, c.secret)
			if !errors.Is(err, c.want) {
				t.Fatalf("error %v, want %v", err, c.want)
			}
			if c.want == nil && got != v.DecodedPayload {
				t.Errorf("payload %+v, want %+v", got, v.DecodedPayload)
			}
			if c.want != nil && got != (SignedRequest{}) {
				t.Errorf("a refused request still returned %+v", got)
			}
		})
	}
	if got := v.DecodedPayload.IssuedTime(); !got.Equal(time.Unix(1291836800, 0)) {
		t.Errorf("issued at %v", got)
	}
}

// signEncoded signs an encoded payload as Meta does.
func signEncoded(encPayload string, secret []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(encPayload))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)) + "." + encPayload
}

// signDecoded signs the decoded JSON instead: the mistake Meta's sample warns against.
func signDecoded(payload string, secret []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)) + "." + base64.RawURLEncoding.EncodeToString([]byte(payload))
}

// TestSignRequestRoundTrip: what the stand-in and the tests sign is what the check takes.
func TestSignRequestRoundTrip(t *testing.T) {
	p := SignedRequest{Algorithm: "HMAC-SHA256", UserID: "5511987654321", IssuedAt: 1700000000, Expires: 1700003600}
	got, err := VerifySignedRequest(SignRequest(p, []byte("local-meta-app-secret")), []byte("local-meta-app-secret"))
	if err != nil || got != p {
		t.Fatalf("%+v %v", got, err)
	}
}

func TestCodes(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		c := NewCode()
		if !ValidCode(c) || seen[c] {
			t.Fatalf("code %q invalid or repeated", c)
		}
		seen[c] = true
	}
	for _, bad := range []string{"", "abc", strings.Repeat("a", 25), strings.Repeat("A", 26), strings.Repeat("a", 25) + "1", strings.Repeat("a", 27), "../" + strings.Repeat("a", 23)} {
		if ValidCode(bad) {
			t.Errorf("%q taken as a code", bad)
		}
	}
	if got := StatusURL("https://webhook.example/", "abc"); got != "https://webhook.example/data-deletion/status?code=abc" {
		t.Errorf("status url %s", got)
	}
	if HashSubject("218471") == HashSubject("218472") || strings.Contains(HashSubject("218471"), "218471") {
		t.Error("subject hash")
	}
}

func TestSubjectOf(t *testing.T) {
	cases := []struct {
		conv domain.Conversation
		id   string
		want bool
	}{
		{domain.Conversation{WAID: "5511987654321"}, "5511987654321", true},
		{domain.Conversation{WAID: "", UserID: "BR.1234567890"}, "BR.1234567890", true},
		{domain.Conversation{WAID: "5511987654321", UserID: "BR.1"}, "BR.1", true},
		{domain.Conversation{WAID: "5511987654321"}, "+5511987654321", false},
		{domain.Conversation{WAID: "5511987654321"}, "551198765432", false},
		{domain.Conversation{WAID: ""}, "", false},
		{domain.Conversation{WAID: "218471"}, "2184710", false},
	}
	for _, c := range cases {
		if got := SubjectOf(c.conv, c.id); got != c.want {
			t.Errorf("SubjectOf(%+v, %q) = %v", c.conv, c.id, got)
		}
	}
}

func TestPhoneForms(t *testing.T) {
	cases := []struct {
		waID string
		want []string
	}{
		{"5511987654321", []string{"+5511987654321", "+551187654321"}},
		{"551187654321", []string{"+551187654321", "+5511987654321"}},
		{"+5511987654321", []string{"+5511987654321", "+551187654321"}},
		{"551132654321", []string{"+551132654321"}},   // a landline: no ninth digit
		{"5511932654321", []string{"+5511932654321"}}, // without its 9 it would be the landline above
		{"16505551234", []string{"+16505551234"}},
		{"BR.1234567890", nil},
		{"", nil},
		{"0123456789", nil},
	}
	for _, c := range cases {
		if got := PhoneForms(c.waID); !slices.Equal(got, c.want) {
			t.Errorf("PhoneForms(%q) = %v, want %v", c.waID, got, c.want)
		}
	}
}

func TestEraseJobAndAppointment(t *testing.T) {
	j := &domain.Job{ID: "j1", Type: domain.JobCreated, Status: domain.JobRead, ClientName: "Maria Souza", ClientPhone: "+5511987654321",
		Recipient: "+5511987654321", Text: "Olá Maria", DryRunRequest: `{"to":"+5511987654321"}`, ProviderMessageID: "wamid.X",
		Attempts: []domain.Attempt{{N: 1, Outcome: "sent"}}}
	if !EraseJob(j) {
		t.Fatal("nothing changed")
	}
	if j.ClientName != RemovedName || j.ClientPhone != "" || j.Recipient != "" || j.Text != RemovedText || j.DryRunRequest != "" {
		t.Errorf("job keeps the client: %+v", j)
	}
	if j.ID != "j1" || j.Status != domain.JobRead || j.Type != domain.JobCreated || len(j.Attempts) != 1 || j.ProviderMessageID != "wamid.X" {
		t.Errorf("job lost what counts: %+v", j)
	}
	if EraseJob(j) {
		t.Error("erasing twice changed something")
	}
	noText := &domain.Job{ClientName: "Ana"}
	EraseJob(noText)
	if noText.Text != "" {
		t.Error("a job without text got the placeholder")
	}
	a := &domain.Appointment{ID: "a1", ClientName: "Maria", ClientPhone: "+5511987654321", Service: "Unhas"}
	if !EraseAppointment(a) || a.ClientName != RemovedName || a.ClientPhone != "" || a.Service != "Unhas" || EraseAppointment(a) {
		t.Errorf("appointment %+v", a)
	}
}

func TestStatusPage(t *testing.T) {
	at := time.Date(2026, 3, 5, 17, 4, 0, 0, time.UTC) // 14:04 in São Paulo
	cases := []struct {
		name string
		d    *Deletion
		want []string
		not  []string
	}{
		{"in progress", &Deletion{Code: "c1", Status: StatusInProgress, RequestedAt: at},
			[]string{"Pedido de exclusão de dados recebido em 05/03/2026 14:04; situação: em andamento.", "c1"}, []string{"concluído"}},
		{"done", &Deletion{Code: "c2", Status: StatusDone, RequestedAt: at},
			[]string{"Pedido de exclusão de dados recebido em 05/03/2026 14:04; situação: concluído.", "c2"}, []string{"em andamento"}},
		{"unknown", nil, []string{"Pedido não encontrado", "Não encontramos nenhum pedido"}, []string{"recebido em"}},
		{"code is escaped", &Deletion{Code: "<b>x</b>", Status: StatusDone, RequestedAt: at}, []string{"&lt;b&gt;x&lt;/b&gt;"}, []string{"<b>x</b>"}},
	}
	for _, c := range cases {
		page := RenderPage(PageOf(c.d))
		for _, w := range c.want {
			if !strings.Contains(page, w) {
				t.Errorf("%s: page lacks %q:\n%s", c.name, w, page)
			}
		}
		for _, n := range c.not {
			if strings.Contains(page, n) {
				t.Errorf("%s: page has %q", c.name, n)
			}
		}
	}
}

func TestCodeForAndBaseURL(t *testing.T) {
	v := loadVector(t)
	c := CodeFor(v.SignedRequest)
	if !ValidCode(c) || c != CodeFor(v.SignedRequest) || c == CodeFor("x"+v.SignedRequest) {
		t.Errorf("code %q", c)
	}
	sig, payload, _ := strings.Cut(v.SignedRequest, ".")
	if CodeFor(sig+"=."+payload) != c {
		t.Error("padding changed the code")
	}
	cases := []struct {
		proto      string
		tls        bool
		host, path string
		want       string
	}{
		{"https", false, "webhook-1.southamerica-east1.run.app", "/data-deletion", "https://webhook-1.southamerica-east1.run.app"},
		{"", false, "127.0.0.1:8080", "/webhook/data-deletion", "http://127.0.0.1:8080/webhook"},
		{"", true, "h", "/data-deletion", "https://h"},
		{"https, http", false, "h", "/data-deletion", "https://h"},
		{"javascript", false, "h", "/data-deletion", "https://h"},
	}
	for _, k := range cases {
		if got := BaseURL(k.proto, k.tls, k.host, k.path, "/data-deletion"); got != k.want {
			t.Errorf("BaseURL(%q, %v, %q, %q) = %q, want %q", k.proto, k.tls, k.host, k.path, got, k.want)
		}
	}
}
