package devstack_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/scripts/internal/emulators"
	"github.com/lembra-app/lembra/shared/booking"
	"github.com/lembra-app/lembra/shared/config"
	"github.com/lembra-app/lembra/shared/dispatch"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/events"
)

// TestMessagingLimitHolds: a studio whose portfolio Meta limits to
// 4 clients per 24 hours (business_capability_update from the Meta stand-in, which
// enforces the same limit and would answer 131048 beyond it) reaches 3 clients with
// booking notices; then a reminder to a new client is held with the reason on its
// timeline (90 %: 3 of 4), while an answer to a client's tap inside the window and a
// reminder to a client already reached go; a fourth new client's booking notice goes
// (booking notices wait only at 100 %), a fifth's is held. The stand-in never refuses
// a send, and GET /v1/staff/whatsapp shows the usage.
func TestMessagingLimitHolds(t *testing.T) {
	t.Parallel()
	// On the Auth emulator's project, for the owner's GET /v1/staff/whatsapp; fast's delays.
	s := devstack.ForTest(t, devstack.Options{Project: emulators.AuthProject,
		Configure: func(c *config.Config) {
			c.RetryBaseDelay, c.MetaTimeout, c.UnknownOutcomeWait = 200*time.Millisecond, time.Second, 3*time.Second
		},
		QueueRetry: &cloudtaskspb.RetryConfig{MaxAttempts: 5, MinBackoff: durationpb.New(100 * time.Millisecond),
			MaxBackoff: durationpb.New(time.Second), MaxDoublings: 3},
	})
	ten, key := demoStudio(t, s, "studio-limite", "Studio Limite", "102290129340788", "106540352240788")
	ctx := context.Background()
	st := mustStore(t, s)

	// Meta lowers the portfolio's limit to 4: the webhook reaches the tenant.
	if status, err := s.Meta.PostCapabilityUpdate(ctx, ten.WhatsApp.WABAID, 4); err != nil || status != http.StatusOK {
		t.Fatalf("business_capability_update: %d %v", status, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := st.GetTenant(ctx, ten.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.WhatsApp.MessagingLimit == 4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the tenant's limit is %d, want 4 from the webhook", got.WhatsApp.MessagingLimit)
		}
		time.Sleep(50 * time.Millisecond)
	}

	phone := func(i int) string { return fmt.Sprintf("+55119876%05d", 40000+i) }
	notice := func(i int) *domain.Job {
		t.Helper()
		body := appointmentBody(fmt.Sprintf("limite-%d", i), time.Now().Add(72*time.Hour))
		body["client_phone"] = phone(i)
		r := call(t, s, key, "POST", "/v1/appointments", body)
		return waitJob(t, s, ten.ID, domain.JobID(appointmentID(t, r), domain.JobCreated, 0), 15*time.Second, func(j *domain.Job) bool {
			return j.Status.Final() || j.Status == domain.JobQueued && j.HasEvent(dispatch.EventLimitHold)
		})
	}
	// A reminder due now: the appointment starts in a little over 24 h; the scan sends it.
	reminder := func(i int, ext string) *domain.Job {
		t.Helper()
		now := time.Now()
		svc := &booking.Service{Store: st, Tasks: noQueue{}, Log: s.Env.Log, Now: func() time.Time { return now }}
		apt, _, _, err := svc.Create(ctx, ten, booking.NewAppointment{ExternalID: ext, ClientName: "Cliente " + ext,
			ClientPhone: phone(i), Service: "Manicure", StartsAt: now.Add(24*time.Hour + 2*time.Second)})
		if err != nil {
			t.Fatal(err)
		}
		id := domain.JobID(apt.ID, domain.JobReminder, 1)
		time.Sleep(time.Until(now.Add(2*time.Second + 100*time.Millisecond)))
		if res := scanResult(t, s); res.Enqueued < 1 {
			t.Fatalf("scan: %+v", res)
		}
		return waitJob(t, s, ten.ID, id, 15*time.Second, func(j *domain.Job) bool {
			return j.Status.Final() || j.Status == domain.JobQueued && j.HasEvent(dispatch.EventLimitHold)
		})
	}

	// Three clients reached with booking notices.
	var first *domain.Job
	for i := 1; i <= 3; i++ {
		j := notice(i)
		if j.Status != domain.JobSent {
			t.Fatalf("notice %d: %s (%s)", i, j.Status, j.Reason)
		}
		if first == nil {
			first = j
		}
	}

	// 3 of 4 is 90 % and more: a reminder to a new client waits, with the reason.
	held := reminder(4, "limite-r4")
	if held.Status != domain.JobQueued || held.AttemptCount() != 0 {
		t.Fatalf("reminder to a new client: %s, %d attempts (%s)", held.Status, held.AttemptCount(), held.Reason)
	}
	ev := held.Timeline[len(held.Timeline)-1]
	if ev.Event != dispatch.EventLimitHold || !strings.HasPrefix(ev.Detail, "Lembrete aguardando: 3 de 4 clientes nas últimas 24 h") {
		t.Fatalf("timeline %+v", ev)
	}
	if wait := time.Until(held.NextRetryAt); wait < 23*time.Hour || wait > 24*time.Hour {
		t.Errorf("held until %v (in %v), want when the first client leaves the 24 h window", held.NextRetryAt, wait)
	}

	// An answer inside the window is never held.
	in, status, err := s.Meta.TapButton(ctx, first.ProviderMessageID, "Confirmar", "Confirmar")
	if err != nil || status != http.StatusOK {
		t.Fatalf("tap: %d %v", status, err)
	}
	if a := waitJob(t, s, ten.ID, events.ReplyJobID(in), 15*time.Second, final); a.Status != domain.JobSent {
		t.Fatalf("answer: %s (%s)", a.Status, a.Reason)
	}
	// A client already reached does not count again: their reminder goes.
	if j := reminder(1, "limite-r1"); j.Status != domain.JobSent {
		t.Fatalf("reminder to a client already reached: %s (%s)", j.Status, j.Reason)
	}
	// A booking notice waits only at the limit itself: the fourth new client's goes,
	// the fifth's waits.
	if j := notice(5); j.Status != domain.JobSent {
		t.Fatalf("fourth client's notice: %s (%s)", j.Status, j.Reason)
	}
	j := notice(6)
	if j.Status != domain.JobQueued || !strings.HasPrefix(j.Timeline[len(j.Timeline)-1].Detail, "Aviso aguardando: o limite da Meta de 4 clientes") {
		t.Fatalf("fifth client's notice: %s, timeline %+v", j.Status, j.Timeline)
	}

	// Meta's side: 4 clients reached, nothing refused with 131048.
	if reached, refused := s.Meta.MessagingLimitUsage(ten.WhatsApp.WABAID); reached != 4 || refused != 0 {
		t.Errorf("stand-in: %d clients reached, %d refused; want 4 and 0", reached, refused)
	}
	for _, q := range s.Meta.Requests() {
		if strings.Contains(string(q.Response), "131048") {
			t.Errorf("the stand-in answered 131048: %s", q.Response)
		}
	}

	owner, _, _, _ := opsTokens(t, s, ten.ID, ten.ID)
	c := connection(t, s, owner)
	ml, _ := c["messaging_limit"].(map[string]any)
	if ml["limit"] != float64(4) || ml["used"] != float64(4) || ml["counted"] != true || ml["reminder_threshold"] != float64(3) ||
		ml["label"] != "Limite da Meta: 4 de 4 clientes nas últimas 24 h" {
		t.Fatalf("GET /v1/staff/whatsapp messaging_limit: %v", ml)
	}
}
