// Package calendar counts working days the way Chinese administrative law
// does: Monday to Friday, minus the public holidays the State Council
// announces each year, plus the weekend days it declares working days (调休).
//
// It has no database and no dependency on the rest of OneStop, so the case
// engine, the supervision sweep and the admin pages can all share one
// definition of "working day".
package calendar

import (
	"fmt"
	"time"
)

// Date is a civil calendar day. It carries no time zone on purpose: a legal
// deadline is "the end of 2026-03-19", not an instant, and comparing instants
// from different zones is how off-by-one-day deadlines are born. Convert an
// instant with DateOf and an explicit zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate reads the ISO form "2006-01-02". It is strict (exactly ten
// characters, years 0001–9999, a real day of the month) because dates come
// from forms and the admin's holiday table, where a lenient parser would turn
// typos into wrong deadlines.
func ParseDate(s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, fmt.Errorf("calendar: date %q is not in the form YYYY-MM-DD", s)
	}
	y, ok1 := digits(s[0:4])
	m, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 {
		return Date{}, fmt.Errorf("calendar: date %q is not in the form YYYY-MM-DD", s)
	}
	if y < 1 {
		return Date{}, fmt.Errorf("calendar: date %q: year must be 0001 or later", s)
	}
	if m < 1 || m > 12 {
		return Date{}, fmt.Errorf("calendar: date %q: month %d out of range", s, m)
	}
	if d < 1 || d > daysIn(y, time.Month(m)) {
		return Date{}, fmt.Errorf("calendar: date %q: %s %d has no day %d", s, time.Month(m), y, d)
	}
	return Date{y, time.Month(m), d}, nil
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// MustParseDate is ParseDate for literals in code and tests.
func MustParseDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// DateOf returns the civil day of t as seen in loc. A nil loc means t's own
// location, so callers who already converted do not have to repeat it.
func DateOf(t time.Time, loc *time.Location) Date {
	if loc != nil {
		t = t.In(loc)
	}
	y, m, d := t.Date()
	return Date{y, m, d}
}

// String formats the date as YYYY-MM-DD.
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// IsZero reports whether d is the zero Date, which stands for "no date"
// (it is also what `json:",omitzero"` checks).
func (d Date) IsZero() bool { return d == Date{} }

// Valid reports whether d names a real day (years 1–9999, as ParseDate).
func (d Date) Valid() bool {
	return d.Year >= 1 && d.Year <= 9999 && d.Month >= 1 && d.Month <= 12 &&
		d.Day >= 1 && d.Day <= daysIn(d.Year, d.Month)
}

// AddDays moves by n calendar days. Out-of-range fields are normalised the
// same way time.Date does it (February 30 is March 2 or 1).
func (d Date) AddDays(n int) Date { return fromDayNum(d.dayNum() + n) }

// Weekday returns the day of the week.
func (d Date) Weekday() time.Weekday { return weekdayOf(d.dayNum()) }

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool { return d.compare(e) < 0 }

// After reports whether d is later than e.
func (d Date) After(e Date) bool { return d.compare(e) > 0 }

// Equal reports whether d and e are the same day.
func (d Date) Equal(e Date) bool { return d.compare(e) == 0 }

// Compare returns -1, 0 or +1, for slices.SortFunc and friends.
func (d Date) Compare(e Date) int { return d.compare(e) }

func (d Date) compare(e Date) int {
	switch {
	case d.Year != e.Year:
		return cmpInt(d.Year, e.Year)
	case d.Month != e.Month:
		return cmpInt(int(d.Month), int(e.Month))
	default:
		return cmpInt(d.Day, e.Day)
	}
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// DaysUntil returns the number of calendar days from d to e (negative when e
// is earlier).
func (d Date) DaysUntil(e Date) int { return e.dayNum() - d.dayNum() }

// Time returns midnight at the start of d in loc (UTC when loc is nil).
func (d Date) Time(loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// MarshalText writes YYYY-MM-DD, and the empty string for the zero Date so a
// missing date stays distinguishable from a real one in JSON and forms.
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return []byte{}, nil
	}
	if !d.Valid() {
		return nil, fmt.Errorf("calendar: cannot marshal invalid date %s", d)
	}
	return []byte(d.String()), nil
}

// UnmarshalText accepts what MarshalText writes.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysIn(y int, m time.Month) int {
	switch m {
	case time.February:
		if isLeap(y) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// Day numbers (days since 1970-01-01) let the counting loops step with an
// integer increment instead of normalising a Date every day. The conversions
// are Howard Hinnant's days_from_civil / civil_from_days.

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func dayNumber(y int, m time.Month, d int) int {
	mm := int(m)
	// Normalise the month first so AddDays on a hand-built Date behaves like
	// time.Date instead of producing nonsense.
	y += floorDiv(mm-1, 12)
	mm = (mm - 1) - floorDiv(mm-1, 12)*12 + 1
	if mm <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := (mm + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func (d Date) dayNum() int { return dayNumber(d.Year, d.Month, d.Day) }

func fromDayNum(z int) Date {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if mp >= 10 {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return Date{y, time.Month(m), d}
}

// 1970-01-01 was a Thursday.
func weekdayOf(dn int) time.Weekday {
	return time.Weekday((dn%7 + 7 + 4) % 7)
}

func isWeekend(w time.Weekday) bool { return w == time.Saturday || w == time.Sunday }

// FromColumn reads a DATE column as either database driver returns it: a
// time at midnight UTC (PostgreSQL; SQLite when the driver parses a
// declared DATE) or text that starts with the ISO date. ok is false for
// NULL or anything else.
func FromColumn(v any) (d Date, ok bool) {
	switch x := v.(type) {
	case time.Time:
		return DateOf(x, time.UTC), true
	case string:
		if len(x) >= 10 {
			d, err := ParseDate(x[:10])
			return d, err == nil
		}
	case []byte:
		return FromColumn(string(x))
	}
	return Date{}, false
}
