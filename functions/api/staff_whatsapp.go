package api

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/onboarding"
	"github.com/lembra-app/lembra/shared/store"
	"github.com/lembra-app/lembra/shared/web"
)

// staffWhatsAppRoutes: the connection's lifecycle in Settings > WhatsApp.
func (s *server) staffWhatsAppRoutes() []route {
	owner := []domain.StaffRole{domain.RoleOwner}
	return []route{
		{pattern: "GET /v1/staff/whatsapp", staff: s.staffWhatsApp},
		{pattern: "POST /v1/staff/whatsapp/signup-events", staff: s.staffSignupEvent, roles: owner},
		{pattern: "POST /v1/staff/whatsapp/disconnect", staff: s.staffDisconnect, roles: owner},
	}
}

// maxAttemptsShown bounds GET /v1/staff/whatsapp's attempts.
const maxAttemptsShown = 10

func (s *server) staffWhatsApp(w http.ResponseWriter, r *http.Request, st Staff) error {
	c, err := s.whatsAppConnection(r.Context(), st.Tenant)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, c)
	return nil
}

// whatsAppConnection shows the tenant's connection with its newest attempts.
func (s *server) whatsAppConnection(ctx context.Context, t *domain.Tenant) (WhatsAppConnection, error) {
	attempts, err := s.store.ListOnboarding(ctx, t.ID, maxAttemptsShown)
	if err != nil {
		return WhatsAppConnection{}, err
	}
	// The messaging limit's usage is read only when it is counted (never for an
	// unlimited portfolio).
	var usage domain.LimitUsage
	if domain.LimitCounted(t.WhatsApp.MessagingLimit) {
		if usage, err = s.store.GetMessagingUsage(ctx, t.ID); err != nil {
			return WhatsAppConnection{}, err
		}
	}
	now := s.env.Now()
	c := NewWhatsAppConnection(t, attempts, s.env.Config.MetaAppID, s.env.Config.MetaESConfigID, s.env.Config.MetaSDKURL,
		s.env.Config.MetaAPIVersion, s.env.Config.MetaSignupOrigins, now)
	c.MessagingLimit = NewMessagingLimitView(t.WhatsApp.MessagingLimit, usage, now)
	return c, nil
}

// SignupEventRequest is the body of POST /v1/staff/whatsapp/signup-events.
type SignupEventRequest struct {
	AttemptID     string `json:"attempt_id"`
	Event         string `json:"event"`
	Coexistence   bool   `json:"coexistence"`
	CurrentStep   string `json:"current_step"`
	ErrorMessage  string `json:"error_message"`
	ErrorID       string `json:"error_id"`
	SessionID     string `json:"session_id"`
	WABAID        string `json:"waba_id"`
	PhoneNumberID string `json:"phone_number_id"`
}

func (s *server) staffSignupEvent(w http.ResponseWriter, r *http.Request, st Staff) error {
	var req SignupEventRequest
	if err := web.DecodeJSON(w, r, maxBody, &req); err != nil {
		return err
	}
	switch {
	case !attemptIDPattern.MatchString(req.AttemptID):
		return web.FieldError("attempt_id", "invalid_value", "attempt_id must be 8 to 64 letters, digits, - or _")
	case !slices.Contains(onboarding.SignupEventNames, req.Event):
		return web.FieldError("event", "invalid_value", "event must be one of %s", strings.Join(onboarding.SignupEventNames, ", "))
	case !graphIDPattern.MatchString(strings.TrimSpace(req.WABAID)):
		return web.FieldError("waba_id", "invalid_value", "waba_id must be Meta's numeric id")
	case !graphIDPattern.MatchString(strings.TrimSpace(req.PhoneNumberID)):
		return web.FieldError("phone_number_id", "invalid_value", "phone_number_id must be Meta's numeric id")
	}
	now := s.env.Now()
	a, err := s.store.RecordSignupEvent(r.Context(), &onboarding.Attempt{ID: req.AttemptID, TenantID: st.Tenant.ID, Coexistence: req.Coexistence,
		WABAID: strings.TrimSpace(req.WABAID), PhoneNumberID: strings.TrimSpace(req.PhoneNumberID)},
		onboarding.SignupEvent{At: now, Event: req.Event, CurrentStep: req.CurrentStep, ErrorID: req.ErrorID,
			ErrorMessage: req.ErrorMessage, SessionID: req.SessionID}, now)
	if err != nil {
		return err
	}
	s.env.Log.InfoContext(r.Context(), "whatsapp signup event", "tenant_id", st.Tenant.ID, "attempt_id", a.ID, "event", req.Event)
	web.WriteJSON(w, http.StatusOK, NewSignupAttempt(a, st.Tenant.Location()))
	return nil
}

// DisconnectRequest is the body of POST /v1/staff/whatsapp/disconnect.
type DisconnectRequest struct {
	Reason string `json:"reason"`
}

