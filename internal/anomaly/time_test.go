package anomaly_test

import (
	"context"
	"testing"

	"onestop/internal/anomaly"
	"onestop/internal/cases"
	"onestop/internal/clock"
)

// T01, T02, T03: a case accepted and left alone turns yellow on its
// promised deadline, red the day after, and passes its statutory limit —
// raised by the periodic sweep (nobody acts), once per deadline however
// often the sweep, the witness and the replay look again.
func TestLightsRaisedByTimeOnce(t *testing.T) {
	w := newWorld(t)
	c := w.submit("T-001", 1, 2)
	c = w.act("clerk", c.No, cases.ActAccept, cases.Input{})
	due, statutory := *c.Deadline, *c.StatutoryDeadline

	w.set(at(due).AddDate(0, 0, -7)) // a week before: green, nothing
	if n := w.sweep(); n != 0 {
		t.Fatalf("green case: sweep raised %d", n)
	}
	w.set(at(due))
	if n := w.sweep(); n != 1 {
		t.Fatalf("deadline day: sweep raised %d, want 1 (yellow)", n)
	}
	got := w.raised(c.No)
	if len(got["T01"]) != 1 || got["T01"][0].Fact != due.String() || got["T01"][0].Severity != "info" {
		t.Fatalf("yellow: %+v", got)
	}
	if n := w.sweep(); n != 0 {
		t.Fatalf("second sweep on the same day raised %d", n)
	}

	w.set(at(due.AddDays(1)))
	if n := w.sweep(); n != 1 {
		t.Fatalf("day after the deadline: sweep raised %d, want 1 (red)", n)
	}
	// The reviewer acts on the red case: the witness sees the same red
	// light on the same deadline and stores nothing new.
	w.act("reviewer", c.No, cases.ActForward, cases.Input{Opinion: "同意"})
	w.sweep()
	w.scan()
	got = w.raised(c.No)
	if len(got["T02"]) != 1 || got["T02"][0].Fact != due.String() || got["T02"][0].Severity != "warning" {
		t.Fatalf("red raised %d times: %+v", len(got["T02"]), got)
	}
	if len(got["T03"]) != 0 {
		t.Fatalf("statutory raised before its day: %+v", got["T03"])
	}

	w.set(at(statutory.AddDays(1)))
	if n := w.sweep(); n != 1 {
		t.Fatalf("past the statutory limit: sweep raised %d, want 1", n)
	}
	w.sweep()
	// Deciding late: the decision's own light is red on both deadlines,
	// which are already raised.
	w.act("approver", c.No, cases.ActApprove, cases.Input{})
	w.scan()
	got = w.raised(c.No)
	if len(got["T01"]) != 1 || len(got["T02"]) != 1 || len(got["T03"]) != 1 || got["T03"][0].Fact != statutory.String() || got["T03"][0].Severity != "serious" {
		t.Fatalf("after the late decision: %+v", got)
	}
	w.counted()
}

// A case decided late that nobody swept still gets its red light: the
// witness sees the decision's clock (stopped at the decision, red).
func TestLateDecisionRaisedByWitness(t *testing.T) {
	w := newWorld(t)
	c := w.submit("T-001", 1, 2)
	c = w.act("clerk", c.No, cases.ActAccept, cases.Input{})
	w.act("reviewer", c.No, cases.ActForward, cases.Input{Opinion: "同意"})
	w.set(at(c.Deadline.AddDays(3)))
	w.act("approver", c.No, cases.ActApprove, cases.Input{})
	got := w.raised(c.No)
	if len(got["T02"]) != 1 || len(got["T02"][0].Events) != 1 || got["T02"][0].Events[0] != 4 {
		t.Fatalf("late decision: %+v", got)
	}
	if len(got["T01"]) != 0 {
		t.Fatalf("a decided case raised a yellow light: %+v", got["T01"])
	}
	w.scan()
	if got := w.raised(c.No); len(got["T02"]) != 1 {
		t.Fatalf("replay raised red again: %+v", got["T02"])
	}
	w.counted()
}

// T04, T05: the sweep deems a case accepted (no notice within five working
// days) and another approved (an item with 超时默认): each raised once, by
// the witness inside the sweep's transition, and neither the next sweep nor
// the replay raises it again.
func TestDeemedRaisedOnce(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	a := w.submit("T-001") // nothing handed in, and no notice sent
	b := w.submit("T-002", 1, 2)
	b = w.act("clerk", b.No, cases.ActAccept, cases.Input{})

	w.set(at(b.Deadline.AddDays(1)))
	for range 2 {
		if _, err := w.eng.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
	}
	ga, gb := w.raised(a.No), w.raised(b.No)
	if len(ga["T04"]) != 1 || ga["T04"][0].Fact != cases.ActDeemAccept || len(ga["T04"][0].Events) != 1 || ga["T04"][0].Events[0] != 2 {
		t.Fatalf("deemed acceptance: %+v", ga)
	}
	if len(gb["T05"]) != 1 || gb["T05"][0].Fact != cases.ActDeemApprove {
		t.Fatalf("deemed approval: %+v", gb)
	}
	w.scan()
	w.sweep()
	if ga, gb := w.raised(a.No), w.raised(b.No); len(ga["T04"]) != 1 || len(gb["T05"]) != 1 || len(gb["T02"]) != 1 {
		t.Fatalf("raised twice: %+v %+v", ga, gb)
	}
	w.counted()
}

// T06: the clerk accepts six working days after the materials came (the
// deemed-acceptance sweep had not run): raised with the receipt and the
// acceptance as its events. With a threshold of 10 the same delay raises
// nothing; with the rule off neither.
func TestLateAcceptance(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	start := w.clock()
	c := w.submit("T-001", 1, 2)
	day6, _ := w.cal.Deadline(clock.Today(start), 6)
	w.set(at(day6))
	w.act("clerk", c.No, cases.ActAccept, cases.Input{})
	got := w.raised(c.No)
	if len(got["T06"]) != 1 || len(got["T06"][0].Events) != 2 || got["T06"][0].Events[0] != 1 || got["T06"][0].Events[1] != 2 ||
		got["T06"][0].Detail["days"] != float64(6) {
		t.Fatalf("late acceptance: %+v", got)
	}
	w.scan()
	if got := w.raised(c.No); len(got["T06"]) != 1 {
		t.Fatalf("replay raised it again: %+v", got["T06"])
	}

	ten := 10
	if _, err := w.an.SetRule(ctx, w.orgs["supervisor"], "T06", anomaly.RuleInput{Threshold: &ten}); err != nil {
		t.Fatal(err)
	}
	w.set(start)
	d := w.submit("T-001", 1, 2)
	w.set(at(day6))
	w.act("clerk", d.No, cases.ActAccept, cases.Input{})
	if got := w.raised(d.No); len(got["T06"]) != 0 {
		t.Fatalf("within a threshold of 10 days: %+v", got["T06"])
	}

	off, five := false, 5
	if _, err := w.an.SetRule(ctx, w.orgs["supervisor"], "T06", anomaly.RuleInput{Enabled: &off, Threshold: &five}); err != nil {
		t.Fatal(err)
	}
	w.set(start)
	e := w.submit("T-001", 1, 2)
	w.set(at(day6))
	w.act("clerk", e.No, cases.ActAccept, cases.Input{})
	w.scan()
	if got := w.raised(e.No); len(got["T06"]) != 0 {
		t.Fatalf("a disabled rule raised: %+v", got["T06"])
	}
	w.counted()
}
