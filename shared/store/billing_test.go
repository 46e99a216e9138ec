package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
)

// A message's pricing is counted once, in the write that delivers it (no write of its
// own), whatever the redeliveries; a conversation-based conversation once for its
// messages; the month's read sums the days' shards.
func TestBillingCountedWithTheDeliveredWrite(t *testing.T) {
	ctx := context.Background()
	s, fs := newStore(t)
	if err := s.PutTenant(ctx, tenant("b", "222", "waba-b")); err != nil {
		t.Fatal(err)
	}
	util := &domain.Pricing{Billable: true, Model: "PMP", Category: "utility", Type: "regular"}
	free := &domain.Pricing{Billable: false, Model: "PMP", Category: "service", Type: "free_customer_service"}
	cbp := func(conv string, billable bool) *domain.Pricing {
		return &domain.Pricing{Billable: billable, Model: "CBP", Category: "marketing", ConversationID: conv}
	}
	jobs := map[string]*domain.Pricing{
		"u1": util, "u2": util, "u3": util, "f1": free,
		"c1": cbp("conv-x", true), "c2": cbp("conv-x", true), "c3": cbp("conv-y", false),
		"sent-only": util,
	}
	for id := range jobs {
		j := &domain.Job{ID: id, TenantID: "b", AppointmentID: "apt", Type: domain.JobCreated, Status: domain.JobSent,
			ProviderMessageID: "wamid." + id, Counted: []string{domain.MarkSent}, CreatedAt: time.Now()}
		if _, err := fs.Collection("tenants").Doc("b").Collection("jobs").Doc(id).Set(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	apply := func(id string, st domain.JobStatus, p *domain.Pricing) {
		t.Helper()
		if _, err := s.UpdateJobUnlocked(ctx, "b", id, func(tx *JobTx) error {
			next := tx.Job.Status.Reported(st)
			priced := p != nil && tx.Job.Pricing == nil
			if next == tx.Job.Status && !priced {
				return ErrNoChange
			}
			tx.Job.Status = next
			if priced {
				c := *p
				tx.Job.Pricing = &c
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	for id, p := range jobs {
		apply(id, domain.JobSent, p) // the priced sent: no counter write
		if id == "sent-only" {
			continue
		}
		for range 2 {
			apply(id, domain.JobDelivered, p)
			apply(id, domain.JobRead, p)
		}
	}
	m, _ := domain.ParseBillingMonth("", time.Now(), (&domain.Tenant{}).Location())
	r, err := s.ReadBilling(ctx, "b", m)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(r.Categories)
	// utility 3 charged, service 1 free, marketing: conv-x once (charged), conv-y free.
	if want := "[{marketing 1 1} {service 0 1} {utility 3 0}]"; got != want || r.Conversations != 2 {
		t.Errorf("billing %s (%d conversations), want %s (2)", got, r.Conversations, want)
	}
	if r.DocsRead == 0 || r.DocsRead > CounterShards {
		t.Errorf("%d documents read", r.DocsRead)
	}
	for id := range jobs {
		j, err := s.GetJob(ctx, "b", id)
		if err != nil {
			t.Fatal(err)
		}
		billed := false
		for _, mk := range j.Counted {
			billed = billed || mk == domain.MarkBilled
		}
		if billed == (id == "sent-only") {
			t.Errorf("job %s marks %v", id, j.Counted)
		}
	}
	c, err := s.ReadCounters(ctx, "b", time.Now(), (&domain.Tenant{}).Location(), 1)
	if err != nil || c.Delivered != 7 || c.Read != 7 {
		t.Errorf("counters %+v %v", c.Counters, err)
	}
}

// The counts read from jobs add to what the shards hold from jobs counted there before
// the counts moved to the jobs; a category outside domain.BillingCategories is counted
// under "other", charged or free as Meta said.
func TestCountsFromJobsBesideOlderShards(t *testing.T) {
	ctx := context.Background()
	s, fs := newStore(t)
	if err := s.PutTenant(ctx, tenant("o", "333", "waba-o")); err != nil {
		t.Fatal(err)
	}
	loc := (&domain.Tenant{}).Location()
	today := CounterDay(time.Now(), loc)
	older := map[string]any{"day": today, "shard": 3, fieldSent: 4, fieldDelivered: 3, fieldRead: 2,
		fieldBilled: map[string]any{"utility": 3}, fieldBilledFree: map[string]any{"service": 1}}
	if _, err := fs.Collection("tenants").Doc("o").Collection(colCounters).Doc(CounterDocID(today, 3)).Set(ctx, older); err != nil {
		t.Fatal(err)
	}
	priced := map[string]*domain.Pricing{
		"new-charged": {Billable: true, Model: "PMP", Category: "brand_new_category", Type: "regular"},
		"new-free":    {Model: "PMP", Category: "brand_new_category", Type: "free_entry_point"},
		"util":        {Billable: true, Model: "PMP", Category: "utility", Type: "regular"},
		"unnamed":     {Billable: true, Model: "PMP", Type: "regular"},
	}
	for id, p := range priced {
		j := &domain.Job{ID: id, TenantID: "o", AppointmentID: "apt", Type: domain.JobReminder, Status: domain.JobSent,
			ProviderMessageID: "wamid." + id, CreatedAt: time.Now()}
		if _, err := fs.Collection("tenants").Doc("o").Collection("jobs").Doc(id).Set(ctx, j); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpdateJobUnlocked(ctx, "o", id, func(tx *JobTx) error {
			tx.Job.Status, tx.Job.Pricing = domain.JobDelivered, p
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	m, _ := domain.ParseBillingMonth("", time.Now(), loc)
	r, err := s.ReadBilling(ctx, "o", m)
	if err != nil {
		t.Fatal(err)
	}
	want := "[{other 1 1} {service 0 1} {unspecified 1 0} {utility 4 0}]"
	if got := fmt.Sprint(r.Categories); got != want {
		t.Errorf("billing %s, want %s", got, want)
	}
	if r.Aggregations != 2*(len(domain.BillingCategories)+1) {
		t.Errorf("%d aggregations", r.Aggregations)
	}
	// Sent: the older shard's 4 (the jobs were stored sent without marks, as before the
	// counters existed: their sent is never counted again); delivered: 3 and the four.
	c, err := s.ReadCounters(ctx, "o", time.Now(), loc, 1)
	if err != nil {
		t.Fatal(err)
	}
	if c.Sent != 4 || c.Delivered != 3+4 || c.Read != 2 || c.ButtonsDelivered != 4 {
		t.Errorf("counters %+v", c.Counters)
	}
}
