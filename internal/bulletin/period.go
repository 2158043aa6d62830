// Package bulletin is supervision's output: the period a bulletin covers,
// the workbook it downloads as, and the bulletins a supervisor publishes
// for everyone to read on the portal. The figures themselves come from
// internal/tally's running totals.
package bulletin

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/calendar"
	"onestop/internal/tally"
)

// Kind is the sort of period: the county's calendar of checks is monthly
// bulletins, quarterly checks, half-year assessments and the year-end one
// (docs/DOMAIN.md §1), plus any range a supervisor asks for.
type Kind string

// The kinds of period.
const (
	Month   Kind = "month"
	Quarter Kind = "quarter"
	Half    Kind = "half"
	Year    Kind = "year"
	Range   Kind = "range"
)

// Period is the days a bulletin covers, both ends included.
type Period struct {
	Kind     Kind
	Year     int // month, quarter, half, year
	N        int // the month 1–12, quarter 1–4 or half 1–2; 1 for a year
	From, To calendar.Date
}

// Code is the period as the picker and the links name it: 2026-03,
// 2026-Q1, 2026-H1, 2026, or "" for a range (which from and to carry).
func (p Period) Code() string {
	switch p.Kind {
	case Month:
		return fmt.Sprintf("%04d-%02d", p.Year, p.N)
	case Quarter:
		return fmt.Sprintf("%04d-Q%d", p.Year, p.N)
	case Half:
		return fmt.Sprintf("%04d-H%d", p.Year, p.N)
	case Year:
		return fmt.Sprintf("%04d", p.Year)
	}
	return ""
}

// Issue is the bulletin's number in its year (第X期): the month's,
// quarter's or half's ordinal; a year's bulletin is its year's only
// issue; a range has none (0).
func (p Period) Issue() int {
	if p.Kind == Range {
		return 0
	}
	return p.N
}

// Days is the length of the period in calendar days.
func (p Period) Days() int { return p.From.DaysUntil(p.To) + 1 }

// The years a period may lie in: before 2000 no case exists in any
// OneStop database, and a date far in the future is a typing mistake.
const (
	firstYear = 2000
	lastYear  = 2100
	// A range is at most what the running totals answer (a year).
	maxRangeDays = tally.MaxSpanDays
)

var (
	monthRE   = regexp.MustCompile(`^(\d{4})-(\d{2})$`)
	quarterRE = regexp.MustCompile(`^(\d{4})-[Qq]([1-4])$`)
	halfRE    = regexp.MustCompile(`^(\d{4})-[Hh]([12])$`)
	yearRE    = regexp.MustCompile(`^(\d{4})$`)
)

// MonthOf is the calendar month holding d.
func MonthOf(d calendar.Date) Period { return monthPeriod(d.Year, int(d.Month)) }

func monthPeriod(y, m int) Period {
	from := calendar.Date{Year: y, Month: time.Month(m), Day: 1}
	return Period{Kind: Month, Year: y, N: m, From: from, To: lastDay(from, 1)}
}

// lastDay is the day before the first of the month n months after from's.
func lastDay(from calendar.Date, months int) calendar.Date {
	t := time.Date(from.Year, from.Month+time.Month(months), 1, 0, 0, 0, 0, time.UTC)
	return calendar.DateOf(t, time.UTC).AddDays(-1)
}

// Parse reads a period from the picker: code names a month, quarter, half
// or year; from and to (YYYY-MM-DD) a range and win over code when either
// is given. Nothing at all is the month holding today. Problems are field
// errors under the parameter's name.
func Parse(code, from, to string, today calendar.Date) (Period, error) {
	f := apperr.Fields{}
	if from != "" || to != "" {
		var p Period
		p.Kind = Range
		for _, v := range []struct {
			name, s string
			d       *calendar.Date
		}{{"from", from, &p.From}, {"to", to, &p.To}} {
			if v.s == "" {
				f.Add(v.name, "bulletin.need_both")
				continue
			}
			d, err := calendar.ParseDate(v.s)
			if err != nil || d.Year < firstYear || d.Year > lastYear {
				f.Add(v.name, "bulletin.bad_day")
				continue
			}
			*v.d = d
		}
		if len(f) == 0 {
			switch {
			case p.From.After(p.To):
				f.Add("to", "bulletin.to_before_from")
			case p.Days() > maxRangeDays:
				f.Add("to", "bulletin.range_too_long")
			}
		}
		return p, f.Err()
	}
	if code == "" {
		return MonthOf(today), nil
	}
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	var p Period
	switch {
	case monthRE.MatchString(code):
		m := monthRE.FindStringSubmatch(code)
		y, n := atoi(m[1]), atoi(m[2])
		if n < 1 || n > 12 {
			f.Add("period", "bulletin.bad_period")
			return p, f.Err()
		}
		p = monthPeriod(y, n)
	case quarterRE.MatchString(code):
		m := quarterRE.FindStringSubmatch(code)
		y, n := atoi(m[1]), atoi(m[2])
		from := calendar.Date{Year: y, Month: time.Month(3*n - 2), Day: 1}
		p = Period{Kind: Quarter, Year: y, N: n, From: from, To: lastDay(from, 3)}
	case halfRE.MatchString(code):
		m := halfRE.FindStringSubmatch(code)
		y, n := atoi(m[1]), atoi(m[2])
		from := calendar.Date{Year: y, Month: time.Month(6*n - 5), Day: 1}
		p = Period{Kind: Half, Year: y, N: n, From: from, To: lastDay(from, 6)}
	case yearRE.MatchString(code):
		y := atoi(code)
		from := calendar.Date{Year: y, Month: time.January, Day: 1}
		p = Period{Kind: Year, Year: y, N: 1, From: from, To: lastDay(from, 12)}
	default:
		f.Add("period", "bulletin.bad_period")
		return p, f.Err()
	}
	if p.Year < firstYear || p.Year > lastYear {
		f.Add("period", "bulletin.bad_period")
	}
	return p, f.Err()
}

// FromRange is the period of a stored bulletin: its kind and days.
func FromRange(kind Kind, from, to calendar.Date) Period {
	p := Period{Kind: kind, From: from, To: to, Year: from.Year}
	switch kind {
	case Month:
		p.N = int(from.Month)
	case Quarter:
		p.N = (int(from.Month)-1)/3 + 1
	case Half:
		p.N = (int(from.Month)-1)/6 + 1
	case Year:
		p.N = 1
	}
	return p
}

// Choices are the periods the picker offers, newest first: the last 24
// months, 8 quarters, 4 halves and 3 years up to the one holding today.
func Choices(today calendar.Date) (months, quarters, halves, years []Period) {
	y, m := today.Year, int(today.Month)
	for i := 0; i < 24; i++ {
		months = append(months, monthPeriod(y, m))
		if m--; m == 0 {
			y, m = y-1, 12
		}
	}
	y, q := today.Year, (int(today.Month)-1)/3+1
	for i := 0; i < 8; i++ {
		p, _ := Parse(fmt.Sprintf("%04d-Q%d", y, q), "", "", today)
		quarters = append(quarters, p)
		if q--; q == 0 {
			y, q = y-1, 4
		}
	}
	y, h := today.Year, (int(today.Month)-1)/6+1
	for i := 0; i < 4; i++ {
		p, _ := Parse(fmt.Sprintf("%04d-H%d", y, h), "", "", today)
		halves = append(halves, p)
		if h--; h == 0 {
			y, h = y-1, 2
		}
	}
	for i := 0; i < 3; i++ {
		p, _ := Parse(fmt.Sprintf("%04d", today.Year-i), "", "", today)
		years = append(years, p)
	}
	return
}
