package dispatch

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/lembra-app/lembra/shared/config"
	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/meta"
	"github.com/lembra-app/lembra/shared/ptbr"
	"github.com/lembra-app/lembra/shared/queue"
)

// The rules of a dispatch are pure functions of plain values: Decide (what one
// delivery of a job's task does, with Plan, the rules whether and how the job is
// sent) and Record (what the outcome of a send makes of the job). The store
// transactions in dispatch.go and outcome.go only gather their inputs and write what
// they return.

// Input is what the rules of a delivery read.
type Input struct {
	Job         *domain.Job         // as stored; the rules never change it
	Appointment *domain.Appointment // nil: the appointment is gone
	Tenant      *domain.Tenant
	// LastInbound is when the client last wrote (their conversation ledger; zero: never).
	// It is read only for a job NeedsLastInbound reports.
	LastInbound time.Time
	// Ledger is the client's conversation ledger as read with LastInbound (nil: not
	// read, or none): a cancellation notice's window (domain.CancelWindowInbound) and,
	// for a tenant past its opt-out set's bound, the client's opt-out.
	Ledger *domain.Conversation
	// Config gives the mode, the allowlist, the test recipient, the retry policy and
	// the Meta timeout.
	Config config.Config
	Now    time.Time
}

// NeedsLastInbound reports whether the rules for j read the client's last inbound
// time, and from which conversation: a session message still to be sent (a button
// reply, or a cancellation notice, whose window is the ledger's latest message unless
// the tenant keeps the strict rule: domain.CancelWindowInbound).
func NeedsLastInbound(j *domain.Job) (identity string, ok bool) {
	if j.DeliveryMode != domain.DeliverySession || j.Recipient == "" {
		return "", false
	}
	switch j.Status {
	case domain.JobPending, domain.JobQueued, domain.JobUnknown:
		return domain.ClientIdentity(j.Recipient), true
	}
	return "", false
}

// Verdict is what the send rules decide for a job that may be sent.
type Verdict int

const (
	Skip   Verdict = iota + 1 // a rule says no; Plan.Reason says which
	DryRun                    // every rule passed, but the mode is dry run: record the request only
	Send                      // send Plan.Message
)

// Plan is the decision of the send rules.
type Plan struct {
	Verdict Verdict
	Reason  domain.Reason // Skip, and DryRun's own reason
	Message meta.Message  // DryRun and Send: the request Meta gets (or would get)
	// Template is set for a template message (DryRun and Send): the job records which
	// template goes to whom.
	Template *TemplateFields
	// TestNote (Send) says, in Portuguese, that the dry-run mode sends the message to the
	// studio's test number instead of the client; the job's timeline records it.
	TestNote string
}

// TemplateFields are the job fields a template send sets.
type TemplateFields struct {
	Name, Language, Recipient string
}

func skip(r domain.Reason) Plan { return Plan{Verdict: Skip, Reason: r} }
func skipCode(code string) Plan { return skip(ptbr.Reason(code)) }

// withMode applies the dry-run mode to a send, only once every rule has passed: a
// studio with a test number (StudioTest) sends it for real, addressed by recipient to
// that number, with a note for the job's timeline; else it becomes a dry run (the
// request recorded only).
func (p Plan) withMode(m, env domain.Mode, t *domain.Tenant) Plan {
	if p.Verdict != Send || m != domain.ModeDryRun {
		return p
	}
	if StudioTest(env, t) {
		p.TestNote = ptbr.TestRecipientSent(p.Message.To)
		return p
	}
	p.Verdict, p.Reason = DryRun, ptbr.Reason(domain.ReasonDryRun)
	return p
}

// EventTestRecipient is the timeline event of a send the dry-run mode addressed to the
// studio's test number (Plan.TestNote is its detail).
const EventTestRecipient = "test_recipient"

