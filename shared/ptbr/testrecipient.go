package ptbr

// Texts of the studio's test number for the dry-run mode (domain.Tenant.TestRecipient).

const (
	// TextTestRecipientInvalid refuses a test number that is neither E.164 nor a
	// Brazilian number with its area code.
	TextTestRecipientInvalid = "Número de teste inválido: use o formato +5511987654321 ou um número brasileiro com DDD, como (11) 98765-4321."
	// TextTestRecipientLabel names the setting in the history.
	TextTestRecipientLabel = "Número de teste (modo de teste)"
)

// TestRecipientSent is the timeline's note of a message the dry-run mode sent to the
// studio's test number instead of the client.
func TestRecipientSent(to string) string {
	return "Modo de teste: enviada para o número de teste " + to + ", não para o cliente."
}
