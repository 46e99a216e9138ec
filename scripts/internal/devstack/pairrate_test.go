package devstack_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/scripts/internal/standin/metastandin"
	"github.com/lembra-app/lembra/shared/config"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/events"
	"github.com/lembra-app/lembra/shared/meta"
	"github.com/lembra-app/lembra/shared/ptbr"
)

// TestQuickTapsAreSpacedAndThrottlingIsRetried runs against a Meta stand-in as strict
// as Meta about the pair rate (131056 for a second message to the same client within
// 6 s): a booking notice throttled once with 130429 is retried and sent, and three
// buttons the client taps within a second are answered three times, spaced so that
// Meta never refuses one.
func TestQuickTapsAreSpacedAndThrottlingIsRetried(t *testing.T) {
	t.Parallel()
	s := devstack.ForTest(t, devstack.Options{
		MetaPairRate: metastandin.PairRateWindow,
		Configure: func(c *config.Config) { // fast's, with the product's pair gap (7 s)
			c.RetryBaseDelay = 200 * time.Millisecond
			c.MetaTimeout = time.Second
			c.UnknownOutcomeWait = 3 * time.Second
		},
		QueueRetry: &cloudtaskspb.RetryConfig{
			MaxAttempts: 5, MinBackoff: durationpb.New(100 * time.Millisecond),
			MaxBackoff: durationpb.New(time.Second), MaxDoublings: 3,
		},
	})
	if s.Config.PairGap < metastandin.PairRateWindow {
		t.Fatalf("pair gap %v is below Meta's %v", s.Config.PairGap, metastandin.PairRateWindow)
	}
	ten, key := demo(t, s, nil)
	ctx := context.Background()

	// The notice: Meta's throughput limit once, then sent.
	s.Meta.FailNext(metastandin.Fault{Code: 130429})
	r := call(t, s, key, "POST", "/v1/appointments", appointmentBody("pair-1", time.Now().Add(72*time.Hour)))
	aptID := appointmentID(t, r)
	notice := waitJob(t, s, ten.ID, domain.JobID(aptID, domain.JobCreated, 0), 15*time.Second, final)
	if notice.Status != domain.JobSent || len(notice.Attempts) != 2 {
		t.Fatalf("notice %s (%s), attempts %+v", notice.Status, notice.Reason, notice.Attempts)
	}
	if a := notice.Attempts[0]; a.Outcome != "retry" || a.ErrorCode != 130429 || a.HTTPStatus != http.StatusBadRequest {
		t.Errorf("first attempt %+v", a)
	}
	if gap := notice.Attempts[1].At.Sub(notice.Attempts[0].At); gap < time.Second {
		t.Errorf("retried %v after the 130429, want ≥ 1 s", gap)
	}
	note := ""
	for _, e := range notice.Timeline {
		if e.Event == "retry_scheduled" {
			note = e.Detail
		}
	}
	// The retry waits ThroughputBackoff (1 s) from the failed attempt, in the tenant's zone.
	a0 := notice.Attempts[0].At
	if want := ptbr.RetryNote(130429, ptbr.MetaError(130429), a0, a0.Add(meta.ThroughputBackoff), ten.Location()); note != want ||
		!strings.HasPrefix(note, "Limite da Meta de mensagens por segundo deste número: nova tentativa às ") {
		t.Errorf("timeline note %q, want %q", note, want)
	}

	// Three taps within a second.
	start := time.Now()
	var replies []string
	for _, b := range []string{"Confirmar", "Reagendar", "Falar com a Jana"} {
		in, status, err := s.Meta.TapButton(ctx, notice.ProviderMessageID, b, b)
		if err != nil || status != http.StatusOK {
			t.Fatalf("tap %s: %d %v", b, status, err)
		}
		replies = append(replies, events.ReplyJobID(in))
	}
	if d := time.Since(start); d > time.Second {
		t.Logf("the three taps took %v", d)
	}
	var wamids []string
	for _, id := range replies {
		j := waitJob(t, s, ten.ID, id, 30*time.Second, final)
		if j.Status != domain.JobSent || len(j.Attempts) != 1 {
			t.Fatalf("reply %s: %s (%s), attempts %+v", id, j.Status, j.Reason, j.Attempts)
		}
		wamids = append(wamids, j.ProviderMessageID)
	}

	var answered []time.Time
	for _, q := range s.Meta.Requests() {
		if strings.Contains(string(q.Response), "131056") {
			t.Errorf("the stand-in answered 131056: %s", q.Response)
		}
		if slices.Contains(wamids, q.WAMID) {
			answered = append(answered, q.At)
		}
	}
	if len(answered) != 3 {
		t.Fatalf("%d answers accepted at the stand-in, want 3", len(answered))
	}
	slices.SortFunc(answered, func(a, b time.Time) int { return a.Compare(b) })
	for i := 1; i < len(answered); i++ {
		if gap := answered[i].Sub(answered[i-1]); gap < metastandin.PairRateWindow {
			t.Errorf("answers %d and %d reached Meta %v apart, want ≥ %v", i-1, i, gap, metastandin.PairRateWindow)
		}
	}
	t.Logf("answers reached the stand-in %v, %v apart; the last %v after the first tap",
		answered[1].Sub(answered[0]), answered[2].Sub(answered[1]), answered[2].Sub(start))
}
