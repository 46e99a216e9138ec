package ptbr

import "testing"

func TestBillingCategory(t *testing.T) {
	for code, want := range map[string]string{
		"utility": "Utilidade", "marketing": "Marketing", "authentication": "Autenticação",
		"authentication_international": "Autenticação internacional", "service": "Serviço",
		"unspecified": "Não informada pela Meta", "new_category": "new_category",
	} {
		if got := BillingCategory(code); got != want {
			t.Errorf("%s: %q, want %q", code, got, want)
		}
	}
}
