package web

import (
	"html/template"
	"math"

	"onestop/internal/calendar"
	"onestop/internal/chart"
	"onestop/internal/tally"
)

// monthsOf lists the month keys from from's month to to's ("2026-01" …),
// so a month without any figure still has its place on a trend.
func monthsOf(from, to calendar.Date) []string {
	var out []string
	for d := (calendar.Date{Year: from.Year, Month: from.Month, Day: 1}); !d.After(to); {
		out = append(out, tally.MonthKey(d))
		if d.Month == 12 {
			d = calendar.Date{Year: d.Year + 1, Month: 1, Day: 1}
		} else {
			d = calendar.Date{Year: d.Year, Month: d.Month + 1, Day: 1}
		}
	}
	return out
}

// trendCharts draws months as two line charts: received and completed
// (counts), and the on-time rate (a share, absent in a month that
// completed nothing).
func (p *Page) trendCharts(id string, rows []tally.Row, keys []string) (counts, rates template.HTML) {
	byKey := map[string]tally.Row{}
	for _, r := range rows {
		byKey[r.Key] = r
	}
	recv := chart.Series{Name: p.T("bulletin.col.received")}
	done := chart.Series{Name: p.T("bulletin.col.completed")}
	onTime := chart.Series{Name: p.T("bulletin.col.on_time_rate")}
	for _, k := range keys {
		r := byKey[k]
		recv.Values = append(recv.Values, float64(r.Received))
		done.Values = append(done.Values, float64(r.Completed))
		if r.Completed == 0 {
			onTime.Values = append(onTime.Values, math.NaN())
		} else {
			onTime.Values = append(onTime.Values, r.OnTimeRate)
		}
	}
	c := chart.Lines{ID: id + "-counts", Title: p.T("bulletin.chart.trend"), Desc: p.T("bulletin.chart.trend_desc"),
		Points: keys, Series: []chart.Series{recv, done}, Format: chart.Number, Empty: p.T("bulletin.none")}
	rt := chart.Lines{ID: id + "-rate", Title: p.T("bulletin.chart.trend_rate"), Desc: p.T("bulletin.chart.trend_rate_desc"),
		Points: keys, Series: []chart.Series{onTime}, Max: 1, Format: Percent, Empty: p.T("bulletin.none")}
	// The chart package escapes every text it writes.
	return template.HTML(c.SVG()), template.HTML(rt.SVG())
}
