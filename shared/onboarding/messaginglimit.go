package onboarding

import "github.com/lembra-app/lembra/shared/domain"

// AttemptLimit is the messaging limit an attempt records from the number's
// whatsapp_business_manager_messaging_limit: Meta's tier or integer read by
// domain.ParseMessagingLimit; a value Meta left out or one not understood is a new
// portfolio's 250 (domain.LimitNewPortfolio), the lowest limit Meta documents, so a
// studio never sends past a limit it was not told.
func AttemptLimit(field string) int {
	if n, ok := domain.ParseMessagingLimit(field); ok {
		return n
	}
	return domain.LimitNewPortfolio
}
