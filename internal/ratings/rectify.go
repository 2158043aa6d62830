package ratings

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/calendar"
	"onestop/internal/clock"
	"onestop/internal/corrections"
	"onestop/internal/notify"
	"onestop/internal/org"
	"onestop/internal/store"
)

// States of a rectification.
const (
	Open      = "open"      // the department works on it
	Submitted = "submitted" // the department asks the supervisor to close it
	Appealed  = "appealed"  // the department says the rating is mistaken or malicious
	Closed    = "closed"
)

// Steps of a rectification (DOMAIN.md §7): the department verifies (calls
// back), fixes or explains, replies to the rater, revisits (回访), may
// appeal, and submits; the supervisor closes or returns, and upholds or
// dismisses an appeal.
const (
	ActOpen    = "open"
	ActVerify  = "verify"
	ActFix     = "fix"
	ActExplain = "explain"
	ActReply   = "reply"
	ActRevisit = "revisit"
	ActAppeal  = "appeal"
	ActSubmit  = "submit"
	ActClose   = "close"
	ActReturn  = "return"
	ActUphold  = "uphold"
	ActDismiss = "dismiss"
)

// Actions lists the steps the detail page offers, in ledger order.
var Actions = []string{ActVerify, ActFix, ActExplain, ActReply, ActRevisit, ActAppeal, ActSubmit, ActClose, ActReturn, ActUphold, ActDismiss}

// RevisitWays are how a revisit is made.
var RevisitWays = []string{"phone", "visit", "sms", "other"}

// MaxText bounds what a step says.
const MaxText = 2000

// Rectification is the ledger of one bad rating.
type Rectification struct {
	ID             int64          `json:"id"`
	Rating         *Rating        `json:"rating"`
	RegionCode     string         `json:"-"`
	DepartmentID   int64          `json:"department_id"`
	CentreID       int64          `json:"centre_id"`
	OpenedAt       time.Time      `json:"opened_at"`
	RevisitDue     calendar.Date  `json:"revisit_due"`
	FixDue         calendar.Date  `json:"fix_due"`
	State          string         `json:"state"`
	Version        int            `json:"version"`
	VerifiedAt     *time.Time     `json:"verified_at,omitempty"`
	FixedAt        *time.Time     `json:"fixed_at,omitempty"`
	Outcome        string         `json:"outcome,omitempty"` // fixed, explained, appeal_upheld
	Reply          string         `json:"reply,omitempty"`
	RepliedAt      *time.Time     `json:"replied_at,omitempty"`
	RevisitOn      *calendar.Date `json:"revisit_on,omitempty"`
	RevisitHow     string         `json:"revisit_how,omitempty"`
	RevisitOpinion string         `json:"revisit_opinion,omitempty"`
	RevisitedAt    *time.Time     `json:"revisited_at,omitempty"`
	ClosedAt       *time.Time     `json:"closed_at,omitempty"`
	// RevisitLight and FixLight stand each deadline as of today, by the
	// case clock's rule (clock.Stand): red by themselves once past due.
	RevisitLight clock.Standing `json:"revisit_light"`
	FixLight     clock.Standing `json:"fix_light"`
	Steps        []Step         `json:"steps,omitempty"`
}

