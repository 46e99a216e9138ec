package api

import (
	"github.com/lembra-app/lembra/shared/domain"
)

// OptOutSettings are the opt-out and window settings as GET /v1/staff/settings shows
// them (embedded in SettingsResponse).
type OptOutSettings struct {
	// OptOutKeywords are the words that stop the automatic messages (the studio's, or
	// the defaults when OptOutKeywordsDefault); ResumeKeyword resumes them (fixed).
	OptOutKeywords        []string `json:"opt_out_keywords"` // never null
	OptOutKeywordsDefault bool     `json:"opt_out_keywords_default"`
	ResumeKeyword         string   `json:"resume_keyword"`
	// StrictCancelWindow: only a client message about the appointment opens the
	// cancellation notice's window (the seed's rule); false: any message, as Meta counts.
	StrictCancelWindow bool `json:"strict_cancel_window"`
}

// NewOptOutSettings shows a tenant's opt-out and window settings.
func NewOptOutSettings(t *domain.Tenant) OptOutSettings {
	ks := append([]string{}, t.OptOutKeywords...)
	if len(ks) == 0 {
		ks = append(ks, domain.DefaultOptOutKeywords...)
	}
	return OptOutSettings{OptOutKeywords: ks, OptOutKeywordsDefault: len(t.OptOutKeywords) == 0,
		ResumeKeyword: domain.ResumeKeyword, StrictCancelWindow: t.StrictCancelWindow}
}
