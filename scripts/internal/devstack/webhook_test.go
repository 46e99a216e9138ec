package devstack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2"
	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/meta"
	"github.com/lembra-app/lembra/shared/ptbr"
	"github.com/lembra-app/lembra/shared/store"
)

func TestWebhookVerificationHandshake(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	cases := []struct {
		name   string
		query  url.Values
		status int
		body   string
	}{
		{"right token", url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {devstack.VerifyToken}, "hub.challenge": {"1158201444"}}, 200, "1158201444"},
		{"wrong token", url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {"guess"}, "hub.challenge": {"1"}}, 403, ""},
		{"wrong mode", url.Values{"hub.mode": {"unsubscribe"}, "hub.verify_token": {devstack.VerifyToken}, "hub.challenge": {"1"}}, 403, ""},
		{"no token", url.Values{"hub.mode": {"subscribe"}, "hub.challenge": {"1"}}, 403, ""},
	}
	for _, c := range cases {
		resp, err := http.Get(s.URL + "/webhook?" + c.query.Encode())
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status || (c.body != "" && string(body) != c.body) {
			t.Errorf("%s: %d %q, want %d %q", c.name, resp.StatusCode, body, c.status, c.body)
		}
	}
}

// auditSubscription pulls what the webhook published, to count it.
func auditSubscription(t *testing.T, s *devstack.Stack) *pubsub.Subscriber {
	t.Helper()
	ctx := context.Background()
	ps, err := s.Env.PubSub(ctx)
	if err != nil {
		t.Fatal(err)
	}
	name := "projects/" + s.Config.Project + "/subscriptions/audit"
	if _, err := ps.SubscriptionAdminClient.CreateSubscription(ctx, &pubsubpb.Subscription{
		Name: name, Topic: "projects/" + s.Config.Project + "/topics/" + s.Config.WebhookTopic,
	}); err != nil {
		t.Fatal(err)
	}
	return ps.Subscriber(name)
}

// published counts messages on the audit subscription for a while.
func published(t *testing.T, sub *pubsub.Subscriber, within time.Duration) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	n := 0
	_ = sub.Receive(ctx, func(_ context.Context, m *pubsub.Message) { n++; m.Ack() })
	return n
}

func postWebhook(t *testing.T, s *devstack.Stack, body []byte, signature string) int {
	t.Helper()
	req, _ := http.NewRequest("POST", s.URL+"/webhook", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	if signature != "" {
		req.Header.Set("X-Hub-Signature-256", signature)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestWebhookSignatureChecks(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, _ := demo(t, s, nil)
	sub := auditSubscription(t, s)
	body := fixtureBytes(t, "smb_app_state_sync_contact_add.json")
	good := meta.Sign(body, []byte(devstack.AppSecret))

	rejected := []struct {
		name   string
		sig    string
		status int
	}{
		{"missing", "", 401},
		{"wrong secret", meta.Sign(body, []byte("not-the-secret")), 403},
		{"truncated", good[:len(good)-6], 403},
		{"sha1 header value", "sha1=" + strings.Repeat("a", 40), 401},
	}
	for _, r := range rejected {
		if got := postWebhook(t, s, body, r.sig); got != r.status {
			t.Errorf("%s signature: %d, want %d", r.name, got, r.status)
		}
	}
	if got := postWebhook(t, s, append([]byte(" "), body...), good); got != 403 {
		t.Errorf("body changed after signing: %d, want 403", got)
	}
	if n := published(t, sub, 1500*time.Millisecond); n != 0 {
		t.Fatalf("%d rejected deliveries were published", n)
	}
	st, _ := s.Env.Store(context.Background())
	if _, err := st.GetContact(context.Background(), ten.ID, "16505551234"); err == nil {
		t.Fatal("a rejected delivery was processed")
	}

	if got := postWebhook(t, s, body, good); got != 200 {
		t.Fatalf("correctly signed: %d", got)
	}
	if n := published(t, sub, 1500*time.Millisecond); n != 1 {
		t.Fatalf("%d messages published for one delivery, want 1", n)
	}
	eventually(t, 10*time.Second, "contact from the signed delivery", func() bool {
		c, err := st.GetContact(context.Background(), ten.ID, "16505551234")
		return err == nil && c.FullName != ""
	})
}

func fixtureBytes(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "testdata", "meta", "webhooks", name))
	if err != nil {
		t.Fatalf("fixture %s (in testdata/meta/webhooks): %v", name, err)
	}
	return b
}

func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: not seen within %v", what, within)
}

