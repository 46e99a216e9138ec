package ptbr

import "github.com/lembra-app/lembra/shared/domain"

// reasonTexts is the Portuguese text of every reason code (domain/reasons.go), as staff
// read it on a job. A reason that carries details (a date, a template, Meta's error code)
// is built by its own function (WindowExpired, TemplateRefused, AccountBlocked, MetaError,
// RetriesExhausted, …); its text here is the same sentence without the details.
var reasonTexts = map[string]string{
	domain.ReasonModeDisabled:     "Automação desativada (modo disabled) neste ambiente ou para este estúdio: nada foi enviado.",
	domain.ReasonDryRun:           "Modo de teste (dry run): a mensagem foi montada e registrada, mas não enviada.",
	domain.ReasonTenantNotAllowed: "Estúdio fora da lista de liberação da automação neste ambiente: nada foi enviado.",
	domain.ReasonKillSwitch:       "Automação pausada pela chave de emergência do estúdio: nada foi enviado.",
	domain.ReasonAppointmentGone:  "Agendamento cancelado: a mensagem não foi enviada.",
	domain.ReasonAppointmentPast:  "O horário do agendamento já passou: a mensagem não foi enviada.",
	domain.ReasonReminderTooLate:  "Agendamento feito com menos de 24 horas de antecedência: não há lembrete de 24 horas.",
	domain.ReasonRescheduled:      "Agendamento remarcado: este lembrete foi substituído pelo do novo horário.",
	domain.ReasonTemplateMissing:  "Nenhum modelo de mensagem (template) configurado para este aviso: configure-o nas configurações do estúdio.",
	domain.ReasonNoPhoneNumber:    "WhatsApp do estúdio não conectado (sem número configurado): reconecte a conta do WhatsApp.",
	domain.ReasonNoRecipient:      "O cliente não tem número de WhatsApp conhecido (usa nome de usuário): responda pelo aplicativo.",

	domain.ReasonTemplateNotApproved: "O modelo de mensagem não está aprovado na Meta: nada foi enviado.",
	domain.ReasonWindowClosed:        "Janela de 24 horas fechada: o cliente não escreveu nas últimas 24 horas, e mensagem livre só pode ser enviada com a janela aberta.",
	domain.ReasonWindowNoInbound:     "Aviso de cancelamento não enviado: o cliente não respondeu a nenhuma mensagem sobre este agendamento, então a janela de 24 horas do WhatsApp está fechada.",
	domain.ReasonWindowExpired:       "Aviso de cancelamento não enviado: a última resposta do cliente sobre este agendamento foi há mais de 24 horas (janela do WhatsApp fechada).",
	domain.ReasonWindowCheckFailed:   "Aviso de cancelamento não enviado: não foi possível verificar a janela de 24 horas do WhatsApp.",

	domain.ReasonAccountDisconnected: TextAccountDisconnected,
	domain.ReasonAccountDeleted:      "Conta do WhatsApp Business excluída na Meta: conecte uma conta nova para voltar a enviar.",
	domain.ReasonAccountBanned:       "Conta do WhatsApp Business desativada pela Meta por violação das políticas: nada é enviado até a Meta reativar a conta. Peça a revisão no Business Support Home da Meta.",
	domain.ReasonAccountRestricted:   "Conta do WhatsApp Business restrita pela Meta: o envio de mensagens está bloqueado. Nada foi enviado.",
	domain.ReasonTokenInvalid:        TextTokenInvalid,
	domain.ReasonConnecting:          "Conexão do WhatsApp em andamento: nada é enviado até todas as etapas da conexão terminarem. Acompanhe em Ajustes › WhatsApp.",

	domain.ReasonMetaError:        "A Meta recusou o envio: o código do erro e os detalhes da Meta ficaram registrados.",
	domain.ReasonRetriesExhausted: "Falha depois de todas as tentativas de envio permitidas.",
	domain.ReasonOutcomeUnknown:   "A Meta não confirmou nenhuma das tentativas de envio: a mensagem pode ou não ter chegado. Confira com o cliente antes de reenviar.",
	domain.ReasonTokenUnavailable: "Não foi possível ler o token da Meta do estúdio: reconecte a conta do WhatsApp.",

	domain.ReasonOperationalFailure: "Falha operacional registrada pelo responsável do estúdio: a mensagem não será enviada.",
	domain.ReasonDiscarded:          "Descartada pelo responsável do estúdio: a mensagem não será enviada.",
}

// Reason returns the reason for a code, with its text from reasonTexts.
func Reason(code string) domain.Reason {
	text, ok := reasonTexts[code]
	if !ok {
		text = "Mensagem não enviada (" + code + ")."
	}
	return domain.Reason{Code: code, Text: text}
}
