// Package ptbr holds everything Lembra says in Brazilian Portuguese: dates and times in
// the tenant's time zone (dd/mm/aaaa, 24-hour clock) and the reasons shown to staff.
package ptbr

import (
	"fmt"
	"strings"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
)

// Date formats t as dd/mm/aaaa in loc.
func Date(t time.Time, loc *time.Location) string { return t.In(loc).Format("02/01/2006") }

// Time formats t as HH:mm (24-hour) in loc.
func Time(t time.Time, loc *time.Location) string { return t.In(loc).Format("15:04") }

// DateTime formats t as "dd/mm/aaaa HH:mm" in loc.
func DateTime(t time.Time, loc *time.Location) string { return t.In(loc).Format("02/01/2006 15:04") }

// Reason codes for decisions not to send, and their texts.
const (
	ReasonModeDisabled     = "mode_disabled"
	ReasonDryRun           = "dry_run"
	ReasonTenantNotAllowed = "tenant_not_allowed"
	ReasonKillSwitch       = "kill_switch"
	ReasonAppointmentGone  = "appointment_canceled"
	ReasonAppointmentPast  = "appointment_past"
	ReasonReminderTooLate  = "reminder_too_late"
	ReasonTemplateMissing  = "template_missing"
	ReasonNoPhoneNumber    = "whatsapp_not_connected"
	ReasonRescheduled      = "rescheduled"
	ReasonRetriesExhausted = "retries_exhausted"
	ReasonMetaError        = "meta_error"
	ReasonTokenUnavailable = "token_unavailable"
)

var reasonTexts = map[string]string{
	ReasonModeDisabled:     "Automação desativada (modo disabled) neste ambiente ou para este estúdio: nada foi enviado.",
	ReasonDryRun:           "Modo de teste (dry run): a mensagem foi montada e registrada, mas não enviada.",
	ReasonTenantNotAllowed: "Estúdio fora da lista de liberação da automação neste ambiente: nada foi enviado.",
	ReasonKillSwitch:       "Automação pausada pela chave de emergência do estúdio: nada foi enviado.",
	ReasonAppointmentGone:  "Agendamento cancelado: a mensagem não foi enviada.",
	ReasonAppointmentPast:  "O horário do agendamento já passou: a mensagem não foi enviada.",
	ReasonReminderTooLate:  "Agendamento feito com menos de 24 horas de antecedência: não há lembrete de 24 horas.",
	ReasonTemplateMissing:  "Nenhum modelo de mensagem (template) configurado para este aviso: configure-o nas configurações do estúdio.",
	ReasonNoPhoneNumber:    "WhatsApp do estúdio não conectado (sem número configurado): reconecte a conta do WhatsApp.",
	ReasonRescheduled:      "Agendamento remarcado: este lembrete foi substituído pelo do novo horário.",
	ReasonTokenUnavailable: "Não foi possível ler o token da Meta do estúdio: reconecte a conta do WhatsApp.",
}

// Reason returns the reason for a code from the catalogue above.
func Reason(code string) domain.Reason {
	text, ok := reasonTexts[code]
	if !ok {
		text = "Mensagem não enviada (" + code + ")."
	}
	return domain.Reason{Code: code, Text: text}
}

// Texts for transient failures and waits.
const (
	TextNetwork       = "Sem resposta da Meta (falha de rede)."
	TextUnknown       = "A Meta não respondeu a tempo depois de receber o pedido: aguardando a confirmação antes de tentar de novo, para não duplicar a mensagem."
	TextUnknownRetry  = "Nenhuma confirmação da Meta chegou: nova tentativa de envio."
	TextLeaseExpired  = "O envio anterior foi interrompido sem resposta: aguardando a confirmação da Meta antes de tentar de novo."
	TextRetryLater    = "Nova tentativa automática às %s."
	TextMetaHTTPError = "A Meta respondeu com erro HTTP %d."
)

// RetriesExhausted is the reason of a job that failed every allowed attempt.
func RetriesExhausted(attempts int, last string) domain.Reason {
	return domain.Reason{
		Code: ReasonRetriesExhausted,
		Text: fmt.Sprintf("Falha depois de %d tentativas. Último erro: %s", attempts, last),
	}
}

// More reason codes for session messages and templates.
const (
	ReasonWindowClosed        = "window_closed"
	ReasonTemplateNotApproved = "template_not_approved"
	ReasonNoRecipient         = "no_recipient"
	ReasonOutcomeUnknown      = "outcome_unknown"
)

