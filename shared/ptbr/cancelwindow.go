package ptbr

import "time"

// The cancel dialog's one-line state of WhatsApp's 24-hour window (booking.CancelWindow
// decides it; the reason a notice is skipped with is in reasons.go and ptbr.go).

// WindowLabelOpen: the window is open until until.
func WindowLabelOpen(until time.Time, loc *time.Location) string {
	return "Janela aberta até " + DateTime(until, loc)
}

// WindowLabelNoInbound: the client never wrote about the appointment.
func WindowLabelNoInbound() string {
	return "Janela fechada: o cliente não respondeu a nenhuma mensagem sobre este agendamento"
}

// WindowLabelExpired: the client's last message is 24 hours old or more.
func WindowLabelExpired(last time.Time, loc *time.Location) string {
	return "Janela fechada: a última resposta do cliente foi em " + DateTime(last, loc) + ", há mais de 24 horas"
}

// WindowLabelUnchecked: the client's message has no recorded time.
func WindowLabelUnchecked() string {
	return "Janela fechada: não foi possível verificar (" + TextInboundWithoutTime + ")"
}
