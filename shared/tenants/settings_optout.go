package tenants

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/ptbr"
)

// The opt-out and window settings: the studio's opt-out keywords (domain/optout.go)
// and the strict rule for the cancellation notice's window (domain/window_ledger.go).
// SettingsPatch and CheckedSettings embed OptOutPatch and CheckedOptOut; SettingsMerge
// calls mergeOptOut.

// OptOutPatch is a change of those settings: nil is left as stored; an empty keyword
// list restores the defaults.
type OptOutPatch struct {
	OptOutKeywords     *[]string
	StrictCancelWindow *bool
}

// Empty reports whether the patch asks for nothing.
func (p OptOutPatch) Empty() bool { return p.OptOutKeywords == nil && p.StrictCancelWindow == nil }

// CheckedOptOut is an opt-out patch its rules accepted (keywords as the owner wrote
// them, trimmed; an empty list: the defaults).
type CheckedOptOut struct {
	OptOutKeywords     *[]string
	StrictCancelWindow *bool
}

// CheckOptOutKeywords reads the owner's opt-out keywords: at most MaxOptOutKeywords,
// each with a letter or digit, at most MaxOptOutKeywordLen characters, on one line;
// not VOLTAR (which resumes); none twice once accents, case and punctuation are folded.
func CheckOptOutKeywords(raw []string) ([]string, error) {
	const field = "opt_out_keywords"
	if len(raw) > domain.MaxOptOutKeywords {
		return nil, invalid(field, "invalid_value", fmt.Sprintf("No máximo %d palavras de descadastro.", domain.MaxOptOutKeywords))
	}
	out := make([]string, 0, len(raw))
	seen := map[string]bool{}
	for _, k := range raw {
		v := strings.TrimSpace(k)
		if utf8.RuneCountInString(v) > domain.MaxOptOutKeywordLen {
			return nil, invalid(field, "too_long", ptbr.TooLong("Cada palavra de descadastro", domain.MaxOptOutKeywordLen))
		}
		if err := checkChars(field, v, false); err != nil {
			return nil, err
		}
		n := domain.NormalizeKeyword(v)
		switch {
		case n == "":
			return nil, invalid(field, "invalid_value", "Cada palavra de descadastro precisa ter ao menos uma letra ou um número.")
		case n == domain.ResumeKeyword:
			return nil, invalid(field, "invalid_value", domain.ResumeKeyword+" é a palavra para voltar a receber mensagens: não pode ser de descadastro.")
		case seen[n]:
			return nil, invalid(field, "invalid_value", fmt.Sprintf("A palavra %q aparece duas vezes.", v))
		}
		seen[n] = true
		out = append(out, v)
	}
	return out, nil
}

// CheckOptOut runs the rules of an opt-out patch.
func CheckOptOut(p OptOutPatch) (CheckedOptOut, error) {
	c := CheckedOptOut{StrictCancelWindow: p.StrictCancelWindow}
	if p.OptOutKeywords != nil {
		ks, err := CheckOptOutKeywords(*p.OptOutKeywords)
		if err != nil {
			return CheckedOptOut{}, err
		}
		c.OptOutKeywords = &ks
	}
	return c, nil
}

// mergeOptOut applies a checked opt-out change to t (a copy of stored), with a history
// entry per field that changed.
func mergeOptOut(stored, t *domain.Tenant, c CheckedOptOut, add func(field, old, new string)) {
	if c.OptOutKeywords != nil {
		t.OptOutKeywords = slices.Clone(*c.OptOutKeywords)
		if len(t.OptOutKeywords) == 0 {
			t.OptOutKeywords = nil
		}
	}
	if c.StrictCancelWindow != nil {
		t.StrictCancelWindow = *c.StrictCancelWindow
	}
	add("opt_out_keywords", KeywordsText(stored.OptOutKeywords), KeywordsText(t.OptOutKeywords))
	add("strict_cancel_window", strconv.FormatBool(stored.StrictCancelWindow), strconv.FormatBool(t.StrictCancelWindow))
}

// KeywordsText is a keyword list as the history shows it ("" for the defaults).
func KeywordsText(ks []string) string { return strings.Join(ks, ", ") }
