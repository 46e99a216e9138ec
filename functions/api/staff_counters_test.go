package api

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/lembra-app/lembra/shared/domain"
	"github.com/lembra-app/lembra/shared/ptbr"
	"github.com/lembra-app/lembra/shared/store"
)

func TestNewCountersResponse(t *testing.T) {
	c := store.CounterRead{From: "2026-11-25", To: "2026-12-01", Counters: domain.Counters{
		Sent: 10, Delivered: 9, Read: 4, Failed: 3, Skipped: 2, ButtonsDelivered: 3, ButtonReplies: 1,
		FailedByReason:  map[string]int64{domain.ReasonMetaError: 1, domain.ReasonTokenUnavailable: 2},
		SkippedByReason: map[string]int64{domain.ReasonKillSwitch: 1, domain.ReasonAppointmentGone: 1},
	}}
	got := NewCountersResponse(7, "America/Sao_Paulo", c)
	if got.Days != 7 || got.From != "2026-11-25" || got.To != "2026-12-01" || got.Sent != 10 || got.Delivered != 9 || got.Read != 4 {
		t.Errorf("%+v", got)
	}
	// Most frequent first, then by code; each with its Portuguese label.
	if f := got.Failed; f.Total != 3 || len(f.ByReason) != 2 || f.ByReason[0].Code != domain.ReasonTokenUnavailable || f.ByReason[0].Count != 2 ||
		f.ByReason[0].Label != ptbr.Reason(domain.ReasonTokenUnavailable).Text {
		t.Errorf("failed %+v", f)
	}
	if s := got.Skipped; s.Total != 2 || s.ByReason[0].Code != domain.ReasonAppointmentGone || s.ByReason[1].Code != domain.ReasonKillSwitch {
		t.Errorf("skipped %+v", s)
	}
	if got.ReplyRate == nil || *got.ReplyRate != 0.333 {
		t.Errorf("reply rate %v, want 0.333", got.ReplyRate)
	}
	// No message with buttons delivered: no rate, and the field is absent; empty lists
	// are lists.
	none := NewCountersResponse(30, "America/Sao_Paulo", store.CounterRead{Counters: domain.Counters{ButtonReplies: 2}})
	b, err := json.Marshal(none)
	if err != nil {
		t.Fatal(err)
	}
	if none.ReplyRate != nil || strings.Contains(string(b), "reply_rate") || !strings.Contains(string(b), `"by_reason":[]`) {
		t.Errorf("%s", b)
	}
	// A zero rate is a rate.
	zero := NewCountersResponse(7, "UTC", store.CounterRead{Counters: domain.Counters{ButtonsDelivered: 4}})
	if zero.ReplyRate == nil || *zero.ReplyRate != 0 {
		t.Errorf("zero rate %v", zero.ReplyRate)
	}
}
