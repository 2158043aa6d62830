// Package assessment computes a centre's assessments (考核, issue 15 §6,
// DOMAIN.md §1 and §26): the quarterly check (季度检查), the half-year
// assessment (半年考核) and the year-end assessment (年度考核) of its
// windows, people and departments, by weighted indicators, graded 优秀,
// 良好, 合格 or 不合格 (DOMAIN.md §6). A stored assessment keeps the weights,
// thresholds and counts it was computed from, and computing it again at
// any later date from the record gives the same values.
package assessment

import "math"

// Input is the counts behind one indicator's value for one subject: the
// value is Num/Den (a share) or Num itself (a count, Den 0). They are
// stored with the assessment so that a recomputation can be compared
// count for count.
type Input struct {
	Num int `json:"num"`
	Den int `json:"den"`
}

// Indicator is one registered indicator. Compute answers the counts for a
// subject over a record, and ok false when the record holds nothing to
// judge by ("no data": the indicator's weight is then shared among the
// others, and the report says so). Points maps the value to 0–100.
type Indicator struct {
	Code string
	// Label is the locale key of its name (assessment.*.toml).
	Label string
	// HigherIsBetter tells the reader which way the value points.
	HigherIsBetter bool
	// Count marks a value that is Num itself, not a share.
	Count   bool
	Compute func(r *Record, s Subject) (Input, bool)
	Points  func(v float64) float64
}

// Value is the indicator's value of in: a share or a count.
func (ind Indicator) Value(in Input) float64 {
	if ind.Count {
		return float64(in.Num)
	}
	if in.Den == 0 {
		return 0
	}
	return float64(in.Num) / float64(in.Den)
}

// Indicator codes. These names are stored in weights and results: extend,
// never rename.
const (
	OnTime       = "on_time"
	Satisfaction = "satisfaction"
	Rectified    = "rectified"
	Attendance   = "attendance"
	Waiting      = "waiting"
	Anomalies    = "anomalies"
	Orders       = "orders"
	Duty         = "duty"
)

// WaitFull and WaitZero bound the waiting-time indicator's points: a mean
// wait up to WaitFull seconds scores 100, from WaitZero none.
const (
	WaitFull = 15 * 60
	WaitZero = 60 * 60
)

// share is 100 points for a share of 1, linearly: every case, rating or
// day counts the same, so a point lost is the same loss everywhere.
func share(v float64) float64 { return clamp(100 * v) }

func clamp(p float64) float64 { return math.Max(0, math.Min(100, p)) }

