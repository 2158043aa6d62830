package calendar

import (
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// refCalendar is a deliberately naive second implementation (maps of date
// strings, package time for the arithmetic) that the fast one is checked
// against, so a shared misunderstanding is the only way both can be wrong.
type refCalendar struct {
	off, worked map[string]bool
	years       map[int]bool
}

func newRef() refCalendar {
	r := refCalendar{off: map[string]bool{}, worked: map[string]bool{}, years: map[int]bool{}}
	for _, y := range Builtin() {
		r.years[y.Year] = true
		for _, p := range y.Holidays {
			for t := p.From.Time(time.UTC); !t.After(p.To.Time(time.UTC)); t = t.AddDate(0, 0, 1) {
				r.off[t.Format(time.DateOnly)] = true
			}
		}
		for _, w := range y.Workdays {
			r.worked[w.Date.Time(time.UTC).Format(time.DateOnly)] = true
		}
	}
	return r
}

func (r refCalendar) working(t time.Time) bool {
	k := t.Format(time.DateOnly)
	switch {
	case r.off[k]:
		return false
	case r.worked[k]:
		return true
	}
	return t.Weekday() != time.Saturday && t.Weekday() != time.Sunday
}

func (r refCalendar) add(from Date, n int) (Date, []int) {
	t := from.Time(time.UTC)
	var missing []int
	for count := 0; count < n; {
		t = t.AddDate(0, 0, 1)
		if !r.years[t.Year()] && !slices.Contains(missing, t.Year()) {
			missing = append(missing, t.Year())
		}
		if r.working(t) {
			count++
		}
	}
	return DateOf(t, time.UTC), missing
}

// genDate covers mid-2024 to mid-2027, so walks start and end in years with
// and without data.
func genDate(t *rapid.T, label string) Date {
	return d("2024-07-01").AddDays(rapid.IntRange(0, 1095).Draw(t, label))
}

func TestPropertyAddWorkingDays(t *testing.T) {
	c := builtin(t)
	ref := newRef()
	rapid.Check(t, func(t *rapid.T) {
		from := genDate(t, "from")
		n := rapid.IntRange(0, 400).Draw(t, "n")
		r := c.AddWorkingDays(from, n)

		wantD, wantMissing := ref.add(from, n)
		if r.Deadline != wantD || !slices.Equal(r.MissingYears, wantMissing) || r.Provisional != (len(wantMissing) > 0) {
			t.Fatalf("AddWorkingDays(%s, %d) = %s %v; reference %s %v", from, n, r.Deadline, r.MissingYears, wantD, wantMissing)
		}
		checkInvariants(t, c, from, n, r)
	})
}

// checkInvariants holds for any from and any n ≥ 0; the fuzz target reuses it.
func checkInvariants(t interface{ Fatalf(string, ...any) }, c *Calendar, from Date, n int, r Result) {
	D := r.Deadline
	if got := c.WorkingDaysBetween(from, D); got != n {
		t.Fatalf("WorkingDaysBetween(%s, %s) = %d, want %d", from, D, got, n)
	}
	if got := c.WorkingDaysBetween(D, from); got != -n {
		t.Fatalf("WorkingDaysBetween(%s, %s) = %d, want %d", D, from, got, -n)
	}
	if n == 0 && D != from {
		t.Fatalf("n=0 moved %s to %s", from, D)
	}
	if n > 0 {
		if w, _ := c.IsWorkingDay(D); !w {
			t.Fatalf("deadline %s (from %s, n=%d) is not a working day", D, from, n)
		}
	}
	if next := c.AddWorkingDays(from, n+1).Deadline; !next.After(D) {
		t.Fatalf("not monotonic: n=%d → %s, n+1 → %s", n, D, next)
	}
	if dl, prov := c.Deadline(from, n); dl != D || prov != r.Provisional {
		t.Fatalf("Deadline = %s %v, AddWorkingDays = %s %v", dl, prov, D, r.Provisional)
	}

	// Every calendar day after from up to D is exactly one of: a counted
	// working day, a day of a holiday note, or one of the weekend days.
	covered, adjusted := n, 0
	var prev Date
	for i, note := range r.Explanation {
		switch note.Kind {
		case NoteHoliday, NoteAdjustedWorkday:
			if !note.From.After(from) || note.To.After(D) || note.To.Before(note.From) {
				t.Fatalf("note %+v outside (%s, %s]", note, from, D)
			}
			if !note.From.After(prev) {
				t.Fatalf("notes out of order at #%d: %+v", i, r.Explanation)
			}
			prev = note.To
			if note.Kind == NoteHoliday {
				length := note.From.DaysUntil(note.To) + 1
				covered += length
				if note.Days > length || note.Days < 0 {
					t.Fatalf("holiday note %+v claims %d weekdays", note, note.Days)
				}
			} else {
				adjusted++
				if wd := note.From.Weekday(); wd != time.Saturday && wd != time.Sunday {
					t.Fatalf("adjusted day %s is a %s", note.From, wd)
				}
			}
		case NoteWeekends:
			covered += note.Days
		case NoteMissingYear:
			if !slices.Equal(note.Years, r.MissingYears) || i != len(r.Explanation)-1 {
				t.Fatalf("missing-year note %+v, MissingYears %v", note, r.MissingYears)
			}
		default:
			t.Fatalf("unexpected note kind %q", note.Kind)
		}
	}
	if covered != from.DaysUntil(D) {
		t.Fatalf("notes account for %d days, %s → %s is %d: %+v", covered, from, D, from.DaysUntil(D), r.Explanation)
	}
	if adjusted > n {
		t.Fatalf("%d adjusted days counted in n=%d", adjusted, n)
	}
	if r.Provisional != (len(r.MissingYears) > 0) {
		t.Fatalf("Provisional %v with MissingYears %v", r.Provisional, r.MissingYears)
	}
}

func TestPropertyBackwards(t *testing.T) {
	c := builtin(t)
	rapid.Check(t, func(t *rapid.T) {
		from := genDate(t, "from")
		k := rapid.IntRange(1, 400).Draw(t, "k")
		r := c.AddWorkingDays(from, -k)
		D := r.Deadline
		checkBackwards(t, c, from, k, D)
		if dl, _ := c.Deadline(from, -k); dl != D {
			t.Fatalf("Deadline(%s, %d) = %s, AddWorkingDays = %s", from, -k, dl, D)
		}
	})
}

// checkBackwards: D is the k-th working day before from, i.e. D is a working
// day and exactly k working days lie in [D, from).
func checkBackwards(t interface{ Fatalf(string, ...any) }, c *Calendar, from Date, k int, D Date) {
	if !D.Before(from) {
		t.Fatalf("AddWorkingDays(%s, %d) = %s is not earlier", from, -k, D)
	}
	if w, _ := c.IsWorkingDay(D); !w {
		t.Fatalf("AddWorkingDays(%s, %d) = %s is not a working day", from, -k, D)
	}
	if got := c.WorkingDaysBetween(D.AddDays(-1), from.AddDays(-1)); got != k {
		t.Fatalf("[%s, %s) holds %d working days, want %d", D, from, got, k)
	}
}

func TestPropertyWorkingDaysBetweenIsAdditive(t *testing.T) {
	c := builtin(t)
	ref := newRef()
	rapid.Check(t, func(t *rapid.T) {
		a, b, m := genDate(t, "a"), genDate(t, "b"), genDate(t, "m")
		if c.WorkingDaysBetween(a, m)+c.WorkingDaysBetween(m, b) != c.WorkingDaysBetween(a, b) {
			t.Fatalf("W(%s,%s) + W(%s,%s) != W(%s,%s)", a, m, m, b, a, b)
		}
		w, known := c.IsWorkingDay(a)
		if w != ref.working(a.Time(time.UTC)) || known != ref.years[a.Year] {
			t.Fatalf("IsWorkingDay(%s) = %v %v", a, w, known)
		}
	})
}
