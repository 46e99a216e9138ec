package meta

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClipErrorText(t *testing.T) {
	long := strings.Repeat("x", 5000)
	accents := strings.Repeat("é", 700) // 1400 bytes, 2 per character
	cases := []struct {
		name, in string
		want     func(string) bool
	}{
		{"short kept", "Rate limit hit", func(s string) bool { return s == "Rate limit hit" }},
		{"exactly the limit kept", long[:MaxErrorText], func(s string) bool { return s == long[:MaxErrorText] }},
		{"long cut and marked", long, func(s string) bool {
			return len(s) <= MaxErrorText && strings.HasSuffix(s, "…") && strings.HasPrefix(s, "xxxx")
		}},
		{"cut on a character boundary", accents, func(s string) bool {
			return len(s) <= MaxErrorText && utf8.ValidString(s) && strings.HasSuffix(s, "é…")
		}},
		{"invalid UTF-8 replaced", "bad \xff\xfe byte", func(s string) bool { return s == "bad \uFFFD byte" }},
		{"empty", "", func(s string) bool { return s == "" }},
	}
	for _, c := range cases {
		if got := ClipErrorText(c.in); !c.want(got) {
			t.Errorf("%s: got %d bytes %q", c.name, len(got), got[:min(len(got), 40)])
		}
	}
}

// Which codes are retried, from Meta's "possible reasons and solutions" (see retryableCodes).
func TestRetryableCodes(t *testing.T) {
	retry := []int{1, 2, 4, 80007, 130429, 131000, 131016, 131048, 131056, 131057, 133004, 133015, 134101, 2494100}
	permanent := []int{3, 10, 100, 190, 250, 368, 131005, 131008, 131009, 131026, 131031, 131042, 131047,
		131049, 131050, 131051, 132000, 132001, 132015, 132016, 132069, 133010, 133016, 135000}
	for _, c := range retry {
		if !(&APIError{HTTPStatus: 400, Code: c}).Retryable() {
			t.Errorf("%d: want retryable", c)
		}
	}
	for _, c := range permanent {
		if (&APIError{HTTPStatus: 500, Code: c}).Retryable() {
			t.Errorf("%d: want permanent", c)
		}
	}
}
