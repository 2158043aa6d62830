package org

import (
	"testing"
	"time"

	"onestop/internal/apperr"
)

// The portal shows the hours of the day's season, the day counted in
// Shanghai (docs/DOMAIN.md §11), both ends of the season included; a
// season may run over the new year.
func TestHoursOnFollowsTheSeason(t *testing.T) {
	c := Centre{Hours: "冬", SummerHours: "夏", SummerFrom: "07-01", SummerTo: "09-30"}
	sh := func(day string, hour int) time.Time {
		d, _ := time.Parse("2006-01-02", day)
		// hour o'clock in Shanghai, given in UTC
		return time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, time.UTC).Add(-8 * time.Hour)
	}
	for _, c2 := range []struct {
		at   time.Time
		want string
	}{
		{sh("2026-06-30", 23), "冬"}, {sh("2026-07-01", 0), "夏"}, {sh("2026-09-30", 23), "夏"}, {sh("2026-10-01", 0), "冬"},
	} {
		if got := c.HoursOn(c2.at); got != c2.want {
			t.Errorf("%v: %s, want %s", c2.at, got, c2.want)
		}
	}
	winter := Centre{Hours: "平时", SummerHours: "冬令", SummerFrom: "11-15", SummerTo: "02-28"}
	for day, want := range map[string]string{"2026-12-31": "冬令", "2027-01-10": "冬令", "2027-03-01": "平时", "2026-11-14": "平时"} {
		if got := winter.HoursOn(sh(day, 12)); got != want {
			t.Errorf("%s: %s, want %s", day, got, want)
		}
	}
	if got := (Centre{Hours: "全年"}).HoursOn(sh("2026-08-01", 12)); got != "全年" {
		t.Errorf("no summer: %s", got)
	}
}

// A season's day is MM-DD and a real day (02-29 included); anything else
// is a field error.
func TestMonthDay(t *testing.T) {
	for v, ok := range map[string]bool{"07-01": true, "02-29": true, "12-31": true, "": true, "13-01": false, "02-30": false, "7-1": false, "0701": false, "07/01": false} {
		f := apperr.Fields{}
		monthDay(f, "d", v)
		if f.Has("d") == ok {
			t.Errorf("%q: error %v, want ok %v", v, f.Has("d"), ok)
		}
	}
}
