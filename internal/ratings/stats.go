package ratings

import (
	"context"
	"slices"

	"onestop/internal/apperr"
	"onestop/internal/calendar"
	"onestop/internal/clock"
	"onestop/internal/org"
	"onestop/internal/store"
)

// Figures are the published figures of DOMAIN.md §7 for a period: the
// number of ratings, the rating rate (decided cases rated by anyone /
// decided cases), the good-rating rate (not bad / ratings), the
// satisfaction rate (满意 and above / ratings), bad ratings, and the
// rectification and revisit rates of the bad ones.
type Figures struct {
	Key, Name        string
	Decided, Rated   int
	Ratings, Content int
	Bad              int
	Rectified        int // bad ratings whose rectification is closed
	Revisited        int // bad ratings revisited
	Rank             int
}

func rate(n, d int) *float64 {
	if d == 0 {
		return nil
	}
	v := float64(n) / float64(d)
	return &v
}

// RatingRate is Rated / Decided (nil without a decided case).
func (f Figures) RatingRate() *float64 { return rate(f.Rated, f.Decided) }

// GoodRate is the share of ratings that are not bad.
func (f Figures) GoodRate() *float64 { return rate(f.Ratings-f.Bad, f.Ratings) }

// SatisfactionRate is the share at 满意 or above.
func (f Figures) SatisfactionRate() *float64 { return rate(f.Content, f.Ratings) }

// RectifiedRate and RevisitRate are shares of the bad ratings.
func (f Figures) RectifiedRate() *float64 { return rate(f.Rectified, f.Bad) }

// RevisitRate is the share of bad ratings revisited.
func (f Figures) RevisitRate() *float64 { return rate(f.Revisited, f.Bad) }

// Rankings a supervision page cuts ratings by.
var Rankings = []string{"department", "window", "staff"}

// Report is a period's figures for the reader's scope, and a ranking.
type Report struct {
	From, To calendar.Date
	By       string
	Total    Figures
	Items    []Figures
}

// Stats answers the figures of [from, to] (Shanghai days) for a county's
// supervisor or leader, ranked by department, window or member of staff
// (satisfaction rate, then number of ratings). Ratings count by the day
// they were given; the rating rate's cases by the day they were decided.
func (s *Service) Stats(ctx context.Context, a org.Actor, from, to calendar.Date, by string) (*Report, error) {
	if (a.Role != org.Supervisor && a.Role != org.Leader) || !a.CountyWide() {
		return nil, apperr.New(apperr.Forbidden, "rating.supervision_only")
	}
	if !slices.Contains(Rankings, by) {
		return nil, apperr.Fields{"by": apperr.M("rating.by_invalid")}.Err()
	}
	lo, hi := from.Time(clock.Shanghai).UTC(), to.AddDays(1).Time(clock.Shanghai).UTC()
	rep := &Report{From: from, To: to, By: by}
	q := s.DB.Read()
	var w store.Where
	scope(&w, a, "c.department_id", "c.centre_id")
	w.Add("c.decided_at >= ? AND c.decided_at < ?", lo, hi)
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM ratings r WHERE r.case_id = c.id) THEN 1 ELSE 0 END), 0)
		FROM cases c`+w.String(), w.Args()...).Scan(&rep.Total.Decided, &rep.Total.Rated); err != nil {
		return nil, err
	}
	group := map[string][2]string{
		"department": {"CAST(r.department_id AS TEXT)", "dp.name"},
		"window":     {"CAST(COALESCE(r.window_id, 0) AS TEXT)", "COALESCE(ce.name || ' ' || w.number, '')"},
		"staff":      {"CAST(COALESCE(r.staff_id, 0) AS TEXT)", "COALESCE(st.name, '')"},
	}
	figs := func(key, name string) ([]Figures, error) {
		var w store.Where
		scope(&w, a, "r.department_id", "r.centre_id")
		w.Add("r.rated_at >= ? AND r.rated_at < ?", lo, hi)
		groupBy := ""
		if key != "''" {
			groupBy = " GROUP BY " + key + ", " + name
		}
		rows, err := q.QueryContext(ctx, `SELECT `+key+`, `+name+`, COUNT(*), COALESCE(SUM(CASE WHEN r.level >= `+itoa(Satisfied)+` THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN r.level <= `+itoa(Dissatisfied)+` THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN x.closed_at IS NOT NULL THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN x.revisited_at IS NOT NULL THEN 1 ELSE 0 END), 0)
			FROM ratings r JOIN departments dp ON dp.id = r.department_id JOIN centres ce ON ce.id = r.centre_id
			LEFT JOIN windows w ON w.id = r.window_id LEFT JOIN staff st ON st.id = r.staff_id
			LEFT JOIN rectifications x ON x.rating_id = r.id`+w.String()+groupBy, w.Args()...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []Figures
		for rows.Next() {
			var f Figures
			if err := rows.Scan(&f.Key, &f.Name, &f.Ratings, &f.Content, &f.Bad, &f.Rectified, &f.Revisited); err != nil {
				return nil, err
			}
			out = append(out, f)
		}
		return out, rows.Err()
	}
	tot, err := figs("''", "''")
	if err != nil {
		return nil, err
	}
	if len(tot) == 1 && tot[0].Ratings > 0 {
		d, r := rep.Total.Decided, rep.Total.Rated
		rep.Total = tot[0]
		rep.Total.Decided, rep.Total.Rated = d, r
	}
	g := group[by]
	if rep.Items, err = figs(g[0], g[1]); err != nil {
		return nil, err
	}
	slices.SortStableFunc(rep.Items, func(x, y Figures) int {
		sx, sy := *x.SatisfactionRate(), *y.SatisfactionRate()
		switch {
		case sx != sy && sx > sy:
			return -1
		case sx != sy:
			return 1
		}
		return y.Ratings - x.Ratings
	})
	for i := range rep.Items {
		rep.Items[i].Rank = i + 1
		if i > 0 && *rep.Items[i].SatisfactionRate() == *rep.Items[i-1].SatisfactionRate() && rep.Items[i].Ratings == rep.Items[i-1].Ratings {
			rep.Items[i].Rank = rep.Items[i-1].Rank
		}
	}
	return rep, nil
}
