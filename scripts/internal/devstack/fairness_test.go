package devstack_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/shared/config"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/queue"
)

// fairStack runs the Meta stand-in with no caps by kind: each test sets its numbers'
// caps (SetThroughput) and the same caps on the tenants, as Meta and onboarding would.
func fairStack(t *testing.T) *devstack.Stack {
	t.Helper()
	return devstack.ForTest(t, devstack.Options{
		MetaThroughputScale: -1, // only the caps the test sets
		Configure: func(c *config.Config) {
			c.RetryBaseDelay = 200 * time.Millisecond
			c.MetaTimeout = 2 * time.Second
			c.UnknownOutcomeWait = 5 * time.Second
		},
		QueueRetry: &cloudtaskspb.RetryConfig{
			MaxAttempts: 8, MinBackoff: durationpb.New(100 * time.Millisecond),
			MaxBackoff: durationpb.New(time.Second), MaxDoublings: 3,
		},
	})
}

// cappedStudio adds a studio whose number is capped at perSecond, at Meta (the
// stand-in) and in its connection (what onboarding records), and returns it with its
// API key.
func cappedStudio(t *testing.T, s *devstack.Stack, id, waba, pn string, perSecond int) (*domain.Tenant, string) {
	t.Helper()
	ten, key := demo(t, s, func(tn *devstack.Tenant) {
		tn.ID, tn.APIKey, tn.Name = id, "", "Studio "+id
		tn.WhatsApp.WABAID, tn.WhatsApp.PhoneNumberID = waba, pn
		tn.WhatsApp.ThroughputCap = perSecond
	})
	s.Meta.SetThroughput(pn, perSecond)
	return ten, key
}

// clientPhone is a distinct client number per i, so every notice is one client's.
func clientPhone(tenant, i int) string { return fmt.Sprintf("+55119%02d%06d", tenant, i) }

// acceptedAt returns when the stand-in accepted a send to `to` from the number pn.
func acceptedAt(s *devstack.Stack, pn, to string) (time.Time, bool) {
	for _, r := range s.Meta.Accepted() {
		if r.PhoneNumberID == pn && "+"+r.To == to || r.PhoneNumberID == pn && r.To == to {
			return r.At, true
		}
	}
	return time.Time{}, false
}