// StudioTest reports whether a send goes, for real, to the studio's own test number
// instead of the client: the studio chose dry run and has a test number, and the
// environment (env, WHATSAPP_AUTOMATION_MODE) lets messages go out. An environment in
// dry run or disabled sends nothing to Meta at all, whatever its studios say.
func StudioTest(env domain.Mode, t *domain.Tenant) bool {
	return domain.EffectiveMode(env, domain.ModeEnabled) == domain.ModeEnabled &&
		t.Mode == domain.ModeDryRun && t.TestRecipient != ""
}

// PlanSend applies, in this order, the rules that decide whether a job may be sent and
// builds its message: the mode (disabled), the environment's allowlist, the tenant's
// kill switch, a connected number, the account's state (disconnected, banned,
// restricted); then for a session message its recipient and the 24-hour window, and for
// a template message the appointment (canceled or gone, started, rescheduled since a
// reminder was made) and its template (configured, approved). A job every rule lets
// through is sent, or, in dry-run mode, only recorded (or, when the studio has a test
// number, sent to that number only).
func PlanSend(in Input) Plan {
	j, apt, t, cfg, now := in.Job, in.Appointment, in.Tenant, in.Config, in.Now
	mode := domain.EffectiveMode(cfg.Mode, t.Mode)
	switch {
	case mode == domain.ModeDisabled:
		return skipCode(domain.ReasonModeDisabled)
	case !cfg.TenantAllowed(t.ID):
		return skipCode(domain.ReasonTenantNotAllowed)
	case t.KillSwitch:
		return skipCode(domain.ReasonKillSwitch)
	case t.WhatsApp.PhoneNumberID == "" || t.WhatsApp.AccessTokenSecret == "":
		return skipCode(domain.ReasonNoPhoneNumber)
	case ClientOptedOut(in):
		return skip(ptbr.ClientOptedOut())
	}
	delivery := domain.DeliveryTemplate
	if j.DeliveryMode == domain.DeliverySession {
		delivery = domain.DeliverySession
	}
	// A number Meta disconnected, disabled or restricted sends nothing until that is lifted.
	if b, blocked := t.WhatsApp.SendBlock(delivery, now); blocked {
		return skip(ptbr.AccountBlocked(b, t.Location()))
	}
	if delivery == domain.DeliverySession {
		return planSession(in, mode).withMode(mode, cfg.Mode, t)
	}
	switch {
	case apt == nil || !apt.Status.Active():
		return skipCode(domain.ReasonAppointmentGone)
	case !apt.StartsAt.After(now):
		return skipCode(domain.ReasonAppointmentPast)
	case j.Type == domain.JobReminder && j.ScheduleVersion != apt.ScheduleVersion:
		return skipCode(domain.ReasonRescheduled) // a reminder of the time before a reschedule
	}
	tpl, ok := t.JobTemplate(j) // a reminder's is its offset's (domain.ReminderTemplateKey)
	if !ok {
		return skipCode(domain.ReasonTemplateMissing)
	}
	if st, ok := t.TemplateApproved(tpl); !ok {
		return skip(ptbr.TemplateRefused(tpl.Name, tpl.Language, st.Status, st.Reason))
	}
	to := recipient(cfg, t, mode, apt.ClientPhone)
	location := apt.Location
	if location == "" {
		location = t.LocationLine
	}
	loc := t.Location()
	params := []string{apt.ClientName, apt.Service, ptbr.Date(apt.StartsAt, loc), ptbr.Time(apt.StartsAt, loc), location}
	return Plan{
		Verdict:  Send,
		Message:  meta.TemplateMessage(to, tpl.Name, tpl.Language, params, meta.CallbackData(t.ID, j.ID)),
		Template: &TemplateFields{Name: tpl.Name, Language: tpl.Language, Recipient: to},
	}.withMode(mode, cfg.Mode, t)
}

