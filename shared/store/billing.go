package store

import (
	"context"
	"fmt"

	"cloud.google.com/go/firestore"

	"github.com/lembra-app/lembra/shared/domain"
)

// Billing counts (domain.BillDelta) live in the daily counter documents
// (counters.go), added in the same write as the job change that delivers the message,
// so counting a message costs no write of its own:
//
//	billed.{category}, billed_free.{category}: firestore.Increment per message
//	billed_conversations.{conversation key}: {category, billable: true when charged}
//	  (conversation-based pricing: a merge, so a conversation's many messages leave
//	  one entry per shard and day; SumBilling counts each conversation once)
//
// addBilling adds the billing of the deltas ds to a counter document's merge doc.
func addBilling(doc map[string]any, ds []domain.CounterDelta) {
	billed, free := map[string]int{}, map[string]int{}
	convs := map[string]any{}
	for _, d := range ds {
		b := d.Bill
		switch {
		case b.IsZero():
		case b.Conversation != "":
			entry := map[string]any{"category": b.Category}
			if prev, ok := convs[b.Conversation].(map[string]any); ok && prev["billable"] == true {
				entry["billable"] = true
			}
			if b.Billable {
				entry["billable"] = true // never written false: a merge keeps a charged conversation charged
			}
			convs[b.Conversation] = entry
		case b.Billable:
			billed[b.Category]++
		default:
			free[b.Category]++
		}
	}
	for field, counts := range map[string]map[string]int{fieldBilled: billed, fieldBilledFree: free} {
		if len(counts) == 0 {
			continue
		}
		m := map[string]any{}
		for c, n := range counts {
			m[c] = firestore.Increment(n)
		}
		doc[field] = m
	}
	if len(convs) > 0 {
		doc[fieldConversations] = convs
	}
}

// BillingRead is a month's billing counts and what reading them cost.
type BillingRead struct {
	domain.BillingUsage
	DocsRead int // counter documents returned (each one document read)
}

// ReadBilling sums the tenant's billing counts of month m (domain.SumBilling): one
// query of the counter documents from the day before the month to its last day (by
// their `day` field; Firestore's automatic single-field index), which reads only the
// shards that exist: at most 32 × 32 = 1,024 documents, however many messages.
func (s *Store) ReadBilling(ctx context.Context, tenantID string, m domain.BillingMonth) (BillingRead, error) {
	snaps, err := s.tenant(tenantID).Collection(colCounters).
		Where("day", ">=", m.DayBefore()).Where("day", "<=", m.Last()).
		Documents(ctx).GetAll()
	if err != nil {
		return BillingRead{}, fmt.Errorf("read billing of %s: %w", m, err)
	}
	days := make([]domain.BillingDay, 0, len(snaps))
	for _, snap := range snaps {
		days = append(days, billingDay(snap.Data()))
	}
	return BillingRead{BillingUsage: domain.SumBilling(m, days), DocsRead: len(snaps)}, nil
}

// billingDay reads a counter document's billing fields.
func billingDay(d map[string]any) domain.BillingDay {
	day, _ := d["day"].(string)
	out := domain.BillingDay{Day: day, Billable: map[string]int64{}, Free: map[string]int64{}, Conversations: map[string]domain.BillDelta{}}
	addReasons(out.Billable, d[fieldBilled])
	addReasons(out.Free, d[fieldBilledFree])
	convs, _ := d[fieldConversations].(map[string]any)
	for id, v := range convs {
		e, _ := v.(map[string]any)
		cat, _ := e["category"].(string)
		billable, _ := e["billable"].(bool)
		out.Conversations[id] = domain.BillDelta{Category: domain.BillingCategory(cat), Billable: billable, Conversation: id}
	}
	return out
}