// sentJob stores an appointment whose booking notice was sent as wamid (as dispatch
// records it), so that webhooks about wamid find it.
func sentJob(t *testing.T, s *devstack.Stack, ten *domain.Tenant, externalID, wamid string) (aptID, jobID string) {
	t.Helper()
	aptID, jobID = storeWithoutQueue(t, s, ten, externalID)
	st, _ := s.Env.Store(context.Background())
	_, err := st.UpdateJob(context.Background(), ten.ID, jobID, func(tx *store.JobTx) error {
		tx.Job.Status, tx.Job.ProviderMessageID, tx.Job.SentAt = domain.JobSent, wamid, time.Now().UTC()
		tx.Job.AddEvent(time.Now(), "sent", "")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return aptID, jobID
}

// fixtureTenants are tenants owning the numbers and accounts the fixtures name.
var fixtureTenants = []struct{ id, phoneNumberID, waba string }{
	{devstack.DemoTenantID, devstack.DemoPhoneNumberID, "102290129340398"},
	{"fixture-il", "1122334455667", "5467539754836534"},
	{"fixture-in", "838463922683351", "1147896940776789"},
	{"fixture-my", "114896151713920", "122951744235903"},
	{"fixture-br", "590968830767958", "1314702302917944"},
	{"fixture-partner", "", "1191624265890717"},
}

func TestEveryFixtureIsAcceptedAndHasItsEffect(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("..", "..", "..", "testdata", "meta", "webhooks", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no webhook fixtures found in testdata/meta/webhooks: %v", err)
	}
	checked := map[string]bool{}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(strings.TrimSuffix(name, ".json"), func(t *testing.T) {
			t.Parallel()
			s := fast(t, nil)
			ctx := context.Background()
			st, _ := s.Env.Store(ctx)
			tenants := map[string]*domain.Tenant{}
			for _, ft := range fixtureTenants {
				ten, _ := demo(t, s, func(d *devstack.Tenant) {
					if ft.id != devstack.DemoTenantID {
						d.ID, d.APIKey, d.AccessToken = ft.id, "", "token-"+ft.id
					}
					d.WhatsApp.PhoneNumberID, d.WhatsApp.WABAID = ft.phoneNumberID, ft.waba
				})
				if ft.phoneNumberID != "" {
					tenants[ft.phoneNumberID] = ten
				}
				tenants["waba:"+ft.waba] = ten
			}
			body := fixtureBytes(t, name)
			var env struct {
				Entry []struct {
					ID      string `json:"id"`
					Changes []struct {
						Field string          `json:"field"`
						Value json.RawMessage `json:"value"`
					} `json:"changes"`
				} `json:"entry"`
			}
			if err := json.Unmarshal(body, &env); err != nil {
				t.Fatal(err)
			}
			// Give statuses and replies something of ours to refer to.
			type expectation func() bool
			var checks []struct {
				what string
				ok   expectation
			}
			expect := func(what string, ok expectation) {
				checks = append(checks, struct {
					what string
					ok   expectation
				}{what, ok})
			}
			for _, e := range env.Entry {
				for _, c := range e.Changes {
					var v struct {
						Metadata struct {
							PhoneNumberID string `json:"phone_number_id"`
						} `json:"metadata"`
						Statuses []struct {
							ID, Status string
							Errors     []struct{ Code int }
						} `json:"statuses"`
						Messages []struct {
							ID, From, Type string
							Context        *struct{ ID string }
						} `json:"messages"`
						Echoes []struct {
							ID, To string
						} `json:"message_echoes"`
						History []struct {
							Threads []struct {
								ID       string
								Messages []struct{ ID string }
							}
							Errors []struct{ Code int }
						} `json:"history"`
						StateSync []struct {
							Contact struct {
								PhoneNumber string `json:"phone_number"`
							}
						} `json:"state_sync"`
						Event    string `json:"event"`
						Name     string `json:"message_template_name"`
						Language string `json:"message_template_language"`
						WABAInfo *struct {
							WABAID string `json:"waba_id"`
						} `json:"waba_info"`
					}
					if err := json.Unmarshal(c.Value, &v); err != nil {
						t.Fatal(err)
					}
					ten := tenants[v.Metadata.PhoneNumberID]
					if ten == nil {
						waba := e.ID
						if v.WABAInfo != nil {
							waba = v.WABAInfo.WABAID
						}
						ten = tenants["waba:"+waba]
					}
					if ten == nil {
						t.Fatalf("no tenant for %s", name)
					}
					for i, stt := range v.Statuses {
						_, jobID := sentJob(t, s, ten, fmt.Sprintf("fx-status-%d", i), stt.ID)
						want := map[string]domain.JobStatus{"sent": domain.JobSent, "delivered": domain.JobDelivered, "read": domain.JobRead, "failed": domain.JobFailed}[stt.Status]
						expect("job "+stt.Status, func() bool {
							j, err := st.GetJob(ctx, ten.ID, jobID)
							if err != nil || j.Status != want || j.ProviderStatusTimes[stt.Status].IsZero() {
								return false
							}
							if want == domain.JobFailed {
								return j.ErrorCode == stt.Errors[0].Code && j.Reason == ptbr.MetaError(stt.Errors[0].Code)
							}
							return true
						})
					}
					for i, m := range v.Messages {
						if c.Field == "history" {
							continue
						}
						var aptID string
						if m.Context != nil {
							aptID, _ = sentJob(t, s, ten, fmt.Sprintf("fx-ctx-%d", i), m.Context.ID)
						}
						expect("inbound "+m.Type, func() bool {
							conv, err := st.GetConversation(ctx, ten.ID, m.From)
							if err != nil || conv.LastInboundID != m.ID {
								return false
							}
							if aptID != "" {
								a, err := st.GetAppointment(ctx, ten.ID, aptID)
								return err == nil && a.LastInboundID == m.ID
							}
							return true
						})
					}
					for _, ec := range v.Echoes {
						expect("echo recorded as manual", func() bool {
							msgs, err := st.ConversationMessages(ctx, ten.ID, ec.To)
							conv, cerr := st.GetConversation(ctx, ten.ID, ec.To)
							return err == nil && cerr == nil && len(msgs) == 1 && msgs[0].ID == ec.ID &&
								msgs[0].Source == domain.SourceManual && conv.LastInboundAt.IsZero()
						})
					}
					for _, h := range v.History {
						for _, th := range h.Threads {
							expect("history backfilled without a window", func() bool {
								msgs, err := st.ConversationMessages(ctx, ten.ID, th.ID)
								conv, cerr := st.GetConversation(ctx, ten.ID, th.ID)
								return err == nil && cerr == nil && len(msgs) == len(th.Messages) && conv.LastInboundAt.IsZero()
							})
						}
						if len(h.Errors) > 0 {
							expect("history refusal on the tenant", func() bool {
								tt, err := st.GetTenant(ctx, ten.ID)
								return err == nil && tt.WhatsApp.LastEvent == "HISTORY_DECLINED"
							})
						}
					}
					for _, ss := range v.StateSync {
						expect("contact stored", func() bool {
							_, err := st.GetContact(ctx, ten.ID, ss.Contact.PhoneNumber)
							return err == nil
						})
					}
					switch c.Field {
					case "message_template_status_update":
						expect("template status", func() bool {
							tt, err := st.GetTenant(ctx, ten.ID)
							return err == nil && tt.TemplateStatuses[domain.TemplateKey(v.Name, v.Language)].Status == v.Event
						})
					case "business_capability_update":
						var cv meta.CapabilityValue
						_ = json.Unmarshal(c.Value, &cv)
						want, _ := domain.ParseMessagingLimit(cv.Limit())
						expect("messaging limit", func() bool {
							tt, err := st.GetTenant(ctx, ten.ID)
							return err == nil && want != 0 && tt.WhatsApp.MessagingLimit == want
						})
					case "account_update", "phone_number_quality_update":
						expect("account event", func() bool {
							tt, err := st.GetTenant(ctx, ten.ID)
							if err != nil || tt.WhatsApp.LastEvent != v.Event {
								return false
							}
							switch v.Event {
							case "PARTNER_REMOVED":
								return tt.WhatsApp.Status == "disconnected"
							case "PARTNER_APP_INSTALLED":
								return tt.WhatsApp.Status == "connected"
							}
							return true
						})
					}
				}
			}
			if len(checks) == 0 {
				t.Fatalf("no effect is checked for %s", name)
			}
			if status, err := s.Meta.Post(ctx, body); err != nil || status != 200 {
				t.Fatalf("posting %s: %d %v", name, status, err)
			}
			for _, c := range checks {
				eventually(t, 10*time.Second, name+": "+c.what, c.ok)
			}
			if n := len(s.Meta.Requests()); n != 0 {
				t.Errorf("%s made %d requests to Meta", name, n)
			}
		})
		checked[name] = true
	}
	if len(checked) < 20 {
		t.Errorf("only %d fixtures checked", len(checked))
	}
}

func TestUnparseableAndUnroutedDeliveriesAreKept(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	demo(t, s, nil)
	ctx := context.Background()
	fs, _ := s.Env.Firestore(ctx)

	if status, err := s.Meta.Post(ctx, []byte(`{"object":"whatsapp_business_account","entry":[{"id":`)); err != nil || status != 200 {
		t.Fatalf("signed garbage: %d %v", status, err)
	}
	eventually(t, 10*time.Second, "dead letter kept", func() bool {
		docs, err := fs.Collection("webhook_dead_letters").Documents(ctx).GetAll()
		return err == nil && len(docs) == 1 && strings.Contains(docs[0].Data()["body"].(string), `"entry":[{"id":`)
	})

	other := strings.ReplaceAll(string(fixtureBytes(t, "messages_text.json")), devstack.DemoPhoneNumberID, "999999999999999")
	for range 2 {
		if status, err := s.Meta.Post(ctx, []byte(other)); err != nil || status != 200 {
			t.Fatalf("unknown number: %d %v", status, err)
		}
	}
	eventually(t, 10*time.Second, "unknown number counted", func() bool {
		snap, err := fs.Collection("webhook_unrouted").Doc("phone_number_id-999999999999999").Get(ctx)
		return err == nil && snap.Data()["count"] == int64(2)
	})
}
