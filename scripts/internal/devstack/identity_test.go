package devstack_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dispatchfn "github.com/lembra-app/lembra/functions/dispatch"
	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/scripts/internal/standin/oidcsigner"
	"github.com/lembra-app/lembra/shared/domain"
)

// TestDispatchRequiresTheTasksIdentity: the booking notice goes out through the Cloud
// Tasks stand-in, whose signed OIDC tokens dispatch accepts; a POST to dispatch without
// the tasks account's token for dispatch's audience is refused (401/403), changes no job
// and sends nothing. The dispatch handler checks the token itself: the same calls to
// the handler alone, outside the local stack's router, get the same answers (deployed,
// nothing but Cloud Run stands in front of it).
func TestDispatchRequiresTheTasksIdentity(t *testing.T) {
	t.Parallel()
	s := fast(t, nil)
	ten, key := demo(t, s, nil)

	r := call(t, s, key, "POST", "/v1/appointments", appointmentBody("identity-1", time.Now().Add(72*time.Hour)))
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	aptID := appointmentID(t, r)
	createdID := domain.JobID(aptID, domain.JobCreated, 1)
	reminderID := domain.JobID(aptID, domain.JobReminder, 1)
	waitJob(t, s, ten.ID, createdID, 15*time.Second, func(j *domain.Job) bool { return j.Status == domain.JobSent })
	var tokened int
	for _, a := range s.Tasks.Attempts() {
		if strings.HasPrefix(a.Headers.Get("Authorization"), "Bearer ") && a.StatusCode/100 == 2 {
			tokened++
		}
	}
	if tokened == 0 {
		t.Fatalf("no dispatch with an OIDC token succeeded: %+v", s.Tasks.Attempts())
	}
	sends := len(s.Meta.Requests())
	reminderBefore := getJob(t, s, ten.ID, reminderID)

	tok := func(aud, email string) string {
		v, err := s.Signer.IDToken(aud, email, 5*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return "Bearer " + v
	}
	// A signer whose key the stack does not publish, claiming the stack's issuer.
	stranger, err := oidcsigner.New(s.Signer.Issuer)
	if err != nil {
		t.Fatal(err)
	}
	strangerTok, _ := stranger.IDToken(s.Config.TasksAudience, devstack.TasksServiceAccount, 5*time.Minute)
	// The stack's key, another issuer.
	otherIssuer, _ := s.Signer.Sign(s.Signer.Header(), map[string]any{
		"iss": "https://accounts.google.com", "aud": s.Config.TasksAudience, "email": devstack.TasksServiceAccount,
		"email_verified": true, "exp": time.Now().Add(time.Minute).Unix(),
	})
	expired, _ := s.Signer.Sign(s.Signer.Header(), map[string]any{
		"iss": s.Signer.Issuer, "aud": s.Config.TasksAudience, "email": devstack.TasksServiceAccount,
		"email_verified": true, "exp": time.Now().Add(-time.Minute).Unix(),
	})
	refused := []struct {
		name, auth string
		status     int
	}{
		{"no token", "", 401},
		{"not a bearer token", "Basic dXNlcjpwYXNz", 401},
		{"garbage", "Bearer abc.def.ghi", 401},
		{"wrong audience (the reminder scan's)", tok(s.Config.RemindersAudience, devstack.TasksServiceAccount), 401},
		{"wrong email (the scheduler's account)", tok(s.Config.TasksAudience, devstack.SchedulerServiceAccount), 403},
		{"wrong email (a stranger)", tok(s.Config.TasksAudience, "intruso@example.com"), 403},
		{"key not published", "Bearer " + strangerTok, 401},
		{"wrong issuer", "Bearer " + otherIssuer, 401},
		{"expired", "Bearer " + expired, 401},
	}

	alone, err := dispatchfn.Handler(s.Env)
	if err != nil {
		t.Fatal(err)
	}
	bare := httptest.NewServer(alone)
	defer bare.Close()
	post := func(url, auth, jobID string) int {
		t.Helper()
		req, _ := http.NewRequest("POST", url, strings.NewReader(`{"tenant_id":"`+ten.ID+`","job_id":"`+jobID+`"}`))
		req.Header.Set("Content-Type", "application/json")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, target := range []struct{ name, url string }{{"stack", s.URL + "/dispatch"}, {"handler alone", bare.URL}} {
		for _, c := range refused {
			if got := post(target.url, c.auth, reminderID); got != c.status {
				t.Errorf("%s, %s: %d, want %d", target.name, c.name, got, c.status)
			}
		}
		// The tasks account's own token is accepted: the notice is already sent, so
		// dispatch has nothing to do (204), and sends nothing again.
		if got := post(target.url, tok(s.Config.TasksAudience, devstack.TasksServiceAccount), createdID); got != http.StatusNoContent {
			t.Errorf("%s, the tasks account's token: %d, want 204", target.name, got)
		}
	}

	if n := len(s.Meta.Requests()); n != sends {
		t.Errorf("refused calls reached Meta: %d requests, had %d", n, sends)
	}
	after := getJob(t, s, ten.ID, reminderID)
	if after.Status != reminderBefore.Status || len(after.Attempts) != len(reminderBefore.Attempts) {
		t.Errorf("refused calls changed the reminder: %s (%d attempts), was %s (%d)",
			after.Status, len(after.Attempts), reminderBefore.Status, len(reminderBefore.Attempts))
	}
}
