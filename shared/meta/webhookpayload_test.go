package meta

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

const webhookSamples = "../../testdata/meta/webhooks"

func readSample(t *testing.T, name string) WebhookEnvelope {
	t.Helper()
	body, err := os.ReadFile(filepath.Join(webhookSamples, name))
	if err != nil {
		t.Fatal(err)
	}
	var env WebhookEnvelope
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return env
}

// Every sample of Meta's webhooks reads into the envelope, and each change's value
// into the type of its field.
func TestEveryWebhookSampleDecodes(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(webhookSamples, "*.json"))
	if err != nil || len(files) < 20 {
		t.Fatalf("%d samples (%v)", len(files), err)
	}
	for _, f := range files {
		env := readSample(t, filepath.Base(f))
		if env.Object != "whatsapp_business_account" || len(env.Entry) == 0 {
			t.Errorf("%s: object %q, %d entries", f, env.Object, len(env.Entry))
		}
		for _, e := range env.Entry {
			if e.ID == "" || len(e.Changes) == 0 {
				t.Errorf("%s: entry %q with %d changes", f, e.ID, len(e.Changes))
			}
			for _, c := range e.Changes {
				var target any
				switch c.Field {
				case "messages", "smb_message_echoes", "history":
					target = &MessagesValue{}
				case "smb_app_state_sync":
					target = &StateSyncValue{}
				case "message_template_status_update":
					target = &TemplateStatusValue{}
				case "message_template_quality_update":
					target = &TemplateQualityValue{}
				case "template_category_update":
					target = &TemplateCategoryValue{}
				case "account_update", "phone_number_quality_update":
					target = &AccountValue{}
				case "business_capability_update":
					target = &CapabilityValue{}
				default:
					t.Errorf("%s: field %q has no type", f, c.Field)
					continue
				}
				if err := json.Unmarshal(c.Value, target); err != nil {
					t.Errorf("%s: %s: %v", f, c.Field, err)
				}
			}
		}
	}
}

func value[T any](t *testing.T, name string) T {
	t.Helper()
	env := readSample(t, name)
	var v T
	if err := json.Unmarshal(env.Entry[0].Changes[0].Value, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestWebhookSampleFields(t *testing.T) {
	tap := value[MessagesValue](t, "messages_button_quick_reply_with_context.json")
	if m := tap.Messages[0]; tap.Metadata.PhoneNumberID != "106540352242922" || tap.Contacts[0].WAID != "16505551234" ||
		tap.Contacts[0].Profile.Name != "Sheena Nelson" || m.Type != "button" || m.Button == nil || m.Button.Payload != "Unsubscribe" ||
		m.Context == nil || m.Context.ID == "" || m.Readable() != "Unsubscribe" || m.Timestamp != "1750091045" {
		t.Errorf("button tap: %+v", tap)
	}
	reply := value[MessagesValue](t, "messages_interactive_button_reply_with_context.json")
	if m := reply.Messages[0]; m.Interactive == nil || m.Interactive.ButtonReply == nil || m.Interactive.ButtonReply.ID != "change-button" || m.Readable() != "Change" {
		t.Errorf("interactive reply: %+v", m)
	}
	failed := value[MessagesValue](t, "statuses_failed_131047_DERIVED.json")
	if st := failed.Statuses[0]; st.Status != "failed" || len(st.Errors) != 1 || st.Errors[0].Code != 131047 ||
		st.Errors[0].Title != "Re-engagement message" || st.Errors[0].ErrorData.Details == "" || st.RecipientID != "16505551234" {
		t.Errorf("failed status: %+v", st)
	}
	delivered := value[MessagesValue](t, "statuses_delivered_service.json")
	if st := delivered.Statuses[0]; st.Pricing == nil || !st.Pricing.Billable || st.Pricing.PricingModel != "CBP" || st.Pricing.Category != "service" ||
		st.Conversation == nil || st.Conversation.Origin.Type != "service" {
		t.Errorf("delivered status: %+v", st)
	}
	history := value[MessagesValue](t, "history_approved.json")
	if h := history.History[0]; h.Metadata.Progress != 55 || len(h.Threads) == 0 || h.Threads[0].ID != "16505551234" ||
		h.Threads[0].Messages[0].HistoryContext == nil || h.Threads[0].Messages[0].HistoryContext.Status != "READ" {
		t.Errorf("history: %+v", h)
	}
	echo := value[MessagesValue](t, "smb_message_echoes_text.json")
	if len(echo.Echoes) != 1 || echo.Echoes[0].To != "16505551234" || echo.Echoes[0].Readable() == "" {
		t.Errorf("echo: %+v", echo)
	}
	sync := value[StateSyncValue](t, "smb_app_state_sync_contact_add.json")
	if it := sync.StateSync[0]; it.Type != "contact" || it.Action != "add" || it.Contact.PhoneNumber != "16505551234" || it.Contact.FirstName != "Pablo" || it.Metadata.Timestamp != "1739321024" {
		t.Errorf("state sync: %+v", it)
	}
	tpl := value[TemplateStatusValue](t, "template_status_update_rejected.json")
	if tpl.Event != "REJECTED" || tpl.Name != "abandoned_cart" || tpl.Reason == nil || *tpl.Reason != "INVALID_FORMAT" || string(tpl.ID) != "1689556908129835" {
		t.Errorf("template status: %+v", tpl)
	}
	quality := value[AccountValue](t, "phone_number_quality_update.json")
	if quality.Event != "THROUGHPUT_UPGRADE" || quality.CurrentLimit != "TIER_UNLIMITED" {
		t.Errorf("quality update: %+v", quality)
	}
}

func TestFlexUnix(t *testing.T) {
	cases := []struct {
		raw  string
		n    int64
		good bool
	}{
		{`1746169200`, 1746169200, true},
		{`"1746169200"`, 1746169200, true},
		{``, 0, false},
		{`null`, 0, false},
		{`-5`, -5, false},
		{`0`, 0, false},
		{`"soon"`, 0, false},
	}
	for _, c := range cases {
		n, ok := FlexUnix(json.RawMessage(c.raw))
		if ok != c.good || (ok && n != c.n) {
			t.Errorf("%q: %d %v", c.raw, n, ok)
		}
	}
	if when, ok := (TemplateCategoryValue{UpdateTimestamp: json.RawMessage(`1746169200`)}).UpdateTime(); !ok || !when.Equal(time.Unix(1746169200, 0)) {
		t.Errorf("UpdateTime: %v %v", when, ok)
	}
	if _, ok := (TemplateCategoryValue{}).UpdateTime(); ok {
		t.Error("UpdateTime without a timestamp")
	}
}

func TestWebhookTimeAndReadable(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		in   string
		want time.Time
	}{
		{"1750091045", time.Unix(1750091045, 0).UTC()},
		{"", now}, {"0", now}, {"-1", now}, {"yesterday", now}, {"1.5", now},
	} {
		if got := WebhookTime(c.in, now); !got.Equal(c.want) || got.Location() != time.UTC {
			t.Errorf("WebhookTime(%q) = %v, want %v", c.in, got, c.want)
		}
	}
	for _, c := range []struct {
		m    WebhookMessage
		want string
	}{
		{WebhookMessage{Text: &MessageText{Body: "oi"}}, "oi"},
		{WebhookMessage{Button: &MessageButton{Payload: "p", Text: "Confirmar"}}, "Confirmar"},
		{WebhookMessage{Interactive: &MessageInteractive{ButtonReply: &InteractiveReply{ID: "x", Title: "Reagendar"}}}, "Reagendar"},
		{WebhookMessage{Interactive: &MessageInteractive{ListReply: &InteractiveReply{ID: "x", Title: "Terça"}}}, "Terça"},
		{WebhookMessage{Image: &MessageImage{Caption: "foto"}}, "foto"},
		{WebhookMessage{Reaction: &MessageReaction{Emoji: "👍"}}, "👍"},
		{WebhookMessage{Type: "sticker"}, ""},
	} {
		if got := c.m.Readable(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.m, got, c.want)
		}
	}
}

