package metastandin

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/meta"
)

// lifecycleStandIn serves a stand-in with two onboarded businesses (a code exchanged
// each) and a webhook receiver that answers 200.
func lifecycleStandIn(t *testing.T) (s *Server, call func(method, path, tok string, body string) (int, map[string]any)) {
	t.Helper()
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	t.Cleanup(recv.Close)
	s = New()
	base, err := s.Serve("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	s.SetApp("app1", "shh")
	s.SetWebhook(WebhookOptions{URL: recv.URL, AppSecret: "shh"})
	s.AddBusiness(Business{Code: "code-n", Token: "tok-n", WABAID: "1001", PhoneNumberID: "2001", DisplayPhoneNumber: "+55 11 4000-0001"})
	s.AddBusiness(Business{Code: "code-c", Token: "tok-c", WABAID: "1002", PhoneNumberID: "2002", DisplayPhoneNumber: "+55 11 4000-0002", Coexistence: true})
	call = func(method, path, tok, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	for _, code := range []string{"code-n", "code-c"} {
		if st, out := call("GET", "/v23.0/oauth/access_token?"+url.Values{"client_id": {"app1"}, "client_secret": {"shh"}, "code": {code}}.Encode(), "", ""); st != 200 {
			t.Fatalf("exchange %s: %d %v", code, st, out)
		}
	}
	return s, call
}

// waitKind waits for n webhooks of a kind and returns them, parsed as the events
// package parses them.
func waitKind(t *testing.T, s *Server, kind string, n int) []meta.WebhookEnvelope {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		var out []meta.WebhookEnvelope
		for _, d := range s.Webhooks() {
			if d.Kind != kind {
				continue
			}
			if d.Status != 200 || !strings.HasPrefix(d.Signature, "sha256=") {
				t.Fatalf("%s webhook: status %d signature %q", kind, d.Status, d.Signature)
			}
			var env meta.WebhookEnvelope
			if err := json.Unmarshal(d.Body, &env); err != nil {
				t.Fatalf("%s webhook: %v in %s", kind, err, d.Body)
			}
			out = append(out, env)
		}
		if len(out) >= n {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d %s webhooks", len(out), n, kind)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSubscribeThenPartnerAddedAndUnsubscribe(t *testing.T) {
	s, call := lifecycleStandIn(t)
	if st, out := call("POST", "/v23.0/1001/subscribed_apps", "tok-n", ""); st != 200 || out["success"] != true {
		t.Fatalf("subscribe: %d %v", st, out)
	}
	env := waitKind(t, s, KindAccountUpdate, 1)[0]
	e := env.Entry[0]
	var v meta.AccountValue
	if err := json.Unmarshal(e.Changes[0].Value, &v); err != nil || e.Changes[0].Field != "account_update" || e.ID != PartnerBusinessID || e.Time == 0 {
		t.Fatalf("PARTNER_ADDED envelope %+v (%v)", env, err)
	}
	if v.Event != "PARTNER_ADDED" || v.WABAInfo == nil || v.WABAInfo.WABAID != "1001" {
		t.Errorf("PARTNER_ADDED value %+v", v)
	}
	// Another business's token cannot unsubscribe it; its own can.
	if st, _ := call("DELETE", "/v23.0/1001/subscribed_apps", "tok-c", ""); st != 401 {
		t.Errorf("unsubscribe with another token: %d", st)
	}
	if st, out := call("DELETE", "/v23.0/1001/subscribed_apps", "tok-n", ""); st != 200 || out["success"] != true {
		t.Fatalf("unsubscribe: %d %v", st, out)
	}
	if b, _ := s.Business("1001"); b.Subscribed || b.Calls[EndpointUnsubscribeApp] != 1 || b.Calls[EndpointSubscribedApps] != 1 {
		t.Errorf("after the DELETE: %+v", b)
	}
	// A fault on the DELETE fails it once.
	s.FailNextOn(EndpointUnsubscribeApp, Fault{Code: 2})
	if st, _ := call("DELETE", "/v23.0/1001/subscribed_apps", "tok-n", ""); st != 503 {
		t.Errorf("faulted unsubscribe: %d", st)
	}
	// No second PARTNER_ADDED for a DELETE.
	time.Sleep(100 * time.Millisecond)
	if n := len(waitKind(t, s, KindAccountUpdate, 1)); n != 1 {
		t.Errorf("%d account_update webhooks", n)
	}
}

func TestDisconnectFromBusinessApp(t *testing.T) {
	s, _ := lifecycleStandIn(t)
	if st, err := s.DisconnectFromBusinessApp(context.Background(), "1002"); err != nil || st != 200 {
		t.Fatalf("disconnect: %d %v", st, err)
	}
	e := waitKind(t, s, KindAccountUpdate, 1)[0].Entry[0]
	var v meta.AccountValue
	_ = json.Unmarshal(e.Changes[0].Value, &v)
	var info struct{ Reason, InitiatedBy string }
	var raw map[string]string
	_ = json.Unmarshal(v.DisconnectionInfo, &raw)
	info.Reason, info.InitiatedBy = raw["reason"], raw["initiated_by"]
	if e.ID != "1002" || v.Event != "PARTNER_REMOVED" || v.PhoneNumber != "551140000002" || info.Reason != "ACCOUNT_DISCONNECTED" || info.InitiatedBy != "USER" {
		t.Errorf("PARTNER_REMOVED %s %+v %+v", e.ID, v, info)
	}
	if _, err := s.DisconnectFromBusinessApp(context.Background(), "404"); err == nil {
		t.Error("an unknown WABA was disconnected")
	}
	// Meta's bare variant: no disconnection_info.
	if st, err := s.RemovePartner(context.Background(), "1002"); err != nil || st != 200 {
		t.Fatalf("bare PARTNER_REMOVED: %d %v", st, err)
	}
	e = waitKind(t, s, KindAccountUpdate, 2)[1].Entry[0]
	var bare map[string]json.RawMessage
	_ = json.Unmarshal(e.Changes[0].Value, &bare)
	if _, has := bare["disconnection_info"]; e.ID != "1002" || has || string(bare["event"]) != `"PARTNER_REMOVED"` || string(bare["phone_number"]) != `"551140000002"` {
		t.Errorf("bare PARTNER_REMOVED %s %v", e.ID, bare)
	}
	if _, err := s.RemovePartner(context.Background(), "404"); err == nil {
		t.Error("an unknown WABA was removed")
	}
}

func TestSMBAppDataWebhooks(t *testing.T) {
	s, call := lifecycleStandIn(t)
	if st, out := call("POST", "/v23.0/2002/smb_app_data", "tok-c", `{"messaging_product":"whatsapp","sync_type":"smb_app_state_sync"}`); st != 200 {
		t.Fatalf("state sync: %d %v", st, out)
	}
	ss := waitKind(t, s, KindStateSync, 1)[0].Entry[0].Changes[0]
	var sv meta.StateSyncValue
	if err := json.Unmarshal(ss.Value, &sv); err != nil || ss.Field != "smb_app_state_sync" || sv.Metadata.PhoneNumberID != "2002" || len(sv.StateSync) != 1 ||
		sv.StateSync[0].Contact.PhoneNumber != StateSyncContact.PhoneNumber || sv.StateSync[0].Action != "add" {
		t.Errorf("state sync %s %+v (%v)", ss.Field, sv, err)
	}

	if st, out := call("POST", "/v23.0/2002/smb_app_data", "tok-c", `{"messaging_product":"whatsapp","sync_type":"history"}`); st != 200 {
		t.Fatalf("history: %d %v", st, out)
	}
	envs := waitKind(t, s, KindHistory, 3)
	var orders, progress []int
	for _, env := range envs {
		c := env.Entry[0].Changes[0]
		var v meta.MessagesValue
		if err := json.Unmarshal(c.Value, &v); err != nil || c.Field != "history" || v.Metadata.PhoneNumberID != "2002" || len(v.History) != 1 {
			t.Fatalf("history chunk %s %+v (%v)", c.Field, v, err)
		}
		h := v.History[0]
		if len(h.Threads) != 1 || h.Threads[0].ID != HistoryClient || len(h.Threads[0].Messages) != 1 || h.Threads[0].Messages[0].HistoryContext == nil {
			t.Errorf("chunk threads %+v", h.Threads)
		}
		orders, progress = append(orders, h.Metadata.ChunkOrder), append(progress, h.Metadata.Progress)
	}
	// One chunk out of order; the last at 100.
	if orders[0] < orders[1] || progress[len(progress)-1] != 100 {
		t.Errorf("chunk orders %v progress %v", orders, progress)
	}
	// A normal number has no app data: no webhooks.
	if st, _ := call("POST", "/v23.0/2001/smb_app_data", "tok-n", `{"messaging_product":"whatsapp","sync_type":"history"}`); st != 400 {
		t.Errorf("history of a normal number: %d", st)
	}
	time.Sleep(100 * time.Millisecond)
	if n := len(waitKind(t, s, KindHistory, 3)); n != 3 {
		t.Errorf("%d history webhooks", n)
	}
}

func TestRevokeToken(t *testing.T) {
	s, call := lifecycleStandIn(t)
	valid := func() (bool, float64) {
		_, out := call("GET", "/v23.0/debug_token?input_token=tok-n", "app1|shh", "")
		data, _ := out["data"].(map[string]any)
		e, _ := data["error"].(map[string]any)
		code, _ := e["code"].(float64)
		return data["is_valid"] == true, code
	}
	send := func() (int, float64) {
		st, out := call("POST", "/v23.0/2001/messages", "tok-n", `{"messaging_product":"whatsapp","to":"5511999990000","type":"text","text":{"body":"oi"}}`)
		e, _ := out["error"].(map[string]any)
		code, _ := e["code"].(float64)
		return st, code
	}
	if ok, _ := valid(); !ok {
		t.Fatal("token invalid before the revocation")
	}
	if err := s.RevokeToken("1001"); err != nil {
		t.Fatal(err)
	}
	if ok, code := valid(); ok || code != 190 {
		t.Errorf("debug_token after the revocation: valid %v code %v", ok, code)
	}
	if st, code := send(); st != 401 || code != 190 {
		t.Errorf("send after the revocation: %d code %v", st, code)
	}
	if st, _ := call("GET", "/v23.0/1001/phone_numbers", "tok-n", ""); st != 401 {
		t.Errorf("phone_numbers after the revocation: %d", st)
	}
	// Another business's token still works.
	if _, out := call("GET", "/v23.0/debug_token?input_token=tok-c", "app1|shh", ""); out["data"].(map[string]any)["is_valid"] != true {
		t.Errorf("the other business's token: %v", out)
	}
	if err := s.RestoreToken("1001"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := valid(); !ok {
		t.Error("token still invalid after RestoreToken")
	}
	if st, _ := send(); st == 401 {
		t.Error("send still refused after RestoreToken")
	}
	if err := s.RevokeToken("404"); err == nil {
		t.Error("an unknown WABA's token was revoked")
	}
}

func TestLifecycleControl(t *testing.T) {
	s, _ := lifecycleStandIn(t)
	ctl := httptest.NewServer(s)
	t.Cleanup(ctl.Close)
	post := func(body string) int {
		resp, err := http.Post(ctl.URL+"/_standin/lifecycle", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if st := post(`{"waba_id":"1001","action":"revoke_token"}`); st != 200 {
		t.Errorf("revoke: %d", st)
	}
	s.mu.Lock()
	revoked := s.revokedLocked("tok-n")
	s.mu.Unlock()
	if !revoked {
		t.Error("not revoked")
	}
	if st := post(`{"waba_id":"1001","action":"restore_token"}`); st != 200 {
		t.Errorf("restore: %d", st)
	}
	if st := post(`{"waba_id":"1001","action":"disconnect"}`); st != 200 {
		t.Errorf("disconnect: %d", st)
	}
	waitKind(t, s, KindAccountUpdate, 1)
	for _, bad := range []string{`{"waba_id":"1001","action":"explode"}`, `{"action":"disconnect"}`, `{"waba_id":"1001","action":"disconnect","x":1}`} {
		if st := post(bad); st != 400 {
			t.Errorf("%s: %d", bad, st)
		}
	}
	if st := post(`{"waba_id":"404","action":"revoke_token"}`); st != 404 {
		t.Errorf("unknown WABA: %d", st)
	}
}
