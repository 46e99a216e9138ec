package metastandin

// Meta's side of a connection's lifecycle after the onboarding, for fake businesses:
//
//   - after a successful POST /<WABA>/subscribed_apps, Meta's account_update
//     PARTNER_ADDED {event, waba_info{waba_id, owner_business_id, …}} whose entry.id is
//     the partner's business portfolio id, not the WABA's (Meta's PARTNER_APP_INSTALLED
//     sample, testdata/meta/webhooks/account_update_partner_app_installed.json: entry.id
//     is waba_info.solution_partner_business_ids[0]), so the WABA is read from
//     waba_info (Embedded Signup:
//     "triggered whenever a customer successfully completes the Embedded Signup flow";
//     https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/account_update);
//   - DELETE /<WABA>/subscribed_apps → {"success":true}: the app no longer gets the
//     WABA's webhooks (https://developers.facebook.com/documentation/business-messaging/whatsapp/solution-providers/manage-webhooks);
//   - DisconnectFromBusinessApp: the business pressed Disconnect in the WhatsApp
//     Business App: PARTNER_REMOVED {phone_number, event, disconnection_info{reason,
//     initiated_by}} with entry.id the WABA
//     (https://developers.facebook.com/docs/whatsapp/embedded-signup/onboarding-business-app-users);
//     disconnection_info is rolling out gradually: RemovePartner sends Meta's bare
//     {phone_number, event} (testdata/meta/webhooks/account_update_partner_removed_coexistence_disconnect.json);
//     a reconnection is a new Embedded Signup login (NewCode, then the app's /connect),
//     whose subscribed_apps brings a new PARTNER_ADDED;
//   - after POST /<PHONE>/smb_app_data history: the history webhooks, in 3 chunks with
//     metadata{phase, chunk_order, progress}, the last at progress 100, the first two
//     out of order (Meta: chunks may arrive out of order, progress 100 = complete;
//     https://developers.facebook.com/docs/whatsapp/embedded-signup/onboarding-business-app-users);
//   - after POST /<PHONE>/smb_app_data smb_app_state_sync: one smb_app_state_sync
//     webhook with a contact of the app's address book;
//   - RevokeToken: the business token no longer works: debug_token says is_valid false
//     (error 190) and every call with it, sends included, answers 401 code 190.
//
// The automatic lifecycle webhooks are posted in the background, like the automatic
// statuses (Close stops them), each after LifecycleDelay, in order; none without a
// webhook URL.

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// EndpointUnsubscribeApp names DELETE /<WABA>/subscribed_apps to FailNextOn and in
// BusinessState.Calls (POST is EndpointSubscribedApps).
const EndpointUnsubscribeApp = "DELETE subscribed_apps"

// DefaultLifecycleDelay is the wait before each automatic lifecycle webhook.
const DefaultLifecycleDelay = 20 * time.Millisecond

// Delivery kinds of the lifecycle webhooks (WebhookDelivery.Kind).
const (
	KindAccountUpdate = "account_update"
	KindHistory       = "history"
	KindStateSync     = "smb_app_state_sync"
)

// HistoryChunkProgress is the progress of the history chunks in the order they are
// posted: chunk_order 2 before 1 (out of order), then the last at 100.
var HistoryChunkProgress = []struct{ ChunkOrder, Progress int }{{2, 66}, {1, 33}, {3, 100}}

// SetLifecycleDelay sets the wait before each automatic lifecycle webhook (0: the
// default); a test that watches the states in between makes it longer.
func (s *Server) SetLifecycleDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lifecycleDelay = d
}

// RevokeToken makes the business token of that WABA invalid (the owner removed the
// app, or changed her password): debug_token says is_valid false and every call
// with the token answers 401 code 190.
func (s *Server) RevokeToken(wabaID string) error { return s.setRevoked(wabaID, true) }

// RestoreToken undoes RevokeToken (the token is valid again).
func (s *Server) RestoreToken(wabaID string) error { return s.setRevoked(wabaID, false) }

