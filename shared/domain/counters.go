package domain

import (
	"regexp"
	"slices"
)

// The counters of a tenant (issue: sent, delivered, read, failed and skipped by reason,
// the reply rate to buttons) are kept by the store in the same write as each job's
// change: on the job itself for what is one per message (Split, StampCounts), in daily
// counter documents for the rest (store/counters.go); the rules of what a change adds
// live here.

// Counter marks: which counters a job has added one to (Job.Counted). A job adds to each
// counter at most once in its life, whatever webhooks are redelivered and whatever
// happens to it after (an owner's retry of a failed job adds sent once it goes out, never
// a second failed).
const (
	MarkSent      = "sent"
	MarkDelivered = "delivered"
	MarkRead      = "read"
	MarkFailed    = "failed"
	MarkSkipped   = "skipped"
	// MarkBilled: the message's pricing was added to the billing counts (BillingOf).
	MarkBilled = "billed"
)

// markOrder is the order marks are stored in.
var markOrder = []string{MarkSent, MarkDelivered, MarkRead, MarkFailed, MarkSkipped, MarkBilled}

// CounterReasonUnspecified is the reason code counted for a failed or skipped job
// without one; CounterReasonOther the one counted for a code that is not a plain
// snake_case word (stored by hand or corrupt), so a counter's field names stay simple.
const (
	CounterReasonUnspecified = "unspecified"
	CounterReasonOther       = "other"
)

var counterCode = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// CounterReason is the reason code a failed or skipped job is counted under.
func CounterReason(code string) string {
	switch {
	case code == "":
		return CounterReasonUnspecified
	case counterCode.MatchString(code):
		return code
	}
	return CounterReasonOther
}

// CarriesButtons reports whether a job of type t is a template message with quick-reply
// buttons: the booking notice and the 24-hour reminder carry Confirmar, Reagendar and
// the studio's contact button (events/buttons.go answers them); a cancellation notice
// and a button's answer are free-form session messages without buttons.
func (t JobType) CarriesButtons() bool { return t == JobCreated || t == JobReminder }

// CounterState is what of a job the counters look at.
type CounterState struct {
	Status     JobStatus
	ReasonCode string
	// Accepted: Meta took the message (it has a wamid), so a failed job was sent first.
	Accepted bool
	Buttons  bool     // JobType.CarriesButtons
	Counted  []string // Job.Counted
	// Pricing is what Meta said the message costs (Job.Pricing; nil: not said yet).
	Pricing *Pricing
}

// CounterStateOf reads a job's state (nil: a job not written yet, the zero state).
func CounterStateOf(j *Job) CounterState {
	if j == nil {
		return CounterState{}
	}
	return CounterState{
		Status: j.Status, ReasonCode: j.ReasonCode, Accepted: j.ProviderMessageID != "",
		Buttons: j.Type.CarriesButtons(), Counted: slices.Clone(j.Counted), Pricing: clonePricing(j.Pricing),
	}
}

func clonePricing(p *Pricing) *Pricing {
	if p == nil {
		return nil
	}
	c := *p
	return &c
}

// reached lists the marks a state implies: sent for a message Meta took (sent, delivered,
// read, or failed after it was accepted), delivered for delivered and read (a read
// without its delivered was delivered), read, failed, skipped.
func (c CounterState) reached() []string {
	var out []string
	switch c.Status {
	case JobSent:
		out = []string{MarkSent}
	case JobDelivered:
		out = []string{MarkSent, MarkDelivered}
	case JobRead:
		out = []string{MarkSent, MarkDelivered, MarkRead}
	case JobFailed:
		if c.Accepted {
			out = []string{MarkSent}
		}
		out = append(out, MarkFailed)
	case JobSkipped:
		out = []string{MarkSkipped}
	}
	return out
}

// CounterDelta is what one write of a job adds to its tenant's counters of the day.
type CounterDelta struct {
	Sent, Delivered, Read int
	// ButtonsDelivered: a message with buttons (JobType.CarriesButtons) reached
	// delivered (or read): the denominator of the reply rate.
	ButtonsDelivered int
	// ButtonReplies: the first quick-reply tap answering a message with buttons (one per
	// message, however many taps; store.RecordInbound adds it): the numerator.
	ButtonReplies int
	// FailedReason, SkippedReason: one more failed (skipped) job, counted under this
	// reason code (CounterReason); "" for none.
	FailedReason, SkippedReason string
	// Bill: the message's pricing, added to the month's billing counts (billing.go);
	// the zero BillDelta for none.
	Bill BillDelta
}

// Empty reports whether the delta adds nothing.
func (d CounterDelta) Empty() bool { return d == CounterDelta{} }

// CountTransition is the one rule of the counters: a job written in state after, that
// was in state before (the zero CounterState for a job not written yet), adds one to
// each counter whose mark it reaches for the first time. Marks it already has
// (before.Counted) and the marks its stored status implies (a job written before
// counters existed) are never counted again: a redelivered status adds nothing, a job
// moving sent → delivered → read adds one to each once, a failed job retried and
// failing again adds no second failed. It returns the delta and the job's marks
// afterwards (to store as Job.Counted), in a fixed order.
func CountTransition(before, after CounterState) (CounterDelta, []string) {
	had := map[string]bool{}
	for _, m := range before.Counted {
		had[m] = true
	}
	for _, m := range before.reached() {
		had[m] = true
	}
	var d CounterDelta
	for _, m := range after.reached() {
		if had[m] {
			continue
		}
		had[m] = true
		switch m {
		case MarkSent:
			d.Sent = 1
		case MarkDelivered:
			d.Delivered = 1
			if after.Buttons {
				d.ButtonsDelivered = 1
			}
		case MarkRead:
			d.Read = 1
		case MarkFailed:
			d.FailedReason = CounterReason(after.ReasonCode)
		case MarkSkipped:
			d.SkippedReason = CounterReason(after.ReasonCode)
		}
	}
	if !had[MarkBilled] {
		if b, ok := BillingOf(after.Status, after.Pricing); ok {
			had[MarkBilled] = true
			d.Bill = b
		}
	}
	var marks []string
	for _, m := range markOrder {
		if had[m] {
			marks = append(marks, m)
		}
	}
	for _, m := range before.Counted { // a mark of a later version is kept as it is
		if !slices.Contains(marks, m) {
			marks = append(marks, m)
		}
	}
	return d, marks
}

