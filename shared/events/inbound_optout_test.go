package events

import (
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/ptbr"
)

func TestOptOutIntentOfMessages(t *testing.T) {
	ten := tenantJana()
	text := domain.Inbound{ID: "wamid.P", WAID: "5511987654321", Type: "text", Text: "Parar!"}
	cases := []struct {
		name   string
		in     domain.Inbound
		action string
		want   domain.OptOutIntent
	}{
		{"typed PARAR", text, "", domain.OptOutStop},
		{"a button whose text is Parar is an answer, not an opt-out", domain.Inbound{ID: "b", WAID: "5511987654321", Type: "button", Text: "Parar"}, "", domain.OptOutNone},
		{"a tap", text, "confirm", domain.OptOutNone},
		{"a username-only client", domain.Inbound{ID: "u", UserID: "BR.1", Type: "text", Text: "PARAR"}, "", domain.OptOutNone},
		{"a sentence", domain.Inbound{ID: "s", WAID: "5511987654321", Type: "text", Text: "não quero parar"}, "", domain.OptOutNone},
		{"VOLTAR", domain.Inbound{ID: "v", WAID: "5511987654321", Type: "text", Text: "voltar"}, "", domain.OptOutResume},
	}
	for _, c := range cases {
		if got := optOutIntent(ten, c.in, c.action); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}

func TestDecideOptOutReply(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	ten := tenantJana()
	in := domain.Inbound{ID: "wamid.P", WAID: "5511987654321", Type: "text", Text: "PARAR", At: now}
	out := domain.Conversation{OptOut: &domain.OptOut{Active: true, At: now.Add(-time.Hour)}}
	tap := func() *domain.Job {
		return &domain.Job{ID: "reply-x", Type: domain.JobReply, Status: domain.JobPending, Text: "Confirmado"}
	}
	t.Run("PARAR is confirmed once, by an id from the message", func(t *testing.T) {
		j := decideOptOutReply(ten, in, domain.OptOutStop, domain.Conversation{}, nil, now)
		if j == nil || j.ID != ReplyJobID(in.ID) || j.Status != domain.JobPending || j.Text != ptbr.OptOutConfirmation(ten.Name) || j.Recipient != "+5511987654321" {
			t.Fatalf("%+v", j)
		}
	})
	t.Run("VOLTAR of a client who opted out is confirmed", func(t *testing.T) {
		j := decideOptOutReply(ten, in, domain.OptOutResume, out, nil, now)
		if j == nil || j.Text != ptbr.OptOutResumed(ten.Name, "PARAR") {
			t.Fatalf("%+v", j)
		}
	})
	t.Run("VOLTAR of a client who never opted out gets nothing", func(t *testing.T) {
		if j := decideOptOutReply(ten, in, domain.OptOutResume, domain.Conversation{}, nil, now); j != nil {
			t.Fatalf("%+v", j)
		}
	})
	t.Run("a tap's answer to a client who opted out is skipped with the reason", func(t *testing.T) {
		j := decideOptOutReply(ten, in, domain.OptOutNone, out, tap(), now)
		if j.Status != domain.JobSkipped || j.ReasonCode != ptbr.ReasonClientOptedOut {
			t.Fatalf("%+v", j)
		}
	})
	t.Run("a second PARAR while opted out gets no second confirmation", func(t *testing.T) {
		if j := decideOptOutReply(ten, in, domain.OptOutStop, out, nil, now); j != nil {
			t.Fatalf("%+v", j)
		}
	})
	t.Run("a PARAR older than her VOLTAR (a late redelivery) is not answered", func(t *testing.T) {
		resumed := domain.Conversation{OptOut: &domain.OptOut{Active: false, At: now.Add(time.Minute)}}
		if j := decideOptOutReply(ten, in, domain.OptOutStop, resumed, nil, now); j != nil {
			t.Fatalf("%+v", j)
		}
	})
	t.Run("a PARAR after her VOLTAR is confirmed", func(t *testing.T) {
		resumed := domain.Conversation{OptOut: &domain.OptOut{Active: false, At: now.Add(-time.Minute)}}
		if j := decideOptOutReply(ten, in, domain.OptOutStop, resumed, nil, now); j == nil || j.Text != ptbr.OptOutConfirmation(ten.Name) {
			t.Fatalf("%+v", j)
		}
	})
	t.Run("a tap's answer to anyone else goes", func(t *testing.T) {
		if j := decideOptOutReply(ten, in, domain.OptOutNone, domain.Conversation{}, tap(), now); j.Status != domain.JobPending {
			t.Fatalf("%+v", j)
		}
	})
}
