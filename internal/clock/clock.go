// Package clock turns a case's acceptance, limits, pauses and extension into
// deadlines, day counts and a traffic light for supervision (docs/DOMAIN.md §3,
// §6). It is pure: the caller passes Now, so the same input always gives the
// same Status and a sweep can evaluate every case as of one instant.
package clock

import (
	"slices"
	"time"
	_ "time/tzdata" // the binary may run on a host without a zoneinfo database

	"onestop/internal/calendar"
)

// Shanghai is the zone that decides which civil day an instant belongs to.
// The fixed +08:00 fallback is exact for every date OneStop handles: China
// has not used daylight saving time since 1991.
var Shanghai = loadShanghai()

func loadShanghai() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*3600)
}

// Today returns the civil day of t in Shanghai.
func Today(t time.Time) calendar.Date { return calendar.DateOf(t, Shanghai) }

// Pause is a stretch of excluded time (行政许可法 Art. 45: hearing,
// inspection, testing, expert review …).
type Pause struct {
	From time.Time
	To   time.Time // zero while still paused
	// Reason and ExpectedDays are what the applicant was told in writing;
	// ExpectedDays is informational and does not move any deadline.
	Reason       string
	ExpectedDays int
}

// Input is everything Compute needs about one case.
type Input struct {
	// AcceptedAt is the instant of acceptance; it must be set.
	AcceptedAt time.Time
	// PromisedDays and StatutoryDays are the limits in working days; 0 means
	// "due the day of acceptance" (an immediate item). Negative values are
	// treated as 0: validating limits is the case engine's job.
	PromisedDays  int
	StatutoryDays int
	// ExtensionDays is added to both limits. The statutory maximum (10, or 15
	// for joint handling) is enforced by the caller.
	ExtensionDays int
	Pauses        []Pause
	// Now is the instant the status is computed for. A Now before the
	// acceptance is treated as the acceptance.
	Now time.Time
}

// LightRule sets the supervision colours (docs/DOMAIN.md §6, a local convention):
//
//   - green:  more than YellowDaysLeft working days left;
//   - yellow: between 0 and YellowDaysLeft working days left; the deadline
//     day itself (0 left) is yellow;
//   - red:    past the deadline, i.e. the deadline day has ended in
//     Asia/Shanghai.
//
// A negative YellowDaysLeft behaves as 0.
type LightRule struct {
	YellowDaysLeft int
}

// DefaultLightRule warns 1 working day before the deadline, the example
// docs/DOMAIN.md §6 gives for the reminder.
var DefaultLightRule = LightRule{YellowDaysLeft: 1}

// Light is the supervision colour of a case.
type Light string

const (
	Green  Light = "green"
	Yellow Light = "yellow"
	Red    Light = "red"
)

// Status is the clock of one case at Input.Now. Day counts are working days
// that are not excluded by a pause.
type Status struct {
	PromisedDeadline  calendar.Date `json:"promised_deadline"`
	StatutoryDeadline calendar.Date `json:"statutory_deadline"`
	// Provisional is true when any day this status counted lies in a year
	// without holiday data (weekends-only was used); MissingYears lists them.
	Provisional  bool  `json:"provisional"`
	MissingYears []int `json:"missing_years,omitempty"`
	// AsOf is the day the counts below are taken on: today, or the first
	// day of the current pause while paused.
	AsOf calendar.Date `json:"as_of"`
	// UsedDays counts the working days after acceptance up to AsOf, minus
	// paused ones; never negative.
	UsedDays int `json:"used_days"`
	// LeftDays counts from AsOf to the promised deadline: 0 on the deadline
	// day, negative once working days pass after it. It can still be 0 while
	// Light is red (the Saturday after a Friday deadline): use Light, not the
	// sign of LeftDays, to decide "overdue".
	LeftDays int `json:"left_days"`
	// StatutoryLeftDays is LeftDays against the statutory deadline.
	StatutoryLeftDays int `json:"statutory_left_days"`
	// PausedDays counts the working days excluded by all pauses so far,
	// including pauses that began after the deadline (those do not move it).
	PausedDays int   `json:"paused_days"`
	Paused     bool  `json:"paused"`
	Light      Light `json:"light"`
	// Explanation says why the promised deadline falls where it does:
	// holidays, adjusted working days and pauses in date order, then the
	// extension, the weekend days and any missing-year warning.
	Explanation []calendar.Note `json:"explanation"`
}

