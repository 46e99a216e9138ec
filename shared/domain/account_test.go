package domain

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var t0 = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func at(sec int) time.Time { return t0.Add(time.Duration(sec) * time.Second) }

func TestSendBlock(t *testing.T) {
	future, past := at(3600), at(-3600)
	cases := []struct {
		name string
		w    WhatsApp
		mode DeliveryMode
		want string // "" = may send
	}{
		{"never reported", WhatsApp{}, DeliveryTemplate, ""},
		{"connected", WhatsApp{Status: AccountConnected}, DeliveryTemplate, ""},
		{"legacy restricted status alone", WhatsApp{Status: "restricted"}, DeliveryTemplate, ""},
		{"disconnected", WhatsApp{Status: AccountDisconnected}, DeliveryTemplate, BlockDisconnected},
		{"disconnected, session", WhatsApp{Status: AccountDisconnected}, DeliverySession, BlockDisconnected},
		{"deleted", WhatsApp{Status: AccountDeleted}, DeliveryTemplate, BlockDeleted},
		{"banned", WhatsApp{Ban: &AccountBan{State: BanDisable}}, DeliveryTemplate, BlockBanned},
		{"banned, session", WhatsApp{Ban: &AccountBan{State: BanDisable}}, DeliverySession, BlockBanned},
		{"scheduled for disable still sends", WhatsApp{Ban: &AccountBan{State: BanScheduleToDisable}}, DeliveryTemplate, ""},
		{"reinstated", WhatsApp{Ban: &AccountBan{State: BanReinstate}}, DeliveryTemplate, ""},
		{"reinstated but restricted", WhatsApp{Ban: &AccountBan{State: BanReinstate},
			Restrictions: []AccountRestriction{{Type: RestrictBusinessInitiated, Expiration: future}}}, DeliveryTemplate, BlockRestricted},
		{"business-initiated restriction blocks templates", WhatsApp{Restrictions: []AccountRestriction{{Type: RestrictBusinessInitiated, Expiration: future}}}, DeliveryTemplate, BlockRestricted},
		{"business-initiated restriction leaves replies", WhatsApp{Restrictions: []AccountRestriction{{Type: RestrictBusinessInitiated, Expiration: future}}}, DeliverySession, ""},
		{"customer-initiated restriction blocks replies", WhatsApp{Restrictions: []AccountRestriction{{Type: RestrictCustomerInitiated, Expiration: future}}}, DeliverySession, BlockRestricted},
		{"customer-initiated restriction leaves templates", WhatsApp{Restrictions: []AccountRestriction{{Type: RestrictCustomerInitiated}}}, DeliveryTemplate, ""},
		{"expired restriction", WhatsApp{Restrictions: []AccountRestriction{{Type: RestrictBusinessInitiated, Expiration: past}}}, DeliveryTemplate, ""},
		{"expiring right now", WhatsApp{Restrictions: []AccountRestriction{{Type: RestrictBusinessInitiated, Expiration: t0}}}, DeliveryTemplate, ""},
		{"restriction without expiry holds", WhatsApp{Restrictions: []AccountRestriction{{Type: RestrictBusinessInitiated}}}, DeliveryTemplate, BlockRestricted},
		{"add-number restriction does not block", WhatsApp{Restrictions: []AccountRestriction{{Type: RestrictAddPhoneNumber}}}, DeliveryTemplate, ""},
		{"unknown messaging restriction blocks", WhatsApp{Restrictions: []AccountRestriction{{Type: "RESTRICTED_ALL_MESSAGING"}}}, DeliverySession, BlockRestricted},
		{"deleted wins over a ban", WhatsApp{Status: AccountDeleted, Ban: &AccountBan{State: BanDisable}}, DeliveryTemplate, BlockDeleted},
	}
	for _, c := range cases {
		b, blocked := c.w.SendBlock(c.mode, t0)
		if blocked != (c.want != "") || b.Code != c.want {
			t.Errorf("%s: blocked %v %q, want %q", c.name, blocked, b.Code, c.want)
		}
	}
}