// The messaging limit of a business_capability_update, as Meta's sample (an integer)
// and its reference (tier names; the older per-phone integer, -1 unlimited) write it.
func TestCapabilityLimit(t *testing.T) {
	if got := value[CapabilityValue](t, "business_capability_update.json").Limit(); got != "2000" {
		t.Fatalf("Meta's sample: %q", got)
	}
	for _, c := range []struct{ body, want string }{
		{`{"max_daily_conversations_per_business":"TIER_10K"}`, "TIER_10K"},
		{`{"max_daily_conversation_per_phone":-1,"max_phone_numbers_per_waba":25}`, "-1"},
		{`{"max_daily_conversations_per_business":"TIER_UNLIMITED","max_daily_conversation_per_phone":-1}`, "TIER_UNLIMITED"},
		{`{"max_phone_numbers_per_business":2}`, ""},
		{`{"max_daily_conversations_per_business":{"odd":1}}`, ""},
	} {
		var v CapabilityValue
		if err := json.Unmarshal([]byte(c.body), &v); err != nil {
			t.Fatal(err)
		}
		if got := v.Limit(); got != c.want {
			t.Errorf("%s: %q, want %q", c.body, got, c.want)
		}
	}
}

// A quality update's tier, whether Meta writes it as a tier name or as a number (as
// business_capability_update does): a number must not make the webhook unreadable.
func TestQualityUpdateTier(t *testing.T) {
	for raw, want := range map[string]string{
		`{"event":"UPGRADE","max_daily_conversations_per_business":"TIER_2K"}`:                             "TIER_2K",
		`{"event":"UPGRADE","max_daily_conversations_per_business":2000}`:                                  "2000",
		`{"event":"UPGRADE","current_limit":"TIER_250"}`:                                                   "TIER_250",
		`{"event":"UPGRADE","current_limit":"TIER_250","max_daily_conversations_per_business":"TIER_10K"}`: "TIER_10K",
		`{"event":"ONBOARDING"}`: "",
	} {
		var v AccountValue
		if err := json.Unmarshal([]byte(raw), &v); err != nil {
			t.Errorf("%s: %v", raw, err)
			continue
		}
		if got := v.Tier(); got != want {
			t.Errorf("%s: Tier() = %q, want %q", raw, got, want)
		}
	}
}