// span is a pause reduced to civil days: it excludes the days d with
// a < d ≤ b. The day a pause begins still counts (work happened on it) and
// the day work resumes does not, mirroring "the day of acceptance is not
// counted" (docs/DOMAIN.md §3).
type span struct {
	a, b    calendar.Date
	start   calendar.Date // the day the pause began, before overlaps were cut off
	idx     int           // position in Input.Pauses, for the note
	ongoing bool
}

var weekendsOnly = calendar.MustNew()

// Compute evaluates the clock of one case.
//
// The pause rule (Art. 45 excluded time): a pause that began on day A and
// ended on day B (Shanghai dates) excludes the working days after A up to
// and including B. An ongoing pause excludes the working days after A up to
// and including today, and while it lasts the light is taken as of A and
// Status.Paused is true. Overlapping pauses exclude each day once, and a
// pause is clipped to the acceptance day. Pauses starting after Now are
// ignored, as are pauses with a zero From; a To before From counts as a pause
// of no days.
//
// A pause moves the deadline later by its excluded working days, computed
// with the calendar (so a pause spanning the Spring Festival moves it by the
// working days it really covered), provided it began on or before the
// deadline as moved by the earlier pauses; a pause that began once the case
// was already overdue cannot revive it, so it moves nothing, although its
// days are still left out of the counts.
//
// Invariant (asserted by the property tests): UsedDays + LeftDays ==
// PromisedDays + ExtensionDays, and the promised deadline equals
// cal.AddWorkingDays(accept, PromisedDays+ExtensionDays+moved) where moved is
// the sum of the pause notes' Days.
//
// A nil cal counts with weekends only, and says so through Provisional.
func Compute(cal *calendar.Calendar, in Input, rule LightRule) Status {
	if cal == nil {
		cal = weekendsOnly
	}
	accept := Today(in.AcceptedAt)
	today := Today(in.Now)
	if today.Before(accept) {
		today = accept
	}
	ext := max(in.ExtensionDays, 0)
	promised := max(in.PromisedDays, 0) + ext
	statutory := max(in.StatutoryDays, 0) + ext

	spans, paused, runStart := pauseSpans(in, accept, today)
	asOf := today
	if paused {
		asOf = runStart
	}

	pd, moved, late := moveByPauses(cal, accept, promised, spans)
	sd, _, _ := moveByPauses(cal, accept, statutory, spans)

	st := Status{
		PromisedDeadline:  pd,
		StatutoryDeadline: sd,
		AsOf:              asOf,
		Paused:            paused,
		UsedDays:          max(counted(cal, spans, accept, asOf), 0),
		LeftDays:          counted(cal, spans, asOf, pd),
		StatutoryLeftDays: counted(cal, spans, asOf, sd),
	}
	for _, s := range spans {
		st.PausedDays += cal.WorkingDaysBetween(s.a, s.b)
	}
	st.Light = rule.light(asOf, pd, st.LeftDays)

	// Every day looked at lies after the acceptance and no later than the
	// latest of the dates involved, so checking that range of years covers
	// the deadline walks and the counts alike.
	last := slices.MaxFunc([]calendar.Date{pd, sd, asOf}, calendar.Date.Compare)
	if last.After(accept) {
		for y := accept.AddDays(1).Year; y <= last.Year; y++ {
			if !cal.Has(y) {
				st.MissingYears = append(st.MissingYears, y)
			}
		}
	}
	st.Provisional = len(st.MissingYears) > 0

	st.Explanation = explain(cal, in, accept, promised, spans, moved, late, ext, st.MissingYears)
	return st
}

