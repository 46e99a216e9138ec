package ptbr

import (
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
)

func TestAccountBlocked(t *testing.T) {
	loc, _ := time.LoadLocation("America/Sao_Paulo")
	exp := time.Date(2026, 4, 19, 13, 59, 20, 0, time.UTC)
	cases := []struct {
		block domain.AccountBlock
		code  string
		want  []string
	}{
		{domain.AccountBlock{Code: domain.BlockDisconnected}, domain.ReasonAccountDisconnected, []string{"Conta do WhatsApp desconectada: reconecte para voltar a enviar."}},
		{domain.AccountBlock{Code: domain.BlockDisconnected, Disconnection: &domain.AccountDisconnection{Reason: "CHANGE_NUMBER"}}, domain.ReasonAccountDisconnected,
			[]string{"desconectada", "o número do WhatsApp foi trocado"}},
		{domain.AccountBlock{Code: domain.BlockDisconnected, Disconnection: &domain.AccountDisconnection{Reason: "NEW_REASON"}}, domain.ReasonAccountDisconnected,
			[]string{"código NEW_REASON"}},
		{domain.AccountBlock{Code: domain.BlockDeleted}, domain.ReasonAccountDeleted, []string{"excluída"}},
		{domain.AccountBlock{Code: domain.BlockBanned, Ban: &domain.AccountBan{State: domain.BanDisable, Date: "April 17, 2025"}}, domain.ReasonAccountBanned,
			[]string{"desativada pela Meta", "desde 17/04/2025"}},
		{domain.AccountBlock{Code: domain.BlockRestricted, Restriction: &domain.AccountRestriction{Type: domain.RestrictBusinessInitiated, Expiration: exp}},
			domain.ReasonAccountRestricted, []string{"restrita", "iniciadas pelo estúdio", "até 19/04/2026 10:59"}},
		{domain.AccountBlock{Code: domain.BlockRestricted, Restriction: &domain.AccountRestriction{Type: domain.RestrictCustomerInitiated}},
			domain.ReasonAccountRestricted, []string{"resposta a mensagens de clientes"}},
		{domain.AccountBlock{Code: domain.BlockConnecting}, domain.ReasonConnecting, []string{"Conexão do WhatsApp em andamento", "Ajustes › WhatsApp"}},
		{domain.AccountBlock{Code: domain.BlockTokenInvalid, TokenCheck: &domain.TokenCheck{Reason: "190"}}, domain.ReasonTokenInvalid,
			[]string{"Token da Meta do estúdio inválido", "reconectado"}},
		{domain.AccountBlock{Code: domain.BlockDisconnected, Disconnection: &domain.AccountDisconnection{InitiatedBy: domain.DisconnectedByOwner,
			By: "dona@studio.com", Note: "trocando de número"}}, domain.ReasonAccountDisconnected,
			[]string{"desconectada pelo estúdio (dona@studio.com), motivo: trocando de número", "Reconecte"}},
	}
	for _, c := range cases {
		r := AccountBlocked(c.block, loc)
		if r.Code != c.code {
			t.Errorf("%+v: code %s, want %s", c.block, r.Code, c.code)
		}
		for _, w := range c.want {
			if !strings.Contains(r.Text, w) {
				t.Errorf("%+v: %q lacks %q", c.block, r.Text, w)
			}
		}
	}
}

func TestTemplateRefused(t *testing.T) {
	for status, want := range map[string]string{
		"PAUSED": "pausado", "DISABLED": "desativado", "REJECTED": "rejeitado", "PENDING": "em análise",
		"IN_APPEAL": "em recurso", "PENDING_DELETION": "sendo excluído", "DELETED": "excluído", "ARCHIVED": "arquivado",
		"LIMIT_EXCEEDED": "limite de modelos", "BRAND_NEW": "fora do status aprovado",
	} {
		r := TemplateRefused("aviso", "pt_BR", status, "NONE")
		if r.Code != domain.ReasonTemplateNotApproved || !strings.Contains(r.Text, want) || !strings.Contains(r.Text, "(status "+status+")") || strings.Contains(r.Text, "NONE") {
			t.Errorf("%s: %q", status, r.Text)
		}
	}
	for reason, want := range map[string]string{
		"INVALID_FORMAT":     "motivo informado pela Meta: formato inválido",
		"INCORRECT_CATEGORY": "motivo informado pela Meta: categoria incorreta",
		"ABUSIVE_CONTENT":    "motivo informado pela Meta: conteúdo abusivo",
		"SOMETHING_NEW":      "motivo informado pela Meta: código SOMETHING_NEW",
	} {
		r := TemplateRefused("aviso", "pt_BR", "REJECTED", reason)
		if !strings.Contains(r.Text, want) || (reason != "SOMETHING_NEW" && strings.Contains(r.Text, reason)) {
			t.Errorf("%s: %q, want %q and no code", reason, r.Text, want)
		}
	}
}

func TestMetaDate(t *testing.T) {
	for in, want := range map[string]string{
		"April 17, 2025": "17/04/2025", "Apr 7, 2025": "07/04/2025", "2025-04-17": "17/04/2025",
		"sometime": "sometime",
	} {
		if got := metaDate(in); got != want {
			t.Errorf("metaDate(%q) = %q, want %q", in, got, want)
		}
	}
}
