package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The business portfolio's messaging limit.
//
// Since October 7, 2025 Meta sets the messaging limit per business portfolio, shared by
// all its numbers: the number of unique WhatsApp users the business may reach with
// business-initiated (template) messages outside a customer-service window in a moving
// 24 hours. A new portfolio starts at 250; then 2,000 (a scaling path), 10,000, 100,000
// and unlimited (automatic scaling)
// (https://developers.facebook.com/documentation/business-messaging/whatsapp/messaging-limits).
// Meta reports it three ways, all read here into one number (ParseMessagingLimit):
//   - the phone number's whatsapp_business_manager_messaging_limit field ("TIER_250", …),
//     read at onboarding (messaging_limit_tier is deprecated);
//   - the business_capability_update webhook's max_daily_conversations_per_business
//     (the reference lists TIER_250 … TIER_UNLIMITED, its example an integer 2000) and
//     max_daily_conversation_per_phone (an integer, -1 = unlimited; removed in February
//     2026)
//     (https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/business_capability_update);
//   - the phone_number_quality_update webhook's max_daily_conversations_per_business
//     (TIER_50, TIER_250, TIER_2K, TIER_10K, TIER_100K, TIER_NOT_SET, TIER_UNLIMITED)
//     (https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/phone_number_quality_update).
//
// A tenant is one business portfolio here (one WABA, one number): its usage is counted
// per tenant.

// Limit values of WhatsApp.MessagingLimit besides a count of users.
const (
	// LimitNotRead: Meta never told us the limit (a tenant set up before it was read, or
	// by hand): it is not counted, as if unlimited. Onboarding reads it for every number
	// connected through Embedded Signup.
	LimitNotRead = 0
	// LimitUnlimited is Meta's -1 / TIER_UNLIMITED.
	LimitUnlimited = -1
	// LimitNewPortfolio is where a new business portfolio starts, and what a limit Meta
	// names as TIER_NOT_SET ("not used to send a message yet") is taken to be: the lowest
	// limit Meta documents for a portfolio.
	LimitNewPortfolio = 250
	// MaxCountedLimit is the largest limit whose usage is counted (a bounded usage
	// document holds one entry per user reached in 24 hours); above it (100,000) a
	// studio is far from its limit and Meta's own refusal (131048) is the guard.
	MaxCountedLimit = 10_000
	// ReminderHoldPercent is how much of the limit reminders to new clients may use:
	// beyond 90 % they wait, so the last 10 % of the day's reach stays for booking
	// notices, which the client expects right after booking; answers inside the
	// customer-service window are never held (Meta does not count them).
	ReminderHoldPercent = 90
	// LimitWindow is Meta's moving window.
	LimitWindow = 24 * time.Hour
)

// FactMessagingLimit keys WhatsApp.EventTimes for the limit's last report.
const FactMessagingLimit = "messaging_limit"

var limitTiers = map[string]int{
	"TIER_50": 50, "TIER_250": 250, "TIER_1K": 1000, "TIER_2K": 2000, "TIER_10K": 10_000,
	"TIER_100K": 100_000, "TIER_UNLIMITED": LimitUnlimited, "TIER_NOT_SET": LimitNewPortfolio,
}

// ParseMessagingLimit reads a limit as Meta writes it: a tier name (TIER_2K), or an
// integer (2000; -1 for unlimited). It reports false for anything else (nothing to
// apply; what is stored stays).
func ParseMessagingLimit(v string) (int, bool) {
	v = strings.TrimSpace(v)
	if n, ok := limitTiers[strings.ToUpper(v)]; ok {
		return n, true
	}
	n, err := strconv.Atoi(v)
	switch {
	case err != nil:
		return 0, false
	case n == -1:
		return LimitUnlimited, true
	case n > 0:
		return n, true
	}
	return 0, false
}

// LimitCounted reports whether the usage of a portfolio with this limit is counted:
// a known, finite limit up to MaxCountedLimit.
func LimitCounted(limit int) bool { return limit > 0 && limit <= MaxCountedLimit }

// ApplyMessagingLimit records the limit Meta reported at `at`; an older report than
// the last one applied changes nothing. It reports whether anything changed.
func (w *WhatsApp) ApplyMessagingLimit(limit int, at time.Time) bool {
	if !w.accept(FactMessagingLimit, at) {
		return false
	}
	w.MessagingLimit = limit
	return true
}

