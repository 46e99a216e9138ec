package dispatch

import (
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/meta"
	"github.com/lembra-app/lembra/shared/ptbr"
	"github.com/lembra-app/lembra/shared/queue"
)

// Action is what the studio's owner asks of one job from the dashboard (or, for fail
// and discard, of many at once: the queue drain).
type Action string

const (
	// ActionFail marks a stuck or legacy job failed ("falha operacional").
	ActionFail Action = "fail"
	// ActionDiscard skips a job that has not gone out (a test job).
	ActionDiscard Action = "discard"
	// ActionRetry gives a failed job a new attempt, under the same job.
	ActionRetry Action = "retry"
	// ActionSendNow sends a reminder waiting for its time now.
	ActionSendNow Action = "send_now"
)

// Actions lists every action, in the order the API documents them.
var Actions = []Action{ActionFail, ActionDiscard, ActionRetry, ActionSendNow}

// StuckSending is how long a job must have been claimed (sending) before the owner may
// mark it failed: its claim's lease (the Meta timeout and a margin, under a minute) has
// long run out, so no live send still holds it.
const StuckSending = 15 * time.Minute

// Bounds of the owner's reason, in characters.
const (
	MinActionReason = 3
	MaxActionReason = 500
)

// ActionReason checks and tidies the owner's reason (required, 3 to 500 characters,
// no control characters but spaces): it returns the trimmed text, or a problem in
// English for the API's 400.
func ActionReason(s string) (string, string) {
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	switch {
	case !utf8.ValidString(s):
		return "", "reason must be UTF-8 text"
	case n == 0:
		return "", "reason is required: say in a few words why (it is recorded on the job)"
	case n < MinActionReason:
		return "", fmt.Sprintf("reason must be at least %d characters", MinActionReason)
	case n > MaxActionReason:
		return "", fmt.Sprintf("reason must be at most %d characters", MaxActionReason)
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != ' ' {
			return "", "reason must be one line of text without control characters"
		}
	}
	return s, ""
}

// ActionInput is what DecideAction reads.
type ActionInput struct {
	Job *domain.Job // as stored; DecideAction never changes it
	// Appointment is the job's appointment (nil: none or gone); send_now and retry of an
	// appointment's template message read it.
	Appointment *domain.Appointment
	Action      Action
	Reason      string // the owner's words, already checked by ActionReason
	By          string // who: the signed-in owner's e-mail
	// DrainID names the queue drain this action is part of ("" for a single action).
	DrainID string
	Retry   meta.RetryPolicy
	Now     time.Time
}

// ActionDecision is what DecideAction returns.
type ActionDecision struct {
	Allowed bool
	// Job is the job to write (a changed copy) when Allowed.
	Job *domain.Job
	// Status is the job's status afterwards (its current one when refused).
	Status domain.JobStatus
	// Code and Refusal say why an action is refused: a stable code and a Portuguese
	// sentence for the owner.
	Code, Refusal string
	// Already: the drain DrainID already marked this job (nothing to do, not a refusal).
	Already bool
	// Enqueue is the task to create once the job is stored (retry, send_now).
	Enqueue *FollowUp
}

// Refusal codes of DecideAction.
const (
	RefusedUnknownAction   = "unknown_action"
	RefusedAlreadySent     = "already_sent"
	RefusedMaybeSent       = "maybe_sent"
	RefusedNotFailed       = "not_failed"
	RefusedNotRetryable    = "not_retryable"
	RefusedSettled         = "settled"
	RefusedSending         = "sending"
	RefusedNotUnsent       = "not_unsent"
	RefusedNotReminder     = "not_reminder"
	RefusedNotWaiting      = "not_waiting"
	RefusedAppointmentGone = "appointment_gone"
)

// AllowedActions lists the actions DecideAction would allow on the job now (the
// dashboard offers only these; the action itself is decided again when it is asked).
func AllowedActions(j *domain.Job, apt *domain.Appointment, retry meta.RetryPolicy, now time.Time) []Action {
	out := []Action{}
	for _, a := range Actions {
		if DecideAction(ActionInput{Job: j, Appointment: apt, Action: a, Reason: "-", Retry: retry, Now: now}).Allowed {
			out = append(out, a)
		}
	}
	return out
}

// ActionEvent is the timeline event that records an action (with who and why in its
// detail), e.g. "action_fail".
func ActionEvent(a Action) string { return "action_" + string(a) }

