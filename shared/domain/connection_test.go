package domain

import (
	"testing"
	"time"
)

func TestConnectionStateOf(t *testing.T) {
	base := WhatsApp{PhoneNumberID: "1", AccessTokenSecret: "meta-token-x", WABAID: "2", Status: AccountConnected}
	with := func(f func(w *WhatsApp)) WhatsApp {
		w := base
		f(&w)
		return w
	}
	cases := []struct {
		name string
		w    WhatsApp
		want string
	}{
		{"never connected", WhatsApp{}, StateNotConnected},
		{"number without token", WhatsApp{PhoneNumberID: "1"}, StateNotConnected},
		{"deleted without number", WhatsApp{Status: AccountDeleted}, StateDeleted},
		{"connected", base, StateConnected},
		{"status never reported", with(func(w *WhatsApp) { w.Status = "" }), StateConnected},
		{"disconnected by the app", with(func(w *WhatsApp) { w.Status = AccountDisconnected }), StateDisconnected},
		{"disconnected by the owner", with(func(w *WhatsApp) { w.MarkOwnerDisconnected("o@x", "fechando", t0) }), StateDisconnected},
		{"deleted", with(func(w *WhatsApp) { w.Status = AccountDeleted }), StateDeleted},
		{"banned", with(func(w *WhatsApp) { w.Ban = &AccountBan{State: BanDisable} }), StateBanned},
		{"ban scheduled still connected", with(func(w *WhatsApp) { w.Ban = &AccountBan{State: BanScheduleToDisable} }), StateConnected},
		{"token invalid", with(func(w *WhatsApp) { w.TokenCheck = &TokenCheck{Valid: false, CheckedAt: t0} }), StateTokenInvalid},
		{"token valid", with(func(w *WhatsApp) { w.TokenCheck = &TokenCheck{Valid: true, CheckedAt: t0} }), StateConnected},
		{"banned before token", with(func(w *WhatsApp) {
			w.Ban = &AccountBan{State: BanDisable}
			w.TokenCheck = &TokenCheck{}
		}), StateBanned},
		{"templates restricted", with(func(w *WhatsApp) {
			w.Restrictions = []AccountRestriction{{Type: RestrictBusinessInitiated}}
		}), StateRestricted},
		{"replies restricted: templates still go", with(func(w *WhatsApp) {
			w.Restrictions = []AccountRestriction{{Type: RestrictCustomerInitiated}}
		}), StateRestricted},
		{"restriction expired", with(func(w *WhatsApp) {
			w.Restrictions = []AccountRestriction{{Type: RestrictBusinessInitiated, Expiration: at(-1)}}
		}), StateConnected},
		{"history requested", with(func(w *WhatsApp) { w.Sync = &ConnectionSync{HistoryRequestedAt: t0} }), StateSyncingHistory},
		{"history halfway", with(func(w *WhatsApp) { w.Sync = &ConnectionSync{HistoryRequestedAt: t0, HistoryProgress: 45} }), StateSyncingHistory},
		{"history done", with(func(w *WhatsApp) {
			w.Sync = &ConnectionSync{HistoryRequestedAt: t0, HistoryProgress: 100, HistoryDoneAt: t0}
		}), StateConnected},
		{"history declined", with(func(w *WhatsApp) { w.Sync = &ConnectionSync{HistoryRequestedAt: t0, HistoryDeclinedAt: t0} }), StateConnected},
		{"contacts only", with(func(w *WhatsApp) { w.Sync = &ConnectionSync{ContactsRequestedAt: t0} }), StateConnected},
		{"onboarding indexed, not activated", with(func(w *WhatsApp) { w.MarkConnecting(false, false, t0) }), StateConnecting},
		{"logging in again on the number that was sending", with(func(w *WhatsApp) { w.MarkConnecting(false, true, t0) }), StateConnected},
		{"logging in again on a coexistence number that was sending", with(func(w *WhatsApp) { w.MarkConnecting(true, true, t0) }), StateConnected},
		{"reconnecting after a disconnection", with(func(w *WhatsApp) {
			w.Status = AccountDisconnected
			w.MarkConnecting(true, false, t0)
		}), StateConnecting},
		{"connecting, PARTNER_ADDED arrived: still connecting", with(func(w *WhatsApp) {
			w.MarkConnecting(false, false, t0)
			w.ApplyAccountEvent(AccountEvent{Event: "PARTNER_ADDED", At: t0})
		}), StateConnecting},
		{"activated", with(func(w *WhatsApp) {
			w.MarkConnecting(true, false, t0)
			w.MarkConnected(true, t0)
		}), StateConnected},
		{"disconnected while syncing", with(func(w *WhatsApp) {
			w.Status = AccountDisconnected
			w.Sync = &ConnectionSync{HistoryRequestedAt: t0}
		}), StateDisconnected},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := ConnectionStateOf(c.w, t0)
			if got.State != c.want {
				t.Fatalf("state %q, want %q", got.State, c.want)
			}
			// can_send agrees with the rule dispatch applies to notices and reminders.
			_, blocked := c.w.SendBlock(DeliveryTemplate, t0)
			wantSend := !blocked && c.want != StateNotConnected && c.want != StateDeleted
			if got.CanSend != wantSend {
				t.Fatalf("can_send %v, SendBlock blocked=%v", got.CanSend, blocked)
			}
			if !got.CanSend && got.State != StateNotConnected && got.Block.Code == "" {
				t.Fatalf("a state that cannot send names no block: %+v", got)
			}
		})
	}
}

