package devstack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"testing"
	"time"

	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"
	"cloud.google.com/go/firestore"
	"google.golang.org/api/iterator"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/scripts/internal/standin/metastandin"
	"github.com/lembra-app/lembra/shared/booking"
	"github.com/lembra-app/lembra/shared/config"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/events"
	"github.com/lembra-app/lembra/shared/store"
)

func TestMain(m *testing.M) { os.Exit(devstack.RunTests(m)) }

// fast is a stack whose delays are short enough for tests: a retry after 200 ms, a
// Meta timeout of 1 s, and a 3 s wait for a status webhook after a lost answer.
func fast(t *testing.T, configure func(*config.Config)) *devstack.Stack {
	t.Helper()
	return devstack.ForTest(t, devstack.Options{
		Configure: func(c *config.Config) {
			c.RetryBaseDelay = 200 * time.Millisecond
			c.MetaTimeout = time.Second
			c.UnknownOutcomeWait = 3 * time.Second
			if configure != nil {
				configure(c)
			}
		},
		QueueRetry: &cloudtaskspb.RetryConfig{
			MaxAttempts: 5, MinBackoff: durationpb.New(100 * time.Millisecond),
			MaxBackoff: durationpb.New(time.Second), MaxDoublings: 3,
		},
	})
}

// demo adds the demo tenant (optionally changed) and returns it with its API key.
func demo(t *testing.T, s *devstack.Stack, change func(*devstack.Tenant)) (*domain.Tenant, string) {
	t.Helper()
	spec := devstack.DemoTenant()
	if change != nil {
		change(&spec)
	}
	ten, key, err := s.AddTenant(context.Background(), spec)
	if err != nil {
		t.Fatalf("add tenant: %v", err)
	}
	return ten, key
}

// demoStudio adds the demo studio under another id, with its own WABA and number
// (studios on one emulator project must not share them) and no API key; name "" keeps
// the demo's name.
func demoStudio(t *testing.T, s *devstack.Stack, id, name, wabaID, phoneNumberID string) (*domain.Tenant, string) {
	t.Helper()
	return demo(t, s, func(tn *devstack.Tenant) {
		tn.ID, tn.APIKey = id, ""
		if name != "" {
			tn.Name = name
		}
		tn.WhatsApp.WABAID, tn.WhatsApp.PhoneNumberID = wabaID, phoneNumberID
	})
}

type reply struct {
	Status int
	Body   map[string]any
	Raw    string
}

func call(t testing.TB, s *devstack.Stack, key, method, path string, body any) reply {
	t.Helper()
	var rdr io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rdr = bytes.NewBufferString(b)
	case []byte:
		rdr = bytes.NewReader(b)
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rdr = bytes.NewReader(enc)
	}
	req, err := http.NewRequest(method, s.URL+"/api"+path, rdr)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if rdr != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := reply{Status: resp.StatusCode, Raw: string(raw)}
	_ = json.Unmarshal(raw, &r.Body)
	return r
}

func appointmentBody(externalID string, startsAt time.Time) map[string]any {
	return map[string]any{
		"external_id":  externalID,
		"client_name":  "Maria Souza",
		"client_phone": "+5511987654321",
		"service":      "Design de sobrancelhas",
		"starts_at":    startsAt.Format(time.RFC3339),
	}
}

func appointmentID(t *testing.T, r reply) string {
	t.Helper()
	apt, _ := r.Body["appointment"].(map[string]any)
	id, _ := apt["id"].(string)
	if id == "" {
		t.Fatalf("no appointment id in %d %s", r.Status, r.Raw)
	}
	return id
}

// waitJob polls a job until cond holds or the time runs out.
func waitJob(t *testing.T, s *devstack.Stack, tenantID, jobID string, within time.Duration, cond func(*domain.Job) bool) *domain.Job {
	t.Helper()
	st, err := s.Env.Store(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(within)
	var last *domain.Job
	for time.Now().Before(deadline) {
		j, err := st.GetJob(context.Background(), tenantID, jobID)
		if err == nil {
			last = j
			if cond(j) {
				return j
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("job %s did not reach the expected state within %v; last seen: %+v", jobID, within, last)
	return nil
}

func getJob(t *testing.T, s *devstack.Stack, tenantID, jobID string) *domain.Job {
	t.Helper()
	st, err := s.Env.Store(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	j, err := st.GetJob(context.Background(), tenantID, jobID)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func final(j *domain.Job) bool { return j.Status.Final() }

// dump reads every document of the stack's project, for before/after comparisons.
func dump(t *testing.T, s *devstack.Stack) map[string]map[string]any {
	t.Helper()
	ctx := context.Background()
	fs, err := s.Env.Firestore(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]any{}
	var walk func(it *firestore.CollectionIterator)
	walk = func(it *firestore.CollectionIterator) {
		for {
			col, err := it.Next()
			if err == iterator.Done {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			refs, err := col.DocumentRefs(ctx).GetAll()
			if err != nil {
				t.Fatal(err)
			}
			for _, ref := range refs {
				snap, err := ref.Get(ctx)
				if err == nil {
					out[ref.Path] = snap.Data()
				}
				walk(ref.Collections(ctx))
			}
		}
	}
	walk(fs.Collections(ctx))
	return out
}

func metastandinHang() metastandin.Fault { return metastandin.Fault{AcceptThenHang: true} }

func eventsReplyID(inboundID string) string { return events.ReplyJobID(inboundID) }

func mustStore(t testing.TB, s *devstack.Stack) *store.Store {
	t.Helper()
	st, err := s.Env.Store(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func bookingWithoutQueue(t testing.TB, s *devstack.Stack) *booking.Service {
	t.Helper()
	st := mustStore(t, s)
	return &booking.Service{Store: st, Tasks: noQueue{}, Log: s.Env.Log, Now: time.Now}
}

// acceptedTemplate is the sends of the template the Meta stand-in accepted, in order.
func acceptedTemplate(s *devstack.Stack, name string) []metastandin.Request {
	var out []metastandin.Request
	for _, r := range s.Meta.Accepted() {
		if r.TemplateName == name {
			out = append(out, r)
		}
	}
	return out
}
