package metastandin_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lembra-app/lembra/scripts/internal/standin/metastandin"
)

const (
	appSecret   = "test-app-secret"
	bizDigits   = "551140000000" // digits of pnid's display number "+55 11 4000-0000"
	toDigits    = "5511987654321"
	errCodesRef = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"
)

// hook is one webhook as the receiver saw it.
type hook struct {
	at  time.Time
	raw []byte
	env map[string]any
}

// receiver is the project's side of the webhook: it verifies the signature itself
// (HMAC-SHA256 over the raw body, constant-time compare) and decodes the JSON.
type receiver struct {
	t       *testing.T
	secret  string
	url     string
	mu      sync.Mutex
	hooks   []hook
	bad     []string
	answer  int
	block   chan struct{} // when set, handlers wait for it to close
	arrived chan struct{} // one token per request that started
}

// newReceiver starts a receiver. Create it before the stand-in so that the
// stand-in's Close (a cleanup) runs before the receiver's.
func newReceiver(t *testing.T, secret string) *receiver {
	t.Helper()
	rc := &receiver{t: t, secret: secret, answer: http.StatusOK, arrived: make(chan struct{}, 10000)}
	hs := httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(hs.Close)
	rc.url = hs.URL + "/webhook"
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	raw, err := io.ReadAll(io.LimitReader(r.Body, 3<<20))
	var problem string
	var env map[string]any
	switch {
	case err != nil:
		problem = "read: " + err.Error()
	case r.Method != http.MethodPost || r.URL.Path != "/webhook":
		problem = "request " + r.Method + " " + r.URL.Path
	case r.Header.Get("Content-Type") != "application/json":
		problem = "content type " + r.Header.Get("Content-Type")
	case !validSignature(rc.secret, raw, r.Header.Get("X-Hub-Signature-256")):
		problem = "bad signature " + r.Header.Get("X-Hub-Signature-256")
	default:
		if err := json.Unmarshal(raw, &env); err != nil {
			problem = "json: " + err.Error()
		}
	}
	rc.mu.Lock()
	if problem == "" {
		rc.hooks = append(rc.hooks, hook{at: at, raw: raw, env: env})
	} else {
		rc.bad = append(rc.bad, problem)
	}
	answer, block := rc.answer, rc.block
	rc.mu.Unlock()
	rc.arrived <- struct{}{}
	if block != nil {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}
	if problem != "" {
		http.Error(w, problem, http.StatusUnauthorized)
		return
	}
	w.WriteHeader(answer)
}

// validSignature is the receiver's own check, independent of the stand-in's code.
func validSignature(secret string, body []byte, header string) bool {
	hexSig, ok := strings.CutPrefix(header, "sha256=")
	if !ok || len(hexSig) != 64 || hexSig != strings.ToLower(hexSig) {
		return false
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hmac.Equal(got, m.Sum(nil))
}

// wait returns the first n verified hooks, failing after 5 s.
func (rc *receiver) wait(n int) []hook {
	rc.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		rc.mu.Lock()
		hs, bad := slices.Clone(rc.hooks), slices.Clone(rc.bad)
		rc.mu.Unlock()
		if len(bad) > 0 {
			rc.t.Fatalf("receiver rejected webhooks: %q", bad)
		}
		if len(hs) >= n {
			return hs
		}
		if time.Now().After(deadline) {
			rc.t.Fatalf("receiver got %d of %d webhooks", len(hs), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (rc *receiver) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.hooks) + len(rc.bad)
}

func obj(t *testing.T, v any, path ...any) map[string]any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			a, _ := v.([]any)
			if k >= len(a) {
				t.Fatalf("index %d of %v", k, path)
			}
			v = a[k]
		}
	}
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%v is %T, not an object", path, v)
	}
	return m
}

func keys(m map[string]any) string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ",")
}

// value checks the envelope (one entry of the WABA, one "messages" change, the
// metadata of pnid) and returns change.value.
func value(t *testing.T, h hook, wabaID string) map[string]any {
	t.Helper()
	if keys(h.env) != "entry,object" || h.env["object"] != "whatsapp_business_account" {
		t.Fatalf("envelope %s", h.raw)
	}
	entries, _ := h.env["entry"].([]any)
	e := obj(t, h.env, "entry", 0)
	if len(entries) != 1 || keys(e) != "changes,id" || e["id"] != wabaID {
		t.Fatalf("entry %s", h.raw)
	}
	changes, _ := e["changes"].([]any)
	c := obj(t, e, "changes", 0)
	if len(changes) != 1 || keys(c) != "field,value" || c["field"] != "messages" {
		t.Fatalf("change %s", h.raw)
	}
	v := obj(t, c, "value")
	md := obj(t, v, "metadata")
	if v["messaging_product"] != "whatsapp" || keys(md) != "display_phone_number,phone_number_id" ||
		md["display_phone_number"] != bizDigits || md["phone_number_id"] != pnid {
		t.Fatalf("value %s", h.raw)
	}
	return v
}

