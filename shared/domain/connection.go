package domain

import "time"

// The connection's lifecycle as the dashboard shows it (GET /v1/staff/whatsapp):
// ConnectionStateOf decides one state from what Meta's events, the owner, the
// onboarding and the daily token check recorded on the tenant. Its Portuguese label
// and detail are ptbr.Connection's.

// Connection states (the API's WhatsAppConnection.state).
const (
	StateNotConnected   = "not_connected"
	StateConnected      = "connected"
	StateSyncingHistory = "syncing_history"
	StateRestricted     = "restricted"
	StateBanned         = "banned"
	StateDisconnected   = "disconnected"
	StateTokenInvalid   = "token_invalid"
	StateDeleted        = "deleted"
	// StateConnecting: an onboarding attempt indexed the number and has not finished
	// (an extra state of the API's list, labelled like the others).
	StateConnecting = "connecting"
)

// ConnectionState is the state of a tenant's connection and whether it may send a
// business-initiated (template) message now; Block says why not.
type ConnectionState struct {
	State   string
	CanSend bool
	Block   AccountBlock
}

// ConnectionStateOf decides the connection's state at now. A number never connected
// (no phone number id or no token) is not_connected; otherwise what blocks sending
// (SendBlock, for templates: the notices and reminders) names the state; a
// restriction of replies alone still sends templates but shows restricted; a
// coexistence history sync requested and not yet done or declined is
// syncing_history; else connected.
func ConnectionStateOf(w WhatsApp, now time.Time) ConnectionState {
	if w.PhoneNumberID == "" || w.AccessTokenSecret == "" {
		if w.Status == AccountDeleted {
			return ConnectionState{State: StateDeleted, Block: AccountBlock{Code: BlockDeleted}}
		}
		return ConnectionState{State: StateNotConnected}
	}
	if b, blocked := w.SendBlock(DeliveryTemplate, now); blocked {
		return ConnectionState{State: blockStates[b.Code], Block: b}
	}
	cs := ConnectionState{State: StateConnected, CanSend: true}
	if b, blocked := w.SendBlock(DeliverySession, now); blocked && b.Code == BlockRestricted {
		cs.State, cs.Block = StateRestricted, b
		return cs
	}
	if w.Sync != nil && w.Sync.HistorySyncing() {
		cs.State = StateSyncingHistory
	}
	return cs
}

var blockStates = map[string]string{
	BlockDeleted: StateDeleted, BlockDisconnected: StateDisconnected, BlockBanned: StateBanned,
	BlockTokenInvalid: StateTokenInvalid, BlockRestricted: StateRestricted, BlockConnecting: StateConnecting,
}

// Throughput caps in messages per second: Cloud API numbers send up to 80 mps by
// default; numbers that stay on the WhatsApp Business App (coexistence) have a fixed
// 20 mps (https://developers.facebook.com/documentation/business-messaging/whatsapp/throughput,
// "WhatsApp Business app phone numbers … have a fixed throughput of 20 mps").
const (
	ThroughputCloudAPI    = 80
	ThroughputCoexistence = 20
)

// ThroughputCap is the number's messages per second by its kind.
func ThroughputCap(coexistence bool) int {
	if coexistence {
		return ThroughputCoexistence
	}
	return ThroughputCloudAPI
}

// MarkConnected records a (re)connection by onboarding's index step at now: the
// number's kind and cap, connected again (a disconnection, by Meta or the owner, and
// an invalid token check are cleared; the connection's event time moves to the
// attempt's index step (MarkConnecting; now without one), so an older redelivered
// PARTNER_REMOVED does not undo it). Appointments, jobs and
// history are not the connection's and stay as they are.
func (w *WhatsApp) MarkConnected(coexistence bool, now time.Time) {
	w.Coexistence, w.ThroughputCap = coexistence, ThroughputCap(coexistence)
	w.Status = AccountConnected
	w.Disconnection, w.Unsubscribed = nil, false
	if w.TokenCheck != nil && !w.TokenCheck.Valid {
		w.TokenCheck = nil // a new token was just stored: the next check judges it
	}
	// The reconnection happened when the attempt indexed the number (to the second,
	// as Meta stamps its webhooks): an account event Meta sent during the onboarding
	// (the PARTNER_ADDED after subscribed_apps) still applies when it is processed
	// after the activation; one from before the attempt does not.
	since := now.UTC()
	if !w.ConnectingSince.IsZero() {
		since = w.ConnectingSince.UTC().Truncate(time.Second)
	}
	w.ConnectingSince, w.ConnectingKeepsSending = time.Time{}, false
	if w.EventTimes == nil {
		w.EventTimes = map[string]time.Time{}
	}
	if last, ok := w.EventTimes[FactConnection]; !ok || since.After(last) {
		w.EventTimes[FactConnection] = since
	}
}

