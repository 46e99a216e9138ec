package domain

import (
	"testing"
	"time"
)

func TestCancelWindowInbound(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	aptX := &Appointment{ID: "x", LastInboundAt: t0.Add(-2 * time.Hour), LastInboundID: "wamid.x"}
	none := &Appointment{ID: "y"}
	ledger := &Conversation{LastInboundAt: t0.Add(-time.Hour), LastInboundID: "wamid.other"}
	same := &Conversation{LastInboundAt: aptX.LastInboundAt, LastInboundID: "wamid.x"}
	legacy := &Conversation{LastInboundAt: t0.Add(-5 * time.Hour), LastInboundID: "wamid.older"}
	cases := []struct {
		name   string
		apt    *Appointment
		conv   *Conversation
		strict bool
		want   WindowInbound
	}{
		{"ledger: a message about another appointment opens it", none, ledger, false, WindowInbound{At: ledger.LastInboundAt, ID: "wamid.other"}},
		{"strict: only this appointment's", none, ledger, true, WindowInbound{}},
		{"ledger: later message about another wins", aptX, ledger, false, WindowInbound{At: ledger.LastInboundAt, ID: "wamid.other"}},
		{"strict with own message", aptX, ledger, true, WindowInbound{At: aptX.LastInboundAt, ID: "wamid.x", AboutAppointment: true}},
		{"ledger's latest is this appointment's", aptX, same, false, WindowInbound{At: aptX.LastInboundAt, ID: "wamid.x", AboutAppointment: true}},
		{"ledger older than the appointment's (stored before the ledger)", aptX, legacy, false, WindowInbound{At: aptX.LastInboundAt, ID: "wamid.x", AboutAppointment: true}},
		{"no ledger", none, nil, false, WindowInbound{}},
		{"empty ledger", none, &Conversation{}, false, WindowInbound{}},
	}
	for _, c := range cases {
		if got := CancelWindowInbound(c.apt, c.conv, c.strict); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestClientIdentity(t *testing.T) {
	for in, want := range map[string]string{"+5511987654321": "5511987654321", "5511987654321": "5511987654321", "": ""} {
		if got := ClientIdentity(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

// The ninth digit of a Brazilian mobile: added to a 12-digit mobile, removed from a
// 13-digit one, never for a landline, another country or another length.
func TestBrazilMobileOtherForm(t *testing.T) {
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{"5511987654321", "551187654321", true},
		{"551187654321", "5511987654321", true},
		{"551167654321", "5511967654321", true},
		{"551137654321", "", false},  // a landline: 3 after the area code
		{"5511937654321", "", false}, // 9 then a landline's digit
		{"12125550123", "", false},   // not Brazil
		{"11987654321", "", false},   // no country code
		{"55119876543210", "", false},
		{"", "", false},
	} {
		if got, ok := BrazilMobileOtherForm(c.in); got != c.want || ok != c.ok {
			t.Errorf("%q: %q %v, want %q %v", c.in, got, ok, c.want, c.ok)
		}
	}
}