// status returns the single status of a status webhook.
func status(t *testing.T, h hook) map[string]any {
	t.Helper()
	v := value(t, h, "waba-1")
	sts, _ := v["statuses"].([]any)
	if keys(v) != "messaging_product,metadata,statuses" || len(sts) != 1 {
		t.Fatalf("status value %s", h.raw)
	}
	return obj(t, v, "statuses", 0)
}

func checkTimestamp(t *testing.T, ts any) {
	t.Helper()
	s, ok := ts.(string)
	n, err := strconv.ParseInt(s, 10, 64)
	if !ok || err != nil || time.Since(time.Unix(n, 0)).Abs() > time.Minute {
		t.Fatalf("timestamp %#v is not the unix seconds of now as a string", ts)
	}
}

func sendWAMID(t *testing.T, base string, body map[string]any) string {
	t.Helper()
	r := post(t, sendURL(base, pnid), token, body)
	if r.status != 200 {
		t.Fatalf("send: %d %s", r.status, r.raw)
	}
	id, _ := obj(t, r.json, "messages", 0)["id"].(string)
	return id
}

func TestAutoStatusesTemplate(t *testing.T) {
	rc := newReceiver(t, appSecret)
	s, base := newServer(t)
	s.SetWebhook(metastandin.WebhookOptions{URL: rc.url, AppSecret: appSecret, AutoStatuses: []string{"sent", "delivered", "read"}, Delay: 20 * time.Millisecond})
	wamid := sendWAMID(t, base, templateBody("Maria", "amanhã às 14:00"))

	hooks := rc.wait(3)
	for i, want := range []string{"sent", "delivered", "read"} {
		st := status(t, hooks[i])
		if keys(st) != "biz_opaque_callback_data,id,pricing,recipient_id,status,timestamp" ||
			st["id"] != wamid || st["status"] != want || st["recipient_id"] != toDigits || st["biz_opaque_callback_data"] != "appt_123" {
			t.Fatalf("status %d: %s", i, hooks[i].raw)
		}
		checkTimestamp(t, st["timestamp"])
		p := obj(t, st, "pricing")
		if keys(p) != "billable,category,pricing_model,type" || p["billable"] != true || p["pricing_model"] != "PMP" ||
			p["category"] != "utility" || p["type"] != "regular" {
			t.Fatalf("pricing %s", hooks[i].raw)
		}
	}
	time.Sleep(50 * time.Millisecond)
	if rc.count() != 3 {
		t.Fatalf("receiver got %d webhooks, want 3", rc.count())
	}
	ds := s.Webhooks()
	if len(ds) != 3 {
		t.Fatalf("recorded %d webhooks", len(ds))
	}
	for i, d := range ds {
		if d.Kind != "status" || !d.Automatic || d.WAMID != wamid || d.MessageStatus != status(t, hooks[i])["status"] ||
			d.Status != 200 || d.Err != nil || !bytes.Equal(d.Body, hooks[i].raw) || d.Signature != s.Sign(d.Body) || d.URL != rc.url || d.At.IsZero() {
			t.Fatalf("delivery %d: %+v", i, d)
		}
	}
}

func TestAutoStatusesServiceMessage(t *testing.T) {
	rc := newReceiver(t, appSecret)
	s, base := newServer(t)
	s.SetWebhook(metastandin.WebhookOptions{URL: rc.url, AppSecret: appSecret, AutoStatuses: []string{"sent"}})
	wamid := sendWAMID(t, base, textBody("Olá"))
	st := status(t, rc.wait(1)[0])
	p := obj(t, st, "pricing")
	// No biz_opaque_callback_data: the send carried none.
	if keys(st) != "id,pricing,recipient_id,status,timestamp" || st["id"] != wamid ||
		p["billable"] != false || p["category"] != "service" || p["type"] != "free_customer_service" || p["pricing_model"] != "PMP" {
		t.Fatalf("status %v", st)
	}
}