// TestOneTenantsBurstDoesNotDelayAnother: a studio imports 500 appointments at once;
// their notices drain through its own queue at its number's cap while another studio's
// booking notice goes out within 2 s. Neither number is sent above its cap (no 130429
// from the stand-in) and no client gets a notice twice.
//
// Not parallel: it measures latency, so it runs alone, before the package's parallel
// tests start.
func TestOneTenantsBurstDoesNotDelayAnother(t *testing.T) {
	s := fairStack(t)
	const burst, burstCap, probeCap = 500, 50, 10
	big, bigKey := cappedStudio(t, s, "studio-import", "waba-import", "pn-import", burstCap)
	probe, probeKey := cappedStudio(t, s, "studio-probe", "waba-probe", "pn-probe", probeCap)

	start := time.Now()
	var wg sync.WaitGroup
	work := make(chan int)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				body := appointmentBody(fmt.Sprintf("imp-%d", i), time.Now().Add(72*time.Hour))
				body["client_phone"] = clientPhone(1, i)
				if r := call(t, s, bigKey, "POST", "/v1/appointments", body); r.Status != 201 && r.Status != 200 {
					t.Errorf("import %d: %d %s", i, r.Status, r.Raw)
				}
			}
		}()
	}
	probeSent := make(chan time.Duration, 1)
	go func() {
		for i := range burst {
			work <- i
			if i == burst/4 {
				// A quarter in, with the importer's backlog building: the probe
				// studio books one client.
				go func() {
					body := appointmentBody("probe-1", time.Now().Add(48*time.Hour))
					body["client_phone"] = clientPhone(2, 1)
					created := time.Now()
					r := call(t, s, probeKey, "POST", "/v1/appointments", body)
					if r.Status != 201 && r.Status != 200 {
						t.Errorf("probe: %d %s", r.Status, r.Raw)
						probeSent <- -1
						return
					}
					for time.Since(created) < 20*time.Second {
						if at, ok := acceptedAt(s, probe.WhatsApp.PhoneNumberID, clientPhone(2, 1)); ok {
							probeSent <- at.Sub(created)
							return
						}
						time.Sleep(20 * time.Millisecond)
					}
					probeSent <- -1
				}()
			}
		}
		close(work)
	}()
	wg.Wait()
	created := time.Since(start)

	latency := <-probeSent
	if latency < 0 || latency > 2*time.Second {
		t.Errorf("the probe studio's notice went out %v after its booking, want within 2 s", latency)
	}
	// The importer's backlog was still there when the probe went out: this is what
	// would have delayed it on one shared queue.
	var bigSent int
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		bigSent = 0
		for _, r := range s.Meta.Accepted() {
			if r.PhoneNumberID == big.WhatsApp.PhoneNumberID {
				bigSent++
			}
		}
		if bigSent >= burst {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	drained := time.Since(start)
	if bigSent != burst {
		t.Fatalf("%d of the %d imported notices sent in %v", bigSent, burst, drained)
	}
	if th := s.Meta.Throttled(big.WhatsApp.PhoneNumberID) + s.Meta.Throttled(probe.WhatsApp.PhoneNumberID); th != 0 {
		t.Errorf("the stand-in answered 130429 %d times: a number was sent above its cap", th)
	}
	perClient := map[string]int{}
	for _, r := range s.Meta.Accepted() {
		perClient[r.PhoneNumberID+" "+r.To]++
	}
	for k, n := range perClient {
		if n != 1 {
			t.Errorf("%s: %d sends, want 1", k, n)
		}
	}
	rate := float64(burst) / drained.Seconds()
	t.Logf("500 appointments created in %v; notices drained in %v (%.1f/s against a cap of %d/s, lane %.1f/s); probe notice after %v",
		created.Round(time.Millisecond), drained.Round(time.Millisecond), rate, burstCap,
		queue.DefaultPacing.Rate(burstCap, queue.LaneNow), latency.Round(time.Millisecond))
	if rate > float64(burstCap) {
		t.Errorf("the importer's notices went out at %.1f/s, above its number's cap of %d/s", rate, burstCap)
	}
}

