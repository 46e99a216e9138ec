package devstack_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/scripts/internal/emulators"
	"github.com/lembra-app/lembra/scripts/internal/standin/metastandin"
	"github.com/lembra-app/lembra/shared/config"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/onboarding"
	"github.com/lembra-app/lembra/shared/tenants"
)

const onboardingAppID = "1900000000000001"

// unconnected adds a studio with no WhatsApp number yet (a second tenant signing up).
func unconnected(t *testing.T, s *devstack.Stack, id, name string) (*domain.Tenant, string) {
	return demo(t, s, func(tn *devstack.Tenant) {
		tn.ID, tn.Name, tn.APIKey, tn.AccessToken = id, name, "", ""
		tn.WhatsApp = domain.WhatsApp{}
	})
}

// fakeBusiness adds a business to the Meta stand-in with the tenant's templates.
func fakeBusiness(s *devstack.Stack, ten *domain.Tenant, b metastandin.Business) {
	s.Meta.AddBusiness(b)
	for _, ref := range ten.Templates {
		s.Meta.AddTemplate(b.PhoneNumberID, metastandin.Template{Name: ref.Name, Language: ref.Language, BodyParams: 5})
	}
}

func connect(t *testing.T, s *devstack.Stack, tok string, body map[string]any) reply {
	t.Helper()
	return call(t, s, tok, "POST", "/v1/staff/whatsapp/connect", body)
}

// stepsOf decodes the answer's steps.
func stepsOf(t *testing.T, r reply) map[string]onboarding.StepRecord {
	t.Helper()
	var out struct {
		Steps map[string]onboarding.StepRecord `json:"steps"`
	}
	if err := json.Unmarshal([]byte(r.Raw), &out); err != nil {
		t.Fatalf("steps: %v in %s", err, r.Raw)
	}
	return out.Steps
}

func wantSteps(t *testing.T, label string, steps map[string]onboarding.StepRecord, want map[string]string, tries map[string]int) {
	t.Helper()
	for _, name := range onboarding.Steps {
		got := steps[name]
		if got.Status != want[name] {
			t.Errorf("%s: step %s is %q (%s), want %q", label, name, got.Status, got.Error, want[name])
		}
		n := 1
		if v, ok := tries[name]; ok {
			n = v
		}
		if got.Tries != n {
			t.Errorf("%s: step %s ran %d times, want %d", label, name, got.Tries, n)
		}
	}
}

func allDone(except map[string]string) map[string]string {
	m := map[string]string{}
	for _, n := range onboarding.Steps {
		m[n] = onboarding.StatusDone
	}
	for k, v := range except {
		m[k] = v
	}
	return m
}

