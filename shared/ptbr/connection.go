package ptbr

import (
	"fmt"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
)

// Labels of the connection's states (the API's WhatsAppConnection.state_label).
var connectionLabels = map[string]string{
	domain.StateNotConnected:   "Não conectado",
	domain.StateConnected:      "Conectado",
	domain.StateSyncingHistory: "Sincronizando o histórico",
	domain.StateRestricted:     "Restrito",
	domain.StateBanned:         "Banido",
	domain.StateDisconnected:   "Desconectado",
	domain.StateTokenInvalid:   "Token inválido",
	domain.StateDeleted:        "Conta excluída",
	domain.StateConnecting:     "Conexão em andamento",
}

// Kind labels of a number (kind_label).
const (
	KindCoexistence = "Aplicativo WhatsApp Business e API (coexistência)"
	KindCloudAPI    = "API de nuvem do WhatsApp"
)

// KindLabel names the number's kind.
func KindLabel(coexistence bool) string {
	if coexistence {
		return KindCoexistence
	}
	return KindCloudAPI
}

// Connection is the label and the one-sentence detail (why, and what to do) of a
// connection's state; a state that cannot send says so with the same reason its held
// back messages carry (AccountBlocked). Dates in loc.
func Connection(cs domain.ConnectionState, w domain.WhatsApp, loc *time.Location) (label, detail string) {
	label = connectionLabels[cs.State]
	switch cs.State {
	case domain.StateNotConnected:
		return label, "Nenhum número de WhatsApp conectado: clique em \"Conectar WhatsApp\" e siga as etapas da Meta."
	case domain.StateConnected:
		return label, "O número está conectado e envia os avisos e lembretes normalmente."
	case domain.StateSyncingHistory:
		p := 0
		if w.Sync != nil {
			p = w.Sync.HistoryProgress
		}
		return label, fmt.Sprintf("Conectado: a Meta está copiando o histórico de conversas do aplicativo (%d%%). Mantenha o aplicativo WhatsApp Business aberto no celular até terminar; os envios já funcionam.", p)
	case domain.StateRestricted:
		if cs.CanSend {
			return label, "A Meta restringiu a resposta a mensagens de clientes: avisos e lembretes continuam sendo enviados. Veja os detalhes no WhatsApp Manager."
		}
	}
	return label, AccountBlocked(cs.Block, loc).Text
}

// HistoryLabel describes the history sync, e.g. "Histórico: 45%".
func HistoryLabel(s domain.ConnectionSync) string {
	switch s.HistoryState() {
	case domain.SyncDone:
		return "Histórico: concluído"
	case domain.SyncDeclined:
		return "Histórico: o estúdio recusou compartilhar o histórico no aplicativo"
	case domain.SyncInProgress:
		return fmt.Sprintf("Histórico: %d%%", s.HistoryProgress)
	}
	return "Histórico: solicitado, aguardando a Meta"
}

// ContactsLabel describes the contacts sync.
func ContactsLabel(s domain.ConnectionSync) string {
	if s.ContactsState() == domain.SyncDone {
		return "Contatos: recebidos"
	}
	return "Contatos: solicitados, aguardando a Meta"
}

// TokenLabel describes the last token check.
func TokenLabel(c *domain.TokenCheck, loc *time.Location) string {
	switch {
	case c == nil:
		return "Token ainda não verificado (a verificação é diária)"
	case c.Valid:
		return "Token válido (verificado em " + DateTime(c.CheckedAt, loc) + ")"
	}
	return "Token inválido (verificado em " + DateTime(c.CheckedAt, loc) + "): reconecte o WhatsApp"
}
