package tenants

import (
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
)

// TestApplyConnect: onboarding's index step connects the number again (a reconnection
// clears the disconnection and an invalid token), records its kind and cap and the
// syncs its attempt asked for, and keeps everything else.
func TestApplyConnect(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	base := domain.Tenant{Name: "Studio", LocationLine: "Rua 1", Mode: domain.ModeEnabled, StaffLabel: "Falar com a Jana",
		WhatsApp: domain.WhatsApp{PhoneNumberID: "1", WABAID: "2", AccessTokenSecret: "meta-token-s", Status: domain.AccountDisconnected,
			Disconnection: &domain.AccountDisconnection{Reason: "ACCOUNT_DISCONNECTED"}, TokenCheck: &domain.TokenCheck{CheckedAt: now.Add(-time.Hour)}}}
	phone, waba := "1", "2"
	cases := []struct {
		name     string
		stored   domain.Tenant
		c        Change
		cap      int
		history  time.Time
		progress int
	}{
		{"reconnect a cloud API number", base, Change{PhoneNumberID: &phone, WABAID: &waba, TokenStored: true, Connect: true}, 80, time.Time{}, 0},
		{"coexistence with both syncs", base, Change{PhoneNumberID: &phone, WABAID: &waba, TokenStored: true, Connect: true, Coexistence: true,
			SyncContactsAt: now.Add(-2 * time.Minute), SyncHistoryAt: now.Add(-time.Minute)}, 20, now.Add(-time.Minute), 0},
		{"the same attempt indexed again keeps its progress", func() domain.Tenant {
			t := base
			t.WhatsApp.Sync = &domain.ConnectionSync{HistoryRequestedAt: now.Add(-time.Minute), HistoryProgress: 40}
			return t
		}(), Change{PhoneNumberID: &phone, WABAID: &waba, Connect: true, Coexistence: true, SyncHistoryAt: now.Add(-time.Minute)}, 20, now.Add(-time.Minute), 40},
		{"a new attempt's history starts over", func() domain.Tenant {
			t := base
			t.WhatsApp.Sync = &domain.ConnectionSync{HistoryRequestedAt: now.Add(-48 * time.Hour), HistoryProgress: 100, HistoryDoneAt: now.Add(-47 * time.Hour)}
			return t
		}(), Change{PhoneNumberID: &phone, WABAID: &waba, Connect: true, Coexistence: true, SyncHistoryAt: now.Add(-time.Minute)}, 20, now.Add(-time.Minute), 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stored := c.stored
			got, err := Apply(&stored, "studio", c.c, now)
			if err != nil {
				t.Fatal(err)
			}
			w := got.WhatsApp
			if w.Status != domain.AccountConnected || w.Disconnection != nil || w.TokenCheck != nil {
				t.Fatalf("not connected again: %+v", w)
			}
			if w.ThroughputCap != c.cap || w.Coexistence != c.c.Coexistence {
				t.Fatalf("kind %v cap %d, want cap %d", w.Coexistence, w.ThroughputCap, c.cap)
			}
			if c.history.IsZero() != (w.Sync == nil) || (w.Sync != nil && (!w.Sync.HistoryRequestedAt.Equal(c.history) || w.Sync.HistoryProgress != c.progress)) {
				t.Fatalf("sync %+v", w.Sync)
			}
			if got.StaffLabel != base.StaffLabel || got.Mode != base.Mode {
				t.Fatalf("the rest of the tenant changed: %+v", got)
			}
			if cs := domain.ConnectionStateOf(w, now); !cs.CanSend {
				t.Fatalf("cannot send after the reconnection: %+v", cs)
			}
		})
	}
}

