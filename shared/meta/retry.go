package meta

import (
	"errors"
	"net/http"
	"time"
)

// Class is what the result of one send means for its job. Classify is the one place
// that reads a send's error; RetryPolicy.Decide the one place that says what each
// class leads to.
type Class int

const (
	// ClassSent: Meta accepted the message.
	ClassSent Class = iota
	// ClassRetryable: trying again later can help (the request never reached Meta,
	// Meta is overloaded or throttling, the secret store could not be read).
	ClassRetryable
	// ClassPermanent: Meta refused the request; sending it again brings the same error.
	ClassPermanent
	// ClassOutcomeUnknown: the request reached Meta but its answer was lost; Meta may
	// have sent the message, so it must not be sent again blindly.
	ClassOutcomeUnknown
	// ClassTokenMissing: the tenant's access token does not exist; nothing was sent.
	ClassTokenMissing
)

var classNames = [...]string{"sent", "retryable", "permanent", "outcome_unknown", "token_missing"}

func (c Class) String() string {
	if c < 0 || int(c) >= len(classNames) {
		return "class(?)"
	}
	return classNames[c]
}

// TokenMissingError means the tenant's access token is not in the secret store, so no
// request was made. The caller wraps its secret store's not-found error in it.
type TokenMissingError struct{ Err error }

func (e *TokenMissingError) Error() string { return "tenant token: " + e.Err.Error() }
func (e *TokenMissingError) Unwrap() error { return e.Err }

// Classify sorts the error of one send (nil: sent). The order matters: an unknown
// outcome is never retried blindly, whatever else the error says; any error that is
// neither an unknown outcome, a missing token nor a permanent Meta error (network
// failures, unreadable secret store, Meta overload) is retryable.
func Classify(err error) Class {
	var apiErr *APIError
	var missing *TokenMissingError
	switch {
	case err == nil:
		return ClassSent
	case errors.Is(err, ErrOutcomeUnknown):
		return ClassOutcomeUnknown
	case errors.As(err, &missing):
		return ClassTokenMissing
	case errors.As(err, &apiErr) && !apiErr.Retryable():
		return ClassPermanent
	}
	return ClassRetryable
}

// retryableCodes are the Meta errors that trying again later can fix, read from the
// "possible reasons and solutions" of Meta's error-code list,
// https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes
// (updated Nov 19, 2025):
//   - throttling: 4 (app call rate, "try again later"), 80007 (WABA rate limit, "try again
//     later"), 130429 (throughput, "try again later"), 131056 (pair rate limit, "wait and
//     retry");
//   - Meta's side: 1 ("invalid request or possible server error": retried, within the
//     job's retry limit), 2 (downtime or overload), 131000 ("try again"), 131016 (service
//     unavailable), 131057 and 2494100 (maintenance mode, "try again in a few minutes"),
//     133004 (server temporarily unavailable);
//   - waits of minutes: 133015 ("wait 5 minutes"), 134101 (template still syncing, "wait
//     10 minutes").
//
// 131048 ("Spam rate limit hit": "there are restrictions on how many messages can be
// sent from this phone number") is retried, an hour apart (CodeMessagingLimit): it is
// what a send beyond the portfolio's messaging limit brings (Meta's messaging-limits
// page names no code of its own), and the limit frees up as the moving 24 hours pass.
//
// Not retried: 131049 ("wait at least 24 hours": the retry delays are minutes, and Meta
// warns that resending earlier only brings the error again), 133016 (register/deregister limit: up to 72 hours), 132069 (Flow throttled)
// and every code whose solution is to change the request, the template, the account or
// its billing.
var retryableCodes = map[int]bool{
	1: true, 2: true, 4: true, 80007: true, 130429: true, 131000: true, 131016: true, 131048: true, 131056: true,
	131057: true, 133004: true, 133015: true, 134101: true, 2494100: true,
}

// Retryable reports whether trying again later can help.
func (e *APIError) Retryable() bool {
	if e.Code != 0 {
		return retryableCodes[e.Code]
	}
	return e.HTTPStatus == http.StatusTooManyRequests || e.HTTPStatus >= 500
}

