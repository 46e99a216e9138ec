package api

import (
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/dispatch"
	"github.com/lembra-app/lembra/shared/domain"
)

func TestMessagingLimitView(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	var u domain.LimitUsage
	for i := range 181 {
		u.Recipients = append(u.Recipients, domain.LimitRecipient{ID: domain.LimitKey(string(rune('a' + i%26))), At: now.Add(-time.Duration(i) * time.Minute)})
	}
	u.Recipients[180].At = now.Add(-25 * time.Hour) // out of the window
	for _, c := range []struct {
		limit int
		want  MessagingLimitView
	}{
		{250, MessagingLimitView{Limit: 250, Counted: true, Used: 180, ReminderThreshold: 225, Label: "Limite da Meta: 180 de 250 clientes nas últimas 24 h"}},
		{domain.LimitUnlimited, MessagingLimitView{Limit: -1, Unlimited: true, Label: "Limite da Meta: sem limite de clientes nas últimas 24 h"}},
		{domain.LimitNotRead, MessagingLimitView{Label: "Limite da Meta: ainda não informado pela Meta"}},
		{100_000, MessagingLimitView{Limit: 100_000, Label: "Limite da Meta: 100.000 clientes nas últimas 24 h (não contado aqui)"}},
	} {
		if got := NewMessagingLimitView(c.limit, u, now); got != c.want {
			t.Errorf("limit %d: %+v\nwant %+v", c.limit, got, c.want)
		}
	}
}

// A job held by the messaging limit reads in Portuguese on the panel's timeline.
func TestLimitHoldTimelineLabel(t *testing.T) {
	if got := TimelineLabel(dispatch.EventLimitHold); got != "Aguardando o limite da Meta de clientes em 24 h" {
		t.Fatalf("label %q", got)
	}
}
