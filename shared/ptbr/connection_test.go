package ptbr

import (
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
)

func TestConnection(t *testing.T) {
	loc, _ := time.LoadLocation("America/Sao_Paulo")
	t0 := time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC)
	connected := domain.WhatsApp{PhoneNumberID: "1", AccessTokenSecret: "s", Status: domain.AccountConnected}
	with := func(f func(w *domain.WhatsApp)) domain.WhatsApp { w := connected; f(&w); return w }
	cases := []struct {
		w           domain.WhatsApp
		label, want string
	}{
		{domain.WhatsApp{}, "Não conectado", "Conectar WhatsApp"},
		{connected, "Conectado", "normalmente"},
		{with(func(w *domain.WhatsApp) { w.Sync = &domain.ConnectionSync{HistoryRequestedAt: t0, HistoryProgress: 45} }), "Sincronizando o histórico", "(45%)"},
		{with(func(w *domain.WhatsApp) { w.Status = domain.AccountDisconnected }), "Desconectado", "reconecte"},
		{with(func(w *domain.WhatsApp) { w.MarkOwnerDisconnected("dona@x", "férias", t0) }), "Desconectado", "motivo: férias"},
		{with(func(w *domain.WhatsApp) { w.TokenCheck = &domain.TokenCheck{CheckedAt: t0} }), "Token inválido", "Token da Meta"},
		{with(func(w *domain.WhatsApp) { w.Ban = &domain.AccountBan{State: domain.BanDisable} }), "Banido", "desativada"},
		{with(func(w *domain.WhatsApp) { w.Status = domain.AccountDeleted }), "Conta excluída", "excluída"},
		{with(func(w *domain.WhatsApp) {
			w.Restrictions = []domain.AccountRestriction{{Type: domain.RestrictCustomerInitiated}}
		}), "Restrito", "continuam sendo enviados"},
		{with(func(w *domain.WhatsApp) {
			w.Restrictions = []domain.AccountRestriction{{Type: domain.RestrictBusinessInitiated}}
		}), "Restrito", "Nada foi enviado"},
	}
	for _, c := range cases {
		cs := domain.ConnectionStateOf(c.w, t0)
		label, detail := Connection(cs, c.w, loc)
		if label != c.label || !strings.Contains(detail, c.want) {
			t.Errorf("%s: %q %q, want %q with %q", cs.State, label, detail, c.label, c.want)
		}
	}
	for _, c := range []struct {
		s    domain.ConnectionSync
		want string
	}{
		{domain.ConnectionSync{HistoryRequestedAt: t0}, "solicitado"},
		{domain.ConnectionSync{HistoryRequestedAt: t0, HistoryProgress: 45}, "Histórico: 45%"},
		{domain.ConnectionSync{HistoryProgress: 100, HistoryDoneAt: t0}, "concluído"},
		{domain.ConnectionSync{HistoryDeclinedAt: t0}, "recusou"},
	} {
		if got := HistoryLabel(c.s); !strings.Contains(got, c.want) {
			t.Errorf("HistoryLabel %+v = %q, want %q", c.s, got, c.want)
		}
	}
	if got := TokenLabel(&domain.TokenCheck{CheckedAt: t0, Valid: true}, loc); got != "Token válido (verificado em 30/11/2026 12:00)" {
		t.Errorf("TokenLabel = %q", got)
	}
	if KindLabel(true) != KindCoexistence || KindLabel(false) != KindCloudAPI {
		t.Error("kind labels")
	}
}
