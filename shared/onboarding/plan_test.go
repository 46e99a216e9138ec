package onboarding

import (
	"testing"
	"time"
)

func TestPlan(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	done := func(names ...string) map[string]StepRecord {
		m := map[string]StepRecord{}
		for _, n := range names {
			m[n] = StepRecord{Name: n, Status: StatusDone, At: t0}
		}
		return m
	}
	with := func(m map[string]StepRecord, rec StepRecord) map[string]StepRecord {
		rec.At = t0
		m[rec.Name] = rec
		return m
	}
	upToAssets := []string{StepExchangeCode, StepStoreToken, StepFindAssets, StepIndex}
	cases := []struct {
		name string
		s    State
		want Decision
	}{
		{"fresh attempt exchanges the code", State{Now: t0}, Decision{Action: ActionRun, Step: StepExchangeCode}},
		{"after the exchange the token is stored", State{Steps: done(StepExchangeCode), Now: t0}, Decision{Action: ActionRun, Step: StepStoreToken}},
		{"failed exchange stops: codes are single-use", State{Steps: with(done(), StepRecord{Name: StepExchangeCode, Status: StatusFailed}), Now: t0},
			Decision{Action: ActionStop, Step: StepExchangeCode, Reason: ReasonCodeUsed}},
		{"failed store stops: the token is gone", State{Steps: with(done(StepExchangeCode), StepRecord{Name: StepStoreToken, Status: StatusFailed}), Now: t0},
			Decision{Action: ActionStop, Step: StepStoreToken, Reason: ReasonCodeUsed}},
		{"failed subscribe is retried, done steps are not", State{Steps: with(done(upToAssets...), StepRecord{Name: StepSubscribeApp, Status: StatusFailed, Error: "x"}), Now: t0},
			Decision{Action: ActionRun, Step: StepSubscribeApp}},
		{"normal number registers", State{Steps: done(append(upToAssets, StepSubscribeApp)...), Now: t0}, Decision{Action: ActionRun, Step: StepRegister}},
		{"coexistence number skips register", State{Coexistence: true, Steps: done(append(upToAssets, StepSubscribeApp)...), Now: t0},
			Decision{Action: ActionSkip, Step: StepRegister, Reason: ReasonCoexistenceRegister}},
		{"normal number skips the syncs", State{Steps: done(append(upToAssets, StepSubscribeApp, StepRegister)...), Now: t0},
			Decision{Action: ActionSkip, Step: StepSyncContacts, Reason: ReasonNotCoexistence}},
		{"coexistence syncs contacts first", State{Coexistence: true, Steps: with(done(append(upToAssets, StepSubscribeApp)...), StepRecord{Name: StepRegister, Status: StatusSkipped}), Now: t0},
			Decision{Action: ActionRun, Step: StepSyncContacts}},
		{"coexistence then history", State{Coexistence: true, Steps: with(done(append(upToAssets, StepSubscribeApp, StepSyncContacts)...), StepRecord{Name: StepRegister, Status: StatusSkipped}), Now: t0},
			Decision{Action: ActionRun, Step: StepSyncHistory}},
		{"failed history sync retried within 24 h", State{Coexistence: true,
			Steps: with(with(done(append(upToAssets, StepSubscribeApp, StepSyncContacts)...), StepRecord{Name: StepRegister, Status: StatusSkipped}), StepRecord{Name: StepSyncHistory, Status: StatusFailed}),
			Now:   t0.Add(23 * time.Hour)}, Decision{Action: ActionRun, Step: StepSyncHistory}},
		{"history sync after 24 h stops", State{Coexistence: true,
			Steps: with(done(append(upToAssets, StepSubscribeApp, StepSyncContacts)...), StepRecord{Name: StepRegister, Status: StatusSkipped}),
			Now:   t0.Add(25 * time.Hour)}, Decision{Action: ActionStop, Step: StepSyncHistory, Reason: ReasonSyncWindow}},
		{"templates after register", State{Steps: with(with(done(append(upToAssets, StepSubscribeApp, StepRegister)...), StepRecord{Name: StepSyncContacts, Status: StatusSkipped}), StepRecord{Name: StepSyncHistory, Status: StatusSkipped}), Now: t0},
			Decision{Action: ActionRun, Step: StepTemplates}},
		{"the index follows the assets, before anything is subscribed", State{Steps: done(StepExchangeCode, StepStoreToken, StepFindAssets), Now: t0},
			Decision{Action: ActionRun, Step: StepIndex}},
		{"index refused permanently stops with its reason, nothing subscribed", State{Steps: with(done(StepExchangeCode, StepStoreToken, StepFindAssets),
			StepRecord{Name: StepIndex, Status: StatusFailed, Permanent: true, Error: "número de outro estúdio"}), Now: t0},
			Decision{Action: ActionStop, Step: StepIndex, Reason: "número de outro estúdio"}},
		{"failed index is retried", State{Steps: with(done(StepExchangeCode, StepStoreToken, StepFindAssets),
			StepRecord{Name: StepIndex, Status: StatusFailed, Error: "x"}), Now: t0},
			Decision{Action: ActionRun, Step: StepIndex}},
		{"activate after the templates", State{Steps: with(with(done(append(upToAssets, StepSubscribeApp, StepRegister, StepTemplates)...), StepRecord{Name: StepSyncContacts, Status: StatusSkipped}), StepRecord{Name: StepSyncHistory, Status: StatusSkipped}), Now: t0},
			Decision{Action: ActionRun, Step: StepActivate}},
		{"failed activate is retried", State{Steps: with(with(with(done(append(upToAssets, StepSubscribeApp, StepRegister, StepTemplates)...), StepRecord{Name: StepSyncContacts, Status: StatusSkipped}), StepRecord{Name: StepSyncHistory, Status: StatusSkipped}),
			StepRecord{Name: StepActivate, Status: StatusFailed, Error: "x"}), Now: t0},
			Decision{Action: ActionRun, Step: StepActivate}},
		{"all done completes", State{Steps: done(Steps...), Now: t0}, Decision{Action: ActionComplete}},
		{"halted by the owner's disconnection stops, even with a step to retry", State{Halt: ReasonOwnerDisconnected,
			Steps: with(done(upToAssets...), StepRecord{Name: StepSubscribeApp, Status: StatusFailed, Error: "x"}), Now: t0},
			Decision{Action: ActionStop, Reason: ReasonOwnerDisconnected}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Plan(c.s); got != c.want {
				t.Errorf("Plan = %+v, want %+v", got, c.want)
			}
		})
	}
}

