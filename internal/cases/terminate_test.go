package cases_test

import (
	"testing"

	"onestop/internal/apperr"
	"onestop/internal/cases"
)

// TestTerminateByRule: only the engine ends a case by rule, never without
// a reason, and the ended case is closed, its pause closed, the applicant
// told, and the record still verifies.
func TestTerminateByRule(t *testing.T) {
	w := newWorld(t)
	w.actors["system"] = cases.SystemActor
	c := w.submit("T-001", 1, 2)
	c = w.act("clerk", c.No, cases.ActAccept, cases.Input{})
	c = w.act("reviewer", c.No, cases.ActSuspend, cases.Input{PauseReason: "expert_review", ExpectedDays: 3})
	w.refused("clerk", c.No, cases.ActTerminate, cases.Input{Reason: "x"}, apperr.Forbidden, "case.not_your_step")
	w.refused("applicant", c.No, cases.ActTerminate, cases.Input{Reason: "x"}, apperr.Forbidden, "case.not_your_step")
	w.refused("system", c.No, cases.ActTerminate, cases.Input{}, apperr.Invalid, "error.required")
	c = w.act("system", c.No, cases.ActTerminate, cases.Input{Reason: "逾期未补齐容缺材料"})
	if c.State != cases.Terminated || c.Open() || c.Paused {
		t.Fatalf("state %s open %v paused %v", c.State, c.Open(), c.Paused)
	}
	for _, p := range c.Pauses {
		if p.To == nil {
			t.Fatal("a pause stayed open on an ended case")
		}
	}
	if m := c.Messages; len(m) == 0 || m[len(m)-1].Text != "case.msg.terminated" {
		t.Fatalf("applicant not told: %+v", m)
	}
	w.refused("system", c.No, cases.ActTerminate, cases.Input{Reason: "again"}, apperr.Conflict, "case.invalid_transition")
	w.verify()
}