// Step is one line of the ledger.
type Step struct {
	Seq    int       `json:"seq"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Role   string    `json:"role"`
	Action string    `json:"action"`
	Text   string    `json:"text"`
}

// Overdue reports a deadline past and its step not done.
func (x *Rectification) Overdue() bool {
	return x.RevisitLight.Light == clock.Red || x.FixLight.Light == clock.Red
}

// StepInput is what a step's form or API call sends.
type StepInput struct {
	Version int    `json:"version"`
	Text    string `json:"text"`
	// A revisit's day (YYYY-MM-DD), way and the rater's opinion.
	On      string `json:"on"`
	How     string `json:"how"`
	Opinion string `json:"opinion"`
}

func step(ctx context.Context, q store.Querier, id int64, at time.Time, actorID int64, actor, role, action, text string) error {
	_, err := q.ExecContext(ctx, `INSERT INTO rectification_steps (rectification_id, seq, at, actor_id, actor, role, action, text)
		VALUES ($1, COALESCE((SELECT MAX(seq) FROM rectification_steps WHERE rectification_id = $1), 0) + 1, $2, $3, $4, $5, $6, $7)`,
		id, at, store.NullID(actorID), actor, role, action, text)
	return err
}

// Check is the one rule of who may take which step in which state. The
// department's admin and approver (corrections.Answerer, who speak for a
// department on supervision's records) work the ledger; the county's
// supervisor closes, returns and decides appeals. A named bad rating
// (the rater is known) needs the reply and the revisit before it is
// closed: DOMAIN.md §7, "named bad reviews: 100% revisit".
func Check(x *Rectification, a org.Actor, action string) error {
	dept := corrections.Answerer(a.Role) && a.DepartmentID == x.DepartmentID
	super := a.Role == org.Supervisor && a.CountyWide() && a.CoversRegion(x.RegionCode)
	switch action {
	case ActVerify, ActFix, ActExplain, ActReply, ActRevisit, ActAppeal, ActSubmit:
		if !dept {
			return apperr.New(apperr.Forbidden, "rectify.department_only")
		}
		if err := inState(x, action, Open); err != nil {
			return err
		}
		if action == ActSubmit {
			return complete(x)
		}
		return nil
	case ActClose, ActReturn, ActUphold, ActDismiss:
		if !super {
			return apperr.New(apperr.Forbidden, "rectify.supervisor_only")
		}
		switch action {
		case ActClose:
			if err := inState(x, action, Open, Submitted); err != nil {
				return err
			}
			return complete(x)
		case ActReturn:
			return inState(x, action, Submitted)
		}
		return inState(x, action, Appealed)
	}
	return apperr.New(apperr.NotFound, "rectify.unknown_action", "Action", action)
}

// complete says what a rectification lacks before it may be closed: the
// verification and a fix or an explanation; for a named rating the reply
// and the revisit too.
func complete(x *Rectification) error {
	switch {
	case x.VerifiedAt == nil:
		return apperr.New(apperr.Conflict, "rectify.verify_first")
	case x.Outcome == "":
		return apperr.New(apperr.Conflict, "rectify.fix_first")
	case x.Rating.Named && x.RepliedAt == nil:
		return apperr.New(apperr.Conflict, "rectify.reply_first")
	case x.Rating.Named && x.RevisitedAt == nil:
		return apperr.New(apperr.Conflict, "rectify.revisit_required")
	}
	return nil
}

func inState(x *Rectification, action string, states ...string) error {
	if slices.Contains(states, x.State) {
		return nil
	}
	return apperr.New(apperr.Conflict, "rectify.wrong_state", "Action", "rectify.action."+action, "State", "rectify.state."+x.State)
}

// Allowed lists the steps a may take on x now.
func Allowed(x *Rectification, a org.Actor) []string {
	var out []string
	for _, act := range Actions {
		if Check(x, a, act) == nil {
			out = append(out, act)
		}
	}
	return out
}

// Act takes one step on rectification id. Scope first (out of scope is
// "not found"), then the version, the rule and the input, in the step's
// transaction. A reply is queued as a text message to the applicant.
func (s *Service) Act(ctx context.Context, a org.Actor, id int64, action string, in StepInput) (*Rectification, error) {
	now := s.now()
	f := apperr.Fields{}
	needText := action != ActRevisit && action != ActSubmit && action != ActClose && action != ActUphold
	text := f.Para("text", in.Text, needText, MaxText)
	var on calendar.Date
	if action == ActRevisit {
		var err error
		if on, err = calendar.ParseDate(in.On); err != nil {
			f.Add("on", "rectify.revisit_day")
		} else if on.After(clock.Today(now)) {
			f.Add("on", "rectify.revisit_future")
		}
		if !slices.Contains(RevisitWays, in.How) {
			f.Add("how", "rectify.revisit_how")
		}
		in.Opinion = f.Para("opinion", in.Opinion, true, MaxText)
	}
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		q := s.DB.InTx(tx)
		x, err := s.load(ctx, q, id)
		if err != nil {
			return err
		}
		if !sees(a, x.DepartmentID, x.CentreID, x.RegionCode) {
			return apperr.NotFoundf("entity.rectification")
		}
		if in.Version != x.Version {
			return apperr.New(apperr.Conflict, "rectify.changed")
		}
		if err := Check(x, a, action); err != nil {
			return err
		}
		if err := f.Err(); err != nil {
			return err
		}
		if action == ActRevisit && on.Before(clock.Today(x.OpenedAt)) {
			return apperr.Fields{"on": apperr.M("rectify.revisit_before")}.Err()
		}
		set, args := "", []any{}
		add := func(col string, v any) {
			args = append(args, v)
			set += ", " + col + " = $" + itoa(len(args))
		}
		switch action {
		case ActVerify:
			add("verified_at", now)
		case ActFix, ActExplain:
			add("fixed_at", now)
			add("outcome", map[string]string{ActFix: "fixed", ActExplain: "explained"}[action])
		case ActReply:
			add("reply", text)
			add("replied_at", now)
			var phone string
			if err := q.QueryRowContext(ctx, `SELECT COALESCE(ap.phone, '') FROM cases c JOIN applicants ap ON ap.id = c.applicant_id WHERE c.id = $1`,
				x.Rating.CaseID).Scan(&phone); err != nil {
				return err
			}
			if phone != "" && s.Text != nil {
				// Text messages are in Chinese whatever the UI language, as
				// the case engine's are.
				msg := s.text("sms.rating.reply", map[string]any{"No": x.Rating.CaseNo, "Department": x.Rating.Department})
				if err := notify.Queue(ctx, q, phone, msg, now); err != nil {
					return err
				}
			}
		case ActRevisit:
			add("revisit_on", on.Time(time.UTC))
			add("revisit_how", in.How)
			add("revisit_opinion", in.Opinion)
			add("revisited_at", now)
			// The ledger is the county's record, in Chinese like its
			// documents: the day, the way in words, the rater's opinion.
			how := in.How
			if s.Text != nil {
				how = s.text("rating.how."+in.How, nil)
			}
			text = on.String() + " " + how + "：" + in.Opinion
		case ActAppeal:
			add("state", Appealed)
		case ActSubmit:
			add("state", Submitted)
		case ActReturn, ActDismiss:
			add("state", Open)
		case ActClose:
			add("state", Closed)
			add("closed_at", now)
		case ActUphold:
			add("state", Closed)
			add("closed_at", now)
			add("outcome", "appeal_upheld")
		}
		args = append(args, x.ID, x.Version)
		res, err := q.ExecContext(ctx, `UPDATE rectifications SET version = version + 1`+set+` WHERE id = $`+itoa(len(args)-1)+` AND version = $`+itoa(len(args)), args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "rectify.changed")
		}
		return step(ctx, q, x.ID, now, a.StaffID, a.Name, string(a.Role), action, text)
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, a, id)
}

const rectCols = `x.id, x.rating_id, x.region_code, x.department_id, x.centre_id, x.opened_at, x.revisit_due, x.fix_due, x.state, x.version,
	x.verified_at, x.fixed_at, x.outcome, x.reply, x.replied_at, x.revisit_on, x.revisit_how, x.revisit_opinion, x.revisited_at, x.closed_at`

func scanRect(row interface{ Scan(...any) error }) (*Rectification, int64, error) {
	var x Rectification
	var rating int64
	var rdue, fdue, revOn any
	var verified, fixed, replied, revisited, closed sql.NullTime
	if err := row.Scan(&x.ID, &rating, &x.RegionCode, &x.DepartmentID, &x.CentreID, &x.OpenedAt, &rdue, &fdue, &x.State, &x.Version,
		&verified, &fixed, &x.Outcome, &x.Reply, &replied, &revOn, &x.RevisitHow, &x.RevisitOpinion, &revisited, &closed); err != nil {
		return nil, 0, err
	}
	x.OpenedAt = x.OpenedAt.UTC()
	x.RevisitDue, _ = calendar.FromColumn(rdue)
	x.FixDue, _ = calendar.FromColumn(fdue)
	if d, ok := calendar.FromColumn(revOn); ok {
		x.RevisitOn = &d
	}
	for _, p := range []struct {
		n  sql.NullTime
		to **time.Time
	}{{verified, &x.VerifiedAt}, {fixed, &x.FixedAt}, {replied, &x.RepliedAt}, {revisited, &x.RevisitedAt}, {closed, &x.ClosedAt}} {
		if p.n.Valid {
			t := p.n.Time.UTC()
			*p.to = &t
		}
	}
	return &x, rating, nil
}

func (s *Service) load(ctx context.Context, q store.Querier, id int64) (*Rectification, error) {
	x, rating, err := scanRect(q.QueryRowContext(ctx, `SELECT `+rectCols+` FROM rectifications x WHERE x.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("entity.rectification")
	}
	if err != nil {
		return nil, err
	}
	if x.Rating, err = scanRating(q.QueryRowContext(ctx, `SELECT `+ratingCols+` FROM `+ratingFrom+` WHERE r.id = $1`, rating)); err != nil {
		return nil, err
	}
	return x, nil
}

