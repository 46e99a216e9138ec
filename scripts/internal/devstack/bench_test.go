package devstack_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	eventsfn "github.com/lembra-app/lembra/functions/events"
	webhookfn "github.com/lembra-app/lembra/functions/webhook"
	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/logging"
	"github.com/lembra-app/lembra/shared/meta"
)

// BenchmarkWebhookDelivery measures the webhook's own work per delivery: reading the
// body, checking its signature, and publishing it to the Pub/Sub emulator and waiting
// for the acknowledgement.
func BenchmarkWebhookDelivery(b *testing.B) {
	s := devstack.ForTest(b, devstack.Options{Log: logging.New(io.Discard, slog.LevelInfo)})
	ten, _, err := s.AddTenant(context.Background(), devstack.DemoTenant())
	if err != nil {
		b.Fatal(err)
	}
	h, err := webhookfn.Handler(s.Env)
	if err != nil {
		b.Fatal(err)
	}
	body, _ := statusBody(ten, "wamid.bench", "delivered", time.Now())
	sig := meta.Sign(body, []byte(devstack.AppSecret))
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/webhook", strings.NewReader(string(body)))
		req.Header.Set("X-Hub-Signature-256", sig)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

// BenchmarkEventsStatus measures events' processing of one status webhook that moves
// a job forward (lookup by wamid, transaction, timeline entry) on the Firestore emulator.
func BenchmarkEventsStatus(b *testing.B) {
	s := devstack.ForTest(b, devstack.Options{Log: logging.New(io.Discard, slog.LevelInfo)})
	ctx := context.Background()
	ten, _, err := s.AddTenant(ctx, devstack.DemoTenant())
	if err != nil {
		b.Fatal(err)
	}
	svc, err := eventsfn.Service(s.Env)
	if err != nil {
		b.Fatal(err)
	}
	fs, _ := s.Env.Firestore(ctx)
	const pool = 300
	bw := fs.BulkWriter(ctx)
	now := time.Now().UTC()
	for i := range pool {
		j := domain.Job{TenantID: ten.ID, Type: domain.JobCreated, Status: domain.JobSent, ProviderMessageID: fmt.Sprintf("wamid.b%d", i), CreatedAt: now}
		bw.Set(fs.Collection("tenants").Doc(ten.ID).Collection("jobs").Doc(fmt.Sprintf("bench-%d", i)), j)
	}
	bw.End()
	statuses := []string{"delivered", "read"}
	i := 0
	b.ResetTimer()
	for b.Loop() {
		// Each iteration is a new status for some job while they last, then duplicates.
		n := i % (pool * len(statuses))
		body, _ := statusBody(ten, fmt.Sprintf("wamid.b%d", n%pool), statuses[n/pool], now.Add(time.Duration(i)*time.Millisecond))
		if err := svc.HandleDelivery(ctx, body, fmt.Sprint(i)); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
