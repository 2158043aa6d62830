package web

import (
	"fmt"
	"strconv"
	"time"

	"onestop/internal/calendar"
	"onestop/internal/clock"
)

// The formatters templates show amounts and dates with, one of each, so
// every page writes them alike (docs/ARCHITECTURE.md §5a).

// Yuan shows an amount in fen to people: "¥80.00", "¥1,234.50", and a
// negative one (a refund) as "-¥12.50", the sign before the currency
// sign as Chinese accounts write it.
func (p *Page) Yuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign = "-"
	}
	whole := strconv.FormatUint(absFen(fen)/100, 10)
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + "," + whole[i:]
	}
	return fmt.Sprintf("%s¥%s.%02d", sign, whole, absFen(fen)%100)
}

// absFen is |fen| without overflow at the smallest int64.
func absFen(fen int64) uint64 {
	if fen < 0 {
		return uint64(-(fen + 1)) + 1
	}
	return uint64(fen)
}

// CaseYuan and CatYuan are the names the templates knew Yuan by.
func (p *Page) CaseYuan(fen int64) string { return p.Yuan(fen) }
func (p *Page) CatYuan(fen int64) string  { return p.Yuan(fen) }

// Day shows a calendar day (a deadline, a date stored as a date) or the
// civil day of an instant in Shanghai: 2026年11月26日 on Chinese pages,
// 26 Nov 2026 on English ones. Nil and zero values show as "".
func (p *Page) Day(v any) string {
	d, ok := deref[calendar.Date](v)
	if !ok {
		tm, ok := instant(v)
		if !ok {
			return ""
		}
		// A date stored as a date reads back as midnight UTC, which is
		// 08:00 the same day in Shanghai: no special case is needed.
		d = clock.Today(tm)
	}
	if d.IsZero() {
		return ""
	}
	if p.Lang == "en" {
		return d.Time(time.UTC).Format("2 Jan 2006")
	}
	return fmt.Sprintf("%d年%d月%d日", d.Year, int(d.Month), d.Day)
}

// CaseDay and CatDay are the names the templates knew Day by.
func (p *Page) CaseDay(v any) string { return p.Day(v) }
func (p *Page) CatDay(v any) string  { return p.Day(v) }

// Date shows an instant with its time of day in Shanghai:
// 2026年11月26日 09:30, or 26 Nov 2026 09:30 in English.
func (p *Page) Date(t any) string {
	tm, ok := instant(t)
	if !ok {
		return ""
	}
	tm = tm.In(clock.Shanghai)
	if p.Lang == "en" {
		return tm.Format("2 Jan 2006 15:04")
	}
	return tm.Format("2006年1月2日 15:04")
}

// instant reads a template argument that may be a time.Time or a
// *time.Time; false for nil, zero or anything else.
func instant(v any) (time.Time, bool) {
	tm, ok := deref[time.Time](v)
	return tm, ok && !tm.IsZero()
}

// deref reads a template argument given as a T or a *T; false for a nil
// pointer or another type.
func deref[T any](v any) (T, bool) {
	switch x := v.(type) {
	case T:
		return x, true
	case *T:
		if x != nil {
			return *x, true
		}
	}
	var zero T
	return zero, false
}

// Percent shows a share (0..1) as a percentage with one decimal: 95.2%.
// Rates on the supervision pages, their charts and the API's words all
// go through it.
func Percent(v float64) string { return strconv.FormatFloat(v*100, 'f', 1, 64) + "%" }

// Decimal shows an average (working days) with one decimal: 3.5.
func Decimal(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// Count shows a whole number with thousands separators: 98,883.
func Count(n int) string {
	sign := ""
	if n < 0 {
		sign = "-"
	}
	whole := strconv.FormatUint(absFen(int64(n)), 10)
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + "," + whole[i:]
	}
	return sign + whole
}
