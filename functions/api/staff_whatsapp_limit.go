package api

import (
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/ptbr"
)

// MessagingLimitView is the business portfolio's messaging limit and its use in the
// last 24 hours (domain/messaginglimit.go), in GET /v1/staff/whatsapp.
type MessagingLimitView struct {
	// Limit is Meta's limit of clients per moving 24 h; -1 unlimited; 0 not read yet.
	Limit     int  `json:"limit"`
	Unlimited bool `json:"unlimited"`
	// Counted: the usage is counted here (a known limit up to 10,000); Used and
	// ReminderThreshold are then set.
	Counted bool `json:"counted"`
	// Used is how many clients got a business-initiated message in the last 24 h.
	Used int `json:"used,omitempty"`
	// ReminderThreshold is where reminders to new clients wait (90 % of the limit);
	// booking notices wait at the limit.
	ReminderThreshold int `json:"reminder_threshold,omitempty"`
	// Label says it in Portuguese ("Limite da Meta: 180 de 250 clientes nas últimas 24 h").
	Label string `json:"label"`
}

// NewMessagingLimitView shows a limit and its usage (read only for a counted limit) at now.
func NewMessagingLimitView(limit int, u domain.LimitUsage, now time.Time) MessagingLimitView {
	v := MessagingLimitView{Limit: limit, Unlimited: limit == domain.LimitUnlimited, Counted: domain.LimitCounted(limit)}
	if v.Counted {
		v.Used, v.ReminderThreshold = u.Count(now), domain.ReminderThreshold(limit)
	}
	v.Label = ptbr.LimitUsage(limit, v.Used, v.Counted)
	return v
}