// TestApplyConnecting: onboarding's index step makes the number the tenant's but
// keeps sends blocked until the activate step; the history chunks that arrive in
// between are kept by the activation.
func TestApplyConnecting(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	phone, waba := "1", "2"
	stored := domain.Tenant{Name: "Studio", LocationLine: "Rua 1", StaffLabel: "Falar com a Jana", Mode: domain.ModeEnabled, WhatsApp: domain.WhatsApp{Status: domain.AccountDisconnected,
		Sync: &domain.ConnectionSync{HistoryRequestedAt: now.Add(-48 * time.Hour), HistoryProgress: 100, HistoryDoneAt: now.Add(-47 * time.Hour)}}}
	idx, err := Apply(&stored, "studio", Change{PhoneNumberID: &phone, WABAID: &waba, TokenStored: true, Connecting: true, Coexistence: true}, now)
	if err != nil {
		t.Fatal(err)
	}
	w := idx.WhatsApp
	if w.PhoneNumberID != phone || w.WABAID != waba || w.AccessTokenSecret == "" || w.ConnectingSince.IsZero() {
		t.Fatalf("not indexed: %+v", w)
	}
	if cs := domain.ConnectionStateOf(w, now); cs.CanSend || cs.State != domain.StateConnecting {
		t.Fatalf("indexed: %+v", cs)
	}
	if w.Sync == nil || w.Sync.HistoryProgress != 0 {
		t.Fatalf("the old attempt's sync was kept: %+v", w.Sync)
	}
	// A history chunk before the activation (events.applySync).
	w.Sync.ApplySync(domain.SyncUpdate{At: now.Add(time.Second), HistoryChunk: true, HistoryProgress: 30})
	idx.WhatsApp = w
	act, err := Apply(idx, "studio", Change{Connect: true, Coexistence: true, SyncHistoryAt: now.Add(2 * time.Second)}, now.Add(3*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	w = act.WhatsApp
	if !w.ConnectingSince.IsZero() || w.Status != domain.AccountConnected {
		t.Fatalf("not activated: %+v", w)
	}
	if w.Sync == nil || w.Sync.HistoryProgress != 30 || w.Sync.HistoryRequestedAt.IsZero() {
		t.Fatalf("sync after the activation: %+v", w.Sync)
	}
	if cs := domain.ConnectionStateOf(w, now); !cs.CanSend || cs.State != domain.StateSyncingHistory {
		t.Fatalf("activated: %+v", cs)
	}
}

// TestApplyConnectingKeepsASendingNumberSending: the owner's Reconectar on the number
// that is connected and sending (to renew its token) keeps it sending while the
// attempt runs; logging in on another number, or on one that was disconnected, waits
// for the activation.
func TestApplyConnectingKeepsASendingNumberSending(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	sending := domain.WhatsApp{PhoneNumberID: "1", WABAID: "2", AccessTokenSecret: TokenSecretID("studio"), Status: domain.AccountConnected}
	disconnected := sending
	disconnected.Status = domain.AccountDisconnected
	for _, tc := range []struct {
		name        string
		stored      domain.WhatsApp
		phone, waba string
		canSend     bool
	}{
		{"the same number, sending", sending, "1", "2", true},
		{"another number", sending, "3", "2", false},
		{"another WABA", sending, "1", "4", false},
		{"the same number, disconnected", disconnected, "1", "2", false},
		{"a first connection", domain.WhatsApp{}, "1", "2", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stored := domain.Tenant{Name: "Studio", LocationLine: "Rua 1", StaffLabel: "Falar com a Jana", Mode: domain.ModeEnabled, WhatsApp: tc.stored}
			phone, waba := tc.phone, tc.waba
			idx, err := Apply(&stored, "studio", Change{PhoneNumberID: &phone, WABAID: &waba, TokenStored: true, Connecting: true}, now)
			if err != nil {
				t.Fatal(err)
			}
			if cs := domain.ConnectionStateOf(idx.WhatsApp, now); cs.CanSend != tc.canSend {
				t.Fatalf("while connecting: %+v, want can_send %v", cs, tc.canSend)
			}
			act, err := Apply(idx, "studio", Change{Connect: true}, now.Add(time.Second))
			if err != nil {
				t.Fatal(err)
			}
			if cs := domain.ConnectionStateOf(act.WhatsApp, now); !cs.CanSend || act.WhatsApp.ConnectingKeepsSending {
				t.Fatalf("after the activation: %+v %+v", cs, act.WhatsApp)
			}
		})
	}
}

// TestApplyAbandon: a stopped attempt's Abandon undoes its index step only while the
// tenant is still connecting on the attempt's number.
func TestApplyAbandon(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	phone, waba := "1", "2"
	idx, err := Apply(&domain.Tenant{Name: "Studio", LocationLine: "Rua 1", Mode: domain.ModeEnabled, TimeZone: domain.DefaultTimeZone}, "studio",
		Change{PhoneNumberID: &phone, WABAID: &waba, TokenStored: true, Connecting: true}, now)
	if err != nil {
		t.Fatal(err)
	}
	if !idx.WhatsApp.FirstConnection() {
		t.Fatal("a studio's first index is not seen as a first connection")
	}
	got, err := Apply(idx, "studio", Change{Abandon: true, AbandonFirst: true, AbandonPhoneNumberID: phone}, now)
	if err != nil {
		t.Fatal(err)
	}
	if cs := domain.ConnectionStateOf(got.WhatsApp, now); cs.State != domain.StateNotConnected || got.WhatsApp.PhoneNumberID != "" || got.WhatsApp.WABAID != "" {
		t.Fatalf("after abandoning a first connection: %+v %+v", cs, got.WhatsApp)
	}
	// Another number indexed since (a new attempt), or no longer connecting: untouched.
	other := "9"
	for _, c := range []Change{{Abandon: true, AbandonFirst: true, AbandonPhoneNumberID: other}} {
		got, err := Apply(idx, "studio", c, now)
		if err != nil || got.WhatsApp.PhoneNumberID != phone || got.WhatsApp.ConnectingSince.IsZero() {
			t.Errorf("another number's abandon changed the tenant: %+v %v", got.WhatsApp, err)
		}
	}
	done, _ := Apply(idx, "studio", Change{Connect: true}, now)
	if got, _ := Apply(done, "studio", Change{Abandon: true, AbandonFirst: true, AbandonPhoneNumberID: phone}, now); got.WhatsApp.PhoneNumberID != phone ||
		domain.ConnectionStateOf(got.WhatsApp, now).State != domain.StateConnected {
		t.Errorf("an activated connection was abandoned: %+v", got.WhatsApp)
	}
}
