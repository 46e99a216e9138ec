package events

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/meta"
)

// Meta's own status payloads (testdata/meta/webhooks, sources in testdata/meta/SOURCES.md)
// applied to a job that was sent, then delivered: what the billing counts get, once.
func TestStatusPricingBilledFromMetaSamples(t *testing.T) {
	for _, c := range []struct {
		file string
		want domain.BillDelta
	}{
		// PMP marketing (Meta's status reference; it also carries a conversation object,
		// which per-message pricing ignores).
		{"statuses_sent_marketing_pmp.json", domain.BillDelta{Category: "marketing", Billable: true}},
		// PMP utility inside the customer-service window: free.
		{"statuses_sent_pmp_free_customer_service.json", domain.BillDelta{Category: "utility"}},
		// CBP: counted by its conversation.
		{"statuses_delivered_utility_cbp.json", domain.BillDelta{Category: "utility", Billable: true, Conversation: "f5fdae3920125a39a1e6a23e5f877c16"}},
		{"statuses_read.json", domain.BillDelta{Category: "service", Billable: true, Conversation: "7270432eae37498234f4444b35ffc5"}},
	} {
		st := sampleStatus(t, c.file)
		at := time.Unix(1750030073, 0).UTC()
		j := &domain.Job{ID: "j", Type: domain.JobCreated, Status: domain.JobSent, ProviderMessageID: st.ID, Counted: []string{domain.MarkSent}}
		var got domain.BillDelta
		// The sample's own status, then the other statuses of the message (no pricing
		// on them: the first pricing is kept), each twice.
		for _, status := range []string{st.Status, "delivered", "read", st.Status, "delivered"} {
			next := st
			if status != st.Status {
				next = meta.MessageStatus{ID: st.ID, Status: status, Timestamp: st.Timestamp}
			}
			before := domain.CounterStateOf(j)
			applyStatus(j, next, at)
			d, marks := domain.CountTransition(before, domain.CounterStateOf(j))
			j.Counted = marks
			if !d.Bill.IsZero() {
				if !got.IsZero() {
					t.Errorf("%s: billed twice (%+v, then %+v)", c.file, got, d.Bill)
				}
				got = d.Bill
			}
		}
		if got != c.want {
			t.Errorf("%s: billed %+v, want %+v", c.file, got, c.want)
		}
	}
}

func sampleStatus(t *testing.T, name string) meta.MessageStatus {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "meta", "webhooks", name))
	if err != nil {
		t.Fatal(err)
	}
	var env meta.WebhookEnvelope
	if err := json.Unmarshal(b, &env); err != nil {
		t.Fatal(err)
	}
	var v meta.MessagesValue
	if err := json.Unmarshal(env.Entry[0].Changes[0].Value, &v); err != nil || len(v.Statuses) != 1 {
		t.Fatalf("%s: %v %v", name, err, v.Statuses)
	}
	return v.Statuses[0]
}
