package devstack_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/shared/config"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/events"
	"github.com/lembra-app/lembra/shared/logging"
	"github.com/lembra-app/lembra/shared/meta"
)

// Secrets and privacy, end to end: invisible characters and duplicate keys refused,
// vouchers expiring, unusable webhook secrets, no raw wamid in the logs.

func TestPrivacyInvisibleCharactersAndDuplicateKeysAreRefused(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	_, key := demo(t, s, nil)
	startsAt := time.Now().Add(72 * time.Hour).Format(time.RFC3339)
	before := dump(t, s)

	bidi := appointmentBody("privacy-1", time.Now().Add(72*time.Hour))
	bidi["client_name"] = "Maria \u202eazuoS" // reads "Maria Souza" on screen, backwards in fact
	zeroWidth := appointmentBody("privacy-2", time.Now().Add(72*time.Hour))
	zeroWidth["service"] = "Design\u200b de sobrancelhas"
	cases := []struct {
		name        string
		body        any
		code, field string
	}{
		{"right-to-left override in client_name", bidi, "invalid_characters", "client_name"},
		{"zero-width space in service", zeroWidth, "invalid_characters", "service"},
		{"client_name twice", `{"external_id":"privacy-3","client_name":"Maria Souza","client_phone":"+5511987654321",` +
			`"service":"Design de sobrancelhas","starts_at":"` + startsAt + `","client_name":"Joana"}`, "duplicate_key", "client_name"},
		{"client_phone twice, in another case", `{"external_id":"privacy-4","client_name":"Maria Souza","client_phone":"+5511987654321",` +
			`"Client_Phone":"+5511911112222","service":"Design de sobrancelhas","starts_at":"` + startsAt + `"}`, "duplicate_key", "Client_Phone"},
		{"a second object after the first", `{"external_id":"privacy-5","client_name":"Maria Souza","client_phone":"+5511987654321",` +
			`"service":"Design de sobrancelhas","starts_at":"` + startsAt + `"}}`, "invalid_json", ""},
	}
	for _, c := range cases {
		r := call(t, s, key, "POST", "/v1/appointments", c.body)
		e, _ := r.Body["error"].(map[string]any)
		if r.Status != 400 || e["code"] != c.code || (c.field != "" && e["field"] != c.field) {
			t.Errorf("%s: %d %s, want 400 %s on %q", c.name, r.Status, r.Raw, c.code, c.field)
		}
	}
	after := dump(t, s)
	for _, d := range []map[string]map[string]any{before, after} {
		for path, doc := range d {
			if strings.Contains(path, "/api_keys/") {
				delete(doc, "last_used_at") // the key was used: that is not the request's doing
			}
		}
	}
	if !reflect.DeepEqual(before, after) {
		t.Errorf("a refused request changed what is stored:\nbefore %v\nafter  %v", before, after)
	}
	if n := len(s.Meta.Requests()); n != 0 {
		t.Errorf("%d requests reached Meta", n)
	}
}

