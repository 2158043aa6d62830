package calendar

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	base := func() YearData {
		return YearData{
			Year:     2026,
			Source:   "test",
			Holidays: []Period{{"春节", d("2026-02-15"), d("2026-02-23")}},
			Workdays: []AdjustedDay{{d("2026-02-14"), "春节"}},
		}
	}
	if err := base().Validate(); err != nil {
		t.Fatalf("valid data refused: %v", err)
	}
	for _, y := range Builtin() {
		if err := y.Validate(); err != nil {
			t.Errorf("builtin %d: %v", y.Year, err)
		}
	}
	cases := []struct {
		name string
		edit func(*YearData)
		want []string // every fragment must appear in the error
	}{
		{"holiday outside the year", func(y *YearData) {
			y.Holidays = append(y.Holidays, Period{"元旦", d("2027-01-01"), d("2027-01-01")})
		}, []string{`2026: holiday "元旦" (2027-01-01 to 2027-01-01) lies outside the year 2026`}},
		{"holiday straddling New Year", func(y *YearData) {
			y.Holidays = append(y.Holidays, Period{"元旦", d("2026-12-31"), d("2027-01-01")})
		}, []string{"lies outside the year 2026"}},
		{"workday outside the year", func(y *YearData) {
			y.Workdays = append(y.Workdays, AdjustedDay{d("2025-12-28"), "元旦"})
		}, []string{"adjusted working day 2025-12-28 lies outside the year 2026"}},
		{"workday on a weekday", func(y *YearData) {
			y.Workdays = append(y.Workdays, AdjustedDay{d("2026-02-27"), "春节"})
		}, []string{"adjusted working day 2026-02-27 is a Friday; only a Saturday or Sunday"}},
		{"both holiday and workday", func(y *YearData) {
			y.Workdays = append(y.Workdays, AdjustedDay{d("2026-02-21"), "春节"})
		}, []string{`2026-02-21 is listed both as a holiday ("春节") and as an adjusted working day`}},
		{"overlapping holidays", func(y *YearData) {
			y.Holidays = append(y.Holidays, Period{"县庆", d("2026-02-23"), d("2026-02-24")})
		}, []string{`2026-02-23 is listed twice as a holiday (in "春节" and "县庆")`}},
		{"duplicate workday", func(y *YearData) {
			y.Workdays = append(y.Workdays, AdjustedDay{d("2026-02-14"), "春节"})
		}, []string{"adjusted working day 2026-02-14 is listed twice"}},
		{"period backwards", func(y *YearData) {
			y.Holidays = append(y.Holidays, Period{"国庆节", d("2026-10-07"), d("2026-10-01")})
		}, []string{"ends before it starts"}},
		{"no names", func(y *YearData) {
			y.Holidays[0].Name = ""
			y.Workdays[0].Name = ""
		}, []string{"holiday #1 (2026-02-15 to 2026-02-23) has no name", "adjusted working day 2026-02-14 has no holiday name"}},
		{"not a real date", func(y *YearData) {
			y.Workdays = append(y.Workdays, AdjustedDay{Date{2026, 2, 30}, "春节"})
		}, []string{"adjusted working day #2 (2026-02-30): not a real date"}},
		{"year out of range", func(y *YearData) { y.Year = 0 }, []string{"year 0 out of range"}},
		{"all problems at once", func(y *YearData) {
			y.Workdays = append(y.Workdays, AdjustedDay{d("2026-02-27"), "春节"}, AdjustedDay{d("2025-12-27"), "元旦"})
		}, []string{"is a Friday", "lies outside the year"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			y := base()
			tc.edit(&y)
			err := y.Validate()
			if err == nil {
				t.Fatal("Validate accepted bad data")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
		})
	}
}

func TestDaysRoundTrip(t *testing.T) {
	for _, y := range Builtin() {
		rows := y.Days()
		for i := 1; i < len(rows); i++ {
			if !rows[i-1].Date.Before(rows[i].Date) {
				t.Fatalf("%d: rows not sorted at %s", y.Year, rows[i].Date)
			}
		}
		// Rows in any order (a database returns what it likes).
		rev := make([]Day, len(rows))
		for i, r := range rows {
			rev[len(rows)-1-i] = r
		}
		back, err := YearFromDays(y.Year, y.Source, rev)
		if err != nil {
			t.Fatalf("%d: %v", y.Year, err)
		}
		if !reflect.DeepEqual(back.Holidays, y.Holidays) {
			t.Errorf("%d holidays:\n got %v\nwant %v", y.Year, back.Holidays, y.Holidays)
		}
		if len(back.Workdays) != len(y.Workdays) {
			t.Errorf("%d workdays: got %v", y.Year, back.Workdays)
		}
	}
	// Two adjacent blocks with different names stay apart; a gap splits a
	// block of one name.
	rows := []Day{
		{d("2026-09-25"), DayHoliday, "中秋节"}, {d("2026-09-26"), DayHoliday, "中秋节"},
		{d("2026-09-27"), DayHoliday, "国庆节"}, {d("2026-09-29"), DayHoliday, "国庆节"},
	}
	y, err := YearFromDays(2026, "", rows)
	if err != nil {
		t.Fatal(err)
	}
	want := []Period{{"中秋节", d("2026-09-25"), d("2026-09-26")}, {"国庆节", d("2026-09-27"), d("2026-09-27")},
		{"国庆节", d("2026-09-29"), d("2026-09-29")}}
	if !reflect.DeepEqual(y.Holidays, want) {
		t.Errorf("grouping: %v", y.Holidays)
	}
	_, err = YearFromDays(2026, "", []Day{{d("2026-03-02"), "vacation", "x"}, {d("2026-03-02"), DayWorkday, "x"}})
	if err == nil || !strings.Contains(err.Error(), `unknown kind "vacation"`) || !strings.Contains(err.Error(), "is a Monday") {
		t.Errorf("bad rows: %v", err)
	}
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) {
		t.Errorf("errors are not joined: %T", err)
	}
}
