package ptbr

import (
	"strings"
	"testing"

	"github.com/lembra-app/lembra/shared/domain"
)

func TestCounterReasonLabel(t *testing.T) {
	cases := map[string]string{
		domain.ReasonKillSwitch:         reasonTexts[domain.ReasonKillSwitch],
		domain.ReasonMetaError:          reasonTexts[domain.ReasonMetaError],
		domain.CounterReasonUnspecified: "Sem motivo registrado.",
		domain.CounterReasonOther:       "Outro motivo (código não reconhecido).",
	}
	for code, want := range cases {
		if got := CounterReasonLabel(code); got != want || got == "" {
			t.Errorf("%s: %q, want %q", code, got, want)
		}
	}
	if got := CounterReasonLabel("new_code"); !strings.Contains(got, "new_code") {
		t.Errorf("unknown code: %q", got)
	}
}
