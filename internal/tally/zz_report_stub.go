// STUB for branch i12-report only, until i12-totals is merged: the agreed
// API shape, answering nothing. Deleted when i12-totals is merged.
package tally

import (
	"context"

	"onestop/internal/calendar"
	"onestop/internal/org"
	"onestop/internal/store"
)

type Query struct {
	From, To calendar.Date
	By       string
	County   string
}

type Row struct {
	Key, Name, County                                 string
	Received, Accepted, Completed, OnTime, Overdue    int
	CompletionRate, OnTimeRate, OnlineRate            float64
	AvgWorkingDays, AvgPromisedDays                   float64
	DeemedAccepted, DeemedApproved, Anomalies, Orders int
	SatisfactionRate                                  *float64
	Rank                                              int
	Prev                                              *Row
}

type Bulletin struct {
	Query Query
	Items []Row
	Total Row
}

func Bulletins(ctx context.Context, db *store.DB, a org.Actor, q Query) (*Bulletin, error) {
	return &Bulletin{Query: q}, nil
}

func Months(ctx context.Context, db *store.DB, a org.Actor, from, to calendar.Date, county string) ([]Row, error) {
	return nil, nil
}
