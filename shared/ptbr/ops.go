package ptbr

import (
	"strings"

	"github.com/lembra-app/lembra/shared/domain"
)

// Texts of the owner's actions on jobs and of the queue drain (dispatch.DecideAction).
// The owner is "o responsável" (generic masculine, as this package says "o cliente"), the
// message "a mensagem", as elsewhere in this package.

// OperationalFailure is the reason of a job the owner marked failed, with her words.
func OperationalFailure(reason string) domain.Reason {
	return domain.Reason{Code: domain.ReasonOperationalFailure, Text: "Falha operacional: " + sentence(reason)}
}

// Discarded is the reason of a job the owner discarded, with her words.
func Discarded(reason string) domain.Reason {
	return domain.Reason{Code: domain.ReasonDiscarded, Text: "Descartada pelo responsável: " + sentence(reason)}
}

// sentence ends the owner's free text with a full stop, as every reason text ends.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasSuffix(s, ".") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") {
		return s
	}
	return s + "."
}

// opsActionVerbs say what each action did, for the timeline entry that records it.
var opsActionVerbs = map[string]string{
	"fail":     "Marcada como falha",
	"discard":  "Descartada",
	"retry":    "Nova tentativa pedida",
	"send_now": "Envio imediato pedido",
}

// OpsActionDetail is the detail of the timeline entry of an owner's action: what, who
// and why, e.g. "Descartada por jana@studio.example: mensagem de teste." A drain names
// itself: "Limpeza da fila d-123: marcada como falha por …".
func OpsActionDetail(action, by, reason, drainID string) string {
	verb, ok := opsActionVerbs[action]
	if !ok {
		verb = "Ação " + action
	}
	if drainID != "" {
		verb = "Limpeza da fila " + drainID + ": " + strings.ToLower(verb[:1]) + verb[1:]
	}
	return verb + " por " + by + ": " + sentence(reason)
}

// Refusals of an owner's action (dispatch.DecideAction), shown as the 409's message.
const (
	TextActionAlreadySent     = "Esta mensagem já foi aceita pela Meta (enviada, entregue ou lida): uma nova tentativa mandaria uma segunda mensagem ao cliente."
	TextActionMaybeSent       = "A Meta pode ter recebido esta mensagem (o resultado de um envio não foi confirmado): uma nova tentativa poderia mandar uma segunda mensagem. Confira com o cliente."
	TextActionNotFailed       = "Só uma mensagem com falha pode ser tentada de novo."
	TextActionNotRetryable    = "Esta falha não se resolve tentando de novo (a Meta recusaria a mesma mensagem): corrija a causa indicada no motivo."
	TextActionSettled         = "Esta mensagem já terminou (enviada, com falha ou não enviada): não há o que marcar."
	TextActionSendingNow      = "Esta mensagem está sendo enviada agora: espere 15 minutos antes de marcá-la como falha."
	TextActionNotUnsent       = "Só uma mensagem que ainda não saiu (na fila ou aguardando) pode ser descartada."
	TextActionNotReminder     = "Só um lembrete que aguarda o seu horário pode ser enviado agora."
	TextActionNotWaiting      = "Este lembrete não está aguardando o seu horário (já saiu, está saindo ou tem uma nova tentativa agendada)."
	TextActionAppointmentGone = "O agendamento foi cancelado, remarcado ou já começou: esta mensagem não faz mais sentido."
	TextActionUnknown         = "Ação desconhecida: use fail, discard, retry ou send_now."
	TextActionEnqueueFailed   = "Fila de envio indisponível: a ação não foi concluída e a mensagem voltou ao que era. Tente de novo em instantes."
)
