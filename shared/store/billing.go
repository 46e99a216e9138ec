package store

import (
	"context"
	"fmt"

	"cloud.google.com/go/firestore"
	"golang.org/x/sync/errgroup"

	"github.com/lembra-app/lembra/shared/domain"
)

// Billing counts (domain.BillDelta): a message priced per message is counted on its
// own job, in the write that delivers it (bill_key, domain.StampCounts; counted by
// jobBorneBilling), so counting a message costs no write of its own. The daily counter
// documents (counters.go) hold what is not one per message, and what jobs counted
// before the counts moved to them:
//
//	billed.{category}, billed_free.{category}: firestore.Increment per message (older jobs)
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
	DocsRead     int // counter documents returned (each one document read)
	Aggregations int // count aggregations run (each one read per up to 1,000 jobs counted)
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
	days := make([]domain.BillingDay, 0, len(snaps)+1)
	for _, snap := range snaps {
		days = append(days, billingDay(snap.Data()))
	}
	borne, n, err := s.jobBorneBilling(ctx, tenantID, m)
	if err != nil {
		return BillingRead{}, fmt.Errorf("read billing of %s: %w", m, err)
	}
	days = append(days, borne)
	return BillingRead{BillingUsage: domain.SumBilling(m, days), DocsRead: len(snaps), Aggregations: n}, nil
}

// jobBorneBilling counts the month's messages whose pricing their job records
// (Job.BillKey, domain.StampCounts), as one more day of the month for SumBilling: one
// count aggregation per known category and charge (domain.BillingCategories; the
// automatic single-field index of bill_key), and the month's charged and free totals,
// whose remainder (a category Meta adds later) is counted under CounterReasonOther. It
// returns how many aggregations it ran.
func (s *Store) jobBorneBilling(ctx context.Context, tenantID string, m domain.BillingMonth) (domain.BillingDay, int, error) {
	jobs := s.tenant(tenantID).Collection(colJobs)
	month := m.String()
	day := domain.BillingDay{Day: m.First(), Billable: map[string]int64{}, Free: map[string]int64{}}
	type result struct {
		charged bool
		cat     string // "" for the total of the charge
		n       int
	}
	var results []*result
	for _, charged := range []bool{true, false} {
		results = append(results, &result{charged: charged})
		for _, cat := range domain.BillingCategories {
			results = append(results, &result{charged: charged, cat: cat})
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(dailyConcurrency)
	for _, r := range results {
		var q firestore.Query
		if r.cat == "" {
			from, to := domain.BillKeyRange(month, r.charged)
			q = jobs.Where("bill_key", ">=", from).Where("bill_key", "<", to)
		} else {
			q = jobs.Where("bill_key", "==", domain.BillKey(month, r.charged, r.cat))
		}
		g.Go(func() error {
			n, err := count(gctx, q)
			r.n = n
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return day, 0, err
	}
	rest := map[bool]int64{}
	for _, r := range results {
		if r.cat == "" {
			rest[r.charged] += int64(r.n)
			continue
		}
		rest[r.charged] -= int64(r.n)
		into := day.Free
		if r.charged {
			into = day.Billable
		}
		if r.n > 0 {
			into[r.cat] += int64(r.n)
		}
	}
	if n := rest[true]; n > 0 {
		day.Billable[domain.CounterReasonOther] += n
	}
	if n := rest[false]; n > 0 {
		day.Free[domain.CounterReasonOther] += n
	}
	return day, len(results), nil
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
