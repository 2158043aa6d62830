package anomaly_test

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"onestop/internal/cases"
)

// The engine refuses a wrong role, an action out of order, a decision
// without review, a change after completion, a second notice about an
// unchanged material, an extension without a reason and a fee off the
// catalogue before anything is written. These tests therefore build each
// case through the real engine and then write the offending event the way
// a bulk load, a restore or a direct write would (world.forge: the chain
// rechained with cases.HashEvent). The replay (anomaly.Scan) must raise
// what the witness would have raised, once however often it runs, and the
// engine's own sequences must raise none of it.

// noneOf fails when the case has any of the rules raised.
func noneOf(t *testing.T, got map[string][]raised, rules ...string) {
	t.Helper()
	for _, r := range rules {
		if len(got[r]) > 0 {
			t.Fatalf("%s raised on a sequence the engine allows: %+v", r, got[r])
		}
	}
}

var procedure = []string{"P01", "P02", "P03", "P04", "P05", "P06", "F01", "F02"}

// scanTwice replays the record twice; the second raises nothing.
func scanTwice(t *testing.T, w *world) {
	t.Helper()
	w.scan()
	if res := w.scan(); res.Raised != 0 {
		t.Fatalf("second replay raised %d", res.Raised)
	}
	w.counted()
}

func onlyFinding(t *testing.T, got map[string][]raised, rule string, seq int) raised {
	t.Helper()
	if len(got[rule]) != 1 || got[rule][0].Fact != strconv.Itoa(seq) || len(got[rule][0].Events) == 0 || got[rule][0].Events[len(got[rule][0].Events)-1] != seq {
		t.Fatalf("%s: want one finding on event %d, got %+v", rule, seq, got)
	}
	return got[rule][0]
}

// P01: a second supplement notice naming a material the applicant has not
// changed since the first. A second notice about what did change (the
// engine allows it) is not an anomaly.
func TestSecondNoticeUnchanged(t *testing.T) {
	w := newWorld(t)
	c := w.submit("T-001")
	notice := []cases.MaterialChange{{Seq: 1, Status: "missing", Note: "缺申请表"}, {Seq: 2, Status: "missing", Note: "缺身份证件"}}
	w.act("clerk", c.No, cases.ActSupplement, cases.Input{Materials: notice})
	w.set(w.clock().Add(time.Hour))
	w.act("applicant", c.No, cases.ActResubmit, cases.Input{Materials: []cases.MaterialChange{{Seq: 1, Paper: true}}})
	w.set(w.clock().Add(time.Hour))
	// Allowed: the changed material is found defective.
	w.act("clerk", c.No, cases.ActSupplement, cases.Input{Materials: []cases.MaterialChange{{Seq: 1, Status: "defective", Note: "未签字"}}})
	w.scan()
	noneOf(t, w.raised(c.No), procedure...)

	w.set(w.clock().Add(time.Hour))
	w.act("applicant", c.No, cases.ActResubmit, cases.Input{Materials: []cases.MaterialChange{{Seq: 1, Paper: true}}})
	// Forged: a third notice naming 身份证件, unchanged since the first.
	w.forge(c.No, func(evs []cases.Event) []cases.Event {
		return append(evs, w.event("clerk", cases.ActSupplement, w.clock().Add(time.Hour), map[string]any{
			"materials": []map[string]any{{"seq": 2, "name": "身份证件", "status": "missing", "note": "再次告知"}}}, map[string]string{"state": cases.Supplement}))
	})
	scanTwice(t, w)
	f := onlyFinding(t, w.raised(c.No), "P01", 6)
	if f.Events[0] != 4 || f.Detail["materials"].([]any)[0] != "身份证件" {
		t.Fatalf("P01 names %+v", f)
	}
	noneOf(t, w.raised(c.No), "P02", "P03", "P05")
}

// P02: a clerk forwards the review step (the reviewer's); P03: an approval
// recorded on a case never accepted.
func TestWrongRoleAndOutOfOrder(t *testing.T) {
	w := newWorld(t)
	c := w.submit("T-001", 1, 2)
	w.act("clerk", c.No, cases.ActAccept, cases.Input{})
	d := w.submit("T-001", 1, 2)
	w.scan()
	noneOf(t, w.raised(c.No), procedure...)

	w.forge(c.No, func(evs []cases.Event) []cases.Event {
		return append(evs, w.event("clerk", cases.ActForward, w.clock(), map[string]any{"opinion": "同意"}, map[string]string{"step": "2", "step_role": "approver"}))
	})
	w.forge(d.No, func(evs []cases.Event) []cases.Event {
		return append(evs, w.event("approver", cases.ActApprove, w.clock(), nil, map[string]string{"state": cases.Approved, "decision": "approved"}))
	})
	scanTwice(t, w)
	f := onlyFinding(t, w.raised(c.No), "P02", 3)
	if f.Detail["refusal"] != "case.not_your_step" || f.Detail["role"] != "clerk" {
		t.Fatalf("P02 detail %+v", f.Detail)
	}
	noneOf(t, w.raised(c.No), "P03", "P05")
	g := onlyFinding(t, w.raised(d.No), "P03", 2)
	if g.Detail["refusal"] != "case.invalid_transition" {
		t.Fatalf("P03 detail %+v", g.Detail)
	}
	noneOf(t, w.raised(d.No), "P02", "P05")
}

