package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/domain"
)

// The client's opt-out is written to her ledger and the tenant's set together, once
// per message, ordered by the messages' times; the owner's change carries its audit.
func TestChangeClientOptOut(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	if err := s.PutTenant(ctx, tenant("oo", "333", "waba-oo")); err != nil {
		t.Fatal(err)
	}
	const waID = "5511987654321"
	stop := domain.OptOut{Active: true, At: t0, InboundID: "wamid.P", Keyword: "PARAR"}
	resume := domain.OptOut{At: t0.Add(time.Minute), InboundID: "wamid.V", Keyword: "VOLTAR"}
	steps := []struct {
		name        string
		c           OptOutChange
		wantChanged bool
		wantActive  bool
	}{
		{"PARAR", OptOutChange{Identity: waID, Next: stop}, true, true},
		{"PARAR redelivered", OptOutChange{Identity: waID, Next: stop}, false, true},
		{"VOLTAR", OptOutChange{Identity: waID, Next: resume}, true, false},
		{"a late redelivery of PARAR", OptOutChange{Identity: waID, Next: stop}, false, false},
		{"PARAR again, later", OptOutChange{Identity: waID, Next: domain.OptOut{Active: true, At: t0.Add(time.Hour), InboundID: "wamid.P2"}}, true, true},
		{"the owner resumes", OptOutChange{Identity: waID, Next: domain.OptOut{At: t0.Add(2 * time.Hour), By: "jana@x", Reason: "pediu"},
			Audit: &SettingsAudit{At: t0.Add(2 * time.Hour), By: "jana@x", Field: "client_opt_out", Old: "descadastrado", New: "retomado"}, RequireActive: true}, true, false},
	}
	for _, st := range steps {
		out, changed, err := s.ChangeClientOptOut(ctx, "oo", st.c)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		ten, _ := s.GetTenant(ctx, "oo")
		conv, _ := s.GetConversation(ctx, "oo", waID)
		if changed != st.wantChanged || (out != nil && out.Active) != st.wantActive || ten.ClientOptedOut(waID) != st.wantActive || conv.OptedOut() != st.wantActive {
			t.Errorf("%s: changed %v out %+v; tenant %v ledger %v", st.name, changed, out, ten.ClientOptedOut(waID), conv.OptedOut())
		}
	}
	hist, _, err := s.SettingsHistory(ctx, "oo", "", 10)
	if err != nil || len(hist) != 1 || hist[0].Field != "client_opt_out" {
		t.Errorf("history %+v %v", hist, err)
	}
	// VOLTAR from a client who never opted out writes nothing.
	if _, changed, err := s.ChangeClientOptOut(ctx, "oo", OptOutChange{Identity: "5511900000000", Next: resume}); err != nil || changed {
		t.Errorf("resume of a stranger: %v %v", changed, err)
	}
	if _, err := s.GetConversation(ctx, "oo", "5511900000000"); err == nil {
		t.Error("a ledger was created for a client who never wrote")
	}
	// The owner's resume requires an active opt-out, in the transaction: refused for a
	// stranger and for a client already resumed, writing nothing.
	before, _, _ := s.SettingsHistory(ctx, "oo", "", 10)
	for _, id := range []string{"5511900000000", waID} {
		if _, _, err := s.ChangeClientOptOut(ctx, "oo", OptOutChange{Identity: id, Next: resume, RequireActive: true,
			Audit: &SettingsAudit{At: t0, By: "dona@studio", Field: "client_opt_out"}}); !errors.Is(err, ErrNotOptedOut) {
			t.Errorf("owner's resume of %s, not opted out: %v", id, err)
		}
	}
	if after, _, _ := s.SettingsHistory(ctx, "oo", "", 10); len(after) != len(before) {
		t.Errorf("a refused resume wrote history: %d entries, were %d", len(after), len(before))
	}
}
