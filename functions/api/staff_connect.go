package api

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/onboarding"
	"github.com/lembra-app/lembra/shared/store"
	"github.com/lembra-app/lembra/shared/tenants"
	"github.com/lembra-app/lembra/shared/web"
)

// staffConnectRoutes: the owner finishes connecting the studio's WhatsApp number
// after Meta's Embedded Signup.
func (s *server) staffConnectRoutes() []route {
	return []route{
		{pattern: "POST /v1/staff/whatsapp/connect", staff: s.staffConnect, roles: []domain.StaffRole{domain.RoleOwner}},
	}
}

// ConnectRequest is the body of POST /v1/staff/whatsapp/connect: what Embedded
// Signup handed the browser (the code, and the finish event's ids; a coexistence
// finish carries only the WABA id) and the attempt's id, chosen by the dashboard so a
// repeated call resumes the same attempt.
type ConnectRequest struct {
	Code          string `json:"code"`
	WABAID        string `json:"waba_id"`
	PhoneNumberID string `json:"phone_number_id"`
	Coexistence   bool   `json:"coexistence"`
	AttemptID     string `json:"attempt_id"`
}

// ConnectResponse is the attempt as recorded (never the token).
type ConnectResponse struct {
	AttemptID          string                           `json:"attempt_id"`
	Coexistence        bool                             `json:"coexistence"`
	WABAID             string                           `json:"waba_id,omitempty"`
	PhoneNumberID      string                           `json:"phone_number_id,omitempty"`
	DisplayPhoneNumber string                           `json:"display_phone_number,omitempty"`
	Steps              map[string]onboarding.StepRecord `json:"steps"`
	SyncRequests       map[string]string                `json:"sync_requests,omitempty"`
	Proposals          []onboarding.Proposal            `json:"template_proposals,omitempty"`
	Outcome            string                           `json:"outcome"`
	Reason             string                           `json:"reason,omitempty"`
	CreatedAt          time.Time                        `json:"created_at"`
	UpdatedAt          time.Time                        `json:"updated_at"`
	Next               string                           `json:"next,omitempty"` // the step a retry would run, when failed
}