// planSession checks the 24-hour window, at send time, before a free-form message.
func planSession(in Input, mode domain.Mode) Plan {
	j, t := in.Job, in.Tenant
	if j.Recipient == "" {
		return skipCode(domain.ReasonNoRecipient)
	}
	last := in.LastInbound
	if j.Type == domain.JobCanceled {
		// The notice rests on the client's latest message (or, strict, her latest about
		// this appointment): the same rule as at the cancel (booking.CancelWindowFor).
		last = time.Time{}
		if in.Appointment != nil {
			last = domain.CancelWindowInbound(in.Appointment, in.Ledger, t.StrictCancelWindow).At
		}
	}
	if !domain.WindowOpen(last, in.Now) {
		if last.IsZero() {
			return skipCode(domain.ReasonWindowClosed)
		}
		return skip(ptbr.WindowClosedAtSend(last, t.Location()))
	}
	return Plan{Verdict: Send, Message: meta.TextMessage(recipient(in.Config, t, mode, j.Recipient), j.Text, meta.CallbackData(t.ID, j.ID))}
}

// recipient is the number a message for the client to goes to: the environment's
// development override that routes every send to one number wins over everything;
// then, in the studio's test (StudioTest), the studio's test number; else the client.
func recipient(cfg config.Config, t *domain.Tenant, mode domain.Mode, to string) string {
	switch {
	case cfg.TestRecipient != "":
		return cfg.TestRecipient
	case mode == domain.ModeDryRun && StudioTest(cfg.Mode, t):
		return t.TestRecipient
	}
	return to
}

// earlySkew tolerates a task delivered slightly before its job's time.
const earlySkew = time.Minute

// leaseMargin is how much longer than the Meta timeout a claim lasts: more than the
// send's own deadline (Service.send), so a live send never loses its claim.
const leaseMargin = 30 * time.Second

// Step is what one delivery of a job's task does.
type Step int

const (
	Wait   Step = iota + 1 // too early: deliver the task again at Decision.At; nothing changes
	Ignore                 // nothing to do (the job is settled); nothing changes
	Update                 // write Decision.Job; nothing is sent
	Claim                  // write Decision.Job (claimed), then send Decision.Plan.Message
)

// FollowUp is a task to create for the job once its change is stored.
type FollowUp struct {
	Purpose queue.Purpose
	At      time.Time
}

// Decision is what Decide returns.
type Decision struct {
	Step    Step
	At      time.Time   // Wait
	Job     *domain.Job // Update and Claim: the job to write (a changed copy)
	Plan    *Plan       // when the send rules ran
	Attempt int         // Claim: the number of the attempt the send makes
	Next    *FollowUp   // Update: a task to create after the write
}