func TestDuplicatesAndShuffle(t *testing.T) {
	t.Run("duplicates in order", func(t *testing.T) {
		rc := newReceiver(t, appSecret)
		s, base := newServer(t)
		s.SetWebhook(metastandin.WebhookOptions{URL: rc.url, AppSecret: appSecret, AutoStatuses: []string{"sent", "delivered", "read"}, Duplicates: 1})
		wamid := sendWAMID(t, base, templateBody("Maria", "amanhã"))
		hooks := rc.wait(6)
		var got []string
		for _, h := range hooks {
			st := status(t, h)
			if st["id"] != wamid {
				t.Fatalf("id %v", st["id"])
			}
			got = append(got, st["status"].(string))
		}
		if fmt.Sprint(got) != "[sent sent delivered delivered read read]" {
			t.Fatalf("order %v", got)
		}
		for i := 0; i < 6; i += 2 {
			if !bytes.Equal(hooks[i].raw, hooks[i+1].raw) {
				t.Fatalf("duplicate differs:\n%s\n%s", hooks[i].raw, hooks[i+1].raw)
			}
		}
	})
	t.Run("duplicates shuffled", func(t *testing.T) {
		rc := newReceiver(t, appSecret)
		s, base := newServer(t)
		s.SetWebhook(metastandin.WebhookOptions{URL: rc.url, AppSecret: appSecret, AutoStatuses: []string{"sent", "delivered", "read"}, Duplicates: 2, Shuffle: true})
		const messages = 4
		for range messages {
			sendWAMID(t, base, templateBody("Maria", "amanhã"))
		}
		hooks := rc.wait(messages * 9)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.WaitWebhooks(ctx, messages*9); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
		if rc.count() != messages*9 || len(s.Webhooks()) != messages*9 {
			t.Fatalf("got %d, recorded %d, want %d", rc.count(), len(s.Webhooks()), messages*9)
		}
		perMessage := map[string][]string{}
		bodies := map[string]map[string]string{} // wamid → status → body
		for _, h := range hooks {
			st := status(t, h)
			id, stat := st["id"].(string), st["status"].(string)
			perMessage[id] = append(perMessage[id], stat)
			if bodies[id] == nil {
				bodies[id] = map[string]string{}
			}
			if b, seen := bodies[id][stat]; seen && b != string(h.raw) {
				t.Fatalf("copies of %s/%s differ", id, stat)
			}
			bodies[id][stat] = string(h.raw)
		}
		if len(perMessage) != messages {
			t.Fatalf("%d messages got statuses", len(perMessage))
		}
		shuffled := false
		for id, sts := range perMessage {
			counts := map[string]int{}
			for _, st := range sts {
				counts[st]++
			}
			if len(sts) != 9 || counts["sent"] != 3 || counts["delivered"] != 3 || counts["read"] != 3 {
				t.Fatalf("%s: %v", id, sts)
			}
			if fmt.Sprint(sts) != "[sent sent sent delivered delivered delivered read read read]" {
				shuffled = true
			}
		}
		if !shuffled {
			t.Fatal("no message had its statuses shuffled") // chance 1 in 1680^4
		}
	})
}

func TestFailedStatus(t *testing.T) {
	rc := newReceiver(t, appSecret)
	s, base := newServer(t)
	s.SetWebhook(metastandin.WebhookOptions{URL: rc.url, AppSecret: appSecret})
	wamid := sendWAMID(t, base, textBody("Olá"))
	ctx := context.Background()
	code, err := s.PostStatus(ctx, wamid, "failed", 131047, "Re-engagement message", "More than 24 hours have passed since the recipient last replied to the sender number.")
	if err != nil || code != 200 {
		t.Fatalf("PostStatus = %d, %v", code, err)
	}
	h := rc.wait(1)[0]
	st := status(t, h)
	if keys(st) != "errors,id,recipient_id,status,timestamp" || st["status"] != "failed" || st["id"] != wamid {
		t.Fatalf("failed status %s", h.raw)
	}
	errs, _ := st["errors"].([]any)
	e := obj(t, st, "errors", 0)
	if len(errs) != 1 || keys(e) != "code,error_data,href,message,title" || e["code"] != float64(131047) ||
		e["title"] != "Re-engagement message" || e["message"] != "Re-engagement message" || e["href"] != errCodesRef ||
		keys(obj(t, e, "error_data")) != "details" || !strings.HasPrefix(details(e), "More than 24 hours") {
		t.Fatalf("errors %s", h.raw)
	}
	// StatusPayload is exactly what PostStatus posted.
	n, _ := strconv.ParseInt(st["timestamp"].(string), 10, 64)
	want, err := s.StatusPayload(wamid, "failed", time.Unix(n, 0), 131047, "Re-engagement message", "More than 24 hours have passed since the recipient last replied to the sender number.")
	if err != nil || !bytes.Equal(want, h.raw) {
		t.Fatalf("StatusPayload differs (%v):\n%s\n%s", err, want, h.raw)
	}

	// Defaults: code 131000 with Meta's title and details; a known code fills its own.
	b, _ := s.StatusPayload(wamid, "failed", time.Now(), 0, "", "")
	if !strings.Contains(string(b), `"code":131000,"title":"Something went wrong","message":"Something went wrong","error_data":{"details":"Message failed to send due to an unknown error."}`) {
		t.Fatalf("default failure %s", b)
	}
	b, _ = s.StatusPayload(wamid, "failed", time.Now(), 131026, "", "")
	if !strings.Contains(string(b), `"title":"Message undeliverable"`) {
		t.Fatalf("131026 failure %s", b)
	}
	// Misuse.
	for _, c := range []struct {
		wamid, status string
		code          int
		want          error
	}{
		{"wamid.nope", "sent", 0, metastandin.ErrUnknownMessage},
		{wamid, "accepted", 0, nil},
		{wamid, "read", 131047, nil},
	} {
		if _, err := s.StatusPayload(c.wamid, c.status, time.Now(), c.code, "", ""); err == nil || (c.want != nil && !errors.Is(err, c.want)) {
			t.Fatalf("StatusPayload(%s, %s, %d) = %v", c.wamid, c.status, c.code, err)
		}
	}
}