// stand lights both deadlines as of today: a step done is decided on the
// day it was done (a fix or an explanation answers the fix deadline).
func (s *Service) stand(x *Rectification, cal *calendar.Calendar, today calendar.Date) {
	day := func(t *time.Time) *calendar.Date {
		if t == nil {
			return nil
		}
		d := clock.Today(*t)
		return &d
	}
	x.RevisitLight = clock.Stand(cal, x.RevisitDue, day(x.RevisitedAt), today, s.Cases.Light)
	x.FixLight = clock.Stand(cal, x.FixDue, day(x.FixedAt), today, s.Cases.Light)
}

// Get returns a rectification with its ledger, if a may read it.
func (s *Service) Get(ctx context.Context, a org.Actor, id int64) (*Rectification, error) {
	q := s.DB.Read()
	x, err := s.load(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if !sees(a, x.DepartmentID, x.CentreID, x.RegionCode) {
		return nil, apperr.NotFoundf("entity.rectification")
	}
	cal, err := s.Cases.WorkingCalendar(ctx)
	if err != nil {
		return nil, err
	}
	s.stand(x, cal, clock.Today(s.Now()))
	rows, err := q.QueryContext(ctx, `SELECT seq, at, actor, role, action, text FROM rectification_steps WHERE rectification_id = $1 ORDER BY seq`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var st Step
		if err := rows.Scan(&st.Seq, &st.At, &st.Actor, &st.Role, &st.Action, &st.Text); err != nil {
			return nil, err
		}
		st.At = st.At.UTC()
		x.Steps = append(x.Steps, st)
	}
	return x, rows.Err()
}

// Rectifications lists the rectifications a may read: the open ones by
// their nearest deadline first, then the closed ones, newest first.
func (s *Service) Rectifications(ctx context.Context, a org.Actor, openOnly bool, limit int) ([]*Rectification, error) {
	var w store.Where
	scope(&w, a, "x.department_id", "x.centre_id")
	if openOnly {
		w.Add("x.closed_at IS NULL")
	}
	if limit <= 0 || limit > 200 {
		limit = 100
	}
	q := s.DB.Read()
	args := append(w.Args(), limit)
	rows, err := q.QueryContext(ctx, `SELECT `+rectCols+` FROM rectifications x`+w.String()+`
		ORDER BY CASE WHEN x.closed_at IS NULL THEN 0 ELSE 1 END, x.revisit_due, x.id DESC LIMIT $`+itoa(len(args)), args...)
	if err != nil {
		return nil, err
	}
	type pair struct {
		x      *Rectification
		rating int64
	}
	var ps []pair
	for rows.Next() {
		x, rating, err := scanRect(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		ps = append(ps, pair{x, rating})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	cal, err := s.Cases.WorkingCalendar(ctx)
	if err != nil {
		return nil, err
	}
	today := clock.Today(s.Now())
	out := []*Rectification{}
	for _, p := range ps {
		if p.x.Rating, err = scanRating(q.QueryRowContext(ctx, `SELECT `+ratingCols+` FROM `+ratingFrom+` WHERE r.id = $1`, p.rating)); err != nil {
			return nil, err
		}
		s.stand(p.x, cal, today)
		out = append(out, p.x)
	}
	return out, nil
}
