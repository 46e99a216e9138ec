package ptbr

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// metaCodes is Meta's published list with each code's English title, as on
// https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes
// (and the other pages named in metaerrors.go). The range 200-299 is tested apart.
var metaCodes = []struct {
	code  int
	title string
}{
	{0, "AuthException"}, {3, "API Method"}, {10, "Permission Denied"}, {190, "Access token has expired"},
	{368, "Temporarily blocked for policies violations"},
	{130497, "Business account is restricted from messaging users in this country"},
	{131031, "Account has been locked"},
	{2388040, "Character limit exceeded"}, {2388047, "Message header format is incorrect"},
	{2388072, "Message body format is incorrect"}, {2388073, "Message footer format is incorrect"},
	{2388293, "Parameters words ratio exceeds limit"}, {2388299, "Leading or trailing parameters not allowed"},
	{2388019, "Message Template Limit Exceeded"},
	{2388001, "Please confirm ownership of this phone number"},
	{2388012, "This phone number already exists in your list of phone numbers"},
	{2388091, "This phone number isn't eligible to receive a registration code"},
	{2388093, "This phone number isn't eligible to verify a registration code"},
	{2388103, "Cannot migrate phone number"}, {2494100, "Account is in maintenance mode"},
	{200005, "Template insights unavailable"}, {200006, "Cannot disable template insights"},
	{200007, "Template Insights not enabled"},
	{2593079, "This WABA has already been marked for migration to a different solution ID"},
	{2593085, "Invalid WhatsApp Business Account for OBO Mobility"},
	{2593107, "Synchronization Request limit exceeded"},
	{2593108, "Synchronization Request made outside of allowed time window"},
	{2593109, "History sync is turned off by the business from the WhatsApp Business App"},
	{4, "API Too Many Calls"}, {80007, "Rate limit issues"}, {130429, "Rate limit hit"},
	{131048, "Spam rate limit hit"}, {131056, "(Business Account, Consumer Account) pair rate limit hit"},
	{133016, "Account register deregister rate limit exceeded"},
	{1, "API Unknown"}, {2, "API Service"}, {33, "Parameter value is not valid"}, {100, "Invalid parameter"},
	{130472, "User's number is part of an experiment"}, {131000, "Something went wrong"},
	{131005, "Access denied"}, {131008, "Required parameter is missing"},
	{131009, "Parameter value is not valid"}, {131016, "Service unavailable"},
	{131021, "Recipient cannot be sender"}, {131026, "Message Undeliverable"},
	{131037, "WhatsApp provided number needs display name approval before message can be sent"},
	{131042, "Business eligibility payment issue"}, {131045, "Incorrect certificate"},
	{131047, "Re-engagement message"}, {131049, "Meta chose not to deliver"},
	{131050, "User has stopped receipt of marketing messages"}, {131051, "Unsupported message type"},
	{131052, "Media download error"}, {131053, "Media upload error"},
	{131057, "Account in maintenance mode"}, {132000, "Template Param Count Mismatch"},
	{132001, "Template does not exist"}, {132005, "Template Hydrated Text Too Long"},
	{132007, "Template Format Character Policy Violated"}, {132012, "Template Parameter Format Mismatch"},
	{132015, "Template is Paused"}, {132016, "Template is Disabled"},
	{132068, "Flow is blocked"}, {132069, "Flow is throttled"},
	{133000, "Incomplete Deregistration"}, {133004, "Server Temporarily Unavailable"},
	{133005, "Two step verification PIN Mismatch"}, {133006, "Phone number re-verification needed"},
	{133008, "Too Many two step verification PIN Guesses"}, {133009, "Two step verification PIN Guessed Too Fast"},
	{133010, "Phone number Not Registered"},
	{133015, "Please wait a few minutes before attempting to register this phone number"},
	{134011, "WhatsApp Payments terms of service has not been accepted"}, {135000, "Generic user error"},
	{131055, "Method not allowed"}, {134100, "Only marketing messages supported"},
	{134101, "Your template is still syncing"}, {134102, "Template unavailable for use"},
	{1752041, "Duplicate Request"},
	{131060, "Unsupported companion device"}, {131064, "Messaging limit exceeded due to template classification violations"},
	{131001, "Message too long"}, {131002, "Invalid recipient type"}, {131006, "Resource not found"},
	{131043, "Message expired"}, {133001, "Decryption Error"}, {133002, "Backup Blob Decryption Error"},
	{133003, "Recovery Token Decryption Error"}, {133007, "Account Blocked"},
}

