package cases_test

import (
	"context"
	"sort"
	"testing"

	"onestop/internal/apperr"
	"onestop/internal/cases"
)

// validInput is an input each action accepts, so whatever the engine
// refuses is refused by the rules, not by the form.
var validInput = map[cases.Action]cases.Input{
	cases.ActSupplement: {Materials: []cases.MaterialChange{{Seq: 1, Status: "defective", Note: "复印件不清晰"}}},
	cases.ActDecline:    {Reason: "不属于本机关职权范围"},
	cases.ActResubmit:   {Materials: []cases.MaterialChange{{Seq: 1, Paper: true}}},
	cases.ActForward:    {Opinion: "材料齐全，拟同意。"},
	cases.ActRefuse:     {Reason: "不符合法定条件"},
	cases.ActSuspend:    {PauseReason: "expert_review", ExpectedDays: 3},
	cases.ActExtend:     {Days: 5, Reason: "情况复杂"},
	cases.ActDeliver:    {Delivery: "window"},
	cases.ActTerminate:  {Reason: "逾期未补齐容缺材料"},
}

// TestEngineAsksTheRules: for every situation, actor and action the engine
// refuses exactly what cases.Check refuses, with the same answer and
// nothing written, and carries out what it allows. So a rule changed in
// rules.go changes what the engine allows.
func TestEngineAsksTheRules(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	w.actors["system"] = cases.SystemActor
	situations := []struct {
		name  string
		steps []struct{ who, act string }
	}{
		{"received", nil},
		{"supplement", []struct{ who, act string }{{"clerk", cases.ActSupplement}}},
		{"review step", []struct{ who, act string }{{"clerk", cases.ActAccept}}},
		{"paused", []struct{ who, act string }{{"clerk", cases.ActAccept}, {"reviewer", cases.ActSuspend}}},
		{"decision step", []struct{ who, act string }{{"clerk", cases.ActAccept}, {"reviewer", cases.ActForward}}},
		{"approved", []struct{ who, act string }{{"clerk", cases.ActAccept}, {"reviewer", cases.ActForward}, {"approver", cases.ActApprove}}},
		{"completed", []struct{ who, act string }{{"clerk", cases.ActAccept}, {"reviewer", cases.ActForward}, {"approver", cases.ActApprove},
			{"clerk", cases.ActComplete}}},
	}
	build := func(steps []struct{ who, act string }) string {
		no := w.submit("T-001", 1, 2).No
		for _, s := range steps {
			w.act(s.who, no, s.act, validInput[cases.Action(s.act)])
		}
		return no
	}
	var who []string
	for n := range w.actors {
		who = append(who, n)
	}
	sort.Strings(who)
	allowedSeen := 0
	for _, sit := range situations {
		no := build(sit.steps)
		for _, act := range cases.Actions() {
			for _, name := range who {
				a := w.actors[name]
				c, err := w.eng.Get(ctx, a, no)
				if err != nil {
					// Out of scope: the engine answers "not found" too.
					if _, actErr := w.eng.Act(ctx, a, no, string(act), validInput[act]); apperr.As(actErr).Code != apperr.NotFound {
						t.Errorf("%s: %s by %s, who cannot see the case: %v", sit.name, act, name, actErr)
					}
					continue
				}
				want := cases.Check(c, a, act)
				if want == nil {
					// Carried out, on a case of its own in the same place.
					allowedSeen++
					fresh := build(sit.steps)
					if _, err := w.eng.Act(ctx, a, fresh, string(act), validInput[act]); err != nil {
						t.Errorf("%s: %s by %s: the rules allow it, the engine says %v", sit.name, act, name, err)
					}
					continue
				}
				_, err = w.eng.Act(ctx, a, no, string(act), validInput[act])
				wa, ga := apperr.As(want), apperr.As(err)
				if ga == nil || ga.Code != wa.Code || ga.Msg.Key != wa.Msg.Key {
					t.Errorf("%s: %s by %s: the rules say %v, the engine %v", sit.name, act, name, want, err)
				}
				if after, _ := w.eng.Get(ctx, a, no); after.Version != c.Version {
					t.Errorf("%s: %s by %s refused but wrote version %d", sit.name, act, name, after.Version)
				}
			}
		}
	}
	if allowedSeen < 20 {
		t.Errorf("only %d allowed pairs walked", allowedSeen)
	}
	w.verify()
}