// TestOnboardingConnect: a second studio's owner connects her own number after
// Embedded Signup (POST /v1/staff/whatsapp/connect): every step done once, the token
// in the Secret Manager stand-in (not in the attempt), the number and WABA indexed to
// her studio, and her first booking notice goes out from her number with her token;
// a coexistence number is never registered and both syncs are asked for; with
// subscribed_apps failing once, the retry resumes there and every step is done once;
// staff get 403.
func TestOnboardingConnect(t *testing.T) {
	s := devstack.ForTest(t, devstack.Options{Project: emulators.AuthProject,
		Configure: func(c *config.Config) { c.MetaAppID = onboardingAppID }})
	s.Meta.SetApp(onboardingAppID, devstack.AppSecret)
	ctx := context.Background()
	db := mustStore(t, s)
	sm, err := s.Env.SecretManager(ctx)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("normal number", func(t *testing.T) {
		ana, key := unconnected(t, s, "connect-ana", "Studio Ana")
		owner, _, staff, _ := opsTokens(t, s, ana.ID, ana.ID)
		b := metastandin.Business{Code: "code-ana-1", Token: "EAAG-ana-business-token", WABAID: "102290129350101",
			PhoneNumberID: "106540352250101", DisplayPhoneNumber: "+55 11 4000-5101", VerifiedName: "Studio Ana"}
		fakeBusiness(s, ana, b)
		body := map[string]any{"code": b.Code, "waba_id": b.WABAID, "phone_number_id": b.PhoneNumberID, "coexistence": false, "attempt_id": "attempt-ana-0001"}
		if r := connect(t, s, staff, body); r.Status != 403 {
			t.Errorf("staff: %d %s", r.Status, r.Raw)
		}
		r := connect(t, s, owner, body)
		if r.Status != 200 || r.Body["outcome"] != "complete" {
			t.Fatalf("connect: %d %s", r.Status, r.Raw)
		}
		wantSteps(t, "normal", stepsOf(t, r), allDone(map[string]string{
			onboarding.StepSyncContacts: onboarding.StatusSkipped, onboarding.StepSyncHistory: onboarding.StatusSkipped}), nil)
		if strings.Contains(r.Raw, b.Token) {
			t.Errorf("the answer holds the token: %s", r.Raw)
		}
		props, _ := r.Body["template_proposals"].([]any)
		if len(props) != 2 {
			t.Errorf("template proposals: %v", r.Body["template_proposals"])
		}
		// A repeated call repeats nothing (the code is single-use).
		if r2 := connect(t, s, owner, body); r2.Status != 200 {
			t.Errorf("repeat: %d %s", r2.Status, r2.Raw)
		} else {
			wantSteps(t, "repeat", stepsOf(t, r2), allDone(map[string]string{
				onboarding.StepSyncContacts: onboarding.StatusSkipped, onboarding.StepSyncHistory: onboarding.StatusSkipped}), nil)
		}
		st, _ := s.Meta.Business(b.WABAID)
		if !st.Subscribed || !st.Registered || len(st.PIN) != 6 || st.Calls[metastandin.EndpointAccessToken] != 1 || st.Calls[metastandin.EndpointRegister] != 1 {
			t.Errorf("Meta saw: %+v", st)
		}
		tok, err := sm.Secret(ctx, tenants.TokenSecretID(ana.ID))
		if err != nil || string(tok) != b.Token {
			t.Errorf("token secret: %q, %v", tok, err)
		}
		att, err := db.GetOnboarding(ctx, ana.ID, "attempt-ana-0001")
		if err != nil || att == nil {
			t.Fatalf("attempt: %v", err)
		}
		if raw, _ := json.Marshal(att); strings.Contains(string(raw), b.Token) {
			t.Errorf("the stored attempt holds the token")
		}
		if id, err := db.TenantForPhoneNumber(ctx, b.PhoneNumberID); err != nil || id != ana.ID {
			t.Errorf("number index: %q %v", id, err)
		}
		if id, err := db.TenantForWABA(ctx, b.WABAID); err != nil || id != ana.ID {
			t.Errorf("WABA index: %q %v", id, err)
		}
		// Her first booking notice goes out from her number with her token.
		created := call(t, s, key, "POST", "/v1/appointments", appointmentBody("connect-ana-1", time.Now().Add(72*time.Hour).Truncate(time.Minute)))
		if created.Status != 201 {
			t.Fatalf("create: %d %s", created.Status, created.Raw)
		}
		notice := waitJob(t, s, ana.ID, domain.JobID(appointmentID(t, created), domain.JobCreated, 0), 15*time.Second, final)
		if notice.Status != domain.JobSent {
			t.Fatalf("notice: %s %s", notice.Status, notice.ReasonCode)
		}
		found := false
		for _, req := range s.Meta.Accepted() {
			if req.WAMID == notice.ProviderMessageID {
				found = true
				if req.PhoneNumberID != b.PhoneNumberID || req.Authorization != "Bearer "+b.Token {
					t.Errorf("notice sent from %s with %q", req.PhoneNumberID, req.Authorization)
				}
			}
		}
		if !found {
			t.Errorf("notice %s not among the stand-in's accepted messages", notice.ProviderMessageID)
		}
	})

	t.Run("another studio's number", func(t *testing.T) {
		dora, _ := unconnected(t, s, "connect-dora", "Studio Dora")
		owner, _, _, _ := opsTokens(t, s, dora.ID, dora.ID)
		// Ana's number (indexed to her studio above) under another business's WABA.
		b := metastandin.Business{Code: "code-dora-1", Token: "EAAG-dora-business-token", WABAID: "102290129350104",
			PhoneNumberID: "106540352250101", DisplayPhoneNumber: "+55 11 4000-5101", VerifiedName: "Studio Dora"}
		fakeBusiness(s, dora, b)
		r := connect(t, s, owner, map[string]any{"code": b.Code, "waba_id": b.WABAID, "phone_number_id": b.PhoneNumberID, "coexistence": false, "attempt_id": "attempt-dora-001"})
		if r.Status != 409 || r.Body["outcome"] != "stopped" || !strings.Contains(fmt.Sprint(r.Body["reason"]), "outro estúdio") {
			t.Fatalf("connect: %d %s", r.Status, r.Raw)
		}
		if rec := stepsOf(t, r)[onboarding.StepIndex]; rec.Status != onboarding.StatusFailed || !rec.Permanent {
			t.Errorf("index step: %+v", rec)
		}
		// Refused before anything is subscribed or registered at Meta.
		for _, name := range []string{onboarding.StepSubscribeApp, onboarding.StepRegister, onboarding.StepActivate} {
			if rec, ok := stepsOf(t, r)[name]; ok {
				t.Errorf("step %s ran after the refused index: %+v", name, rec)
			}
		}
		for _, req := range s.Meta.Requests() {
			if strings.Contains(req.Path, b.WABAID+"/subscribed_apps") || strings.Contains(req.Path, "/register") && req.PhoneNumberID == b.PhoneNumberID {
				t.Errorf("Meta got %s %s for Dora's refused attempt", req.Method, req.Path)
			}
		}
		if id, err := db.TenantForPhoneNumber(ctx, b.PhoneNumberID); err != nil || id != "connect-ana" {
			t.Errorf("Ana's number now points to %q (%v)", id, err)
		}
		if got, err := db.GetTenant(ctx, dora.ID); err != nil || got.WhatsApp.PhoneNumberID != "" {
			t.Errorf("Dora's studio: %+v %v", got, err)
		}
		// Calling again keeps it stopped and runs nothing more.
		if r := connect(t, s, owner, map[string]any{"code": "", "waba_id": b.WABAID, "phone_number_id": b.PhoneNumberID, "coexistence": false, "attempt_id": "attempt-dora-001"}); r.Status != 409 {
			t.Errorf("again: %d %s", r.Status, r.Raw)
		} else if rec := stepsOf(t, r)[onboarding.StepIndex]; rec.Tries != 1 {
			t.Errorf("index retried: %+v", rec)
		}
	})

	t.Run("attempt already running", func(t *testing.T) {
		eva, _ := unconnected(t, s, "connect-eva", "Studio Eva")
		owner, _, _, _ := opsTokens(t, s, eva.ID, eva.ID)
		// Another call holds the attempt (a double click): this one is refused and Meta sees nothing.
		if _, ok, err := db.ClaimOnboarding(ctx, &onboarding.Attempt{ID: "attempt-eva-0001", TenantID: eva.ID, Outcome: "running"}, time.Now(), time.Minute); err != nil || !ok {
			t.Fatalf("claim: %v %v", ok, err)
		}
		before := len(s.Meta.Requests())
		r := connect(t, s, owner, map[string]any{"code": "code-eva-1", "waba_id": "", "phone_number_id": "", "coexistence": false, "attempt_id": "attempt-eva-0001"})
		if r.Status != 409 {
			t.Errorf("while running: %d %s", r.Status, r.Raw)
		}
		if n := len(s.Meta.Requests()); n != before {
			t.Errorf("Meta got %d requests", n-before)
		}
	})

	t.Run("coexistence number", func(t *testing.T) {
		bia, _ := unconnected(t, s, "connect-bia", "Studio Bia")
		owner, _, _, _ := opsTokens(t, s, bia.ID, bia.ID)
		b := metastandin.Business{Code: "code-bia-1", Token: "EAAG-bia-business-token", WABAID: "102290129350102",
			PhoneNumberID: "106540352250102", DisplayPhoneNumber: "+55 11 4000-5102", VerifiedName: "Studio Bia", Coexistence: true}
		fakeBusiness(s, bia, b)
		// The coexistence finish event carries only the WABA id.
		r := connect(t, s, owner, map[string]any{"code": b.Code, "waba_id": b.WABAID, "phone_number_id": "", "coexistence": true, "attempt_id": "attempt-bia-0001"})
		if r.Status != 200 || r.Body["phone_number_id"] != b.PhoneNumberID {
			t.Fatalf("connect: %d %s", r.Status, r.Raw)
		}
		steps := stepsOf(t, r)
		wantSteps(t, "coexistence", steps, allDone(map[string]string{onboarding.StepRegister: onboarding.StatusSkipped}), nil)
		if steps[onboarding.StepRegister].Error != onboarding.ReasonCoexistenceRegister {
			t.Errorf("register skipped with %q", steps[onboarding.StepRegister].Error)
		}
		st, _ := s.Meta.Business(b.WABAID)
		if st.Registered || st.Calls[metastandin.EndpointRegister] != 0 || !slices.Equal(st.Syncs, []string{"smb_app_state_sync", "history"}) {
			t.Errorf("Meta saw: %+v", st)
		}
		if reqs, _ := r.Body["sync_requests"].(map[string]any); len(reqs) != 2 {
			t.Errorf("sync requests: %v", r.Body["sync_requests"])
		}
	})

	t.Run("fault in the middle", func(t *testing.T) {
		cida, _ := unconnected(t, s, "connect-cida", "Studio Cida")
		owner, _, _, _ := opsTokens(t, s, cida.ID, cida.ID)
		b := metastandin.Business{Code: "code-cida-1", Token: "EAAG-cida-business-token", WABAID: "102290129350103",
			PhoneNumberID: "106540352250103", DisplayPhoneNumber: "+55 11 4000-5103", VerifiedName: "Studio Cida"}
		fakeBusiness(s, cida, b)
		s.Meta.FailNextOn(metastandin.EndpointSubscribedApps, metastandin.Fault{Code: 2})
		body := map[string]any{"code": b.Code, "waba_id": b.WABAID, "phone_number_id": b.PhoneNumberID, "coexistence": false, "attempt_id": "attempt-cida-001"}
		r := connect(t, s, owner, body)
		if r.Status != 502 || r.Body["outcome"] != "failed" || r.Body["next"] != onboarding.StepSubscribeApp {
			t.Fatalf("first call: %d %s", r.Status, r.Raw)
		}
		steps := stepsOf(t, r)
		if s := steps[onboarding.StepSubscribeApp]; s.Status != onboarding.StatusFailed || !strings.Contains(s.Error, "Meta: código 2") {
			t.Errorf("subscribe_app after the fault: %+v", s)
		}
		if _, ok := steps[onboarding.StepRegister]; ok {
			t.Errorf("a step after the failed one ran: %+v", steps)
		}
		// Indexed before the subscription (Meta's webhooks find the studio), not yet connected.
		if id, err := db.TenantForPhoneNumber(ctx, b.PhoneNumberID); err != nil || id != cida.ID {
			t.Errorf("number index during the onboarding: %q %v", id, err)
		}
		if c := call(t, s, owner, "GET", "/v1/staff/whatsapp", nil); c.Status != 200 || c.Body["state"] != domain.StateConnecting || c.Body["can_send"] != false ||
			c.Body["state_label"] != "Conexão em andamento" {
			t.Errorf("connection during the onboarding: %d %s", c.Status, c.Raw)
		}
		// The retry (the code is not needed again) resumes at subscribe_app.
		delete(body, "code")
		body["code"] = ""
		r = connect(t, s, owner, body)
		if r.Status != 200 || r.Body["outcome"] != "complete" {
			t.Fatalf("retry: %d %s", r.Status, r.Raw)
		}
		wantSteps(t, "retry", stepsOf(t, r), allDone(map[string]string{
			onboarding.StepSyncContacts: onboarding.StatusSkipped, onboarding.StepSyncHistory: onboarding.StatusSkipped}),
			map[string]int{onboarding.StepSubscribeApp: 2})
		if c := call(t, s, owner, "GET", "/v1/staff/whatsapp", nil); c.Status != 200 || c.Body["state"] != domain.StateConnected || c.Body["can_send"] != true {
			t.Errorf("connection after the retry: %d %s", c.Status, c.Raw)
		}
		st, _ := s.Meta.Business(b.WABAID)
		for _, ep := range []string{metastandin.EndpointAccessToken, metastandin.EndpointDebugToken, metastandin.EndpointSubscribedApps, metastandin.EndpointRegister, metastandin.EndpointMessageTemplates} {
			if st.Calls[ep] != 1 {
				t.Errorf("%s succeeded %d times, want once", ep, st.Calls[ep])
			}
		}
	})
}

