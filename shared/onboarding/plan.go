// Package onboarding finishes a studio's WhatsApp connection on the server after
// Meta's Embedded Signup, as a resumable sequence of idempotent steps recorded on
// tenants/{id}/onboarding/{attempt_id}. Plan decides the sequence and what follows a
// failure; the steps' Graph calls follow Meta's "Onboarding business customers as a
// Tech Provider" page:
// https://developers.facebook.com/docs/whatsapp/embedded-signup/onboarding-customers-as-a-tech-provider
package onboarding

import "time"

// Step names, in the order they run.
const (
	StepExchangeCode = "exchange_code" // GET /oauth/access_token: the code for the business token
	StepStoreToken   = "store_token"   // a new version of the tenant's token secret
	StepFindAssets   = "find_assets"   // debug_token granular scopes (+ GET /<WABA>/phone_numbers)
	// StepIndex points the phone number id and the WABA id at the tenant before
	// anything is subscribed or registered: Meta's webhooks during the onboarding
	// (account_update PARTNER_ADDED after subscribed_apps, the history and state-sync
	// webhooks after smb_app_data) must find the tenant. A number or WABA another
	// studio holds is refused here, permanently. Sends stay blocked until StepActivate.
	StepIndex        = "index"
	StepSubscribeApp = "subscribe_app" // POST /<WABA>/subscribed_apps
	StepRegister     = "register"      // POST /<PHONE>/register (never for coexistence)
	StepSyncContacts = "sync_contacts" // POST /<PHONE>/smb_app_data smb_app_state_sync (coexistence)
	StepSyncHistory  = "sync_history"  // POST /<PHONE>/smb_app_data history (coexistence)
	StepTemplates    = "templates"     // GET /<WABA>/message_templates → proposals
	StepActivate     = "activate"      // connected: the number's kind, cap and the syncs requested; sends go
)

// Steps is every step in order.
var Steps = []string{StepExchangeCode, StepStoreToken, StepFindAssets, StepIndex, StepSubscribeApp,
	StepRegister, StepSyncContacts, StepSyncHistory, StepTemplates, StepActivate}

// Status of a recorded step.
const (
	StatusDone    = "done"
	StatusFailed  = "failed"
	StatusSkipped = "skipped" // the step does not apply to this number (register for coexistence)
)

// StepRecord is what is recorded about one step of an attempt.
type StepRecord struct {
	Name   string    `firestore:"name" json:"name"`
	Status string    `firestore:"status" json:"status"`
	At     time.Time `firestore:"at" json:"at"`
	// Error is the Portuguese reason of a failure or a skip, for the owner and support.
	Error string `firestore:"error,omitempty" json:"error,omitempty"`
	// Permanent: retrying the step cannot succeed (e.g. the number is another studio's).
	Permanent bool `firestore:"permanent,omitempty" json:"permanent,omitempty"`
	// Tries counts the runs of the step (a failure and its retry: 2).
	Tries int `firestore:"tries" json:"tries"`
}

// Action is what Plan says to do next.
type Action string

const (
	ActionRun      Action = "run"      // run Decision.Step
	ActionSkip     Action = "skip"     // record Decision.Step as skipped, with Decision.Reason
	ActionStop     Action = "stop"     // nothing more can be done in this attempt: Decision.Reason says why
	ActionComplete Action = "complete" // every step is done or skipped
)

// Decision is Plan's answer.
type Decision struct {
	Action Action
	Step   string
	Reason string // Portuguese, for a skip or a stop
}

// SyncWindow is how long after onboarding the coexistence syncs may be asked for:
// "within 24 hours" (https://developers.facebook.com/docs/whatsapp/embedded-signup/onboarding-business-app-users).
const SyncWindow = 24 * time.Hour

// Portuguese reasons.
const (
	ReasonCoexistenceRegister = "número do aplicativo WhatsApp Business (coexistência): já registrado, não se registra de novo"
	ReasonNotCoexistence      = "número da API de nuvem: não há dados do aplicativo para sincronizar"
	ReasonCodeUsed            = "o código da Meta só vale uma vez e esta tentativa não guardou o token: conecte o WhatsApp de novo"
	// ReasonSyncWindow: the stopped attempt gives the number back to its earlier state
	// (Runner.Abandon), so the dashboard offers a new login ("Conectar WhatsApp", or
	// "Reconectar" on a number that was connected).
	ReasonSyncWindow = "passaram as 24 horas que a Meta dá para sincronizar o aplicativo: faça a conexão de novo com \"Conectar WhatsApp\" (ou \"Reconectar\")"
	// ReasonOwnerDisconnected: the owner disconnected the number while the attempt was
	// open; resuming it would undo her disconnection (StopForOwnerDisconnection).
	ReasonOwnerDisconnected = "o número foi desconectado pelo responsável: conecte de novo"
)

// State is what Plan needs about an attempt.
type State struct {
	// Halt: the attempt was stopped from outside its steps (the owner's
	// disconnection) with this reason; nothing more runs.
	Halt        string
	Coexistence bool
	Steps       map[string]StepRecord
	Now         time.Time
}

// Plan decides the next thing to do in an attempt: the first step not done (nor
// skipped) runs; a step done or skipped is never repeated. The steps up to the stored
// token cannot be retried in the same attempt (Meta's codes are single-use and the
// token lives only in memory until stored), so their failure stops it; a permanent
// failure stops it too; any other failure is retried. The coexistence syncs stop once
// the 24 hours after the code exchange have passed. A halted attempt stops.
func Plan(s State) Decision {
	if s.Halt != "" {
		return Decision{Action: ActionStop, Reason: s.Halt}
	}
	for _, name := range Steps {
		rec, ok := s.Steps[name]
		if ok && (rec.Status == StatusDone || rec.Status == StatusSkipped) {
			continue
		}
		if reason := notApplicable(name, s.Coexistence); reason != "" {
			return Decision{Action: ActionSkip, Step: name, Reason: reason}
		}
		if ok && rec.Status == StatusFailed {
			if name == StepExchangeCode || name == StepStoreToken {
				return Decision{Action: ActionStop, Step: name, Reason: ReasonCodeUsed}
			}
			if rec.Permanent {
				return Decision{Action: ActionStop, Step: name, Reason: rec.Error}
			}
		}
		if name == StepSyncContacts || name == StepSyncHistory {
			if ex, ok := s.Steps[StepExchangeCode]; ok && s.Now.Sub(ex.At) > SyncWindow {
				return Decision{Action: ActionStop, Step: name, Reason: ReasonSyncWindow}
			}
		}
		return Decision{Action: ActionRun, Step: name}
	}
	return Decision{Action: ActionComplete}
}

func notApplicable(step string, coexistence bool) string {
	switch {
	case step == StepRegister && coexistence:
		return ReasonCoexistenceRegister
	case (step == StepSyncContacts || step == StepSyncHistory) && !coexistence:
		return ReasonNotCoexistence
	}
	return ""
}
