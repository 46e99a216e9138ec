package domain

import (
	"strings"
	"time"
	"unicode/utf8"
)

// The state of a tenant's WhatsApp account as Meta's account webhooks report it.
//
// Meta's account_update webhook (reference:
// https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/account_update)
// reports, among others:
//   - PARTNER_REMOVED (the WABA was unshared from us; for a coexistence number also the
//     "Disconnect" in the WhatsApp Business App, possibly with
//     disconnection_info{reason, initiated_by}), PARTNER_APP_UNINSTALLED, ACCOUNT_OFFBOARDED:
//     the number is no longer ours to send from;
//   - PARTNER_ADDED, PARTNER_APP_INSTALLED, ACCOUNT_RECONNECTED: connected (again);
//   - ACCOUNT_DELETED: the WABA is gone;
//   - DISABLED_UPDATE with ban_info{waba_ban_state: DISABLE | SCHEDULE_FOR_DISABLE | REINSTATE, waba_ban_date};
//   - ACCOUNT_RESTRICTION with restriction_info[{restriction_type, expiration}], where
//     RESTRICTED_BIZ_INITIATED_MESSAGING blocks business-initiated (template) messages and
//     RESTRICTED_CUSTOMER_INITIATED_MESSAGING blocks replies to customers
//     (https://docs.360dialog.com/partner/partner-hub/waba-profile-and-compliance/waba-policy-enforcement);
//   - ACCOUNT_VIOLATION with violation_info{violation_type}: a warning; the enforcement
//     comes as a restriction or a ban.
//
// Each fact (connection, ban, restrictions, violation, phone-number quality, history
// refusal) keeps the time of the last event that set it, so events are ordered per fact:
// a redelivered older event about the ban still applies after a newer disconnection.

// Connection states of WhatsApp.Status.
const (
	AccountConnected    = "connected"
	AccountDisconnected = "disconnected"
	AccountDeleted      = "deleted"
)

// Ban states of ban_info.waba_ban_state.
const (
	BanDisable           = "DISABLE"
	BanScheduleToDisable = "SCHEDULE_FOR_DISABLE"
	BanReinstate         = "REINSTATE"
)

// Restriction types of restriction_info.restriction_type.
const (
	RestrictBusinessInitiated = "RESTRICTED_BIZ_INITIATED_MESSAGING"
	RestrictCustomerInitiated = "RESTRICTED_CUSTOMER_INITIATED_MESSAGING"
	RestrictAddPhoneNumber    = "RESTRICTED_ADD_PHONE_NUMBER_ACTION"
)

// The facts whose last-event times are kept apart (keys of WhatsApp.EventTimes).
const (
	FactConnection  = "connection"
	FactBan         = "ban"
	FactRestriction = "restriction"
	FactViolation   = "violation"
	FactQuality     = "quality" // phone_number_quality_update
	FactHistory     = "history" // a refused history sync
)

// Bounds on what is kept from Meta's account events.
const (
	MaxStoredText    = 1024 // bytes of any one text kept from outside input
	maxShortText     = 256  // bytes of an enum-like value (state, type, reason)
	maxRestrictions  = 10
	maxEventTimeKeys = 16
)

// AccountBan is ban_info of a DISABLED_UPDATE.
type AccountBan struct {
	State string `firestore:"state"`
	Date  string `firestore:"date,omitempty"` // as Meta wrote it, e.g. "April 17, 2025"
}

// AccountRestriction is one entry of restriction_info.
type AccountRestriction struct {
	Type string `firestore:"type"`
	// Expiration is when the restriction lifts (zero: unknown, it holds until lifted).
	Expiration     time.Time `firestore:"expiration,omitempty"`
	ExpirationText string    `firestore:"expiration_text,omitempty"`
}

// AccountDisconnection is disconnection_info of a PARTNER_REMOVED, or the owner's
// own disconnection from the dashboard (InitiatedBy DisconnectedByOwner, By her
// e-mail, Note her reason).
type AccountDisconnection struct {
	Reason      string    `firestore:"reason,omitempty"`
	InitiatedBy string    `firestore:"initiated_by,omitempty"`
	At          time.Time `firestore:"at,omitempty"`
	By          string    `firestore:"by,omitempty"`
	Note        string    `firestore:"note,omitempty"`
}

// DisconnectedByOwner is AccountDisconnection.InitiatedBy of the owner's disconnection.
const DisconnectedByOwner = "OWNER"

// AccountEvent is one account_update as read from the webhook.
type AccountEvent struct {
	Event         string
	At            time.Time
	Ban           *AccountBan
	Restrictions  []AccountRestriction
	Disconnection *AccountDisconnection
	Violation     string
	// Info is what Meta said with the event (its ban_info, restriction_info,
	// disconnection_info, violation_info), kept for staff; clipped to MaxStoredText.
	Info string
}