// TestOnboardingResumesAfterAFaultAtEveryStep: Meta failing once at each Graph call of
// the onboarding (a 500, or Meta's code 2 "service unavailable") answers 502 naming the
// step; the retry without a code resumes there and completes, and at Meta every call
// succeeded exactly as often as a run without the fault (nothing subscribed, registered
// or synced twice). A failed code exchange stops the attempt (the code is single-use)
// with the Portuguese reason, and a new login's attempt completes.
func TestOnboardingResumesAfterAFaultAtEveryStep(t *testing.T) {
	s := devstack.ForTest(t, devstack.Options{Project: emulators.AuthProject,
		Configure: func(c *config.Config) { c.MetaAppID = onboardingAppID }})
	s.Meta.SetApp(onboardingAppID, devstack.AppSecret)
	cases := []struct {
		endpoint    string
		step        string
		coexistence bool
	}{
		{metastandin.EndpointDebugToken, onboarding.StepFindAssets, false},
		{metastandin.EndpointPhoneNumbers, onboarding.StepFindAssets, true},
		{metastandin.EndpointSubscribedApps, onboarding.StepSubscribeApp, true},
		{metastandin.EndpointRegister, onboarding.StepRegister, false},
		{metastandin.EndpointSMBAppData, onboarding.StepSyncContacts, true},
		{metastandin.EndpointMessageTemplates, onboarding.StepTemplates, false},
	}
	for i, tc := range cases {
		t.Run(tc.endpoint, func(t *testing.T) {
			id := fmt.Sprintf("fault-%d", i)
			ten, _ := unconnected(t, s, id, "Studio "+id)
			owner, _, _, _ := opsTokens(t, s, ten.ID, ten.ID)
			b := metastandin.Business{Code: "code-" + id, Token: "EAAG-" + id, WABAID: fmt.Sprintf("1022901293502%02d", i),
				PhoneNumberID: fmt.Sprintf("1065403522502%02d", i), DisplayPhoneNumber: fmt.Sprintf("+55 11 4000-52%02d", i),
				VerifiedName: "Studio " + id, Coexistence: tc.coexistence}
			fakeBusiness(s, ten, b)
			fault := metastandin.Fault{HTTPStatus: 500}
			if i%2 == 1 {
				fault = metastandin.Fault{Code: 2}
			}
			s.Meta.FailNextOn(tc.endpoint, fault)
			body := map[string]any{"code": b.Code, "waba_id": b.WABAID, "phone_number_id": b.PhoneNumberID, "coexistence": tc.coexistence, "attempt_id": "attempt-" + id}
			if tc.coexistence {
				body["phone_number_id"] = "" // the coexistence finish carries only the WABA id
			}
			r := connect(t, s, owner, body)
			if r.Status != 502 || r.Body["outcome"] != "failed" || r.Body["next"] != tc.step {
				t.Fatalf("with the fault: %d %s", r.Status, r.Raw)
			}
			body["code"] = ""
			r = connect(t, s, owner, body)
			if r.Status != 200 || r.Body["outcome"] != "complete" {
				t.Fatalf("retry: %d %s", r.Status, r.Raw)
			}
			want := allDone(map[string]string{onboarding.StepSyncContacts: onboarding.StatusSkipped, onboarding.StepSyncHistory: onboarding.StatusSkipped})
			if tc.coexistence {
				want = allDone(map[string]string{onboarding.StepRegister: onboarding.StatusSkipped})
			}
			wantSteps(t, "retry", stepsOf(t, r), want, map[string]int{tc.step: 2})
			st, _ := s.Meta.Business(b.WABAID)
			calls := map[string]int{metastandin.EndpointAccessToken: 1, metastandin.EndpointDebugToken: 1, metastandin.EndpointPhoneNumbers: 1,
				metastandin.EndpointSubscribedApps: 1, metastandin.EndpointRegister: 1, metastandin.EndpointMessageTemplates: 1}
			if tc.coexistence {
				calls[metastandin.EndpointRegister], calls[metastandin.EndpointSMBAppData] = 0, 2
			}
			if tc.endpoint == metastandin.EndpointPhoneNumbers {
				// find_assets is one step of two reads: its retry reads debug_token again.
				calls[metastandin.EndpointDebugToken] = 2
			}
			for ep, n := range calls {
				if st.Calls[ep] != n {
					t.Errorf("%s succeeded %d times at Meta, want %d", ep, st.Calls[ep], n)
				}
			}
			if c := call(t, s, owner, "GET", "/v1/staff/whatsapp", nil); c.Body["state"] == domain.StateConnecting || c.Body["can_send"] != true {
				t.Errorf("connection after the retry: %s", c.Raw)
			}
		})
	}

	t.Run("the code exchange", func(t *testing.T) {
		ten, _ := unconnected(t, s, "fault-exchange", "Studio Troca")
		owner, _, _, _ := opsTokens(t, s, ten.ID, ten.ID)
		b := metastandin.Business{Code: "code-fault-exchange", Token: "EAAG-fault-exchange", WABAID: "102290129350299",
			PhoneNumberID: "106540352250299", DisplayPhoneNumber: "+55 11 4000-5299", VerifiedName: "Studio Troca"}
		fakeBusiness(s, ten, b)
		s.Meta.FailNextOn(metastandin.EndpointAccessToken, metastandin.Fault{HTTPStatus: 500})
		body := map[string]any{"code": b.Code, "waba_id": b.WABAID, "phone_number_id": b.PhoneNumberID, "coexistence": false, "attempt_id": "attempt-fault-exchange-1"}
		r := connect(t, s, owner, body)
		if r.Status != 409 || r.Body["outcome"] != "stopped" || r.Body["reason"] != onboarding.ReasonCodeUsed {
			t.Fatalf("a failed exchange: %d %s", r.Status, r.Raw)
		}
		code, err := s.Meta.NewCode(b.WABAID)
		if err != nil {
			t.Fatal(err)
		}
		body["code"], body["attempt_id"] = code, "attempt-fault-exchange-2"
		if r = connect(t, s, owner, body); r.Status != 200 || r.Body["outcome"] != "complete" {
			t.Fatalf("a new login: %d %s", r.Status, r.Raw)
		}
	})
}

