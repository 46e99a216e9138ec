package devstack_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2"
	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/scripts/internal/standin/metastandin"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/meta"
	"github.com/lembra-app/lembra/shared/ptbr"
	"github.com/lembra-app/lembra/shared/store"
)

// unroutedDelivery is a signed-size delivery of one text message, padded to about size
// bytes, for a phone number id no tenant owns.
func unroutedDelivery(t *testing.T, phoneNumberID string, size int) []byte {
	t.Helper()
	body, err := json.Marshal(map[string]any{
		"object": "whatsapp_business_account",
		"entry": []any{map[string]any{"id": "102290129340398", "changes": []any{map[string]any{
			"field": "messages",
			"value": map[string]any{
				"messaging_product": "whatsapp",
				"metadata":          map[string]any{"display_phone_number": "15550783881", "phone_number_id": phoneNumberID},
				"contacts":          []any{map[string]any{"profile": map[string]any{"name": "Maria"}, "wa_id": "5511987654321"}},
				"messages": []any{map[string]any{
					"from": "5511987654321", "id": "wamid.bounds-" + phoneNumberID, "timestamp": "1764412800", "type": "text",
					"text": map[string]any{"body": strings.Repeat("olá ", size/5)},
				}},
			},
		}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// Two deliveries too large for a Firestore document (1 MiB): one for a number no tenant
// owns, one that is not JSON. Each is counted once, with a bounded excerpt, its size and
// hash, and acknowledged: no redelivery, nothing on the dead-letter topic, and the stack
// goes on applying deliveries and answering the booking API.
func TestOversizedDeliveriesAreCountedOnceAndAcknowledged(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	_, key := demo(t, s, nil)
	ctx := context.Background()
	fs, err := s.Env.Firestore(ctx)
	if err != nil {
		t.Fatal(err)
	}

	const unknown = "999999999999991"
	big := unroutedDelivery(t, unknown, 1_500_000)
	garbage := []byte(`{"object":"whatsapp_business_account","entry":[{"id":"` + strings.Repeat("x", 1_200_000))
	if len(big) < 1_500_000 || len(garbage) < 1_200_000 {
		t.Fatalf("bodies of %d and %d bytes", len(big), len(garbage))
	}
	for _, b := range [][]byte{big, garbage} {
		if status, err := s.Meta.Post(ctx, b); err != nil || status != 200 {
			t.Fatalf("signed post of %d bytes: %d %v", len(b), status, err)
		}
	}

	unrouted := fs.Collection("webhook_unrouted").Doc("phone_number_id-" + unknown)
	deadLetter := func() map[string]any {
		docs, err := fs.Collection("webhook_dead_letters").Documents(ctx).GetAll()
		if err != nil || len(docs) != 1 {
			return nil
		}
		return docs[0].Data()
	}
	eventually(t, 20*time.Second, "both deliveries kept", func() bool {
		snap, err := unrouted.Get(ctx)
		return err == nil && snap.Data()["count"] == int64(1) && deadLetter() != nil
	})

	// The change (not the whole delivery) is what the unrouted sample describes.
	var env struct {
		Entry []struct {
			Changes []struct {
				Value json.RawMessage `json:"value"`
			} `json:"changes"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(big, &env); err != nil {
		t.Fatal(err)
	}
	change := env.Entry[0].Changes[0].Value
	snap, _ := unrouted.Get(ctx)
	u := snap.Data()
	checkSummary(t, "unrouted", u["last_value"], u["last_size"], u["last_sha256"], u["last_truncated"], change)

	d := deadLetter()
	checkSummary(t, "dead letter", d["body"], d["body_size"], d["body_sha256"], d["body_truncated"], garbage)
	if !strings.HasSuffix(d["id"].(string), "-delivery") || !strings.HasPrefix(d["reason"].(string), "JSON inválido") || len(d["reason"].(string)) > 1024 {
		t.Errorf("dead letter id %q reason %q", d["id"], d["reason"])
	}

	// Acknowledged: a redelivery (the emulator retries after 100 ms) would count again.
	time.Sleep(3 * time.Second)
	if snap, _ := unrouted.Get(ctx); snap.Data()["count"] != int64(1) {
		t.Errorf("unrouted counted %v times", snap.Data()["count"])
	}
	if d := deadLetter(); d == nil || d["count"] != int64(1) {
		t.Errorf("dead letter %v", d)
	}
	if n := published(t, deadLetterSubscriber(t, s), 2*time.Second); n != 0 {
		t.Errorf("%d messages on the dead-letter topic", n)
	}

	// Still answering: a normal delivery is applied, the booking API works.
	if status, err := s.Meta.Post(ctx, unroutedDelivery(t, unknown, 100)); err != nil || status != 200 {
		t.Fatalf("small delivery: %d %v", status, err)
	}
	eventually(t, 10*time.Second, "the next delivery applied", func() bool {
		snap, err := unrouted.Get(ctx)
		return err == nil && snap.Data()["count"] == int64(2)
	})
	if r := call(t, s, key, "POST", "/v1/appointments", appointmentBody("bounds-1", time.Now().Add(50*time.Hour))); r.Status != 201 {
		t.Errorf("create after the large deliveries: %d %s", r.Status, r.Raw)
	}
}

func checkSummary(t *testing.T, what string, excerpt, size, sum, truncated any, body []byte) {
	t.Helper()
	want := sha256.Sum256(body)
	ex, _ := excerpt.(string)
	if size != int64(len(body)) || sum != hex.EncodeToString(want[:]) || truncated != true {
		t.Errorf("%s: size %v sha256 %v truncated %v; want %d %x", what, size, sum, truncated, len(body), want)
	}
	if len(ex) > store.MaxBodyExcerpt || len(ex) < store.MaxBodyExcerpt-4 || !strings.HasPrefix(string(body), ex) {
		t.Errorf("%s: excerpt of %d bytes is not the body's first %d", what, len(ex), store.MaxBodyExcerpt)
	}
}

// deadLetterSubscriber reads the local dead-letter topic's subscription.
func deadLetterSubscriber(t *testing.T, s *devstack.Stack) *pubsub.Subscriber {
	t.Helper()
	ps, err := s.Env.PubSub(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return ps.Subscriber("projects/" + s.Config.Project + "/subscriptions/" + s.DeadLetterSubscription)
}

// The local push subscription mirrors Terraform's: a dead-letter topic that has a
// subscription, and a bounded number of delivery attempts.
func TestLocalEventsSubscriptionHasDeadLetters(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ctx := context.Background()
	ps, err := s.Env.PubSub(ctx)
	if err != nil {
		t.Fatal(err)
	}
	project := "projects/" + s.Config.Project
	sub, err := ps.SubscriptionAdminClient.GetSubscription(ctx, &pubsubpb.GetSubscriptionRequest{Subscription: project + "/subscriptions/" + s.EventsSubscription})
	if err != nil {
		t.Fatal(err)
	}
	dl := sub.GetDeadLetterPolicy()
	if sub.GetTopic() != project+"/topics/"+s.Config.WebhookTopic || !strings.HasSuffix(sub.GetPushConfig().GetPushEndpoint(), "/events") ||
		dl.GetDeadLetterTopic() != project+"/topics/"+s.DeadLetterTopic || dl.GetMaxDeliveryAttempts() != devstack.EventsMaxDeliveryAttempts {
		t.Errorf("events subscription: topic %s push %s dead letters %v", sub.GetTopic(), sub.GetPushConfig().GetPushEndpoint(), dl)
	}
	dls, err := ps.SubscriptionAdminClient.GetSubscription(ctx, &pubsubpb.GetSubscriptionRequest{Subscription: project + "/subscriptions/" + s.DeadLetterSubscription})
	if err != nil || dls.GetTopic() != dl.GetDeadLetterTopic() {
		t.Errorf("dead-letter subscription: %v %v", dls, err)
	}
}

// A Meta error the catalogue does not know: the reason staff read is the generic
// Portuguese sentence with the code; Meta's English title and details are kept apart on
// the job for the operator, each bounded, and so is the attempt's error line.
func TestUnknownMetaErrorKeepsEnglishApartAndBounded(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, key := demo(t, s, nil)
	title := "(#987654) Some brand new English title " + strings.Repeat("T", 3000)
	details := "Details in English " + strings.Repeat("D", 5000)
	s.Meta.FailNext(metastandin.Fault{HTTPStatus: 400, Code: 987654, Message: title, Details: details})
	r := call(t, s, key, "POST", "/v1/appointments", appointmentBody("meta-unknown-1", time.Now().Add(50*time.Hour)))
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	job := waitJob(t, s, ten.ID, domain.JobID(appointmentID(t, r), domain.JobCreated, 0), 15*time.Second, final)
	if job.Status != domain.JobFailed || job.ErrorCode != 987654 || job.ReasonCode != domain.ReasonMetaError {
		t.Fatalf("status %s code %d reason %s %q", job.Status, job.ErrorCode, job.ReasonCode, job.Reason)
	}
	if job.Reason != ptbr.MetaError(987654) || !strings.Contains(job.Reason, "987654") || strings.Contains(job.Reason, "English") {
		t.Errorf("reason %q", job.Reason)
	}
	if !strings.HasPrefix(job.ErrorTitle, "(#987654) Some brand new English title") || len(job.ErrorTitle) > meta.MaxErrorText ||
		!strings.HasPrefix(job.ErrorDetails, "Details in English") || len(job.ErrorDetails) > meta.MaxErrorText {
		t.Errorf("error title %d bytes %.60q, details %d bytes %.60q", len(job.ErrorTitle), job.ErrorTitle, len(job.ErrorDetails), job.ErrorDetails)
	}
	if len(job.Attempts) != 1 || len(job.Attempts[0].Error) > meta.MaxErrorText || !strings.Contains(job.Attempts[0].Error, "987654") {
		t.Errorf("attempts %d, error of %d bytes", len(job.Attempts), len(job.Attempts[0].Error))
	}
	for _, e := range job.Timeline {
		if strings.Contains(e.Detail, "English") {
			t.Errorf("timeline shows Meta's English: %q", e.Detail)
		}
	}
}
