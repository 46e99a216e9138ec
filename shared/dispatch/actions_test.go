package dispatch

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/meta"
)

func TestActionReason(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"  jobs de teste  ", "jobs de teste", true},
		{"abc", "abc", true},
		{"ab", "", false},
		{"   ", "", false},
		{"", "", false},
		{"ção", "ção", true}, // 3 characters, 5 bytes
		{strings.Repeat("é", 500), strings.Repeat("é", 500), true},
		{strings.Repeat("a", 501), "", false},
		{"linha\noutra", "", false},
		{"tab\there", "", false},
		{"\xff\xfe\xfd", "", false},
	} {
		got, problem := ActionReason(tc.in)
		if (problem == "") != tc.ok || got != tc.want {
			t.Errorf("ActionReason(%q) = %q, %q; want %q, ok=%v", tc.in, got, problem, tc.want, tc.ok)
		}
	}
}

func TestDecideAction(t *testing.T) {
	now := time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)
	ahead := &domain.Appointment{ID: "apt_1", Status: domain.AppointmentScheduled, StartsAt: now.Add(48 * time.Hour), ScheduleVersion: 1}
	started := &domain.Appointment{ID: "apt_1", Status: domain.AppointmentScheduled, StartsAt: now.Add(-time.Hour), ScheduleVersion: 1}
	canceled := &domain.Appointment{ID: "apt_1", Status: domain.AppointmentCanceled, StartsAt: now.Add(48 * time.Hour), ScheduleVersion: 1}
	moved := &domain.Appointment{ID: "apt_1", Status: domain.AppointmentScheduled, StartsAt: now.Add(72 * time.Hour), ScheduleVersion: 2}
	job := func(typ domain.JobType, st domain.JobStatus, edit func(*domain.Job)) *domain.Job {
		j := &domain.Job{ID: "apt_1-" + string(typ), TenantID: "t1", AppointmentID: "apt_1", Type: typ, Status: st,
			ScheduledFor: now.Add(-time.Hour), ScheduleVersion: 1, CreatedAt: now.Add(-2 * time.Hour)}
		j.AddEvent(now.Add(-2*time.Hour), "created", "")
		if edit != nil {
			edit(j)
		}
		return j
	}
	failedWith := func(code string, errCode, httpStatus int) func(*domain.Job) {
		return func(j *domain.Job) {
			j.AddAttempt(domain.Attempt{N: 1, At: now.Add(-time.Hour), Outcome: "failed", HTTPStatus: httpStatus, ErrorCode: errCode})
			j.ReasonCode, j.Reason, j.ErrorCode = code, "falhou", errCode
			j.AddEvent(now.Add(-time.Hour), "failed", "falhou")
		}
	}
	sentThenFailed := func(j *domain.Job) {
		j.AddAttempt(domain.Attempt{N: 1, At: now.Add(-time.Hour), Outcome: "sent"})
		j.ProviderMessageID, j.SentAt = "wamid.X", now.Add(-time.Hour)
		j.AddEvent(now.Add(-time.Hour), "sent", "")
		j.ReasonCode = domain.ReasonMetaError
		j.AddEvent(now.Add(-time.Hour+time.Second), "failed", "a Meta não entregou")
	}
	reminderAhead := func(j *domain.Job) { j.ScheduledFor = now.Add(23 * time.Hour) }
	retry := meta.RetryPolicy{MaxRetries: 3, BaseDelay: time.Minute, UnknownWait: 10 * time.Minute}

	for _, tc := range []struct {
		name   string
		job    *domain.Job
		apt    *domain.Appointment
		action Action
		drain  string
		// want: the status afterwards and its reason code, or the refusal code.
		allowed    bool
		status     domain.JobStatus
		reasonCode string
		refused    string
		enqueue    bool
		already    bool
	}{
		// fail
		{name: "fail pending", job: job(domain.JobCreated, domain.JobPending, nil), action: ActionFail, allowed: true, status: domain.JobFailed, reasonCode: domain.ReasonOperationalFailure},
		{name: "fail queued", job: job(domain.JobReminder, domain.JobQueued, nil), action: ActionFail, allowed: true, status: domain.JobFailed, reasonCode: domain.ReasonOperationalFailure},
		{name: "fail unknown", job: job(domain.JobCreated, domain.JobUnknown, nil), action: ActionFail, allowed: true, status: domain.JobFailed, reasonCode: domain.ReasonOperationalFailure},
		{name: "fail legacy status", job: job(domain.JobCreated, "waiting_v0", nil), action: ActionFail, allowed: true, status: domain.JobFailed, reasonCode: domain.ReasonOperationalFailure},
		{name: "fail sending claimed 20 min ago", job: job(domain.JobCreated, domain.JobSending, func(j *domain.Job) { j.LeaseUntil = now.Add(-19 * time.Minute) }), action: ActionFail, allowed: true, status: domain.JobFailed, reasonCode: domain.ReasonOperationalFailure},
		{name: "fail sending right now", job: job(domain.JobCreated, domain.JobSending, func(j *domain.Job) { j.LeaseUntil = now.Add(30 * time.Second) }), action: ActionFail, refused: RefusedSending},
		{name: "fail sending claimed 10 min ago", job: job(domain.JobCreated, domain.JobSending, func(j *domain.Job) { j.LeaseUntil = now.Add(-10 * time.Minute) }), action: ActionFail, refused: RefusedSending},
		{name: "fail sent", job: job(domain.JobCreated, domain.JobSent, nil), action: ActionFail, refused: RefusedSettled},
		{name: "fail read", job: job(domain.JobCreated, domain.JobRead, nil), action: ActionFail, refused: RefusedSettled},
		{name: "fail failed", job: job(domain.JobCreated, domain.JobFailed, nil), action: ActionFail, refused: RefusedSettled},
		{name: "fail skipped", job: job(domain.JobCreated, domain.JobSkipped, nil), action: ActionFail, refused: RefusedSettled},

		// discard
		{name: "discard pending", job: job(domain.JobCreated, domain.JobPending, nil), action: ActionDiscard, allowed: true, status: domain.JobSkipped, reasonCode: domain.ReasonDiscarded},
		{name: "discard queued with a retry waiting", job: job(domain.JobCreated, domain.JobQueued, func(j *domain.Job) { j.NextRetryAt = now.Add(time.Minute) }), action: ActionDiscard, allowed: true, status: domain.JobSkipped, reasonCode: domain.ReasonDiscarded},
		{name: "discard sending", job: job(domain.JobCreated, domain.JobSending, nil), action: ActionDiscard, refused: RefusedNotUnsent},
		{name: "discard unknown", job: job(domain.JobCreated, domain.JobUnknown, nil), action: ActionDiscard, refused: RefusedNotUnsent},
		{name: "discard sent", job: job(domain.JobCreated, domain.JobSent, nil), action: ActionDiscard, refused: RefusedNotUnsent},
		{name: "discard failed", job: job(domain.JobCreated, domain.JobFailed, nil), action: ActionDiscard, refused: RefusedNotUnsent},

		// retry
		{name: "retry: retries exhausted", job: job(domain.JobCreated, domain.JobFailed, failedWith(domain.ReasonRetriesExhausted, 131000, 500)), apt: ahead, action: ActionRetry, allowed: true, status: domain.JobQueued, enqueue: true},
		{name: "retry: token missing, reconnected", job: job(domain.JobCreated, domain.JobFailed, failedWith(domain.ReasonTokenUnavailable, 0, 0)), apt: ahead, action: ActionRetry, allowed: true, status: domain.JobQueued, enqueue: true},
		{name: "retry: token expired (190)", job: job(domain.JobCreated, domain.JobFailed, failedWith(domain.ReasonMetaError, 190, 401)), apt: ahead, action: ActionRetry, allowed: true, status: domain.JobQueued, enqueue: true},
		{name: "retry: bare 401", job: job(domain.JobCreated, domain.JobFailed, failedWith(domain.ReasonMetaError, 0, 401)), apt: ahead, action: ActionRetry, allowed: true, status: domain.JobQueued, enqueue: true},
		{name: "retry: operational failure of a pending job", job: job(domain.JobReminder, domain.JobFailed, failedWith(domain.ReasonOperationalFailure, 0, 0)), apt: ahead, action: ActionRetry, allowed: true, status: domain.JobQueued, enqueue: true},
		{name: "retry: cancellation notice, appointment canceled", job: job(domain.JobCanceled, domain.JobFailed, failedWith(domain.ReasonRetriesExhausted, 0, 503)), apt: canceled, action: ActionRetry, allowed: true, status: domain.JobQueued, enqueue: true},
		{name: "retry: permanent Meta error (template paused)", job: job(domain.JobCreated, domain.JobFailed, failedWith(domain.ReasonMetaError, 132015, 400)), apt: ahead, action: ActionRetry, refused: RefusedNotRetryable},
		{name: "retry: invalid recipient", job: job(domain.JobCreated, domain.JobFailed, failedWith(domain.ReasonMetaError, 131026, 400)), apt: ahead, action: ActionRetry, refused: RefusedNotRetryable},
		{name: "retry: outcome unknown", job: job(domain.JobCreated, domain.JobFailed, failedWith(domain.ReasonOutcomeUnknown, 0, 0)), apt: ahead, action: ActionRetry, refused: RefusedMaybeSent},
		{name: "retry: failed by the owner while sending", job: job(domain.JobCreated, domain.JobFailed, func(j *domain.Job) {
			j.AddAttempt(domain.Attempt{N: 1, At: now, Outcome: "unknown"})
			j.ReasonCode = domain.ReasonOperationalFailure
		}), apt: ahead, action: ActionRetry, refused: RefusedMaybeSent},
		{name: "retry: failed after an unknown outcome", job: job(domain.JobCreated, domain.JobFailed, func(j *domain.Job) {
			j.AddEvent(now.Add(-time.Hour), "unknown", "")
			j.ReasonCode = domain.ReasonOperationalFailure
		}), apt: ahead, action: ActionRetry, refused: RefusedMaybeSent},
		{name: "retry: sent, then Meta reported failed", job: job(domain.JobCreated, domain.JobFailed, sentThenFailed), apt: ahead, action: ActionRetry, refused: RefusedAlreadySent},
		{name: "retry: only a provider status time", job: job(domain.JobCreated, domain.JobFailed, func(j *domain.Job) {
			j.ReasonCode = domain.ReasonRetriesExhausted
			j.ProviderStatusTimes = map[string]time.Time{"failed": now}
		}), apt: ahead, action: ActionRetry, refused: RefusedAlreadySent},
		{name: "retry: sent", job: job(domain.JobCreated, domain.JobSent, func(j *domain.Job) { j.ProviderMessageID = "wamid.Y" }), apt: ahead, action: ActionRetry, refused: RefusedAlreadySent},
		{name: "retry: delivered", job: job(domain.JobCreated, domain.JobDelivered, nil), apt: ahead, action: ActionRetry, refused: RefusedAlreadySent},
		{name: "retry: read", job: job(domain.JobCreated, domain.JobRead, nil), apt: ahead, action: ActionRetry, refused: RefusedAlreadySent},
		{name: "retry: skipped", job: job(domain.JobCreated, domain.JobSkipped, nil), apt: ahead, action: ActionRetry, refused: RefusedNotFailed},
		{name: "retry: pending", job: job(domain.JobCreated, domain.JobPending, nil), apt: ahead, action: ActionRetry, refused: RefusedNotFailed},
		{name: "retry: appointment started", job: job(domain.JobReminder, domain.JobFailed, failedWith(domain.ReasonRetriesExhausted, 0, 503)), apt: started, action: ActionRetry, refused: RefusedAppointmentGone},
		{name: "retry: appointment canceled", job: job(domain.JobCreated, domain.JobFailed, failedWith(domain.ReasonRetriesExhausted, 0, 503)), apt: canceled, action: ActionRetry, refused: RefusedAppointmentGone},
		{name: "retry: appointment gone", job: job(domain.JobCreated, domain.JobFailed, failedWith(domain.ReasonRetriesExhausted, 0, 503)), action: ActionRetry, refused: RefusedAppointmentGone},

		// send_now
		{name: "send now: pending reminder", job: job(domain.JobReminder, domain.JobPending, reminderAhead), apt: ahead, action: ActionSendNow, allowed: true, status: domain.JobQueued, enqueue: true},
		{name: "send now: queued reminder", job: job(domain.JobReminder, domain.JobQueued, reminderAhead), apt: ahead, action: ActionSendNow, allowed: true, status: domain.JobQueued, enqueue: true},
		{name: "send now: reminder already due", job: job(domain.JobReminder, domain.JobQueued, nil), apt: ahead, action: ActionSendNow, refused: RefusedNotWaiting},
		{name: "send now: reminder with a retry", job: job(domain.JobReminder, domain.JobQueued, func(j *domain.Job) {
			reminderAhead(j)
			j.AddAttempt(domain.Attempt{N: 1, At: now, Outcome: "retry"})
		}), apt: ahead, action: ActionSendNow, refused: RefusedNotWaiting},
		{name: "send now: sent reminder", job: job(domain.JobReminder, domain.JobSent, reminderAhead), apt: ahead, action: ActionSendNow, refused: RefusedNotWaiting},
		{name: "send now: booking notice", job: job(domain.JobCreated, domain.JobPending, reminderAhead), apt: ahead, action: ActionSendNow, refused: RefusedNotReminder},
		{name: "send now: appointment started", job: job(domain.JobReminder, domain.JobPending, reminderAhead), apt: started, action: ActionSendNow, refused: RefusedAppointmentGone},
		{name: "send now: appointment canceled", job: job(domain.JobReminder, domain.JobPending, reminderAhead), apt: canceled, action: ActionSendNow, refused: RefusedAppointmentGone},
		{name: "send now: appointment rescheduled", job: job(domain.JobReminder, domain.JobPending, reminderAhead), apt: moved, action: ActionSendNow, refused: RefusedAppointmentGone},
		{name: "send now: appointment gone", job: job(domain.JobReminder, domain.JobPending, reminderAhead), action: ActionSendNow, refused: RefusedAppointmentGone},

		// drains and unknown actions
		{name: "drain: first time", job: job(domain.JobCreated, domain.JobPending, nil), action: ActionFail, drain: "d-1", allowed: true, status: domain.JobFailed, reasonCode: domain.ReasonOperationalFailure},
		{name: "drain: already marked", job: job(domain.JobCreated, domain.JobFailed, func(j *domain.Job) {
			j.AddEvent(now.Add(-time.Minute), ActionEvent(ActionFail), "Limpeza da fila d-1: marcada como falha por x@y: z.")
		}), action: ActionFail, drain: "d-1", already: true, status: domain.JobFailed},
		{name: "drain: marked by another drain", job: job(domain.JobCreated, domain.JobFailed, func(j *domain.Job) {
			j.AddEvent(now.Add(-time.Minute), ActionEvent(ActionFail), "Limpeza da fila d-1: marcada como falha por x@y: z.")
		}), action: ActionFail, drain: "d-2", refused: RefusedSettled},
		{name: "unknown action", job: job(domain.JobCreated, domain.JobPending, nil), action: "delete", refused: RefusedUnknownAction},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := cloneJob(tc.job)
			d := DecideAction(ActionInput{Job: tc.job, Appointment: tc.apt, Action: tc.action, Reason: "job de teste antigo",
				By: "jana@studio.example", DrainID: tc.drain, Retry: retry, Now: now})
			if len(tc.job.Timeline) != len(before.Timeline) || tc.job.Status != before.Status || len(tc.job.Attempts) != len(before.Attempts) {
				t.Fatal("DecideAction changed its input")
			}
			if d.Already != tc.already {
				t.Fatalf("Already = %v, want %v", d.Already, tc.already)
			}
			if d.Allowed != tc.allowed {
				t.Fatalf("Allowed = %v (%s: %s), want %v", d.Allowed, d.Code, d.Refusal, tc.allowed)
			}
			if !d.Allowed {
				if d.Code != tc.refused || (tc.refused != "" && d.Refusal == "") || d.Job != nil || d.Enqueue != nil {
					t.Fatalf("refusal = %q %q (job %v, enqueue %v), want %q", d.Code, d.Refusal, d.Job != nil, d.Enqueue, tc.refused)
				}
				if d.Status != tc.job.Status {
					t.Errorf("Status = %s for a refusal, want the job's %s", d.Status, tc.job.Status)
				}
				return
			}
			j := d.Job
			if d.Status != tc.status || j.Status != tc.status || j.ReasonCode != tc.reasonCode {
				t.Fatalf("status %s/%s reason %q, want %s %q", d.Status, j.Status, j.ReasonCode, tc.status, tc.reasonCode)
			}
			if j.Settled != false {
				t.Errorf("Settled set by the rule; the store derives it")
			}
			if (d.Enqueue != nil) != tc.enqueue {
				t.Fatalf("Enqueue = %v, want %v", d.Enqueue, tc.enqueue)
			}
			// Nothing of the job is removed: the old timeline is a prefix of the new one.
			if len(j.Timeline) <= len(before.Timeline) {
				t.Fatalf("timeline did not grow: %+v", j.Timeline)
			}
			for i, e := range before.Timeline {
				if j.Timeline[i] != e {
					t.Fatalf("timeline entry %d changed: %+v → %+v", i, e, j.Timeline[i])
				}
			}
			var rec *domain.TimelineEntry
			for i := range j.Timeline[len(before.Timeline):] {
				if e := &j.Timeline[len(before.Timeline)+i]; e.Event == ActionEvent(tc.action) {
					rec = e
				}
			}
			if rec == nil || !rec.At.Equal(now) || !strings.Contains(rec.Detail, "jana@studio.example") || !strings.Contains(rec.Detail, "job de teste antigo") {
				t.Fatalf("no audit entry with who and why: %+v", j.Timeline)
			}
			if tc.drain != "" && (!strings.HasPrefix(rec.Detail, "Limpeza da fila "+tc.drain+":") || !MarkedByDrain(j, tc.drain)) {
				t.Errorf("drain entry %q does not name the drain", rec.Detail)
			}
			switch tc.reasonCode {
			case domain.ReasonOperationalFailure:
				if j.Reason != "Falha operacional: job de teste antigo." {
					t.Errorf("reason %q", j.Reason)
				}
			case domain.ReasonDiscarded:
				if j.Reason != "Descartada pelo responsável: job de teste antigo." {
					t.Errorf("reason %q", j.Reason)
				}
			}
			switch tc.action {
			case ActionFail:
				if tc.job.Status == domain.JobSending {
					if a := j.Attempts[len(j.Attempts)-1]; a.Outcome != "unknown" || j.AttemptCount() != before.AttemptCount()+1 {
						t.Errorf("stuck send's attempt not recorded unknown: %+v", j.Attempts)
					}
				}
			case ActionRetry:
				if j.Reason != "" || j.ReasonCode != "" || !j.NextRetryAt.IsZero() || j.AttemptCount() != before.AttemptCount() {
					t.Errorf("retry left %q %q %v attempts %d", j.ReasonCode, j.Reason, j.NextRetryAt, j.AttemptCount())
				}
			case ActionSendNow:
				if !j.ScheduledFor.Equal(now) {
					t.Errorf("scheduled_for = %v, want now", j.ScheduledFor)
				}
			}
		})
	}
}

