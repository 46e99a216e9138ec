package devstack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/scripts/internal/emulators"
	"github.com/lembra-app/lembra/shared/domain"
)

// billingPricing is a message's pricing as Meta puts it on its statuses: per-message
// (PMP: category and type) or, in older payloads, conversation-based (CBP, with the
// conversation object), as in testdata/meta/webhooks/statuses_sent_marketing_pmp.json,
// statuses_sent_pmp_free_customer_service.json and statuses_delivered_utility_cbp.json.
type billingPricing struct {
	Billable     bool   `json:"billable"`
	PricingModel string `json:"pricing_model"`
	Category     string `json:"category"`
	Type         string `json:"type,omitempty"`
	conversation string
}

// TestBillingStorm: 2,000 status webhooks with pricing for 500 messages (two statuses
// each, every webhook posted twice), shuffled: the month's count per category equals
// the distinct messages Meta charges (each delivered or read message once; a
// conversation-based conversation once for all its messages; free ones apart; a message
// only sent and then failed not at all), and the owner reads it, with its estimate, as
// JSON and as CSV; staff may not (403), a bad month is 400.
func TestBillingStorm(t *testing.T) {
	t.Parallel()
	s := devstack.ForTest(t, devstack.Options{Project: emulators.AuthProject})
	ten, _ := demoStudio(t, s, "bill-jana", "", "102290129340791", "106540352242791")
	other, _ := demoStudio(t, s, "bill-bela", "Studio Bela", "102290129340792", "106540352242792")
	owner, _, staff, stranger := opsTokens(t, s, ten.ID, other.ID)
	ctx := context.Background()
	fs, _ := s.Env.Firestore(ctx)
	const messages = 500
	bw := fs.BulkWriter(ctx)
	now := time.Now().UTC()
	charged, free := map[string]int{}, map[string]int{}
	convs := map[string]bool{}
	var bodies [][]byte
	for i := range messages {
		jobID := fmt.Sprintf("bill-%03d", i)
		wamid := fmt.Sprintf("wamid.bill%03d", i)
		j := domain.Job{TenantID: ten.ID, AppointmentID: "apt-bill", Type: domain.JobCreated, Status: domain.JobSent,
			ProviderMessageID: wamid, SentAt: now, CreatedAt: now, DeliveryMode: domain.DeliveryTemplate, Counted: []string{domain.MarkSent}}
		j.AddEvent(now, "sent", "")
		if _, err := bw.Set(fs.Collection("tenants").Doc(ten.ID).Collection("jobs").Doc(jobID), j); err != nil {
			t.Fatal(err)
		}
		var p billingPricing
		statuses := [][]string{{"sent", "delivered"}, {"delivered", "read"}, {"sent", "read"}}[i%3]
		switch i % 10 {
		case 0, 1, 2, 3, 4, 5:
			p = billingPricing{Billable: true, PricingModel: "PMP", Category: "utility", Type: "regular"}
			charged["utility"]++
		case 6:
			p = billingPricing{Billable: true, PricingModel: "PMP", Category: "marketing", Type: "regular"}
			charged["marketing"]++
		case 7:
			p = billingPricing{Billable: false, PricingModel: "PMP", Category: "service", Type: "free_customer_service"}
			free["service"]++
		case 8: // five messages to a conversation: Meta charged the conversation once
			conv := fmt.Sprintf("%032x", i/50)
			p = billingPricing{Billable: true, PricingModel: "CBP", Category: "utility", conversation: conv}
			if !convs[conv] {
				charged["utility"]++
			}
			convs[conv] = true
		case 9: // accepted, then failed: never delivered, never charged
			p = billingPricing{Billable: true, PricingModel: "PMP", Category: "utility", Type: "regular"}
			statuses = []string{"sent", "failed"}
		}
		for k, st := range statuses {
			b := billingStatusBody(ten, wamid, st, now.Add(time.Duration(k+1)*time.Second), p)
			bodies = append(bodies, b, b)
		}
	}
	bw.End()
	rand.Shuffle(len(bodies), func(i, j int) { bodies[i], bodies[j] = bodies[j], bodies[i] })
	if len(bodies) != 2000 {
		t.Fatalf("%d webhooks", len(bodies))
	}
	start := time.Now()
	postSignedAll(t, s, bodies, 16)

	// Every job at its last status (the pushes are asynchronous), then the month.
	st, _ := s.Env.Store(ctx)
	deadline := time.Now().Add(3 * time.Minute)
	for i := range messages {
		waitJob(t, s, ten.ID, fmt.Sprintf("bill-%03d", i), time.Until(deadline), func(j *domain.Job) bool {
			return len(j.ProviderStatusTimes) == 2 && j.Pricing != nil
		})
	}
	t.Logf("2,000 webhooks applied after %v", time.Since(start))

	want := map[string][2]int{}
	for c, n := range charged {
		want[c] = [2]int{n, 0}
	}
	for c, n := range free {
		w := want[c]
		w[1] = n
		want[c] = w
	}
	r := call(t, s, owner, "GET", "/v1/staff/billing", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("billing: %d %s", r.Status, r.Raw)
	}
	var resp struct {
		Month, Currency string
		Categories      []struct {
			Category       string
			Billable, Free int
			Priced         bool
			Rate           *float64
			Estimate       *float64
		}
		Billable, Free, Conversations, Unpriced int
		Estimate                                float64
		PriceTable                              struct{ Effective, Source string } `json:"price_table"`
	}
	if err := json.Unmarshal([]byte(r.Raw), &resp); err != nil {
		t.Fatal(err)
	}
	got := map[string][2]int{}
	for _, c := range resp.Categories {
		got[c.Category] = [2]int{c.Billable, c.Free}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) || resp.Conversations != len(convs) {
		t.Errorf("month by category %v (%d conversations), want %v (%d)\n%s", got, resp.Conversations, want, len(convs), r.Raw)
	}
	wantCharged := charged["utility"] + charged["marketing"]
	if resp.Billable != wantCharged || resp.Free != free["service"] {
		t.Errorf("charged %d free %d, want %d and %d", resp.Billable, resp.Free, wantCharged, free["service"])
	}
	// The estimate is the table's rate times the charged messages of each category.
	_, br := domain.Prices().Market("")
	var estimate domain.Micros
	for c, n := range charged {
		rate, _ := domain.ParseMicros(br.Rates[c])
		estimate += rate * domain.Micros(n)
	}
	if diff := resp.Estimate - estimate.Float(); diff > 1e-9 || diff < -1e-9 || resp.Currency != br.Currency || resp.PriceTable.Effective == "" {
		t.Errorf("estimate %v %s (table %+v), want %v %s", resp.Estimate, resp.Currency, resp.PriceTable, estimate.Float(), br.Currency)
	}
	t.Logf("month %s: %d charged, %d free, %d CBP conversations, estimate %s %s", resp.Month, resp.Billable, resp.Free, resp.Conversations, estimate.Decimal(2, ","), resp.Currency)

	// The CSV for billing: one row per category and the total, decimal comma.
	c := call(t, s, owner, "GET", "/v1/staff/billing?format=csv&month="+resp.Month, nil)
	lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(c.Raw, "\ufeff")), "\n")
	wantTotal := fmt.Sprintf("%s;Total;;%d;%d;;%s;", resp.Month, wantCharged, free["service"], estimate.Decimal(2, ","))
	if c.Status != http.StatusOK || len(lines) != 2+len(want) || !strings.HasPrefix(lines[0], "Mês;Categoria;") || !strings.HasPrefix(strings.TrimSpace(lines[len(lines)-1]), wantTotal) {
		t.Errorf("csv %d:\n%s\nwant a total row starting %q", c.Status, c.Raw, wantTotal)
	}

	// Only the owner; a month after this one, or malformed, is refused.
	if r := call(t, s, staff, "GET", "/v1/staff/billing", nil); r.Status != http.StatusForbidden {
		t.Errorf("staff: %d %s", r.Status, r.Raw)
	}
	if r := call(t, s, stranger, "GET", "/v1/staff/billing", nil); r.Status != http.StatusOK || !strings.Contains(r.Raw, `"billable":0`) {
		t.Errorf("another studio's owner: %d %s", r.Status, r.Raw)
	}
	for _, m := range []string{"2026-13", "dezembro", time.Now().AddDate(0, 2, 0).Format("2006-01")} {
		if r := call(t, s, owner, "GET", "/v1/staff/billing?month="+m, nil); r.Status != http.StatusBadRequest || !strings.Contains(r.Raw, `"field":"month"`) {
			t.Errorf("month %s: %d %s", m, r.Status, r.Raw)
		}
	}

	// Nothing counted twice on a second pass: 400 of the webhooks again, in another order.
	rand.Shuffle(len(bodies), func(i, j int) { bodies[i], bodies[j] = bodies[j], bodies[i] })
	postSignedAll(t, s, bodies[:400], 1)
	m, _ := domain.ParseBillingMonth(resp.Month, time.Now().AddDate(0, 1, 0), time.UTC)
	settleOps(t, s) // the pushes of the redeliveries have landed
	again, err := st.ReadBilling(ctx, ten.ID, m)
	if err != nil || fmt.Sprint(again.Categories) != billingUsageString(want) {
		t.Errorf("after redeliveries %v %v, want %s", again.Categories, err, billingUsageString(want))
	}
	t.Logf("the month read %d counter documents", again.DocsRead)
}

