package domain

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// The price table (billing_prices.json, embedded): Meta's rate per delivered message
// for each market and category, date-stamped with its public source. Meta prices by the
// recipient's country calling code; a studio's clients are in its own market, Brazil
// by default, so a tenant's month is priced at its market's rates.
//
//go:embed billing_prices.json
var priceTableJSON []byte

// PriceTable is the configured table.
type PriceTable struct {
	Effective     string                 `json:"effective"` // yyyy-mm-dd
	Source        string                 `json:"source"`
	DefaultMarket string                 `json:"default_market"`
	Markets       map[string]MarketRates `json:"markets"`
}

// MarketRates are one market's rates, as decimal strings per message in Currency.
type MarketRates struct {
	Name      string            `json:"name"`
	Currency  string            `json:"currency"`
	Confirmed bool              `json:"confirmed"` // read from Meta's own rate card
	Note      string            `json:"note"`
	Rates     map[string]string `json:"rates"`
}

var (
	ratePattern     = regexp.MustCompile(`^\d{1,6}(\.\d{1,6})?$`)
	currencyPattern = regexp.MustCompile(`^[A-Z]{3}$`)
	datePattern     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

// ParsePriceTable reads and checks a table: a date, a source URL, a default market
// that exists, each market with an ISO 4217 currency and rates that are decimals of at
// most 6 places for known categories (BillingCategory).
func ParsePriceTable(b []byte) (PriceTable, error) {
	var t PriceTable
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		return PriceTable{}, fmt.Errorf("price table: %w", err)
	}
	switch {
	case !datePattern.MatchString(t.Effective):
		return PriceTable{}, fmt.Errorf("price table: effective %q is not yyyy-mm-dd", t.Effective)
	case !strings.HasPrefix(t.Source, "https://"):
		return PriceTable{}, fmt.Errorf("price table: source %q is not an https URL", t.Source)
	}
	if _, ok := t.Markets[t.DefaultMarket]; !ok {
		return PriceTable{}, fmt.Errorf("price table: default market %q has no rates", t.DefaultMarket)
	}
	for code, m := range t.Markets {
		if !currencyPattern.MatchString(m.Currency) {
			return PriceTable{}, fmt.Errorf("price table: market %s: currency %q", code, m.Currency)
		}
		for c, r := range m.Rates {
			if BillingCategory(c) != c {
				return PriceTable{}, fmt.Errorf("price table: market %s: category %q", code, c)
			}
			if !ratePattern.MatchString(r) {
				return PriceTable{}, fmt.Errorf("price table: market %s: rate %q of %s is not a decimal", code, r, c)
			}
		}
	}
	return t, nil
}

// Prices is the configured table (billing_prices.json; its test checks it parses),
// parsed once per process. Callers read it and never change it (its maps are shared).
var Prices = sync.OnceValue(func() PriceTable {
	t, err := ParsePriceTable(priceTableJSON)
	if err != nil {
		panic(err) // the embedded file is checked by its test
	}
	return t
})

// Market is a market's rates; "" or an unknown market is the default market's.
func (t PriceTable) Market(code string) (string, MarketRates) {
	if m, ok := t.Markets[code]; ok {
		return code, m
	}
	return t.DefaultMarket, t.Markets[t.DefaultMarket]
}

// Micros is an amount in millionths of a currency unit (exact for rates of up to 6
// decimal places).
type Micros int64

// ParseMicros reads a decimal of at most 6 places.
func ParseMicros(s string) (Micros, error) {
	if !ratePattern.MatchString(s) {
		return 0, fmt.Errorf("%w: %q is not a decimal of at most 6 places", ErrInvalid, s)
	}
	whole, frac, _ := strings.Cut(s, ".")
	w, _ := strconv.ParseInt(whole, 10, 64)
	f, _ := strconv.ParseInt((frac + "000000")[:6], 10, 64)
	return Micros(w*1_000_000 + f), nil
}

// Decimal writes m with places decimals (rounded half up) and sep as the decimal
// separator ("." or "," for pt-BR).
func (m Micros) Decimal(places int, sep string) string {
	neg := m < 0
	if neg {
		m = -m
	}
	unit := int64(1)
	for range 6 - places {
		unit *= 10
	}
	v := (int64(m) + unit/2) / unit
	scale := int64(1)
	for range places {
		scale *= 10
	}
	s := strconv.FormatInt(v/scale, 10)
	if places > 0 {
		s += sep + fmt.Sprintf("%0*d", places, v%scale)
	}
	if neg {
		s = "-" + s
	}
	return s
}

// Float is m in currency units.
func (m Micros) Float() float64 { return float64(m) / 1e6 }

// CategoryEstimate is a category's month priced.
type CategoryEstimate struct {
	CategoryUsage
	Priced bool   // the market has a rate for the category
	Rate   Micros // per charged message
	Cost   Micros // Billable × Rate
}

// Estimate is a month's usage priced at a market's rates.
type Estimate struct {
	Market     string
	Rates      MarketRates
	Categories []CategoryEstimate
	Billable   int64
	Free       int64
	Cost       Micros
	// Unpriced counts charged messages of categories the market has no rate for
	// (not in Cost).
	Unpriced int64
}

// EstimateCost prices usage u at market's rates (the default market for ""): each
// category's cost is its charged count times its rate; free messages cost nothing; a
// category without a rate is listed unpriced and left out of the total.
func EstimateCost(u BillingUsage, t PriceTable, market string) Estimate {
	code, m := t.Market(market)
	e := Estimate{Market: code, Rates: m}
	for _, c := range u.Categories {
		ce := CategoryEstimate{CategoryUsage: c}
		if r, ok := m.Rates[c.Category]; ok {
			rate, err := ParseMicros(r)
			if err == nil {
				ce.Priced, ce.Rate, ce.Cost = true, rate, rate*Micros(c.Billable)
			}
		}
		e.Billable += c.Billable
		e.Free += c.Free
		if ce.Priced {
			e.Cost += ce.Cost
		} else {
			e.Unpriced += c.Billable
		}
		e.Categories = append(e.Categories, ce)
	}
	return e
}
