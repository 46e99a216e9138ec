package domain

import (
	"fmt"
	"testing"
	"time"
)

func TestMatchOptOut(t *testing.T) {
	custom := []string{"Não quero mais", "chega"}
	cases := []struct {
		text   string
		custom []string
		want   OptOutIntent
	}{
		{"PARAR", nil, OptOutStop},
		{"parar", nil, OptOutStop},
		{"Parar.", nil, OptOutStop},
		{"  PáRaR!!! ", nil, OptOutStop},
		{"parar 🙏", nil, OptOutStop},
		{"🛑 Stop", nil, OptOutStop},
		{"sair", nil, OptOutStop},
		{"Sáir?", nil, OptOutStop},
		{"cancelar mensagens", nil, OptOutStop},
		{"Cancelar   Mensagens!", nil, OptOutStop},
		{"cancelar-mensagens", nil, OptOutStop},
		{"\u200bPARAR\u200b", nil, OptOutStop}, // zero-width spaces around it
		{"PARAR\n", nil, OptOutStop},
		{"não quero parar", nil, OptOutNone},
		{"parar de mandar", nil, OptOutNone},
		{"Quero cancelar", nil, OptOutNone},
		{"cancelar", nil, OptOutNone}, // a client canceling her appointment is not opting out
		{"PARARR", nil, OptOutNone},
		{"stopp", nil, OptOutNone},
		{"", nil, OptOutNone},
		{"🙏🙏", nil, OptOutNone},
		{"voltar", nil, OptOutResume},
		{"Voltar!", nil, OptOutResume},
		{"VÓLTAR 😊", nil, OptOutResume},
		{"quero voltar", nil, OptOutNone},
		{"nao quero mais", custom, OptOutStop},
		{"CHEGA!", custom, OptOutStop},
		{"parar", custom, OptOutNone}, // a tenant's own list replaces the defaults
		{"voltar", custom, OptOutResume},
	}
	for _, c := range cases {
		if got := MatchOptOut(c.text, c.custom); got != c.want {
			t.Errorf("MatchOptOut(%q, %v) = %d, want %d", c.text, c.custom, got, c.want)
		}
	}
}

func TestNormalizeKeyword(t *testing.T) {
	for in, want := range map[string]string{
		"Cancelar mensagens": "CANCELAR MENSAGENS", " ção! ": "CAO", "a.b": "A B", "---": "", "Stop🛑now": "STOP NOW",
	} {
		if got := NormalizeKeyword(in); got != want {
			t.Errorf("NormalizeKeyword(%q) = %q, want %q", in, got, want)
		}
	}
	if got := OptOutKeywords([]string{"Parar", "parar!", " "}); len(got) != 1 || got[0] != "PARAR" {
		t.Errorf("OptOutKeywords dedupes and drops empty ones: %v", got)
	}
}

func TestOptOutKey(t *testing.T) {
	if OptOutKey("+55 11 98765-4321") != OptOutKey("5511987654321") || OptOutKey("") != "" || len(OptOutKey("+5511987654321")) != 16 {
		t.Errorf("keys: %q %q", OptOutKey("+55 11 98765-4321"), OptOutKey("5511987654321"))
	}
	if OptOutKey("551187654321") != OptOutKey("+5511987654321") || OptOutKey("551133334444") == OptOutKey("5511933334444") {
		t.Error("a Brazilian mobile's wa_id without the ninth digit is the same client; a landline is not")
	}
	if OptOutKey("+5511987654321") == OptOutKey("+5511987654322") {
		t.Error("two numbers, one key")
	}
}

func TestApplyOptOut(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	stop := OptOut{Active: true, At: t0, InboundID: "wamid.p", Keyword: "PARAR"}
	resume := OptOut{Active: false, At: t0.Add(time.Minute), InboundID: "wamid.v", Keyword: "VOLTAR"}
	cases := []struct {
		name        string
		cur         *OptOut
		next        OptOut
		wantActive  bool
		wantChanged bool
	}{
		{"first opt-out", nil, stop, true, true},
		{"the same message again (a redelivery)", &stop, stop, true, false},
		{"resume after it", &stop, resume, false, true},
		{"a late redelivery of PARAR after VOLTAR", &resume, stop, false, false},
		{"VOLTAR from a client who never opted out", nil, resume, false, false},
		{"the owner resumes", &stop, OptOut{At: t0.Add(time.Hour), By: "jana@x", Reason: "pediu por telefone"}, false, true},
	}
	for _, c := range cases {
		got, changed := ApplyOptOut(c.cur, c.next)
		if (got != nil && got.Active) != c.wantActive || changed != c.wantChanged {
			t.Errorf("%s: active %v changed %v, want %v %v", c.name, got.Active, changed, c.wantActive, c.wantChanged)
		}
	}
}

func TestTenantOptedOutSet(t *testing.T) {
	var ten Tenant
	if !ten.SetOptedOut("+5511987654321", true) || !ten.ClientOptedOut("5511987654321") || ten.SetOptedOut("+5511987654321", true) {
		t.Fatalf("add: %v", ten.OptedOut)
	}
	if ten.ClientOptedOut("+5511987654322") {
		t.Error("another client is opted out")
	}
	if !ten.SetOptedOut("+5511987654321", false) || ten.ClientOptedOut("+5511987654321") || ten.SetOptedOut("+5511987654321", false) {
		t.Fatalf("remove: %v", ten.OptedOut)
	}
	for i := range MaxOptedOut {
		ten.SetOptedOut(fmt.Sprintf("+55119%08d", i), true)
	}
	if len(ten.OptedOut) != MaxOptedOut || ten.OptOutOverflow {
		t.Fatalf("full: %d %v", len(ten.OptedOut), ten.OptOutOverflow)
	}
	if !ten.SetOptedOut("+5521999999999", true) || !ten.OptOutOverflow || len(ten.OptedOut) != MaxOptedOut || ten.ClientOptedOut("+5521999999999") {
		t.Fatalf("past the bound: %d %v", len(ten.OptedOut), ten.OptOutOverflow)
	}
}
