package clock

import (
	"slices"
	"testing"
	"time"

	"onestop/internal/calendar"

	"pgregory.net/rapid"
)

// genInput draws a case accepted between 2025 and late 2026, with up to
// three pauses (possibly overlapping, possibly ongoing, possibly after the
// deadline) and a Now up to 200 days later, so some statuses reach 2027.
func genInput(t *rapid.T) Input {
	base := at("2025-01-01 00:00")
	instant := func(days int, label string) time.Time {
		return base.AddDate(0, 0, days).Add(time.Duration(rapid.IntRange(0, 24*60-1).Draw(t, label)) * time.Minute)
	}
	acceptDay := rapid.IntRange(0, 660).Draw(t, "accept")
	in := Input{
		AcceptedAt:    instant(acceptDay, "acceptMin"),
		PromisedDays:  rapid.IntRange(0, 60).Draw(t, "promised"),
		ExtensionDays: rapid.IntRange(0, 15).Draw(t, "ext"),
	}
	in.StatutoryDays = in.PromisedDays + rapid.IntRange(0, 30).Draw(t, "statutoryExtra")
	nowDay := acceptDay + rapid.IntRange(0, 200).Draw(t, "now")
	in.Now = instant(nowDay, "nowMin")
	for i, n := 0, rapid.IntRange(0, 3).Draw(t, "pauses"); i < n; i++ {
		start := acceptDay + rapid.IntRange(-3, 150).Draw(t, "pauseStart")
		p := Pause{From: instant(start, "pauseStartMin"), Reason: "r"}
		if !rapid.Bool().Draw(t, "ongoing") {
			p.To = instant(start+rapid.IntRange(0, 40).Draw(t, "pauseLen"), "pauseEndMin")
		}
		in.Pauses = append(in.Pauses, p)
	}
	return in
}

func movedBy(st Status) int {
	m := 0
	for _, n := range st.Explanation {
		if n.Kind == calendar.NotePause {
			m += n.Days
		}
	}
	return m
}

func TestPropertyCompute(t *testing.T) { rapid.Check(t, checkCompute) }

// FuzzCompute runs the same properties under go test -fuzz (scripts/fuzz),
// which keeps exploring past rapid's 100 draws.
func FuzzCompute(f *testing.F) { f.Fuzz(rapid.MakeFuzz(checkCompute)) }

func checkCompute(t *rapid.T) {
	in := genInput(t)
	rule := LightRule{rapid.IntRange(0, 5).Draw(t, "yellow")}
	st := Compute(cal, in, rule)
	accept := Today(in.AcceptedAt)
	budget := in.PromisedDays + in.ExtensionDays
	moved := movedBy(st)

	// The exact invariants asserted (see Compute's doc comment):
	// 1. days used plus days left is the promised budget (AsOf is never
	//    before the acceptance day);
	if st.UsedDays+st.LeftDays != budget {
		t.Fatalf("used %d + left %d != %d", st.UsedDays, st.LeftDays, budget)
	}
	// 2. the promised deadline is the plain count of budget + the days
	//    the pauses moved it;
	if want := cal.AddWorkingDays(accept, budget+moved).Deadline; st.PromisedDeadline != want {
		t.Fatalf("promised %s, AddWorkingDays(%s, %d+%d) = %s", st.PromisedDeadline, accept, budget, moved, want)
	}
	// 3. the same budget identity holds for the statutory clock.
	if st.UsedDays+st.StatutoryLeftDays != in.StatutoryDays+in.ExtensionDays {
		t.Fatalf("used %d + statutory left %d != %d", st.UsedDays, st.StatutoryLeftDays, in.StatutoryDays+in.ExtensionDays)
	}

	if st.UsedDays < 0 || moved > st.PausedDays || st.AsOf.Before(accept) || st.AsOf.After(Today(in.Now)) {
		t.Fatalf("used %d, moved %d, paused %d, as of %s", st.UsedDays, moved, st.PausedDays, st.AsOf)
	}
	if st.StatutoryDeadline.Before(st.PromisedDeadline) {
		t.Fatalf("statutory %s before promised %s", st.StatutoryDeadline, st.PromisedDeadline)
	}

	// Lights follow the documented rule.
	switch {
	case st.AsOf.After(st.PromisedDeadline):
		if st.Light != Red {
			t.Fatalf("past the deadline but %s", st.Light)
		}
	case st.LeftDays < 0:
		t.Fatalf("left %d on or before the deadline", st.LeftDays)
	case st.LeftDays <= rule.YellowDaysLeft:
		if st.Light != Yellow {
			t.Fatalf("%d left, rule %d, but %s", st.LeftDays, rule.YellowDaysLeft, st.Light)
		}
	default:
		if st.Light != Green {
			t.Fatalf("%d left, rule %d, but %s", st.LeftDays, rule.YellowDaysLeft, st.Light)
		}
	}

	ongoing := false
	for _, p := range in.Pauses {
		if !p.From.After(in.Now) && (p.To.IsZero() || p.To.After(in.Now)) {
			ongoing = true
		}
	}
	if st.Paused != ongoing {
		t.Fatalf("Paused = %v, want %v", st.Paused, ongoing)
	}
	if !st.Paused && st.AsOf != Today(in.Now) && !Today(in.Now).Before(accept) {
		t.Fatalf("not paused, but as of %s", st.AsOf)
	}

	// Dated notes come in date order, before the undated ones.
	var prev calendar.Date
	undated := false
	for _, n := range st.Explanation {
		switch n.Kind {
		case calendar.NoteHoliday, calendar.NoteAdjustedWorkday, calendar.NotePause:
			if undated || n.From.Before(prev) {
				t.Fatalf("explanation out of order: %v", brief(st.Explanation))
			}
			prev = n.From
		default:
			undated = true
		}
	}
	if st.Provisional != (len(st.MissingYears) > 0) {
		t.Fatalf("Provisional %v, MissingYears %v", st.Provisional, st.MissingYears)
	}
	for _, y := range st.MissingYears {
		if cal.Has(y) {
			t.Fatalf("year %d has data but is listed missing", y)
		}
	}
}

