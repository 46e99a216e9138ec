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