// fact names the state an account event changes ("" for events that change none of them).
func (e AccountEvent) fact() string {
	switch e.Event {
	case "PARTNER_REMOVED", "PARTNER_APP_UNINSTALLED", "ACCOUNT_OFFBOARDED", "ACCOUNT_DELETED",
		"PARTNER_ADDED", "PARTNER_APP_INSTALLED", "ACCOUNT_RECONNECTED":
		return FactConnection
	case "DISABLED_UPDATE":
		return FactBan
	case "ACCOUNT_RESTRICTION":
		return FactRestriction
	case "ACCOUNT_VIOLATION":
		return FactViolation
	}
	return ""
}

// accept reports whether an event about fact at time at is not older than the last one
// applied to that fact, and if so records its time. Equal times apply (a redelivery of
// the same event changes nothing; two events in one second apply in arrival order).
func (w *WhatsApp) accept(fact string, at time.Time) bool {
	if last, ok := w.EventTimes[fact]; ok && last.After(at) {
		return false
	}
	if w.EventTimes == nil {
		w.EventTimes = map[string]time.Time{}
	}
	if _, ok := w.EventTimes[fact]; !ok && len(w.EventTimes) >= maxEventTimeKeys {
		return false
	}
	w.EventTimes[fact] = at.UTC()
	return true
}

// noteLast keeps the most recent account event of any kind, for staff to read.
func (w *WhatsApp) noteLast(event string, at time.Time, info string) bool {
	if w.LastEventAt.After(at) {
		return false
	}
	w.LastEvent, w.LastEventAt, w.LastEventInfo = ClipText(event, maxShortText), at.UTC(), ClipText(info, MaxStoredText)
	return true
}

// ApplyAccountEvent applies one account_update. It reports whether anything changed: an
// event older than the last one applied to the same fact changes nothing.
func (w *WhatsApp) ApplyAccountEvent(e AccountEvent) bool {
	fact := e.fact()
	if fact != "" && !w.accept(fact, e.At) {
		return false
	}
	changed := w.noteLast(e.Event, e.At, e.Info)
	if fact == "" {
		return changed
	}
	switch e.Event {
	case "PARTNER_REMOVED", "PARTNER_APP_UNINSTALLED", "ACCOUNT_OFFBOARDED":
		w.Status = AccountDisconnected
		w.Disconnection = clipDisconnection(e.Disconnection)
		if w.Disconnection != nil {
			w.Disconnection.At = e.At.UTC()
		}
	case "ACCOUNT_DELETED":
		w.Status = AccountDeleted
		w.Disconnection = nil
	case "PARTNER_ADDED", "PARTNER_APP_INSTALLED", "ACCOUNT_RECONNECTED":
		w.Status = AccountConnected
		w.Disconnection = nil
	case "DISABLED_UPDATE":
		if e.Ban != nil {
			w.Ban = &AccountBan{State: ClipText(e.Ban.State, maxShortText), Date: ClipText(e.Ban.Date, maxShortText)}
		}
	case "ACCOUNT_RESTRICTION":
		// The event carries the restrictions in force; an empty list lifts them.
		w.Restrictions = nil
		for _, r := range e.Restrictions {
			if len(w.Restrictions) == maxRestrictions {
				break
			}
			w.Restrictions = append(w.Restrictions, AccountRestriction{
				Type: ClipText(r.Type, maxShortText), Expiration: r.Expiration.UTC(), ExpirationText: ClipText(r.ExpirationText, maxShortText),
			})
		}
	case "ACCOUNT_VIOLATION":
		w.Violation = ClipText(e.Violation, maxShortText)
	}
	return true
}

func clipDisconnection(d *AccountDisconnection) *AccountDisconnection {
	if d == nil || (d.Reason == "" && d.InitiatedBy == "") {
		return nil
	}
	return &AccountDisconnection{Reason: ClipText(d.Reason, maxShortText), InitiatedBy: ClipText(d.InitiatedBy, maxShortText)}
}

// EventThroughputUpgrade is the phone_number_quality_update event of a number Meta has
// moved to 1,000 messages per second
// (https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/phone_number_quality_update).
const EventThroughputUpgrade = "THROUGHPUT_UPGRADE"

// ApplyQualityUpdate applies one phone_number_quality_update (the messaging tier, and
// the throughput upgrade); it reports whether anything changed.
func (w *WhatsApp) ApplyQualityUpdate(event string, at time.Time, tier string) bool {
	if !w.accept(FactQuality, at) {
		return false
	}
	w.noteLast(event, at, "")
	if event == EventThroughputUpgrade && !w.Coexistence {
		// Coexistence numbers keep their fixed 20/s (connection.go).
		w.ThroughputCap = ThroughputUpgraded
	}
	if tier != "" {
		w.MessagingTier = ClipText(tier, maxShortText)
		if limit, ok := ParseMessagingLimit(tier); ok {
			w.ApplyMessagingLimit(limit, at)
		}
	}
	return true
}