// Where the counts live. Counting a message's sent, delivered and read in the counter
// shards cost a write of its own at each step, beside the job's own write (three of a
// booking notice's writes; docs/firestore-ops.md). The per-message counts are therefore
// recorded on the job, in the write that already changes it: the day each was counted
// (Job.CountedOn) and the key its pricing was counted under (Job.BillKey), which the
// store sums with count aggregations at read time. What is not one per message stays in
// the shards: failed and skipped by reason (a map of reasons no aggregation could group
// by), button replies (counted on the inbound message's write), and conversation-based
// pricing's conversations (counted once per conversation, not per message).

// Job-borne count names (Job.CountedOn keys).
const (
	CountSent             = MarkSent
	CountDelivered        = MarkDelivered
	CountRead             = MarkRead
	CountButtonsDelivered = "buttons_delivered"
)

// Split divides a delta into what the job records itself (onJob: sent, delivered, read,
// buttons delivered, a per-message pricing) and what is added to the counter shards
// (shards: button replies, failed and skipped by reason, a conversation-based pricing).
func (d CounterDelta) Split() (onJob, shards CounterDelta) {
	onJob = CounterDelta{Sent: d.Sent, Delivered: d.Delivered, Read: d.Read, ButtonsDelivered: d.ButtonsDelivered}
	shards = CounterDelta{ButtonReplies: d.ButtonReplies, FailedReason: d.FailedReason, SkippedReason: d.SkippedReason}
	if d.Bill.Conversation == "" {
		onJob.Bill = d.Bill
	} else {
		shards.Bill = d.Bill
	}
	return onJob, shards
}

// StampCounts records on job j the job-borne part of a delta (Split) counted on day
// (yyyy-mm-dd in the tenant's zone): the day of each count it adds, and the key of its
// pricing (BillKey). A count already stamped keeps its day (CountTransition never adds
// one twice; a stamp is never moved).
func StampCounts(j *Job, onJob CounterDelta, day string) {
	for _, c := range []struct {
		name string
		n    int
	}{{CountSent, onJob.Sent}, {CountDelivered, onJob.Delivered}, {CountRead, onJob.Read}, {CountButtonsDelivered, onJob.ButtonsDelivered}} {
		if c.n == 0 {
			continue
		}
		if j.CountedOn == nil {
			j.CountedOn = map[string]string{}
		}
		if _, ok := j.CountedOn[c.name]; !ok {
			j.CountedOn[c.name] = day
		}
	}
	if !onJob.Bill.IsZero() && onJob.Bill.Conversation == "" && j.BillKey == "" && len(day) >= len("2006-01") {
		j.BillKey = BillKey(day[:len("2006-01")], onJob.Bill.Billable, onJob.Bill.Category)
	}
}

// BillKey is the key a message's pricing is counted under on its job (Job.BillKey):
// "<yyyy-mm>|<c for charged, f for free>|<category>", so a month's count of one
// category and charge is one equality, and the month's charged (or free) messages one
// prefix range (BillKeyRange).
func BillKey(month string, charged bool, category string) string {
	return month + "|" + chargeMark(charged) + "|" + category
}

// BillKeyRange is the range [from, to) of the BillKeys of a month's charged (or free)
// messages, whatever their category.
func BillKeyRange(month string, charged bool) (from, to string) {
	p := month + "|" + chargeMark(charged) + "|"
	return p, p + "\uffff"
}

func chargeMark(charged bool) string {
	if charged {
		return "c"
	}
	return "f"
}

// Counters are a tenant's counters summed over some days.
type Counters struct {
	Sent, Delivered, Read int64
	Failed, Skipped       int64
	// FailedByReason and SkippedByReason count by reason code (CounterReason).
	FailedByReason, SkippedByReason map[string]int64
	ButtonsDelivered, ButtonReplies int64
}

// ReplyRate is the reply rate to buttons: the messages with quick-reply buttons that
// got a tap (ButtonReplies: each message counted once, on the day of its first tap)
// over the messages with buttons delivered (ButtonsDelivered: counted on the day they
// reached delivered or read), over the same days. It is capped at 1 (a message
// delivered just before the period and tapped in it counts in the numerator only), and
// ok is false when no message with buttons was delivered (no rate).
func (c Counters) ReplyRate() (rate float64, ok bool) {
	if c.ButtonsDelivered <= 0 {
		return 0, false
	}
	r := float64(c.ButtonReplies) / float64(c.ButtonsDelivered)
	return min(r, 1), true
}

// QuickReplyTap reports whether a client message is a tap on a quick-reply button (a
// template's button, or an interactive message's reply button).
func (in Inbound) QuickReplyTap() bool {
	return in.Type == "button" || (in.Type == "interactive" && in.Payload != "")
}

// CountsAsButtonReply reports whether a client message adds a button reply to the
// counters: a quick-reply tap answering (context id) our message outbound, which carries
// buttons, when no earlier tap on that message was counted (firstTap).
func CountsAsButtonReply(in Inbound, outbound *Job, firstTap bool) bool {
	return firstTap && in.QuickReplyTap() && in.ContextID != "" && outbound != nil && outbound.Type.CarriesButtons()
}