// Decide is what one delivery of a job's task does: wait if it came too early, nothing
// if the job is settled, and otherwise, by the job's status:
//   - sending (a claim whose lease ran out before it recorded an outcome, so its request
//     may have reached Meta): the outcome becomes unknown, and a check is scheduled after
//     the wait for a status webhook;
//   - unknown: sent if Meta's id for the send is known after all; failed if the retries
//     are used up; else tried again through the send rules;
//   - pending or queued: the send rules (PlanSend): skipped with the reason, recorded as a
//     dry run, or claimed for the send.
func Decide(in Input) Decision {
	now := in.Now
	if at, wait := notDue(in.Job, now); wait {
		return Decision{Step: Wait, At: at}
	}
	retry := in.Config.Retry()
	j := cloneJob(in.Job)
	switch j.Status {
	case domain.JobSending:
		j.AddAttempt(domain.Attempt{N: j.AttemptCount() + 1, At: now, Outcome: "unknown",
			Error: "the claim expired before an outcome was recorded"})
		j.Status = domain.JobUnknown
		j.NextRetryAt = now.Add(retry.UnknownWait)
		j.LeaseUntil = time.Time{}
		j.AddEvent(now, string(domain.JobUnknown), ptbr.TextLeaseExpired)
		return Decision{Step: Update, Job: j, Next: &FollowUp{Purpose: queue.CheckPurpose(j.AttemptCount()), At: j.NextRetryAt}}
	case domain.JobUnknown:
		if j.ProviderMessageID != "" {
			// Meta's id for the send is known after all: it went out.
			j.Status = domain.JobSent
			j.NextRetryAt = time.Time{}
			j.AddEvent(now, "sent", "")
			return Decision{Step: Update, Job: j}
		}
		if retry.Exhausted(j.AttemptCount()) {
			j.Finish(now, domain.JobFailed, ptbr.Reason(domain.ReasonOutcomeUnknown))
			return Decision{Step: Update, Job: j}
		}
		j.AddEvent(now, "retry", ptbr.TextUnknownRetry)
	case domain.JobPending, domain.JobQueued:
	default: // sent, delivered, read, failed, skipped: nothing more to do
		return Decision{Step: Ignore}
	}
	p := PlanSend(in)
	d := Decision{Step: Update, Job: j, Plan: &p}
	if p.Template != nil {
		j.DeliveryMode = domain.DeliveryTemplate
		j.TemplateName, j.TemplateLanguage = p.Template.Name, p.Template.Language
		j.Recipient = p.Template.Recipient
	}
	switch p.Verdict {
	case Skip:
		j.Finish(now, domain.JobSkipped, p.Reason)
	case DryRun:
		body, _ := json.Marshal(p.Message) // a struct of strings: never fails
		j.DryRunRequest = string(body)
		j.Finish(now, domain.JobSkipped, p.Reason)
	case Send:
		if p.TestNote != "" {
			j.AddEvent(now, EventTestRecipient, p.TestNote)
		}
		j.Status = domain.JobSending
		j.LeaseUntil = now.Add(in.Config.MetaTimeout + leaseMargin)
		j.NextRetryAt = time.Time{}
		d.Step, d.Attempt = Claim, j.AttemptCount()+1
	}
	return d
}

// notDue reports whether a delivery of the job's task comes too early, and when to
// come back: another delivery holds the claim (until its lease ends, in case it dies
// without recording an outcome), an unknown outcome is still waiting for its status
// webhook, a retry's time has not come, or the job's own time has not come.
func notDue(j *domain.Job, now time.Time) (time.Time, bool) {
	switch j.Status {
	case domain.JobSending:
		return j.LeaseUntil, now.Before(j.LeaseUntil)
	case domain.JobUnknown:
		return j.NextRetryAt, now.Before(j.NextRetryAt)
	case domain.JobPending, domain.JobQueued:
		if !j.NextRetryAt.IsZero() && now.Before(j.NextRetryAt) {
			return j.NextRetryAt, true
		}
		if now.Add(earlySkew).Before(j.ScheduledFor) {
			return j.ScheduledFor, true
		}
	}
	return time.Time{}, false
}

// cloneJob copies a job deeply enough that changing the copy (status, fields, timeline,
// attempts, provider times) leaves the original as it was.
func cloneJob(j *domain.Job) *domain.Job {
	c := *j
	c.Attempts = slices.Clone(j.Attempts)
	c.Timeline = slices.Clone(j.Timeline)
	c.ProviderStatusTimes = maps.Clone(j.ProviderStatusTimes)
	c.CountedOn = maps.Clone(j.CountedOn)
	if j.Pricing != nil {
		p := *j.Pricing
		c.Pricing = &p
	}
	return &c
}

// EventLimitHold is the timeline event of a template send held by the business
// portfolio's messaging limit (its detail says why, and until when).
const EventLimitHold = "held_messaging_limit"

// NeedsLimitUsage reports whether a decision reads the tenant's messaging-limit usage:
// a claim of a template (business-initiated) message by a tenant whose limit is counted
// (domain.LimitCounted). Session messages (answers inside the customer-service window)
// and unlimited tenants never read it.
func NeedsLimitUsage(t *domain.Tenant, d Decision) bool {
	return d.Step == Claim && d.Plan != nil && d.Plan.Template != nil && domain.LimitCounted(t.WhatsApp.MessagingLimit)
}

// LimitPurpose names the task that looks again at a job the messaging limit held for
// the n-th time, until `until`: distinct for every hold of the job.
func LimitPurpose(n int, until time.Time) queue.Purpose {
	return queue.Purpose(fmt.Sprintf("limit-%d-%d", n, until.UnixNano()))
}

