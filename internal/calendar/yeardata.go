package calendar

import (
	"errors"
	"fmt"
	"slices"
)

// YearData is one year of the State Council's holiday arrangement
// (国务院办公厅 放假安排). The admin enters it when the notice is published;
// Builtin ships the years known when this code was written.
type YearData struct {
	Year int `json:"year"`
	// Source cites the notice, e.g. 国办发明电〔2024〕12号, so a reviewer can
	// check the data against the original.
	Source   string        `json:"source"`
	Holidays []Period      `json:"holidays"`
	Workdays []AdjustedDay `json:"workdays"`
}

// Period is one holiday block, weekend days inside it included, exactly as
// the notice states it ("1月28日至2月4日放假调休，共8天").
type Period struct {
	Name string `json:"name"` // 元旦, 春节, 清明节, 劳动节, 端午节, 中秋节, 国庆节 …
	From Date   `json:"from"`
	To   Date   `json:"to"` // inclusive
}

// AdjustedDay is a Saturday or Sunday declared a working day (调休上班).
type AdjustedDay struct {
	Date Date   `json:"date"`
	Name string `json:"name"` // the holiday it pays for, shown in explanations
}

// DayKind tells a holiday row from an adjusted-workday row in the flat form.
type DayKind string

const (
	DayHoliday DayKind = "holiday"
	DayWorkday DayKind = "workday"
)

// Day is one row of the flat form of YearData: what a database table with one
// row per day stores (date, kind, name).
type Day struct {
	Date Date    `json:"date"`
	Kind DayKind `json:"kind"`
	Name string  `json:"name"`
}

// Days flattens y into one row per day, sorted by date.
func (y YearData) Days() []Day {
	var out []Day
	for _, p := range y.Holidays {
		if !p.From.Valid() || !p.To.Valid() {
			continue
		}
		for dn := p.From.dayNum(); dn <= p.To.dayNum(); dn++ {
			out = append(out, Day{fromDayNum(dn), DayHoliday, p.Name})
		}
	}
	for _, w := range y.Workdays {
		out = append(out, Day{w.Date, DayWorkday, w.Name})
	}
	slices.SortStableFunc(out, func(a, b Day) int { return a.Date.Compare(b.Date) })
	return out
}

// YearFromDays rebuilds a YearData from its flat rows: consecutive holiday
// days with the same name become one Period, so explanations can name the
// whole block. The result is validated.
func YearFromDays(year int, source string, days []Day) (YearData, error) {
	y := YearData{Year: year, Source: source}
	sorted := slices.Clone(days)
	slices.SortStableFunc(sorted, func(a, b Day) int { return a.Date.Compare(b.Date) })
	var errs []error
	for _, d := range sorted {
		switch d.Kind {
		case DayHoliday:
			if n := len(y.Holidays); n > 0 {
				last := &y.Holidays[n-1]
				if last.Name == d.Name && d.Date.Valid() && last.To.Valid() &&
					d.Date.dayNum() == last.To.dayNum()+1 {
					last.To = d.Date
					continue
				}
			}
			y.Holidays = append(y.Holidays, Period{Name: d.Name, From: d.Date, To: d.Date})
		case DayWorkday:
			y.Workdays = append(y.Workdays, AdjustedDay{Date: d.Date, Name: d.Name})
		default:
			errs = append(errs, fmt.Errorf("%d: row %s has unknown kind %q (want %q or %q)",
				year, d.Date, d.Kind, DayHoliday, DayWorkday))
		}
	}
	if err := y.Validate(); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return YearData{}, errors.Join(errs...)
	}
	return y, nil
}

// Validate reports every problem at once (joined), so the admin can fix a
// whole table in one pass instead of one error per save.
func (y YearData) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%d: "+format, append([]any{y.Year}, args...)...))
	}
	if y.Year < 1 || y.Year > 9999 {
		return fmt.Errorf("holiday data: year %d out of range 1–9999", y.Year)
	}
	inYear := func(d Date) bool { return d.Year == y.Year }

	// seen maps each holiday day to the period that claimed it first, so an
	// overlap names both periods.
	seen := map[Date]string{}
	for i, p := range y.Holidays {
		label := fmt.Sprintf("holiday %q (%s to %s)", p.Name, p.From, p.To)
		if p.Name == "" {
			bad("holiday #%d (%s to %s) has no name", i+1, p.From, p.To)
		}
		if !p.From.Valid() || !p.To.Valid() {
			bad("%s: not a real date", label)
			continue
		}
		if p.To.Before(p.From) {
			bad("%s ends before it starts", label)
			continue
		}
		if !inYear(p.From) || !inYear(p.To) {
			bad("%s lies outside the year %d; enter it under its own year", label, y.Year)
			continue
		}
		for dn := p.From.dayNum(); dn <= p.To.dayNum(); dn++ {
			d := fromDayNum(dn)
			if other, dup := seen[d]; dup {
				bad("%s is listed twice as a holiday (in %q and %q)", d, other, p.Name)
				continue
			}
			seen[d] = p.Name
		}
	}
	work := map[Date]bool{}
	for i, w := range y.Workdays {
		if !w.Date.Valid() {
			bad("adjusted working day #%d (%s): not a real date", i+1, w.Date)
			continue
		}
		if w.Name == "" {
			bad("adjusted working day %s has no holiday name", w.Date)
		}
		if !inYear(w.Date) {
			bad("adjusted working day %s lies outside the year %d; enter it under its own year", w.Date, y.Year)
			continue
		}
		if wd := w.Date.Weekday(); !isWeekend(wd) {
			bad("adjusted working day %s is a %s; only a Saturday or Sunday can be declared a working day", w.Date, wd)
		}
		if work[w.Date] {
			bad("adjusted working day %s is listed twice", w.Date)
		}
		work[w.Date] = true
		if name, ok := seen[w.Date]; ok {
			bad("%s is listed both as a holiday (%q) and as an adjusted working day", w.Date, name)
		}
	}
	return errors.Join(errs...)
}
