package devstack_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/ptbr"
)

// accountBody is a signed-ready account_update for the tenant's WABA (entry id), with
// the value's JSON fields after "event".
func accountBody(ten *domain.Tenant, event string, at time.Time, extra string) []byte {
	if extra != "" {
		extra = "," + extra
	}
	return []byte(fmt.Sprintf(`{"object":"whatsapp_business_account","entry":[{"id":%q,"time":%d,"changes":[{"value":{"event":%q%s},"field":"account_update"}]}]}`,
		ten.WhatsApp.WABAID, at.Unix(), event, extra))
}

// wabaChange is a signed-ready management change (no metadata: routed by the entry id).
func wabaChange(ten *domain.Tenant, field string, at time.Time, value string) []byte {
	return []byte(fmt.Sprintf(`{"object":"whatsapp_business_account","entry":[{"id":%q,"time":%d,"changes":[{"value":%s,"field":%q}]}]}`,
		ten.WhatsApp.WABAID, at.Unix(), value, field))
}

func postSigned(t *testing.T, s *devstack.Stack, body []byte) {
	t.Helper()
	if status, err := s.Meta.Post(context.Background(), body); err != nil || status != 200 {
		t.Fatalf("posting %s: %d %v", body, status, err)
	}
}

func waitTenant(t *testing.T, s *devstack.Stack, id, what string, cond func(*domain.Tenant) bool) *domain.Tenant {
	t.Helper()
	st := mustStore(t, s)
	var last *domain.Tenant
	eventually(t, 10*time.Second, what, func() bool {
		ten, err := st.GetTenant(context.Background(), id)
		last = ten
		return err == nil && cond(ten)
	})
	return last
}

// notice books an appointment and returns its booking notice once dispatch decided.
func notice(t *testing.T, s *devstack.Stack, ten *domain.Tenant, key, externalID string) *domain.Job {
	t.Helper()
	r := call(t, s, key, "POST", "/v1/appointments", appointmentBody(externalID, time.Now().Add(72*time.Hour)))
	if r.Status != 201 {
		t.Fatalf("create %s: %d %s", externalID, r.Status, r.Raw)
	}
	return waitJob(t, s, ten.ID, domain.JobID(appointmentID(t, r), domain.JobCreated, 0), 10*time.Second, final)
}

func TestLostAccountStopsSendsUntilReconnected(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, key := demo(t, s, nil)
	base := time.Now().Add(-time.Hour)

	// Coexistence disconnect, as Meta sends it (PARTNER_REMOVED with disconnection_info).
	postSigned(t, s, accountBody(ten, "PARTNER_REMOVED", base,
		`"phone_number":"15550783881","disconnection_info":{"reason":"PRIMARY_INACTIVITY","initiated_by":"SYSTEM"}`))
	got := waitTenant(t, s, ten.ID, "tenant disconnected", func(x *domain.Tenant) bool { return x.WhatsApp.Status == domain.AccountDisconnected })
	if got.WhatsApp.Disconnection == nil || got.WhatsApp.Disconnection.Reason != "PRIMARY_INACTIVITY" ||
		!strings.Contains(got.WhatsApp.LastEventInfo, "PRIMARY_INACTIVITY") {
		t.Errorf("what Meta said was not kept: %+v %q", got.WhatsApp.Disconnection, got.WhatsApp.LastEventInfo)
	}
	job := notice(t, s, ten, key, "lost-1")
	if job.Status != domain.JobSkipped || job.ReasonCode != domain.ReasonAccountDisconnected ||
		!strings.HasPrefix(job.Reason, ptbr.TextAccountDisconnected) {
		t.Fatalf("notice while disconnected: %s %s %q", job.Status, job.ReasonCode, job.Reason)
	}
	if n := len(s.Meta.Requests()); n != 0 {
		t.Fatalf("%d requests to Meta while disconnected", n)
	}

	// Connected again: sends again.
	postSigned(t, s, accountBody(ten, "PARTNER_ADDED", base.Add(time.Minute), `"waba_info":{"waba_id":"`+ten.WhatsApp.WABAID+`","owner_business_id":"2329417887457253"}`))
	waitTenant(t, s, ten.ID, "tenant reconnected", func(x *domain.Tenant) bool { return x.WhatsApp.Status == domain.AccountConnected })
	if job := notice(t, s, ten, key, "lost-2"); job.Status != domain.JobSent {
		t.Fatalf("notice after reconnecting: %s %s %q", job.Status, job.ReasonCode, job.Reason)
	}

	// Meta disables the account: nothing is sent; REINSTATE restores sending.
	postSigned(t, s, accountBody(ten, "DISABLED_UPDATE", base.Add(2*time.Minute), `"ban_info":{"waba_ban_state":"DISABLE","waba_ban_date":"December 1, 2026"}`))
	waitTenant(t, s, ten.ID, "tenant banned", func(x *domain.Tenant) bool { return x.WhatsApp.Ban != nil && x.WhatsApp.Ban.State == domain.BanDisable })
	job = notice(t, s, ten, key, "lost-3")
	if job.Status != domain.JobSkipped || job.ReasonCode != domain.ReasonAccountBanned || !strings.Contains(job.Reason, "desativada pela Meta") {
		t.Fatalf("notice while disabled: %s %s %q", job.Status, job.ReasonCode, job.Reason)
	}
	postSigned(t, s, accountBody(ten, "DISABLED_UPDATE", base.Add(3*time.Minute), `"ban_info":{"waba_ban_state":"REINSTATE","waba_ban_date":"December 1, 2026"}`))
	waitTenant(t, s, ten.ID, "tenant reinstated", func(x *domain.Tenant) bool {
		return x.WhatsApp.Ban != nil && x.WhatsApp.Ban.State == domain.BanReinstate
	})
	if job := notice(t, s, ten, key, "lost-4"); job.Status != domain.JobSent {
		t.Fatalf("notice after REINSTATE: %s %s %q", job.Status, job.ReasonCode, job.Reason)
	}

	// A messaging restriction holds templates back until it expires.
	postSigned(t, s, accountBody(ten, "ACCOUNT_RESTRICTION", base.Add(4*time.Minute),
		`"restriction_info":[{"restriction_type":"RESTRICTED_BIZ_INITIATED_MESSAGING","expiration":"`+time.Now().Add(48*time.Hour).UTC().Format("2006-01-02T15:04:05-0700")+`"}]`))
	waitTenant(t, s, ten.ID, "tenant restricted", func(x *domain.Tenant) bool { return len(x.WhatsApp.Restrictions) == 1 })
	job = notice(t, s, ten, key, "lost-5")
	if job.Status != domain.JobSkipped || job.ReasonCode != domain.ReasonAccountRestricted || !strings.Contains(job.Reason, "restrita") {
		t.Fatalf("notice while restricted: %s %s %q", job.Status, job.ReasonCode, job.Reason)
	}
	if n := len(s.Meta.Accepted()); n != 2 {
		t.Errorf("Meta accepted %d sends, want 2 (after reconnecting and after REINSTATE)", n)
	}
}

