package events

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/meta"
)

// The messaging limit from each webhook: business_capability_update (an integer, a
// tier name, the older per-phone integer) and phone_number_quality_update's tier.
func TestMessagingLimitFromWebhooks(t *testing.T) {
	for _, c := range []struct {
		body string
		want int
		ok   bool
	}{
		{`{"max_daily_conversations_per_business":2000,"max_phone_numbers_per_waba":25}`, 2000, true},
		{`{"max_daily_conversations_per_business":"TIER_250","max_phone_numbers_per_business":2}`, 250, true},
		{`{"max_daily_conversation_per_phone":-1}`, domain.LimitUnlimited, true},
		{`{"max_daily_conversations_per_business":"TIER_UNLIMITED"}`, domain.LimitUnlimited, true},
		{`{"max_phone_numbers_per_waba":25}`, 0, false},
		{`{"max_daily_conversations_per_business":"TIER_SOMETHING"}`, 0, false},
	} {
		var v meta.CapabilityValue
		if err := json.Unmarshal([]byte(c.body), &v); err != nil {
			t.Fatal(err)
		}
		if got, ok := CapabilityLimit(v); got != c.want || ok != c.ok {
			t.Errorf("%s: %d, %v; want %d, %v", c.body, got, ok, c.want, c.ok)
		}
	}
	at := time.Unix(1748454394, 0).UTC()
	for _, c := range []struct {
		body string
		want int
	}{
		{`{"display_phone_number":"15550783881","event":"ONBOARDING","max_daily_conversations_per_business":"TIER_10K"}`, 10_000},
		{`{"display_phone_number":"15550783881","event":"ONBOARDING","current_limit":"TIER_2K"}`, 2000},
		{`{"display_phone_number":"15550783881","event":"THROUGHPUT_UPGRADE","max_daily_conversations_per_business":"TIER_NOT_SET"}`, domain.LimitNewPortfolio},
	} {
		var v meta.AccountValue
		if err := json.Unmarshal([]byte(c.body), &v); err != nil {
			t.Fatal(err)
		}
		var w domain.WhatsApp
		if !applyAccount(&w, "phone_number_quality_update", v, at) || w.MessagingLimit != c.want {
			t.Errorf("%s: limit %d, want %d", c.body, w.MessagingLimit, c.want)
		}
	}
}
