package api

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/ptbr"
	"github.com/lembra-app/lembra/shared/web"
)

// GET /v1/staff/billing?month=yyyy-mm[&format=csv] (the owner): the month's messages
// Meta priced, by category, charged and free, from the pricing of their status
// webhooks (domain.BillingOf: each delivered message once, a conversation-based
// conversation once), and the estimated cost at the price table's rates for the
// studio's market (domain.Prices, date-stamped, with its source). The month is a
// calendar month of the studio's zone (default: the current one). The counts are in
// the daily counter documents (store/counters.go), so a read is one query of at most
// 32 days × 32 shards, never a scan of the jobs. format=csv answers the same as a CSV
// for billing (billingCSV).
func (s *server) staffBillingRoutes() []route {
	return []route{{pattern: "GET /v1/staff/billing", staff: s.staffBilling, roles: []domain.StaffRole{domain.RoleOwner}}}
}

func (s *server) staffBilling(w http.ResponseWriter, r *http.Request, st Staff) error {
	q := r.URL.Query()
	format := q.Get("format")
	if format != "" && format != "json" && format != "csv" {
		return web.FieldError("format", "invalid_value", "format must be json or csv")
	}
	loc := st.Tenant.Location()
	m, err := domain.ParseBillingMonth(q.Get("month"), s.env.Now(), loc)
	if errors.Is(err, domain.ErrInvalid) {
		return web.FieldError("month", "invalid_value", "%s", err.Error())
	}
	if err != nil {
		return err
	}
	read, err := s.store.ReadBilling(r.Context(), st.Tenant.ID, m)
	if err != nil {
		return err
	}
	prices := domain.Prices()
	resp := NewBillingResponse(loc.String(), domain.EstimateCost(read.BillingUsage, prices, ""), read.BillingUsage, prices)
	if format == "csv" {
		b := billingCSV(resp)
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="lembra-custos-%s.csv"`, resp.Month))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(b)
		return nil
	}
	web.WriteJSON(w, http.StatusOK, resp)
	return nil
}

// BillingResponse is the answer of GET /v1/staff/billing.
type BillingResponse struct {
	Month    string `json:"month"` // yyyy-mm
	From     string `json:"from"`
	To       string `json:"to"`
	TimeZone string `json:"time_zone"`
	Market   string `json:"market"`
	// Currency is the price table's for the market (ISO 4217).
	Currency   string            `json:"currency"`
	PriceTable BillingPriceTable `json:"price_table"`
	Categories []BillingCategory `json:"categories"`
	Billable   int               `json:"billable"`
	Free       int               `json:"free"`
	// Conversations counted under conversation-based pricing (already in the categories).
	Conversations int `json:"conversations"`
	// Estimate is the sum of the priced categories' costs; Unpriced counts the charged
	// messages of categories the table has no rate for (not in Estimate).
	Estimate float64 `json:"estimate"`
	Unpriced int     `json:"unpriced"`
}

// BillingPriceTable says which rates the estimate used.
type BillingPriceTable struct {
	Effective string `json:"effective"` // yyyy-mm-dd
	Source    string `json:"source"`
	Confirmed bool   `json:"confirmed"` // the rates were read from Meta's own rate card
	Note      string `json:"note"`
}

// BillingCategory is one category's month.
type BillingCategory struct {
	Category string `json:"category"`
	Label    string `json:"label"` // Portuguese
	Billable int    `json:"billable"`
	Free     int    `json:"free"`
	Priced   bool   `json:"priced"`
	// Rate per charged message and Estimate (Billable × Rate), absent when not priced.
	Rate     *float64 `json:"rate,omitempty"`
	Estimate *float64 `json:"estimate,omitempty"`

	rate, cost domain.Micros // exact, for the CSV
}

// NewBillingResponse builds the answer from a month's usage priced as e.
func NewBillingResponse(zone string, e domain.Estimate, u domain.BillingUsage, t domain.PriceTable) BillingResponse {
	resp := BillingResponse{
		Month: u.Month.String(), From: u.Month.First(), To: u.Month.Last(), TimeZone: zone,
		Market: e.Market, Currency: e.Rates.Currency,
		PriceTable: BillingPriceTable{Effective: t.Effective, Source: t.Source, Confirmed: e.Rates.Confirmed, Note: e.Rates.Note},
		Categories: []BillingCategory{}, Billable: int(e.Billable), Free: int(e.Free), Conversations: int(u.Conversations),
		Estimate: e.Cost.Float(), Unpriced: int(e.Unpriced),
	}
	for _, c := range e.Categories {
		row := BillingCategory{Category: c.Category, Label: ptbr.BillingCategory(c.Category), Billable: int(c.Billable), Free: int(c.Free), Priced: c.Priced, rate: c.Rate, cost: c.Cost}
		if c.Priced {
			rate, cost := c.Rate.Float(), c.Cost.Float()
			row.Rate, row.Estimate = &rate, &cost
		}
		resp.Categories = append(resp.Categories, row)
	}
	return resp
}

// billingCSV is the month for billing: UTF-8 with a byte-order mark (so spreadsheets
// read the accents), ";" between fields and a decimal comma (pt-BR), Portuguese
// headers, one row per category and a total row; rates with 4 decimals, costs with 2.
func billingCSV(resp BillingResponse) []byte {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	cw := csv.NewWriter(&buf)
	cw.Comma = ';'
	table := resp.PriceTable.Effective
	if !resp.PriceTable.Confirmed {
		table += " (valores não confirmados)"
	}
	cur := resp.Currency
	_ = cw.Write([]string{"Mês", "Categoria", "Código", "Cobradas", "Gratuitas",
		"Preço por mensagem (" + cur + ")", "Custo estimado (" + cur + ")", "Tabela de preços"})
	var total domain.Micros
	for _, c := range resp.Categories {
		rate, cost := "sem preço", ""
		if c.Priced {
			rate, cost = c.rate.Decimal(4, ","), c.cost.Decimal(2, ",")
			total += c.cost
		}
		_ = cw.Write([]string{resp.Month, c.Label, c.Category, strconv.Itoa(c.Billable), strconv.Itoa(c.Free), rate, cost, table})
	}
	_ = cw.Write([]string{resp.Month, "Total", "", strconv.Itoa(resp.Billable), strconv.Itoa(resp.Free), "", total.Decimal(2, ","), table})
	cw.Flush()
	return buf.Bytes()
}
