package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/scripts/internal/standin/metastandin"
	"github.com/lembra-app/lembra/scripts/internal/standin/taskstandin"
)

// TestLoadHarness runs the harness small (two tenants, one of them coexistence, at
// half Meta's caps) against a stack on the emulators and checks what it reports.
func TestLoadHarness(t *testing.T) {
	s := devstack.ForTest(t, devstack.Options{
		AutoStatuses: []string{"sent", "delivered", "read"},
		MetaPairRate: metastandin.PairRateWindow,
	})
	cfg := Config{Tenants: 2, Coexistence: 1, Messages: 40, Scale: 0.5, Workers: 4,
		ProbeAfter: 0.25, Probes: 3, ProbeEvery: 200 * time.Millisecond, Timeout: 3 * time.Minute}
	r, err := Run(context.Background(), s, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	r.Print(&b)
	t.Log(b.String())

	if len(r.Tenants) != 3 || !r.Tenants[2].Probe || !r.Tenants[0].Coexistence || r.Tenants[1].Coexistence {
		t.Fatalf("tenants %+v", r.Tenants)
	}
	for _, tr := range r.Tenants {
		if tr.Sent != tr.Messages || tr.Duplicates != 0 || tr.Throttled != 0 || tr.PairRate != 0 {
			t.Errorf("%s: %d of %d sent, %d duplicates, %d × 130429, %d × 131056", tr.ID, tr.Sent, tr.Messages, tr.Duplicates, tr.Throttled, tr.PairRate)
		}
		// Paced by its notice lane: at most one burst of the queue (Cloud Tasks' pick,
		// as the stand-in makes it) plus the lane's rate over the run. The times are
		// Meta's acceptances, each some time after its task's dispatch (the first of a
		// run the slowest: cold caches), so the span may be shorter than the queue's by
		// that difference: half a second of the lane is allowed for it. A lane twice as
		// fast as it should be still fails (40 sends in 1.6 s at 19/s).
		const acceptJitter = 0.5 // seconds
		if span := tr.Last.Sub(tr.First).Seconds(); !tr.Probe && (tr.Rate() <= 0 ||
			float64(tr.Sent-1) > tr.LaneRate*(span+acceptJitter)+float64(taskstandin.BurstFor(tr.LaneRate))) {
			t.Errorf("%s: %d sends in %.1f s through a lane of %.2f/s", tr.ID, tr.Sent, span, tr.LaneRate)
		}
	}
	if caps := []int{r.Tenants[0].Cap, r.Tenants[1].Cap}; caps[0] != 10 || caps[1] != 40 {
		t.Errorf("caps %v, want 10 (coexistence) and 40 at half Meta's", caps)
	}
	if len(r.Probe) != 3 || Percentile(r.Probe, 99) <= 0 {
		t.Errorf("probe latencies %v", r.Probe)
	}
	u := r.Usage
	if u.Messages != 83 || u.FirestoreReads <= 0 || u.FirestoreWrites <= 0 || u.TaskOperations < 2*83 || u.PubSubBytes < 3*2*1000*83 {
		t.Errorf("usage %+v", u)
	}
	if u.Requests["api"] != 83 || u.Requests["webhook"] < 3*83 || u.Requests["events"] < 3*83 || u.Requests["dispatch"] < 83 {
		t.Errorf("requests %v: want one booking, at least one dispatch and three statuses per message", u.Requests)
	}
	cost := ListPrices.Cost(u)
	for _, k := range []string{"firestore", "run", "pubsub", "tasks"} {
		if cost[k] <= 0 {
			t.Errorf("cost of %s per 1,000: %v", k, cost[k])
		}
	}
	if !strings.Contains(b.String(), "per 1,000 messages: US$") {
		t.Errorf("no cost line:\n%s", b.String())
	}
}
