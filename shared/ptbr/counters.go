package ptbr

import "github.com/lembra-app/lembra/shared/domain"

// CounterReasonLabel is the Portuguese label of a reason code in the counters
// (domain.CounterReason): the reason's text (Reason), and for the two codes only the
// counters use, what they stand for.
func CounterReasonLabel(code string) string {
	switch code {
	case domain.CounterReasonUnspecified:
		return "Sem motivo registrado."
	case domain.CounterReasonOther:
		return "Outro motivo (código não reconhecido)."
	}
	return Reason(code).Text
}