func init() {
	reasonTexts[ReasonWindowClosed] = "Janela de 24 horas fechada: o cliente não escreveu nas últimas 24 horas, e mensagem livre só pode ser enviada com a janela aberta."
	reasonTexts[ReasonTemplateNotApproved] = "O modelo de mensagem não está aprovado na Meta: nada foi enviado."
	reasonTexts[ReasonOutcomeUnknown] = "A Meta não confirmou nenhuma das tentativas de envio: a mensagem pode ou não ter chegado. Confira com o cliente antes de reenviar."
	reasonTexts[ReasonNoRecipient] = "O cliente não tem número de WhatsApp conhecido (usa nome de usuário): responda pelo aplicativo."
}

// TemplateNotApproved says which template Meta holds back, and why.
func TemplateNotApproved(name, language, status, reason string) domain.Reason {
	text := fmt.Sprintf("O modelo %q (%s) está com status %s na Meta", name, language, status)
	if reason != "" && reason != "NONE" {
		text += " (motivo: " + reason + ")"
	}
	return domain.Reason{Code: ReasonTemplateNotApproved, Text: text + ": nada foi enviado. Ajuste o modelo no WhatsApp Manager ou escolha outro nas configurações."}
}

// Replies to the template's quick-reply buttons, in the studio's voice.
func ReplyConfirmed(service, date, hour, voucherURL string) string {
	s := fmt.Sprintf("Presença confirmada! ✅\n%s em %s às %s.", service, date, hour)
	if voucherURL != "" {
		s += "\nSeu voucher: " + voucherURL
	}
	return s
}

// ReplyReschedule is the default answer to Reagendar.
func ReplyReschedule(studio string) string {
	return fmt.Sprintf("Sem problemas! Responda esta mensagem com o dia e o horário que preferir, e %s confirma o novo horário por aqui.", studio)
}

// ReplyTalk answers the button that asks for a person.
func ReplyTalk(studio string) string {
	return fmt.Sprintf("Certo! Avisamos %s: você vai receber uma resposta por aqui em breve.", studio)
}

// ReplyCanceled answers a button on a canceled appointment.
func ReplyCanceled(service, date, hour string) string {
	return fmt.Sprintf("Este agendamento (%s em %s às %s) foi cancelado. Para marcar um novo horário, é só responder esta mensagem.", service, date, hour)
}

// ReplyPast answers a button on an appointment that already happened.
func ReplyPast(service, date, hour string) string {
	return fmt.Sprintf("Este agendamento (%s em %s às %s) já passou. Para marcar um novo horário, é só responder esta mensagem.", service, date, hour)
}

// ReplyUnknown answers a button we cannot tie to an appointment.
func ReplyUnknown(studio string) string {
	return fmt.Sprintf("Recebemos sua resposta, mas não encontramos o agendamento. %s vai te responder por aqui em breve.", studio)
}

// Reasons of a cancellation notice that was not sent.
const (
	ReasonWindowNoInbound   = "window_no_inbound"
	ReasonWindowExpired     = "window_expired"
	ReasonWindowCheckFailed = "window_check_failed"
)

func init() {
	reasonTexts[ReasonWindowNoInbound] = "Aviso de cancelamento não enviado: o cliente não respondeu a nenhuma mensagem sobre este agendamento, então a janela de 24 horas do WhatsApp está fechada."
}

// WindowExpired says when the client last wrote about the appointment.
func WindowExpired(last time.Time, loc *time.Location) domain.Reason {
	return domain.Reason{Code: ReasonWindowExpired, Text: fmt.Sprintf(
		"Aviso de cancelamento não enviado: a última resposta do cliente sobre este agendamento foi em %s, há mais de 24 horas (janela do WhatsApp fechada).",
		DateTime(last, loc))}
}

// WindowCheckFailed says the window could not be checked.
func WindowCheckFailed(detail string) domain.Reason {
	return domain.Reason{Code: ReasonWindowCheckFailed, Text: "Aviso de cancelamento não enviado: não foi possível verificar a janela de 24 horas do WhatsApp (" + detail + ")."}
}

// WindowClosedAtSend says the window closed between the cancellation and the send.
func WindowClosedAtSend(last time.Time, loc *time.Location) domain.Reason {
	return domain.Reason{Code: ReasonWindowClosed, Text: fmt.Sprintf(
		"Janela de 24 horas fechada na hora do envio: a última resposta do cliente foi em %s. Mensagem livre não enviada.", DateTime(last, loc))}
}

// CancellationNotice is the free-form message that tells a client the appointment is off.
func CancellationNotice(clientName, service, date, hour, studio string) string {
	first, _, _ := strings.Cut(strings.TrimSpace(clientName), " ")
	return fmt.Sprintf("Olá, %s! Seu agendamento de %s em %s às %s foi cancelado. Para marcar um novo horário, é só responder esta mensagem. %s",
		first, service, date, hour, studio)
}