func TestTapButton(t *testing.T) {
	rc := newReceiver(t, appSecret)
	s, base := newServer(t)
	s.SetWebhook(metastandin.WebhookOptions{URL: rc.url, AppSecret: appSecret})
	ctx := context.Background()
	wamid := sendWAMID(t, base, templateBody("Maria", "amanhã"))

	id, code, err := s.TapButton(ctx, wamid, "CONFIRM:appt_123", "Confirmar")
	if err != nil || code != 200 || !strings.HasPrefix(id, "wamid.") || id == wamid {
		t.Fatalf("TapButton = %q, %d, %v", id, code, err)
	}
	h := rc.wait(1)[0]
	v := value(t, h, "waba-1")
	msgs, _ := v["messages"].([]any)
	contacts, _ := v["contacts"].([]any)
	if keys(v) != "contacts,messages,messaging_product,metadata" || len(msgs) != 1 || len(contacts) != 1 {
		t.Fatalf("value %s", h.raw)
	}
	c := obj(t, v, "contacts", 0)
	if keys(c) != "profile,wa_id" || c["wa_id"] != toDigits || keys(obj(t, c, "profile")) != "name" || obj(t, c, "profile")["name"] != "Cliente 4321" {
		t.Fatalf("contact %s", h.raw)
	}
	m := obj(t, v, "messages", 0)
	ctxObj, btn := obj(t, m, "context"), obj(t, m, "button")
	if keys(m) != "button,context,from,id,timestamp,type" || m["type"] != "button" || m["from"] != toDigits || m["id"] != id ||
		keys(ctxObj) != "from,id" || ctxObj["id"] != wamid || ctxObj["from"] != bizDigits ||
		keys(btn) != "payload,text" || btn["payload"] != "CONFIRM:appt_123" || btn["text"] != "Confirmar" {
		t.Fatalf("message %s", h.raw)
	}
	checkTimestamp(t, m["timestamp"])
	if d := s.Webhooks(); len(d) != 1 || d[0].Kind != "button" || d[0].WAMID != id || d[0].Automatic {
		t.Fatalf("recorded %+v", d)
	}

	// A quick reply sent without payload comes back with the label as payload.
	if _, _, err := s.TapButton(ctx, wamid, "", "Confirmar"); err != nil {
		t.Fatal(err)
	}
	if btn := obj(t, rc.wait(2)[1].env, "entry", 0, "changes", 0, "value", "messages", 0, "button"); btn["payload"] != "Confirmar" {
		t.Fatalf("button %v", btn)
	}

	// An interactive message's reply button comes back as interactive/button_reply.
	iwamid := sendWAMID(t, base, interactiveBody(nil))
	if _, _, err := s.TapButton(ctx, iwamid, "change-button", "Change"); err != nil {
		t.Fatal(err)
	}
	m = obj(t, rc.wait(3)[2].env, "entry", 0, "changes", 0, "value", "messages", 0)
	it := obj(t, m, "interactive")
	if keys(m) != "context,from,id,interactive,timestamp,type" || m["type"] != "interactive" || m["from"] != "16505551234" ||
		keys(it) != "button_reply,type" || it["type"] != "button_reply" || fmt.Sprint(it["button_reply"]) != "map[id:change-button title:Change]" ||
		obj(t, m, "context")["id"] != iwamid {
		t.Fatalf("interactive reply %v", m)
	}

	// Text messages have no buttons; unknown wamids are errors.
	twamid := sendWAMID(t, base, textBody("Olá"))
	if _, _, err := s.TapButton(ctx, twamid, "x", "x"); err == nil {
		t.Fatal("tap on a text message")
	}
	if _, _, err := s.TapButton(ctx, "wamid.nope", "x", "x"); !errors.Is(err, metastandin.ErrUnknownMessage) {
		t.Fatalf("unknown wamid: %v", err)
	}
}