// Registry lists the indicators in report order.
var Registry = []Indicator{
	// 按时办结率: cases completed in the period, on time by the bulletin's
	// rule (tally.Late: decided on or before the promised deadline).
	{Code: OnTime, Label: "assessment.ind.on_time", HigherIsBetter: true, Points: share,
		Compute: func(r *Record, s Subject) (Input, bool) {
			var in Input
			for _, c := range r.Cases {
				if c.Completed && r.has(s, c.DepartmentID, r.windowOf(c.StaffID), c.StaffID) {
					in.Den++
					if c.OnTime {
						in.Num++
					}
				}
			}
			return in, in.Den > 0
		}},
	// 满意率: ratings given in the period at 满意 or above (ratings.Content),
	// the bulletin's satisfaction rate. Nobody rated is no data, never 100%.
	{Code: Satisfaction, Label: "assessment.ind.satisfaction", HigherIsBetter: true, Points: share,
		Compute: func(r *Record, s Subject) (Input, bool) {
			return r.ratingShare(s, r.Ratings, func(x RatingFact) bool { return x.Content })
		}},
	// 差评整改及时率: bad reviews whose rectification was due in the period
	// (fix_due inside it), the share fixed or explained by that day. Counting
	// by the due day puts each bad review in exactly one period and makes
	// "in time" known at the period's end.
	{Code: Rectified, Label: "assessment.ind.rectified", HigherIsBetter: true, Points: share,
		Compute: func(r *Record, s Subject) (Input, bool) {
			return r.ratingShare(s, r.BadReviews, func(x RatingFact) bool { return x.InTime })
		}},
	// 出勤率: the attendance sheets' own day rule (attendance.PeriodTotals,
	// docs/DOMAIN.md §22): days present and neither late nor early ÷
	// working days not on approved leave, summed over the subject's people
	// who are expected to punch (a window's, a department's members when
	// the assessment was run). A late arrival, an early leave or an
	// absence costs its day; approved leave leaves the day out.
	{Code: Attendance, Label: "assessment.ind.attendance", HigherIsBetter: true, Points: share,
		Compute: func(r *Record, s Subject) (Input, bool) {
			var in Input
			for _, m := range r.Members {
				t, ok := r.Attendance[m.StaffID]
				if ok && r.has(s, m.DepartmentID, m.WindowID, m.StaffID) {
					in.Den += t.WorkingDays - t.Leave
					in.Num += t.OK
				}
			}
			return in, in.Den > 0
		}},
	// 平均等候时长: the queue's mean wait (issued → first call) at the
	// window or the department's windows, in seconds. Full points up to
	// 15 minutes, none from 60, linearly between: a local choice (no
	// national rule fixes a waiting time; docs/DOMAIN.md §26). A person is
	// not scored on it — the line waits for the window, not for one clerk.
	{Code: Waiting, Label: "assessment.ind.waiting", HigherIsBetter: false,
		Points: func(v float64) float64 { return clamp(100 * (WaitZero - v) / (WaitZero - WaitFull)) },
		Compute: func(r *Record, s Subject) (Input, bool) {
			in := r.Waits[s.Level][s.ID]
			return in, in.Den > 0
		}},
	// 异常数: supervision anomalies raised in the period per 100 cases
	// received in it. 10 points off per anomaly per 100 cases: one case in
	// ten breaking procedure fails the indicator outright.
	{Code: Anomalies, Label: "assessment.ind.anomalies", HigherIsBetter: false,
		Points: func(v float64) float64 { return clamp(100 - 10*100*v) },
		Compute: func(r *Record, s Subject) (Input, bool) {
			var in Input
			for _, c := range r.Cases {
				if c.Received && r.has(s, c.DepartmentID, r.windowOf(c.StaffID), c.StaffID) {
					in.Den++
				}
			}
			for _, x := range r.Anomalies {
				if r.has(s, x.DepartmentID, r.windowOf(x.StaffID), x.StaffID) {
					in.Num++
				}
			}
			return in, in.Den > 0
		}},
	// 整改通知书: correction orders issued to the department in the period.
	// An order is addressed to a department, never to a window or person,
	// so those levels have no data. 25 points off per order: four orders
	// in one period is failing.
	{Code: Orders, Label: "assessment.ind.orders", HigherIsBetter: false, Count: true,
		Points: func(v float64) float64 { return clamp(100 - 25*v) },
		Compute: func(r *Record, s Subject) (Input, bool) {
			if s.Level != Department {
				return Input{}, false
			}
			in := Input{}
			for _, d := range r.Orders {
				if d == s.ID {
					in.Num++
				}
			}
			return in, true
		}},
	// 一把手值守: the department head's window duty over the period's
	// months (docs/DOMAIN.md §25–26): required days met ÷ required days,
	// each month's recorded days counted up to its requirement (sitting
	// more in one month does not make up for another). The head and the
	// requirement are those in force at each month's end. Only a
	// department has a head: windows and people have no data, and so has a
	// department with no head named in any month of the period.
	{Code: Duty, Label: "assessment.ind.duty", HigherIsBetter: true, Points: share,
		Compute: func(r *Record, s Subject) (Input, bool) {
			in, ok := r.Duty[s.ID]
			return in, ok && s.Level == Department && in.Den > 0
		}},
}

// ratingShare is the share of s's ratings that hit: no data when s has
// none.
func (r *Record) ratingShare(s Subject, facts []RatingFact, hit func(RatingFact) bool) (Input, bool) {
	var in Input
	for _, x := range facts {
		if r.has(s, x.DepartmentID, x.WindowID, x.StaffID) {
			in.Den++
			if hit(x) {
				in.Num++
			}
		}
	}
	return in, in.Den > 0
}

// Lookup finds a registered indicator.
func Lookup(code string) (Indicator, bool) {
	for _, ind := range Registry {
		if ind.Code == code {
			return ind, true
		}
	}
	return Indicator{}, false
}
