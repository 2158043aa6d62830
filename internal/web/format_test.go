package web

import (
	"math"
	"testing"
	"time"

	"onestop/internal/calendar"
	"onestop/internal/payments"
)

// Amounts read the same on every page, positive or negative, and never
// lose a fen.
func TestYuan(t *testing.T) {
	p := &Page{Lang: "zh-CN"}
	for _, tc := range []struct {
		fen  int64
		want string
	}{
		{0, "¥0.00"},
		{5, "¥0.05"},
		{8000, "¥80.00"},
		{1250, "¥12.50"},
		{123456, "¥1,234.56"},
		{100000000, "¥1,000,000.00"},
		{-5, "-¥0.05"},
		{-150, "-¥1.50"},
		{-123456, "-¥1,234.56"},
		{math.MinInt64, "-¥92,233,720,368,547,758.08"},
		{math.MaxInt64, "¥92,233,720,368,547,758.07"},
	} {
		if got := p.Yuan(tc.fen); got != tc.want {
			t.Errorf("Yuan(%d) = %q, want %q", tc.fen, got, tc.want)
		}
		// The names the templates use give the same text.
		if p.CaseYuan(tc.fen) != p.Yuan(tc.fen) || p.CatYuan(tc.fen) != p.Yuan(tc.fen) {
			t.Errorf("CaseYuan/CatYuan(%d) differ from Yuan", tc.fen)
		}
	}
	// The plain form round-trips through the form parser.
	for _, fen := range []int64{0, 5, 8000, 1250, 123456} {
		if got, ok := payments.ParseYuan(payments.FormatYuan(fen)); !ok || got != fen {
			t.Errorf("payments.ParseYuan(payments.FormatYuan(%d)) = %d, %v", fen, got, ok)
		}
	}
}

// A day is the same day whatever it is handed as, in Shanghai.
func TestDay(t *testing.T) {
	zh, en := &Page{Lang: "zh-CN"}, &Page{Lang: "en"}
	d := calendar.Date{Year: 2026, Month: time.November, Day: 26}
	late := time.Date(2026, 11, 25, 16, 30, 0, 0, time.UTC) // 00:30 on the 26th in Shanghai
	stored := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC) // a date column read back
	for _, v := range []any{d, &d, late, &late, stored} {
		if got := zh.Day(v); got != "2026年11月26日" {
			t.Errorf("zh Day(%v) = %q", v, got)
		}
		if got := en.Day(v); got != "26 Nov 2026" {
			t.Errorf("en Day(%v) = %q", v, got)
		}
		if zh.CaseDay(v) != zh.Day(v) || zh.CatDay(v) != zh.Day(v) {
			t.Errorf("CaseDay/CatDay(%v) differ from Day", v)
		}
	}
	var nilDate *calendar.Date
	var nilTime *time.Time
	for _, v := range []any{nil, nilDate, nilTime, time.Time{}, calendar.Date{}, "2026-11-26"} {
		if got := zh.Day(v); got != "" {
			t.Errorf("Day(%#v) = %q, want empty", v, got)
		}
	}
	if got := zh.Date(late); got != "2026年11月26日 00:30" {
		t.Errorf("Date = %q", got)
	}
	if got := en.Date(late); got != "26 Nov 2026 00:30" {
		t.Errorf("en Date = %q", got)
	}
}
