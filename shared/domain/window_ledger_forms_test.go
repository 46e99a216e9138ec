package domain

import (
	"slices"
	"testing"
)

func TestClientIdentityForms(t *testing.T) {
	for in, want := range map[string][]string{
		"5511987654321":  {"5511987654321", "551187654321"}, // the booking's number; Meta's wa_id may lack the 9
		"551187654321":   {"551187654321", "5511987654321"}, // Meta's wa_id; the booking wrote the 9
		"5511334455667":  {"5511334455667"},                 // 13 digits, not a mobile with a ninth digit
		"551133445566":   {"551133445566"},                  // a landline (starts with 3)
		"14155550123":    {"14155550123"},                   // not Brazil
		"+5511987654321": {"+5511987654321"},                // not an identity (the + is dropped by ClientIdentity)
		"":               {""},
	} {
		if got := ClientIdentityForms(in); !slices.Equal(got, want) {
			t.Errorf("ClientIdentityForms(%q) = %v, want %v", in, got, want)
		}
	}
}
