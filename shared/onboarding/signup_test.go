package onboarding

import (
	"strings"
	"testing"
	"time"
)

func TestAddSignupEventAndEnded(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name       string
		outcome    string
		steps      bool
		events     []SignupEvent
		wantEvents int
		ended      string
		label      string
	}{
		{"nothing yet", "", false, nil, 0, EndedRunning, "Em andamento"},
		{"finish", "", false, []SignupEvent{{Event: EventFinish}}, 1, EndedFinish, "concluído"},
		{"cancel at a step", "", false, []SignupEvent{{Event: EventCancel, CurrentStep: "PHONE_NUMBER_SETUP"}}, 1, EndedCancel, "Cadastro na Meta cancelado antes de terminar (tela da Meta: PHONE_NUMBER_SETUP)"},
		{"cancel with an error id", "", false, []SignupEvent{{Event: EventCancel, ErrorID: "524126", ErrorMessage: "Erro"}}, 1, EndedError, "Erro informado pela Meta (id 524126)"},
		{"login cancelled", "", false, []SignupEvent{{Event: EventLoginCancelled}}, 1, EndedLoginCancelled, "Janela da Meta fechada sem concluir"},
		{"the same event twice once", "", false, []SignupEvent{{Event: EventCancel, CurrentStep: "A"}, {Event: EventCancel, CurrentStep: "A"}}, 1, EndedCancel, "tela da Meta: A)"},
		{"a later event wins", "", false, []SignupEvent{{Event: EventCancel, CurrentStep: "A"}, {Event: EventFinish}}, 2, EndedFinish, "concluído"},
		{"the server's outcome wins", "complete", true, []SignupEvent{{Event: EventFinish}}, 1, EndedComplete, "Concluído"},
		{"failed", "failed", true, nil, 0, EndedFailed, "Falhou"},
		{"bounded", "", false, func() []SignupEvent {
			var out []SignupEvent
			for i := 0; i < 30; i++ {
				out = append(out, SignupEvent{Event: EventCancel, CurrentStep: strings.Repeat("x", i+1)})
			}
			return out
		}(), MaxSignupEvents, EndedCancel, "cancelado antes de terminar"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := &Attempt{Outcome: c.outcome}
			if c.steps {
				a.Steps = map[string]StepRecord{StepExchangeCode: {Status: StatusDone}}
			}
			for _, e := range c.events {
				e.At = t0
				AddSignupEvent(a, e)
			}
			if len(a.Events) != c.wantEvents {
				t.Fatalf("%d events, want %d", len(a.Events), c.wantEvents)
			}
			ended, label := Ended(a)
			if ended != c.ended || !strings.Contains(label, c.label) {
				t.Fatalf("%s %q, want %s %q", ended, label, c.ended, c.label)
			}
		})
	}
	a := &Attempt{}
	AddSignupEvent(a, SignupEvent{Event: EventCancel, ErrorMessage: strings.Repeat("é", 1000)})
	if len(a.Events[0].ErrorMessage) > 512 {
		t.Errorf("error message not clipped: %d bytes", len(a.Events[0].ErrorMessage))
	}
}
