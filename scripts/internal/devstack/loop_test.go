package devstack_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/events"
	"github.com/lembra-app/lembra/shared/meta"
)

func TestConfirmTapDeliveredThreeTimes(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, key := demo(t, s, nil)
	ctx := context.Background()
	st, _ := s.Env.Store(ctx)
	r := call(t, s, key, "POST", "/v1/appointments", appointmentBody("tap-1", time.Now().Add(72*time.Hour)))
	aptID := appointmentID(t, r)
	notice := waitJob(t, s, ten.ID, domain.JobID(aptID, domain.JobCreated, 0), 10*time.Second, final)
	if notice.Status != domain.JobSent {
		t.Fatalf("notice %s", notice.Status)
	}

	inboundID, status, err := s.Meta.TapButton(ctx, notice.ProviderMessageID, "Confirmar", "Confirmar")
	if err != nil || status != 200 {
		t.Fatalf("tap: %d %v", status, err)
	}
	var tapBody []byte
	for _, d := range s.Meta.Webhooks() {
		if d.WAMID == inboundID {
			tapBody = d.Body
		}
	}
	for range 2 { // Meta delivers the same webhook again
		if status, err := s.Meta.Post(ctx, tapBody); err != nil || status != 200 {
			t.Fatalf("repeat: %d %v", status, err)
		}
	}
	reply := waitJob(t, s, ten.ID, events.ReplyJobID(inboundID), 10*time.Second, final)
	if reply.Status != domain.JobSent || reply.DeliveryMode != domain.DeliverySession {
		t.Fatalf("reply %s %s (%s)", reply.Status, reply.DeliveryMode, reply.Reason)
	}
	time.Sleep(time.Second) // room for a wrong second answer to show up
	var texts []meta.Message
	for _, m := range s.Meta.Accepted() {
		if m.Type == "text" {
			texts = append(texts, meta.Message{To: m.To, Text: &meta.Text{Body: m.Text}})
		}
	}
	if len(texts) != 1 {
		t.Fatalf("%d text answers to the tap, want 1", len(texts))
	}
	apt, err := st.GetAppointment(ctx, ten.ID, aptID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(texts[0].Text.Body, s.Config.VoucherBaseURL+"/"+apt.VoucherToken) || texts[0].To != "+5511987654321" {
		t.Errorf("answer %+v does not carry the voucher link", texts[0])
	}
	if apt.Status != domain.AppointmentConfirmed || apt.LastInboundID != inboundID {
		t.Errorf("appointment %s, last inbound %s", apt.Status, apt.LastInboundID)
	}
	conv, err := st.GetConversation(ctx, ten.ID, "5511987654321")
	if err != nil {
		t.Fatal(err)
	}
	tap := conv.LastInboundAt
	if !domain.WindowOpen(tap, tap.Add(23*time.Hour+59*time.Minute)) || domain.WindowOpen(tap, tap.Add(24*time.Hour)) {
		t.Errorf("window from %v: open at +23h59 %v, at +24h %v", tap, domain.WindowOpen(tap, tap.Add(23*time.Hour+59*time.Minute)), domain.WindowOpen(tap, tap.Add(24*time.Hour)))
	}
	if time.Since(tap) > time.Minute {
		t.Errorf("window opened at %v, not at the tap", tap)
	}
}

func TestButtonsOnACanceledAppointmentSaySo(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, key := demo(t, s, nil)
	ctx := context.Background()
	r := call(t, s, key, "POST", "/v1/appointments", appointmentBody("tap-2", time.Now().Add(72*time.Hour)))
	aptID := appointmentID(t, r)
	notice := waitJob(t, s, ten.ID, domain.JobID(aptID, domain.JobCreated, 0), 10*time.Second, final)
	call(t, s, key, "POST", "/v1/appointments/"+aptID+"/cancel", map[string]any{"notify_client": false})
	in, _, err := s.Meta.TapButton(ctx, notice.ProviderMessageID, "Falar com a Jana", "Falar com a Jana")
	if err != nil {
		t.Fatal(err)
	}
	reply := waitJob(t, s, ten.ID, events.ReplyJobID(in), 10*time.Second, final)
	if reply.Status != domain.JobSent || !strings.Contains(reply.Text, "foi cancelado") {
		t.Fatalf("reply %s %q", reply.Status, reply.Text)
	}
}

func TestSessionMessageOutsideTheWindowIsSkipped(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, _ := demo(t, s, nil)
	ctx := context.Background()
	fs, _ := s.Env.Firestore(ctx)
	old := time.Now().Add(-25 * time.Hour).UTC()
	conv := fs.Collection("tenants").Doc(ten.ID).Collection("conversations").Doc("5511911112222")
	if _, err := conv.Set(ctx, domain.Conversation{WAID: "5511911112222", LastInboundAt: old, LastMessageAt: old}); err != nil {
		t.Fatal(err)
	}
	job := domain.Job{TenantID: ten.ID, Type: domain.JobReply, Status: domain.JobPending, ScheduledFor: time.Now().UTC(),
		DeliveryMode: domain.DeliverySession, Text: "Olá", Recipient: "+5511911112222", CreatedAt: time.Now().UTC()}
	if _, err := fs.Collection("tenants").Doc(ten.ID).Collection("jobs").Doc("reply-late").Set(ctx, job); err != nil {
		t.Fatal(err)
	}
	task := enqueueLater(t, s, ten.ID, "reply-late")
	if err := s.Tasks.Redeliver(task, 1); err != nil {
		t.Fatal(err)
	}
	j := waitJob(t, s, ten.ID, "reply-late", 10*time.Second, final)
	if j.Status != domain.JobSkipped || j.ReasonCode != domain.ReasonWindowClosed || len(s.Meta.Requests()) != 0 {
		t.Fatalf("job %s %s; %d requests to Meta", j.Status, j.ReasonCode, len(s.Meta.Requests()))
	}
}

func TestRejectedTemplateIsNotSent(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, key := demo(t, s, nil)
	ctx := context.Background()
	body := strings.NewReplacer(`"abandoned_cart"`, `"aviso_de_agendamento"`, `"language": "en"`, `"language": "pt_BR"`, `"message_template_language": "en"`, `"message_template_language": "pt_BR"`).
		Replace(string(fixtureBytes(t, "template_status_update_rejected.json")))
	if !strings.Contains(body, `"aviso_de_agendamento"`) || !strings.Contains(body, `"pt_BR"`) {
		t.Fatalf("fixture not adapted: %s", body)
	}
	if status, err := s.Meta.Post(ctx, []byte(body)); err != nil || status != 200 {
		t.Fatalf("post: %d %v", status, err)
	}
	st, _ := s.Env.Store(ctx)
	eventually(t, 10*time.Second, "template marked rejected", func() bool {
		tt, err := st.GetTenant(ctx, ten.ID)
		return err == nil && tt.TemplateStatuses[domain.TemplateKey("aviso_de_agendamento", "pt_BR")].Status == "REJECTED"
	})
	r := call(t, s, key, "POST", "/v1/appointments", appointmentBody("rejected-1", time.Now().Add(72*time.Hour)))
	job := waitJob(t, s, ten.ID, domain.JobID(appointmentID(t, r), domain.JobCreated, 0), 10*time.Second, final)
	if job.Status != domain.JobSkipped || job.ReasonCode != domain.ReasonTemplateNotApproved || !strings.Contains(job.Reason, "REJECTED") {
		t.Fatalf("job %s %s %q", job.Status, job.ReasonCode, job.Reason)
	}
	if n := len(s.Meta.Requests()); n != 0 {
		t.Errorf("%d requests to Meta", n)
	}
}

func TestLostResponseSettledByStatusWebhook(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, key := demo(t, s, nil)
	ctx := context.Background()
	s.Meta.FailNext(metastandinHang())
	r := call(t, s, key, "POST", "/v1/appointments", appointmentBody("lost-2", time.Now().Add(72*time.Hour)))
	jobID := domain.JobID(appointmentID(t, r), domain.JobCreated, 0)
	waitJob(t, s, ten.ID, jobID, 10*time.Second, func(j *domain.Job) bool { return j.Status == domain.JobUnknown })
	accepted := s.Meta.Accepted()
	if len(accepted) != 1 {
		t.Fatalf("%d accepted", len(accepted))
	}
	// Meta's status names the job through biz_opaque_callback_data.
	if status, err := s.Meta.PostStatus(ctx, accepted[0].WAMID, "delivered", 0, "", ""); err != nil || status != 200 {
		t.Fatalf("status: %d %v", status, err)
	}
	job := waitJob(t, s, ten.ID, jobID, 10*time.Second, func(j *domain.Job) bool { return j.Status == domain.JobDelivered })
	if job.ProviderMessageID != accepted[0].WAMID {
		t.Errorf("wamid %q attached, want %q", job.ProviderMessageID, accepted[0].WAMID)
	}
	time.Sleep(4 * time.Second) // past the 3 s wait: the retry was called off
	if n := len(s.Meta.Requests()); n != 1 {
		t.Errorf("%d requests to Meta, want 1", n)
	}
}

// TestStatusStorm: 2,000 status webhooks for 500 messages (two statuses each, every
// webhook posted twice), in shuffled order: each job ends at its highest status and
// each status is on its timeline once.
func TestStatusStorm(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, _ := demo(t, s, nil)
	ctx := context.Background()
	fs, _ := s.Env.Firestore(ctx)
	const messages = 500
	bw := fs.BulkWriter(ctx)
	now := time.Now().UTC()
	want := map[string]domain.JobStatus{}
	var bodies [][]byte
	for i := range messages {
		jobID := fmt.Sprintf("storm-%03d", i)
		wamid := fmt.Sprintf("wamid.storm%03d", i)
		j := domain.Job{TenantID: ten.ID, AppointmentID: "apt-storm", Type: domain.JobCreated, Status: domain.JobSent,
			ProviderMessageID: wamid, SentAt: now, CreatedAt: now, DeliveryMode: domain.DeliveryTemplate}
		j.AddEvent(now, "sent", "")
		if _, err := bw.Set(fs.Collection("tenants").Doc(ten.ID).Collection("jobs").Doc(jobID), j); err != nil {
			t.Fatal(err)
		}
		statuses := []string{"delivered", "read"}
		want[jobID] = domain.JobRead
		if i%5 == 0 {
			statuses = []string{"sent", "delivered"}
			want[jobID] = domain.JobDelivered
		}
		for k, stt := range statuses {
			b, err := statusBody(ten, wamid, stt, now.Add(time.Duration(k+1)*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			bodies = append(bodies, b, b)
		}
	}
	bw.End()
	rand.Shuffle(len(bodies), func(i, j int) { bodies[i], bodies[j] = bodies[j], bodies[i] })
	if len(bodies) != 2000 {
		t.Fatalf("%d webhooks", len(bodies))
	}
	start := time.Now()
	posted := postSignedAll(t, s, bodies, 16)

	st, _ := s.Env.Store(ctx)
	deadline := time.Now().Add(3 * time.Minute)
	for jobID, w := range want {
		for {
			j, err := st.GetJob(ctx, ten.ID, jobID)
			if err == nil && j.Status == w && len(j.ProviderStatusTimes) == 2 {
				counts := map[string]int{}
				for _, e := range j.Timeline {
					counts[e.Event]++
				}
				for ev, n := range counts {
					if n != 1 {
						t.Fatalf("job %s: %q %d times on its timeline", jobID, ev, n)
					}
				}
				wantEvents := 3
				if w == domain.JobDelivered {
					wantEvents = 2
				}
				if len(counts) != wantEvents {
					t.Fatalf("job %s timeline %v", jobID, counts)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("job %s at %v (%v), want %s", jobID, j.Status, j.ProviderStatusTimes, w)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	t.Logf("2,000 webhooks posted in %v, all applied after %v", posted, time.Since(start))
}

func statusBody(ten *domain.Tenant, wamid, status string, at time.Time) ([]byte, error) {
	return []byte(fmt.Sprintf(`{"object":"whatsapp_business_account","entry":[{"id":%q,"changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"551140001234","phone_number_id":%q},"statuses":[{"id":%q,"status":%q,"timestamp":"%d","recipient_id":"5511987654321","pricing":{"billable":true,"pricing_model":"PMP","category":"utility","type":"regular"}}]},"field":"messages"}]}]}`,
		ten.WhatsApp.WABAID, ten.WhatsApp.PhoneNumberID, wamid, status, at.Unix())), nil
}

// postSignedAll posts every body to the webhook, signed, from `workers` senders at
// once (as Meta delivers), fails the test on any answer but 200, and returns how long
// the posting took.
func postSignedAll(t *testing.T, s *devstack.Stack, bodies [][]byte, workers int) time.Duration {
	t.Helper()
	start := time.Now()
	var wg sync.WaitGroup
	work := make(chan []byte)
	var failures sync.Map
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range work {
				if status := postWebhook(t, s, b, meta.Sign(b, []byte(devstack.AppSecret))); status != 200 {
					failures.Store(string(b), status)
				}
			}
		}()
	}
	for _, b := range bodies {
		work <- b
	}
	close(work)
	wg.Wait()
	failures.Range(func(k, v any) bool { t.Errorf("webhook answered %v", v); return false })
	return time.Since(start)
}
