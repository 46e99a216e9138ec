package privacy

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"html/template"
	"regexp"
	"strings"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
)

// Statuses of a deletion request.
const (
	StatusInProgress = "in_progress"
	StatusDone       = "done"
)

// Sources of a deletion request.
const (
	SourceMetaCallback = "meta_callback" // Meta's data deletion callback
	SourceOwner        = "owner"         // a studio owner, for one client, from the dashboard
)

// Deletion is a deletion request as stored (data_deletions/{confirmation code}). It
// holds no personal data: the subject is kept only as its SHA-256 (SubjectHash).
type Deletion struct {
	Code        string    `firestore:"-"`
	Source      string    `firestore:"source"`
	SubjectHash string    `firestore:"subject_hash"`
	Status      string    `firestore:"status"`
	RequestedAt time.Time `firestore:"requested_at"`
	UpdatedAt   time.Time `firestore:"updated_at"`
	DoneAt      time.Time `firestore:"done_at,omitempty"`
	// IssuedAt is Meta's issued_at of the signed_request (callback only).
	IssuedAt time.Time `firestore:"issued_at,omitempty"`
	// Tenant and By name the owner's request (source owner); Reason is hers.
	Tenant string `firestore:"tenant_id,omitempty"`
	By     string `firestore:"by,omitempty"`
	Reason string `firestore:"reason,omitempty"`
	// Tenants is the progress per tenant id.
	Tenants map[string]TenantProgress `firestore:"tenants,omitempty"`
}

// TenantProgress is what the erasure did in one tenant.
type TenantProgress struct {
	Done         bool      `firestore:"done"`
	Found        bool      `firestore:"found"` // the subject was a client of this tenant
	Jobs         int       `firestore:"jobs"`
	Appointments int       `firestore:"appointments"`
	Messages     int       `firestore:"messages"`
	Skipped      int       `firestore:"skipped"` // unsent jobs skipped so nothing goes out any more
	At           time.Time `firestore:"at"`
}

// HashSubject is what is stored instead of the subject's id.
func HashSubject(id string) string {
	sum := sha256.Sum256([]byte("lembra-data-deletion:" + id))
	return hex.EncodeToString(sum[:])
}

var codePattern = regexp.MustCompile(`^[a-z2-7]{26}$`)

// NewCode is a fresh confirmation code: 26 characters of a-z and 2-7 (130 random bits),
// alphanumeric as Meta asks of a confirmation code.
func NewCode() string {
	b := make([]byte, 26)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	const alphabet = "abcdefghijklmnopqrstuvwxyz234567"
	for i := range b {
		b[i] = alphabet[b[i]&31]
	}
	return string(b)
}

// ValidCode reports whether s has a confirmation code's form (checked before any read).
func ValidCode(s string) bool { return codePattern.MatchString(s) }

// StatusURL is the public status page of a code under the webhook's base URL.
func StatusURL(base, code string) string {
	return strings.TrimRight(base, "/") + "/data-deletion/status?code=" + code
}

// ---------------------------------------------------------------------------------------
// Who is the client, and what of her is erased.

// Placeholders written instead of a client's name and text.
const (
	RemovedName = "Cliente removido"
	RemovedText = "[mensagem removida a pedido do titular]"
)

// SubjectOf tells whether a conversation's identifiers name the subject of a deletion
// request: exact equality of the id with the conversation's wa_id or user_id.
func SubjectOf(conv domain.Conversation, id string) bool {
	return id != "" && (conv.WAID == id || conv.UserID == id)
}

// PhoneForms are the E.164 forms of a client's phone as appointments and jobs store it,
// given the wa_id: "+" and its digits, and for a Brazilian mobile the form with and
// without the ninth digit, since "for Brazil and Mexico, the extra added prefix of the
// phone number may be modified by the Cloud API" (so the wa_id may lack the 9 the
// booking system wrote, https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/send-messages/).
// Anything that is not 8 to 15 digits yields nothing (a username user has no phone).
func PhoneForms(waID string) []string {
	d := strings.TrimPrefix(waID, "+")
	if !regexp.MustCompile(`^[1-9][0-9]{7,14}$`).MatchString(d) {
		return nil
	}
	out := []string{"+" + d}
	if other, ok := domain.BrazilMobileOtherForm(d); ok {
		out = append(out, "+"+other)
	}
	return out
}

