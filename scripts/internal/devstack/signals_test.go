package devstack_test

import (
	"bufio"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/lembra-app/lembra/scripts/internal/devstack"
	"github.com/lembra-app/lembra/scripts/internal/standin/metastandin"
	"github.com/lembra-app/lembra/shared/config"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/logging"
	"github.com/lembra-app/lembra/shared/meta"
)

// logMetric is a google_logging_metric of terraform/monitoring.tf, as far as a local
// log line can be matched against it: its jsonPayload terms (one of messages, and every
// other key equal to its value) and the jsonPayload keys its labels are extracted from.
type logMetric struct {
	Name     string
	Messages []string
	Equal    map[string]string
	Labels   []string
}

// monitoringMetrics reads the log-based metrics of terraform/monitoring.tf (the
// Terraform test, terraform/monitoring_test.go, checks the rest of that file).
func monitoringMetrics(t *testing.T) []logMetric {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "terraform", "monitoring.tf"))
	if err != nil {
		t.Fatal(err)
	}
	src := string(b)
	var out []logMetric
	head := regexp.MustCompile(`(?m)^resource\s+"google_logging_metric"\s+"([a-z_]+)"\s*\{`)
	filter := regexp.MustCompile(`(?m)^\s*filter\s*=\s*"((?:[^"\\]|\\.)*)"`)
	term := regexp.MustCompile(`jsonPayload\.([A-Za-z0-9_]+)\s*=\s*"((?:[^"\\]|\\.)*)"`)
	label := regexp.MustCompile(`"EXTRACT\(jsonPayload\.([a-z_]+)\)"`)
	locs := head.FindAllStringSubmatchIndex(src, -1)
	for i, loc := range locs {
		end := len(src)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		body := src[loc[1]:end]
		m := logMetric{Name: src[loc[2]:loc[3]], Equal: map[string]string{}}
		f := filter.FindStringSubmatch(body)
		if f == nil {
			t.Fatalf("google_logging_metric.%s: no filter", m.Name)
		}
		text, err := strconv.Unquote(`"` + f[1] + `"`)
		if err != nil {
			t.Fatalf("google_logging_metric.%s: filter %s: %v", m.Name, f[1], err)
		}
		for _, tm := range term.FindAllStringSubmatch(text, -1) {
			if tm[1] == "message" {
				m.Messages = append(m.Messages, tm[2])
			} else {
				m.Equal[tm[1]] = tm[2]
			}
		}
		for _, l := range label.FindAllStringSubmatch(body, -1) {
			m.Labels = append(m.Labels, l[1])
		}
		out = append(out, m)
	}
	if len(out) == 0 {
		t.Fatal("terraform/monitoring.tf declares no google_logging_metric")
	}
	return out
}

// matches reports whether a JSON log line (as Cloud Logging's jsonPayload) is counted by m.
func (m logMetric) matches(line map[string]any) bool {
	msg, _ := line["message"].(string)
	ok := false
	for _, want := range m.Messages {
		ok = ok || msg == want
	}
	for k, v := range m.Equal {
		ok = ok && line[k] == v
	}
	return ok
}

