package onboarding

import (
	"regexp"
	"slices"
	"strings"

	"github.com/lembra-app/lembra/shared/domain"
)

// GraphTemplate is one template of GET /<WABA>/message_templates (the fields used
// here): https://developers.facebook.com/docs/graph-api/reference/whats-app-business-account/message_templates/
type GraphTemplate struct {
	Name       string `json:"name"`
	Language   string `json:"language"`
	Status     string `json:"status"`
	Category   string `json:"category"`
	Components []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"components"`
}

// Proposal is a template proposed for a job type, for the owner to confirm (never
// applied by the onboarding itself).
type Proposal struct {
	JobType  string `firestore:"job_type" json:"job_type"`
	Name     string `firestore:"name" json:"name"`
	Language string `firestore:"language" json:"language"`
}

// ProposalLanguage and ProposalBodyVariables: the notice and the reminder are sent in
// Portuguese (Brazil) with five body parameters (client, service, day, time, place).
const (
	ProposalLanguage      = "pt_BR"
	ProposalBodyVariables = 5
)

var placeholderRE = regexp.MustCompile(`\{\{\s*([^}\s]+)\s*\}\}`)

// BodyVariables counts the distinct {{n}} (or named {{x}}) variables of a template's body.
func BodyVariables(t GraphTemplate) int {
	for _, c := range t.Components {
		if strings.EqualFold(c.Type, "BODY") {
			seen := map[string]bool{}
			for _, m := range placeholderRE.FindAllStringSubmatch(c.Text, -1) {
				seen[m[1]] = true
			}
			return len(seen)
		}
	}
	return 0
}

// ProposeTemplates picks, for the notice (appointment_created) and the reminder, an
// approved pt_BR template with five body variables: the one whose name mentions the
// job (e.g. "lembrete", "reminder", "confirmacao", "aviso"), else the first usable
// one by name. A job type with no usable template gets no proposal.
func ProposeTemplates(list []GraphTemplate) []Proposal {
	var usable []GraphTemplate
	for _, t := range list {
		if strings.EqualFold(t.Status, "APPROVED") && t.Language == ProposalLanguage && BodyVariables(t) == ProposalBodyVariables {
			usable = append(usable, t)
		}
	}
	slices.SortFunc(usable, func(a, b GraphTemplate) int { return strings.Compare(a.Name, b.Name) })
	hints := []struct {
		job   domain.JobType
		words []string
	}{
		{domain.JobCreated, []string{"aviso", "confirmacao", "agendamento", "notice", "created"}},
		{domain.JobReminder, []string{"lembrete", "reminder", "24h"}},
	}
	var out []Proposal
	for _, h := range hints {
		pick := -1
		for i, t := range usable {
			if slices.ContainsFunc(h.words, func(w string) bool { return strings.Contains(strings.ToLower(t.Name), w) }) {
				pick = i
				break
			}
		}
		if pick < 0 && len(usable) > 0 {
			pick = 0
		}
		if pick >= 0 {
			out = append(out, Proposal{JobType: string(h.job), Name: usable[pick].Name, Language: usable[pick].Language})
		}
	}
	return out
}
