package onboarding

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/meta"
)

// Attempt is one connection attempt, stored at tenants/{id}/onboarding/{attempt_id}.
// It never holds the token: that lives only in Secret Manager.
type Attempt struct {
	ID                 string `firestore:"-" json:"attempt_id"`
	TenantID           string `firestore:"tenant_id" json:"tenant_id"`
	Coexistence        bool   `firestore:"coexistence" json:"coexistence"`
	WABAID             string `firestore:"waba_id,omitempty" json:"waba_id,omitempty"`
	PhoneNumberID      string `firestore:"phone_number_id,omitempty" json:"phone_number_id,omitempty"`
	DisplayPhoneNumber string `firestore:"display_phone_number,omitempty" json:"display_phone_number,omitempty"`
	// MessagingLimit is the portfolio's messaging limit the find_assets step read with
	// the number (domain.WhatsApp.MessagingLimit; AttemptLimit); the index step stores it.
	MessagingLimit int                   `firestore:"messaging_limit,omitempty" json:"-"`
	Steps          map[string]StepRecord `firestore:"steps" json:"steps"`
	SyncRequests   map[string]string     `firestore:"sync_requests,omitempty" json:"sync_requests,omitempty"` // sync_type → Meta's request_id
	Proposals      []Proposal            `firestore:"template_proposals,omitempty" json:"template_proposals,omitempty"`
	Outcome        string                `firestore:"outcome" json:"outcome"` // complete | stopped | failed (retry) | running
	Reason         string                `firestore:"reason,omitempty" json:"reason,omitempty"`
	CreatedAt      time.Time             `firestore:"created_at" json:"created_at"`
	UpdatedAt      time.Time             `firestore:"updated_at" json:"updated_at"`
	// RunningUntil: a call is running the attempt until then (store.ClaimOnboarding);
	// another call meanwhile is refused, so a double click never exchanges the
	// single-use code twice. Cleared when the run ends.
	RunningUntil time.Time `firestore:"running_until" json:"-"`
	// Events are what the browser reported of Embedded Signup for this attempt
	// (signup.go: AddSignupEvent), oldest first, at most MaxSignupEvents.
	Events []SignupEvent `firestore:"events,omitempty" json:"events,omitempty"`
	// FirstConnection: at its index step the tenant had no activated connection to go
	// back to (domain.WhatsApp.FirstConnection); a stop before the activation makes it
	// not connected again (Runner.Abandon).
	FirstConnection bool `firestore:"first_connection,omitempty" json:"-"`
	// Halt stops the attempt from outside its steps, with this reason (the owner's
	// disconnection: StopForOwnerDisconnection); Plan runs nothing more.
	Halt string `firestore:"halt,omitempty" json:"-"`
}

// PlanState is what Plan needs of the attempt at now.
func (a *Attempt) PlanState(now time.Time) State {
	return State{Halt: a.Halt, Coexistence: a.Coexistence, Steps: a.Steps, Now: now}
}

// Open reports whether the attempt may still run a step (not complete, not stopped).
func (a *Attempt) Open() bool { return a.Outcome != "complete" && a.Outcome != "stopped" }

// StopForOwnerDisconnection stops an open attempt because the owner disconnected the
// number: resuming it ("Tentar de novo") would activate the connection again and undo
// her disconnection while the app stays unsubscribed at Meta. It reports whether the
// attempt changed (a complete or stopped one is left as it is).
func StopForOwnerDisconnection(a *Attempt, now time.Time) bool {
	if !a.Open() {
		return false
	}
	a.Halt, a.Outcome, a.Reason = ReasonOwnerDisconnected, "stopped", ReasonOwnerDisconnected
	a.RunningUntil, a.UpdatedAt = time.Time{}, now.UTC()
	return true
}

// ErrOwnerDisconnected is Runner.Activate's refusal: the owner disconnected the number
// after the attempt began (domain.WhatsApp.DisconnectedByOwnerSince).
var ErrOwnerDisconnected = errors.New("onboarding: the owner disconnected the number after the attempt began")

// Lease is how long a call may hold an attempt: longer than its Meta calls take
// (a few seconds each, bounded by the client's timeout).
const Lease = 2 * time.Minute

// Graph is the Graph API as the steps use it (GraphClient; tests may pass another).
type Graph interface {
	ExchangeCode(ctx context.Context, appID, appSecret, code string) (string, error)
	GrantedWABAs(ctx context.Context, appToken, businessToken string) ([]string, error)
	PhoneNumbers(ctx context.Context, token, wabaID string) ([]PhoneNumber, error)
	SubscribeApp(ctx context.Context, token, wabaID string) error
	Register(ctx context.Context, token, phoneNumberID, pin string) error
	SyncSMBAppData(ctx context.Context, token, phoneNumberID, syncType string) (string, error)
	MessageTemplates(ctx context.Context, token, wabaID string) ([]GraphTemplate, error)
}

