package api

import (
	"cmp"
	"math"
	"net/http"
	"slices"
	"strconv"

	"github.com/lembra-app/lembra/shared/ptbr"
	"github.com/lembra-app/lembra/shared/store"
	"github.com/lembra-app/lembra/shared/web"
)

// GET /v1/staff/counters?days=7|30 (every role): the tenant's counters of the last 7
// (the default) or 30 days, today included, in the tenant's zone. They are aggregates
// the functions write in the same transaction as each job's change (store/counters.go,
// domain.CountTransition), so a read costs one batch read of days×store.CounterShards
// documents (224 for 7 days, 960 for 30), never a scan of the jobs.
//
//   - sent: messages Meta accepted; delivered: those that reached the phone (a read
//     without its delivered counts as delivered); read: those read. Each job counts once
//     in each, on the day it got there.
//   - failed, skipped: jobs that failed or a rule skipped, by reason code with its
//     Portuguese label, most frequent first.
//   - buttons_delivered: template messages with quick-reply buttons (the booking notice
//     and the reminder) delivered; button_replies: such messages a client tapped a
//     button of (each message once, on the day of its first tap); reply_rate:
//     button_replies / buttons_delivered over the same days (domain.Counters.ReplyRate),
//     capped at 1, rounded to 3 decimals, absent when no message with buttons was
//     delivered.
func (s *server) staffCountersRoutes() []route {
	return []route{{pattern: "GET /v1/staff/counters", staff: s.staffCounters}}
}

// counterPeriods are the periods the counters are read for.
var counterPeriods = []int{7, 30}

func (s *server) staffCounters(w http.ResponseWriter, r *http.Request, st Staff) error {
	days := counterPeriods[0]
	if v := r.URL.Query().Get("days"); v != "" {
		i := slices.IndexFunc(counterPeriods, func(d int) bool { return v == strconv.Itoa(d) })
		if i < 0 {
			return web.FieldError("days", "invalid_value", "days must be 7 or 30")
		}
		days = counterPeriods[i]
	}
	loc := st.Tenant.Location()
	c, err := s.store.ReadCounters(r.Context(), st.Tenant.ID, s.env.Now(), loc, days)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, NewCountersResponse(days, loc.String(), c))
	return nil
}

// CountersResponse is the answer of GET /v1/staff/counters.
type CountersResponse struct {
	Days     int    `json:"days"`
	From     string `json:"from"`
	To       string `json:"to"`
	TimeZone string `json:"time_zone"`

	Sent      int          `json:"sent"`
	Delivered int          `json:"delivered"`
	Read      int          `json:"read"`
	Failed    ReasonCounts `json:"failed"`
	Skipped   ReasonCounts `json:"skipped"`

	ButtonsDelivered int `json:"buttons_delivered"`
	ButtonReplies    int `json:"button_replies"`
	// ReplyRate is absent when no message with buttons was delivered (no rate).
	ReplyRate *float64 `json:"reply_rate,omitempty"`
}

// ReasonCounts are the failed (or skipped) jobs, in all and by reason.
type ReasonCounts struct {
	Total    int           `json:"total"`
	ByReason []ReasonCount `json:"by_reason"`
}

// ReasonCount is how many jobs one reason accounts for.
type ReasonCount struct {
	Code  string `json:"code"`
	Label string `json:"label"`
	Count int    `json:"count"`
}

// NewCountersResponse builds the answer from the counters read.
func NewCountersResponse(days int, zone string, c store.CounterRead) CountersResponse {
	out := CountersResponse{
		Days: days, From: c.From, To: c.To, TimeZone: zone,
		Sent: int(c.Sent), Delivered: int(c.Delivered), Read: int(c.Read),
		Failed:           reasonCounts(c.Failed, c.FailedByReason),
		Skipped:          reasonCounts(c.Skipped, c.SkippedByReason),
		ButtonsDelivered: int(c.ButtonsDelivered), ButtonReplies: int(c.ButtonReplies),
	}
	if rate, ok := c.ReplyRate(); ok {
		rate = math.Round(rate*1000) / 1000
		out.ReplyRate = &rate
	}
	return out
}

// reasonCounts lists the reasons most frequent first, then by code.
func reasonCounts(total int64, by map[string]int64) ReasonCounts {
	out := ReasonCounts{Total: int(total), ByReason: make([]ReasonCount, 0, len(by))}
	for code, n := range by {
		out.ByReason = append(out.ByReason, ReasonCount{Code: code, Label: ptbr.CounterReasonLabel(code), Count: int(n)})
	}
	slices.SortFunc(out.ByReason, func(a, b ReasonCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Code, b.Code))
	})
	return out
}