// staffDisconnect: the owner disconnects the number. Sends stop with her reason at
// once (recorded before any Meta call, audited in the settings history); then the app
// is unsubscribed from the WABA: a failure there answers 502 with the disconnection
// kept, and calling again retries the unsubscribe; a token Meta no longer accepts for
// the WABA leaves nothing to unsubscribe (onboarding.NothingToUnsubscribe): recorded
// as unsubscribed, 200 with a note.
func (s *server) staffDisconnect(w http.ResponseWriter, r *http.Request, st Staff) error {
	var req DisconnectRequest
	if err := web.DecodeJSON(w, r, maxBody, &req); err != nil {
		return err
	}
	reason := strings.TrimSpace(req.Reason)
	switch {
	case reason == "":
		return web.FieldError("reason", "required", "reason is required")
	case utf8.RuneCountInString(reason) > 500:
		return web.FieldError("reason", "too_long", "reason must be at most 500 characters")
	}
	ctx := r.Context()
	if st.Tenant.WhatsApp.WABAID == "" || st.Tenant.WhatsApp.AccessTokenSecret == "" {
		return web.Errorf(http.StatusConflict, "action_refused", "no WhatsApp number is connected")
	}
	now := s.env.Now()
	t, _, err := s.store.UpdateSettings(ctx, st.Tenant.ID, func(stored *domain.Tenant) (*domain.Tenant, []store.SettingsAudit, error) {
		d := stored.WhatsApp.Disconnection
		if stored.WhatsApp.Status == domain.AccountDisconnected && d != nil && d.InitiatedBy == domain.DisconnectedByOwner {
			return stored, nil, nil // disconnected already: this call retries the unsubscribe
		}
		old := domain.ConnectionStateOf(stored.WhatsApp, now).State
		next := *stored
		next.WhatsApp.MarkOwnerDisconnected(st.Email, reason, now)
		return &next, []store.SettingsAudit{{At: now, By: st.Email, Field: "whatsapp", Old: old, New: "desconectado: " + domain.ClipText(reason, domain.MaxStoredText)}}, nil
	})
	if err != nil {
		return err
	}
	s.env.Log.InfoContext(ctx, "whatsapp disconnected by the owner", "tenant_id", t.ID, "uid", st.UID)
	if err := s.stopOpenAttempts(ctx, t.ID, now); err != nil {
		return err
	}
	status, note := http.StatusOK, ""
	if !t.WhatsApp.Unsubscribed {
		err := s.unsubscribe(ctx, t)
		if err != nil && onboarding.NothingToUnsubscribe(err) {
			// The token lost its access (PARTNER_REMOVED, a revoked token): no retry
			// with it can unsubscribe, and nothing is left subscribed through it.
			s.env.Log.InfoContext(ctx, "whatsapp unsubscribe: nothing left to unsubscribe", "tenant_id", t.ID, "error", err.Error())
			note, err = NoteNothingToUnsubscribe, nil
		}
		if err != nil {
			s.env.Log.WarnContext(ctx, "whatsapp unsubscribe failed", "tenant_id", t.ID, "error", err.Error())
			status = http.StatusBadGateway
		} else if err := s.store.UpdateTenant(ctx, t.ID, func(tt *domain.Tenant) error {
			tt.WhatsApp.Unsubscribed = true
			return nil
		}); err != nil {
			return err
		}
	}
	fresh, err := s.store.GetTenant(ctx, t.ID)
	if err != nil {
		return err
	}
	c, err := s.whatsAppConnection(ctx, fresh)
	if err != nil {
		return err
	}
	c.Note = note
	web.WriteJSON(w, status, c)
	return nil
}

// NoteNothingToUnsubscribe is POST /v1/staff/whatsapp/disconnect's note when Meta no
// longer accepts the studio's token for the WABA (onboarding.NothingToUnsubscribe).
const NoteNothingToUnsubscribe = "A Meta não aceita mais o acesso do Lembra a esta conta do WhatsApp: não há mais avisos a cancelar. O número está desconectado."

// stopOpenAttempts stops the tenant's attempts still open (failed or running) after
// the owner's disconnection (onboarding.StopForOwnerDisconnection): "Tentar de novo"
// on one would activate the connection again. An attempt running right now saves its
// own copy, but its activation is refused (activateConnection). The newest
// maxAttemptsShown are looked at: older ones are not offered again by the dashboard.
func (s *server) stopOpenAttempts(ctx context.Context, tenantID string, now time.Time) error {
	attempts, err := s.store.ListOnboarding(ctx, tenantID, maxAttemptsShown)
	if err != nil {
		return err
	}
	for _, a := range attempts {
		if onboarding.StopForOwnerDisconnection(a, now) {
			if err := s.store.PutOnboarding(ctx, a); err != nil {
				return err
			}
			s.env.Log.InfoContext(ctx, "whatsapp attempt stopped by the owner's disconnection", "tenant_id", tenantID, "attempt_id", a.ID)
		}
	}
	return nil
}

// unsubscribe: DELETE /<WABA>/subscribed_apps with the tenant's own token (read
// uncached: a reconnection may have stored a new one).
func (s *server) unsubscribe(ctx context.Context, t *domain.Tenant) error {
	sm, err := s.env.SecretManager(ctx)
	if err != nil {
		return err
	}
	tok, err := sm.Secret(ctx, t.WhatsApp.AccessTokenSecret)
	if err != nil {
		return err
	}
	return onboarding.NewGraphClient(s.env.Meta()).UnsubscribeApp(ctx, string(tok), t.WhatsApp.WABAID)
}
