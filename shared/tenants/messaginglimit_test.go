package tenants

import (
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
)

// Onboarding's index step stores the messaging limit its attempt read; a change that
// names none leaves it; a move to another WABA forgets the old one's first.
func TestApplyMessagingLimit(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	phone, waba, other := "1", "2", "3"
	stored := domain.Tenant{ID: "s", Name: "Studio", LocationLine: "Rua 1", Mode: domain.ModeEnabled,
		WhatsApp: domain.WhatsApp{PhoneNumberID: "1", WABAID: "2", MessagingLimit: 2000}}
	for _, c := range []struct {
		name string
		c    Change
		want int
	}{
		{"index step with the limit read", Change{PhoneNumberID: &phone, WABAID: &waba, Connecting: true, MessagingLimit: 250}, 250},
		{"unlimited", Change{PhoneNumberID: &phone, WABAID: &waba, Connecting: true, MessagingLimit: domain.LimitUnlimited}, domain.LimitUnlimited},
		{"no limit named: kept", Change{PhoneNumberID: &phone, WABAID: &waba, Connecting: true}, 2000},
		{"another WABA, no limit named: forgotten", Change{PhoneNumberID: &phone, WABAID: &other, Connecting: true}, domain.LimitNotRead},
		{"another WABA with its limit", Change{PhoneNumberID: &phone, WABAID: &other, Connecting: true, MessagingLimit: 10_000}, 10_000},
	} {
		got, err := Apply(&stored, "s", c.c, now)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got.WhatsApp.MessagingLimit != c.want {
			t.Errorf("%s: limit %d, want %d", c.name, got.WhatsApp.MessagingLimit, c.want)
		}
	}
}
