package devstack_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"testing"
	"time"

	"github.com/lembra-app/lembra/functions/api"
	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/logging"
	"github.com/lembra-app/lembra/shared/store"
)

// The Mensagens panel's reads with 20,000 jobs for one tenant: every page costs at most
// panelPage+1 job reads and one batch read of the appointments of its old jobs (those
// without the client copied onto them), whatever the number of jobs stored.

const (
	panelJobs         = 20000
	panelAppointments = 2000
	panelPage         = 50
	// panelOldEvery: one job in panelOldEvery is an old one, written before the client's
	// name and phone were copied onto jobs, whose card reads its appointment.
	panelOldEvery = 10
	// panelPageReads bounds one page's document reads: the page and the one job past it
	// (which only tells that a next page exists), plus the appointments of the page's old
	// jobs (current jobs carry the client's name and phone: no appointment read).
	// A filtered list (one type) may bunch old jobs: twice their share bounds it.
	panelPageReads = panelPage + 1 + 2*panelPage/panelOldEvery
)

// seedPanel stores panelJobs jobs over panelAppointments appointments of the demo tenant
// with a BulkWriter, in every type (and one no version knows), every status, and a few
// documents that do not decode; job k belongs to appointment k mod panelAppointments, so
// a page of consecutive jobs names as many distinct appointments as it holds jobs (the
// worst case for the old jobs' appointment reads). It returns a store whose document reads
// are counted at the gRPC level.
func seedPanel(tb testing.TB) (*domain.Tenant, *store.Store, *readCounter) {
	tb.Helper()
	s := devstack.ForTest(tb, devstack.Options{Log: logging.New(io.Discard, slog.LevelInfo)})
	ctx := context.Background()
	ten, _, err := s.AddTenant(ctx, devstack.DemoTenant())
	if err != nil {
		tb.Fatal(err)
	}
	fs, _ := s.Env.Firestore(ctx)
	base := time.Now().UTC().Truncate(time.Second)
	jobs := fs.Collection("tenants").Doc(ten.ID).Collection("jobs")
	bw := fs.BulkWriter(ctx)
	for i := range panelAppointments {
		a := domain.Appointment{TenantID: ten.ID, ExternalID: fmt.Sprint("bench-", i), ClientName: fmt.Sprintf("Cliente %04d", i),
			ClientPhone: fmt.Sprintf("+55119%08d", i), Service: "Corte", StartsAt: base.Add(48 * time.Hour), Status: domain.AppointmentScheduled,
			ScheduleVersion: 1, CreatedAt: base, UpdatedAt: base}
		if _, err := bw.Create(fs.Collection("tenants").Doc(ten.ID).Collection("appointments").Doc(panelAptID(i)), a); err != nil {
			tb.Fatal(err)
		}
	}
	types := []domain.JobType{domain.JobCreated, domain.JobReminder, domain.JobCanceled, domain.JobReply, "promo_antiga"}
	queue, history := store.PanelQueue.Statuses(), store.PanelHistory.Statuses()
	for k := range panelJobs {
		st := queue[(k/2)%len(queue)]
		if k%2 == 1 {
			st = history[(k/2)%len(history)]
		}
		j := domain.Job{TenantID: ten.ID, AppointmentID: panelAptID(k % panelAppointments), Type: types[(k/7)%len(types)], Status: st,
			ScheduledFor: base.Add(time.Duration(k) * time.Second), UpdatedAt: base.Add(-time.Duration(k) * time.Second),
			TemplateName: "aviso_de_agendamento", TemplateLanguage: "pt_BR", CreatedAt: base}
		if (k/2)%panelOldEvery != 0 { // one in ten of the queue's and of the history's

			i := k % panelAppointments
			j.ClientName, j.ClientPhone = fmt.Sprintf("Cliente %04d", i), fmt.Sprintf("+55119%08d", i)
		}
		j.Settled = j.Status.Final() // as the store writes it (store.jobDoc)
		if _, err := bw.Create(jobs.Doc(fmt.Sprintf("bench-%05d", k)), j); err != nil {
			tb.Fatal(err)
		}
	}
	// Old, broken documents: no appointment, attempts not a list; their settled flag is
	// the one scripts/tenant -backfill-settled gives them (store.BackfillSettled, tested
	// in shared/store and scripts/tenant).
	for k := range 5 {
		if _, err := bw.Create(jobs.Doc(fmt.Sprintf("broken-%d", k)), map[string]any{"status": "sent", "attempts": "x", "settled": true,
			"updated_at": base.Add(time.Duration(k) * time.Second), "scheduled_for": base}); err != nil {
			tb.Fatal(err)
		}
	}
	bw.End()

	counted, counter := countedStore(tb, s)
	return ten, counted, counter
}

func panelAptID(i int) string { return fmt.Sprintf("apt_%024x", i) }

