package ptbr

import (
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
)

func TestOptOutTexts(t *testing.T) {
	if got, want := OptOutConfirmation("Studio Jana"), "Pronto, você não vai mais receber lembretes automáticos do Studio Jana. Para voltar, responda VOLTAR."; got != want {
		t.Errorf("confirmation %q, want %q", got, want)
	}
	if !strings.Contains(OptOutResumed("Studio Jana", ""), "voltou a receber") || !strings.Contains(OptOutConfirmation(" "), "do estúdio.") {
		t.Error("resume text, or the text of a studio without a name")
	}
	loc, _ := time.LoadLocation("America/Sao_Paulo")
	at := time.Date(2026, 12, 1, 15, 4, 0, 0, time.UTC)
	if got := OptOutLabel(&domain.OptOut{Active: true, At: at, Keyword: "SAIR"}, loc); got != "Não recebe mensagens automáticas: respondeu SAIR em 01/12/2026 12:04" {
		t.Errorf("label %q", got)
	}
	if OptOutLabel(nil, loc) != "" || OptOutLabel(&domain.OptOut{}, loc) != "" || OptOutResumeLabel(&domain.OptOut{Active: true}, loc) != "" {
		t.Error("labels of no opt-out")
	}
	if got := OptOutResumeLabel(&domain.OptOut{At: at, By: "jana@x", Reason: "pediu por telefone"}, loc); !strings.Contains(got, "jana@x") || !strings.Contains(got, "pediu por telefone") {
		t.Errorf("resume label %q", got)
	}
	if r := ClientOptedOut(); r.Code != ReasonClientOptedOut || !strings.Contains(r.Text, "VOLTAR") {
		t.Errorf("reason %+v", r)
	}
	if !strings.Contains(WindowOpenedBy(at, false, loc), "outro assunto") || !strings.Contains(WindowOpenedBy(at, true, loc), "sobre este agendamento") {
		t.Error("window opened by")
	}
	for _, f := range []string{"opt_out_keywords", "strict_cancel_window", "client_opt_out"} {
		if SettingLabel(f) == f {
			t.Errorf("the history names %s without a label", f)
		}
	}
	if r := WindowStrictOther(at, loc); r.Code != domain.ReasonWindowNoInbound || !strings.Contains(r.Text, "01/12/2026 12:04") {
		t.Errorf("strict %+v", r)
	}
}

func TestOptOutResumedNamesTheStudiosWord(t *testing.T) {
	for word, want := range map[string]string{"": "responda PARAR.", "PARAR": "responda PARAR.", "chega": "responda CHEGA.", " Sair ": "responda SAIR."} {
		if got := OptOutResumed("Studio Jana", word); !strings.HasSuffix(got, want) || !strings.Contains(got, "do Studio Jana") {
			t.Errorf("OptOutResumed(%q) = %q, want it to end %q", word, got, want)
		}
	}
}