// ForgetToken reports whether err says Meta rejected the tenant's access token, so that
// a cached copy must be dropped and the next send reads the secret again: code 190
// ("access token has expired", HTTP 401), or a bare HTTP 401 without an error code.
// Meta's error-code list:
// https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes
func ForgetToken(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && (apiErr.Code == 190 || apiErr.Code == 0 && apiErr.HTTPStatus == http.StatusUnauthorized)
}

// MaxRetryDelay caps the wait before a retry.
const MaxRetryDelay = time.Hour

// RetryPolicy is the configured part of the retry rule.
type RetryPolicy struct {
	// MaxRetries is how many attempts may follow the first.
	MaxRetries int
	// BaseDelay is the wait before the first retry; it doubles for each next one.
	BaseDelay time.Duration
	// UnknownWait is how long a send whose answer was lost waits for a status webhook
	// before its job is looked at again.
	UnknownWait time.Duration
	// PairGap is the spacing kept between two messages to the same client (see
	// PairRateGap); a retry of a 131056 waits at least this long, and never less than
	// PairRateGap.
	PairGap time.Duration
}

// Delay is the wait before retry number n (1-based): BaseDelay·2^(n-1), capped at
// MaxRetryDelay.
func (p RetryPolicy) Delay(n int) time.Duration {
	d := p.BaseDelay
	for i := 1; i < n && d < MaxRetryDelay; i++ {
		d *= 2
	}
	return min(d, MaxRetryDelay)
}

// Meta's limits that a retry must respect (Meta's error codes,
// https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes):
// 131056 "(Business Account, Consumer Account) pair rate limit hit" is about one
// message every 6 s from a business number to the same user ("wait and retry" for
// that recipient; others can be sent to at once); 130429 "Rate limit hit" is the
// number's throughput ("try again later").
const (
	CodePairRate   = 131056
	CodeThroughput = 130429
	// CodeMessagingLimit is 131048, "Spam rate limit hit": Meta restricts how many
	// messages the number may send (the portfolio's messaging limit, or its quality).
	// A retry waits MaxRetryDelay: the limit is a moving 24 hours.
	CodeMessagingLimit = 131048
	// PairRateGap is Meta's pair rate: one message every 6 s to the same user.
	PairRateGap = 6 * time.Second
	// ThroughputBackoff is the first wait after a 130429; it doubles for each next
	// attempt (1 s, 2 s, 4 s, …), so the number's sends back off while Meta's
	// per-second cap recovers.
	ThroughputBackoff = time.Second
)

// RetryDelay is the wait before retry number n (1-based) of a send that failed with
// err: Delay(n), and never less than what Meta's limit needs: after a 131056 the
// pair gap (at least PairRateGap), after a 130429 ThroughputBackoff·2^(n-1); capped
// at MaxRetryDelay.
func (p RetryPolicy) RetryDelay(n int, err error) time.Duration {
	d := p.Delay(n)
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return d
	}
	switch apiErr.Code {
	case CodePairRate:
		d = max(d, p.PairGap, PairRateGap)
	case CodeThroughput:
		d = max(d, RetryPolicy{BaseDelay: ThroughputBackoff}.Delay(n))
	case CodeMessagingLimit:
		d = MaxRetryDelay
	}
	return min(d, MaxRetryDelay)
}

// Exhausted reports whether a job that has made `attempts` attempts may not make
// another: the first attempt and MaxRetries retries are used up.
func (p RetryPolicy) Exhausted(attempts int) bool { return attempts > p.MaxRetries }

// Next is what the retry rule says after one attempt.
type Next struct {
	Class Class
	// Again: another delivery of the job is due After from now: the retry of a
	// retryable failure, or the check of an unknown outcome.
	Again bool
	After time.Duration
	// Exhausted: the failure was retryable, but that attempt was the last allowed.
	Exhausted bool
	// ForgetToken: drop the cached token (see ForgetToken).
	ForgetToken bool
}

// Decide applies the retry rule to attempt number `attempt` (1-based) that ended with
// err (nil: sent).
func (p RetryPolicy) Decide(attempt int, err error) Next {
	n := Next{Class: Classify(err), ForgetToken: ForgetToken(err)}
	switch n.Class {
	case ClassOutcomeUnknown:
		n.Again, n.After = true, p.UnknownWait
	case ClassRetryable:
		if p.Exhausted(attempt) {
			n.Exhausted = true
		} else {
			n.Again, n.After = true, p.RetryDelay(attempt, err)
		}
	}
	return n
}
