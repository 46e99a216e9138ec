package onboarding

import (
	"testing"

	"github.com/lembra-app/lembra/shared/domain"
)

func TestAttemptLimit(t *testing.T) {
	for _, c := range []struct {
		field string
		want  int
	}{
		{"TIER_250", 250}, {"TIER_2K", 2000}, {"TIER_100K", 100_000}, {"TIER_UNLIMITED", domain.LimitUnlimited},
		{"", domain.LimitNewPortfolio}, {"TIER_NOT_SET", domain.LimitNewPortfolio}, {"whatever", domain.LimitNewPortfolio},
	} {
		if got := AttemptLimit(c.field); got != c.want {
			t.Errorf("AttemptLimit(%q) = %d, want %d", c.field, got, c.want)
		}
	}
}
