package metastandin

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The business portfolio's messaging limit: the number of unique WhatsApp users a
// portfolio may reach with business-initiated (template) messages in a moving 24
// hours (250 for a new portfolio, then 2,000, 10,000, 100,000 and unlimited;
// https://developers.facebook.com/documentation/business-messaging/whatsapp/messaging-limits).
// The stand-in's portfolio is a number's WABA. A template to a user not reached in the
// last 24 hours, once the limit is reached, answers 131048 "Spam rate limit hit"
// ("there are restrictions on how many messages can be sent from this phone number",
// HTTP 400, Meta's error codes:
// https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes;
// Meta's messaging-limits page names no code of its own for it). Session messages are
// not counted (the stand-in does not track the customer-service window, and answers
// inside it are all a session message can be). Refused sends count nothing.

// MessagingLimitWindow is Meta's moving window.
const MessagingLimitWindow = 24 * time.Hour

// KindCapabilityUpdate is the Kind of a business_capability_update delivery.
const KindCapabilityUpdate = "business_capability_update"

type portfolioLimit struct {
	limit    int                  // users per window; <= 0: unlimited
	reached  map[string]time.Time // recipient wa_id → the last accepted template to them
	refusals int                  // 131048 answered
}

// SetMessagingLimit sets the messaging limit of the WABA's portfolio (users per 24 h);
// 0 or -1 (unlimited, New's default for every WABA) turns the check off. The users
// already reached are kept.
func (s *Server) SetMessagingLimit(wabaID string, limit int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.portfolioLocked(wabaID).limit = limit
}

// MessagingLimitUsage is how many users the WABA's portfolio reached in the last 24
// hours and how many sends it refused with 131048.
func (s *Server) MessagingLimitUsage(wabaID string) (reached, refusals int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.portfolioLocked(wabaID)
	now := s.now()
	for _, at := range p.reached {
		if now.Sub(at) < MessagingLimitWindow {
			reached++
		}
	}
	return reached, p.refusals
}

// PostCapabilityUpdate sets the WABA's limit (SetMessagingLimit) and posts Meta's
// business_capability_update about it, as Meta does when a portfolio's limit changes:
// max_daily_conversations_per_business as an integer (-1 unlimited), as in Meta's
// payload example
// (https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/business_capability_update).
// It returns the HTTP status answered.
func (s *Server) PostCapabilityUpdate(ctx context.Context, wabaID string, limit int) (int, error) {
	if wabaID == "" {
		return 0, fmt.Errorf("metastandin: a WABA id is required")
	}
	s.SetMessagingLimit(wabaID, limit)
	value := map[string]int{"max_daily_conversations_per_business": limit, "max_phone_numbers_per_waba": 25}
	if limit == 250 {
		value = map[string]int{"max_daily_conversations_per_business": limit, "max_phone_numbers_per_business": 2}
	}
	body := lifecycleEnvelope(wabaID, s.now(), "business_capability_update", value)
	return s.deliver(ctx, WebhookDelivery{Kind: KindCapabilityUpdate, Body: body})
}

func (s *Server) portfolioLocked(wabaID string) *portfolioLimit {
	if s.portfolios == nil {
		s.portfolios = map[string]*portfolioLimit{}
	}
	p, ok := s.portfolios[wabaID]
	if !ok {
		p = &portfolioLimit{reached: map[string]time.Time{}}
		s.portfolios[wabaID] = p
	}
	return p
}

// limitAllowedLocked reports whether a template to waID may be accepted for the WABA's
// portfolio at `at`: no limit, a user already reached in the window, or room for one
// more. A refusal is counted.
func (s *Server) limitAllowedLocked(wabaID, waID string, at time.Time) bool {
	p := s.portfolioLocked(wabaID)
	if p.limit <= 0 {
		return true
	}
	n := 0
	for id, t := range p.reached {
		switch {
		case at.Sub(t) >= MessagingLimitWindow:
			delete(p.reached, id) // out of the window
		case id == waID:
			return true
		default:
			n++
		}
	}
	if n < p.limit {
		return true
	}
	p.refusals++
	return false
}

// noteLimitLocked records an accepted template to waID at `at`.
func (s *Server) noteLimitLocked(wabaID, waID string, at time.Time) {
	s.portfolioLocked(wabaID).reached[waID] = at
}

// limitFieldLocked adds whatsapp_business_manager_messaging_limit to a number of GET
// /<WABA>/phone_numbers when the fields asked for name it, as Meta answers it only on
// request (Meta's "Checking your limit … Via API": "TIER_250", …; messaging_limit_tier
// is deprecated): the WABA's limit as Meta's tier name, TIER_UNLIMITED when none is
// set, and a limit no tier names (a test's small one) as its integer.
func (s *Server) limitFieldLocked(fields, wabaID string, number map[string]any) {
	asked := false
	for _, f := range strings.Split(fields, ",") {
		asked = asked || strings.TrimSpace(f) == "whatsapp_business_manager_messaging_limit"
	}
	if !asked {
		return
	}
	tier := "TIER_UNLIMITED"
	if p := s.portfolioLocked(wabaID); p.limit > 0 {
		tier = map[int]string{50: "TIER_50", 250: "TIER_250", 2000: "TIER_2K", 10_000: "TIER_10K", 100_000: "TIER_100K"}[p.limit]
		if tier == "" {
			tier = strconv.Itoa(p.limit)
		}
	}
	number["whatsapp_business_manager_messaging_limit"] = tier
}

// controlMessagingLimit serves /_standin/messaging_limit: POST {"waba_id","limit"} sets
// the WABA's limit and posts the business_capability_update (PostCapabilityUpdate),
// answering the webhook's HTTP status; GET ?waba_id= answers the limit, the clients
// reached in the last 24 h and the 131048 answered.
func (s *Server) controlMessagingLimit(w http.ResponseWriter, r *http.Request, body []byte) {
	switch r.Method {
	case http.MethodPost:
		var req struct {
			WABAID string `json:"waba_id"`
			Limit  int    `json:"limit"`
		}
		if err := strictDecode(body, &req); err != nil || req.WABAID == "" {
			controlError(w, http.StatusBadRequest, `want {"waba_id":"…","limit":250} (-1: unlimited)`)
			return
		}
		status, err := s.PostCapabilityUpdate(r.Context(), req.WABAID, req.Limit)
		if err != nil {
			controlError(w, http.StatusBadGateway, err.Error())
			return
		}
		controlJSON(w, http.StatusOK, map[string]int{"webhook_status": status})
	case http.MethodGet:
		waba := r.URL.Query().Get("waba_id")
		reached, refused := s.MessagingLimitUsage(waba)
		s.mu.Lock()
		limit := s.portfolioLocked(waba).limit
		s.mu.Unlock()
		controlJSON(w, http.StatusOK, map[string]any{"waba_id": waba, "limit": limit, "reached": reached, "refused_131048": refused})
	default:
		methodNotAllowed(w, "GET, POST")
	}
}
