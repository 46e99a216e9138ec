package api

import (
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
)

// The CSV for billing: a byte-order mark, ";" and a decimal comma, Portuguese
// headers, one row per category (an unpriced one says so) and the total.
func TestBillingCSV(t *testing.T) {
	table := domain.PriceTable{Effective: "2026-01-01", Source: "https://example.test/prices", DefaultMarket: "BR", Markets: map[string]domain.MarketRates{
		"BR": {Currency: "BRL", Rates: map[string]string{"marketing": "0.35", "utility": "0.0425", "service": "0"}},
	}}
	u := domain.BillingUsage{Month: domain.BillingMonth{Year: 2026, Month: time.November}, Categories: []domain.CategoryUsage{
		{Category: "authentication_international", Billable: 2},
		{Category: "marketing", Billable: 3},
		{Category: "service", Free: 7},
		{Category: "utility", Billable: 1001, Free: 4},
	}}
	resp := NewBillingResponse("America/Sao_Paulo", domain.EstimateCost(u, table, ""), u, table)
	if resp.Billable != 1006 || resp.Free != 11 || resp.Unpriced != 2 || resp.Currency != "BRL" || resp.From != "2026-11-01" || resp.To != "2026-11-30" {
		t.Errorf("response %+v", resp)
	}
	// 3 × 0.35 + 1001 × 0.0425 = 1.05 + 42.5425 = 43.5925
	if resp.Estimate < 43.5924 || resp.Estimate > 43.5926 || resp.Categories[0].Rate != nil || *resp.Categories[3].Estimate != 42.5425 {
		t.Errorf("estimate %v, categories %+v", resp.Estimate, resp.Categories)
	}
	b := billingCSV(resp)
	if !strings.HasPrefix(string(b), "\ufeff") {
		t.Fatal("no byte-order mark")
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(b), "\ufeff")))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"Mês", "Categoria", "Código", "Cobradas", "Gratuitas", "Preço por mensagem (BRL)", "Custo estimado (BRL)", "Tabela de preços"},
		{"2026-11", "Autenticação internacional", "authentication_international", "2", "0", "sem preço", "", "2026-01-01 (valores não confirmados)"},
		{"2026-11", "Marketing", "marketing", "3", "0", "0,3500", "1,05", "2026-01-01 (valores não confirmados)"},
		{"2026-11", "Serviço", "service", "0", "7", "0,0000", "0,00", "2026-01-01 (valores não confirmados)"},
		{"2026-11", "Utilidade", "utility", "1001", "4", "0,0425", "42,54", "2026-01-01 (valores não confirmados)"},
		{"2026-11", "Total", "", "1006", "11", "", "43,59", "2026-01-01 (valores não confirmados)"},
	}
	if len(rows) != len(want) {
		t.Fatalf("rows %q", rows)
	}
	for i := range want {
		if strings.Join(rows[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d %q, want %q", i, rows[i], want[i])
		}
	}
}