func TestPrivacyVoucherExpires(t *testing.T) {
	t.Parallel()
	const ttl = 2 * time.Second // LEMBRA_VOUCHER_TTL_DAYS counts days; the test shortens it
	s := fast(t, func(c *config.Config) { c.VoucherTTL = ttl })
	ten, key := demo(t, s, nil)
	startsAt := time.Now().Add(3 * time.Second).Truncate(time.Second).Add(time.Second)
	r := call(t, s, key, "POST", "/v1/appointments", appointmentBody("voucher-ttl", startsAt))
	apt, _ := r.Body["appointment"].(map[string]any)
	link, _ := apt["voucher_url"].(string)
	if r.Status != 201 || link == "" {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	if status, _, _ := get(t, link); status != 200 {
		t.Fatalf("voucher before its appointment: %d", status)
	}
	time.Sleep(time.Until(startsAt.Add(ttl)))
	status, ctype, body := get(t, link)
	page := string(body)
	if status != http.StatusGone || !strings.HasPrefix(ctype, "text/html") {
		t.Fatalf("expired voucher: %d %s, want 410 text/html", status, ctype)
	}
	for _, want := range []string{"Este voucher expirou", "fale com " + ten.Name + " pelo WhatsApp"} {
		if !strings.Contains(page, want) {
			t.Errorf("expired page lacks %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, "Maria") || strings.Contains(page, "sobrancelhas") {
		t.Error("the expired page still shows the appointment")
	}
	if status, ctype, _ := get(t, link+".png"); status != http.StatusGone || ctype == "image/png" {
		t.Errorf("expired voucher image: %d %s, want 410 and no image", status, ctype)
	}
}

func TestPrivacyWebhookWithUnusableSecretsAnswers503(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ctx := context.Background()
	sm, err := s.Env.SecretManager(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Secret Manager refuses an empty payload, but `echo | gcloud secrets versions add`
	// stores a newline, which reads back as the empty secret.
	if err := sm.Put(ctx, s.Config.MetaAppSecretID, []byte("\n")); err != nil {
		t.Fatal(err)
	}
	if err := sm.Put(ctx, s.Config.MetaVerifyTokenID, []byte("short-token")); err != nil {
		t.Fatal(err)
	}
	sub := auditSubscription(t, s)
	body := fixtureBytes(t, "smb_app_state_sync_contact_add.json")
	if got := postWebhook(t, s, body, meta.Sign(body, nil)); got != http.StatusServiceUnavailable {
		t.Errorf("delivery signed with the empty key: %d, want 503", got)
	}
	if got := postWebhook(t, s, body, meta.Sign(body, []byte(devstack.AppSecret))); got != http.StatusServiceUnavailable {
		t.Errorf("delivery signed with the old secret: %d, want 503", got)
	}
	handshake := func(token string) int {
		q := url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {token}, "hub.challenge": {"42"}}
		resp, err := http.Get(s.URL + "/webhook?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := handshake("short-token"); got != http.StatusServiceUnavailable {
		t.Errorf("handshake against an 11-byte verify token: %d, want 503", got)
	}
	if n := published(t, sub, 1500*time.Millisecond); n != 0 {
		t.Fatalf("%d deliveries were published with an unusable app secret", n)
	}

	// The operator adds proper versions: the next tries (Meta's retries) go through.
	if err := sm.Put(ctx, s.Config.MetaAppSecretID, []byte(devstack.AppSecret)); err != nil {
		t.Fatal(err)
	}
	if err := sm.Put(ctx, s.Config.MetaVerifyTokenID, []byte(devstack.VerifyToken)); err != nil {
		t.Fatal(err)
	}
	if got := postWebhook(t, s, body, meta.Sign(body, []byte(devstack.AppSecret))); got != 200 {
		t.Errorf("delivery after the fix: %d, want 200", got)
	}
	if got := handshake(devstack.VerifyToken); got != 200 {
		t.Errorf("handshake after the fix: %d, want 200", got)
	}
}

func TestPrivacyLogsNeverHoldAWAMID(t *testing.T) {
	t.Parallel()
	logs := &syncBuffer{}
	s := devstack.ForTest(t, devstack.Options{
		Log:          logging.New(logs, slog.LevelDebug),
		AutoStatuses: []string{"sent", "delivered", "read"},
	})
	ctx := context.Background()
	ten, key := demo(t, s, nil)
	r := call(t, s, key, "POST", "/v1/appointments", appointmentBody("privacy-logs", time.Now().Add(72*time.Hour)))
	aptID := appointmentID(t, r)
	notice := waitJob(t, s, ten.ID, domain.JobID(aptID, domain.JobCreated, 0), 10*time.Second, func(j *domain.Job) bool {
		return j.Status == domain.JobRead
	})
	inboundID, status, err := s.Meta.TapButton(ctx, notice.ProviderMessageID, "Confirmar", "Confirmar")
	if err != nil || status != 200 {
		t.Fatalf("tap: %d %v", status, err)
	}
	reply := waitJob(t, s, ten.ID, events.ReplyJobID(inboundID), 10*time.Second, final)
	// A status for a message Lembra did not send is logged too.
	const unknownWAMID = "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEkZPUkVJR05fTUVTU0FHRV9JRAA="
	if _, err := s.Meta.Post(ctx, []byte(`{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":`+
		`{"messaging_product":"whatsapp","metadata":{"display_phone_number":"551140001234","phone_number_id":"`+devstack.DemoPhoneNumberID+`"},`+
		`"statuses":[{"id":"`+unknownWAMID+`","status":"delivered","timestamp":"1764590000","recipient_id":"5511987654321"}]}}]}]}`)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), "status of a message Lembra did not send") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}

	out := logs.String()
	for name, id := range map[string]string{"notice": notice.ProviderMessageID, "client's tap": inboundID, "answer": reply.ProviderMessageID, "unknown message": unknownWAMID} {
		if id == "" {
			t.Fatalf("%s has no wamid", name)
		}
		if !strings.Contains(out, logging.WAMIDHash(id)) {
			t.Errorf("no log line names the %s by its hash %s", name, logging.WAMIDHash(id))
		}
	}
	if !strings.Contains(out, "status of a message Lembra did not send") {
		t.Error("the status of an unknown message was not logged")
	}
	for _, line := range strings.Split(out, "\n") {
		for _, id := range []string{"wamid.", notice.ProviderMessageID, inboundID, reply.ProviderMessageID, unknownWAMID[len("wamid."):]} {
			if strings.Contains(line, id) {
				t.Errorf("a log line holds a raw wamid (%s): %s", id, line)
			}
		}
	}
	if t.Failed() {
		t.Log(out)
	}
}