func TestOlderAccountEventAppliesAfterNewerEventOfAnotherKind(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, key := demo(t, s, nil)
	t0 := time.Now().Add(-time.Hour)

	// A history refusal (recorded now) and a quality update an hour from t0 come first.
	postSigned(t, s, fixtureBytes(t, "history_declined.json"))
	waitTenant(t, s, ten.ID, "history refusal", func(x *domain.Tenant) bool { return x.WhatsApp.LastEvent == "HISTORY_DECLINED" })
	postSigned(t, s, wabaChange(ten, "phone_number_quality_update", t0.Add(30*time.Minute),
		`{"display_phone_number":"551140001234","event":"THROUGHPUT_UPGRADE","max_daily_conversations_per_business":"TIER_UNLIMITED"}`))
	waitTenant(t, s, ten.ID, "quality update", func(x *domain.Tenant) bool { return x.WhatsApp.MessagingTier == "TIER_UNLIMITED" })

	// Then an older account_update, redelivered late: still applied.
	postSigned(t, s, accountBody(ten, "PARTNER_REMOVED", t0, `"phone_number":"551140001234"`))
	got := waitTenant(t, s, ten.ID, "older account_update applied", func(x *domain.Tenant) bool { return x.WhatsApp.Status == domain.AccountDisconnected })
	if got.WhatsApp.MessagingTier != "TIER_UNLIMITED" || got.WhatsApp.LastEvent != "HISTORY_DECLINED" {
		t.Errorf("other kinds changed: tier %q last %q", got.WhatsApp.MessagingTier, got.WhatsApp.LastEvent)
	}

	// An event of the same kind older than the disconnection is not: still disconnected.
	postSigned(t, s, accountBody(ten, "PARTNER_ADDED", t0.Add(-time.Minute), `"waba_info":{"waba_id":"`+ten.WhatsApp.WABAID+`"}`))
	// An older quality update does not lower the tier either.
	postSigned(t, s, wabaChange(ten, "phone_number_quality_update", t0,
		`{"display_phone_number":"551140001234","event":"ONBOARDING","max_daily_conversations_per_business":"TIER_250"}`))
	job := notice(t, s, ten, key, "order-1") // processed after the two deliveries above or not, it must be skipped
	if job.Status != domain.JobSkipped || job.ReasonCode != domain.ReasonAccountDisconnected {
		t.Fatalf("notice: %s %s %q", job.Status, job.ReasonCode, job.Reason)
	}
	time.Sleep(time.Second) // let both late deliveries be applied, if they were going to be
	last := waitTenant(t, s, ten.ID, "tenant", func(*domain.Tenant) bool { return true })
	if last.WhatsApp.Status != domain.AccountDisconnected || last.WhatsApp.MessagingTier != "TIER_UNLIMITED" {
		t.Errorf("an older event of the same kind was applied: status %q tier %q", last.WhatsApp.Status, last.WhatsApp.MessagingTier)
	}
}