// P04: the acceptance's record put the case straight at the decision step
// (审核决定) and the approver approved: no review (审查) happened.
func TestDecisionWithoutReview(t *testing.T) {
	w := newWorld(t)
	c := w.submit("T-001", 1, 2)
	w.act("clerk", c.No, cases.ActAccept, cases.Input{})
	w.forge(c.No, func(evs []cases.Event) []cases.Event {
		setRecord(t, &evs[1], map[string]string{"step": "2", "step_role": "approver", "assignee_id": ""})
		return append(evs, w.event("approver", cases.ActApprove, w.clock(), nil, map[string]string{"state": cases.Approved, "decision": "approved"}))
	})
	scanTwice(t, w)
	f := onlyFinding(t, w.raised(c.No), "P04", 3)
	if f.Detail["required"] != float64(1) || f.Detail["forwards"] != float64(0) {
		t.Fatalf("P04 detail %+v", f.Detail)
	}
	noneOf(t, w.raised(c.No), "P02", "P03", "P05")

	// The engine's own sequence (review, then decision) raises nothing.
	d := w.submit("T-001", 1, 2)
	w.decided(d.No)
	w.scan()
	noneOf(t, w.raised(d.No), procedure...)
}

// P05: a refusal recorded on a case already delivered.
func TestChangedAfterCompletion(t *testing.T) {
	w := newWorld(t)
	c := w.submit("T-001", 1, 2)
	w.decided(c.No)
	w.scan()
	noneOf(t, w.raised(c.No), procedure...)
	w.forge(c.No, func(evs []cases.Event) []cases.Event {
		return append(evs, w.event("approver", cases.ActRefuse, w.clock().Add(time.Hour), map[string]any{"reason": "改判"},
			map[string]string{"state": cases.Refused, "decision": "refused"}))
	})
	scanTwice(t, w)
	f := onlyFinding(t, w.raised(c.No), "P05", 7)
	if f.Detail["state"] != cases.Delivered {
		t.Fatalf("P05 detail %+v", f.Detail)
	}
	noneOf(t, w.raised(c.No), "P02", "P03")
}

// P06: an extension recorded without a reason, and a suspension by a clerk
// without its expected length. The engine's extension (approver, reason)
// raises nothing.
func TestExtensionAndSuspensionWithoutGrounds(t *testing.T) {
	w := newWorld(t)
	c := w.submit("T-001", 1, 2)
	w.act("clerk", c.No, cases.ActAccept, cases.Input{})
	w.act("approver", c.No, cases.ActExtend, cases.Input{Days: 5, Reason: "需现场核查"})
	w.scan()
	noneOf(t, w.raised(c.No), procedure...)

	d := w.submit("T-001", 1, 2)
	w.act("clerk", d.No, cases.ActAccept, cases.Input{})
	w.forge(d.No, func(evs []cases.Event) []cases.Event {
		evs = append(evs, w.event("approver", cases.ActExtend, w.clock(), map[string]any{"days": 5}, map[string]string{"extension_days": "5"}))
		return append(evs, w.event("clerk", cases.ActSuspend, w.clock(), map[string]any{"pause_reason": "inspection"}, map[string]string{"paused": "true"}))
	})
	scanTwice(t, w)
	got := w.raised(d.No)
	if len(got["P06"]) != 2 {
		t.Fatalf("P06: %+v", got)
	}
	ext, sus := got["P06"][0], got["P06"][1]
	if ext.Fact != "3" || !has(ext.Detail["missing"], "reason") || has(ext.Detail["missing"], "sign_off") {
		t.Fatalf("extension: %+v", ext)
	}
	if sus.Fact != "4" || !has(sus.Detail["missing"], "expected_days") || !has(sus.Detail["missing"], "sign_off") {
		t.Fatalf("suspension: %+v", sus)
	}
	noneOf(t, got, "P02", "P03")
}

func has(list any, s string) bool {
	l, _ := list.([]any)
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// F01, F02: the submission's record carries a fee other than the item's
// standard (¥10.00 on T-004) or a fee on a free item (T-001). What the
// engine records (the standard, copied at submission) raises nothing.
func TestFees(t *testing.T) {
	w := newWorld(t)
	paid := w.submit("T-004", 1, 2)
	free := w.submit("T-001", 1, 2)
	w.scan()
	noneOf(t, w.raised(paid.No), procedure...)
	noneOf(t, w.raised(free.No), procedure...)
	var standard struct {
		Record struct {
			Row map[string]string `json:"row"`
		} `json:"record"`
	}
	w.forge(paid.No, func(evs []cases.Event) []cases.Event {
		if err := json.Unmarshal(evs[0].Payload, &standard); err != nil || standard.Record.Row["fees_fen"] != "1000" {
			t.Fatalf("the engine recorded %v at submission (%v)", standard.Record.Row["fees_fen"], err)
		}
		setRecord(t, &evs[0], map[string]string{"fees_fen": "1500"})
		return evs
	})
	w.forge(free.No, func(evs []cases.Event) []cases.Event {
		setRecord(t, &evs[0], map[string]string{"fees_fen": "800"})
		return evs
	})
	scanTwice(t, w)
	got := w.raised(paid.No)
	if len(got["F01"]) != 1 || got["F01"][0].Fact != "fen:1500" || got["F01"][0].Detail["standard_fen"] != float64(1000) {
		t.Fatalf("F01: %+v", got)
	}
	noneOf(t, got, "F02")
	got = w.raised(free.No)
	if len(got["F02"]) != 1 || got["F02"][0].Fact != "fen:800" {
		t.Fatalf("F02: %+v", got)
	}
	noneOf(t, got, "F01")
}
