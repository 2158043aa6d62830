package clock

import "onestop/internal/calendar"

// Standing is where a listed case stands against its due day. The inbox's
// light and its days column both read it, so they cannot disagree: an open
// case has a live light and the working days left; a decided one has no
// live light, only its outcome — decided on time, or how late.
type Standing struct {
	Light Light `json:"light,omitempty"` // live light; empty once decided
	// Left counts the working days from today to the due day: 0 on the
	// day, negative after it. Only for a case not yet decided.
	Left    int  `json:"left"`
	Decided bool `json:"decided"`
	// Late reports a decision made after the due day; LateDays counts the
	// working days it came after (0 for a weekend after a Friday deadline).
	Late     bool `json:"late"`
	LateDays int  `json:"late_days"`
}

// Stand computes a case's standing on today against due; decided is the
// day of its decision, nil while it is undecided.
func Stand(cal *calendar.Calendar, due calendar.Date, decided *calendar.Date, today calendar.Date, rule LightRule) Standing {
	if cal == nil {
		cal = weekendsOnly
	}
	if decided != nil {
		s := Standing{Decided: true, Late: decided.After(due)}
		if s.Late {
			s.LateDays = cal.WorkingDaysBetween(due, *decided)
		}
		return s
	}
	left := cal.WorkingDaysBetween(today, due)
	return Standing{Light: rule.light(today, due, left), Left: left}
}

// light is the colour rule (LightRule): red once the due day has ended,
// yellow from YellowDaysLeft working days before it, green before that.
func (r LightRule) light(asOf, due calendar.Date, left int) Light {
	switch {
	case asOf.After(due):
		return Red
	case left <= max(r.YellowDaysLeft, 0):
		return Yellow
	}
	return Green
}
