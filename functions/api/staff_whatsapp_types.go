package api

import (
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/onboarding"
	"github.com/lembra-app/lembra/shared/ptbr"
)

// WhatsAppConnection is GET /v1/staff/whatsapp's answer.
type WhatsAppConnection struct {
	State              string `json:"state"`
	StateLabel         string `json:"state_label"`
	Detail             string `json:"detail"`
	CanSend            bool   `json:"can_send"`
	Coexistence        bool   `json:"coexistence"`
	KindLabel          string `json:"kind_label"`
	ThroughputCap      int    `json:"throughput_cap"`
	PhoneNumberID      string `json:"phone_number_id"`
	DisplayPhoneNumber string `json:"display_phone_number"`
	WABAID             string `json:"waba_id"`
	WebhooksSubscribed bool   `json:"webhooks_subscribed"`
	// MessagingLimit is the portfolio's messaging limit and its use (staff_whatsapp_limit.go).
	MessagingLimit    MessagingLimitView    `json:"messaging_limit"`
	Sync              *ConnectionSyncView   `json:"sync,omitempty"`
	Token             TokenView             `json:"token"`
	Disconnection     *DisconnectionView    `json:"disconnection,omitempty"`
	Attempts          []SignupAttempt       `json:"attempts"`
	TemplateProposals []onboarding.Proposal `json:"template_proposals"`
	Signup            *SignupConfig         `json:"signup,omitempty"`
	// Note: what the owner's disconnection found at Meta, when worth saying (Portuguese).
	Note string `json:"note,omitempty"`
}

// ConnectionSyncView is a coexistence number's syncs.
type ConnectionSyncView struct {
	Contacts SyncContactsView `json:"contacts"`
	History  SyncHistoryView  `json:"history"`
}

// SyncContactsView is the contacts sync.
type SyncContactsView struct {
	State string `json:"state"`
	Label string `json:"label"`
}

// SyncHistoryView is the history sync.
type SyncHistoryView struct {
	State    string `json:"state"`
	Progress int    `json:"progress"`
	Label    string `json:"label"`
}

// TokenView is the last token check.
type TokenView struct {
	CheckedAt      *time.Time `json:"checked_at,omitempty"`
	CheckedAtLocal string     `json:"checked_at_local,omitempty"`
	Valid          bool       `json:"valid"`
	Label          string     `json:"label"`
}

// DisconnectedBy says in Portuguese who disconnected the number: the owner's e-mail
// for her own disconnection; for Meta's PARTNER_REMOVED, disconnection_info's
// initiated_by (USER: the business pressed Disconnect in the WhatsApp Business App;
// SYSTEM or none: Meta itself,
// https://developers.facebook.com/docs/whatsapp/embedded-signup/onboarding-business-app-users)
// as "pelo aplicativo WhatsApp Business" or "pela Meta" (Meta's raw value is never shown).
func DisconnectedBy(d *domain.AccountDisconnection) string {
	switch {
	case d == nil:
		return "pela Meta"
	case d.InitiatedBy == domain.DisconnectedByOwner && d.By != "":
		return d.By
	case d.InitiatedBy == "USER":
		return "pelo aplicativo WhatsApp Business"
	}
	return "pela Meta"
}

// DisconnectionView says when, by whom and why the number was disconnected.
type DisconnectionView struct {
	AtLocal string `json:"at_local"`
	By      string `json:"by"`
	Reason  string `json:"reason"`
}

// SignupConfig is what the dashboard needs to launch Embedded Signup.
type SignupConfig struct {
	AppID           string   `json:"app_id"`
	ConfigID        string   `json:"config_id"`
	SDKURL          string   `json:"sdk_url"`
	GraphAPIVersion string   `json:"graph_api_version"`
	MessageOrigins  []string `json:"message_origins"`
}

// SignupAttempt is one attempt as shown: ConnectResponse with where it ended.
type SignupAttempt struct {
	AttemptID          string                           `json:"attempt_id"`
	Coexistence        bool                             `json:"coexistence"`
	WABAID             string                           `json:"waba_id,omitempty"`
	PhoneNumberID      string                           `json:"phone_number_id,omitempty"`
	DisplayPhoneNumber string                           `json:"display_phone_number,omitempty"`
	Steps              map[string]onboarding.StepRecord `json:"steps"`
	Proposals          []onboarding.Proposal            `json:"template_proposals,omitempty"`
	Outcome            string                           `json:"outcome"`
	Reason             string                           `json:"reason,omitempty"`
	Next               string                           `json:"next,omitempty"`
	CreatedAt          time.Time                        `json:"created_at"`
	UpdatedAt          time.Time                        `json:"updated_at"`
	CreatedAtLocal     string                           `json:"created_at_local"`
	Ended              string                           `json:"ended"`
	EndedLabel         string                           `json:"ended_label"`
	Events             []SignupEventView                `json:"events"`
}

