package ptbr

import (
	"strings"
	"testing"

	"github.com/lembra-app/lembra/shared/domain"
)

func TestOpsTexts(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{OperationalFailure("job antigo").Text, "Falha operacional: job antigo."},
		{OperationalFailure(" já resolvido! ").Text, "Falha operacional: já resolvido!"},
		{Discarded("mensagem de teste.").Text, "Descartada pelo responsável: mensagem de teste."},
		{OpsActionDetail("fail", "jana@studio.example", "travado", ""), "Marcada como falha por jana@studio.example: travado."},
		{OpsActionDetail("discard", "jana@studio.example", "teste", "d-1"), "Limpeza da fila d-1: descartada por jana@studio.example: teste."},
		{OpsActionDetail("retry", "a@b", "token reconectado", ""), "Nova tentativa pedida por a@b: token reconectado."},
		{OpsActionDetail("send_now", "a@b", "cliente pediu", ""), "Envio imediato pedido por a@b: cliente pediu."},
		{OpsActionDetail("other", "a@b", "x y z", ""), "Ação other por a@b: x y z."},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	if OperationalFailure("x").Code != domain.ReasonOperationalFailure || Discarded("x").Code != domain.ReasonDiscarded {
		t.Error("reason codes")
	}
	for _, text := range []string{TextActionAlreadySent, TextActionMaybeSent, TextActionNotFailed, TextActionNotRetryable, TextActionSettled,
		TextActionSendingNow, TextActionNotUnsent, TextActionNotReminder, TextActionNotWaiting, TextActionAppointmentGone, TextActionUnknown, TextActionEnqueueFailed} {
		if !strings.HasSuffix(text, ".") || strings.Contains(text, " a cliente") {
			t.Errorf("refusal %q: a sentence in the generic masculine", text)
		}
	}
}