// RecordHistoryRefusal notes that the business declined to share its chat history.
func (w *WhatsApp) RecordHistoryRefusal(at time.Time, info string) bool {
	if !w.accept(FactHistory, at) {
		return false
	}
	w.noteLast("HISTORY_DECLINED", at, info)
	return true
}

// Why a tenant's number may not send (AccountBlock.Code).
const (
	BlockDisconnected = "disconnected"
	BlockDeleted      = "deleted"
	BlockBanned       = "banned"
	BlockRestricted   = "restricted"
	// BlockTokenInvalid: the daily token check found the tenant's token invalid
	// (debug_token is_valid false, or Meta's code 190); a valid check lifts it.
	BlockTokenInvalid = "token_invalid"
	// BlockConnecting: an onboarding attempt has indexed the number and not yet
	// finished (WhatsApp.ConnectingSince); its activate step lifts it.
	BlockConnecting = "connecting"
)

// AccountBlock says why the tenant's number may not send, with what Meta said.
type AccountBlock struct {
	Code          string
	Disconnection *AccountDisconnection // for BlockDisconnected, if Meta said why
	Ban           *AccountBan           // for BlockBanned
	Restriction   *AccountRestriction   // for BlockRestricted
	TokenCheck    *TokenCheck           // for BlockTokenInvalid
}

// SendBlock decides whether the tenant's number may send a message of the given
// delivery mode at now: it returns the block and true if it may not. A deleted or
// disconnected account, a WABA disabled by Meta (DISABLE; a SCHEDULE_FOR_DISABLE still
// sends, REINSTATE lifts the ban), a token the daily check found invalid and a
// messaging restriction in force for that kind of message (until its expiration)
// block, and so does an onboarding not yet finished (ConnectingSince) unless it logs
// in again on the number that was sending (ConnectingKeepsSending). An account Meta
// never reported on may send.
func (w WhatsApp) SendBlock(mode DeliveryMode, now time.Time) (AccountBlock, bool) {
	if !w.ConnectingSince.IsZero() && !w.ConnectingKeepsSending {
		return AccountBlock{Code: BlockConnecting}, true
	}
	switch w.Status {
	case AccountDeleted:
		return AccountBlock{Code: BlockDeleted}, true
	case AccountDisconnected:
		return AccountBlock{Code: BlockDisconnected, Disconnection: w.Disconnection}, true
	}
	if w.Ban != nil && w.Ban.State == BanDisable {
		b := *w.Ban
		return AccountBlock{Code: BlockBanned, Ban: &b}, true
	}
	if w.TokenCheck != nil && !w.TokenCheck.Valid {
		tc := *w.TokenCheck
		return AccountBlock{Code: BlockTokenInvalid, TokenCheck: &tc}, true
	}
	for _, r := range w.Restrictions {
		if !r.Expiration.IsZero() && !now.Before(r.Expiration) {
			continue // lifted by time
		}
		if restrictionBlocks(r.Type, mode) {
			rr := r
			return AccountBlock{Code: BlockRestricted, Restriction: &rr}, true
		}
	}
	return AccountBlock{}, false
}

// restrictionBlocks: business-initiated messages are templates; replies inside the
// customer service window are session messages. A messaging restriction of a type not
// known here blocks both; a restriction on other actions blocks neither.
func restrictionBlocks(kind string, mode DeliveryMode) bool {
	switch kind {
	case RestrictBusinessInitiated:
		return mode != DeliverySession
	case RestrictCustomerInitiated:
		return mode == DeliverySession
	case RestrictAddPhoneNumber:
		return false
	}
	return strings.Contains(kind, "MESSAGING")
}

// ClipText cuts s to at most n bytes without splitting a UTF-8 character, marking a cut
// with "…" (counted within n). Invalid UTF-8 is replaced first (Firestore strings must
// be valid UTF-8).
func ClipText(s string, n int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if len(s) <= n {
		return s
	}
	const mark = "…"
	cut := n - len(mark)
	if cut < 0 {
		cut = 0
	}
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + mark
}

// ResetAccountState forgets what Meta reported about the account: the tenant moved to
// another WABA or number, and the old one's ban, restrictions or disconnection do not
// apply to it. The connection starts unknown ("" is set to connected by onboarding).
func (w *WhatsApp) ResetAccountState() {
	w.Status = ""
	w.LastEvent, w.LastEventAt, w.LastEventInfo, w.MessagingTier, w.MessagingLimit = "", time.Time{}, "", "", LimitNotRead
	w.EventTimes, w.Ban, w.Restrictions, w.Disconnection, w.Violation = nil, nil, nil, nil, ""
}