func TestThroughputCap(t *testing.T) {
	for _, c := range []struct {
		coexistence bool
		want        int
	}{{false, 80}, {true, 20}} {
		if got := ThroughputCap(c.coexistence); got != c.want {
			t.Errorf("ThroughputCap(%v) = %d, want %d", c.coexistence, got, c.want)
		}
	}
}

func TestMarkConnectedClearsDisconnectionAndInvalidToken(t *testing.T) {
	cases := []struct {
		name        string
		w           WhatsApp
		coexistence bool
		wantCap     int
		wantToken   *TokenCheck
	}{
		{"after the app's disconnect", WhatsApp{Status: AccountDisconnected, Disconnection: &AccountDisconnection{Reason: "ACCOUNT_DISCONNECTED"},
			EventTimes: map[string]time.Time{FactConnection: at(-10)}}, true, 20, nil},
		{"after the owner's disconnect", func() WhatsApp {
			var w WhatsApp
			w.MarkOwnerDisconnected("dona@x", "troca", at(-5))
			w.Unsubscribed = true
			return w
		}(), false, 80, nil},
		{"an invalid token is cleared", WhatsApp{TokenCheck: &TokenCheck{CheckedAt: at(-1)}}, false, 80, nil},
		{"a valid check is kept", WhatsApp{TokenCheck: &TokenCheck{CheckedAt: at(-1), Valid: true}}, false, 80, &TokenCheck{CheckedAt: at(-1), Valid: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := c.w
			w.MarkConnected(c.coexistence, t0)
			if w.Status != AccountConnected || w.Disconnection != nil || w.Unsubscribed {
				t.Fatalf("not connected again: %+v", w)
			}
			if w.ThroughputCap != c.wantCap || w.Coexistence != c.coexistence {
				t.Fatalf("kind %v cap %d", w.Coexistence, w.ThroughputCap)
			}
			if (w.TokenCheck == nil) != (c.wantToken == nil) || (w.TokenCheck != nil && *w.TokenCheck != *c.wantToken) {
				t.Fatalf("token check %+v, want %+v", w.TokenCheck, c.wantToken)
			}
			// A redelivered older PARTNER_REMOVED does not undo the reconnection.
			if w.ApplyAccountEvent(AccountEvent{Event: "PARTNER_REMOVED", At: at(-1)}) || w.Status != AccountConnected {
				t.Fatalf("an older PARTNER_REMOVED applied after the reconnection")
			}
		})
	}
}

// TestMarkConnectedKeepsTheOnboardingsEvents: the account events Meta sends during
// the onboarding (after the index step) apply even when processed after the
// activation; an older one does not.
func TestMarkConnectedKeepsTheOnboardingsEvents(t *testing.T) {
	w := WhatsApp{Status: AccountDisconnected, EventTimes: map[string]time.Time{FactConnection: at(-60)}}
	w.MarkConnecting(false, false, t0.Add(300*time.Millisecond))
	w.MarkConnected(false, t0.Add(5*time.Second))
	if !w.ApplyAccountEvent(AccountEvent{Event: "PARTNER_ADDED", At: t0}) || w.LastEvent != "PARTNER_ADDED" || w.Status != AccountConnected {
		t.Fatalf("the onboarding's PARTNER_ADDED was not applied: %+v", w)
	}
	if w.ApplyAccountEvent(AccountEvent{Event: "PARTNER_REMOVED", At: at(-30)}) || w.Status != AccountConnected {
		t.Fatalf("a PARTNER_REMOVED from before the attempt applied: %+v", w)
	}
	if !w.ConnectingSince.IsZero() {
		t.Fatal("still connecting")
	}
}

