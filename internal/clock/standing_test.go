package clock

import (
	"testing"

	"onestop/internal/calendar"
)

func TestStand(t *testing.T) {
	d := calendar.MustParseDate
	fri, sat, mon, wed := d("2026-11-06"), d("2026-11-07"), d("2026-11-09"), d("2026-11-04")
	cases := []struct {
		name    string
		decided *calendar.Date
		today   calendar.Date
		want    Standing
	}{
		{"two days left", nil, wed, Standing{Light: Green, Left: 2}},
		{"the day itself", nil, fri, Standing{Light: Yellow, Left: 0}},
		// The Saturday after a Friday deadline: red although 0 working days passed.
		{"the weekend after", nil, sat, Standing{Light: Red, Left: 0}},
		{"a working day after", nil, mon, Standing{Light: Red, Left: -1}},
		{"decided on the day", &fri, mon, Standing{Decided: true}},
		{"decided on the weekend after", &sat, mon, Standing{Decided: true, Late: true}},
		{"decided a working day late", &mon, d("2026-12-01"), Standing{Decided: true, Late: true, LateDays: 1}},
	}
	for _, c := range cases {
		if got := Stand(nil, fri, c.decided, c.today, DefaultLightRule); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}
