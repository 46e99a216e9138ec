package dispatch

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/meta"
)

// limitUsage counts n other clients, the oldest 20 h ago, one minute apart after that.
func limitUsage(n int) domain.LimitUsage {
	var u domain.LimitUsage
	for i := range n {
		u.Recipients = append(u.Recipients, domain.LimitRecipient{ID: domain.LimitKey(fmt.Sprintf("55219%08d", i)),
			At: testNow.Add(-20*time.Hour + time.Duration(i)*time.Minute)})
	}
	return u
}

func TestApplyLimit(t *testing.T) {
	reminder := func(in *Input) {
		in.Job.Type, in.Job.ID = domain.JobReminder, "apt-appointment_reminder"
		in.Job.ScheduleVersion = 1
	}
	for _, c := range []struct {
		name    string
		limit   int
		used    int
		change  func(*Input)
		counted bool // the usage read and written
		hold    bool
		reason  string
		reached bool // the client was already counted
	}{
		{"limit not read: no usage read", domain.LimitNotRead, 0, nil, false, false, "", false},
		{"unlimited: no usage read", domain.LimitUnlimited, 0, nil, false, false, "", false},
		{"booking notice below the limit: counted", 10, 9, nil, true, false, "", false},
		{"booking notice at the limit: held", 10, 10, nil, true, true, "Aviso aguardando: o limite da Meta de 10 clientes", false},
		{"reminder at 90 %: held", 10, 9, reminder, true, true, "Lembrete aguardando: 9 de 10 clientes", false},
		{"reminder below 90 %: counted", 10, 8, reminder, true, false, "", false},
		{"reminder at the limit to a client already reached: sent", 10, 10, reminder, true, false, "", true},
		{"an answer inside the window is never held", 10, 10, asReply, false, false, "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := testInput()
			in.Tenant.WhatsApp.MessagingLimit = c.limit
			if c.change != nil {
				c.change(&in)
			}
			u := limitUsage(c.used)
			if c.reached {
				u.Recipients[0].ID = domain.LimitKey("+5511987654321")
			}
			d := Decide(in)
			if NeedsLimitUsage(in.Tenant, d) != c.counted {
				t.Fatalf("NeedsLimitUsage = %v, want %v", !c.counted, c.counted)
			}
			got, next := ApplyLimit(in, d, u)
			if c.hold {
				if got.Step != Update || got.Job.Status != domain.JobQueued || next != nil {
					t.Fatalf("held: step %v status %s usage %v", got.Step, got.Job.Status, next)
				}
				ev := got.Job.Timeline[len(got.Job.Timeline)-1]
				if ev.Event != EventLimitHold || !strings.Contains(ev.Detail, c.reason) {
					t.Fatalf("timeline %+v, want %q", ev, c.reason)
				}
				until := testNow.Add(4 * time.Hour) // when the oldest counted client leaves
				if !got.Job.NextRetryAt.Equal(until) || got.Next == nil || !got.Next.At.Equal(until) {
					t.Fatalf("retry at %v (task %+v), want %v", got.Job.NextRetryAt, got.Next, until)
				}
				if got.Job.AttemptCount() != 0 || got.Job.Status.Final() {
					t.Fatal("a held job made an attempt or was settled")
				}
				if in.Job.Status != domain.JobQueued || len(in.Job.Timeline) != 0 {
					t.Fatal("ApplyLimit changed the stored job")
				}
				return
			}
			if got.Step != d.Step {
				t.Fatalf("step %v, want %v", got.Step, d.Step)
			}
			if !c.counted {
				if next != nil {
					t.Fatal("usage written for an uncounted send")
				}
				return
			}
			want := c.used + 1
			if c.reached {
				want = c.used
			}
			if next == nil || next.Count(testNow) != want || !next.Counts(domain.LimitKey("5511987654321"), testNow) {
				t.Fatalf("usage after the claim: %v, want %d counting the client", next, want)
			}
		})
	}
}

// A send Meta refuses with 131048 (beyond the portfolio's messaging limit) is held for
// an hour with a Portuguese note, not failed.
func TestRecordMessagingLimitRefusal(t *testing.T) {
	in := testInput()
	d := Decide(in)
	if d.Step != Claim {
		t.Fatalf("step %v", d.Step)
	}
	sp, _ := time.LoadLocation("America/Sao_Paulo")
	rec := Record(SendOutcome{Job: d.Job, Location: sp, Attempt: 1, Now: testNow, Retry: in.Config.Retry(),
		Err: &meta.APIError{HTTPStatus: 400, Code: meta.CodeMessagingLimit, Message: "(#131048) Spam rate limit hit"}})
	if rec.Job.Status != domain.JobQueued || !rec.Job.NextRetryAt.Equal(testNow.Add(meta.MaxRetryDelay)) || rec.Next == nil {
		t.Fatalf("status %s, retry at %v, task %+v", rec.Job.Status, rec.Job.NextRetryAt, rec.Next)
	}
	ev := rec.Job.Timeline[len(rec.Job.Timeline)-1]
	if !strings.Contains(ev.Detail, "A Meta limitou os envios deste número") {
		t.Fatalf("note %q", ev.Detail)
	}
}
