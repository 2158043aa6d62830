package calendar

import (
	"errors"
	"fmt"
	"slices"
)

// Calendar answers working-day questions for the years it holds data for and
// falls back to a weekends-only rule elsewhere, always saying so (Result's
// Provisional, IsWorkingDay's known) because docs/DOMAIN.md §4 forbids a silent
// fallback. A Calendar is immutable, so one value can serve every goroutine.
type Calendar struct {
	first  int          // the earliest year with data
	tables []*yearTable // indexed by year-first; nil where a year has no data
	data   []YearData   // sorted by year, kept for Year()
}

type dayKind uint8

const (
	kWork     dayKind = iota // an ordinary Monday–Friday
	kWeekend                 // an ordinary Saturday or Sunday
	kHoliday                 // inside a holiday period, weekday or not
	kAdjusted                // a weekend day declared a working day
)

// yearTable is a year expanded to one entry per day so the counting loops do
// an index instead of a map lookup per day (the supervision sweep counts for
// every open case).
type yearTable struct {
	data YearData
	kind []dayKind
	ref  []int32 // index into data.Holidays or data.Workdays, per kind
}

// New builds a Calendar from validated year data; a year may appear once.
func New(years ...YearData) (*Calendar, error) {
	var errs []error
	sorted := make([]YearData, 0, len(years))
	for _, y := range years {
		if err := y.Validate(); err != nil {
			errs = append(errs, err)
			continue
		}
		sorted = append(sorted, cloneYear(y))
	}
	slices.SortStableFunc(sorted, func(a, b YearData) int { return cmpInt(a.Year, b.Year) })
	for i := 1; i < len(sorted); i++ {
		if sorted[i].Year == sorted[i-1].Year {
			errs = append(errs, fmt.Errorf("%d: holiday data given twice", sorted[i].Year))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	c := &Calendar{data: sorted}
	if len(sorted) == 0 {
		return c, nil
	}
	c.first = sorted[0].Year
	c.tables = make([]*yearTable, sorted[len(sorted)-1].Year-c.first+1)
	for _, y := range sorted {
		c.tables[y.Year-c.first] = buildTable(y)
	}
	return c, nil
}

// MustNew is New for package-level variables and tests.
func MustNew(years ...YearData) *Calendar {
	c, err := New(years...)
	if err != nil {
		panic(err)
	}
	return c
}

func cloneYear(y YearData) YearData {
	y.Holidays = slices.Clone(y.Holidays)
	y.Workdays = slices.Clone(y.Workdays)
	return y
}

func buildTable(y YearData) *yearTable {
	lo := dayNumber(y.Year, 1, 1)
	n := dayNumber(y.Year+1, 1, 1) - lo
	t := &yearTable{data: y, kind: make([]dayKind, n), ref: make([]int32, n)}
	for i := range n {
		t.ref[i] = -1
		if isWeekend(weekdayOf(lo + i)) {
			t.kind[i] = kWeekend
		}
	}
	for pi, p := range y.Holidays {
		for dn := p.From.dayNum(); dn <= p.To.dayNum(); dn++ {
			t.kind[dn-lo], t.ref[dn-lo] = kHoliday, int32(pi)
		}
	}
	for wi, w := range y.Workdays {
		dn := w.Date.dayNum()
		t.kind[dn-lo], t.ref[dn-lo] = kAdjusted, int32(wi)
	}
	return t
}

func (c *Calendar) table(year int) *yearTable {
	if c == nil {
		return nil
	}
	i := year - c.first
	if i < 0 || i >= len(c.tables) {
		return nil
	}
	return c.tables[i]
}

// Years lists the years that have data, ascending.
func (c *Calendar) Years() []int {
	out := make([]int, 0, len(c.data))
	for _, y := range c.data {
		out = append(out, y.Year)
	}
	return out
}

// Has reports whether year has holiday data.
func (c *Calendar) Has(year int) bool { return c.table(year) != nil }

// Year returns a copy of the data for year.
func (c *Calendar) Year(year int) (YearData, bool) {
	t := c.table(year)
	if t == nil {
		return YearData{}, false
	}
	return cloneYear(t.data), true
}

// cursor caches the year of the last day looked at, so a walk pays for a year
// lookup only when it crosses New Year.
type cursor struct {
	c       *Calendar
	lo, hi  int // day numbers of the cached year: [lo, hi)
	t       *yearTable
	missing []int // years looked at without data, in the order met
	record  bool  // collect missing years (false: just set unknown)
	unknown bool
}

func (cu *cursor) load(dn int) {
	y := fromDayNum(dn).Year
	cu.lo, cu.hi = dayNumber(y, 1, 1), dayNumber(y+1, 1, 1)
	cu.t = cu.c.table(y)
	if cu.t == nil {
		cu.unknown = true
		if cu.record && !slices.Contains(cu.missing, y) {
			cu.missing = append(cu.missing, y)
		}
	}
}

func (cu *cursor) at(dn int) (dayKind, int32) {
	if dn < cu.lo || dn >= cu.hi {
		cu.load(dn)
	}
	if cu.t == nil {
		if isWeekend(weekdayOf(dn)) {
			return kWeekend, -1
		}
		return kWork, -1
	}
	i := dn - cu.lo
	return cu.t.kind[i], cu.t.ref[i]
}

func newCursor(c *Calendar, record bool) cursor {
	// An empty span forces a load on the first lookup.
	return cursor{c: c, lo: 1, hi: 0, record: record}
}

// IsWorkingDay reports whether d is a working day. known is false when d's
// year has no holiday data; working then follows the weekends-only rule.
func (c *Calendar) IsWorkingDay(d Date) (working bool, known bool) {
	cu := newCursor(c, false)
	k, _ := cu.at(d.dayNum())
	return k == kWork || k == kAdjusted, !cu.unknown
}

// Result is a deadline together with the reasons it falls where it does.
type Result struct {
	Deadline Date `json:"deadline"`
	// Provisional is true when some day counted lies in a year without
	// holiday data, so weekends-only was assumed for it.
	Provisional  bool   `json:"provisional"`
	MissingYears []int  `json:"missing_years,omitempty"`
	Explanation  []Note `json:"explanation"`
}

// AddWorkingDays applies the legal counting rule (docs/DOMAIN.md §3, 民法典
// Art. 201): the day from is not counted, day 1 is the next working day and
// the deadline is the n-th working day. n = 0 gives from itself, whatever day
// it is. A negative n mirrors the rule backwards (the |n|-th working day
// before from), which is what "remind 1 working day before the deadline"
// needs.
//
// The walk is day by day, so it costs O(calendar days spanned); a walk
// allocates only for the explanation, never per day.
func (c *Calendar) AddWorkingDays(from Date, n int) Result {
	w := walker{cur: newCursor(c, true), explain: true}
	d := w.run(from, n)
	r := Result{Deadline: d, Provisional: w.cur.unknown, MissingYears: w.cur.missing}
	if n < 0 {
		// The walk met the notes latest first; callers expect calendar order.
		slices.Reverse(w.notes)
	}
	if w.weekends > 0 {
		w.notes = append(w.notes, Note{Kind: NoteWeekends, Days: w.weekends})
	}
	if len(w.cur.missing) > 0 {
		slices.Sort(r.MissingYears)
		w.notes = append(w.notes, Note{Kind: NoteMissingYear, Years: slices.Clone(r.MissingYears)})
	}
	r.Explanation = w.notes
	return r
}

// Deadline is AddWorkingDays without the explanation: no allocation at all,
// for sweeps that only need the date. provisional has the same meaning as
// Result.Provisional.
func (c *Calendar) Deadline(from Date, n int) (deadline Date, provisional bool) {
	w := walker{cur: newCursor(c, false)}
	d := w.run(from, n)
	return d, w.cur.unknown
}

type walker struct {
	cur      cursor
	explain  bool
	notes    []Note
	weekends int

	// The holiday period the previous day belonged to, so consecutive days
	// of one period collapse into one note.
	openT   *yearTable
	openRef int32
	openDn  int
}

func (w *walker) run(from Date, n int) Date {
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	dn := from.dayNum()
	for count := 0; count < n; {
		dn += step
		k, ref := w.cur.at(dn)
		switch k {
		case kWork:
			count++
		case kAdjusted:
			count++
			if w.explain {
				d := fromDayNum(dn)
				w.notes = append(w.notes, Note{Kind: NoteAdjustedWorkday,
					Name: w.cur.t.data.Workdays[ref].Name, From: d, To: d, Days: 1})
			}
		case kWeekend:
			w.weekends++
		case kHoliday:
			if w.explain {
				w.holiday(dn, ref, step)
			}
		}
	}
	return fromDayNum(dn)
}

func (w *walker) holiday(dn int, ref int32, step int) {
	d := fromDayNum(dn)
	weekday := 0
	if !isWeekend(weekdayOf(dn)) {
		weekday = 1
	}
	if w.openT == w.cur.t && w.openRef == ref && w.openDn == dn-step && len(w.notes) > 0 {
		last := &w.notes[len(w.notes)-1]
		if step > 0 {
			last.To = d
		} else {
			last.From = d
		}
		last.Days += weekday
	} else {
		w.notes = append(w.notes, Note{Kind: NoteHoliday,
			Name: w.cur.t.data.Holidays[ref].Name, From: d, To: d, Days: weekday})
	}
	w.openT, w.openRef, w.openDn = w.cur.t, ref, dn
}

// WorkingDaysBetween counts the working days d with a < d ≤ b, negated when
// b is before a; it is the inverse of AddWorkingDays for n ≥ 0:
// WorkingDaysBetween(a, AddWorkingDays(a, n).Deadline) == n.
// Years without data count with the weekends-only rule.
func (c *Calendar) WorkingDaysBetween(a, b Date) int {
	lo, hi := a.dayNum(), b.dayNum()
	sign := 1
	if hi < lo {
		lo, hi, sign = hi, lo, -1
	}
	cu := newCursor(c, false)
	n := 0
	for dn := lo + 1; dn <= hi; dn++ {
		if k, _ := cu.at(dn); k == kWork || k == kAdjusted {
			n++
		}
	}
	return sign * n
}
