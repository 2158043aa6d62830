package web

import (
	"net/http"

	"onestop/internal/org"
	"onestop/internal/tally"
)

// The supervision bulletin as JSON (issue 12 §4): the figures of a period
// per department, centre, township or county, read from the running
// totals (internal/tally). The printable page, the XLSX and the charts are
// built on the same tally.Bulletin.

func (s *Server) registerBulletinAPI() {
	s.handleReads("GET /api/v1/supervision/bulletin", access{Roles: []org.Role{org.Supervisor, org.Leader}, CountyWide: true}, s.apiBulletin)
}

// bulletinRow is one row of the JSON bulletin. Field names are the stable
// API (never renamed); satisfaction_rate is null when nobody rated.
type bulletinRow struct {
	Key              string       `json:"key"`
	Name             string       `json:"name"`
	County           string       `json:"county,omitempty"`
	Received         int          `json:"received"`
	ReceivedOnline   int          `json:"received_online"`
	Accepted         int          `json:"accepted"`
	Completed        int          `json:"completed"`
	OnTime           int          `json:"on_time"`
	Overdue          int          `json:"overdue"`
	CompletionRate   float64      `json:"completion_rate"`
	OnTimeRate       float64      `json:"on_time_rate"`
	OnlineRate       float64      `json:"online_rate"`
	AvgWorkingDays   float64      `json:"avg_working_days"`
	AvgPromisedDays  float64      `json:"avg_promised_days"`
	DeemedAccepted   int          `json:"deemed_accepted"`
	DeemedApproved   int          `json:"deemed_approved"`
	Anomalies        int          `json:"anomalies"`
	Orders           int          `json:"orders"`
	SatisfactionRate *float64     `json:"satisfaction_rate"`
	Ratings          int          `json:"ratings"`
	RatingsBad       int          `json:"ratings_bad"`
	Rank             int          `json:"rank,omitempty"`
	Prev             *bulletinRow `json:"prev"`
}

func bulletinJSON(r *tally.Row) *bulletinRow {
	if r == nil {
		return nil
	}
	return &bulletinRow{Key: r.Key, Name: r.Name, County: r.County, Received: r.Received, ReceivedOnline: r.ReceivedOnline,
		Accepted: r.Accepted, Completed: r.Completed, OnTime: r.OnTime, Overdue: r.Overdue, CompletionRate: r.CompletionRate,
		OnTimeRate: r.OnTimeRate, OnlineRate: r.OnlineRate, AvgWorkingDays: r.AvgWorkingDays, AvgPromisedDays: r.AvgPromisedDays,
		DeemedAccepted: r.DeemedAccepted, DeemedApproved: r.DeemedApproved, Anomalies: r.Anomalies, Orders: r.Orders,
		SatisfactionRate: r.SatisfactionRate, Ratings: r.Ratings, RatingsBad: r.RatingsBad, Rank: r.Rank, Prev: bulletinJSON(r.Prev)}
}

// bulletinQuery reads ?from=&to=&by=[&county=]: both days are required
// (a bulletin of "no period" is not "all time"); tally validates the rest.
func bulletinQuery(r *http.Request) (tally.Query, error) {
	q := readQuery(r)
	from, okF := q.Date("from")
	to, okT := q.Date("to")
	if !okF && !q.f.Has("from") {
		q.f.Add("from", "tally.from_required")
	}
	if !okT && !q.f.Has("to") {
		q.f.Add("to", "tally.to_required")
	}
	if err := q.Err(); err != nil {
		return tally.Query{}, err
	}
	return tally.Query{From: from, To: to, By: q.Text("by"), County: q.Text("county")}, nil
}

// apiBulletin answers {"items": [...], "total": N, "summary": {...}}:
// items are the groups in rank order, total their number (the usual
// list shape), summary the whole scope's figures with the previous
// period's.
func (s *Server) apiBulletin(w http.ResponseWriter, r *http.Request) error {
	q, err := bulletinQuery(r)
	if err != nil {
		return err
	}
	b, err := tally.Bulletin(r.Context(), s.DB, actor(r), q)
	if err != nil {
		return err
	}
	items := make([]*bulletinRow, len(b.Items))
	for i := range b.Items {
		items[i] = bulletinJSON(&b.Items[i])
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": len(items), "summary": bulletinJSON(&b.Total),
		"from": b.Query.From, "to": b.Query.To, "by": b.Query.By, "county": b.Query.County})
}
