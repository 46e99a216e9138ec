package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Cost per tenant. Meta puts its pricing on a message's status webhooks (the `pricing`
// object: billable, pricing_model, category, type; "pricing: only with sent and one of
// delivered/read", https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/status)
// and, under per-message pricing (since July 1, 2025), charges a message when it is
// delivered (https://developers.facebook.com/documentation/business-messaging/whatsapp/pricing).
// Before that, under conversation-based pricing (pricing_model CBP, with a
// `conversation` {id, origin{type}} object), Meta charged once per conversation, so an
// older payload counts once per conversation id.
//
// A job keeps the first pricing Meta reports for it (Job.Pricing, events/statuses.go).
// It is counted once (the MarkBilled mark, CountTransition) on the write where it is
// delivered (or read) with a pricing known, by that write itself: the job records the
// key it is counted under (Job.BillKey, StampCounts), so counting costs no Firestore
// write of its own. A conversation-based pricing is counted once per conversation in
// the day's counter document instead. The month's counts are summed at read time
// (SumBilling, over the counter documents and the job-borne counts).

// BillDelta is what one message adds to the billing counts: its category
// (BillingCategory), whether Meta charges it, and for conversation-based pricing the
// conversation it belongs to (ConversationKey; "" for a message counted on its own).
type BillDelta struct {
	Category     string
	Billable     bool
	Conversation string
}

// IsZero reports whether the delta adds nothing.
func (b BillDelta) IsZero() bool { return b == BillDelta{} }

// BillingOf is what a message in status st with Meta's pricing p adds to the billing
// counts: nothing (ok false) before it is delivered or read (Meta charges delivered
// messages; a failed or only sent one is not charged) or without a pricing. Billable
// follows pricing.type when Meta sends it ("regular" is charged; free_customer_service
// and free_entry_point are not; Meta says `billable` will be deprecated in favour of
// type and category), else the older `billable` flag.
func BillingOf(st JobStatus, p *Pricing) (BillDelta, bool) {
	if p == nil || (st != JobDelivered && st != JobRead) {
		return BillDelta{}, false
	}
	cat := p.Category
	if cat == "" {
		cat = p.ConversationOrigin
	}
	b := BillDelta{Category: BillingCategory(cat), Billable: p.Billable}
	if p.Type != "" {
		b.Billable = strings.EqualFold(p.Type, "regular")
	}
	if strings.EqualFold(p.Model, "CBP") && p.ConversationID != "" {
		b.Conversation = ConversationKey(p.ConversationID)
	}
	return b, true
}

