package ptbr

import (
	"fmt"
	"strings"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
)

// ReasonClientOptedOut is the reason code of a job not sent because the client opted
// out of the studio's automatic messages (domain/optout.go).
const ReasonClientOptedOut = "client_opted_out"

// OptOutConfirmation answers a client's opt-out keyword, once per message.
func OptOutConfirmation(studio string) string {
	return fmt.Sprintf("Pronto, você não vai mais receber lembretes automáticos do %s. Para voltar, responda %s.", studioName(studio), domain.ResumeKeyword)
}

// OptOutResumed answers a client's VOLTAR, naming a word that stops them again: the
// studio's first opt-out keyword (domain.OptOutKeywords), PARAR by default.
func OptOutResumed(studio, stopWord string) string {
	if stopWord = strings.TrimSpace(stopWord); stopWord == "" {
		stopWord = "PARAR"
	}
	return fmt.Sprintf("Pronto, você voltou a receber os lembretes automáticos do %s. Para parar, responda %s.", studioName(studio), strings.ToUpper(stopWord))
}

func studioName(s string) string {
	if s = strings.TrimSpace(s); s == "" {
		return "estúdio"
	}
	return s
}

// ClientOptedOut is the reason a job for a client who opted out is skipped with.
func ClientOptedOut() domain.Reason {
	return domain.Reason{Code: ReasonClientOptedOut, Text: "O cliente pediu para não receber mensagens automáticas do estúdio (respondeu com uma palavra de descadastro, como PARAR): nada foi enviado. Ele volta a receber se responder VOLTAR ou se a dona do estúdio retomar na conversa."}
}

// OptOutLabel is the conversation's one-liner for a client who opted out.
func OptOutLabel(o *domain.OptOut, loc *time.Location) string {
	if o == nil || !o.Active {
		return ""
	}
	word := o.Keyword
	if word == "" {
		word = "PARAR"
	}
	return fmt.Sprintf("Não recebe mensagens automáticas: respondeu %s em %s", word, DateTime(o.At, loc))
}

// OptOutResumeLabel is the conversation's one-liner for a client resumed after an opt-out.
func OptOutResumeLabel(o *domain.OptOut, loc *time.Location) string {
	if o == nil || o.Active {
		return ""
	}
	if o.By != "" {
		return fmt.Sprintf("Mensagens automáticas retomadas por %s em %s: %s", o.By, DateTime(o.At, loc), o.Reason)
	}
	return fmt.Sprintf("Mensagens automáticas retomadas: o cliente respondeu %s em %s", domain.ResumeKeyword, DateTime(o.At, loc))
}

// The 24-hour window of a cancellation notice under the conversation-ledger rule (any
// client message opens it) and the strict rule (only one about the appointment).

// EventWindowOpenedBy is the timeline event that says which client message opened a
// cancellation notice's window.
const EventWindowOpenedBy = "window_inbound"

// WindowOpenedBy is that event's detail: when the client wrote, and whether it was
// about this appointment.
func WindowOpenedBy(at time.Time, about bool, loc *time.Location) string {
	if about {
		return fmt.Sprintf("Janela aberta pela mensagem do cliente de %s, sobre este agendamento", DateTime(at, loc))
	}
	return fmt.Sprintf("Janela aberta pela mensagem do cliente de %s, sobre outro assunto (a Meta abre a janela com qualquer mensagem do cliente)", DateTime(at, loc))
}

// WindowNoInboundLedger: the client has not written to the studio at all.
func WindowNoInboundLedger() domain.Reason {
	return domain.Reason{Code: domain.ReasonWindowNoInbound, Text: "Aviso de cancelamento não enviado: o cliente não respondeu nem escreveu ao estúdio pelo WhatsApp, então a janela de 24 horas do WhatsApp está fechada."}
}

// WindowExpiredLedger: the client's last message to the studio is 24 hours old or more.
func WindowExpiredLedger(last time.Time, loc *time.Location) domain.Reason {
	return domain.Reason{Code: domain.ReasonWindowExpired, Text: fmt.Sprintf(
		"Aviso de cancelamento não enviado: a última mensagem do cliente ao estúdio foi em %s, há mais de 24 horas (janela do WhatsApp fechada).", DateTime(last, loc))}
}

// WindowStrictOther: under the studio's strict rule, the client wrote (at other), but
// not about this appointment.
func WindowStrictOther(other time.Time, loc *time.Location) domain.Reason {
	return domain.Reason{Code: domain.ReasonWindowNoInbound, Text: fmt.Sprintf(
		"Aviso de cancelamento não enviado: pela regra estrita do estúdio, só uma resposta sobre este agendamento abre a janela; a última mensagem do cliente (%s) foi sobre outro assunto.", DateTime(other, loc))}
}

// WindowLabelNoInboundLedger: the cancel dialog's line when the client never wrote.
func WindowLabelNoInboundLedger() string {
	return "Janela fechada: o cliente não escreveu ao estúdio nas últimas 24 horas"
}

// WindowLabelExpiredLedger: the cancel dialog's line when the last message is too old.
func WindowLabelExpiredLedger(last time.Time, loc *time.Location) string {
	return "Janela fechada: a última mensagem do cliente foi em " + DateTime(last, loc) + ", há mais de 24 horas"
}

// WindowLabelOpenOther: open until until, by a message about something else.
func WindowLabelOpenOther(until time.Time, loc *time.Location) string {
	return "Janela aberta até " + DateTime(until, loc) + " (o cliente escreveu sobre outro assunto)"
}

// MaskPhone is a client's number as the settings history shows it: only its last four
// digits ("•••• 4321").
func MaskPhone(phone string) string {
	d := domain.Digits(phone)
	if len(d) > 4 {
		d = d[len(d)-4:]
	}
	return "•••• " + d
}
