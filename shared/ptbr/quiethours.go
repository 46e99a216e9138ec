package ptbr

import (
	"fmt"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
)

// Texts of the quiet hours and the reminder offsets (domain/quiet.go, domain/offsets.go).

// OffsetDuration names a number of minutes: "24 horas", "1 hora", "90 minutos" → "1 h 30 min".
func OffsetDuration(minutes int) string {
	h, m := minutes/60, minutes%60
	switch {
	case m == 0 && h == 1:
		return "1 hora"
	case m == 0:
		return fmt.Sprintf("%d horas", h)
	case h == 0 && m == 1:
		return "1 minuto"
	case h == 0:
		return fmt.Sprintf("%d minutos", m)
	}
	return fmt.Sprintf("%d h %d min", h, m)
}

// QuietHoursLabel is a window as the settings and the timeline show it: "21:00 às 08:00".
func QuietHoursLabel(q domain.QuietHours) string {
	if q.Off {
		return "Desligado"
	}
	return q.Start + " às " + q.End
}

// QuietHoursNote is the timeline's detail of a quiet-hours decision on a job due inside
// the quiet hours q (times as dd/mm/aaaa HH:MM in loc); "" for one due outside them.
func QuietHoursNote(d domain.QuietDecision, q domain.QuietHours, loc *time.Location) string {
	window := "Horário de silêncio (" + QuietHoursLabel(q) + ")"
	switch d.Outcome {
	case domain.QuietMoved:
		return fmt.Sprintf("%s: envio adiado para %s, quando o silêncio termina.", window, DateTime(d.At, loc))
	case domain.QuietAfterStart:
		return fmt.Sprintf("%s: enviada no horário previsto (%s), sem esperar, porque o silêncio só termina em %s, depois do início do atendimento.",
			window, DateTime(d.At, loc), DateTime(d.End, loc))
	case domain.QuietTooNear:
		return fmt.Sprintf("%s: enviada no horário previsto (%s), sem esperar, porque em %s, quando o silêncio termina, faltaria menos de %s para o atendimento.",
			window, DateTime(d.At, loc), DateTime(d.End, loc), OffsetDuration(q.LeadMinutes))
	}
	return ""
}

// ReminderTooLate is the reason of a reminder minutes before an appointment booked
// later than that; the 24-hour one keeps its text.
func ReminderTooLate(minutes int) domain.Reason {
	if minutes == domain.DefaultReminderMinutes || minutes == 0 {
		return Reason(domain.ReasonReminderTooLate)
	}
	d := OffsetDuration(minutes)
	return domain.Reason{Code: domain.ReasonReminderTooLate,
		Text: fmt.Sprintf("Agendamento feito com menos de %s de antecedência: não há lembrete de %s.", d, d)}
}

// ReminderLabel names a reminder by its offset: "Lembrete de 2 horas".
func ReminderLabel(minutes int) string { return "Lembrete de " + OffsetDuration(minutes) }

// Field errors of the quiet hours and the reminder offsets in the settings.
const (
	TextQuietHoursRequired = "Informe o início e o fim do horário de silêncio (HH:MM)."
	TextQuietHoursEqual    = "O início e o fim do horário de silêncio precisam ser diferentes."
	TextQuietLead          = "A antecedência mínima vai de 0 a 1440 minutos (24 horas)."
	TextOffsetsRequired    = "Escolha ao menos um lembrete (por exemplo, 24 horas antes)."
	TextServiceRequired    = "Informe o nome do serviço, como o sistema de agendamento o envia."
)

// OffsetsTooMany refuses a set of more than max reminders.
func OffsetsTooMany(max int) string {
	return fmt.Sprintf("No máximo %d lembretes por agendamento.", max)
}

// OffsetOutOfRange refuses an offset outside min to max minutes.
func OffsetOutOfRange(min, max int) string {
	return fmt.Sprintf("Cada lembrete vai de %s a %s antes do atendimento.", OffsetDuration(min), OffsetDuration(max/60*60))
}

// OffsetRepeated refuses an offset given twice.
func OffsetRepeated(minutes int) string {
	return fmt.Sprintf("O lembrete de %s aparece duas vezes.", OffsetDuration(minutes))
}

// ServiceOffsetsTooMany refuses more than max services with their own reminders.
func ServiceOffsetsTooMany(max int) string {
	return fmt.Sprintf("No máximo %d serviços com lembretes próprios.", max)
}

// ServiceRepeated refuses a service listed twice.
func ServiceRepeated(service string) string {
	return fmt.Sprintf("O serviço “%s” aparece duas vezes.", service)
}

// OffsetTemplateMissing refuses an offset without a template.
func OffsetTemplateMissing(minutes int) string {
	return fmt.Sprintf("Escolha o modelo aprovado do lembrete de %s.", OffsetDuration(minutes))
}