// SignupEventView is one browser event of an attempt.
type SignupEventView struct {
	At           time.Time `json:"at"`
	AtLocal      string    `json:"at_local"`
	Event        string    `json:"event"`
	CurrentStep  string    `json:"current_step,omitempty"`
	ErrorID      string    `json:"error_id,omitempty"`
	ErrorMessage string    `json:"error_message,omitempty"`
	SessionID    string    `json:"session_id,omitempty"`
}

// NewSignupAttempt shows an attempt, times in loc.
func NewSignupAttempt(a *onboarding.Attempt, loc *time.Location) SignupAttempt {
	out := SignupAttempt{AttemptID: a.ID, Coexistence: a.Coexistence, WABAID: a.WABAID, PhoneNumberID: a.PhoneNumberID,
		DisplayPhoneNumber: a.DisplayPhoneNumber, Steps: a.Steps, Proposals: a.Proposals, Outcome: a.Outcome, Reason: a.Reason,
		CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt, CreatedAtLocal: ptbr.DateTime(a.CreatedAt, loc), Events: []SignupEventView{}}
	if out.Steps == nil {
		out.Steps = map[string]onboarding.StepRecord{}
	}
	if out.Outcome == "" {
		out.Outcome = "running"
	}
	if a.Outcome == "failed" {
		out.Next = onboarding.Plan(a.PlanState(a.UpdatedAt)).Step
	}
	out.Ended, out.EndedLabel = onboarding.Ended(a)
	for _, e := range a.Events {
		out.Events = append(out.Events, SignupEventView{At: e.At, AtLocal: ptbr.DateTime(e.At, loc), Event: e.Event, CurrentStep: e.CurrentStep,
			ErrorID: e.ErrorID, ErrorMessage: e.ErrorMessage, SessionID: e.SessionID})
	}
	return out
}

// NewWhatsAppConnection shows a tenant's connection at now.
func NewWhatsAppConnection(t *domain.Tenant, attempts []*onboarding.Attempt, appID, configID, sdkURL, version string, origins []string, now time.Time) WhatsAppConnection {
	loc := t.Location()
	wa := t.WhatsApp
	cs := domain.ConnectionStateOf(wa, now)
	label, detail := ptbr.Connection(cs, wa, loc)
	capMPS := wa.ThroughputCap
	if capMPS == 0 {
		capMPS = domain.ThroughputCap(wa.Coexistence)
	}
	c := WhatsAppConnection{
		State: cs.State, StateLabel: label, Detail: detail, CanSend: cs.CanSend,
		Coexistence: wa.Coexistence, KindLabel: ptbr.KindLabel(wa.Coexistence), ThroughputCap: capMPS,
		PhoneNumberID: wa.PhoneNumberID, DisplayPhoneNumber: wa.DisplayPhoneNumber, WABAID: wa.WABAID,
		WebhooksSubscribed: wa.WebhooksSubscribed(),
		Token:              TokenView{Label: ptbr.TokenLabel(wa.TokenCheck, loc)},
		Attempts:           []SignupAttempt{}, TemplateProposals: []onboarding.Proposal{},
	}
	if wa.TokenCheck != nil {
		at := wa.TokenCheck.CheckedAt
		c.Token.CheckedAt, c.Token.CheckedAtLocal, c.Token.Valid = &at, ptbr.DateTime(at, loc), wa.TokenCheck.Valid
	}
	if wa.Coexistence && wa.Sync != nil {
		v := &ConnectionSyncView{}
		v.Contacts.State, v.Contacts.Label = wa.Sync.ContactsState(), ptbr.ContactsLabel(*wa.Sync)
		v.History.State, v.History.Progress, v.History.Label = wa.Sync.HistoryState(), wa.Sync.HistoryProgress, ptbr.HistoryLabel(*wa.Sync)
		c.Sync = v
	}
	if cs.State == domain.StateDisconnected {
		d := DisconnectionView{}
		at := wa.EventTimes[domain.FactConnection]
		if wa.Disconnection != nil {
			if !wa.Disconnection.At.IsZero() {
				at = wa.Disconnection.At
			}
		}
		d.By = DisconnectedBy(wa.Disconnection)
		if !at.IsZero() {
			d.AtLocal = ptbr.DateTime(at, loc)
		}
		d.Reason = detail
		c.Disconnection = &d
	}
	proposalsDone := false
	for _, a := range attempts {
		c.Attempts = append(c.Attempts, NewSignupAttempt(a, loc))
		if !proposalsDone && a.Outcome == "complete" {
			proposalsDone = true
			c.TemplateProposals = append(c.TemplateProposals, a.Proposals...)
		}
	}
	if appID != "" && configID != "" {
		c.Signup = &SignupConfig{AppID: appID, ConfigID: configID, SDKURL: sdkURL, GraphAPIVersion: version, MessageOrigins: origins}
	}
	return c
}
