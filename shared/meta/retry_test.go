package meta

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestClassify(t *testing.T) {
	notFound := errors.New("secret not found")
	cases := []struct {
		name string
		err  error
		want Class
	}{
		{"sent", nil, ClassSent},
		{"no connection", fmt.Errorf("%w: dial tcp: refused", ErrTransport), ClassRetryable},
		{"answer lost after the request was written", fmt.Errorf("%w: timeout", ErrOutcomeUnknown), ClassOutcomeUnknown},
		{"unknown outcome wrapped again", fmt.Errorf("send: %w", fmt.Errorf("%w: EOF", ErrOutcomeUnknown)), ClassOutcomeUnknown},
		{"token missing", &TokenMissingError{Err: notFound}, ClassTokenMissing},
		{"token missing, wrapped", fmt.Errorf("read: %w", &TokenMissingError{Err: notFound}), ClassTokenMissing},
		{"secret store unreadable", errors.New("secret manager: unavailable"), ClassRetryable},
		{"throttled", &APIError{HTTPStatus: 400, Code: 130429}, ClassRetryable},
		{"Meta overloaded", &APIError{HTTPStatus: 503, Code: 2}, ClassRetryable},
		{"bare 500", &APIError{HTTPStatus: 500}, ClassRetryable},
		{"bare 429", &APIError{HTTPStatus: 429}, ClassRetryable},
		{"bare 400", &APIError{HTTPStatus: 400}, ClassPermanent},
		{"bare 401", &APIError{HTTPStatus: 401}, ClassPermanent},
		{"token expired", &APIError{HTTPStatus: 401, Code: 190}, ClassPermanent},
		{"template missing", &APIError{HTTPStatus: 404, Code: 132001}, ClassPermanent},
		{"permanent code on a 500", &APIError{HTTPStatus: 500, Code: 131026}, ClassPermanent},
		{"Meta error wrapped", fmt.Errorf("send: %w", &APIError{HTTPStatus: 400, Code: 131047}), ClassPermanent},
	}
	for _, c := range cases {
		if got := Classify(c.err); got != c.want {
			t.Errorf("%s: Classify = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestForgetToken(t *testing.T) {
	cases := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{&APIError{HTTPStatus: 401, Code: 190}, true},
		{&APIError{HTTPStatus: 400, Code: 190}, true},
		{&APIError{HTTPStatus: 401}, true},
		{fmt.Errorf("send: %w", &APIError{HTTPStatus: 401}), true},
		{&APIError{HTTPStatus: 401, Code: 10}, false}, // permission: the token itself is fine
		{&APIError{HTTPStatus: 403}, false},
		{&APIError{HTTPStatus: 500}, false},
		{&TokenMissingError{Err: errors.New("not found")}, false},
		{ErrOutcomeUnknown, false},
	}
	for _, c := range cases {
		if got := ForgetToken(c.err); got != c.want {
			t.Errorf("ForgetToken(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

func TestRetryDelay(t *testing.T) {
	p := RetryPolicy{BaseDelay: 30 * time.Second}
	cases := []struct {
		n    int
		want time.Duration
	}{
		{1, 30 * time.Second}, {2, time.Minute}, {3, 2 * time.Minute}, {4, 4 * time.Minute},
		{7, 32 * time.Minute}, {8, time.Hour}, {9, time.Hour}, {50, time.Hour},
	}
	for _, c := range cases {
		if got := p.Delay(c.n); got != c.want {
			t.Errorf("Delay(%d) = %v, want %v", c.n, got, c.want)
		}
	}
	if got := (RetryPolicy{BaseDelay: 250 * time.Millisecond}).Delay(3); got != time.Second {
		t.Errorf("short base: Delay(3) = %v, want 1s", got)
	}
}

func TestDecide(t *testing.T) {
	p := RetryPolicy{MaxRetries: 2, BaseDelay: 30 * time.Second, UnknownWait: 15 * time.Minute}
	throttled := &APIError{HTTPStatus: 400, Code: 130429}
	cases := []struct {
		name    string
		attempt int
		err     error
		want    Next
	}{
		{"sent", 1, nil, Next{Class: ClassSent}},
		{"first retryable failure", 1, throttled, Next{Class: ClassRetryable, Again: true, After: 30 * time.Second}},
		{"second retryable failure: delay doubles", 2, throttled, Next{Class: ClassRetryable, Again: true, After: time.Minute}},
		{"retryable failure of the last allowed attempt", 3, throttled, Next{Class: ClassRetryable, Exhausted: true}},
		{"unknown outcome waits for its webhook, retries left or not", 3, ErrOutcomeUnknown,
			Next{Class: ClassOutcomeUnknown, Again: true, After: 15 * time.Minute}},
		{"permanent", 1, &APIError{HTTPStatus: 400, Code: 131026}, Next{Class: ClassPermanent}},
		{"token expired: permanent, and the cached token is dropped", 1, &APIError{HTTPStatus: 401, Code: 190},
			Next{Class: ClassPermanent, ForgetToken: true}},
		{"bare 401: permanent, and the cached token is dropped", 2, &APIError{HTTPStatus: 401},
			Next{Class: ClassPermanent, ForgetToken: true}},
		{"token missing", 1, &TokenMissingError{Err: errors.New("not found")}, Next{Class: ClassTokenMissing}},
	}
	for _, c := range cases {
		if got := p.Decide(c.attempt, c.err); got != c.want {
			t.Errorf("%s: Decide = %+v, want %+v", c.name, got, c.want)
		}
	}
	if !(RetryPolicy{MaxRetries: 0}).Decide(1, throttled).Exhausted {
		t.Error("no retries configured: the first retryable failure is final")
	}
}

func TestRetryDelayRespectsMetasLimits(t *testing.T) {
	pair := &APIError{HTTPStatus: 400, Code: CodePairRate}
	throttled := &APIError{HTTPStatus: 400, Code: CodeThroughput}
	wrapped := fmt.Errorf("send: %w", pair)
	fast := RetryPolicy{BaseDelay: 200 * time.Millisecond, PairGap: 7 * time.Second}
	slow := RetryPolicy{BaseDelay: 30 * time.Second, PairGap: 7 * time.Second}
	cases := []struct {
		name string
		p    RetryPolicy
		n    int
		err  error
		want time.Duration
	}{
		{"131056 waits the pair gap, not the short base delay", fast, 1, pair, 7 * time.Second},
		{"131056 wrapped: the same", fast, 1, wrapped, 7 * time.Second},
		{"131056 with no pair gap configured: Meta's 6 s", RetryPolicy{BaseDelay: 200 * time.Millisecond}, 1, pair, PairRateGap},
		{"131056 with a smaller pair gap: still Meta's 6 s", RetryPolicy{BaseDelay: time.Second, PairGap: time.Second}, 1, pair, PairRateGap},
		{"131056 when the backoff is already longer: the backoff", slow, 1, pair, 30 * time.Second},
		{"131056 on a late retry: the doubled delay", fast, 7, pair, fast.Delay(7)},
		{"130429 first retry: backs off at least 1 s", fast, 1, throttled, time.Second},
		{"130429 third retry: 4 s", fast, 3, throttled, 4 * time.Second},
		{"130429 with a long base delay: the base delay", slow, 1, throttled, 30 * time.Second},
		{"130429 far down: capped", fast, 30, throttled, MaxRetryDelay},
		{"other Meta error: the policy's delay", fast, 1, &APIError{HTTPStatus: 500, Code: 131000}, 200 * time.Millisecond},
		{"network failure: the policy's delay", fast, 2, ErrTransport, 400 * time.Millisecond},
		{"131048 (messaging limit): an hour", fast, 1, &APIError{HTTPStatus: 400, Code: CodeMessagingLimit}, MaxRetryDelay},
		{"huge pair gap: capped", RetryPolicy{BaseDelay: time.Second, PairGap: 2 * MaxRetryDelay}, 1, pair, MaxRetryDelay},
	}
	for _, c := range cases {
		if got := c.p.RetryDelay(c.n, c.err); got != c.want {
			t.Errorf("%s: RetryDelay(%d) = %v, want %v", c.name, c.n, got, c.want)
		}
	}
	// Decide schedules the retry with that delay.
	if next := (RetryPolicy{MaxRetries: 5, BaseDelay: 200 * time.Millisecond, PairGap: 7 * time.Second}).Decide(1, pair); !next.Again || next.After != 7*time.Second {
		t.Errorf("Decide after a 131056: %+v", next)
	}
}
