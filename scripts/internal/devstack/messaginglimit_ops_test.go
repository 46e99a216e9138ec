package devstack_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"cloud.google.com/go/firestore"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/store"
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
	own, err := firestore.NewClient(ctx, s.Config.Project) // FIRESTORE_EMULATOR_HOST: not counted
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { own.Close() })
	watch := store.New(own)

	unlimited, keyU := demoStudio(t, s, "ops-sem-limite", "", "102290129340881", "106540352240881")
	limited, keyL := demoStudio(t, s, "ops-limite", "", "102290129340882", "106540352240882")
	if status, err := s.Meta.PostCapabilityUpdate(ctx, limited.WhatsApp.WABAID, 250); err != nil || status != http.StatusOK {
		t.Fatalf("business_capability_update: %d %v", status, err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if got, err := watch.GetTenant(ctx, limited.ID); err == nil && got.WhatsApp.MessagingLimit == 250 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the limit did not reach the tenant")
		}
	}

	// notice creates one booking notice for a new client and returns what it cost once
	// it is sent (and the counts have settled).
	n := 0
	notice := func(ten *domain.Tenant, key string) devstack.FirestoreOps {
		t.Helper()
		n++
		before := s.FirestoreOps()
		body := appointmentBody(fmt.Sprintf("ops-limite-%d", n), time.Now().Add(72*time.Hour))
		body["client_phone"] = fmt.Sprintf("+55119876%05d", 50000+n)
		r := call(t, s, key, "POST", "/v1/appointments", body)
		id := domain.JobID(appointmentID(t, r), domain.JobCreated, 0)
		for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			if j, err := watch.GetJob(ctx, ten.ID, id); err == nil && j.Status.Final() {
				if j.Status != domain.JobSent {
					t.Fatalf("notice %s: %s (%s)", id, j.Status, j.Reason)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("notice %s not sent", id)
			}
		}
		time.Sleep(300 * time.Millisecond)
		return s.FirestoreOps().Sub(before)
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
