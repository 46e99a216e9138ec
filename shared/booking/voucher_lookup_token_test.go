package booking

import (
	"testing"

	"github.com/lembra-app/lembra/shared/domain"
)

// TestNewVoucherTokenIsValid: the tokens the booking API makes have the shape the
// voucher lookup accepts (domain.ValidVoucherToken); a change to one is a change to both.
func TestNewVoucherTokenIsValid(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		tok := newVoucherToken()
		if !domain.ValidVoucherToken(tok) {
			t.Fatalf("newVoucherToken() = %q, which domain.ValidVoucherToken refuses", tok)
		}
		if seen[tok] {
			t.Fatalf("newVoucherToken() repeated %q", tok)
		}
		seen[tok] = true
	}
}
