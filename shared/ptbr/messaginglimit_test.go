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
		{LimitUsage(100000, 0, false), "Limite da Meta: 100.000 clientes nas últimas 24 h (não contado aqui)"},
		{LimitHold(true, 225, 250, 225, until, sp), "Lembrete aguardando: 225 de 250 clientes nas últimas 24 h já receberam mensagens da empresa (limite da Meta); os lembretes a clientes novos param em 225 para reservar espaço para os avisos de agendamento. Nova tentativa em 02/12/2026 14:30, quando houver espaço no limite."},
		{LimitHold(false, 250, 250, 250, until, sp), "Aviso aguardando: o limite da Meta de 250 clientes nas últimas 24 h foi atingido. Nova tentativa em 02/12/2026 14:30, quando houver espaço no limite."},
	} {
		if c.got != c.want {
			t.Errorf("got  %q\nwant %q", c.got, c.want)
		}
	}
}

func TestInt(t *testing.T) {
	for n, want := range map[int]string{0: "0", 7: "7", 250: "250", 1000: "1.000", 2000: "2.000", 10000: "10.000", 100000: "100.000", 1234567: "1.234.567", -1500: "-1.500"} {
		if got := Int(n); got != want {
			t.Errorf("Int(%d) = %q, want %q", n, got, want)
		}
	}
}
