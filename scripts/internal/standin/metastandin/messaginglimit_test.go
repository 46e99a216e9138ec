package metastandin_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/lembra-app/lembra/scripts/internal/standin/metastandin"
)

func TestMessagingLimit(t *testing.T) {
	s, u := newServer(t)
	to := func(body map[string]any, phone string) map[string]any { body["to"] = phone; return body }

	// Off by default: templates to any number of clients are accepted.
	for _, phone := range []string{"+5511900000001", "+5511900000002", "+5511900000003"} {
		if r := post(t, sendURL(u, pnid), token, to(templateBody("Maria", "amanhã"), phone)); r.status != http.StatusOK {
			t.Fatalf("no limit: %d %s", r.status, r.raw)
		}
	}
	s.SetMessagingLimit("waba-1", 4)
	// Three clients reached already; a fourth from the WABA's other number (the
	// portfolio's limit is shared by its numbers) fills it.
	if r := post(t, sendURL(u, pnid2), token2, to(templateBody("Maria", "amanhã"), "+5511900000004")); r.status != http.StatusOK {
		t.Fatalf("fourth client: %d %s", r.status, r.raw)
	}
	e := metaError(t, post(t, sendURL(u, pnid), token, to(templateBody("Maria", "amanhã"), "+5511900000005")), http.StatusBadRequest, 131048)
	if e["message"] != "(#131048) Spam rate limit hit" || details(e) == "" {
		t.Errorf("131048 envelope %v", e)
	}
	// A client already reached counts once; session messages are not counted.
	if r := post(t, sendURL(u, pnid), token, to(templateBody("Maria", "amanhã"), "+5511900000001")); r.status != http.StatusOK {
		t.Errorf("a client already reached: %d %s", r.status, r.raw)
	}
	if r := post(t, sendURL(u, pnid), token, to(textBody("resposta"), "+5511900000005")); r.status != http.StatusOK {
		t.Errorf("a session message: %d %s", r.status, r.raw)
	}
	if reached, refused := s.MessagingLimitUsage("waba-1"); reached != 4 || refused != 1 {
		t.Errorf("usage: %d reached, %d refused; want 4 and 1", reached, refused)
	}
	// Unlimited again.
	s.SetMessagingLimit("waba-1", -1)
	if r := post(t, sendURL(u, pnid), token, to(templateBody("Maria", "amanhã"), "+5511900000005")); r.status != http.StatusOK {
		t.Errorf("unlimited: %d %s", r.status, r.raw)
	}
}

func TestPostCapabilityUpdate(t *testing.T) {
	s, _ := newServer(t)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(recv.Close)
	s.SetWebhook(metastandin.WebhookOptions{URL: recv.URL, AppSecret: "shh"})
	if status, err := s.PostCapabilityUpdate(context.Background(), "waba-1", 2000); err != nil || status != http.StatusOK {
		t.Fatalf("%d %v", status, err)
	}
	ws := s.Webhooks()
	if len(ws) != 1 || ws[0].Kind != metastandin.KindCapabilityUpdate {
		t.Fatalf("%+v", ws)
	}
	var env struct {
		Object string
		Entry  []struct {
			ID      string
			Changes []struct {
				Field string
				Value map[string]any
			}
		}
	}
	if err := json.Unmarshal(ws[0].Body, &env); err != nil {
		t.Fatal(err)
	}
	c := env.Entry[0].Changes[0]
	if env.Entry[0].ID != "waba-1" || c.Field != "business_capability_update" || c.Value["max_daily_conversations_per_business"] != float64(2000) {
		t.Fatalf("%s", ws[0].Body)
	}
}

func TestMessagingLimitControl(t *testing.T) {
	s, u := newServer(t)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(recv.Close)
	s.SetWebhook(metastandin.WebhookOptions{URL: recv.URL, AppSecret: "shh"})
	ctl := func(method, path string, body any) response {
		return do(t, http.DefaultClient, method, u+"/_standin/"+path, "", body)
	}
	if r := ctl("POST", "messaging_limit", map[string]any{"waba_id": "waba-1", "limit": 1}); r.status != 200 || r.json["webhook_status"] != float64(200) {
		t.Fatalf("POST: %d %s", r.status, r.raw)
	}
	if r := ctl("POST", "messaging_limit", map[string]any{"waba": "waba-1"}); r.status != 400 {
		t.Errorf("bad body: %d %s", r.status, r.raw)
	}
	post(t, sendURL(u, pnid), token, templateBody("Maria", "amanhã"))
	metaError(t, post(t, sendURL(u, pnid), token, func() map[string]any { b := templateBody("Ana", "hoje"); b["to"] = "+5511900000009"; return b }()), http.StatusBadRequest, 131048)
	r := ctl("GET", "messaging_limit?waba_id=waba-1", nil)
	if r.status != 200 || r.json["limit"] != float64(1) || r.json["reached"] != float64(1) || r.json["refused_131048"] != float64(1) {
		t.Fatalf("GET: %d %s", r.status, r.raw)
	}
}
