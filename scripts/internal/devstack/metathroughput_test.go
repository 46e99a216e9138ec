package devstack_test

import (
	"fmt"
	"testing"
	"time"

	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/shared/config"
	"github.com/lembra-app/lembra/shared/domain"
)

// TestMetaThroughputCapsTheNumber runs the Meta stand-in at scaled-down caps (5% of
// Meta's: a coexistence number gets 1 send/s instead of 20): three booking notices
// created at once for a coexistence tenant trip the cap, the stand-in answers 130429
// and counts it for that number, and the dispatcher retries until all three are sent.
func TestMetaThroughputCapsTheNumber(t *testing.T) {
	t.Parallel()
	s := devstack.ForTest(t, devstack.Options{
		MetaThroughputScale: 0.05,
		Configure: func(c *config.Config) {
			c.RetryBaseDelay = 200 * time.Millisecond
			c.MetaTimeout = time.Second
			c.UnknownOutcomeWait = 3 * time.Second
		},
		QueueRetry: &cloudtaskspb.RetryConfig{
			MaxAttempts: 8, MinBackoff: durationpb.New(100 * time.Millisecond),
			MaxBackoff: durationpb.New(time.Second), MaxDoublings: 3,
		},
	})
	ten, key := demo(t, s, func(spec *devstack.Tenant) { spec.Tenant.WhatsApp.Coexistence = true })
	pn := ten.WhatsApp.PhoneNumberID
	if got := s.Meta.Throughput(pn); got != 1 {
		t.Fatalf("coexistence number's cap at the stand-in: %d/s, want 1 (20/s × 0.05)", got)
	}

	var ids []string
	for i := range 3 {
		r := call(t, s, key, "POST", "/v1/appointments", appointmentBody(fmt.Sprintf("tp-%d", i), time.Now().Add(72*time.Hour)))
		ids = append(ids, appointmentID(t, r))
	}
	throttled := 0
	for _, id := range ids {
		j := waitJob(t, s, ten.ID, domain.JobID(id, domain.JobCreated, 0), 30*time.Second, final)
		if j.Status != domain.JobSent {
			t.Fatalf("notice %s: %s (%s), attempts %+v", id, j.Status, j.Reason, j.Attempts)
		}
		for _, a := range j.Attempts {
			if a.ErrorCode == 130429 {
				throttled++
			}
		}
	}
	if throttled == 0 || s.Meta.Throttled(pn) != throttled {
		t.Errorf("130429 answers: %d in the jobs' attempts, %d counted by the stand-in; want the same, > 0", throttled, s.Meta.Throttled(pn))
	}
	accepted := s.Meta.Accepted()
	for i := 1; i < len(accepted); i++ {
		if gap := accepted[i].At.Sub(accepted[i-1].At); gap < time.Second {
			t.Errorf("sends %d and %d accepted %v apart at a cap of 1/s", i-1, i, gap)
		}
	}
	if len(accepted) != 3 {
		t.Errorf("%d sends accepted, want 3", len(accepted))
	}
}