// MarkConnecting records onboarding's index step at now: the number is the tenant's
// (Meta's webhooks find it) but sends wait for the attempt's activate step
// (MarkConnected); a coexistence attempt's syncs start over, so the history chunks
// that arrive before the activation are kept. keepsSending: the attempt logs in again
// on the number that was connected and sending, which goes on sending meanwhile
// (SendBlock).
func (w *WhatsApp) MarkConnecting(coexistence, keepsSending bool, now time.Time) {
	if w.ConnectingSince.IsZero() {
		w.ConnectingSince = now.UTC()
		w.ConnectingKeepsSending = keepsSending
	}
	w.Coexistence, w.ThroughputCap = coexistence, ThroughputCap(coexistence)
	if coexistence {
		w.Sync = &ConnectionSync{}
	} else {
		w.Sync = nil
	}
}

// MarkOwnerDisconnected records the owner's disconnection from the dashboard: sends
// stop with her reason (SendBlock: disconnected), the data stays. An onboarding
// attempt in progress ends with it (the API stops the tenant's open attempts), so the
// connection is no longer connecting.
func (w *WhatsApp) MarkOwnerDisconnected(by, reason string, now time.Time) {
	w.Status = AccountDisconnected
	w.ConnectingSince, w.ConnectingKeepsSending = time.Time{}, false
	w.Disconnection = &AccountDisconnection{InitiatedBy: DisconnectedByOwner, At: now.UTC(),
		By: ClipText(by, maxShortText), Note: ClipText(reason, MaxStoredText)}
	if w.EventTimes == nil {
		w.EventTimes = map[string]time.Time{}
	}
	w.EventTimes[FactConnection] = now.UTC()
}

// DisconnectedByOwnerSince reports whether the owner disconnected the number from the
// dashboard at or after since (an onboarding attempt begun before must not undo it).
func (w WhatsApp) DisconnectedByOwnerSince(since time.Time) bool {
	d := w.Disconnection
	return w.Status == AccountDisconnected && d != nil && d.InitiatedBy == DisconnectedByOwner && !d.At.Before(since)
}

// FirstConnection reports, at an onboarding attempt's index step (before it applies),
// whether the tenant has no activated connection to go back to if the attempt stops:
// no number or no token yet, or another attempt's index not activated on a number
// that was not sending (what was there before it is not known: the safe side).
func (w WhatsApp) FirstConnection() bool {
	return w.PhoneNumberID == "" || w.AccessTokenSecret == "" || (!w.ConnectingSince.IsZero() && !w.ConnectingKeepsSending)
}

// AbandonConnecting undoes an onboarding attempt's index step when the attempt
// stopped before its activation (the 24-hour sync window passed, a permanent
// failure): sends are no longer held as connecting. A first connection
// (FirstConnection at the index step) goes back to not connected: the number, the
// WABA and the token secret's name are removed (so the number indexes are dropped and
// the number is free for a new attempt, of this studio or another; the token stays in
// Secret Manager until a new one replaces it), with what the attempt set of its kind
// and syncs, and what Meta reported of that WABA meanwhile. A reconnection keeps the
// number as it was: the state the earlier connection had (connected and sending,
// disconnected, token invalid, …) shows again.
func (w *WhatsApp) AbandonConnecting(first bool) {
	w.ConnectingSince, w.ConnectingKeepsSending = time.Time{}, false
	if !first {
		return
	}
	w.PhoneNumberID, w.DisplayPhoneNumber, w.WABAID, w.AccessTokenSecret = "", "", "", ""
	w.Coexistence, w.ThroughputCap, w.Sync, w.Unsubscribed, w.TokenCheck = false, 0, nil, false, nil
	w.ResetAccountState()
}

// TokenCheck is the result of one debug_token check of the tenant's token.
type TokenCheck struct {
	CheckedAt time.Time `firestore:"checked_at"`
	Valid     bool      `firestore:"valid"`
	// Reason is what Meta said of an invalid token (its error code and message),
	// clipped; empty for a valid one.
	Reason string `firestore:"reason,omitempty"`
}

// RecordTokenCheck keeps a check's result; a check older than the recorded one
// changes nothing. It reports whether the token went from valid (or unchecked) to
// invalid, the moment the operator is alerted.
func (w *WhatsApp) RecordTokenCheck(c TokenCheck) (becameInvalid bool) {
	if w.TokenCheck != nil && w.TokenCheck.CheckedAt.After(c.CheckedAt) {
		return false
	}
	wasInvalid := w.TokenCheck != nil && !w.TokenCheck.Valid
	c.CheckedAt, c.Reason = c.CheckedAt.UTC(), ClipText(c.Reason, maxShortText)
	if c.Valid {
		c.Reason = ""
	}
	w.TokenCheck = &c
	return !c.Valid && !wasInvalid
}

