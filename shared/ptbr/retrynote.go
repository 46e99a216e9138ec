package ptbr

import (
	"fmt"
	"time"
)

// Notes on the timeline of a send that hit one of Meta's rate limits (131056: the pair
// rate, about one message every 6 s to the same client; 130429: the number's
// throughput), with the time of the automatic retry.
const (
	TextPairRateRetry   = "Limite da Meta para mensagens seguidas ao mesmo cliente: nova tentativa às %s."
	TextThroughputRetry = "Limite da Meta de mensagens por segundo deste número: nova tentativa às %s."
	// TextMessagingLimitRetry: 131048, Meta restricting how many messages the number
	// sends (the portfolio's limit of clients per 24 h, or the number's quality).
	TextMessagingLimitRetry = "A Meta limitou os envios deste número (limite de clientes nas últimas 24 h ou qualidade): a mensagem aguarda, nova tentativa em %s."
)

// RetryNote is the timeline's note for a retry scheduled at `at` after a failure that
// staff read as `failure` (MetaFailure or TextNetwork). A retry after Meta's pair rate
// or throughput limit says which limit it was and the time to the second (those waits
// are seconds), with the date only if it is not today's, in loc; any other retry is the
// failure followed by TextRetryLater.
func RetryNote(code int, failure string, now, at time.Time, loc *time.Location) string {
	var format string
	switch code {
	case 131056:
		format = TextPairRateRetry
	case 130429:
		format = TextThroughputRetry
	case 131048:
		return fmt.Sprintf(TextMessagingLimitRetry, DateTime(at, loc))
	default:
		return failure + " " + fmt.Sprintf(TextRetryLater, DateTime(at, loc))
	}
	clock := at.In(loc).Format("15:04:05")
	if Date(at, loc) != Date(now, loc) {
		clock = Date(at, loc) + " " + clock
	}
	return fmt.Sprintf(format, clock)
}