func TestRecordTokenCheck(t *testing.T) {
	cases := []struct {
		name      string
		prev      *TokenCheck
		check     TokenCheck
		wantAlert bool
		wantValid bool
		wantAt    time.Time
	}{
		{"first check valid", nil, TokenCheck{CheckedAt: t0, Valid: true}, false, true, t0},
		{"first check invalid alerts", nil, TokenCheck{CheckedAt: t0, Reason: "190 expired"}, true, false, t0},
		{"valid then invalid alerts", &TokenCheck{CheckedAt: at(-60), Valid: true}, TokenCheck{CheckedAt: t0}, true, false, t0},
		{"invalid again does not alert again", &TokenCheck{CheckedAt: at(-60)}, TokenCheck{CheckedAt: t0}, false, false, t0},
		{"valid lifts", &TokenCheck{CheckedAt: at(-60)}, TokenCheck{CheckedAt: t0, Valid: true, Reason: "x"}, false, true, t0},
		{"an older check changes nothing", &TokenCheck{CheckedAt: t0, Valid: true}, TokenCheck{CheckedAt: at(-60)}, false, true, t0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := WhatsApp{TokenCheck: c.prev}
			if got := w.RecordTokenCheck(c.check); got != c.wantAlert {
				t.Fatalf("became invalid %v, want %v", got, c.wantAlert)
			}
			if w.TokenCheck.Valid != c.wantValid || !w.TokenCheck.CheckedAt.Equal(c.wantAt) {
				t.Fatalf("recorded %+v", w.TokenCheck)
			}
			if w.TokenCheck.Valid && w.TokenCheck.Reason != "" {
				t.Fatalf("a valid check keeps a reason: %+v", w.TokenCheck)
			}
		})
	}
}

func TestApplySync(t *testing.T) {
	cases := []struct {
		name        string
		updates     []SyncUpdate
		wantHistory string
		wantContact string
		wantPercent int
		syncing     bool
	}{
		{"requested", []SyncUpdate{{At: t0, ContactsRequested: true}, {At: t0, HistoryRequested: true}}, SyncRequested, SyncRequested, 0, true},
		{"chunks out of order keep the max", []SyncUpdate{{At: t0, HistoryRequested: true},
			{At: at(1), HistoryChunk: true, HistoryProgress: 60}, {At: at(2), HistoryChunk: true, HistoryProgress: 30}}, SyncInProgress, SyncRequested, 60, true},
		{"100 is done", []SyncUpdate{{At: t0, HistoryRequested: true}, {At: at(1), HistoryChunk: true, HistoryProgress: 100},
			{At: at(2), HistoryChunk: true, HistoryProgress: 70}}, SyncDone, SyncRequested, 100, false},
		{"out of range is clamped", []SyncUpdate{{At: t0, HistoryRequested: true}, {At: at(1), HistoryChunk: true, HistoryProgress: 250}}, SyncDone, SyncRequested, 100, false},
		{"declined", []SyncUpdate{{At: t0, HistoryRequested: true}, {At: at(1), HistoryDeclined: true}}, SyncDeclined, SyncRequested, 0, false},
		{"contacts arrived", []SyncUpdate{{At: t0, ContactsRequested: true}, {At: at(1), ContactsArrived: true}}, SyncRequested, SyncDone, 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var s ConnectionSync
			for _, u := range c.updates {
				s.ApplySync(u)
			}
			if s.HistoryState() != c.wantHistory || s.ContactsState() != c.wantContact || s.HistoryProgress != c.wantPercent || s.HistorySyncing() != c.syncing {
				t.Fatalf("history %s contacts %s progress %d syncing %v", s.HistoryState(), s.ContactsState(), s.HistoryProgress, s.HistorySyncing())
			}
			if s.ApplySync(c.updates[len(c.updates)-1]) {
				t.Fatalf("the same update twice changed the sync again")
			}
		})
	}
}