// TestOperatorSignalsAreLogged drives the local stack through every situation an alert of
// terraform/monitoring.tf is about, and checks that each log-based metric's filter matches
// a line the functions really wrote, with its labels (the tenant) filled in.
func TestOperatorSignalsAreLogged(t *testing.T) {
	t.Parallel()
	logs := &syncBuffer{}
	s := devstack.ForTest(t, devstack.Options{
		Log: logging.New(logs, slog.LevelDebug),
		Configure: func(c *config.Config) {
			c.RetryBaseDelay = 200 * time.Millisecond
			c.MetaTimeout = time.Second
		},
		QueueRetry: &cloudtaskspb.RetryConfig{
			MaxAttempts: 5, MinBackoff: durationpb.New(100 * time.Millisecond),
			MaxBackoff: durationpb.New(time.Second), MaxDoublings: 3,
		},
	})
	ctx := context.Background()
	ten, key := demo(t, s, nil)

	// A send (job sent), then Meta refusing the token (job failed, meta access token rejected).
	if job := notice(t, s, ten, key, "signals-sent"); job.Status != domain.JobSent {
		t.Fatalf("first notice: %s %q", job.Status, job.Reason)
	}
	s.Meta.FailNext(metastandin.Fault{HTTPStatus: 401, Code: 190, Subcode: 463,
		Message: "Error validating access token: Session has expired on Friday, 27-Nov-26 10:00:00 PST."})
	if job := notice(t, s, ten, key, "signals-190"); job.Status != domain.JobFailed || job.ErrorCode != 190 {
		t.Fatalf("notice with an expired token: %s code %d", job.Status, job.ErrorCode)
	}

	// A delivery with a wrong signature, and one signed but unreadable (a dead letter).
	body := []byte(`{"object":"whatsapp_business_account","entry":[]}`)
	if got := postWebhook(t, s, body, meta.Sign(body, []byte("not-the-app-secret"))); got != 403 {
		t.Fatalf("wrong signature: %d, want 403", got)
	}
	if status, err := s.Meta.Post(ctx, []byte(`{"object":"whatsapp_business_account","entry":[{"id":`)); err != nil || status != 200 {
		t.Fatalf("signed garbage: %d %v", status, err)
	}

	// A reminder scan.
	resp, err := s.RunReminderScan(ctx)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("reminder scan: %v %v", resp, err)
	}
	resp.Body.Close()

	// The studio disconnects its number.
	postSigned(t, s, accountBody(ten, "PARTNER_REMOVED", time.Now().Add(-time.Minute),
		`"phone_number":"15550783881","disconnection_info":{"reason":"PRIMARY_INACTIVITY","initiated_by":"SYSTEM"}`))
	waitTenant(t, s, ten.ID, "tenant disconnected", func(x *domain.Tenant) bool { return x.WhatsApp.Status == domain.AccountDisconnected })

	// The app secret rotated at Meta but not in Secret Manager: debug_token refuses the
	// app token with a top-level 190. The run stops with an error, logs the operator's
	// line once and judges no studio.
	s.Meta.SetApp(s.Config.MetaAppID, "rotated-at-meta")
	resp, err = s.RunTokenCheck(ctx)
	if err != nil || resp.StatusCode != 500 {
		t.Fatalf("token check with the app token refused: %v %v, want 500", resp, err)
	}
	resp.Body.Close()
	if x, err := mustStore(t, s).GetTenant(ctx, ten.ID); err != nil || x.WhatsApp.TokenCheck != nil {
		t.Fatalf("the app token refused recorded a verdict: %+v %v", x.WhatsApp.TokenCheck, err)
	}
	s.Meta.SetApp(s.Config.MetaAppID, devstack.AppSecret)

	// The daily token check: the stand-in's debug_token knows no onboarded business
	// for the demo's token, so it answers is_valid false (code 190).
	resp, err = s.RunTokenCheck(ctx)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("token check: %v %v", resp, err)
	}
	resp.Body.Close()

	metrics := monitoringMetrics(t)
	counted := func() map[string][]map[string]any {
		out := map[string][]map[string]any{}
		sc := bufio.NewScanner(strings.NewReader(logs.String()))
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var line map[string]any
			if json.Unmarshal(sc.Bytes(), &line) != nil {
				continue
			}
			for _, m := range metrics {
				if m.matches(line) {
					out[m.Name] = append(out[m.Name], line)
				}
			}
		}
		return out
	}
	var got map[string][]map[string]any
	eventually(t, 10*time.Second, "a line for every log-based metric", func() bool {
		got = counted()
		for _, m := range metrics {
			if len(got[m.Name]) == 0 {
				return false
			}
		}
		return true
	})
	for _, m := range metrics {
		for _, line := range got[m.Name] {
			for _, l := range m.Labels {
				if v, _ := line[l].(string); v == "" {
					t.Errorf("google_logging_metric.%s: label %s is empty on %v", m.Name, l, line)
				} else if l == "tenant_id" && v != ten.ID {
					t.Errorf("google_logging_metric.%s: tenant_id %q, want %q", m.Name, v, ten.ID)
				}
			}
		}
	}

	// The counts the alerts read: one token refusal and one failure (the 190 is not
	// retried), two settled sends, one signature refusal (the unreadable delivery was
	// signed), one dead letter, one account that cannot send.
	want := map[string]int{
		"meta_token_rejected": 1, "job_failed": 1, "job_settled": 2, "webhook_signature_rejected": 1,
		"dead_letter_kept": 1, "account_cannot_send": 1, "token_check_invalid": 1, "meta_app_token_refused": 1,
	}
	for name, n := range want {
		if len(got[name]) != n {
			t.Errorf("google_logging_metric.%s counted %d lines, want %d", name, len(got[name]), n)
		}
	}
	if line := got["meta_token_rejected"]; len(line) == 1 && (line[0]["error_code"] != float64(190) || line[0]["severity"] != "ERROR") {
		t.Errorf("token refusal line: %v, want error_code 190 at ERROR", line[0])
	}
	if line := got["meta_app_token_refused"]; len(line) == 1 && (line[0]["error_code"] != float64(190) || line[0]["severity"] != "ERROR") {
		t.Errorf("app token refusal line: %v, want error_code 190 at ERROR", line[0])
	}
	if line := got["account_cannot_send"]; len(line) == 1 && (line[0]["block"] != domain.BlockDisconnected || line[0]["event"] != "PARTNER_REMOVED") {
		t.Errorf("account line: %v, want block %s for PARTNER_REMOVED", line[0], domain.BlockDisconnected)
	}

	// The demo's token becomes one the stand-in's debug_token knows (the business's code
	// exchanged): the next check finds it valid and lifts the block.
	demoSpec := devstack.DemoTenant()
	s.Meta.AddBusiness(metastandin.Business{Code: "code-signals", Token: demoSpec.AccessToken, WABAID: ten.WhatsApp.WABAID,
		PhoneNumberID: ten.WhatsApp.PhoneNumberID, DisplayPhoneNumber: ten.WhatsApp.DisplayPhoneNumber})
	ex, err := http.Get(s.MetaURL + "/v23.0/oauth/access_token?" + url.Values{"client_id": {s.Config.MetaAppID},
		"client_secret": {devstack.AppSecret}, "code": {"code-signals"}}.Encode())
	if err != nil || ex.StatusCode != 200 {
		t.Fatalf("code exchange at the stand-in: %v %v", ex, err)
	}
	ex.Body.Close()
	if resp, err = s.RunTokenCheck(ctx); err != nil || resp.StatusCode != 200 {
		t.Fatalf("token check: %v %v", resp, err)
	}
	resp.Body.Close()
	waitTenant(t, s, ten.ID, "token valid again", func(x *domain.Tenant) bool { return x.WhatsApp.TokenCheck != nil && x.WhatsApp.TokenCheck.Valid })

	// Reconnecting writes no new "cannot send" line.
	postSigned(t, s, accountBody(ten, "PARTNER_ADDED", time.Now(), `"waba_info":{"waba_id":"`+ten.WhatsApp.WABAID+`","owner_business_id":"2329417887457253"}`))
	waitTenant(t, s, ten.ID, "tenant reconnected", func(x *domain.Tenant) bool { return x.WhatsApp.Status == domain.AccountConnected })
	if n := len(counted()["account_cannot_send"]); n != 1 {
		t.Errorf("after reconnecting: %d account lines, want still 1", n)
	}
	if t.Failed() {
		t.Log(logs.String())
	}
}
