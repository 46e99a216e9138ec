package ptbr

import (
	"fmt"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
)

// TextAccountDisconnected is the reason of every message held back while the
// studio's number is disconnected.
const TextAccountDisconnected = "Conta do WhatsApp desconectada: reconecte para voltar a enviar."

// TextTokenInvalid is the reason of every message held back while the daily check
// finds the studio's Meta token invalid.
const TextTokenInvalid = "Token da Meta do estúdio inválido ou revogado (verificação diária): nada é enviado até o WhatsApp ser reconectado em Ajustes › WhatsApp."

// disconnectionReasons explains Meta's disconnection_info.reason values.
var disconnectionReasons = map[string]string{
	"BUSINESS_DOWNGRADE":   "a conta deixou de ser do WhatsApp Business",
	"PRIMARY_INACTIVITY":   "o aplicativo WhatsApp Business ficou muitos dias sem ser aberto no celular",
	"COMPANION_INACTIVITY": "um aparelho conectado ficou muitos dias sem uso",
	"ACCOUNT_DISCONNECTED": "a conta foi desconectada da plataforma no aplicativo",
	"CHANGE_NUMBER":        "o número do WhatsApp foi trocado",
	"USER_RE_REGISTERED":   "o número foi registrado de novo no WhatsApp",
}

// AccountBlocked is the reason a message was not sent while the studio's WhatsApp
// account cannot send (see domain.WhatsApp.SendBlock). Dates are shown in loc.
func AccountBlocked(b domain.AccountBlock, loc *time.Location) domain.Reason {
	switch b.Code {
	case domain.BlockDeleted:
		return Reason(domain.ReasonAccountDeleted)
	case domain.BlockTokenInvalid:
		return Reason(domain.ReasonTokenInvalid)
	case domain.BlockConnecting:
		return Reason(domain.ReasonConnecting)
	case domain.BlockBanned:
		text := "Conta do WhatsApp Business desativada pela Meta por violação das políticas"
		if b.Ban != nil && b.Ban.Date != "" {
			text += " (desde " + metaDate(b.Ban.Date) + ")"
		}
		return domain.Reason{Code: domain.ReasonAccountBanned,
			Text: text + ": nada é enviado até a Meta reativar a conta. Peça a revisão no Business Support Home da Meta."}
	case domain.BlockRestricted:
		what := "o envio de mensagens"
		if b.Restriction != nil {
			switch b.Restriction.Type {
			case domain.RestrictBusinessInitiated:
				what = "o envio de mensagens iniciadas pelo estúdio (modelos)"
			case domain.RestrictCustomerInitiated:
				what = "a resposta a mensagens de clientes"
			}
		}
		until := ""
		if b.Restriction != nil && !b.Restriction.Expiration.IsZero() {
			until = " até " + DateTime(b.Restriction.Expiration, loc)
		}
		return domain.Reason{Code: domain.ReasonAccountRestricted,
			Text: fmt.Sprintf("Conta do WhatsApp Business restrita pela Meta: %s está bloqueado%s. Nada foi enviado.", what, until)}
	}
	text := TextAccountDisconnected
	if d := b.Disconnection; d != nil && d.InitiatedBy == domain.DisconnectedByOwner {
		text = "Conta do WhatsApp desconectada pelo estúdio"
		if d.By != "" {
			text += " (" + d.By + ")"
		}
		if d.Note != "" {
			text += ", motivo: " + d.Note
		}
		return domain.Reason{Code: domain.ReasonAccountDisconnected, Text: text + ". Reconecte em Ajustes › WhatsApp para voltar a enviar."}
	}
	if b.Disconnection != nil && b.Disconnection.Reason != "" {
		why, ok := disconnectionReasons[b.Disconnection.Reason]
		if !ok {
			why = "código " + b.Disconnection.Reason
		}
		text += " Motivo informado pela Meta: " + why + "."
	}
	return domain.Reason{Code: domain.ReasonAccountDisconnected, Text: text}
}

// templateStates names Meta's template review statuses in Portuguese.
var templateStates = map[string]string{
	"PAUSED":           "pausado pela Meta por baixa qualidade",
	"DISABLED":         "desativado pela Meta",
	"REJECTED":         "rejeitado pela Meta",
	"PENDING":          "ainda em análise na Meta",
	"IN_APPEAL":        "em recurso na Meta",
	"PENDING_DELETION": "sendo excluído na Meta",
	"DELETED":          "excluído na Meta",
	"ARCHIVED":         "arquivado na Meta",
	"LIMIT_EXCEEDED":   "bloqueado pela Meta (limite de modelos da conta atingido)",
}

// templateReasons explains the reason of Meta's message_template_status_update
// (https://developers.facebook.com/docs/graph-api/webhooks/reference/whatsapp-business-account/#message_template_status_update).
var templateReasons = map[string]string{
	"ABUSIVE_CONTENT":      "conteúdo abusivo",
	"INCORRECT_CATEGORY":   "categoria incorreta",
	"INVALID_FORMAT":       "formato inválido",
	"PROMOTIONAL":          "conteúdo promocional fora da categoria de marketing",
	"SCAM":                 "suspeita de golpe",
	"TAG_CONTENT_MISMATCH": "o conteúdo não corresponde à categoria",
	"LOW_QUALITY":          "baixa qualidade",
}

// TemplateRefused says which template Meta holds back, in what state and why, keeping
// Meta's status code for reference.
func TemplateRefused(name, language, status, reason string) domain.Reason {
	state, ok := templateStates[status]
	if !ok {
		state = "fora do status aprovado na Meta"
	}
	text := fmt.Sprintf("O modelo %q (%s) está %s (status %s)", name, language, state, status)
	if reason != "" && reason != "NONE" {
		why, ok := templateReasons[reason]
		if !ok {
			why = "código " + reason
		}
		text += ", motivo informado pela Meta: " + why
	}
	return domain.Reason{Code: domain.ReasonTemplateNotApproved,
		Text: text + ". Nada foi enviado. Ajuste o modelo no WhatsApp Manager ou escolha outro nas configurações."}
}

// metaDate shows a date Meta writes in English ("April 17, 2025") as dd/mm/aaaa; a
// date in another form is kept as Meta wrote it.
func metaDate(s string) string {
	for _, layout := range []string{"January 2, 2006", "Jan 2, 2006", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format("02/01/2006")
		}
	}
	return s
}
