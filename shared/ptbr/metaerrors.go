package ptbr

import "fmt"

// Meta's error codes, explained in Portuguese to the studio's staff.
//
// Source: Meta's Cloud API error-code list, "Error codes" (updated Nov 19, 2025),
// https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes
// (formerly https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes).
// Every code on that page is here, grouped as the page groups them. A few come from
// other public Meta pages, named where they appear. Meta advises building error
// handling on the code and error_data.details, not on titles ("titles will eventually be
// deprecated"), so the texts below depend on the code alone.
//
// Meta's own English title and details never go into these texts: the caller keeps them
// apart, bounded, for the operator (Job.ErrorTitle, Job.ErrorDetails).
var metaTexts = map[int]string{
	// Authorization errors.
	0:   "A Meta não reconheceu o acesso do Lembra à conta do WhatsApp (token expirado ou revogado): reconecte a conta do WhatsApp.",
	3:   "O aplicativo do Lembra não tem na Meta a permissão necessária para este envio: reconecte a conta do WhatsApp e aceite todas as permissões.",
	10:  "A Meta retirou a permissão de envio do aplicativo: reconecte a conta do WhatsApp.",
	190: "Token da Meta expirado: reconecte a conta do WhatsApp.",
	// 200-299 (API Permission) is one text for the whole range: see MetaError.

	// Integrity errors.
	368:    "A conta foi bloqueada temporariamente pela Meta por violação de política.",
	130497: "A Meta proíbe esta conta de enviar mensagens para clientes do país deste número.",
	131031: "A conta do WhatsApp Business está bloqueada pela Meta (violação de política ou dados de verificação incorretos): confira o status da conta no WhatsApp Manager.",

	// Template creation errors (template management, not sends).
	2388040: "Um campo do modelo de mensagem passou do limite de caracteres da Meta.",
	2388047: "O cabeçalho do modelo de mensagem está num formato que a Meta não aceita.",
	2388072: "O corpo do modelo de mensagem está num formato que a Meta não aceita.",
	2388073: "O rodapé do modelo de mensagem está num formato que a Meta não aceita.",
	2388293: "O modelo de mensagem tem variáveis demais para o tamanho do texto: use menos variáveis ou um texto mais longo.",
	2388299: "O modelo de mensagem não pode começar nem terminar com uma variável.",

	// Send template errors.
	2388019: "A conta do WhatsApp chegou ao número máximo de modelos de mensagem permitido pela Meta (250).",

	// Phone migration errors.
	2388001: "A Meta pede a confirmação da posse do número (e a verificação em duas etapas desligada) antes de migrar o número.",
	2388012: "Este número de telefone já está na conta do WhatsApp Business.",
	2388091: "Este número não pode receber código de verificação porque não está sendo migrado: registre o número pelo cadastro normal.",
	2388093: "Este número não pode confirmar código de verificação porque não está sendo migrado: registre o número pelo cadastro normal.",
	2388103: "A Meta não conseguiu migrar este número de telefone para a conta do WhatsApp Business (conta, nome de exibição ou pagamento incompletos).",
	2494100: "O número do WhatsApp Business está em manutenção na Meta: nova tentativa em alguns minutos.",

	// Template insights errors.
	200005: "As estatísticas de modelos de mensagem ainda não estão disponíveis nesta conta da Meta.",
	200006: "As estatísticas de modelos de mensagem não podem ser desligadas depois de ligadas.",
	200007: "As estatísticas de modelos de mensagem não estão ligadas nesta conta da Meta.",

	// WhatsApp Business Account errors.
	2593079: "Esta conta do WhatsApp Business já está marcada para migrar para outro parceiro da Meta: fale com o suporte.",
	2593085: "Esta conta do WhatsApp Business não pode ter a propriedade transferida: fale com o suporte.",

	// Synchronization errors (coexistence onboarding).
	2593107: "A sincronização de contatos ou do histórico do aplicativo WhatsApp Business já foi feita uma vez: para refazê-la, desconecte e conecte a conta de novo.",
	2593108: "A sincronização com o aplicativo WhatsApp Business só pode ser pedida nas primeiras 24 horas depois da conexão: desconecte e conecte a conta de novo.",
	// Webhook reference "history" (business declined sharing its chat history),
	// https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/history
	2593109: "O estúdio recusou compartilhar o histórico de conversas do aplicativo WhatsApp Business.",

	// Throttling errors.
	4:      "Limite de chamadas do aplicativo na Meta atingido: nova tentativa mais tarde.",
	80007:  "Limite de chamadas da conta do WhatsApp Business na Meta atingido: nova tentativa mais tarde.",
	130429: "Limite de envios da Meta atingido.",
	131048: "Limite anti-spam da Meta atingido: muitas mensagens bloqueadas ou denunciadas.",
	131056: "Muitas mensagens seguidas para o mesmo cliente.",
	133016: "Tentativas demais de registrar ou descadastrar este número: a Meta bloqueou o número por até 72 horas.",

	// Other errors.
	1:       "A Meta recusou o pedido (pedido inválido ou falha no servidor dela).",
	2:       "Serviço da Meta fora do ar ou sobrecarregado no momento.",
	33:      "O número do WhatsApp Business foi apagado na Meta: reconecte a conta do WhatsApp.",
	100:     "A Meta recusou a mensagem por um parâmetro inválido (verifique o número do cliente e o modelo).",
	130472:  "A Meta não enviou a mensagem porque o número do cliente faz parte de um experimento de marketing dela.",
	131000:  "Erro desconhecido na Meta.",
	131005:  "Acesso negado pela Meta: reconecte a conta do WhatsApp.",
	131008:  "Falta um dado obrigatório na mensagem (uma variável do modelo está vazia).",
	131009:  "Um dado da mensagem foi recusado pela Meta.",
	131016:  "Serviço da Meta indisponível no momento.",
	131021:  "O destinatário é o próprio número do estúdio.",
	131026:  "O número do cliente não está no WhatsApp (ou o aplicativo dele está desatualizado).",
	131037:  "O número de teste da Meta precisa ter o nome de exibição aprovado antes de enviar mensagens.",
	131042:  "Problema de pagamento na conta da Meta: verifique a forma de pagamento no WhatsApp Manager.",
	131045:  "Erro no registro do número do WhatsApp Business (certificado incorreto): registre o número de novo.",
	131047:  "Janela de 24 horas fechada: o cliente não respondeu nas últimas 24 horas, então só um modelo aprovado pode ser enviado.",
	131049:  "A Meta decidiu não entregar esta mensagem agora (limite por cliente); tente só depois de 24 horas.",
	131050:  "O cliente optou por não receber mensagens de marketing.",
	131051:  "Tipo de mensagem não suportado pela Meta.",
	131052:  "A Meta não conseguiu baixar a mídia que o cliente enviou: peça o arquivo por outro meio.",
	131053:  "A Meta não conseguiu carregar a mídia da mensagem (formato não suportado).",
	131057:  "Conta do WhatsApp em manutenção na Meta.",
	132000:  "O número de variáveis não bate com o modelo aprovado na Meta.",
	132001:  "O modelo de mensagem não existe nesse idioma ou ainda não foi aprovado pela Meta.",
	132005:  "O texto do modelo com as variáveis ficou longo demais.",
	132007:  "O conteúdo das variáveis viola a política de formatação do modelo.",
	132012:  "O formato de uma variável não bate com o modelo aprovado.",
	132015:  "O modelo foi pausado pela Meta por baixa qualidade.",
	132016:  "O modelo foi desativado pela Meta.",
	132068:  "O formulário (Flow) do WhatsApp está bloqueado na Meta.",
	132069:  "O formulário (Flow) do WhatsApp atingiu o limite de 10 envios por hora na Meta.",
	133000:  "Um descadastramento anterior do número falhou: descadastre o número de novo antes de registrá-lo.",
	133004:  "Servidor da Meta temporariamente indisponível.",
	133005:  "O PIN da verificação em duas etapas do número está incorreto.",
	133006:  "O número precisa ser verificado de novo na Meta antes do registro.",
	133008:  "Tentativas demais do PIN da verificação em duas etapas: espere o tempo indicado pela Meta.",
	133009:  "O PIN da verificação em duas etapas foi digitado rápido demais: espere antes de tentar de novo.",
	133010:  "O número do WhatsApp Business não está registrado na Meta.",
	133015:  "Este número foi apagado há pouco e a exclusão ainda não terminou: espere 5 minutos antes de registrá-lo.",
	134011:  "Os termos de serviço do WhatsApp Pagamentos ainda não foram aceitos nesta conta.",
	135000:  "A Meta recusou a mensagem por um erro desconhecido nos parâmetros do pedido.",
	131055:  "Esta forma de envio da Meta aceita só modelos de mensagem de marketing.",
	134100:  "Esta forma de envio da Meta aceita só mensagens de marketing.",
	134101:  "O modelo de mensagem ainda está sendo sincronizado na Meta (até 10 minutos).",
	134102:  "O modelo de mensagem não está disponível para este tipo de envio na Meta.",
	1752041: "O estúdio já foi convidado por outro parceiro da Meta: nenhuma ação é necessária.",

	// Coexistence: a companion device the Cloud API does not support took part,
	// https://developers.facebook.com/documentation/business-messaging/whatsapp/embedded-signup/onboarding-business-app-users
	131060: "Mensagem não sincronizada: um aparelho conectado ao WhatsApp do estúdio não é suportado pela Meta.",
	// Changelog (April 2026): messaging limited after template classification violations,
	// https://developers.facebook.com/documentation/business-messaging/whatsapp/changelog
	131064: "A Meta limitou os envios da conta por modelos de mensagem classificados na categoria errada.",

	// On earlier versions of the same page (on-premises era); Meta may still send them.
	131001: "A mensagem é longa demais para a Meta.",
	131002: "Tipo de destinatário inválido para a Meta.",
	131006: "A Meta não encontrou o recurso pedido.",
	131043: "A mensagem expirou na Meta antes de ser entregue.",
	133001: "A Meta não conseguiu decifrar os dados do registro do número.",
	133002: "A Meta não conseguiu decifrar a cópia de segurança do número.",
	133003: "A Meta não conseguiu decifrar o código de recuperação do número.",
	133007: "A conta do número está bloqueada na Meta.",
}