// ActionPurpose names the task of a retry or a send-now: one per action (its time), so
// that it never collides with the task of an earlier delivery of the job (Cloud Tasks
// refuses a name used within about an hour, and dispatch's own tasks are send-n and
// check-n).
func ActionPurpose(a Action, at time.Time) queue.Purpose {
	return queue.Purpose(fmt.Sprintf("action-%s-%d", a, at.UnixNano()))
}

// DecideAction is the one rule of the owner's actions on a job:
//   - fail: a job that is pending, queued, unknown, claimed (sending) for StuckSending
//     or more, or in a status this version does not know (a legacy job) becomes failed,
//     "falha operacional: <reason>". A stuck send's outcome is recorded unknown, as the
//     request may have reached Meta.
//   - discard: a job that has not gone out (pending or queued) is skipped,
//     "descartada pela responsável: <reason>".
//   - retry: a failed job Meta never accepted (no message id, no sent time, no status
//     from Meta, no attempt that may have reached it), whose failure trying again can
//     fix (meta.Classify says retryable, the retries ran out, the token was missing or
//     rejected and can be reconnected, or the owner failed it herself), and whose
//     appointment, for a template message about one, is still active and ahead, goes
//     back to queued with a task now: the next delivery makes a new attempt through
//     every send rule.
//   - send_now: a reminder never tried, pending or queued, whose time is still ahead
//     and whose appointment (same schedule version) is active and ahead is due now
//     and queued, with a task now.
//
// Every allowed action is recorded on the timeline (ActionEvent) with who and why;
// nothing is removed from the job. A drain (DrainID) that already marked a job reports
// Already and changes nothing.
func DecideAction(in ActionInput) ActionDecision {
	j, now := in.Job, in.Now
	refuse := func(code, text string) ActionDecision {
		return ActionDecision{Status: j.Status, Code: code, Refusal: text}
	}
	if in.DrainID != "" && MarkedByDrain(j, in.DrainID) {
		return ActionDecision{Status: j.Status, Already: true}
	}
	c := cloneJob(j)
	record := func() {
		c.AddEvent(now, ActionEvent(in.Action), ptbr.OpsActionDetail(string(in.Action), in.By, in.Reason, in.DrainID))
	}
	switch in.Action {
	case ActionFail:
		switch {
		case j.Status == domain.JobSending && now.Sub(claimedAt(j)) < StuckSending:
			return refuse(RefusedSending, ptbr.TextActionSendingNow)
		case knownStatus(j.Status) && j.Status.Final():
			return refuse(RefusedSettled, ptbr.TextActionSettled)
		}
		if j.Status == domain.JobSending {
			c.AddAttempt(domain.Attempt{N: j.AttemptCount() + 1, At: now, Outcome: "unknown",
				Error: "marked failed by the owner while claimed; the request may have reached Meta"})
		}
		record()
		c.Finish(now, domain.JobFailed, ptbr.OperationalFailure(in.Reason))
	case ActionDiscard:
		if !j.Status.Unsent() {
			return refuse(RefusedNotUnsent, ptbr.TextActionNotUnsent)
		}
		record()
		c.Finish(now, domain.JobSkipped, ptbr.Discarded(in.Reason))
	case ActionRetry:
		switch {
		case MetaAccepted(j):
			return refuse(RefusedAlreadySent, ptbr.TextActionAlreadySent)
		case j.Status != domain.JobFailed:
			return refuse(RefusedNotFailed, ptbr.TextActionNotFailed)
		case mayHaveReachedMeta(j):
			return refuse(RefusedMaybeSent, ptbr.TextActionMaybeSent)
		case !retryableFailure(j):
			return refuse(RefusedNotRetryable, ptbr.TextActionNotRetryable)
		case aboutAppointment(j) && !appointmentAhead(in.Appointment, now):
			return refuse(RefusedAppointmentGone, ptbr.TextActionAppointmentGone)
		}
		record()
		c.Status = domain.JobQueued
		c.ReasonCode, c.Reason = "", "" // the failure stays on the timeline
		c.NextRetryAt, c.LeaseUntil = time.Time{}, time.Time{}
		c.AddEvent(now, "queued", "")
		return ActionDecision{Allowed: true, Job: c, Status: c.Status, Enqueue: &FollowUp{Purpose: ActionPurpose(in.Action, now)}}
	case ActionSendNow:
		switch {
		case j.Type != domain.JobReminder:
			return refuse(RefusedNotReminder, ptbr.TextActionNotReminder)
		case !j.Status.Unsent() || j.AttemptCount() > 0 || !j.ScheduledFor.After(now):
			return refuse(RefusedNotWaiting, ptbr.TextActionNotWaiting)
		case !appointmentAhead(in.Appointment, now) || in.Appointment.ScheduleVersion != j.ScheduleVersion:
			return refuse(RefusedAppointmentGone, ptbr.TextActionAppointmentGone)
		}
		record()
		c.ScheduledFor = now
		c.MarkQueued(now)
		return ActionDecision{Allowed: true, Job: c, Status: c.Status, Enqueue: &FollowUp{Purpose: ActionPurpose(in.Action, now)}}
	default:
		return refuse(RefusedUnknownAction, ptbr.TextActionUnknown)
	}
	return ActionDecision{Allowed: true, Job: c, Status: c.Status}
}

