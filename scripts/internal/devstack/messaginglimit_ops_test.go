package devstack_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/shared/domain"
)

// TestMessagingLimitFirestoreOps counts, at the gRPC level, what a booking notice
// costs from the booking API's POST to Meta's acceptance for a studio whose portfolio
// is unlimited (or never reported) and for one with a counted limit of 250: counting
// the client adds exactly one read and one write (the usage document, in the claim's
// transaction), and nothing for the unlimited one.
func TestMessagingLimitFirestoreOps(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ctx := context.Background()
	watch := watchStore(t, s)

	unlimited, keyU := demoStudio(t, s, "ops-sem-limite", "", "102290129340881", "106540352240881")
	limited, keyL := demoStudio(t, s, "ops-limite", "", "102290129340882", "106540352240882")
	if status, err := s.Meta.PostCapabilityUpdate(ctx, limited.WhatsApp.WABAID, 250); err != nil || status != http.StatusOK {
		t.Fatalf("business_capability_update: %d %v", status, err)
	}
	eventually(t, 10*time.Second, "the limit on the tenant", func() bool {
		got, err := watch.GetTenant(ctx, limited.ID)
		return err == nil && got.WhatsApp.MessagingLimit == 250
	})

	// notice creates one booking notice for a new client and returns what it cost once
	// it is sent (and the counts have settled).
	n := 0
	notice := func(ten *domain.Tenant, key string) devstack.FirestoreOps {
		t.Helper()
		n++
		before := settleOps(t, s)
		body := appointmentBody(fmt.Sprintf("ops-limite-%d", n), time.Now().Add(72*time.Hour))
		body["client_phone"] = fmt.Sprintf("+55119876%05d", 50000+n)
		r := call(t, s, key, "POST", "/v1/appointments", body)
		id := domain.JobID(appointmentID(t, r), domain.JobCreated, 0)
		j := waitWatched(t, watch, ten.ID, id, "final", func(j *domain.Job) bool { return j.Status.Final() })
		if j.Status != domain.JobSent {
			t.Fatalf("notice %s: %s (%s)", id, j.Status, j.Reason)
		}
		return settleOps(t, s).Sub(before)
	}
	notice(unlimited, keyU) // the caches fill (API key, tenant, queues, time zone)
	notice(limited, keyL)
	for i := range 2 {
		u, l := notice(unlimited, keyU), notice(limited, keyL)
		t.Logf("notice %d: unlimited %s; limit 250 %s", i+1, u, l)
		if dr, dw := l.Reads()-u.Reads(), l.Writes()-u.Writes(); dr != 1 || dw != 1 {
			t.Errorf("notice %d: counting the client cost %d reads and %d writes more, want 1 and 1 (unlimited %s; limit 250 %s)", i+1, dr, dw, u, l)
		}
	}
}