// metaPermissionText covers Meta's API Permission range, 200-299.
const metaPermissionText = "Permissão da Meta ausente ou retirada (código %d): reconecte a conta do WhatsApp."

// metaUnknownText is the reason of a code Meta has not published (or Lembra does not
// know yet). Meta's English text is kept apart for the operator, never put here.
const metaUnknownText = "A Meta recusou o envio com o código %d, que o Lembra ainda não conhece: os detalhes da Meta ficaram registrados para o suporte."

// MetaError is the Portuguese reason for a Meta error code, the same for every
// caller (the send's answer or a failed status webhook).
func MetaError(code int) string {
	if text, ok := metaTexts[code]; ok {
		return text
	}
	if code >= 200 && code <= 299 {
		return fmt.Sprintf(metaPermissionText, code)
	}
	return fmt.Sprintf(metaUnknownText, code)
}

// metaNoCodeText is the reason of a failed status webhook that names no error.
const metaNoCodeText = "A Meta informou que a mensagem não foi entregue, sem dizer o motivo."

// MetaFailure is the Portuguese reason of a failure Meta reported: by its error code,
// or, when Meta's answer carried no error object (code 0), by what is known: an HTTP
// 401 is a rejected token; another HTTP status is said as such; a failed status
// webhook without errors says that Meta gave no reason. Code 0 alone is not taken as a
// token problem.
func MetaFailure(code, httpStatus int) string {
	switch {
	case code != 0:
		return MetaError(code)
	case httpStatus == 401:
		return metaTexts[0]
	case httpStatus != 0:
		return fmt.Sprintf(TextMetaHTTPError, httpStatus)
	}
	return metaNoCodeText
}