// billingUsageString is want as domain.SumBilling's categories print.
func billingUsageString(want map[string][2]int) string {
	var cs []domain.CategoryUsage
	for _, c := range []string{"marketing", "service", "utility"} {
		if w, ok := want[c]; ok {
			cs = append(cs, domain.CategoryUsage{Category: c, Billable: int64(w[0]), Free: int64(w[1])})
		}
	}
	return fmt.Sprint(cs)
}

// billingStatusBody is a status webhook of the studio's number with Meta's pricing
// (none on a failed status, which carries its error instead).
func billingStatusBody(ten *domain.Tenant, wamid, status string, at time.Time, p billingPricing) []byte {
	st := map[string]any{"id": wamid, "status": status, "timestamp": fmt.Sprint(at.Unix()), "recipient_id": "5511987654321"}
	if status == "failed" {
		st["errors"] = []map[string]any{{"code": 131026, "title": "Message undeliverable", "message": "Message undeliverable",
			"error_data": map[string]any{"details": "Message Undeliverable."}}}
	} else {
		st["pricing"] = p
		if p.conversation != "" {
			st["conversation"] = map[string]any{"id": p.conversation, "origin": map[string]any{"type": p.Category}}
		}
	}
	b, _ := json.Marshal(map[string]any{"object": "whatsapp_business_account", "entry": []any{map[string]any{
		"id": ten.WhatsApp.WABAID, "changes": []any{map[string]any{"field": "messages", "value": map[string]any{
			"messaging_product": "whatsapp",
			"metadata":          map[string]any{"display_phone_number": "551140001234", "phone_number_id": ten.WhatsApp.PhoneNumberID},
			"statuses":          []any{st},
		}}},
	}}})
	return b
}