// panelWalk reads up to pages pages of one list, returning each page's document reads
// and time; it fails on a repeated job or a list out of order.
func panelWalk(tb testing.TB, ten *domain.Tenant, st *store.Store, counter *readCounter, q url.Values, pages int) (reads []int64, took []time.Duration, cards int) {
	tb.Helper()
	seen := map[string]bool{}
	var last time.Time
	base := time.Now()
	for p := 0; p < pages; p++ {
		before, start := counter.n.Load(), time.Now()
		page, err := api.MessagesPage(context.Background(), st, ten, q)
		if err != nil {
			tb.Fatalf("page %d of %v: %v", p+1, q, err)
		}
		took = append(took, time.Since(start))
		reads = append(reads, counter.n.Load()-before)
		for _, c := range page.Messages {
			if seen[c.JobID] {
				tb.Fatalf("page %d of %v repeats %s", p+1, q, c.JobID)
			}
			seen[c.JobID] = true
			at := c.ScheduledFor // the queue: soonest first
			if q.Get("view") == "history" {
				at = c.UpdatedAt.Add(-2 * c.UpdatedAt.Sub(base)) // the history: newest first, so its mirror grows
			}
			if !last.IsZero() && at.Before(last) {
				tb.Fatalf("page %d of %v out of order at %s", p+1, q, c.JobID)
			}
			last = at
		}
		cards += len(page.Messages)
		if page.NextCursor == "" {
			break
		}
		q = cloneValues(q)
		q.Set("cursor", page.NextCursor)
	}
	return reads, took, cards
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// TestPanelPageReadsBounded: with 20,000 jobs stored, the first page and each next page
// of every list shape (queue, history, a type, a status, a date range) hold 50 cards and
// cost at most panelPageReads document reads; the client search costs a bound set by
// its appointments, not by the jobs stored.
func TestPanelPageReadsBounded(t *testing.T) {
	t.Parallel()
	ten, st, counter := seedPanel(t)
	for _, q := range []url.Values{
		{"view": {"queue"}},
		{"view": {"history"}},
		{"view": {"queue"}, "type": {"appointment_reminder"}},
		{"view": {"history"}, "status": {"failed"}, "type": {"appointment_created"}},
		{"view": {"history"}, "from": {time.Now().In(ten.Location()).AddDate(0, 0, -1).Format("2006-01-02")}},
	} {
		reads, took, cards := panelWalk(t, ten, st, counter, q, 3)
		if cards != 3*panelPage {
			t.Errorf("%v: %d cards in 3 pages, want %d", q, cards, 3*panelPage)
		}
		for i, r := range reads {
			if r > panelPageReads {
				t.Errorf("%v: page %d read %d documents, want at most %d", q, i+1, r, panelPageReads)
			}
		}
		t.Logf("%v: reads per page %v, time per page %v", q, reads, took)
	}
	// Malformed jobs are listed, not an error: the broken documents are the history's newest.
	page, err := api.MessagesPage(context.Background(), st, ten, url.Values{"view": {"history"}})
	if err != nil || !page.Messages[0].Malformed || page.Messages[0].TypeLabel != "tipo desconhecido" || page.Messages[0].ClientName != "sem agendamento" {
		t.Fatalf("first history card %+v, %v", page.Messages[0], err)
	}
	// The search: at most 30 appointments (here one, by phone) and their jobs.
	before := counter.n.Load()
	page, err = api.MessagesPage(context.Background(), st, ten, url.Values{"view": {"history"}, "q": {"(11) 90000-0007"}})
	reads := counter.n.Load() - before
	if err != nil || len(page.Messages) != panelJobs/panelAppointments || page.Messages[0].ClientName != "Cliente 0007" || page.NextCursor != "" {
		t.Fatalf("search by phone: %d cards, %+v, %v", len(page.Messages), page, err)
	}
	if want := int64(1 + panelJobs/panelAppointments + 1); reads > want {
		t.Errorf("search by phone read %d documents, want at most %d (the appointment, its jobs, the batch read)", reads, want)
	}
}

// BenchmarkPanelPages measures the first page and the next four of the queue and of
// the history with 20,000 jobs stored: ms and document reads per page.
//
//	go run ./scripts/emulators -- go test -run XXX -bench PanelPages ./scripts/internal/devstack/
func BenchmarkPanelPages(b *testing.B) {
	ten, st, counter := seedPanel(b)
	for _, view := range []string{"queue", "history"} {
		b.Run(view, func(b *testing.B) {
			var pages, reads int64
			for b.Loop() {
				r, _, _ := panelWalk(b, ten, st, counter, url.Values{"view": {view}}, 5)
				for _, n := range r {
					reads += n
				}
				pages += int64(len(r))
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(pages), "ms/page")
			b.ReportMetric(float64(reads)/float64(pages), "reads/page")
			b.ReportMetric(0, "ns/op")
		})
	}
}
