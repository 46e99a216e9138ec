package ptbr

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Texts of the staff panel's job view and conversation view that are not reasons.

// attemptOutcomes are the Portuguese labels of a send attempt's outcome, as
// dispatch.Record and the unknown-outcome check store them (domain.Attempt.Outcome).
var attemptOutcomes = map[string]string{
	"sent":               "Enviada",
	"retry":              "Falhou; nova tentativa agendada",
	"failed":             "Falhou",
	"unknown":            "Sem confirmação da Meta",
	"settled_by_webhook": "Já resolvida pelo status da Meta",
	"late":               "Resposta atrasada, desconsiderada",
}

// AttemptOutcomeLabel is what staff read for an attempt's outcome; one this version does
// not know is shown by its name.
func AttemptOutcomeLabel(outcome string) string {
	if l, ok := attemptOutcomes[outcome]; ok {
		return l
	}
	if outcome == "" {
		return "Resultado não registrado"
	}
	return "Resultado: " + outcome
}

// TemplateSend is what a template message said, as the conversation view renders it:
// its kind (e.g. "aviso de agendamento"), the appointment's service, its date
// (dd/mm/aaaa) and hour (HH:mm) — both "" when the time it named is not known (the
// appointment was rescheduled since) — and the studio's name.
type TemplateSend struct {
	Kind, Service, Date, Hour, Studio string
}

// TemplateSendText renders a template message readably, e.g. "Aviso de agendamento:
// Design de sobrancelhas em 02/12/2026 às 14:00 — Studio Jana". Parts not known are left
// out; a send with no part known but its kind is just the kind.
func TemplateSendText(s TemplateSend) string {
	kind := strings.TrimSpace(s.Kind)
	if kind == "" {
		kind = "mensagem automática"
	}
	r, n := utf8.DecodeRuneInString(kind)
	out := string(unicode.ToUpper(r)) + kind[n:]
	var what []string
	if v := strings.TrimSpace(s.Service); v != "" {
		what = append(what, v)
	}
	switch {
	case s.Date != "" && s.Hour != "":
		what = append(what, "em "+s.Date+" às "+s.Hour)
	case s.Date != "":
		what = append(what, "em "+s.Date)
	case s.Service != "":
		what = append(what, "(horário anterior à remarcação)")
	}
	if len(what) > 0 {
		out += ": " + strings.Join(what, " ")
	}
	if v := strings.TrimSpace(s.Studio); v != "" {
		out += " — " + v
	}
	return out
}