// ConnectionSync is a coexistence number's two smb_app_data syncs: when each was
// requested (from the attempt's sync steps) and what the webhooks reported.
type ConnectionSync struct {
	ContactsRequestedAt time.Time `firestore:"contacts_requested_at,omitempty"`
	ContactsDoneAt      time.Time `firestore:"contacts_done_at,omitempty"` // the first smb_app_state_sync
	HistoryRequestedAt  time.Time `firestore:"history_requested_at,omitempty"`
	// HistoryProgress is the highest progress (0..100) a history chunk reported:
	// chunks may arrive out of order, and 100 means the sync is complete.
	HistoryProgress   int       `firestore:"history_progress"`
	HistoryDoneAt     time.Time `firestore:"history_done_at,omitempty"`
	HistoryDeclinedAt time.Time `firestore:"history_declined_at,omitempty"` // error 2593109
	HistoryUpdatedAt  time.Time `firestore:"history_updated_at,omitempty"`
}

// HistorySyncing: asked for, not yet complete nor declined.
func (s ConnectionSync) HistorySyncing() bool {
	return !s.HistoryRequestedAt.IsZero() && s.HistoryDoneAt.IsZero() && s.HistoryDeclinedAt.IsZero()
}

// History states (the API's sync.history.state).
const (
	SyncRequested  = "requested"
	SyncInProgress = "in_progress"
	SyncDone       = "done"
	SyncDeclined   = "declined"
)

// HistoryState names the history sync's state.
func (s ConnectionSync) HistoryState() string {
	switch {
	case !s.HistoryDeclinedAt.IsZero():
		return SyncDeclined
	case !s.HistoryDoneAt.IsZero():
		return SyncDone
	case s.HistoryProgress > 0:
		return SyncInProgress
	}
	return SyncRequested
}

// ContactsState names the contacts sync's state (requested or done).
func (s ConnectionSync) ContactsState() string {
	if !s.ContactsDoneAt.IsZero() {
		return SyncDone
	}
	return SyncRequested
}

// SyncUpdate is what one webhook or step says about the syncs.
type SyncUpdate struct {
	At                time.Time
	ContactsRequested bool
	HistoryRequested  bool
	ContactsArrived   bool // an smb_app_state_sync webhook
	HistoryChunk      bool // a history chunk arrived, with HistoryProgress
	HistoryProgress   int  // its metadata.progress
	HistoryDeclined   bool // error 2593109
}

// ApplySync applies one update: progress keeps the maximum seen (clamped to 0..100),
// 100 marks the history done, a refusal marks it declined; requests keep their first
// time. It reports whether anything changed.
func (s *ConnectionSync) ApplySync(u SyncUpdate) bool {
	before := *s
	at := u.At.UTC()
	if u.ContactsRequested && s.ContactsRequestedAt.IsZero() {
		s.ContactsRequestedAt = at
	}
	if u.HistoryRequested && s.HistoryRequestedAt.IsZero() {
		s.HistoryRequestedAt = at
	}
	if u.ContactsArrived && s.ContactsDoneAt.IsZero() {
		s.ContactsDoneAt = at
	}
	if u.HistoryChunk {
		p := min(max(u.HistoryProgress, 0), 100)
		if p > s.HistoryProgress {
			s.HistoryProgress = p
			s.HistoryUpdatedAt = at
		}
		if p == 100 && s.HistoryDoneAt.IsZero() {
			s.HistoryDoneAt = at
		}
	}
	if u.HistoryDeclined && s.HistoryDeclinedAt.IsZero() {
		s.HistoryDeclinedAt = at
	}
	return *s != before
}

// WebhooksSubscribed reports whether the app is subscribed to the WABA's webhooks as
// far as the tenant's record knows: a connected WABA with a token, not unsubscribed by
// the owner's disconnection, and not in a first onboarding whose subscribe step may
// not have run yet (a re-login on a number that keeps sending was subscribed before).
func (w WhatsApp) WebhooksSubscribed() bool {
	if w.WABAID == "" || w.AccessTokenSecret == "" || w.Unsubscribed {
		return false
	}
	return w.ConnectingSince.IsZero() || w.ConnectingKeepsSending
}

// ThroughputUpgraded is the cap of a number Meta has upgraded (phone_number_quality_update
// with event THROUGHPUT_UPGRADE: "automatically upgraded to 1,000 mps",
// https://developers.facebook.com/documentation/business-messaging/whatsapp/throughput).
const ThroughputUpgraded = 1000

// Cap is the number's throughput cap in messages per second: the one recorded at
// onboarding or by Meta's upgrade, else the cap of its kind.
func (w *WhatsApp) Cap() int {
	if w.ThroughputCap > 0 {
		return w.ThroughputCap
	}
	return ThroughputCap(w.Coexistence)
}