// LimitRecipient is one user counted against the limit: the last business-initiated
// message to them.
type LimitRecipient struct {
	ID string    `firestore:"id"` // WhatsApp id (digits)
	At time.Time `firestore:"at"`
}

// LimitUsage is a tenant's users reached in the last 24 hours (tenants/{id}/usage/
// messaging_limit), at most MaxCountedLimit entries.
type LimitUsage struct {
	Recipients []LimitRecipient `firestore:"recipients"`
	UpdatedAt  time.Time        `firestore:"updated_at"`
}

// inWindow reports whether a user counted at `at` still counts at now.
func inWindow(at, now time.Time) bool { return now.Sub(at) < LimitWindow }

// Count is how many users count at now.
func (u LimitUsage) Count(now time.Time) int {
	n := 0
	for _, r := range u.Recipients {
		if inWindow(r.At, now) {
			n++
		}
	}
	return n
}

// Counts reports whether the user already counts at now (a message to them does not
// count again).
func (u LimitUsage) Counts(id string, now time.Time) bool {
	for _, r := range u.Recipients {
		if r.ID == id && inWindow(r.At, now) {
			return true
		}
	}
	return false
}

// Note records a business-initiated message to the user at now: their time moves to
// now (they count until now + 24 h), users out of the window are dropped, and the
// oldest go beyond MaxCountedLimit. It returns the new usage; u is not changed.
func (u LimitUsage) Note(id string, now time.Time) LimitUsage {
	out := LimitUsage{UpdatedAt: now.UTC()}
	for _, r := range u.Recipients {
		if r.ID != id && inWindow(r.At, now) {
			out.Recipients = append(out.Recipients, r)
		}
	}
	out.Recipients = append(out.Recipients, LimitRecipient{ID: id, At: now.UTC()})
	if n := len(out.Recipients) - MaxCountedLimit; n > 0 {
		slices.SortFunc(out.Recipients, func(a, b LimitRecipient) int { return a.At.Compare(b.At) })
		out.Recipients = out.Recipients[n:]
	}
	return out
}

// LimitCheck is what the hold rule reads.
type LimitCheck struct {
	Limit     int // WhatsApp.MessagingLimit
	Usage     LimitUsage
	Recipient string // WhatsApp id (digits) the template goes to
	Reminder  bool   // a reminder (held first); else a booking notice
	Now       time.Time
}

// LimitVerdict is what CheckMessagingLimit decides.
type LimitVerdict struct {
	// Hold: the message waits until Until, when enough counted users leave the window.
	Hold  bool
	Until time.Time
	// Count and Threshold are the usage at now and where this kind of message waits.
	Count, Threshold int
}

// ReminderThreshold is the usage at which reminders to new clients wait.
func ReminderThreshold(limit int) int { return max(1, limit*ReminderHoldPercent/100) }

// CheckMessagingLimit is the hold rule for a business-initiated (template) message: a
// client already counted in the last 24 hours never waits (a message to them does not
// count again); a new one waits while the usage is at the threshold of its kind
// (reminders: ReminderThreshold; booking notices: the limit itself), until the time the
// usage falls below it (the oldest counted users leave the window). An uncounted limit
// (LimitCounted false: not read, unlimited or above MaxCountedLimit) never holds.
func CheckMessagingLimit(c LimitCheck) LimitVerdict {
	if !LimitCounted(c.Limit) || c.Usage.Counts(c.Recipient, c.Now) {
		return LimitVerdict{}
	}
	v := LimitVerdict{Threshold: c.Limit}
	if c.Reminder {
		v.Threshold = ReminderThreshold(c.Limit)
	}
	var times []time.Time
	for _, r := range c.Usage.Recipients {
		if inWindow(r.At, c.Now) {
			times = append(times, r.At)
		}
	}
	v.Count = len(times)
	if v.Count < v.Threshold {
		return v
	}
	slices.SortFunc(times, time.Time.Compare)
	// Count-Threshold+1 users must leave for the usage to fall below the threshold.
	v.Hold, v.Until = true, times[v.Count-v.Threshold].Add(LimitWindow).UTC()
	return v
}

// LimitKey is how a client is named in the usage: a hash of their WhatsApp id (digits
// only), so the usage holds no phone number.
func LimitKey(waID string) string {
	sum := sha256.Sum256([]byte(Digits(waID)))
	return hex.EncodeToString(sum[:12])
}