// TestANoticeDoesNotWaitBehindReminders: within one studio, a booking notice goes out
// at once while a backlog of reminders drains through the reminder lane at its own
// pace (5 % of the number's cap).
func TestANoticeDoesNotWaitBehindReminders(t *testing.T) {
	t.Parallel()
	s := fairStack(t)
	const n, perSecond = 30, 20 // a coexistence number: reminders at 0.8/s, notices at 19/s
	ten, key := cappedStudio(t, s, "studio-lanes", "waba-lanes", "pn-lanes", perSecond)
	pn := ten.WhatsApp.PhoneNumberID

	// 30 appointments 24 h and a few seconds away: their notices go out now and their
	// reminders all come due a few seconds from now.
	due := time.Now().Add(8 * time.Second)
	for i := range n {
		body := appointmentBody(fmt.Sprintf("lane-%d", i), due.Add(24*time.Hour))
		body["client_phone"] = clientPhone(3, i)
		if r := call(t, s, key, "POST", "/v1/appointments", body); r.Status != 201 {
			t.Fatalf("appointment %d: %d %s", i, r.Status, r.Raw)
		}
	}
	count := func(template string) int {
		c := 0
		for _, r := range s.Meta.Accepted() {
			if r.PhoneNumberID == pn && r.TemplateName == template {
				c++
			}
		}
		return c
	}
	notice, reminder := ten.Templates[string(domain.JobCreated)].Name, ten.Templates[string(domain.JobReminder)].Name
	deadline := time.Now().Add(20 * time.Second)
	for count(notice) < n && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if got := count(notice); got != n {
		t.Fatalf("%d of %d notices sent", got, n)
	}

	res := scanResult(t, s)
	if res.Enqueued != n {
		t.Fatalf("scan enqueued %d reminders, want %d: %+v", res.Enqueued, n, res)
	}
	time.Sleep(time.Until(due) + 2*time.Second) // the reminder lane is draining
	scanned := due

	body := appointmentBody("lane-new", time.Now().Add(72*time.Hour))
	body["client_phone"] = clientPhone(3, 999)
	booked := time.Now()
	if r := call(t, s, key, "POST", "/v1/appointments", body); r.Status != 201 {
		t.Fatalf("new booking: %d %s", r.Status, r.Raw)
	}
	var latency time.Duration = -1
	for time.Since(booked) < 10*time.Second {
		if at, ok := acceptedAt(s, pn, clientPhone(3, 999)); ok {
			latency = at.Sub(booked)
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	remindersBy := count(reminder)
	if latency < 0 || latency > 2*time.Second {
		t.Errorf("the new booking's notice went out %v after it, want within 2 s", latency)
	}
	// The reminders were still draining, at the lane's rate: 0.8/s plus its burst.
	elapsed := time.Since(scanned).Seconds()
	limit := int(elapsed*queue.DefaultPacing.Rate(perSecond, queue.LaneReminders)) + 10 + 1
	if remindersBy >= n || remindersBy > limit {
		t.Errorf("%d of %d reminders sent %.1f s after the scan; the lane allows about %d", remindersBy, n, elapsed, limit)
	}
	if th := s.Meta.Throttled(pn); th != 0 {
		t.Errorf("130429 answered %d times", th)
	}
	t.Logf("notice after %v with %d of %d reminders sent %.1f s into their drain", latency.Round(time.Millisecond), remindersBy, n, elapsed)
	if remindersBy == 0 {
		t.Error("no reminder was sent: the lane is not draining")
	}
}

// TestThroughputUpgradeRepacesTheQueues: Meta's THROUGHPUT_UPGRADE raises the number's
// cap to 1,000/s and its queues are re-paced at once; a coexistence number keeps 20/s.
func TestThroughputUpgradeRepacesTheQueues(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, key := demo(t, s, nil)
	ctx := context.Background()
	q, err := s.Env.Tasks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rate := func(lane queue.Lane) float64 {
		t.Helper()
		got, err := q.Client.GetQueue(ctx, &cloudtaskspb.GetQueueRequest{Name: q.QueueName(ten.ID, lane)})
		if err != nil {
			t.Fatalf("queue %s: %v", lane, err)
		}
		return got.RateLimits.MaxDispatchesPerSecond
	}
	notice(t, s, ten, key, "up-1") // the first task creates the queues, at the kind's cap
	if now, rem := rate(queue.LaneNow), rate(queue.LaneReminders); now != 76 || rem != 3.2 {
		t.Fatalf("queues of an 80/s number: %v and %v per second", now, rem)
	}
	postSigned(t, s, wabaChange(ten, "phone_number_quality_update", time.Now(),
		`{"display_phone_number":"551140001234","event":"THROUGHPUT_UPGRADE","max_daily_conversations_per_business":"TIER_UNLIMITED"}`))
	waitTenant(t, s, ten.ID, "the upgrade", func(x *domain.Tenant) bool { return x.WhatsApp.Cap() == domain.ThroughputUpgraded })
	deadline := time.Now().Add(10 * time.Second)
	for rate(queue.LaneNow) != queue.MaxQueueRate && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if now, rem := rate(queue.LaneNow), rate(queue.LaneReminders); now != queue.MaxQueueRate || rem != 40 {
		t.Errorf("queues after the upgrade: %v and %v per second, want 500 (a queue's ceiling) and 40", now, rem)
	}
	if j := notice(t, s, ten, key, "up-2"); j.Status != domain.JobSent {
		t.Errorf("a notice after the upgrade: %s %q", j.Status, j.Reason)
	}
}
