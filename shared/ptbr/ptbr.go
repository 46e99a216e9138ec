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
		Code: domain.ReasonRetriesExhausted,
		Text: fmt.Sprintf("Falha depois de %d tentativas. Último erro: %s", attempts, last),
	}
}

// Replies to the template's quick-reply buttons, in the studio's voice.
func ReplyConfirmed(service, date, hour, voucherURL string) string {
	s := fmt.Sprintf("Presença confirmada! ✅\n%s em %s às %s.", service, date, hour)
	if voucherURL != "" {
		s += "\nSeu voucher (e o botão para salvar na agenda): " + voucherURL
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

// WindowExpired says when the client last wrote about the appointment.
func WindowExpired(last time.Time, loc *time.Location) domain.Reason {
	return domain.Reason{Code: domain.ReasonWindowExpired, Text: fmt.Sprintf(
		"Aviso de cancelamento não enviado: a última resposta do cliente sobre este agendamento foi em %s, há mais de 24 horas (janela do WhatsApp fechada).",
		DateTime(last, loc))}
}

// WindowCheckFailed says the window could not be checked.
func WindowCheckFailed(detail string) domain.Reason {
	return domain.Reason{Code: domain.ReasonWindowCheckFailed, Text: "Aviso de cancelamento não enviado: não foi possível verificar a janela de 24 horas do WhatsApp (" + detail + ")."}
}

// WindowClosedAtSend says the window closed between the cancellation and the send.
func WindowClosedAtSend(last time.Time, loc *time.Location) domain.Reason {
	return domain.Reason{Code: domain.ReasonWindowClosed, Text: fmt.Sprintf(
		"Janela de 24 horas fechada na hora do envio: a última resposta do cliente foi em %s. Mensagem livre não enviada.", DateTime(last, loc))}
}

// CancellationNotice is the free-form message that tells a client the appointment is off.
func CancellationNotice(clientName, service, date, hour, studio string) string {
	first, _, _ := strings.Cut(strings.TrimSpace(clientName), " ")
	return fmt.Sprintf("Olá, %s! Seu agendamento de %s em %s às %s foi cancelado. Para marcar um novo horário, é só responder esta mensagem. %s",
		first, service, date, hour, studio)
}