var conversationKey = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// ConversationKey is the field name a conversation id is stored under: the id itself
// when it is a plain word of at most 64 characters (Meta's are 32 hex digits), else
// "h" and the first 32 hex digits of its SHA-256, so a field name stays simple.
func ConversationKey(id string) string {
	if conversationKey.MatchString(id) {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	return "h" + hex.EncodeToString(sum[:16])
}

// BillingCategory is the category a message is counted under: Meta's category in
// lower case with hyphens as underscores ("authentication-international" →
// authentication_international), CounterReasonUnspecified when Meta named none, and
// CounterReasonOther for anything that is not a plain word.
func BillingCategory(c string) string {
	c = strings.ReplaceAll(strings.ToLower(strings.TrimSpace(c)), "-", "_")
	return CounterReason(c)
}

// BillingCategories are the categories Meta puts in a status's pricing (pricing.category:
// authentication, authentication-international, marketing, marketing_lite,
// referral_conversion, service, utility; https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/status),
// as BillingCategory writes them, and CounterReasonUnspecified for a pricing without
// one. The month's job-borne counts are read one category at a time (a count
// aggregation per BillKey); a message of any other category is counted under
// CounterReasonOther, from the month's total (store.ReadBilling).
var BillingCategories = []string{
	"authentication", "authentication_international", "marketing", "marketing_lite",
	"referral_conversion", "service", "utility", CounterReasonUnspecified,
}

// BillingMonth is a calendar month in a tenant's time zone.
type BillingMonth struct {
	Year  int
	Month time.Month
}

var monthPattern = regexp.MustCompile(`^(\d{4})-(\d{2})$`)

// ParseBillingMonth reads "yyyy-mm" ("" is the month of now in loc). A month after
// the current one, or before 2020, is refused.
func ParseBillingMonth(s string, now time.Time, loc *time.Location) (BillingMonth, error) {
	local := now.In(loc)
	cur := BillingMonth{local.Year(), local.Month()}
	if s == "" {
		return cur, nil
	}
	m := monthPattern.FindStringSubmatch(s)
	if m == nil {
		return BillingMonth{}, fmt.Errorf("%w: month %q: use yyyy-mm, e.g. 2026-12", ErrInvalid, s)
	}
	var y, mo int
	fmt.Sscan(m[1], &y)
	fmt.Sscan(m[2], &mo)
	bm := BillingMonth{y, time.Month(mo)}
	switch {
	case mo < 1 || mo > 12:
		return BillingMonth{}, fmt.Errorf("%w: month %q: the month is 01 to 12", ErrInvalid, s)
	case y < 2020:
		return BillingMonth{}, fmt.Errorf("%w: month %q: before 2020", ErrInvalid, s)
	case bm.After(cur):
		return BillingMonth{}, fmt.Errorf("%w: month %q is after the current month %s", ErrInvalid, s, cur)
	}
	return bm, nil
}

// After reports whether m is later than o.
func (m BillingMonth) After(o BillingMonth) bool {
	return m.Year > o.Year || (m.Year == o.Year && m.Month > o.Month)
}

// String is "yyyy-mm".
func (m BillingMonth) String() string { return fmt.Sprintf("%04d-%02d", m.Year, int(m.Month)) }

// First and Last are the month's first and last days (yyyy-mm-dd, the counters' days).
func (m BillingMonth) First() string { return m.day(1) }
func (m BillingMonth) Last() string  { return m.day(daysIn(m)) }

// DayBefore is the day before the month's first: a conversation already counted then
// belongs to the month before.
func (m BillingMonth) DayBefore() string { return m.day(0) }

func (m BillingMonth) day(d int) string {
	return time.Date(m.Year, m.Month, d, 12, 0, 0, 0, time.UTC).Format(time.DateOnly)
}

func daysIn(m BillingMonth) int {
	return time.Date(m.Year, m.Month+1, 0, 12, 0, 0, 0, time.UTC).Day()
}

// BillingDay is what one counter document holds for billing: its day, the messages
// counted per category (charged and free), and the conversations seen (conversation-
// based pricing), each with its category and whether it is charged.
type BillingDay struct {
	Day           string
	Billable      map[string]int64
	Free          map[string]int64
	Conversations map[string]BillDelta
}

// CategoryUsage is a category's counts in a month.
type CategoryUsage struct {
	Category string
	Billable int64 // messages (or conversations) Meta charges
	Free     int64 // messages (or conversations) Meta reported free
}

// BillingUsage is a tenant's month: per category (sorted), with the conversations
// counted (conversation-based pricing, already in the categories).
type BillingUsage struct {
	Month         BillingMonth
	Categories    []CategoryUsage
	Conversations int64
}

// SumBilling sums a month's counter documents: days outside the month add nothing,
// except that a conversation seen on the day before the month (DayBefore) was counted
// in the month before and is not counted again; each other conversation counts once,
// charged when any of its messages was charged, in the category of the first day it
// was seen.
func SumBilling(m BillingMonth, days []BillingDay) BillingUsage {
	first, last, before := m.First(), m.Last(), m.DayBefore()
	byCat := map[string]*CategoryUsage{}
	cat := func(c string) *CategoryUsage {
		if byCat[c] == nil {
			byCat[c] = &CategoryUsage{Category: c}
		}
		return byCat[c]
	}
	earlier := map[string]bool{}
	convs := map[string]BillDelta{}
	convDay := map[string]string{}
	for _, d := range days {
		if d.Day == before {
			for id := range d.Conversations {
				earlier[id] = true
			}
			continue
		}
		if d.Day < first || d.Day > last {
			continue
		}
		for c, n := range d.Billable {
			cat(c).Billable += n
		}
		for c, n := range d.Free {
			cat(c).Free += n
		}
		for id, b := range d.Conversations {
			prev, seen := convs[id]
			if !seen || d.Day < convDay[id] {
				convDay[id] = d.Day
				b.Billable = b.Billable || (seen && prev.Billable)
				convs[id] = b
				continue
			}
			prev.Billable = prev.Billable || b.Billable
			convs[id] = prev
		}
	}
	out := BillingUsage{Month: m}
	for id, b := range convs {
		if earlier[id] {
			continue
		}
		out.Conversations++
		if b.Billable {
			cat(b.Category).Billable++
		} else {
			cat(b.Category).Free++
		}
	}
	for _, c := range byCat {
		out.Categories = append(out.Categories, *c)
	}
	slices.SortFunc(out.Categories, func(a, b CategoryUsage) int { return strings.Compare(a.Category, b.Category) })
	return out
}