// Runner runs an attempt's steps with its dependencies.
type Runner struct {
	Graph       Graph
	AppID       string
	AppSecretID string
	// Secrets reads the app secret and the tenant's stored token (uncached: a
	// reconnection's new token must be read, not an old cached one).
	Secrets interface {
		Secret(ctx context.Context, id string) ([]byte, error)
	}
	SecretWriter interface {
		Put(ctx context.Context, id string, value []byte) error
	}
	TokenSecretID func(tenantID string) string
	// Index points the phone number id and the WABA id at the tenant, sends still
	// blocked (refusing ids of another tenant with domain.ErrConflict).
	Index func(ctx context.Context, a *Attempt) error
	// Activate marks the tenant's connection connected: its kind, cap and the syncs
	// the attempt requested.
	Activate func(ctx context.Context, a *Attempt) error
	// Abandon gives the tenant back its earlier connection when the attempt stops
	// after its index step and before its activation (domain.AbandonConnecting):
	// sends are no longer held as connecting; a first connection is not connected.
	Abandon func(ctx context.Context, a *Attempt) error
	Save    func(ctx context.Context, a *Attempt) error
	Now     func() time.Time
	PIN     func() (string, error) // the registration's 6-digit PIN
}

// RandomPIN draws a 6-digit PIN.
func RandomPIN() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// stepError is a step's failure: a Portuguese reason and whether a retry can help.
type stepError struct {
	reason    string
	permanent bool
	err       error
}

func (e *stepError) Error() string { return e.reason + ": " + e.err.Error() }

func failed(reason string, err error) error { return &stepError{reason: reason, err: err} }

// Run resumes an attempt: it records each step as it ends and saves the attempt after
// each, stopping at the first failure (a later call resumes there: Outcome failed, the
// step's error returned). A failure Plan says cannot be retried ends the attempt
// (Outcome stopped, nil error). code is used only by exchange_code.
func (r *Runner) Run(ctx context.Context, a *Attempt, code string) error {
	var token string // the business token, in memory from the exchange to its storage
	a.Outcome = "running"
	for {
		d := Plan(a.PlanState(r.Now()))
		switch d.Action {
		case ActionComplete:
			a.Outcome, a.Reason = "complete", ""
			return r.save(ctx, a)
		case ActionStop:
			return r.stop(ctx, a, d.Reason)
		case ActionSkip:
			r.record(a, StepRecord{Name: d.Step, Status: StatusSkipped, Error: d.Reason})
			if err := r.save(ctx, a); err != nil {
				return err
			}
			continue
		}
		err := r.step(ctx, a, d.Step, code, &token)
		rec := StepRecord{Name: d.Step, Status: StatusDone}
		if err != nil {
			var se *stepError
			if !errors.As(err, &se) {
				se = &stepError{reason: "falha interna", err: err}
			}
			rec.Status, rec.Error, rec.Permanent = StatusFailed, se.reason+metaDetail(se.err), se.permanent
		}
		r.record(a, rec)
		if err != nil {
			// A failure no retry can mend stops the attempt now (Plan's stop).
			if next := Plan(a.PlanState(r.Now())); next.Action == ActionStop {
				return r.stop(ctx, a, next.Reason)
			}
			a.Outcome, a.Reason = "failed", rec.Error
			if serr := r.save(ctx, a); serr != nil {
				return serr
			}
			return err
		}
		if err := r.save(ctx, a); err != nil {
			return err
		}
	}
}

// stop ends the attempt with Plan's reason. Stopped after its index step and before
// its activation, it gives the tenant back its earlier connection first (Abandon;
// idempotent: a repeated call on the stopped attempt does it again harmlessly).
func (r *Runner) stop(ctx context.Context, a *Attempt, reason string) error {
	a.Outcome, a.Reason = "stopped", reason
	if a.Halt == "" && a.Steps[StepIndex].Status == StatusDone && a.Steps[StepActivate].Status != StatusDone && r.Abandon != nil {
		if err := r.Abandon(ctx, a); err != nil {
			return fmt.Errorf("give the connection back after the stopped attempt: %w", err)
		}
	}
	return r.save(ctx, a)
}

func (r *Runner) record(a *Attempt, rec StepRecord) {
	if a.Steps == nil {
		a.Steps = map[string]StepRecord{}
	}
	rec.At = r.Now().UTC()
	rec.Tries = a.Steps[rec.Name].Tries + 1
	a.Steps[rec.Name] = rec
}

func (r *Runner) save(ctx context.Context, a *Attempt) error {
	if a.Outcome != "running" {
		a.RunningUntil = time.Time{}
	}
	a.UpdatedAt = r.Now().UTC()
	if a.CreatedAt.IsZero() {
		a.CreatedAt = a.UpdatedAt
	}
	return r.Save(ctx, a)
}

// metaDetail names Meta's error code for support (Meta's text is English: only the code).
func metaDetail(err error) string {
	var apiErr *meta.APIError
	if errors.As(err, &apiErr) {
		if apiErr.Code != 0 {
			return fmt.Sprintf(" (Meta: código %d)", apiErr.Code)
		}
		return fmt.Sprintf(" (Meta: HTTP %d)", apiErr.HTTPStatus)
	}
	if errors.Is(err, meta.ErrTransport) {
		return " (a Meta não respondeu)"
	}
	return ""
}