func TestSendText(t *testing.T) {
	rc := newReceiver(t, appSecret)
	s, _ := newServer(t)
	s.SetWebhook(metastandin.WebhookOptions{URL: rc.url, AppSecret: appSecret})
	ctx := context.Background()
	id, code, err := s.SendText(ctx, pnid, "+55 11 98765-4321", "Posso remarcar?", "")
	if err != nil || code != 200 || !strings.HasPrefix(id, "wamid.") {
		t.Fatalf("SendText = %q, %d, %v", id, code, err)
	}
	h := rc.wait(1)[0]
	m := obj(t, value(t, h, "waba-1"), "messages", 0)
	if keys(m) != "from,id,text,timestamp,type" || m["from"] != toDigits || m["id"] != id || m["type"] != "text" || obj(t, m, "text")["body"] != "Posso remarcar?" {
		t.Fatalf("text %s", h.raw)
	}
	if _, _, err := s.SendText(ctx, pnid, toDigits, "sim", "wamid.ctx"); err != nil {
		t.Fatal(err)
	}
	m = obj(t, rc.wait(2)[1].env, "entry", 0, "changes", 0, "value", "messages", 0)
	if c := obj(t, m, "context"); keys(c) != "from,id" || c["from"] != bizDigits || c["id"] != "wamid.ctx" {
		t.Fatalf("context %v", m)
	}
	for _, bad := range [][3]string{{"000", toDigits, "x"}, {pnid, "", "x"}, {pnid, toDigits, ""}} {
		if _, _, err := s.SendText(ctx, bad[0], bad[1], bad[2], ""); err == nil {
			t.Fatalf("SendText%q accepted", bad)
		}
	}
}

func TestSignAndPost(t *testing.T) {
	rc := newReceiver(t, appSecret)
	s, _ := newServer(t)
	body := []byte(`{"object":"whatsapp_business_account","entry":[]}` + "\n")
	m := hmac.New(sha256.New, []byte(appSecret))
	m.Write(body)
	want := "sha256=" + hex.EncodeToString(m.Sum(nil))
	s.SetWebhook(metastandin.WebhookOptions{URL: rc.url, AppSecret: appSecret})
	if got := s.Sign(body); got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
	// Post sends the bytes as they are.
	if code, err := s.Post(context.Background(), body); err != nil || code != 200 {
		t.Fatalf("Post = %d, %v", code, err)
	}
	if h := rc.wait(1)[0]; !bytes.Equal(h.raw, body) {
		t.Fatalf("posted %q", h.raw)
	}

	// Non-2xx answers are recorded, never retried.
	rc.mu.Lock()
	rc.answer = http.StatusInternalServerError
	rc.mu.Unlock()
	if code, err := s.Post(context.Background(), body); err != nil || code != 500 {
		t.Fatalf("Post = %d, %v", code, err)
	}
	// A wrong secret is caught by the receiver (401), also not retried.
	s.SetWebhook(metastandin.WebhookOptions{URL: rc.url, AppSecret: "another secret"})
	if code, err := s.Post(context.Background(), body); err != nil || code != 401 {
		t.Fatalf("Post with wrong secret = %d, %v", code, err)
	}
	time.Sleep(50 * time.Millisecond)
	if d := s.Webhooks(); len(d) != 3 || d[1].Status != 500 || d[2].Status != 401 || d[2].Kind != "raw" || rc.count() != 3 {
		t.Fatalf("recorded %+v, receiver %d", d, rc.count())
	}

	// No URL, unreachable URL.
	s.SetWebhook(metastandin.WebhookOptions{})
	if _, err := s.Post(context.Background(), body); !errors.Is(err, metastandin.ErrNoWebhookURL) {
		t.Fatalf("no URL: %v", err)
	}
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	s.SetWebhook(metastandin.WebhookOptions{URL: dead.URL, AppSecret: appSecret})
	if code, err := s.Post(context.Background(), body); !errors.Is(err, metastandin.ErrNoAnswer) || code != 0 {
		t.Fatalf("dead URL: %d, %v", code, err)
	}
	if d := s.Webhooks(); len(d) != 4 || d[3].Err == nil || d[3].Status != 0 {
		t.Fatalf("recorded %+v", d[len(d)-1])
	}
}

