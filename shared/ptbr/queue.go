package ptbr

// TextEnqueueFailed is the timeline note of a reminder whose task could not be created.
const TextEnqueueFailed = "Fila de envio indisponível: o lembrete volta a aguardar e a próxima verificação tenta de novo."