func (r *Runner) businessToken(ctx context.Context, a *Attempt, inMemory string) (string, error) {
	if inMemory != "" {
		return inMemory, nil
	}
	b, err := r.Secrets.Secret(ctx, r.TokenSecretID(a.TenantID))
	if err != nil {
		return "", failed("não foi possível ler o token guardado do estúdio", err)
	}
	return string(b), nil
}

func (r *Runner) step(ctx context.Context, a *Attempt, name, code string, token *string) error {
	switch name {
	case StepExchangeCode:
		if code == "" {
			return failed("falta o código da Meta", errors.New("no code"))
		}
		secret, err := r.Secrets.Secret(ctx, r.AppSecretID)
		if err != nil {
			return failed("não foi possível ler o segredo do app", err)
		}
		tok, err := r.Graph.ExchangeCode(ctx, r.AppID, string(secret), code)
		if err != nil {
			return failed("a Meta não trocou o código pelo token", err)
		}
		*token = tok
		return nil
	case StepStoreToken:
		if *token == "" {
			return failed("o token não está mais disponível", errors.New("token lost"))
		}
		if err := r.SecretWriter.Put(ctx, r.TokenSecretID(a.TenantID), []byte(*token)); err != nil {
			return failed("não foi possível guardar o token no Secret Manager", err)
		}
		return nil
	case StepIndex:
		if err := r.Index(ctx, a); err != nil {
			if errors.Is(err, domain.ErrConflict) {
				return &stepError{reason: "este número ou esta conta já está conectado a outro estúdio", permanent: true, err: err}
			}
			return failed("não foi possível ligar o número ao estúdio", err)
		}
		return nil
	case StepActivate:
		if err := r.Activate(ctx, a); err != nil {
			if errors.Is(err, ErrOwnerDisconnected) {
				return &stepError{reason: ReasonOwnerDisconnected, permanent: true, err: err}
			}
			return failed("não foi possível ativar a conexão do número", err)
		}
		return nil
	}
	tok, err := r.businessToken(ctx, a, *token)
	if err != nil {
		return err
	}
	switch name {
	case StepFindAssets:
		secret, err := r.Secrets.Secret(ctx, r.AppSecretID)
		if err != nil {
			return failed("não foi possível ler o segredo do app", err)
		}
		wabas, err := r.Graph.GrantedWABAs(ctx, r.AppID+"|"+string(secret), tok)
		if err != nil {
			return failed("a Meta não disse a quais contas o token dá acesso", err)
		}
		switch {
		case len(wabas) == 0:
			return &stepError{reason: "o token não dá acesso a nenhuma conta do WhatsApp Business", permanent: true, err: errors.New("no WABA granted")}
		case a.WABAID == "":
			a.WABAID = wabas[0]
		case !contains(wabas, a.WABAID):
			return &stepError{reason: "a conta do WhatsApp Business escolhida não foi autorizada para o app", permanent: true, err: errors.New("WABA not granted")}
		}
		nums, err := r.Graph.PhoneNumbers(ctx, tok, a.WABAID)
		if err != nil {
			return failed("a Meta não listou os números da conta", err)
		}
		var pick *PhoneNumber
		for i := range nums {
			if a.PhoneNumberID == "" || nums[i].ID == a.PhoneNumberID {
				pick = &nums[i]
				break
			}
		}
		if pick == nil {
			return &stepError{reason: "o número escolhido não está na conta do WhatsApp Business", permanent: true, err: errors.New("number not in WABA")}
		}
		a.PhoneNumberID, a.DisplayPhoneNumber = pick.ID, pick.DisplayPhoneNumber
		a.MessagingLimit = AttemptLimit(pick.MessagingLimit)
		return nil
	case StepSubscribeApp:
		if err := r.Graph.SubscribeApp(ctx, tok, a.WABAID); err != nil {
			return failed("a Meta não inscreveu o app nos webhooks da conta", err)
		}
		return nil
	case StepRegister:
		pin, err := r.PIN()
		if err != nil {
			return failed("não foi possível gerar o PIN", err)
		}
		if err := r.Graph.Register(ctx, tok, a.PhoneNumberID, pin); err != nil {
			return failed("a Meta não registrou o número", err)
		}
		return nil
	case StepSyncContacts, StepSyncHistory:
		syncType := "smb_app_state_sync"
		if name == StepSyncHistory {
			syncType = "history"
		}
		id, err := r.Graph.SyncSMBAppData(ctx, tok, a.PhoneNumberID, syncType)
		if err != nil {
			return failed("a Meta não iniciou a sincronização do aplicativo ("+syncType+")", err)
		}
		if a.SyncRequests == nil {
			a.SyncRequests = map[string]string{}
		}
		a.SyncRequests[syncType] = id
		return nil
	case StepTemplates:
		list, err := r.Graph.MessageTemplates(ctx, tok, a.WABAID)
		if err != nil {
			return failed("a Meta não listou os modelos de mensagem", err)
		}
		a.Proposals = ProposeTemplates(list)
		return nil
	}
	return fmt.Errorf("unknown step %q", name)
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