func (s *Server) setRevoked(wabaID string, revoked bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.businesses[wabaID]
	if !ok {
		return fmt.Errorf("metastandin: no business with WABA %s", wabaID)
	}
	if s.revoked == nil {
		s.revoked = map[string]bool{}
	}
	if revoked {
		s.revoked[b.Token] = true
	} else {
		delete(s.revoked, b.Token)
	}
	return nil
}

// revokedLocked reports whether tok was revoked (s.mu held).
func (s *Server) revokedLocked(tok string) bool { return tok != "" && s.revoked[tok] }

// revokedTokenError is Graph's answer to a call with a revoked token.
func revokedTokenError() answer {
	return tokenError("Error validating access token: The user has not authorized application.", 458)
}

// DisconnectFromBusinessApp posts what Meta sends when the business presses
// Disconnect in the WhatsApp Business App: account_update PARTNER_REMOVED with
// disconnection_info (reason ACCOUNT_DISCONNECTED, initiated_by USER). The app stays
// subscribed at Meta until it unsubscribes; the number no longer sends for us. It
// returns the HTTP status answered.
func (s *Server) DisconnectFromBusinessApp(ctx context.Context, wabaID string) (int, error) {
	s.mu.Lock()
	b, ok := s.businesses[wabaID]
	var body []byte
	if ok {
		body = partnerRemovedPayload(b.Business, s.now(), "ACCOUNT_DISCONNECTED", "USER")
	}
	s.mu.Unlock()
	if !ok {
		return 0, fmt.Errorf("metastandin: no business with WABA %s", wabaID)
	}
	return s.deliver(ctx, WebhookDelivery{Kind: KindAccountUpdate, Body: body})
}

// RemovePartner posts the bare PARTNER_REMOVED Meta documents for the Business App's
// disconnect ({phone_number, event}, no disconnection_info: Meta adds it gradually),
// as DisconnectFromBusinessApp does otherwise.
func (s *Server) RemovePartner(ctx context.Context, wabaID string) (int, error) {
	s.mu.Lock()
	b, ok := s.businesses[wabaID]
	var body []byte
	if ok {
		body = partnerRemovedPayload(b.Business, s.now(), "", "")
	}
	s.mu.Unlock()
	if !ok {
		return 0, fmt.Errorf("metastandin: no business with WABA %s", wabaID)
	}
	return s.deliver(ctx, WebhookDelivery{Kind: KindAccountUpdate, Body: body})
}

// afterOnboardingLocked starts the webhooks Meta sends after a successful onboarding
// call (s.mu held): PARTNER_ADDED after subscribed_apps, the history chunks or the
// state sync after smb_app_data.
func (s *Server) afterOnboardingLocked(endpoint string, b *BusinessState, syncType string) {
	now := s.now()
	var kind string
	var bodies [][]byte
	switch {
	case endpoint == EndpointSubscribedApps:
		kind, bodies = KindAccountUpdate, [][]byte{partnerAddedPayload(b.Business, now)}
	case endpoint == EndpointSMBAppData && syncType == "history":
		kind = KindHistory
		for i, c := range HistoryChunkProgress {
			bodies = append(bodies, historyChunkPayload(b.Business, now, i, c.ChunkOrder, c.Progress))
		}
	case endpoint == EndpointSMBAppData && syncType == "smb_app_state_sync":
		kind, bodies = KindStateSync, [][]byte{stateSyncPayload(b.Business, now)}
	default:
		return
	}
	if s.closed || s.webhook.URL == "" {
		return
	}
	delay := s.lifecycleDelay
	if delay <= 0 {
		delay = DefaultLifecycleDelay
	}
	s.autoWG.Add(1) // under mu with closed false: happens before Close's Wait
	go func() {
		defer s.autoWG.Done()
		for _, body := range bodies {
			if !s.wait(delay) {
				return
			}
			_, _ = s.deliver(s.bgCtx, WebhookDelivery{Kind: kind, Automatic: true, Body: body})
		}
	}()
}

// ---- payloads ----