// TestStopForOwnerDisconnection: the owner's disconnection stops every open attempt
// (failed, running) with its Portuguese reason, and Plan stops it from then on; a
// complete or already stopped attempt is left as it was.
func TestStopForOwnerDisconnection(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		outcome, reason string
		changed         bool
		wantReason      string
	}{
		{"failed", "a Meta não registrou o número", true, ReasonOwnerDisconnected},
		{"running", "", true, ReasonOwnerDisconnected},
		{"", "", true, ReasonOwnerDisconnected},
		{"complete", "", false, ""},
		{"stopped", ReasonSyncWindow, false, ReasonSyncWindow},
	}
	for _, c := range cases {
		a := &Attempt{Outcome: c.outcome, Reason: c.reason, RunningUntil: now.Add(time.Minute),
			Steps: map[string]StepRecord{StepSubscribeApp: {Name: StepSubscribeApp, Status: StatusFailed}}}
		if got := StopForOwnerDisconnection(a, now); got != c.changed {
			t.Errorf("%q: changed %v", c.outcome, got)
		}
		if a.Reason != c.wantReason {
			t.Errorf("%q: reason %q", c.outcome, a.Reason)
		}
		if c.changed {
			if a.Outcome != "stopped" || !a.RunningUntil.IsZero() {
				t.Errorf("%q: %+v", c.outcome, a)
			}
			if d := Plan(a.PlanState(now)); d.Action != ActionStop || d.Reason != ReasonOwnerDisconnected {
				t.Errorf("%q: Plan after the stop: %+v", c.outcome, d)
			}
		}
	}
}