func TestApplyAccountEvent(t *testing.T) {
	disc := &AccountDisconnection{Reason: "PRIMARY_INACTIVITY", InitiatedBy: "SYSTEM"}
	cases := []struct {
		name    string
		events  []AccountEvent
		applied []bool
		status  string
		ban     string
		block   string // for a template at t0
	}{
		{"partner removed", []AccountEvent{{Event: "PARTNER_REMOVED", At: at(1), Disconnection: disc}}, []bool{true}, AccountDisconnected, "", BlockDisconnected},
		{"removed then reconnected", []AccountEvent{{Event: "PARTNER_REMOVED", At: at(1)}, {Event: "PARTNER_ADDED", At: at(2)}}, []bool{true, true}, AccountConnected, "", ""},
		{"app installed reconnects", []AccountEvent{{Event: "PARTNER_APP_UNINSTALLED", At: at(1)}, {Event: "PARTNER_APP_INSTALLED", At: at(2)}}, []bool{true, true}, AccountConnected, "", ""},
		{"an older reconnect is ignored", []AccountEvent{{Event: "PARTNER_REMOVED", At: at(5)}, {Event: "ACCOUNT_RECONNECTED", At: at(2)}}, []bool{true, false}, AccountDisconnected, "", BlockDisconnected},
		{"deleted", []AccountEvent{{Event: "ACCOUNT_DELETED", At: at(1)}}, []bool{true}, AccountDeleted, "", BlockDeleted},
		{"ban then reinstate", []AccountEvent{{Event: "DISABLED_UPDATE", At: at(1), Ban: &AccountBan{State: BanDisable}}, {Event: "DISABLED_UPDATE", At: at(2), Ban: &AccountBan{State: BanReinstate}}}, []bool{true, true}, "", BanReinstate, ""},
		{"reinstate redelivered before the ban is kept", []AccountEvent{{Event: "DISABLED_UPDATE", At: at(2), Ban: &AccountBan{State: BanReinstate}}, {Event: "DISABLED_UPDATE", At: at(1), Ban: &AccountBan{State: BanDisable}}}, []bool{true, false}, "", BanReinstate, ""},
		// Per fact: an older ban arriving after a newer disconnection still applies.
		{"older ban after newer disconnection", []AccountEvent{{Event: "PARTNER_REMOVED", At: at(10)}, {Event: "DISABLED_UPDATE", At: at(3), Ban: &AccountBan{State: BanDisable}}, {Event: "PARTNER_ADDED", At: at(11)}}, []bool{true, true, true}, AccountConnected, BanDisable, BlockBanned},
		{"restriction", []AccountEvent{{Event: "ACCOUNT_RESTRICTION", At: at(1), Restrictions: []AccountRestriction{{Type: RestrictBusinessInitiated, Expiration: at(600)}}}}, []bool{true}, "", "", BlockRestricted},
		{"restriction lifted by an empty list", []AccountEvent{{Event: "ACCOUNT_RESTRICTION", At: at(1), Restrictions: []AccountRestriction{{Type: RestrictBusinessInitiated}}}, {Event: "ACCOUNT_RESTRICTION", At: at(2)}}, []bool{true, true}, "", "", ""},
		{"violation only warns", []AccountEvent{{Event: "ACCOUNT_VIOLATION", At: at(1), Violation: "SCAM"}}, []bool{true}, "", "", ""},
		{"unrelated event", []AccountEvent{{Event: "MM_LITE_TERMS_SIGNED", At: at(1)}}, []bool{true}, "", "", ""},
		{"same event twice", []AccountEvent{{Event: "PARTNER_REMOVED", At: at(1)}, {Event: "PARTNER_REMOVED", At: at(1)}}, []bool{true, true}, AccountDisconnected, "", BlockDisconnected},
	}
	for _, c := range cases {
		var w WhatsApp
		for i, e := range c.events {
			if got := w.ApplyAccountEvent(e); got != c.applied[i] {
				t.Errorf("%s: event %d (%s) applied %v, want %v", c.name, i, e.Event, got, c.applied[i])
			}
		}
		ban := ""
		if w.Ban != nil {
			ban = w.Ban.State
		}
		b, _ := w.SendBlock(DeliveryTemplate, t0)
		if w.Status != c.status || ban != c.ban || b.Code != c.block {
			t.Errorf("%s: status %q ban %q block %q, want %q %q %q", c.name, w.Status, ban, b.Code, c.status, c.ban, c.block)
		}
	}
}