func TestWebhooksSubscribed(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	base := WhatsApp{WABAID: "2", PhoneNumberID: "1", AccessTokenSecret: "meta-token-s"}
	for _, tc := range []struct {
		name string
		edit func(*WhatsApp)
		want bool
	}{
		{"connected", func(*WhatsApp) {}, true},
		{"no WABA", func(w *WhatsApp) { w.WABAID = "" }, false},
		{"no token", func(w *WhatsApp) { w.AccessTokenSecret = "" }, false},
		{"unsubscribed by the owner", func(w *WhatsApp) { w.Unsubscribed = true }, false},
		{"first onboarding, before its subscribe step", func(w *WhatsApp) { w.MarkConnecting(false, false, t0) }, false},
		{"re-login on the number that keeps sending", func(w *WhatsApp) { w.MarkConnecting(false, true, t0) }, true},
		{"activated", func(w *WhatsApp) { w.MarkConnecting(false, false, t0); w.MarkConnected(false, t0) }, true},
	} {
		w := base
		tc.edit(&w)
		if got := w.WebhooksSubscribed(); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestAbandonConnecting: an attempt stopped after its index step gives the number back
// its earlier state: a reconnection's number shows its state again (sending, or
// disconnected); a first connection is not connected, its number and WABA removed.
func TestAbandonConnecting(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	connecting := WhatsApp{PhoneNumberID: "1", WABAID: "2", AccessTokenSecret: "meta-token-s", DisplayPhoneNumber: "+55 11 4000-0001",
		Status: AccountConnected, Coexistence: true, ThroughputCap: 20, Sync: &ConnectionSync{HistoryRequestedAt: now},
		ConnectingSince: now.Add(-25 * time.Hour), LastEvent: "PARTNER_ADDED"}
	cases := []struct {
		name    string
		w       WhatsApp
		first   bool
		state   string
		canSend bool
	}{
		{"first connection", connecting, true, StateNotConnected, false},
		{"a reconnection that kept sending", func() WhatsApp { w := connecting; w.ConnectingKeepsSending = true; return w }(), false, StateSyncingHistory, true},
		{"a reconnection of a disconnected number", func() WhatsApp { w := connecting; w.Status = AccountDisconnected; w.Sync = nil; return w }(), false, StateDisconnected, false},
	}
	for _, c := range cases {
		w := c.w
		if before := ConnectionStateOf(w, now); before.State != StateConnecting && !w.ConnectingKeepsSending {
			t.Fatalf("%s: not connecting before: %+v", c.name, before)
		}
		w.AbandonConnecting(c.first)
		cs := ConnectionStateOf(w, now)
		if cs.State != c.state || cs.CanSend != c.canSend || !w.ConnectingSince.IsZero() || w.ConnectingKeepsSending {
			t.Errorf("%s: %+v, %+v", c.name, cs, w)
		}
		if c.first && (w.PhoneNumberID != "" || w.WABAID != "" || w.AccessTokenSecret != "" || w.Sync != nil || w.LastEvent != "" || w.ThroughputCap != 0) {
			t.Errorf("%s: kept %+v", c.name, w)
		}
		if !c.first && (w.PhoneNumberID != "1" || w.WABAID != "2") {
			t.Errorf("%s: the number changed: %+v", c.name, w)
		}
	}
}

// TestFirstConnection: what an attempt's index step would go back to.
func TestFirstConnection(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		w    WhatsApp
		want bool
	}{
		{"nothing yet", WhatsApp{}, true},
		{"a number without a token", WhatsApp{PhoneNumberID: "1"}, true},
		{"a connected number", WhatsApp{PhoneNumberID: "1", AccessTokenSecret: "x", Status: AccountConnected}, false},
		{"a disconnected number", WhatsApp{PhoneNumberID: "1", AccessTokenSecret: "x", Status: AccountDisconnected}, false},
		{"another attempt's index, not activated", WhatsApp{PhoneNumberID: "1", AccessTokenSecret: "x", ConnectingSince: now}, true},
		{"another attempt on a number that keeps sending", WhatsApp{PhoneNumberID: "1", AccessTokenSecret: "x", ConnectingSince: now, ConnectingKeepsSending: true}, false},
	}
	for _, c := range cases {
		if got := c.w.FirstConnection(); got != c.want {
			t.Errorf("%s: %v", c.name, got)
		}
	}
}

// TestOwnerDisconnection: the owner's disconnection ends connecting, and
// DisconnectedByOwnerSince says an attempt begun before it must not activate.
func TestOwnerDisconnection(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	w := WhatsApp{PhoneNumberID: "1", WABAID: "2", AccessTokenSecret: "x", Status: AccountConnected, ConnectingSince: now.Add(-time.Hour), ConnectingKeepsSending: true}
	w.MarkOwnerDisconnected("flor@studio-flor.example", "trocando de número", now)
	if cs := ConnectionStateOf(w, now); cs.State != StateDisconnected || !w.ConnectingSince.IsZero() {
		t.Fatalf("%+v %+v", cs, w)
	}
	if !w.DisconnectedByOwnerSince(now.Add(-time.Hour)) || !w.DisconnectedByOwnerSince(now) {
		t.Error("an attempt begun before the disconnection may activate")
	}
	if w.DisconnectedByOwnerSince(now.Add(time.Millisecond)) {
		t.Error("an attempt begun after the disconnection (a new login) may not activate")
	}
	byMeta := WhatsApp{Status: AccountDisconnected, Disconnection: &AccountDisconnection{InitiatedBy: "USER", At: now}}
	if byMeta.DisconnectedByOwnerSince(now.Add(-time.Hour)) {
		t.Error("the Business App's disconnection is reconnected by a resumed attempt")
	}
}
