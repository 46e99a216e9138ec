package events

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/meta"
)

func TestEchoMessages(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	v := meta.MessagesValue{Echoes: []meta.WebhookMessage{
		{ID: "wamid.E1", From: "15550783881", To: "5511987654321", Timestamp: "1739321024", Type: "text", Text: &meta.MessageText{Body: "Oi, Maria"}},
		{ID: "", To: "5511987654321", Type: "text"}, // no id: left out
		{ID: "wamid.E3", To: "", Type: "text"},      // no recipient: left out
		{ID: "wamid.E4", To: "5511900000000", Type: "image", Image: &meta.MessageImage{Caption: "foto"}},
	}}
	got := echoMessages(v, now)
	want := []threadMessage{
		{"5511987654321", domain.ConversationMessage{ID: "wamid.E1", Direction: "out", Source: domain.SourceManual, Type: "text", Text: "Oi, Maria", At: time.Unix(1739321024, 0).UTC()}},
		{"5511900000000", domain.ConversationMessage{ID: "wamid.E4", Direction: "out", Source: domain.SourceManual, Type: "image", Text: "foto", At: now}},
	}
	if len(got) != len(want) {
		t.Fatalf("%d messages, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestHistoryMessages(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	var v meta.MessagesValue
	raw := `{"history":[{"threads":[{"id":"5511987654321","messages":[
		{"from":"15550783881","id":"wamid.H1","timestamp":"1739230955","type":"text","text":{"body":"Olá"},"history_context":{"status":"READ"}},
		{"from":"5511987654321","id":"wamid.H2","timestamp":"1739230970","type":"text","text":{"body":"Oi"}},
		{"from":"5511987654321","id":"","type":"text"}]},
		{"id":"","messages":[{"from":"x","id":"wamid.H3","type":"text"}]}],
		"errors":[]}],
		"messages":[{"from":"15550783881","to":"5511987654321","id":"wamid.M1","type":"image","image":{"caption":"foto"}},
		            {"from":"5511900000000","id":"wamid.M2","type":"audio"}]}`
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		t.Fatal(err)
	}
	got := historyMessages(v, now)
	type row struct{ thread, id, dir, status, text string }
	want := []row{
		{"5511987654321", "wamid.H1", "out", "read", "Olá"},
		{"5511987654321", "wamid.H2", "in", "", "Oi"},
		{"5511987654321", "wamid.M1", "out", "", "foto"}, // media item: the thread of its recipient
		{"5511900000000", "wamid.M2", "in", "", ""},      // no recipient: its sender's thread
	}
	if len(got) != len(want) {
		t.Fatalf("%d messages, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Thread != w.thread || g.Message.ID != w.id || g.Message.Direction != w.dir || g.Message.Status != w.status ||
			g.Message.Text != w.text || g.Message.Source != domain.SourceHistory {
			t.Errorf("%d: %+v, want %+v", i, g, w)
		}
	}
	if !got[0].Message.At.Equal(time.Unix(1739230955, 0)) || !got[2].Message.At.Equal(now) {
		t.Errorf("times %v %v", got[0].Message.At, got[2].Message.At)
	}
}

func TestHistoryRefusals(t *testing.T) {
	var v meta.MessagesValue
	raw := `{"history":[{"errors":[{"code":2593109,"title":"History sync is turned off by the business"}]},{"errors":[]}]}`
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		t.Fatal(err)
	}
	got := historyRefusals(v)
	if len(got) != 1 || got[0].Code != 2593109 || got[0].Title == "" {
		t.Errorf("%+v", got)
	}
	if len(historyRefusals(meta.MessagesValue{})) != 0 || len(historyMessages(v, time.Now())) != 0 {
		t.Error("a refusal is not a message")
	}
}

func TestStateContacts(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	var v meta.StateSyncValue
	raw := `{"state_sync":[
		{"type":"contact","action":"add","contact":{"full_name":"Pablo Morales","first_name":"Pablo","phone_number":"16505551234"},"metadata":{"timestamp":"1739321024"}},
		{"type":"contact","action":"remove","contact":{"phone_number":"16505559999"},"metadata":{}},
		{"type":"contact","action":"add","contact":{"full_name":"Sem número"}},
		{"type":"label","action":"add","contact":{"phone_number":"16505550000"}}]}`
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		t.Fatal(err)
	}
	got := stateContacts(v, now)
	want := []domain.Contact{
		{Phone: "16505551234", FullName: "Pablo Morales", FirstName: "Pablo", UpdatedAt: time.Unix(1739321024, 0).UTC()},
		{Phone: "16505559999", Removed: true, UpdatedAt: now},
	}
	if len(got) != len(want) {
		t.Fatalf("%+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%d: %+v, want %+v", i, got[i], want[i])
		}
	}
}
