package ptbr

// billingCategories are the Portuguese names of Meta's pricing categories
// (domain.BillingCategory codes) in the cost panel and its CSV.
var billingCategories = map[string]string{
	"marketing":                    "Marketing",
	"marketing_lite":               "Marketing (Lite)",
	"utility":                      "Utilidade",
	"authentication":               "Autenticação",
	"authentication_international": "Autenticação internacional",
	"service":                      "Serviço",
	"referral_conversion":          "Conversão por indicação",
	"unspecified":                  "Não informada pela Meta",
	"other":                        "Outra",
}

// BillingCategory is the Portuguese name of a pricing category (its code when unknown).
func BillingCategory(code string) string {
	if l, ok := billingCategories[code]; ok {
		return l
	}
	return code
}
