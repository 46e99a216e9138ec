package onboarding

import (
	"fmt"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
)

// The events the dashboard reports of Embedded Signup: the popup's WA_EMBEDDED_SIGNUP
// message events (finish, the coexistence finish, cancel with the step, cancel with
// an error id:
// https://developers.facebook.com/docs/whatsapp/embedded-signup/implementation#session-logging-message-event-listener)
// and LOGIN_CANCELLED, FB.login's callback without a code.
const (
	EventFinish            = "FINISH"
	EventFinishOnlyWABA    = "FINISH_ONLY_WABA"
	EventFinishBusinessApp = "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING"
	EventCancel            = "CANCEL"
	EventLoginCancelled    = "LOGIN_CANCELLED"
)

// SignupEventNames are the events accepted.
var SignupEventNames = []string{EventFinish, EventFinishOnlyWABA, EventFinishBusinessApp, EventCancel, EventLoginCancelled}

// MaxSignupEvents bounds an attempt's events.
const MaxSignupEvents = 20

// SignupEvent is one event the browser reported.
type SignupEvent struct {
	At           time.Time `firestore:"at" json:"at"`
	Event        string    `firestore:"event" json:"event"`
	CurrentStep  string    `firestore:"current_step,omitempty" json:"current_step,omitempty"`
	ErrorID      string    `firestore:"error_id,omitempty" json:"error_id,omitempty"`
	ErrorMessage string    `firestore:"error_message,omitempty" json:"error_message,omitempty"`
	SessionID    string    `firestore:"session_id,omitempty" json:"session_id,omitempty"`
}

// AddSignupEvent records an event on the attempt, its strings clipped: the same event
// (event, step and error id) twice is recorded once, and beyond MaxSignupEvents
// nothing more is. It reports whether the attempt changed.
func AddSignupEvent(a *Attempt, e SignupEvent) bool {
	e.At = e.At.UTC()
	e.Event = domain.ClipText(e.Event, 64)
	e.CurrentStep = domain.ClipText(e.CurrentStep, 128)
	e.ErrorID = domain.ClipText(e.ErrorID, 128)
	e.ErrorMessage = domain.ClipText(e.ErrorMessage, 512)
	e.SessionID = domain.ClipText(e.SessionID, 128)
	for _, old := range a.Events {
		if old.Event == e.Event && old.CurrentStep == e.CurrentStep && old.ErrorID == e.ErrorID {
			return false
		}
	}
	if len(a.Events) >= MaxSignupEvents {
		return false
	}
	a.Events = append(a.Events, e)
	return true
}

// Ended values of an attempt (the API's SignupAttempt.ended).
const (
	EndedRunning        = "running"
	EndedComplete       = "complete"
	EndedFailed         = "failed"
	EndedStopped        = "stopped"
	EndedFinish         = "finish"
	EndedCancel         = "cancel"
	EndedError          = "error"
	EndedLoginCancelled = "login_cancelled"
)

// Ended says where an attempt ended, with its Portuguese label: the server's outcome
// once its steps started, else the last event the browser reported (CANCEL with an
// error id is an error).
func Ended(a *Attempt) (ended, label string) {
	switch {
	case a.Outcome == "complete":
		return EndedComplete, "Concluído"
	case a.Outcome == "failed":
		return EndedFailed, "Falhou: " + a.Reason + " (tente de novo)"
	case a.Outcome == "stopped":
		return EndedStopped, "Interrompido: " + a.Reason
	case a.Outcome == "running" && len(a.Steps) > 0:
		return EndedRunning, "Em andamento"
	}
	if len(a.Events) == 0 {
		return EndedRunning, "Em andamento"
	}
	e := a.Events[len(a.Events)-1]
	switch e.Event {
	case EventCancel:
		if e.ErrorID != "" {
			return EndedError, fmt.Sprintf("Erro informado pela Meta (id %s): %s", e.ErrorID, e.ErrorMessage)
		}
		if e.CurrentStep != "" {
			// Meta names its screens in English codes, not documented as a list: the
			// sentence is Portuguese, the code is kept for support.
			return EndedCancel, "Cadastro na Meta cancelado antes de terminar (tela da Meta: " + e.CurrentStep + ")"
		}
		return EndedCancel, "Cadastro na Meta cancelado antes de terminar"
	case EventLoginCancelled:
		return EndedLoginCancelled, "Janela da Meta fechada sem concluir"
	}
	return EndedFinish, "Cadastro na Meta concluído; falta terminar a conexão"
}
