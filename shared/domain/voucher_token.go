package domain

// VoucherTokenLen is the length of a voucher token as the booking API makes them
// (shared/booking's newVoucherToken): 24 random bytes from crypto/rand in unpadded
// base64url (RFC 4648 §5), 32 characters of A-Z, a-z, 0-9, '-' and '_'.
const VoucherTokenLen = 32

// ValidVoucherToken reports whether s has the shape of a voucher token. Whatever looks
// a voucher up checks it first and treats anything else as not found without touching
// Firestore: an empty token in an equality query would match an appointment stored
// without one, and a malformed one names nothing.
func ValidVoucherToken(s string) bool {
	if len(s) != VoucherTokenLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}
