package events

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/meta"
)

// TestHistoryProgress: the history webhook's metadata{phase, chunk_order, progress}
// (https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/history).
func TestHistoryProgress(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name     string
		raw      string
		ok       bool
		progress int
		declined bool
	}{
		{"one chunk", `{"history":[{"metadata":{"phase":0,"chunk_order":1,"progress":55},"threads":[]}]}`, true, 55, false},
		{"two chunks out of order: the max", `{"history":[{"metadata":{"phase":1,"chunk_order":3,"progress":80}},{"metadata":{"phase":1,"chunk_order":2,"progress":60}}]}`, true, 80, false},
		{"progress 0 is a chunk", `{"history":[{"metadata":{"phase":0,"chunk_order":1,"progress":0}}]}`, true, 0, false},
		{"complete", `{"history":[{"metadata":{"phase":2,"chunk_order":9,"progress":100}}]}`, true, 100, false},
		{"declined", `{"history":[{"errors":[{"code":2593109,"title":"History sync is turned off by the business from the WhatsApp Business App"}]}]}`, true, 0, true},
		{"another error says nothing", `{"history":[{"errors":[{"code":131000,"title":"x"}]}]}`, false, 0, false},
		{"media follow-up (messages only)", `{"messages":[{"from":"1","id":"wamid.M","type":"image"}]}`, false, 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var v meta.MessagesValue
			if err := json.Unmarshal([]byte(c.raw), &v); err != nil {
				t.Fatal(err)
			}
			u, ok := historyProgress(v, now)
			if ok != c.ok || u.HistoryProgress != c.progress || u.HistoryDeclined != c.declined || (ok && !c.declined) != u.HistoryChunk {
				t.Fatalf("%+v %v", u, ok)
			}
			var s domain.ConnectionSync
			s.ApplySync(domain.SyncUpdate{At: now, HistoryRequested: true})
			s.ApplySync(u)
			if c.progress == 100 && s.HistoryState() != domain.SyncDone || c.declined && s.HistoryState() != domain.SyncDeclined {
				t.Fatalf("state %s", s.HistoryState())
			}
		})
	}
}