// MarkedByDrain reports whether the drain drainID already recorded its action on j.
func MarkedByDrain(j *domain.Job, drainID string) bool {
	marker := "Limpeza da fila " + drainID + ":"
	for _, e := range j.Timeline {
		if strings.HasPrefix(e.Event, "action_") && strings.HasPrefix(e.Detail, marker) {
			return true
		}
	}
	return false
}

// MetaAccepted reports whether Meta took the job's message: it has Meta's message id, a
// sent time, a status Meta reported, or reached sent, delivered or read.
func MetaAccepted(j *domain.Job) bool {
	if j.ProviderMessageID != "" || !j.SentAt.IsZero() || j.ProviderStatus != "" || len(j.ProviderStatusTimes) > 0 {
		return true
	}
	switch j.Status {
	case domain.JobSent, domain.JobDelivered, domain.JobRead:
		return true
	}
	return j.HasEvent(string(domain.JobSent)) || j.HasEvent(string(domain.JobDelivered)) || j.HasEvent(string(domain.JobRead))
}

// mayHaveReachedMeta reports whether an attempt of the job may have reached Meta without
// its answer being known (an unknown outcome, a send a webhook settled, a late answer).
func mayHaveReachedMeta(j *domain.Job) bool {
	if j.ReasonCode == domain.ReasonOutcomeUnknown || j.HasEvent(string(domain.JobUnknown)) {
		return true
	}
	for _, a := range j.Attempts {
		switch a.Outcome {
		case "sent", "unknown", "settled_by_webhook", "late":
			return true
		}
	}
	return false
}

// retryableFailure reports whether trying a failed job again can help: its failure is
// retryable by meta.Classify (the retries ran out on one), the token was missing or
// rejected by Meta (meta.ForgetToken: reconnecting the account fixes it), or the owner
// failed it herself (operational failure).
func retryableFailure(j *domain.Job) bool {
	switch j.ReasonCode {
	case domain.ReasonRetriesExhausted, domain.ReasonTokenUnavailable, domain.ReasonOperationalFailure:
		return true
	case domain.ReasonMetaError:
		err := &meta.APIError{Code: j.ErrorCode, HTTPStatus: lastHTTPStatus(j)}
		return meta.Classify(err) == meta.ClassRetryable || meta.ForgetToken(err)
	}
	return false
}

func lastHTTPStatus(j *domain.Job) int {
	for i := len(j.Attempts) - 1; i >= 0; i-- {
		if j.Attempts[i].HTTPStatus != 0 {
			return j.Attempts[i].HTTPStatus
		}
	}
	return http.StatusBadRequest
}

// aboutAppointment reports whether the job is a template message about its appointment
// (the booking notice, the reminder), which makes sense only while it is ahead.
func aboutAppointment(j *domain.Job) bool {
	return j.Type == domain.JobCreated || j.Type == domain.JobReminder
}

func appointmentAhead(apt *domain.Appointment, now time.Time) bool {
	return apt != nil && apt.Status.Active() && apt.StartsAt.After(now)
}

// claimedAt is when a sending job was claimed: its lease ends the Meta timeout and a
// margin after the claim (under a minute), so the lease's end is an upper bound; a
// claim with no lease is as old as the job's last change.
func claimedAt(j *domain.Job) time.Time {
	if !j.LeaseUntil.IsZero() {
		return j.LeaseUntil
	}
	return j.UpdatedAt
}

// knownStatus reports whether s is a status this version writes.
func knownStatus(s domain.JobStatus) bool {
	switch s {
	case domain.JobPending, domain.JobQueued, domain.JobSending, domain.JobUnknown,
		domain.JobSent, domain.JobDelivered, domain.JobRead, domain.JobFailed, domain.JobSkipped:
		return true
	}
	return false
}