// Each retry or send-now has its own task name, never one of dispatch's own deliveries.
func TestActionPurposeIsUnique(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)
	seen := map[string]bool{}
	for i := 0; i < 3; i++ {
		for _, a := range []Action{ActionRetry, ActionSendNow} {
			p := string(ActionPurpose(a, t0.Add(time.Duration(i)*time.Millisecond)))
			if seen[p] || strings.HasPrefix(p, "send-") || strings.HasPrefix(p, "check-") {
				t.Errorf("purpose %q repeats or collides with dispatch's", p)
			}
			seen[p] = true
		}
	}
}

// TestAllowedActions: the actions offered are exactly those DecideAction allows.
func TestAllowedActions(t *testing.T) {
	now := time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)
	ahead := &domain.Appointment{ID: "apt_1", Status: domain.AppointmentScheduled, StartsAt: now.Add(48 * time.Hour), ScheduleVersion: 1}
	retry := meta.RetryPolicy{MaxRetries: 3, BaseDelay: time.Minute, UnknownWait: 10 * time.Minute}
	job := func(typ domain.JobType, st domain.JobStatus, edit func(*domain.Job)) *domain.Job {
		j := &domain.Job{ID: "apt_1-" + string(typ), TenantID: "t1", AppointmentID: "apt_1", Type: typ, Status: st,
			ScheduledFor: now.Add(23 * time.Hour), ScheduleVersion: 1, CreatedAt: now.Add(-2 * time.Hour)}
		if edit != nil {
			edit(j)
		}
		return j
	}
	tokenFailed := func(j *domain.Job) {
		j.AddAttempt(domain.Attempt{N: 1, At: now.Add(-time.Hour), Outcome: "failed", HTTPStatus: 401, ErrorCode: 190})
		j.ReasonCode, j.Reason, j.ErrorCode = domain.ReasonMetaError, "falhou", 190
	}
	sent := func(j *domain.Job) { j.ProviderMessageID, j.SentAt = "wamid.X", now.Add(-time.Hour) }
	for _, tc := range []struct {
		name string
		job  *domain.Job
		want string
	}{
		{"a reminder waiting for its time", job(domain.JobReminder, domain.JobPending, nil), "[fail discard send_now]"},
		{"a queued notice", job(domain.JobCreated, domain.JobQueued, func(j *domain.Job) { j.ScheduledFor = now }), "[fail discard]"},
		{"a notice failed on the token", job(domain.JobCreated, domain.JobFailed, tokenFailed), "[retry]"},
		{"a sent notice", job(domain.JobCreated, domain.JobSent, sent), "[]"},
		{"a read reminder", job(domain.JobReminder, domain.JobRead, sent), "[]"},
		{"a skipped notice", job(domain.JobCreated, domain.JobSkipped, nil), "[]"},
	} {
		if got := fmt.Sprint(AllowedActions(tc.job, ahead, retry, now)); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}
