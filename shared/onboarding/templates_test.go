package onboarding

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestProposeTemplates(t *testing.T) {
	tpl := func(name, lang, status, body string) GraphTemplate {
		var g GraphTemplate
		raw := `{"name":"` + name + `","language":"` + lang + `","status":"` + status + `","components":[{"type":"BODY","text":"` + body + `"}]}`
		if err := json.Unmarshal([]byte(raw), &g); err != nil {
			t.Fatal(err)
		}
		return g
	}
	five := "Olá {{1}}, {{2}} em {{3}} às {{4}} em {{5}}."
	cases := []struct {
		name string
		list []GraphTemplate
		want []Proposal
	}{
		{"none", nil, nil},
		{"by name", []GraphTemplate{tpl("lembrete_v1", "pt_BR", "APPROVED", five), tpl("aviso_agendamento", "pt_BR", "APPROVED", five)},
			[]Proposal{{"appointment_created", "aviso_agendamento", "pt_BR"}, {"appointment_reminder", "lembrete_v1", "pt_BR"}}},
		{"unusable ones left out", []GraphTemplate{
			tpl("lembrete_pendente", "pt_BR", "PENDING", five), tpl("lembrete_en", "en_US", "APPROVED", five),
			tpl("lembrete_quatro", "pt_BR", "APPROVED", "{{1}} {{2}} {{3}} {{4}}"), tpl("geral", "pt_BR", "APPROVED", five)},
			[]Proposal{{"appointment_created", "geral", "pt_BR"}, {"appointment_reminder", "geral", "pt_BR"}}},
		{"the local stack's names", []GraphTemplate{tpl("confirmacao_de_agendamento_24h", "pt_BR", "APPROVED", five), tpl("aviso_de_agendamento", "pt_BR", "APPROVED", five)},
			[]Proposal{{"appointment_created", "aviso_de_agendamento", "pt_BR"}, {"appointment_reminder", "confirmacao_de_agendamento_24h", "pt_BR"}}},
		{"a repeated variable counts once", []GraphTemplate{tpl("lembrete", "pt_BR", "APPROVED", "{{1}} {{1}} {{2}} {{3}} {{4}} {{5}}")},
			[]Proposal{{"appointment_created", "lembrete", "pt_BR"}, {"appointment_reminder", "lembrete", "pt_BR"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ProposeTemplates(c.list); !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}
