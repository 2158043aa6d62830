package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/clock"
	"onestop/internal/org"
	"onestop/internal/ratings"
	"onestop/internal/store"
	"onestop/internal/supervision"
)

// MaxDemoRatings bounds the ratings seeded over the demo's history.
const MaxDemoRatings = 300

// SeedRatings rates some of the demo's decided cases of the last 90 days
// through the ratings service (好差评), as their applicants would: online
// cases on the portal, window cases by the receipt's QR link, mostly
// satisfied. The earliest online case is rated 非常不满意 and its
// rectification worked through to the supervisor's close with a revisit;
// the most recently decided case is rated 不满意 and its rectification
// left open. Deterministic for a seed; runs once (settings
// 'demo_ratings_done').
func SeedRatings(ctx context.Context, db *store.DB, seed int64, until time.Time) error {
	var done string
	err := db.R.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'demo_ratings_done'`).Scan(&done)
	if err == nil {
		return nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	var mu sync.Mutex
	now := until
	clk := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	set := func(t time.Time) { mu.Lock(); now = t; mu.Unlock() }
	eng := cases.New(db, &catalogue.Service{DB: db, Now: clk}, clk)
	supervision.Watch(eng, db, clk)
	// Without Text the service queues no text message: the history's
	// replies were sent long ago.
	svc := &ratings.Service{DB: db, Cases: eng, Now: clk}
	type decided struct {
		no, channel string
		applicant   int64
		dept        int64
		at          time.Time
	}
	rows, err := db.R.QueryContext(ctx, `SELECT no, channel, applicant_id, department_id, decided_at FROM cases
		WHERE decided_at IS NOT NULL AND decision <> '' AND decided_at >= $1 AND decided_at < $2 ORDER BY decided_at, id`,
		until.AddDate(0, 0, -90).UTC(), until.Add(-3*time.Hour).UTC())
	if err != nil {
		return err
	}
	var list []decided
	for rows.Next() {
		var d decided
		if err := rows.Scan(&d.no, &d.channel, &d.applicant, &d.dept, &d.at); err != nil {
			rows.Close()
			return err
		}
		list = append(list, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(list) < 2 {
		return nil
	}
	rater := func(d decided) (ratings.Rater, error) {
		if d.channel == "online" {
			return ratings.Rater{ApplicantID: d.applicant}, nil
		}
		c, err := eng.Get(ctx, cases.SystemActor, d.no)
		if err != nil {
			return ratings.Rater{}, err
		}
		tok, err := svc.QRToken(ctx, c)
		return ratings.Rater{Token: tok}, err
	}
	rate := func(d decided, at time.Time, in ratings.Input) (*ratings.Rating, error) {
		if at.After(until) {
			at = until
		}
		set(at)
		r, err := rater(d)
		if err != nil {
			return nil, err
		}
		return svc.Rate(ctx, r, d.no, in)
	}
	// The closed one: the earliest online (named) case.
	first := -1
	for i, d := range list {
		if d.channel == "online" {
			first = i
			break
		}
	}
	last := len(list) - 1
	rng := rand.New(rand.NewPCG(uint64(seed), 13))
	comments := []string{"窗口人员态度很好，讲解耐心。", "办理很快，一次办好。", "材料清单清楚，没有多跑。", ""}
	n := 0
	for i, d := range list {
		if i == first || i == last || n >= MaxDemoRatings || rng.IntN(100) >= 25 {
			continue
		}
		lv, r := ratings.VerySatisfied, rng.IntN(100)
		switch {
		case r >= 97:
			lv = ratings.Dissatisfied
		case r >= 90:
			lv = ratings.FairlySatisfied
		case r >= 60:
			lv = ratings.Satisfied
		}
		in := ratings.Input{Level: lv, Comment: comments[rng.IntN(len(comments))]}
		if ratings.Bad(lv) {
			in = ratings.Input{Level: lv, Reasons: []string{"slow"}, Comment: "等候时间较长。"}
		}
		if _, err := rate(d, d.at.Add(time.Duration(1+rng.IntN(40))*time.Hour), in); err != nil {
			return fmt.Errorf("demo rating %s: %w", d.no, err)
		}
		n++
	}
	if first >= 0 {
		if err := closedRectification(ctx, db, svc, list[first].no, list[first].dept, func(at time.Time) { set(at) }, list[first].at, until,
			func(at time.Time) (*ratings.Rating, error) {
				return rate(list[first], at, ratings.Input{Level: ratings.VeryDissatisfied, Reasons: []string{"attitude", "repeat_visits"},
					Comment: "第一次去窗口被告知材料不全，但之前网上没有说明，多跑了一趟。"})
			}); err != nil {
			return err
		}
	}
	if _, err := rate(list[last], list[last].at.Add(2*time.Hour), ratings.Input{Level: ratings.Dissatisfied, Reasons: []string{"slow"},
		Comment: "审批时间比承诺时限长，也没人主动告知进度。"}); err != nil {
		return fmt.Errorf("demo open rectification: %w", err)
	}
	_, err = db.W.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('demo_ratings_done', $1)`, clock.Today(until).String())
	return err
}