func TestAccountFactsAreOrderedApart(t *testing.T) {
	var w WhatsApp
	// A history refusal and a quality update come first, with later times.
	if !w.RecordHistoryRefusal(at(100), "2593109 declined") || !w.ApplyQualityUpdate("THROUGHPUT_UPGRADE", at(90), "TIER_UNLIMITED") {
		t.Fatal("first events not applied")
	}
	// An older account_update is still applied; LastEvent stays the newest of any kind.
	if !w.ApplyAccountEvent(AccountEvent{Event: "PARTNER_REMOVED", At: at(10)}) {
		t.Fatal("older account_update ignored because of a newer event of another kind")
	}
	if w.Status != AccountDisconnected || w.LastEvent != "HISTORY_DECLINED" || !w.LastEventAt.Equal(at(100)) {
		t.Errorf("status %q last %q at %v", w.Status, w.LastEvent, w.LastEventAt)
	}
	// An older quality update is not.
	if w.ApplyQualityUpdate("ONBOARDING", at(50), "TIER_250") || w.MessagingTier != "TIER_UNLIMITED" {
		t.Errorf("older quality update applied: tier %q", w.MessagingTier)
	}
	for fact, want := range map[string]time.Time{FactHistory: at(100), FactQuality: at(90), FactConnection: at(10)} {
		if !w.EventTimes[fact].Equal(want) {
			t.Errorf("%s time %v, want %v", fact, w.EventTimes[fact], want)
		}
	}
}

func TestAccountInfoIsBounded(t *testing.T) {
	long := strings.Repeat("ç", 5000)
	var w WhatsApp
	w.ApplyAccountEvent(AccountEvent{Event: "ACCOUNT_RESTRICTION", At: at(1), Info: long,
		Restrictions: make([]AccountRestriction, 50), Disconnection: &AccountDisconnection{Reason: long}})
	w.ApplyAccountEvent(AccountEvent{Event: "PARTNER_REMOVED", At: at(2), Info: long, Disconnection: &AccountDisconnection{Reason: long}})
	w.ApplyAccountEvent(AccountEvent{Event: "DISABLED_UPDATE", At: at(3), Ban: &AccountBan{State: long, Date: long}})
	if len(w.LastEventInfo) > MaxStoredText || !utf8.ValidString(w.LastEventInfo) {
		t.Errorf("LastEventInfo %d bytes", len(w.LastEventInfo))
	}
	if len(w.Restrictions) > maxRestrictions {
		t.Errorf("%d restrictions kept", len(w.Restrictions))
	}
	for _, s := range []string{w.Disconnection.Reason, w.Ban.State, w.Ban.Date, w.LastEvent} {
		if len(s) > maxShortText || !utf8.ValidString(s) {
			t.Errorf("stored text of %d bytes", len(s))
		}
	}
}

func TestClipText(t *testing.T) {
	cases := []struct {
		in   string
		n    int
		want string
	}{
		{"abc", 3, "abc"},
		{"abcd", 3, "…"},
		{"abcdefgh", 6, "abc…"},
		{"ããããã", 7, "ãã…"}, // ã is 2 bytes, … is 3: no split character
		{"", 0, ""},
		{"a\xffb", 10, "a\uFFFDb"},
	}
	for _, c := range cases {
		if got := ClipText(c.in, c.n); got != c.want || len(got) > c.n {
			t.Errorf("ClipText(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}

func TestThroughputUpgrade(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name        string
		w           WhatsApp
		event       string
		wantCap     int
		wantApplied bool
	}{
		{"a Cloud API number is upgraded", WhatsApp{ThroughputCap: 80}, EventThroughputUpgrade, 1000, true},
		{"a number onboarded before caps were recorded", WhatsApp{}, EventThroughputUpgrade, 1000, true},
		{"a coexistence number keeps its fixed 20/s", WhatsApp{Coexistence: true, ThroughputCap: 20}, EventThroughputUpgrade, 20, true},
		{"another quality event leaves the cap", WhatsApp{ThroughputCap: 80}, "ONBOARDING", 80, true},
		{"an older event is not applied", WhatsApp{ThroughputCap: 80, EventTimes: map[string]time.Time{FactQuality: t0.Add(time.Hour)}}, EventThroughputUpgrade, 80, false},
	}
	for _, c := range cases {
		w := c.w
		if got := w.ApplyQualityUpdate(c.event, t0, ""); got != c.wantApplied || w.Cap() != c.wantCap {
			t.Errorf("%s: applied %v, cap %d; want %v, %d", c.name, got, w.Cap(), c.wantApplied, c.wantCap)
		}
	}
}

func TestCap(t *testing.T) {
	for _, c := range []struct {
		w    WhatsApp
		want int
	}{
		{WhatsApp{}, 80},
		{WhatsApp{Coexistence: true}, 20},
		{WhatsApp{ThroughputCap: 1000}, 1000},
		{WhatsApp{Coexistence: true, ThroughputCap: 20}, 20},
	} {
		if got := c.w.Cap(); got != c.want {
			t.Errorf("%+v.Cap() = %d, want %d", c.w, got, c.want)
		}
	}
}