// pauseSpans turns the pauses into sorted, non-overlapping day spans.
// runStart is the first day of the stretch of back-to-back pauses that
// reaches today, which is what "as of the pause start" means when pauses
// were chained.
func pauseSpans(in Input, accept, today calendar.Date) (spans []span, paused bool, runStart calendar.Date) {
	for i, p := range in.Pauses {
		if p.From.IsZero() || p.From.After(in.Now) {
			continue
		}
		s := span{a: Today(p.From), idx: i}
		if p.To.IsZero() || p.To.After(in.Now) {
			s.b, s.ongoing = today, true
		} else {
			s.b = Today(p.To)
		}
		if s.a.Before(accept) {
			s.a = accept
		}
		if s.b.Before(s.a) {
			s.b = s.a
		}
		s.start = s.a
		spans = append(spans, s)
	}
	slices.SortStableFunc(spans, func(x, y span) int { return x.a.Compare(y.a) })

	var covered calendar.Date // the last day excluded by the spans so far
	for i := range spans {
		s := &spans[i]
		if i == 0 || s.a.After(covered) {
			runStart = s.a // a gap: a new stretch of pausing begins
		}
		if i > 0 && s.a.Before(covered) {
			s.a = covered // drop the overlap so no day is excluded twice
		}
		if s.b.Before(s.a) {
			s.b = s.a
		}
		if i == 0 || s.b.After(covered) {
			covered = s.b
		}
		paused = paused || s.ongoing
	}
	return spans, paused, runStart
}

// moveByPauses finds the deadline for budget working days after accept with
// the pauses applied in date order; moved[i] is how far spans[i] moved it and
// late[i] marks a span that began after the deadline.
func moveByPauses(cal *calendar.Calendar, accept calendar.Date, budget int, spans []span) (calendar.Date, []int, []bool) {
	d, _ := cal.Deadline(accept, budget)
	moved := make([]int, len(spans))
	late := make([]bool, len(spans))
	extra := 0
	for i, s := range spans {
		// The start, not the overlap-trimmed a: a pause that began while the
		// case was in time keeps the clock stopped for its whole length, even
		// where an earlier pause already covered its first days.
		if s.start.After(d) {
			late[i] = true
			continue
		}
		if e := cal.WorkingDaysBetween(s.a, s.b); e > 0 {
			moved[i] = e
			extra += e
			d, _ = cal.Deadline(accept, budget+extra)
		}
	}
	return d, moved, late
}

// counted is WorkingDaysBetween(x, y) minus the paused working days in that
// range, with the same sign convention.
func counted(cal *calendar.Calendar, spans []span, x, y calendar.Date) int {
	sign := 1
	if y.Before(x) {
		x, y, sign = y, x, -1
	}
	n := cal.WorkingDaysBetween(x, y)
	for _, s := range spans {
		a, b := s.a, s.b
		if a.Before(x) {
			a = x
		}
		if b.After(y) {
			b = y
		}
		if b.After(a) {
			n -= cal.WorkingDaysBetween(a, b)
		}
	}
	return sign * n
}

func explain(cal *calendar.Calendar, in Input, accept calendar.Date, budget int,
	spans []span, moved []int, late []bool, ext int, missing []int) []calendar.Note {
	total := budget
	for _, m := range moved {
		total += m
	}
	res := cal.AddWorkingDays(accept, total)

	var dated, tail []calendar.Note
	var weekends *calendar.Note
	for _, n := range res.Explanation {
		switch n.Kind {
		case calendar.NoteWeekends:
			weekends = &n
		case calendar.NoteMissingYear:
			// Rebuilt below from the whole status, not just this walk.
		default:
			dated = append(dated, n)
		}
	}
	for i, s := range spans {
		p := in.Pauses[s.idx]
		n := calendar.Note{
			Kind:          calendar.NotePause,
			Reason:        p.Reason,
			From:          Today(p.From),
			Days:          moved[i],
			Expected:      p.ExpectedDays,
			AfterDeadline: late[i],
		}
		if !s.ongoing {
			n.To = Today(p.To)
		}
		dated = append(dated, n)
	}
	slices.SortStableFunc(dated, func(a, b calendar.Note) int { return a.From.Compare(b.From) })

	if ext > 0 {
		tail = append(tail, calendar.Note{Kind: calendar.NoteExtension, Days: ext})
	}
	if weekends != nil {
		tail = append(tail, *weekends)
	}
	if len(missing) > 0 {
		tail = append(tail, calendar.Note{Kind: calendar.NoteMissingYear, Years: slices.Clone(missing)})
	}
	return append(dated, tail...)
}