// english matches words that only an English text has (product names such as
// WhatsApp Business or Flow are not in the list).
var english = regexp.MustCompile(`(?i)\b(the|and|is|are|was|has|have|not|to|of|for|with|your|this|error|failed|message|messages|account|user|rate|limit|hit|please|try|again|unknown|invalid|template|number|phone|parameter|denied|expired|unavailable|blocked)\b`)

// portuguese matches words every reason here is built from.
var portuguese = regexp.MustCompile(`\b(a|o|as|os|da|do|de|na|no|não|um|uma|por|para|com|está|foi)\b|ã|ç|é|á|ê|ó`)

func checkPortuguese(t *testing.T, what, text string) {
	t.Helper()
	if text == "" {
		t.Errorf("%s: empty reason", what)
	}
	if m := english.FindString(text); m != "" {
		t.Errorf("%s: English word %q in %q", what, m, text)
	}
	if !portuguese.MatchString(text) {
		t.Errorf("%s: %q does not read as Portuguese", what, text)
	}
}

func TestEveryMetaCodeHasItsOwnPortugueseReason(t *testing.T) {
	seen := map[string]int{}
	listed := map[int]bool{}
	for _, c := range metaCodes {
		listed[c.code] = true
		got := MetaError(c.code)
		what := fmt.Sprintf("code %d (%s)", c.code, c.title)
		checkPortuguese(t, what, got)
		if got == fmt.Sprintf(metaUnknownText, c.code) {
			t.Errorf("%s: only the generic sentence", what)
		}
		if strings.Contains(strings.ToLower(got), strings.ToLower(c.title)) {
			t.Errorf("%s: Meta's title leaks into %q", what, got)
		}
		if other, dup := seen[got]; dup {
			t.Errorf("codes %d and %d share the reason %q", other, c.code, got)
		}
		seen[got] = c.code
	}
	for code := range metaTexts {
		if !listed[code] {
			t.Errorf("code %d has a text but is not in the tested list", code)
		}
	}
}

func TestPermissionRangeHasOneReasonNamingTheCode(t *testing.T) {
	for code := 200; code <= 299; code++ {
		got := MetaError(code)
		checkPortuguese(t, fmt.Sprint(code), got)
		if !strings.Contains(got, "Permissão") || !strings.Contains(got, fmt.Sprint(code)) || strings.Contains(got, "API Permission") {
			t.Errorf("%d: %q", code, got)
		}
	}
}

func TestUnknownMetaCodeGetsTheGenericSentence(t *testing.T) {
	for _, code := range []int{5, 199, 300, 999999, 131999, -1} {
		got := MetaError(code)
		checkPortuguese(t, fmt.Sprint(code), got)
		if got != fmt.Sprintf(metaUnknownText, code) || !strings.Contains(got, fmt.Sprint(code)) {
			t.Errorf("%d: %q", code, got)
		}
	}
}

func TestMetaFailure(t *testing.T) {
	cases := []struct {
		name             string
		code, httpStatus int
		want             string
	}{
		{"a code: its own text", 131026, 400, MetaError(131026)},
		{"no error object, HTTP 401: the token", 0, 401, metaTexts[0]},
		{"no error object, HTTP 400: said as such, not the token", 0, 400, "A Meta respondeu com erro HTTP 400."},
		{"no error object, HTTP 502", 0, 502, "A Meta respondeu com erro HTTP 502."},
		{"a failed status without errors: no reason given", 0, 0, metaNoCodeText},
	}
	for _, c := range cases {
		if got := MetaFailure(c.code, c.httpStatus); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
