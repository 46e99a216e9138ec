package events

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/meta"
)

func TestAccountEventFromPayload(t *testing.T) {
	at := time.Unix(1743451903, 0).UTC()
	cases := []struct {
		name  string
		value string
		check func(domain.AccountEvent) bool
	}{
		{"partner removed, coexistence", `{"phone_number":"15550783881","event":"PARTNER_REMOVED"}`,
			func(e domain.AccountEvent) bool {
				return e.Event == "PARTNER_REMOVED" && e.Disconnection == nil && e.Info == ""
			}},
		{"partner removed with disconnection_info", `{"event":"PARTNER_REMOVED","disconnection_info":{"reason":"PRIMARY_INACTIVITY","initiated_by":"SYSTEM"}}`,
			func(e domain.AccountEvent) bool {
				return e.Disconnection != nil && e.Disconnection.Reason == "PRIMARY_INACTIVITY" && e.Disconnection.InitiatedBy == "SYSTEM" &&
					e.Info == `disconnection_info={"reason":"PRIMARY_INACTIVITY","initiated_by":"SYSTEM"}`
			}},
		{"ban", `{"event":"DISABLED_UPDATE","ban_info":{"waba_ban_state":"DISABLE","waba_ban_date":"April 17, 2025"}}`,
			func(e domain.AccountEvent) bool {
				return e.Ban != nil && e.Ban.State == "DISABLE" && e.Ban.Date == "April 17, 2025"
			}},
		{"reinstate", `{"event":"DISABLED_UPDATE","ban_info":{"waba_ban_state":"REINSTATE","waba_ban_date":"April 17, 2025"}}`,
			func(e domain.AccountEvent) bool { return e.Ban != nil && e.Ban.State == "REINSTATE" }},
		{"restriction list", `{"event":"ACCOUNT_RESTRICTION","restriction_info":[{"restriction_type":"RESTRICTED_BIZ_INITIATED_MESSAGING","expiration":"2026-04-19T13:59:20+0000"},{"restriction_type":"RESTRICTED_ADD_PHONE_NUMBER_ACTION","expiration":"2026-04-19T13:59:20+0000"}]}`,
			func(e domain.AccountEvent) bool {
				return len(e.Restrictions) == 2 && e.Restrictions[0].Type == domain.RestrictBusinessInitiated &&
					e.Restrictions[0].Expiration.Equal(time.Date(2026, 4, 19, 13, 59, 20, 0, time.UTC))
			}},
		{"restriction object, RFC 3339", `{"event":"ACCOUNT_RESTRICTION","restriction_info":{"restriction_type":"RESTRICTED_CUSTOMER_INITIATED_MESSAGING","expiration":"2022-12-12T07:09:27.000Z"}}`,
			func(e domain.AccountEvent) bool {
				return len(e.Restrictions) == 1 && e.Restrictions[0].Expiration.Equal(time.Date(2022, 12, 12, 7, 9, 27, 0, time.UTC))
			}},
		{"restriction with an unreadable expiry holds", `{"event":"ACCOUNT_RESTRICTION","restriction_info":[{"restriction_type":"RESTRICTED_BIZ_INITIATED_MESSAGING","expiration":"soon"}]}`,
			func(e domain.AccountEvent) bool {
				return len(e.Restrictions) == 1 && e.Restrictions[0].Expiration.IsZero() && e.Restrictions[0].ExpirationText == "soon"
			}},
		{"violation", `{"event":"ACCOUNT_VIOLATION","violation_info":{"violation_type":"ADULT"}}`,
			func(e domain.AccountEvent) bool { return e.Violation == "ADULT" }},
		{"huge info is clipped", `{"event":"DISABLED_UPDATE","ban_info":{"waba_ban_state":"DISABLE","waba_ban_date":"` + strings.Repeat("x", 100000) + `"}}`,
			func(e domain.AccountEvent) bool {
				return len(e.Info) <= domain.MaxStoredText && e.Ban.State == "DISABLE"
			}},
	}
	for _, c := range cases {
		var v meta.AccountValue
		if err := json.Unmarshal([]byte(c.value), &v); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		e := accountEvent(v, at)
		if !e.At.Equal(at) || !c.check(e) {
			t.Errorf("%s: %+v", c.name, e)
		}
	}
}

func TestApplyAccount(t *testing.T) {
	at := time.Unix(1748454394, 0).UTC()
	cases := []struct {
		name  string
		field string
		value string
		prior func(*domain.WhatsApp)
		want  bool
		check func(domain.WhatsApp) bool
	}{
		{"quality update with current_limit", "phone_number_quality_update", `{"event":"THROUGHPUT_UPGRADE","current_limit":"TIER_UNLIMITED"}`, nil, true,
			func(w domain.WhatsApp) bool {
				return w.MessagingTier == "TIER_UNLIMITED" && w.LastEvent == "THROUGHPUT_UPGRADE"
			}},
		{"quality update: max_daily_conversations_per_business first", "phone_number_quality_update",
			`{"event":"UPGRADE","current_limit":"TIER_1K","max_daily_conversations_per_business":"TIER_10K"}`, nil, true,
			func(w domain.WhatsApp) bool { return w.MessagingTier == "TIER_10K" }},
		{"quality update older than the last one", "phone_number_quality_update", `{"event":"DOWNGRADE","current_limit":"TIER_250"}`,
			func(w *domain.WhatsApp) { w.ApplyQualityUpdate("UPGRADE", at.Add(time.Hour), "TIER_10K") }, false,
			func(w domain.WhatsApp) bool { return w.MessagingTier == "TIER_10K" }},
		{"partner removed disconnects", "account_update", `{"event":"PARTNER_REMOVED","disconnection_info":{"reason":"PRIMARY_INACTIVITY"}}`, nil, true,
			func(w domain.WhatsApp) bool {
				return w.Status == domain.AccountDisconnected && w.Disconnection != nil && w.Disconnection.Reason == "PRIMARY_INACTIVITY"
			}},
		{"a reconnection older than the disconnection changes nothing", "account_update", `{"event":"PARTNER_ADDED"}`,
			func(w *domain.WhatsApp) {
				w.ApplyAccountEvent(domain.AccountEvent{Event: "PARTNER_REMOVED", At: at.Add(time.Minute)})
			}, false,
			func(w domain.WhatsApp) bool { return w.Status == domain.AccountDisconnected }},
	}
	for _, c := range cases {
		var v meta.AccountValue
		if err := json.Unmarshal([]byte(c.value), &v); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var w domain.WhatsApp
		if c.prior != nil {
			c.prior(&w)
		}
		if got := applyAccount(&w, c.field, v, at); got != c.want || !c.check(w) {
			t.Errorf("%s: applied %v, want %v; %+v", c.name, got, c.want, w)
		}
	}
}