func TestPropertyPausesNeverBringDeadlinesForward(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := genInput(t)
		// Adding the pauses one at a time never moves either deadline
		// earlier, and no pause at all gives the plain count.
		prev := in
		prev.Pauses = nil
		last := Compute(cal, prev, DefaultLightRule)
		budget := in.PromisedDays + in.ExtensionDays
		if want := cal.AddWorkingDays(Today(in.AcceptedAt), budget).Deadline; last.PromisedDeadline != want {
			t.Fatalf("no pauses: %s, want %s", last.PromisedDeadline, want)
		}
		for k := 1; k <= len(in.Pauses); k++ {
			cur := in
			cur.Pauses = slices.Clone(in.Pauses[:k])
			st := Compute(cal, cur, DefaultLightRule)
			if st.PromisedDeadline.Before(last.PromisedDeadline) || st.StatutoryDeadline.Before(last.StatutoryDeadline) {
				t.Fatalf("pause %d brought a deadline forward: %s/%s → %s/%s", k,
					last.PromisedDeadline, last.StatutoryDeadline, st.PromisedDeadline, st.StatutoryDeadline)
			}
			if st.PausedDays < last.PausedDays {
				t.Fatalf("pause %d reduced the paused days", k)
			}
			last = st
		}
		// The order pauses are listed in does not matter.
		rev := in
		rev.Pauses = slices.Clone(in.Pauses)
		slices.Reverse(rev.Pauses)
		a, b := Compute(cal, in, DefaultLightRule), Compute(cal, rev, DefaultLightRule)
		if a.PromisedDeadline != b.PromisedDeadline || a.UsedDays != b.UsedDays || a.PausedDays != b.PausedDays || a.Light != b.Light {
			t.Fatalf("pause order changed the result: %+v vs %+v", a, b)
		}
	})
}

func TestPropertyTimeMovesForward(t *testing.T) {
	// Without pauses, a later Now never lowers the days used, never raises
	// the days left, and never turns a light back (red stays red).
	rapid.Check(t, func(t *rapid.T) {
		in := genInput(t)
		in.Pauses = nil
		later := in
		later.Now = in.Now.Add(time.Duration(rapid.IntRange(0, 30*24).Draw(t, "hours")) * time.Hour)
		a, b := Compute(cal, in, DefaultLightRule), Compute(cal, later, DefaultLightRule)
		rank := map[Light]int{Green: 0, Yellow: 1, Red: 2}
		if b.UsedDays < a.UsedDays || b.LeftDays > a.LeftDays || rank[b.Light] < rank[a.Light] {
			t.Fatalf("%s: %d/%d %s → %s: %d/%d %s", a.AsOf, a.UsedDays, a.LeftDays, a.Light, b.AsOf, b.UsedDays, b.LeftDays, b.Light)
		}
		if a.PromisedDeadline != b.PromisedDeadline {
			t.Fatalf("deadline moved without a pause")
		}
	})
}