type lifecycleEntry struct {
	ID      string          `json:"id"`
	Time    int64           `json:"time,omitempty"`
	Changes []webhookChange `json:"changes"`
}

func lifecycleEnvelope(wabaID string, at time.Time, field string, value any) []byte {
	b, err := json.Marshal(struct {
		Object string           `json:"object"`
		Entry  []lifecycleEntry `json:"entry"`
	}{"whatsapp_business_account", []lifecycleEntry{{ID: wabaID, Time: at.Unix(), Changes: []webhookChange{{Value: value, Field: field}}}}})
	if err != nil {
		panic(err) // only our own types are marshalled
	}
	return b
}

// ownerBusinessID is the fake business portfolio owning the WABA.
func ownerBusinessID(b Business) string { return "9" + b.WABAID }

// PartnerBusinessID is the fake business portfolio of the app's owner (the Tech
// Provider), the entry.id of PARTNER_ADDED.
const PartnerBusinessID = "2949482758600001"

func partnerAddedPayload(b Business, at time.Time) []byte {
	return lifecycleEnvelope(PartnerBusinessID, at, "account_update", map[string]any{
		"event": "PARTNER_ADDED",
		"waba_info": map[string]any{"waba_id": b.WABAID, "owner_business_id": ownerBusinessID(b),
			"solution_partner_business_ids": []string{PartnerBusinessID}},
	})
}

// partnerRemovedPayload: with reason and initiatedBy empty, Meta's bare variant.
func partnerRemovedPayload(b Business, at time.Time, reason, initiatedBy string) []byte {
	v := map[string]any{"phone_number": digits(b.DisplayPhoneNumber), "event": "PARTNER_REMOVED"}
	if reason != "" || initiatedBy != "" {
		v["disconnection_info"] = map[string]string{"reason": reason, "initiated_by": initiatedBy}
	}
	return lifecycleEnvelope(b.WABAID, at, "account_update", v)
}

func metadataOf(b Business) map[string]string {
	return map[string]string{"display_phone_number": digits(b.DisplayPhoneNumber), "phone_number_id": b.PhoneNumberID}
}

// HistoryClient is the client whose conversation the history chunks carry.
const HistoryClient = "5511987650001"

func historyChunkPayload(b Business, at time.Time, i, chunkOrder, progress int) []byte {
	ts := strconv.FormatInt(at.Add(-time.Duration(48-i)*time.Hour).Unix(), 10)
	return lifecycleEnvelope(b.WABAID, at, "history", map[string]any{
		"messaging_product": "whatsapp",
		"metadata":          metadataOf(b),
		"history": []map[string]any{{
			"metadata": map[string]int{"phase": 0, "chunk_order": chunkOrder, "progress": progress},
			"threads": []map[string]any{{
				"id": HistoryClient,
				"messages": []map[string]any{{
					"from": HistoryClient, "id": fmt.Sprintf("wamid.history-%s-%d", b.PhoneNumberID, chunkOrder),
					"timestamp": ts, "type": "text", "text": map[string]string{"body": fmt.Sprintf("Oi! Mensagem antiga %d", chunkOrder)},
					"history_context": map[string]string{"status": "READ"},
				}},
			}},
		}},
	})
}

// StateSyncContact is the contact the state-sync webhook adds.
var StateSyncContact = struct{ FullName, FirstName, PhoneNumber string }{"Paula Souza", "Paula", "5511987650002"}

func stateSyncPayload(b Business, at time.Time) []byte {
	return lifecycleEnvelope(b.WABAID, at, "smb_app_state_sync", map[string]any{
		"messaging_product": "whatsapp",
		"metadata":          metadataOf(b),
		"state_sync": []map[string]any{{
			"type": "contact",
			"contact": map[string]string{"full_name": StateSyncContact.FullName, "first_name": StateSyncContact.FirstName,
				"phone_number": StateSyncContact.PhoneNumber},
			"action":   "add",
			"metadata": map[string]string{"timestamp": strconv.FormatInt(at.Unix(), 10)},
		}},
	})
}