// closedRectification rates a case badly and works its rectification as
// the department's admin and the supervisor would: verify, fix, reply and
// revisit over the next working days, then close.
func closedRectification(ctx context.Context, db *store.DB, svc *ratings.Service, no string, dept int64, set func(time.Time),
	decided, until time.Time, rate func(time.Time) (*ratings.Rating, error)) error {
	r, err := rate(decided.Add(3 * time.Hour))
	if err != nil {
		return fmt.Errorf("demo closed rectification %s: %w", no, err)
	}
	os := &org.Service{DB: db, Now: time.Now}
	var username string
	if err := db.R.QueryRowContext(ctx, `SELECT username FROM staff WHERE role = 'dept_admin' AND department_id = $1 ORDER BY id LIMIT 1`, dept).Scan(&username); err != nil {
		return fmt.Errorf("demo: the admin of department %d: %w", dept, err)
	}
	admin, err := os.StaffByUsername(ctx, username)
	if err != nil {
		return err
	}
	super, err := os.StaffByUsername(ctx, "supervisor")
	if err != nil {
		return err
	}
	cal, err := cases.Calendar(ctx, db.R)
	if err != nil {
		return err
	}
	day := clock.Today(r.RatedAt)
	at := func(k int, hour int) time.Time {
		d := day
		if k > 0 {
			d = cal.AddWorkingDays(day, k).Deadline
		}
		t := time.Date(d.Year, d.Month, d.Day, hour, 0, 0, 0, clock.Shanghai)
		if t.After(until) {
			return until
		}
		return t
	}
	steps := []struct {
		who    org.Actor
		action string
		when   time.Time
		in     ratings.StepInput
	}{
		{admin.Actor("demo"), ratings.ActVerify, at(1, 9), ratings.StepInput{Text: "已电话联系申请人核实：网上办事指南未列明需提交原件，致申请人多跑一次。"}},
		{admin.Actor("demo"), ratings.ActRevisit, at(1, 10), ratings.StepInput{On: clock.Today(at(1, 10)).String(), How: "phone",
			Opinion: "申请人表示理解，对整改措施满意。"}},
		{admin.Actor("demo"), ratings.ActFix, at(2, 15), ratings.StepInput{Text: "已修改办事指南材料清单，注明需携带原件核验；已对窗口人员进行一次性告知培训。"}},
		{admin.Actor("demo"), ratings.ActReply, at(2, 16), ratings.StepInput{Text: "感谢您的监督。我们已在办事指南中注明需携带原件，并加强一次性告知。给您带来不便，深表歉意。"}},
		{admin.Actor("demo"), ratings.ActSubmit, at(2, 17), ratings.StepInput{}},
		{super.Actor("demo"), ratings.ActClose, at(3, 10), ratings.StepInput{Text: "整改到位，予以办结。"}},
	}
	for _, s := range steps {
		set(s.when)
		x, err := svc.Get(ctx, super.Actor("demo"), r.RectificationID)
		if err != nil {
			return err
		}
		s.in.Version = x.Version
		if _, err := svc.Act(ctx, s.who, r.RectificationID, s.action, s.in); err != nil {
			return fmt.Errorf("demo rectification %s %s: %w", no, s.action, err)
		}
	}
	return nil
}
