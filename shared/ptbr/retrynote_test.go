package ptbr

import (
	"testing"
	"time"
)

func TestRetryNote(t *testing.T) {
	sp, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		t.Fatal(err)
	}
	manaus, _ := time.LoadLocation("America/Manaus")
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC) // 09:00:00 in São Paulo
	cases := []struct {
		name    string
		code    int
		failure string
		at      time.Time
		loc     *time.Location
		want    string
	}{
		{"pair rate, to the second, in the tenant's zone", 131056, MetaError(131056), now.Add(7 * time.Second), sp,
			"Limite da Meta para mensagens seguidas ao mesmo cliente: nova tentativa às 09:00:07."},
		{"pair rate in Manaus", 131056, MetaError(131056), now.Add(7 * time.Second), manaus,
			"Limite da Meta para mensagens seguidas ao mesmo cliente: nova tentativa às 08:00:07."},
		{"messaging limit (131048): an hour later, with the date", 131048, MetaError(131048), now.Add(time.Hour), sp,
			"A Meta limitou os envios deste número (limite de clientes nas últimas 24 h ou qualidade): a mensagem aguarda, nova tentativa em 01/12/2026 10:00."},
		{"throughput", 130429, MetaError(130429), now.Add(2 * time.Second), sp,
			"Limite da Meta de mensagens por segundo deste número: nova tentativa às 09:00:02."},
		{"throughput retried after midnight: the date too", 130429, MetaError(130429), now.Add(15*time.Hour + 30*time.Minute), sp,
			"Limite da Meta de mensagens por segundo deste número: nova tentativa às 02/12/2026 00:30:00."},
		{"any other failure: the failure and the retry's time", 131000, MetaError(131000), now.Add(30 * time.Second), sp,
			MetaError(131000) + " Nova tentativa automática às 01/12/2026 09:00."},
		{"network failure", 0, TextNetwork, now.Add(time.Minute), sp,
			"Sem resposta da Meta (falha de rede). Nova tentativa automática às 01/12/2026 09:01."},
	}
	for _, c := range cases {
		if got := RetryNote(c.code, c.failure, now, c.at, c.loc); got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
}
