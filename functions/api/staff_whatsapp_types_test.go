package api

import (
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
)

// TestDisconnectedBy: who disconnected the number, in Portuguese: the owner's e-mail,
// the Business App (Meta's initiated_by USER) or Meta (SYSTEM, another value, none);
// Meta's raw value is never shown.
func TestDisconnectedBy(t *testing.T) {
	cases := []struct {
		name string
		d    *domain.AccountDisconnection
		want string
	}{
		{"the owner", &domain.AccountDisconnection{InitiatedBy: domain.DisconnectedByOwner, By: "flor@studio-flor.example"}, "flor@studio-flor.example"},
		{"the Business App", &domain.AccountDisconnection{Reason: "ACCOUNT_DISCONNECTED", InitiatedBy: "USER"}, "pelo aplicativo WhatsApp Business"},
		{"Meta's system", &domain.AccountDisconnection{Reason: "PRIMARY_INACTIVITY", InitiatedBy: "SYSTEM"}, "pela Meta"},
		{"a value not known here", &domain.AccountDisconnection{InitiatedBy: "PARTNER"}, "pela Meta"},
		{"a bare PARTNER_REMOVED", nil, "pela Meta"},
	}
	for _, c := range cases {
		if got := DisconnectedBy(c.d); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	// Wired into GET /v1/staff/whatsapp's disconnection.
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	ten := &domain.Tenant{ID: "s", TimeZone: domain.DefaultTimeZone, WhatsApp: domain.WhatsApp{PhoneNumberID: "1", WABAID: "2", AccessTokenSecret: "x",
		Status: domain.AccountDisconnected, Disconnection: &domain.AccountDisconnection{Reason: "ACCOUNT_DISCONNECTED", InitiatedBy: "USER", At: now}}}
	c := NewWhatsAppConnection(ten, nil, "", "", "", "", nil, now)
	if c.Disconnection == nil || c.Disconnection.By != "pelo aplicativo WhatsApp Business" {
		t.Fatalf("disconnection %+v", c.Disconnection)
	}
}