// NewConnectResponse shows an attempt.
func NewConnectResponse(a *onboarding.Attempt) ConnectResponse {
	return ConnectResponse{AttemptID: a.ID, Coexistence: a.Coexistence, WABAID: a.WABAID, PhoneNumberID: a.PhoneNumberID,
		DisplayPhoneNumber: a.DisplayPhoneNumber, Steps: a.Steps, SyncRequests: a.SyncRequests, Proposals: a.Proposals,
		Outcome: a.Outcome, Reason: a.Reason, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
}

var (
	attemptIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{8,64}$`)
	graphIDPattern   = regexp.MustCompile(`^[0-9]{1,32}$|^$`)
)

// staffConnect runs (or resumes) the onboarding steps of one attempt: 200 with every
// step when complete; 502 with the steps so far when a Meta call failed (calling
// again resumes at the failed step); 409 when the attempt cannot go on (outcome
// stopped, its reason) or another call is running it (outcome running).
func (s *server) staffConnect(w http.ResponseWriter, r *http.Request, st Staff) error {
	var req ConnectRequest
	if err := web.DecodeJSON(w, r, maxBody, &req); err != nil {
		return err
	}
	req.Code, req.WABAID, req.PhoneNumberID = strings.TrimSpace(req.Code), strings.TrimSpace(req.WABAID), strings.TrimSpace(req.PhoneNumberID)
	switch {
	case !attemptIDPattern.MatchString(req.AttemptID):
		return web.FieldError("attempt_id", "invalid_value", "attempt_id must be 8 to 64 letters, digits, - or _")
	case !graphIDPattern.MatchString(req.WABAID):
		return web.FieldError("waba_id", "invalid_value", "waba_id must be Meta's numeric id")
	case !graphIDPattern.MatchString(req.PhoneNumberID):
		return web.FieldError("phone_number_id", "invalid_value", "phone_number_id must be Meta's numeric id")
	case len(req.Code) > 2048:
		return web.FieldError("code", "too_long", "code is too long")
	}
	if s.env.Config.MetaAppID == "" {
		// A deployment without the Meta app id (LEMBRA_META_APP_ID): the operator's to fix.
		return errors.New("connect WhatsApp: LEMBRA_META_APP_ID is not configured")
	}
	ctx := r.Context()
	prev, err := s.store.GetOnboarding(ctx, st.Tenant.ID, req.AttemptID)
	if err != nil {
		return err
	}
	if (prev == nil || len(prev.Steps) == 0) && req.Code == "" { // an attempt only the browser's events recorded has not started
		return web.FieldError("code", "required", "code is required to start an attempt")
	}
	a, claimed, err := s.store.ClaimOnboarding(ctx, &onboarding.Attempt{ID: req.AttemptID, TenantID: st.Tenant.ID,
		Coexistence: req.Coexistence, WABAID: req.WABAID, PhoneNumberID: req.PhoneNumberID, Outcome: "running"},
		s.env.Now(), onboarding.Lease)
	if err != nil {
		return err
	}
	if !claimed {
		// Another call is running it (a double click): the attempt as it stands.
		web.WriteJSON(w, http.StatusConflict, NewConnectResponse(a))
		return nil
	}
	sm, err := s.env.SecretManager(ctx)
	if err != nil {
		return err
	}
	runner := &onboarding.Runner{
		Graph: onboarding.NewGraphClient(s.env.Meta()), AppID: s.env.Config.MetaAppID, AppSecretID: s.env.Config.MetaAppSecretID,
		Secrets: sm, SecretWriter: sm, TokenSecretID: tenants.TokenSecretID,
		Index: s.indexConnection, Activate: s.activateConnection, Abandon: s.abandonConnection,
		Save: s.store.PutOnboarding, Now: s.env.Now, PIN: onboarding.RandomPIN,
	}
	runErr := runner.Run(ctx, a, req.Code)
	s.env.Log.InfoContext(ctx, "whatsapp connect attempt", "tenant_id", st.Tenant.ID, "uid", st.UID,
		"attempt_id", a.ID, "outcome", a.Outcome, "coexistence", a.Coexistence)
	resp := NewConnectResponse(a)
	switch {
	case runErr != nil && a.Outcome == "failed":
		d := onboarding.Plan(a.PlanState(s.env.Now()))
		resp.Next = d.Step
		web.WriteJSON(w, http.StatusBadGateway, resp)
	case runErr != nil:
		return runErr
	case a.Outcome == "stopped":
		web.WriteJSON(w, http.StatusConflict, resp)
	default:
		web.WriteJSON(w, http.StatusOK, resp)
	}
	return nil
}

// indexConnection points the attempt's number and WABA at the tenant, with the token
// secret named, in the tenant's merge transaction (store.MergeTenant keeps the
// indexes and refuses ids another tenant holds with domain.ErrConflict). It runs
// before the app is subscribed, so Meta's webhooks during the onboarding find the
// tenant; sends wait for activateConnection.
func (s *server) indexConnection(ctx context.Context, a *onboarding.Attempt) error {
	phone, waba, display := a.PhoneNumberID, a.WABAID, a.DisplayPhoneNumber
	c := tenants.Change{PhoneNumberID: &phone, WABAID: &waba, TokenStored: true, Connecting: true, Coexistence: a.Coexistence,
		MessagingLimit: a.MessagingLimit}
	if display != "" {
		c.DisplayPhoneNumber = &display
	}
	first := false
	err := s.mergeConnection(ctx, a.TenantID, c, func(stored *domain.Tenant) error {
		first = stored.WhatsApp.FirstConnection() // what a stop before the activation goes back to
		return nil
	})
	if err == nil {
		a.FirstConnection = first
	}
	return err
}

// abandonConnection undoes the index step of an attempt that stopped before its
// activation (tenants.Change.Abandon): the tenant's earlier connection, or none.
func (s *server) abandonConnection(ctx context.Context, a *onboarding.Attempt) error {
	return s.mergeConnection(ctx, a.TenantID, tenants.Change{Abandon: true, AbandonFirst: a.FirstConnection, AbandonPhoneNumberID: a.PhoneNumberID}, nil)
}

// activateConnection is the attempt's last step: connected (again, for a
// reconnection), of its kind; the syncs the attempt asked for.
func (s *server) activateConnection(ctx context.Context, a *onboarding.Attempt) error {
	c := tenants.Change{Connect: true, Coexistence: a.Coexistence}
	if rec, ok := a.Steps[onboarding.StepSyncContacts]; ok && rec.Status == onboarding.StatusDone {
		c.SyncContactsAt = rec.At
	}
	if rec, ok := a.Steps[onboarding.StepSyncHistory]; ok && rec.Status == onboarding.StatusDone {
		c.SyncHistoryAt = rec.At
	}
	err := s.mergeConnection(ctx, a.TenantID, c, func(stored *domain.Tenant) error {
		if stored.WhatsApp.DisconnectedByOwnerSince(a.CreatedAt) {
			// Resuming an attempt begun before the owner's disconnection must not
			// undo it (the app is unsubscribed at Meta): a new login reconnects.
			return onboarding.ErrOwnerDisconnected
		}
		return nil
	})
	if err != nil {
		return err
	}
	// The tenant's send queues at the cap of the number's kind (MarkConnected's), so
	// a coexistence number is never paced above its 20/s; a failure leaves the step to
	// be resumed ("Tentar de novo").
	tasks, err := s.env.Tasks(ctx)
	if err != nil {
		return err
	}
	return tasks.Pace(ctx, a.TenantID, domain.ThroughputCap(a.Coexistence))
}

// mergeConnection applies c to the stored tenant in its merge transaction; check, if
// given, reads the stored tenant first and may refuse the change.
func (s *server) mergeConnection(ctx context.Context, tenantID string, c tenants.Change, check func(stored *domain.Tenant) error) error {
	_, err := s.store.MergeTenant(ctx, tenantID, func(stored *domain.Tenant) (*domain.Tenant, error) {
		if stored == nil {
			return nil, domain.ErrNotFound
		}
		if check != nil {
			if err := check(stored); err != nil {
				return nil, err
			}
		}
		return tenants.Apply(stored, tenantID, c, s.env.Now())
	})
	if errors.Is(err, store.ErrNoChange) {
		return nil
	}
	return err
}