// TestNoStatusBeforeAnswer holds the send's answer back (Delay fault) and checks that
// no status arrives before it; a lost answer (AcceptThenHang) still gets statuses
// once the client gives up.
func TestNoStatusBeforeAnswer(t *testing.T) {
	rc := newReceiver(t, appSecret)
	s, base := newServer(t)
	s.SetWebhook(metastandin.WebhookOptions{URL: rc.url, AppSecret: appSecret, AutoStatuses: []string{"sent", "delivered", "read"}})

	const hold = 300 * time.Millisecond
	s.FailNext(metastandin.Fault{Delay: hold})
	start := time.Now()
	answered := make(chan time.Time, 1)
	go func() {
		body, _ := json.Marshal(templateBody("Maria", "amanhã"))
		req, _ := http.NewRequest(http.MethodPost, sendURL(base, pnid), bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Errorf("send: %v %v", resp, err)
		}
		if err == nil {
			resp.Body.Close()
		}
		answered <- time.Now()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.WaitRequests(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if len(s.Accepted()) != 1 {
		t.Fatal("not accepted before the answer")
	}
	time.Sleep(hold * 2 / 3)
	if n := rc.count(); n != 0 {
		t.Fatalf("%d webhooks before the answer", n)
	}
	hooks := rc.wait(3)
	<-answered
	for _, h := range hooks {
		if h.at.Before(start.Add(hold)) {
			t.Fatalf("status at %v, answer held until %v", h.at.Sub(start), hold)
		}
	}

	// AcceptThenHang: the answer never comes; the statuses start when the client leaves.
	s.FailNext(metastandin.Fault{AcceptThenHang: true})
	client := &http.Client{Timeout: 200 * time.Millisecond}
	body, _ := json.Marshal(templateBody("Maria", "amanhã"))
	req, _ := http.NewRequest(http.MethodPost, sendURL(base, pnid), bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	start = time.Now()
	if _, err := client.Do(req); err == nil {
		t.Fatal("hung request answered")
	}
	gaveUp := time.Now()
	hooks = rc.wait(6)[3:]
	hung := s.Accepted()[1].WAMID
	for _, h := range hooks {
		if st := status(t, h); st["id"] != hung || h.at.Before(start.Add(200*time.Millisecond)) {
			t.Fatalf("status %v at %v (client gave up at %v)", st, h.at.Sub(start), gaveUp.Sub(start))
		}
	}
}

// autoGoroutines counts goroutines running the stand-in's webhook code.
func autoGoroutines() int {
	buf := make([]byte, 1<<22)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for g := range strings.SplitSeq(string(buf), "\n\n") {
		if strings.Contains(g, "metastandin.(*Server).autoStatuses") || strings.Contains(g, "metastandin.(*Server).deliver") {
			n++
		}
	}
	return n
}

func TestCloseStopsAutomaticStatuses(t *testing.T) {
	noKeepAlive := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	send := func(t *testing.T, base string) {
		t.Helper()
		if r := do(t, noKeepAlive, http.MethodPost, sendURL(base, pnid), token, templateBody("Maria", "amanhã")); r.status != 200 {
			t.Fatalf("send %d", r.status)
		}
	}
	waitGoroutines := func(t *testing.T, max int) {
		t.Helper()
		deadline := time.Now().Add(3 * time.Second)
		for runtime.NumGoroutine() > max {
			if time.Now().After(deadline) {
				t.Fatalf("%d goroutines after Close, %d before", runtime.NumGoroutine(), max)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}

	t.Run("pending delayed statuses", func(t *testing.T) {
		rc := newReceiver(t, appSecret)
		s, base := newServer(t)
		before := runtime.NumGoroutine()
		s.SetWebhook(metastandin.WebhookOptions{URL: rc.url, AppSecret: appSecret, AutoStatuses: []string{"sent", "delivered", "read"}, Delay: time.Hour})
		for range 5 {
			send(t, base)
		}
		// Each goroutine starts just after its answer was flushed.
		for deadline := time.Now().Add(3 * time.Second); autoGoroutines() != 5; time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%d automatic-status goroutines, want 5", autoGoroutines())
			}
		}
		start := time.Now()
		s.Close()
		if time.Since(start) > time.Second {
			t.Fatalf("Close took %v", time.Since(start))
		}
		if n := autoGoroutines(); n != 0 {
			t.Fatalf("%d automatic-status goroutines after Close", n)
		}
		waitGoroutines(t, before)
		if rc.count() != 0 || len(s.Webhooks()) != 0 {
			t.Fatalf("webhooks posted: %d", rc.count())
		}
		// Sends after Close start nothing.
		send(t, base)
		if n := autoGoroutines(); n != 0 {
			t.Fatalf("%d goroutines after a send on a closed stand-in", n)
		}
	})

	t.Run("POST in flight", func(t *testing.T) {
		rc := newReceiver(t, appSecret)
		block := make(chan struct{})
		rc.mu.Lock()
		rc.block = block
		rc.mu.Unlock()
		s, base := newServer(t)
		before := runtime.NumGoroutine()
		s.SetWebhook(metastandin.WebhookOptions{URL: rc.url, AppSecret: appSecret, AutoStatuses: []string{"sent", "delivered"}})
		send(t, base)
		select {
		case <-rc.arrived:
		case <-time.After(5 * time.Second):
			t.Fatal("no webhook arrived")
		}
		start := time.Now()
		s.Close()
		if time.Since(start) > time.Second {
			t.Fatalf("Close took %v", time.Since(start))
		}
		close(block)
		if n := autoGoroutines(); n != 0 {
			t.Fatalf("%d automatic-status goroutines after Close", n)
		}
		d := s.Webhooks()
		if len(d) != 1 || !errors.Is(d[0].Err, context.Canceled) || d[0].MessageStatus != "sent" {
			t.Fatalf("recorded %+v", d)
		}
		waitGoroutines(t, before)
		time.Sleep(50 * time.Millisecond)
		if rc.count() != 1 {
			t.Fatalf("receiver got %d", rc.count())
		}
	})
}

func TestWebhookControlEndpoints(t *testing.T) {
	rc := newReceiver(t, appSecret)
	s, base := newServer(t)
	ctl := func(method, path string, body any) response {
		return do(t, http.DefaultClient, method, base+"/_standin/"+path, "", body)
	}
	// No URL yet.
	wamid := sendWAMID(t, base, templateBody("Maria", "amanhã"))
	if r := ctl("POST", "tap", map[string]any{"wamid": wamid, "payload": "CONFIRM", "text": "Confirmar"}); r.status != 409 {
		t.Fatalf("tap without URL: %d %s", r.status, r.raw)
	}
	for _, bad := range []string{
		`{"url":"` + rc.url + `","auto_statuses":["accepted"]}`,
		`{"url":"` + rc.url + `","delay":"soon"}`,
		`{"url":"` + rc.url + `","duplicates":-1}`,
		`{"url":"ftp://x"}`,
		`{"url":"` + rc.url + `","appSecret":"x"}`,
	} {
		if r := ctl("POST", "webhook", bad); r.status != 400 {
			t.Fatalf("bad options %s: %d", bad, r.status)
		}
	}
	r := ctl("POST", "webhook", `{"url":"`+rc.url+`","app_secret":"`+appSecret+`","auto_statuses":["sent","delivered","read"],"delay":"10ms","duplicates":1,"shuffle":false}`)
	if r.status != 204 {
		t.Fatalf("webhook: %d %s", r.status, r.raw)
	}
	wamid = sendWAMID(t, base, templateBody("Maria", "amanhã"))
	rc.wait(6)
	wctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.WaitWebhooks(wctx, 6); err != nil {
		t.Fatal(err)
	}

	r = ctl("POST", "tap", map[string]any{"wamid": wamid, "payload": "CONFIRM", "text": "Confirmar"})
	if r.status != 200 || r.json["webhook_status"] != float64(200) || !strings.HasPrefix(fmt.Sprint(r.json["id"]), "wamid.") {
		t.Fatalf("tap: %d %s", r.status, r.raw)
	}
	if r := ctl("POST", "tap", map[string]any{"wamid": "wamid.nope", "payload": "x"}); r.status != 404 {
		t.Fatalf("tap unknown: %d %s", r.status, r.raw)
	}
	r = ctl("POST", "inbound-text", map[string]any{"phone_number_id": pnid, "from": toDigits, "body": "Oi", "context_id": wamid})
	if r.status != 200 || r.json["webhook_status"] != float64(200) {
		t.Fatalf("inbound-text: %d %s", r.status, r.raw)
	}
	if r := ctl("POST", "inbound-text", map[string]any{"phone_number_id": pnid, "from": toDigits}); r.status != 400 {
		t.Fatalf("inbound-text without body: %d", r.status)
	}
	r = ctl("POST", "status", map[string]any{"wamid": wamid, "status": "failed", "code": 131047})
	if r.status != 200 {
		t.Fatalf("status: %d %s", r.status, r.raw)
	}
	hooks := rc.wait(9)
	if !strings.Contains(string(hooks[8].raw), `"code":131047,"title":"Re-engagement message"`) {
		t.Fatalf("failed status %s", hooks[8].raw)
	}

	r = ctl("GET", "webhooks", nil)
	var list []map[string]any
	if err := json.Unmarshal([]byte(r.raw), &list); err != nil || len(list) != 9 {
		t.Fatalf("webhooks: %s (%v)", r.raw, err)
	}
	first := list[0]
	if first["kind"] != "status" || first["automatic"] != true || first["status"] != float64(200) || first["wamid"] != wamid ||
		!strings.HasPrefix(fmt.Sprint(first["signature"]), "sha256=") || !strings.Contains(fmt.Sprint(first["body"]), `"statuses"`) {
		t.Fatalf("first delivery %v", first)
	}
	if kinds := fmt.Sprint(list[6]["kind"], list[7]["kind"], list[8]["kind"]); kinds != "buttontextstatus" {
		t.Fatalf("kinds %s", kinds)
	}
	if r := ctl("DELETE", "webhooks", nil); r.status != 204 || len(s.Webhooks()) != 0 {
		t.Fatalf("delete webhooks: %d", r.status)
	}

	// Options round-trip through JSON.
	o := metastandin.WebhookOptions{URL: rc.url, AppSecret: "x", AutoStatuses: []string{"read"}, Delay: time.Second, Duplicates: 2, Shuffle: true}
	b, _ := json.Marshal(o)
	var back metastandin.WebhookOptions
	if err := json.Unmarshal(b, &back); err != nil || fmt.Sprint(back) != fmt.Sprint(o) || !strings.Contains(string(b), `"delay":"1s"`) {
		t.Fatalf("round trip %s → %+v (%v)", b, back, err)
	}
}

// shape lists the key paths of a JSON document with their JSON types.
func shape(t *testing.T, raw []byte, drop ...string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(path string, v any)
	walk = func(path string, v any) {
		if slices.Contains(drop, path) {
			return
		}
		switch x := v.(type) {
		case map[string]any:
			out = append(out, path+":object")
			for k, e := range x {
				walk(path+"."+k, e)
			}
		case []any:
			out = append(out, path+":array")
			for _, e := range x {
				walk(path+"[]", e)
			}
		default:
			out = append(out, fmt.Sprintf("%s:%T", path, x))
		}
	}
	walk("", v)
	slices.Sort(out)
	return strings.Join(slices.Compact(out), "\n")
}

// TestShapesMatchMetaFixtures compares what the stand-in posts with Meta's payloads.
func TestShapesMatchMetaFixtures(t *testing.T) {
	rc := newReceiver(t, appSecret)
	s, base := newServer(t)
	s.SetWebhook(metastandin.WebhookOptions{URL: rc.url, AppSecret: appSecret})
	ctx := context.Background()
	const v = ".entry[].changes[].value"
	bsuid := []string{v + ".contacts[].user_id", v + ".contacts[].parent_user_id"}

	tpl := sendWAMID(t, base, templateBody("Maria", "amanhã"))
	txt := sendWAMID(t, base, textBody("Olá"))
	itv := sendWAMID(t, base, interactiveBody(nil))
	posts := []struct {
		fixture string
		post    func() error
		drop    []string // dropped from the fixture
		dropGot []string // dropped from what was posted
	}{
		{"statuses_sent_pmp_free_customer_service.json", func() error { _, err := s.PostStatus(ctx, tpl, "sent", 0, "", ""); return err }, nil, nil},
		{"statuses_sent_marketing_pmp.json", func() error { _, err := s.PostStatus(ctx, txt, "sent", 0, "", ""); return err }, []string{v + ".statuses[].conversation"}, nil},
		{"statuses_read.json", func() error { _, err := s.PostStatus(ctx, txt, "read", 0, "", ""); return err },
			// A CBP-era capture: status webhooks of that time also carried contacts, and
			// pricing.type did not exist yet.
			append([]string{v + ".statuses[].conversation", v + ".contacts"}, bsuid...), []string{v + ".statuses[].pricing.type"}},
		{"statuses_failed_131047_DERIVED.json", func() error { _, err := s.PostStatus(ctx, txt, "failed", 131047, "", ""); return err }, nil, nil},
		{"messages_button_quick_reply_with_context.json", func() error { _, _, err := s.TapButton(ctx, tpl, "Unsubscribe", "Unsubscribe"); return err }, nil, nil},
		{"messages_interactive_button_reply_with_context.json", func() error { _, _, err := s.TapButton(ctx, itv, "change-button", "Change"); return err }, nil, nil},
		{"messages_text.json", func() error { _, _, err := s.SendText(ctx, pnid, toDigits, "Oi", ""); return err }, nil, nil},
		{"messages_text_reply_with_context.json", func() error { _, _, err := s.SendText(ctx, pnid, toDigits, "Oi", txt); return err }, bsuid, nil},
	}
	for i, p := range posts {
		t.Run(p.fixture, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "testdata", "meta", "webhooks", p.fixture))
			if err != nil {
				t.Fatal(err)
			}
			if err := p.post(); err != nil {
				t.Fatal(err)
			}
			got := rc.wait(i + 1)[i].raw
			if g, w := shape(t, got, p.dropGot...), shape(t, want, p.drop...); g != w {
				t.Fatalf("shape differs from %s\n--- posted:\n%s\n--- Meta:\n%s\n%s", p.fixture, g, w, got)
			}
		})
	}
}
