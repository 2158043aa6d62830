package assessment

import (
	"math"
	"sort"
)

// Score is one indicator's part in a subject's score. Value and Points
// are nil when the record holds no data for it; Share is the indicator's
// weight after re-normalising over the indicators with data (weights of
// "no data" indicators are shared among the rest, and the report lists
// them), and Contribution is Points × Share.
type Score struct {
	Code         string   `json:"code"`
	Input        Input    `json:"input"`
	Value        *float64 `json:"value,omitempty"`
	Points       *float64 `json:"points,omitempty"`
	Weight       int      `json:"weight"`
	Share        float64  `json:"share"`
	Contribution float64  `json:"contribution"`
}

// Row is one subject's result.
type Row struct {
	Subject Subject  `json:"subject"`
	Scores  []Score  `json:"scores"`
	Score   *float64 `json:"score,omitempty"` // nil: no indicator had data
	Grade   string   `json:"grade,omitempty"`
	Rank    int      `json:"rank,omitempty"` // within its level; 0 without a score
	NoData  []string `json:"no_data,omitempty"`
}

// round2 keeps two decimals, what the report shows, so that stored and
// recomputed scores compare exactly.
func round2(v float64) float64 { return math.Round(v*100) / 100 }

// compute scores every subject over the record with the settings, and
// ranks each level by score (equal scores share a rank).
func compute(r *Record, subs []Subject, st Settings) []Row {
	out := make([]Row, 0, len(subs))
	for _, s := range subs {
		row := Row{Subject: s}
		total := 0
		for _, ind := range Registry {
			sc := Score{Code: ind.Code, Weight: st.Weights[ind.Code]}
			if ind.Compute != nil {
				if in, ok := ind.Compute(r, s); ok {
					v, p := round2(ind.Value(in)*10000)/10000, round2(ind.Points(ind.Value(in)))
					sc.Input, sc.Value, sc.Points = in, &v, &p
					total += sc.Weight
				}
			}
			if sc.Points == nil && sc.Weight > 0 {
				row.NoData = append(row.NoData, ind.Code)
			}
			row.Scores = append(row.Scores, sc)
		}
		if total > 0 {
			sum := 0.0
			for i := range row.Scores {
				sc := &row.Scores[i]
				if sc.Points == nil {
					continue
				}
				sc.Share = round2(100*float64(sc.Weight)/float64(total)) / 100
				sc.Contribution = round2(*sc.Points * float64(sc.Weight) / float64(total))
				sum += *sc.Points * float64(sc.Weight) / float64(total)
			}
			score := round2(sum)
			row.Score, row.Grade = &score, st.Grades.Of(score)
		}
		out = append(out, row)
	}
	rank(out)
	return out
}

// rank numbers each level's scored rows by score, highest first, equal
// scores sharing a rank (1, 2, 2, 4).
func rank(rows []Row) {
	for _, lv := range Levels {
		var idx []int
		for i := range rows {
			if rows[i].Subject.Level == lv && rows[i].Score != nil {
				idx = append(idx, i)
			}
		}
		sort.SliceStable(idx, func(a, b int) bool { return *rows[idx[a]].Score > *rows[idx[b]].Score })
		for k, i := range idx {
			rows[i].Rank = k + 1
			if k > 0 && *rows[i].Score == *rows[idx[k-1]].Score {
				rows[i].Rank = rows[idx[k-1]].Rank
			}
		}
	}
}
