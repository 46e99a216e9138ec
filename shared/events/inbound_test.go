package events

import (
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/meta"
	"github.com/lembra-app/lembra/shared/ptbr"
)

func contact(waID, userID, name string) meta.WebhookContact {
	return meta.WebhookContact{WAID: waID, UserID: userID, Profile: meta.ContactProfile{Name: name}}
}

func TestInboundOf(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	base := meta.WebhookMessage{ID: "wamid.IN", From: "5511987654321", Timestamp: "1764590000", Type: "button",
		Context: &meta.MessageContext{ID: "wamid.OUT"}, Button: &meta.MessageButton{Payload: "Confirmar", Text: "Confirmar presença"}}
	username := meta.WebhookMessage{ID: "wamid.U", FromUserID: "BR.123", Type: "text", Text: &meta.MessageText{Body: "oi"}}
	cases := []struct {
		name     string
		contacts []meta.WebhookContact
		m        meta.WebhookMessage
		want     domain.Inbound
	}{
		{"button tap with its contact", []meta.WebhookContact{contact("5511987654321", "", "Maria")}, base,
			domain.Inbound{ID: "wamid.IN", WAID: "5511987654321", Name: "Maria", At: time.Unix(1764590000, 0).UTC(), Type: "button",
				Text: "Confirmar presença", Payload: "Confirmar", ContextID: "wamid.OUT"}},
		{"name from the matching contact of several", []meta.WebhookContact{contact("5511900000000", "", "Outra"), contact("5511987654321", "", "Maria")}, base,
			domain.Inbound{ID: "wamid.IN", WAID: "5511987654321", Name: "Maria", At: time.Unix(1764590000, 0).UTC(), Type: "button",
				Text: "Confirmar presença", Payload: "Confirmar", ContextID: "wamid.OUT"}},
		{"username client matched by user id", []meta.WebhookContact{contact("", "BR.123", "Ana"), contact("5511900000000", "", "Outra")}, username,
			domain.Inbound{ID: "wamid.U", UserID: "BR.123", Name: "Ana", At: now, Type: "text", Text: "oi"}},
		{"the only contact completes the sender", []meta.WebhookContact{contact("5511987654321", "BR.123", "Ana")}, username,
			domain.Inbound{ID: "wamid.U", WAID: "5511987654321", UserID: "BR.123", Name: "Ana", At: now, Type: "text", Text: "oi"}},
		{"interactive reply id is the payload", nil,
			meta.WebhookMessage{ID: "wamid.I", From: "5511987654321", Type: "interactive", Interactive: &meta.MessageInteractive{ButtonReply: &meta.InteractiveReply{ID: "reagendar", Title: "Reagendar"}}},
			domain.Inbound{ID: "wamid.I", WAID: "5511987654321", At: now, Type: "interactive", Text: "Reagendar", Payload: "reagendar"}},
	}
	for _, c := range cases {
		if got := inboundOf(c.contacts, c.m, now); got != c.want {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, got, c.want)
		}
	}
}

func TestDecideInbound(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	future := now.Add(72 * time.Hour)
	in := domain.Inbound{ID: "wamid.IN", WAID: "5511987654321", At: now.Add(-time.Minute), Type: "button"}
	t.Run("a text message moves the appointment's last inbound, no reply", func(t *testing.T) {
		apt := aptAt(future, domain.AppointmentScheduled)
		d := decideInbound(tenantJana(), apt, in, "", now, "")
		if !d.AptChanged || d.Reply != nil || !apt.LastInboundAt.Equal(in.At) || apt.LastInboundID != in.ID {
			t.Errorf("%+v, appointment %+v", d, apt)
		}
	})
	t.Run("an older message does not move it back", func(t *testing.T) {
		apt := aptAt(future, domain.AppointmentScheduled)
		apt.LastInboundAt, apt.LastInboundID = now, "wamid.NEWER"
		d := decideInbound(tenantJana(), apt, in, "", now, "")
		if d.AptChanged || apt.LastInboundID != "wamid.NEWER" {
			t.Errorf("%+v, appointment %+v", d, apt)
		}
	})
	t.Run("Confirmar: a reply job due now", func(t *testing.T) {
		apt := aptAt(future, domain.AppointmentScheduled)
		d := decideInbound(tenantJana(), apt, in, actionConfirm, now, "https://v.example")
		r := d.Reply
		if !d.AptChanged || r == nil || r.ID != ReplyJobID(in.ID) || r.TenantID != "studio-jana" || r.AppointmentID != "apt-1" ||
			r.Type != domain.JobReply || r.Status != domain.JobPending || !r.ScheduledFor.Equal(now) || r.DeliveryMode != domain.DeliverySession ||
			r.Recipient != "+5511987654321" || r.InboundID != in.ID || r.Text == "" || !r.HasEvent("created") {
			t.Errorf("%+v reply %+v", d, r)
		}
		if apt.Status != domain.AppointmentConfirmed {
			t.Errorf("appointment %s", apt.Status)
		}
	})
	t.Run("a tap we cannot correlate is still answered", func(t *testing.T) {
		d := decideInbound(tenantJana(), nil, in, actionTalk, now, "")
		if d.AptChanged || d.Reply == nil || d.Reply.AppointmentID != "" || d.Reply.Text != ptbr.ReplyUnknown("Studio Jana Beleza") {
			t.Errorf("%+v", d)
		}
	})
	t.Run("a username client gets no reply; the tap still flags the appointment", func(t *testing.T) {
		apt := aptAt(future, domain.AppointmentScheduled)
		noPhone := in
		noPhone.WAID, noPhone.UserID = "", "BR.123"
		d := decideInbound(tenantJana(), apt, noPhone, actionTalk, now, "")
		if d.Reply != nil || !d.AptChanged || apt.StaffFlag != flagTalk {
			t.Errorf("%+v, appointment %+v", d, apt)
		}
	})
	t.Run("the same message decides the same reply id", func(t *testing.T) {
		a := decideInbound(tenantJana(), nil, in, actionConfirm, now, "")
		b := decideInbound(tenantJana(), nil, in, actionConfirm, now.Add(time.Hour), "")
		if a.Reply.ID != b.Reply.ID || ReplyJobID("wamid.X") == ReplyJobID("wamid.Y") {
			t.Error("reply ids do not follow the inbound message")
		}
	})
}