// ApplyLimit applies the messaging limit (domain.CheckMessagingLimit) to a claim that
// NeedsLimitUsage, given the tenant's usage as stored: either the claim stands and the
// usage to write with it counts its recipient (a client already counted only has their
// time moved), or the job is held: queued again until the usage falls below the
// threshold of its kind, with the reason on its timeline and a task for that time. A
// held job is not a failure and makes no attempt. Any other decision is returned as it
// is, with no usage to write.
func ApplyLimit(in Input, d Decision, u domain.LimitUsage) (Decision, *domain.LimitUsage) {
	if !NeedsLimitUsage(in.Tenant, d) {
		return d, nil
	}
	key := domain.LimitKey(d.Plan.Template.Recipient)
	reminder := in.Job.Type == domain.JobReminder
	v := domain.CheckMessagingLimit(domain.LimitCheck{Limit: in.Tenant.WhatsApp.MessagingLimit, Usage: u,
		Recipient: key, Reminder: reminder, Now: in.Now})
	if !v.Hold {
		next := u.Note(key, in.Now)
		return d, &next
	}
	j := cloneJob(d.Job)
	j.Status = domain.JobQueued // its task is created after the write; the reminder scan leaves it alone
	j.LeaseUntil = time.Time{}
	j.NextRetryAt = v.Until
	j.AddEvent(in.Now, EventLimitHold, ptbr.LimitHold(reminder, v.Count, in.Tenant.WhatsApp.MessagingLimit, v.Threshold, v.Until, in.Tenant.Location()))
	// The follow-up's name must be new each time: held again when it comes, a job often
	// gets the same Until to the second (clients counted in one burst), and Cloud Tasks
	// refuses a name that ran recently (the job would be left without a task).
	holds := 0
	for _, e := range j.Timeline {
		if e.Event == EventLimitHold {
			holds++
		}
	}
	return Decision{Step: Update, Job: j, Plan: d.Plan,
		Next: &FollowUp{Purpose: LimitPurpose(holds, v.Until), At: v.Until}}, nil
}

// ClientOptedOut reports whether the job goes to a client who opted out of the tenant's
// automatic messages (domain/optout.go): the tenant's opt-out set says so, or, for a
// tenant past the set's bound, her ledger (in.Ledger, read by NeedsLedger). Answers to
// the client's own messages (button replies, the opt-out's confirmation) are decided
// when the events function creates them, where her ledger is read anyway, so they are
// not checked here.
func ClientOptedOut(in Input) bool {
	j := in.Job
	if j.Type == domain.JobReply {
		return false
	}
	return in.Tenant.ClientOptedOut(clientPhone(j, in.Appointment)) || in.Ledger.OptedOut()
}

// clientPhone is the number of the client a job is for: a session message's recipient,
// a template's appointment client (the recipient when the appointment is gone).
func clientPhone(j *domain.Job, apt *domain.Appointment) string {
	if j.DeliveryMode != domain.DeliverySession && apt != nil {
		return apt.ClientPhone
	}
	return j.Recipient
}

// NeedsLedger reports whether a decision made without the client's conversation
// ledger must be made again with it, and whose: a session message whose 24-hour window
// decides (NeedsLastInbound, windowDecides), or any automatic send of a tenant whose
// opt-out set overflowed (the ledger then says whether the client opted out). Every
// other send reads no ledger.
func NeedsLedger(t *domain.Tenant, j *domain.Job, apt *domain.Appointment, d Decision) (string, bool) {
	if identity, ok := NeedsLastInbound(j); ok && windowDecides(d) {
		return identity, true
	}
	if !t.OptOutOverflow || d.Step != Claim || j.Type == domain.JobReply {
		return "", false
	}
	if identity := domain.ClientIdentity(clientPhone(j, apt)); identity != "" {
		return identity, true
	}
	return "", false
}