func TestPausedTemplateWebhookRefusesTheNotice(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, key := demo(t, s, nil)
	now := time.Now()
	tpl := `"message_template_id":1689556908129832,"message_template_name":"aviso_de_agendamento","message_template_language":"pt_BR"`
	k := domain.TemplateKey("aviso_de_agendamento", "pt_BR")

	postSigned(t, s, wabaChange(ten, "message_template_status_update", now.Add(-time.Hour),
		`{"event":"PAUSED",`+tpl+`,"reason":"NONE","message_template_category":"UTILITY","other_info":{"title":"FIRST_PAUSE","description":"Your template has been paused."}}`))
	waitTenant(t, s, ten.ID, "template paused", func(x *domain.Tenant) bool { return x.TemplateStatuses[k].Status == "PAUSED" })

	// Quality and category events, newer than the pause, never overwrite the review status.
	postSigned(t, s, wabaChange(ten, "message_template_quality_update", now.Add(-30*time.Minute),
		`{"previous_quality_score":"YELLOW","new_quality_score":"RED",`+tpl+`}`))
	postSigned(t, s, wabaChange(ten, "template_category_update", now.Add(-20*time.Minute),
		`{`+tpl+`,"previous_category":"UTILITY","new_category":"MARKETING"}`))
	got := waitTenant(t, s, ten.ID, "quality and category recorded", func(x *domain.Tenant) bool {
		st := x.TemplateStatuses[k]
		return st.Quality == "RED" && st.Category == "MARKETING"
	})
	st := got.TemplateStatuses[k]
	if st.Status != "PAUSED" || st.PreviousQuality != "YELLOW" || st.PreviousCategory != "UTILITY" ||
		!st.CategoryChangedAt.Equal(now.Add(-20*time.Minute).Truncate(time.Second).UTC()) {
		t.Errorf("template record: %+v", st)
	}

	job := notice(t, s, ten, key, "paused-1")
	if job.Status != domain.JobSkipped || job.ReasonCode != domain.ReasonTemplateNotApproved ||
		!strings.Contains(job.Reason, "pausado pela Meta") || !strings.Contains(job.Reason, "PAUSED") {
		t.Fatalf("notice with a paused template: %s %s %q", job.Status, job.ReasonCode, job.Reason)
	}
	if n := len(s.Meta.Requests()); n != 0 {
		t.Errorf("%d requests to Meta", n)
	}

	// Unpaused (APPROVED): sends again.
	postSigned(t, s, wabaChange(ten, "message_template_status_update", now.Add(-10*time.Minute),
		`{"event":"APPROVED",`+tpl+`,"reason":"NONE","other_info":{"title":"UNPAUSE","description":"Your WhatsApp message template has been unpaused."}}`))
	waitTenant(t, s, ten.ID, "template approved", func(x *domain.Tenant) bool { return x.TemplateStatuses[k].Status == "APPROVED" })
	if job := notice(t, s, ten, key, "paused-2"); job.Status != domain.JobSent {
		t.Fatalf("notice after unpause: %s %s %q", job.Status, job.ReasonCode, job.Reason)
	}
}

func TestTimelineFollowsMetaTimesNotArrival(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, _ := demo(t, s, nil)
	wamid := "wamid.HBgNNTUxMTk4NzY1MDAwMhUCABEYEjA5QkRFRUE1RTVGRkQ0RTRBQQA="
	_, jobID := sentJob(t, s, ten, "order-read", wamid)
	base := time.Now().Add(10 * time.Second)

	read, _ := statusBody(ten, wamid, "read", base.Add(20*time.Second))
	postSigned(t, s, read)
	waitJob(t, s, ten.ID, jobID, 10*time.Second, func(j *domain.Job) bool { return j.Status == domain.JobRead })
	delivered, _ := statusBody(ten, wamid, "delivered", base.Add(10*time.Second))
	postSigned(t, s, delivered)
	j := waitJob(t, s, ten.ID, jobID, 10*time.Second, func(j *domain.Job) bool { return j.HasEvent("delivered") })

	var got []string
	for _, e := range j.Timeline {
		got = append(got, e.Event)
	}
	if s := strings.Join(got, ","); !strings.HasSuffix(s, "sent,delivered,read") {
		t.Errorf("timeline %s, want …sent,delivered,read", s)
	}
	if j.Status != domain.JobRead {
		t.Errorf("status %s, want read", j.Status)
	}
	for i := 1; i < len(j.Timeline); i++ {
		if j.Timeline[i].At.Truncate(time.Second).Before(j.Timeline[i-1].At.Truncate(time.Second)) {
			t.Errorf("timeline out of time order at %d: %+v", i, j.Timeline)
		}
	}
}