// EraseJob is a job without its client: name, phone, recipient, free text and the dry
// run's request gone; id, type, status, times, attempts and counts kept. It reports
// whether anything changed (false: already erased).
func EraseJob(j *domain.Job) bool {
	changed := j.ClientName != RemovedName || j.ClientPhone != "" || j.Recipient != "" || j.DryRunRequest != "" ||
		(j.Text != "" && j.Text != RemovedText)
	j.ClientName, j.ClientPhone, j.Recipient, j.DryRunRequest = RemovedName, "", "", ""
	if j.Text != "" {
		j.Text = RemovedText
	}
	return changed
}

// EraseAppointment is an appointment without its client's name and phone.
func EraseAppointment(a *domain.Appointment) bool {
	changed := a.ClientName != RemovedName || a.ClientPhone != ""
	a.ClientName, a.ClientPhone = RemovedName, ""
	return changed
}

// ---------------------------------------------------------------------------------------
// The status page.

// StatusPage is what the public status page shows.
type StatusPage struct {
	Found       bool
	Code        string
	RequestedAt string // dd/mm/aaaa HH:mm, São Paulo time
	Situation   string // concluído / em andamento
}

// saoPaulo: the page is read in Brazil; Lembra's tenants are Brazilian studios.
var saoPaulo = func() *time.Location {
	loc, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		return time.FixedZone("BRT", -3*3600)
	}
	return loc
}()

// PageOf is the status page of a stored request (nil: unknown code).
func PageOf(d *Deletion) StatusPage {
	if d == nil {
		return StatusPage{}
	}
	p := StatusPage{Found: true, Code: d.Code, RequestedAt: d.RequestedAt.In(saoPaulo).Format("02/01/2006 15:04"), Situation: "em andamento"}
	if d.Status == StatusDone {
		p.Situation = "concluído"
	}
	return p
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="pt-BR"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>Exclusão de dados — Lembra</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#222}</style>
</head><body>
{{if .Found}}<h1>Exclusão de dados</h1>
<p>Pedido de exclusão de dados recebido em {{.RequestedAt}}; situação: {{.Situation}}.</p>
<p>Código de confirmação: <code>{{.Code}}</code></p>
<p>Nomes, telefones e textos de mensagens ligados a você são apagados de todos os estúdios que usam o Lembra. Guardamos apenas registros sem dados pessoais (quantas mensagens foram enviadas e quando), que não identificam você.</p>
{{else}}<h1>Pedido não encontrado</h1>
<p>Não encontramos nenhum pedido de exclusão de dados com este código. Confira o endereço recebido.</p>
{{end}}</body></html>
`))

// RenderPage writes the page's HTML.
func RenderPage(p StatusPage) string {
	var b strings.Builder
	_ = pageTemplate.Execute(&b, p)
	return b.String()
}

// CodeFor is the confirmation code of a verified signed_request: derived from its
// signature, so Meta sending the same request again names the same deletion (which then
// resumes where it stopped) and nobody without the request can guess it.
func CodeFor(signedRequest string) string {
	sig, _, _ := strings.Cut(strings.TrimSpace(signedRequest), ".")
	sum := sha256.Sum256([]byte("lembra-data-deletion-code:" + strings.TrimRight(sig, "=")))
	const alphabet = "abcdefghijklmnopqrstuvwxyz234567"
	b := make([]byte, 26)
	for i := range b {
		b[i] = alphabet[sum[i]&31]
	}
	return string(b)
}

// BaseURL is the public base of the function that received a request, from what the
// request says: its scheme (X-Forwarded-Proto behind Google's front end, else TLS or
// not), its host, and the path it was called at minus the route's own path (so a
// function served under a prefix, /webhook locally, keeps it).
func BaseURL(forwardedProto string, tls bool, host, requestPath, route string) string {
	scheme := "http"
	switch {
	case forwardedProto != "":
		scheme, _, _ = strings.Cut(forwardedProto, ",")
		scheme = strings.TrimSpace(scheme)
	case tls:
		scheme = "https"
	}
	if scheme != "http" && scheme != "https" {
		scheme = "https"
	}
	return scheme + "://" + host + strings.TrimSuffix(requestPath, route)
}
