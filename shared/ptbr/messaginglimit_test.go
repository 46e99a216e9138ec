package ptbr

import (
	"testing"
	"time"
)

func TestLimitTexts(t *testing.T) {
	sp, _ := time.LoadLocation("America/Sao_Paulo")
	until := time.Date(2026, 12, 2, 17, 30, 0, 0, time.UTC)
	for _, c := range []struct{ got, want string }{
		{LimitUsage(250, 180, true), "Limite da Meta: 180 de 250 clientes nas últimas 24 h"},
		{LimitUsage(-1, 0, false), "Limite da Meta: sem limite de clientes nas últimas 24 h"},
		{LimitUsage(0, 0, false), "Limite da Meta: ainda não informado pela Meta"},
		{LimitUsage(100000, 0, false), "Limite da Meta: 100000 clientes nas últimas 24 h (não contado aqui)"},
		{LimitHold(true, 225, 250, 225, until, sp), "Lembrete aguardando: 225 de 250 clientes nas últimas 24 h já receberam mensagens da empresa (limite da Meta); os lembretes a clientes novos param em 225 para guardar espaço aos avisos de agendamento. Nova tentativa em 02/12/2026 14:30, quando o cliente mais antigo sai da janela de 24 h."},
		{LimitHold(false, 250, 250, 250, until, sp), "Aviso aguardando: o limite da Meta de 250 clientes nas últimas 24 h foi atingido. Nova tentativa em 02/12/2026 14:30, quando o cliente mais antigo sai da janela de 24 h."},
	} {
		if c.got != c.want {
			t.Errorf("got  %q\nwant %q", c.got, c.want)
		}
	}
}
