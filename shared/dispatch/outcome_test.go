package dispatch

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/meta"
	"github.com/lembra-app/lembra/shared/ptbr"
	"github.com/lembra-app/lembra/shared/queue"
)

func TestRecord(t *testing.T) {
	sao, _ := time.LoadLocation("America/Sao_Paulo")
	policy := meta.RetryPolicy{MaxRetries: 5, BaseDelay: 30 * time.Second, UnknownWait: 15 * time.Minute}
	sending := func() *domain.Job {
		j := &domain.Job{ID: "j", Status: domain.JobSending, LeaseUntil: testNow.Add(time.Minute),
			ReasonCode: "x", Reason: "antes", ErrorCode: 131000}
		j.AddEvent(testNow.Add(-time.Minute), "created", "")
		return j
	}
	ok := meta.Result{MessageID: "wamid.1"}
	throttled := &meta.APIError{HTTPStatus: 400, Code: 130429, Message: "Rate limit hit"}
	pairRate := &meta.APIError{HTTPStatus: 400, Code: 131056, Message: "(#131056) (Business Account, Consumer Account) pair rate limit hit"}
	unknown := fmt.Errorf("%w: timeout", meta.ErrOutcomeUnknown)
	cases := []struct {
		name    string
		job     func() *domain.Job
		attempt int
		res     meta.Result
		err     error
		status  domain.JobStatus
		outcome string // of the recorded attempt
		code    string // the job's reason code
		next    *FollowUp
		forget  bool
		wamid   string // the job's ProviderMessageID afterwards ("": none)
		check   func(t *testing.T, j *domain.Job)
	}{
		{name: "sent", job: sending, attempt: 1, res: ok, status: domain.JobSent, outcome: "sent", wamid: "wamid.1",
			check: func(t *testing.T, j *domain.Job) {
				if j.ProviderMessageID != "wamid.1" || j.ProviderStatus != "sent" || !j.SentAt.Equal(testNow) ||
					j.Reason != "" || j.ErrorCode != 0 || !j.LeaseUntil.IsZero() || !j.HasEvent("sent") {
					t.Errorf("job %+v", j)
				}
			}},
		{name: "sent once a status webhook already said so: one sent event", job: func() *domain.Job {
			j := sending()
			j.AddEvent(testNow, "sent", "")
			return j
		}, attempt: 1, res: ok, status: domain.JobSent, outcome: "sent", wamid: "wamid.1",
			check: func(t *testing.T, j *domain.Job) {
				n := 0
				for _, e := range j.Timeline {
					if e.Event == "sent" {
						n++
					}
				}
				if n != 1 {
					t.Errorf("%d sent events", n)
				}
			}},
		{name: "answer lost: unknown, checked after the wait", job: sending, attempt: 2, err: unknown,
			status: domain.JobUnknown, outcome: "unknown", code: "x",
			next: &FollowUp{Purpose: queue.CheckPurpose(2), At: testNow.Add(15 * time.Minute)}},
		{name: "unknown outcome on the last attempt still waits for its webhook", job: sending, attempt: 6, err: unknown,
			status: domain.JobUnknown, outcome: "unknown", code: "x",
			next: &FollowUp{Purpose: queue.CheckPurpose(6), At: testNow.Add(15 * time.Minute)}},
		{name: "token missing", job: sending, attempt: 1, err: &meta.TokenMissingError{Err: errors.New("secret not found")},
			status: domain.JobFailed, outcome: "failed", code: domain.ReasonTokenUnavailable},
		{name: "permanent Meta error", job: sending, attempt: 1,
			err:    &meta.APIError{HTTPStatus: 400, Code: 131026, Message: "Message undeliverable"},
			status: domain.JobFailed, outcome: "failed", code: domain.ReasonMetaError,
			check: func(t *testing.T, j *domain.Job) {
				a := j.Attempts[len(j.Attempts)-1]
				if j.ErrorCode != 131026 || j.ErrorTitle != "Message undeliverable" || j.Reason != ptbr.MetaError(131026) ||
					a.HTTPStatus != 400 || a.ErrorCode != 131026 {
					t.Errorf("job %+v attempt %+v", j, a)
				}
			}},
		{name: "token expired: failed, and the cached token forgotten", job: sending, attempt: 1,
			err:    &meta.APIError{HTTPStatus: 401, Code: 190},
			status: domain.JobFailed, outcome: "failed", code: domain.ReasonMetaError, forget: true},
		{name: "bare 401: failed, and the cached token forgotten", job: sending, attempt: 1,
			err:    &meta.APIError{HTTPStatus: 401},
			status: domain.JobFailed, outcome: "failed", code: domain.ReasonMetaError, forget: true},
		{name: "throttled: retried after the base delay", job: sending, attempt: 1, err: throttled,
			status: domain.JobQueued, outcome: "retry", code: "x",
			next: &FollowUp{Purpose: queue.SendPurpose(2), At: testNow.Add(30 * time.Second)},
			check: func(t *testing.T, j *domain.Job) {
				e := j.Timeline[len(j.Timeline)-1]
				want := "Limite da Meta de mensagens por segundo deste número: nova tentativa às 09:00:30."
				if e.Event != "retry_scheduled" || e.Detail != want || !j.NextRetryAt.Equal(testNow.Add(30*time.Second)) {
					t.Errorf("event %+v, want detail %q; retry %v", e, want, j.NextRetryAt)
				}
				if a := j.Attempts[len(j.Attempts)-1]; a.ErrorCode != 130429 || a.HTTPStatus != 400 {
					t.Errorf("attempt %+v", a)
				}
			}},
		{name: "pair rate (131056): retried, not failed, with the note of Meta's limit", job: sending, attempt: 1, err: pairRate,
			status: domain.JobQueued, outcome: "retry", code: "x",
			next: &FollowUp{Purpose: queue.SendPurpose(2), At: testNow.Add(30 * time.Second)},
			check: func(t *testing.T, j *domain.Job) {
				e := j.Timeline[len(j.Timeline)-1]
				want := "Limite da Meta para mensagens seguidas ao mesmo cliente: nova tentativa às 09:00:30."
				if e.Event != "retry_scheduled" || e.Detail != want {
					t.Errorf("event %+v, want detail %q", e, want)
				}
				if a := j.Attempts[len(j.Attempts)-1]; a.ErrorCode != 131056 || a.HTTPStatus != 400 || a.Outcome != "retry" {
					t.Errorf("attempt %+v", a)
				}
			}},
		{name: "pair rate on the last allowed attempt: failed, retries used up", job: sending, attempt: 6, err: pairRate,
			status: domain.JobFailed, outcome: "retry", code: domain.ReasonRetriesExhausted,
			check: func(t *testing.T, j *domain.Job) {
				if j.ErrorCode != 131056 || !strings.Contains(j.Reason, ptbr.MetaError(131056)) {
					t.Errorf("job %+v", j)
				}
			}},
		{name: "network failure on the third attempt: the delay doubles twice", job: sending, attempt: 3,
			err: fmt.Errorf("%w: refused", meta.ErrTransport), status: domain.JobQueued, outcome: "retry", code: "x",
			next: &FollowUp{Purpose: queue.SendPurpose(4), At: testNow.Add(2 * time.Minute)},
			check: func(t *testing.T, j *domain.Job) {
				if d := j.Timeline[len(j.Timeline)-1].Detail; !strings.HasPrefix(d, ptbr.TextNetwork) {
					t.Errorf("detail %q", d)
				}
			}},
		{name: "bare 500: retried, the HTTP status named", job: sending, attempt: 1, err: &meta.APIError{HTTPStatus: 500},
			status: domain.JobQueued, outcome: "retry", code: "x",
			next: &FollowUp{Purpose: queue.SendPurpose(2), At: testNow.Add(30 * time.Second)},
			check: func(t *testing.T, j *domain.Job) {
				if d := j.Timeline[len(j.Timeline)-1].Detail; !strings.HasPrefix(d, fmt.Sprintf(ptbr.TextMetaHTTPError, 500)) {
					t.Errorf("detail %q", d)
				}
			}},
		{name: "retryable failure of the last allowed attempt: failed", job: sending, attempt: 6, err: throttled,
			status: domain.JobFailed, outcome: "retry", code: domain.ReasonRetriesExhausted,
			check: func(t *testing.T, j *domain.Job) {
				if j.ErrorCode != 130429 || j.ErrorTitle != "Rate limit hit" || !strings.Contains(j.Reason, ptbr.MetaError(130429)) {
					t.Errorf("job %+v", j)
				}
			}},
		{name: "settled by a status webhook during the send: kept, Meta's id recorded",
			job: func() *domain.Job { j := sending(); j.Status = domain.JobDelivered; return j }, attempt: 1, res: ok,
			status: domain.JobDelivered, outcome: "settled_by_webhook", code: "x", wamid: "wamid.1",
			check: func(t *testing.T, j *domain.Job) {
				if j.ProviderMessageID != "wamid.1" {
					t.Errorf("provider id %q", j.ProviderMessageID)
				}
			}},
		{name: "settled by a webhook that named the message: its id kept",
			job: func() *domain.Job {
				j := sending()
				j.Status, j.ProviderMessageID = domain.JobRead, "wamid.0"
				return j
			}, attempt: 1, res: ok, status: domain.JobRead, outcome: "settled_by_webhook", code: "x", wamid: "wamid.0"},
		{name: "settled by a webhook, the send refused for its token: kept, token forgotten",
			job: func() *domain.Job { j := sending(); j.Status = domain.JobFailed; return j }, attempt: 1,
			err: &meta.APIError{HTTPStatus: 401, Code: 190}, status: domain.JobFailed, outcome: "settled_by_webhook", code: "x", forget: true},
		{name: "late failure after the claim expired into unknown: nothing changes",
			job: func() *domain.Job {
				j := sending()
				j.Status, j.NextRetryAt = domain.JobUnknown, testNow.Add(10*time.Minute)
				return j
			}, attempt: 1, err: throttled, status: domain.JobUnknown, outcome: "late", code: "x",
			check: func(t *testing.T, j *domain.Job) {
				if !j.NextRetryAt.Equal(testNow.Add(10 * time.Minute)) {
					t.Errorf("retry moved to %v", j.NextRetryAt)
				}
			}},
		{name: "late success after the claim expired into unknown: sent",
			job: func() *domain.Job { j := sending(); j.Status = domain.JobUnknown; return j }, attempt: 1, res: ok,
			status: domain.JobSent, outcome: "sent", wamid: "wamid.1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := c.job()
			before := cloneJob(in)
			r := Record(SendOutcome{Job: in, Location: sao, Attempt: c.attempt, Result: c.res, Err: c.err, Retry: policy, Now: testNow})
			j := r.Job
			if !reflect.DeepEqual(in, before) {
				t.Error("Record changed its input job")
			}
			if j.Status != c.status || j.ReasonCode != c.code {
				t.Errorf("status %s reason %s; want %s %q", j.Status, j.ReasonCode, c.status, c.code)
			}
			wantError := c.err != nil && c.outcome != "settled_by_webhook" // a settled job keeps what the webhook said
			if a := j.Attempts[len(j.Attempts)-1]; a.N != c.attempt || a.Outcome != c.outcome || !a.At.Equal(testNow) || wantError != (a.Error != "") {
				t.Errorf("attempt %+v; want n %d outcome %s", a, c.attempt, c.outcome)
			}
			if !reflect.DeepEqual(r.Next, c.next) || r.ForgetToken != c.forget || r.Job.ProviderMessageID != c.wamid {
				t.Errorf("next %+v forget %v wamid %q; want %+v %v %q", r.Next, r.ForgetToken, r.Job.ProviderMessageID, c.next, c.forget, c.wamid)
			}
			if !j.LeaseUntil.IsZero() {
				t.Errorf("lease kept: %v", j.LeaseUntil)
			}
			if c.status == domain.JobFailed && c.outcome != "settled_by_webhook" && j.Reason == "" {
				t.Error("failed without a Portuguese reason")
			}
			if c.check != nil {
				c.check(t, j)
			}
		})
	}
}

// An outcome is stored when the job holds its attempt entry: the same number at the
// same moment (to the microsecond Firestore keeps), not another attempt's.
func TestOutcomeStored(t *testing.T) {
	at := time.Date(2026, 12, 1, 21, 0, 0, 123456789, time.UTC)
	stored := &domain.Job{Attempts: []domain.Attempt{{N: 1, At: at.Add(-time.Minute), Outcome: "retry"}, {N: 2, At: at.Truncate(time.Microsecond), Outcome: "retry"}}}
	for _, c := range []struct {
		name    string
		job     *domain.Job
		attempt int
		at      time.Time
		want    bool
	}{
		{"this attempt, read back from Firestore", stored, 2, at, true},
		{"this attempt, as this process kept it", &domain.Job{Attempts: []domain.Attempt{{N: 2, At: at}}}, 2, at, true},
		{"an earlier attempt only", stored, 3, at, false},
		{"the same number at another time (a claim that expired and was made again)", stored, 2, at.Add(time.Second), false},
		{"no attempts", &domain.Job{}, 1, at, false},
	} {
		if got := OutcomeStored(c.job, c.attempt, c.at); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
