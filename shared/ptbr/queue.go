package ptbr

// TextEnqueueFailed is the timeline note of a reminder whose task could not be created.
const TextEnqueueFailed = "Fila de envio indisponível: o lembrete volta a aguardar e a próxima verificação tenta de novo."

// TextInboundWithoutTime is why the window of a cancellation notice could not be
// checked: the client's message about the appointment has no recorded time.
const TextInboundWithoutTime = "a resposta do cliente não tem horário registrado"
