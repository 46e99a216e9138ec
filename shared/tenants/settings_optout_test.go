package tenants

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
)

func TestCheckOptOutKeywords(t *testing.T) {
	long := strings.Repeat("a", domain.MaxOptOutKeywordLen+1)
	many := make([]string, domain.MaxOptOutKeywords+1)
	for i := range many {
		many[i] = "palavra" + string(rune('a'+i))
	}
	cases := []struct {
		name string
		in   []string
		want []string
		code string
	}{
		{"the studio's own words, trimmed", []string{" Chega ", "não quero mais"}, []string{"Chega", "não quero mais"}, ""},
		{"empty: the defaults", []string{}, []string{}, ""},
		{"VOLTAR resumes", []string{"Voltar!"}, nil, "invalid_value"},
		{"twice once folded", []string{"Parar", "párar!"}, nil, "invalid_value"},
		{"no letter", []string{"🙏"}, nil, "invalid_value"},
		{"too long", []string{long}, nil, "too_long"},
		{"too many", many, nil, "invalid_value"},
		{"a line break", []string{"pa\nrar"}, nil, "invalid_characters"},
	}
	for _, c := range cases {
		got, err := CheckOptOutKeywords(c.in)
		var ve *domain.ValidationError
		switch {
		case c.code == "" && (err != nil || !slices.Equal(got, c.want)):
			t.Errorf("%s: %v %v", c.name, got, err)
		case c.code != "" && (!errors.As(err, &ve) || ve.Code != c.code || ve.Field != "opt_out_keywords" || ve.Message == ""):
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
}

func TestSettingsMergeOptOut(t *testing.T) {
	stored := &domain.Tenant{ID: "t", Name: "Studio", LocationLine: "Rua A", Mode: domain.ModeEnabled, OptedOut: []string{"abc"}}
	ks, strict := []string{"Chega"}, true
	c, err := CheckSettings(SettingsPatch{OptOutPatch: OptOutPatch{OptOutKeywords: &ks, StrictCancelWindow: &strict}}, domain.ModeEnabled)
	if err != nil {
		t.Fatal(err)
	}
	got, audit, err := SettingsMerge(stored, c, "jana@x", time.Now())
	if err != nil || !slices.Equal(got.OptOutKeywords, ks) || !got.StrictCancelWindow || len(audit) != 2 || !slices.Equal(got.OptedOut, stored.OptedOut) {
		t.Fatalf("%+v %+v %v", got, audit, err)
	}
	if audit[0].Field != "opt_out_keywords" || audit[0].Old != "" || audit[0].New != "Chega" || audit[1].Field != "strict_cancel_window" {
		t.Errorf("history %+v", audit)
	}
	empty := []string{}
	c, _ = CheckSettings(SettingsPatch{OptOutPatch: OptOutPatch{OptOutKeywords: &empty}}, domain.ModeEnabled)
	back, audit, _ := SettingsMerge(got, c, "jana@x", time.Now())
	if back.OptOutKeywords != nil || len(audit) != 1 || audit[0].New != "" {
		t.Errorf("defaults restored: %v %+v", back.OptOutKeywords, audit)
	}
}