// TestOnboardingStoppedAfterTheIndexGivesTheNumberBack: a first coexistence connection
// whose syncs fail and are retried after Meta's 24 hours stops (409, the reason points
// at a new login) and the studio is not connected again instead of stuck connecting:
// the number and WABA indexes are removed, sends are no longer held as connecting,
// and a new login's attempt connects the same number.
func TestOnboardingStoppedAfterTheIndexGivesTheNumberBack(t *testing.T) {
	s := devstack.ForTest(t, devstack.Options{Project: emulators.AuthProject,
		Configure: func(c *config.Config) { c.MetaAppID = onboardingAppID }})
	s.Meta.SetApp(onboardingAppID, devstack.AppSecret)
	ctx := context.Background()
	db := mustStore(t, s)
	ten, _ := unconnected(t, s, "window-gil", "Studio Gil")
	owner, _, _, _ := opsTokens(t, s, ten.ID, ten.ID)
	b := metastandin.Business{Code: "code-window-gil", Token: "EAAG-window-gil", WABAID: "102290129350401",
		PhoneNumberID: "106540352250401", DisplayPhoneNumber: "+55 11 4000-5401", VerifiedName: "Studio Gil", Coexistence: true}
	fakeBusiness(s, ten, b)
	s.Meta.FailNextOn(metastandin.EndpointSMBAppData, metastandin.Fault{Code: 2})
	body := map[string]any{"code": b.Code, "waba_id": b.WABAID, "phone_number_id": "", "coexistence": true, "attempt_id": "attempt-window-gil-1"}
	if r := connect(t, s, owner, body); r.Status != 502 || r.Body["next"] != onboarding.StepSyncContacts {
		t.Fatalf("first call: %d %s", r.Status, r.Raw)
	}
	if c := connection(t, s, owner); c["state"] != domain.StateConnecting {
		t.Fatalf("during the attempt: %v", c["state"])
	}
	// The retry comes 25 hours after the code exchange.
	att, err := db.GetOnboarding(ctx, ten.ID, "attempt-window-gil-1")
	if err != nil || att == nil {
		t.Fatalf("attempt: %v", err)
	}
	ex := att.Steps[onboarding.StepExchangeCode]
	ex.At = ex.At.Add(-25 * time.Hour)
	att.Steps[onboarding.StepExchangeCode] = ex
	if err := db.PutOnboarding(ctx, att); err != nil {
		t.Fatal(err)
	}
	body["code"] = ""
	r := connect(t, s, owner, body)
	if r.Status != 409 || r.Body["outcome"] != "stopped" || r.Body["reason"] != onboarding.ReasonSyncWindow || !strings.Contains(onboarding.ReasonSyncWindow, "Conectar WhatsApp") {
		t.Fatalf("after 24 hours: %d %s", r.Status, r.Raw)
	}
	c := connection(t, s, owner)
	if c["state"] != domain.StateNotConnected || c["phone_number_id"] != "" {
		t.Errorf("after the stop: %v", c)
	}
	if _, err := db.TenantForPhoneNumber(ctx, b.PhoneNumberID); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("the number is still indexed: %v", err)
	}
	if x, _ := db.GetTenant(ctx, ten.ID); !x.WhatsApp.ConnectingSince.IsZero() {
		t.Errorf("still connecting: %+v", x.WhatsApp)
	}
	// Calling again stays stopped; a new login connects the same number.
	if r := connect(t, s, owner, body); r.Status != 409 {
		t.Errorf("again: %d %s", r.Status, r.Raw)
	}
	code, err := s.Meta.NewCode(b.WABAID)
	if err != nil {
		t.Fatal(err)
	}
	body["code"], body["attempt_id"] = code, "attempt-window-gil-2"
	if r := connect(t, s, owner, body); r.Status != 200 || r.Body["outcome"] != "complete" {
		t.Fatalf("a new login: %d %s", r.Status, r.Raw)
	}
	if c := connection(t, s, owner); c["can_send"] != true || c["phone_number_id"] != b.PhoneNumberID {
		t.Errorf("after the new login: %v", c)
	}
}
