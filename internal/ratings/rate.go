package ratings

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/clock"
	"onestop/internal/store"
	"onestop/internal/tally"
)

// Service rates cases and keeps the rectifications of bad ratings.
type Service struct {
	DB    *store.DB
	Cases *cases.Service
	Now   func() time.Time
	// Text renders a translation (lang "" is the default, Chinese): the
	// text message telling the rater of a reply. Without it no message
	// is queued (the demo's history).
	Text func(lang, key string, args map[string]any) string
}

func (s *Service) text(key string, args map[string]any) string { return s.Text("", key, args) }

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }

// Rating is one rating as the pages and the API show it.
type Rating struct {
	ID           int64      `json:"id"`
	CaseID       int64      `json:"-"`
	CaseNo       string     `json:"case_no"`
	ItemCode     string     `json:"item_code"`
	Item         string     `json:"item,omitempty"`
	Channel      string     `json:"channel"`
	Level        int        `json:"level"`
	Comment      string     `json:"comment"`
	Reasons      []string   `json:"reasons"`
	Named        bool       `json:"named"`
	WindowID     int64      `json:"window_id,omitempty"`
	Window       string     `json:"window,omitempty"`
	StaffID      int64      `json:"staff_id,omitempty"`
	Staff        string     `json:"staff,omitempty"`
	DepartmentID int64      `json:"department_id"`
	Department   string     `json:"department"`
	CentreID     int64      `json:"centre_id"`
	Centre       string     `json:"centre"`
	RatedAt      time.Time  `json:"rated_at"`
	Addition     string     `json:"addition,omitempty"`
	AddedAt      *time.Time `json:"added_at,omitempty"`
	// RectificationID is the bad rating's rectification (0: none).
	RectificationID int64 `json:"rectification_id,omitempty"`
}

// Bad reports a bad review.
func (r *Rating) Bad() bool { return Bad(r.Level) }

// Rater is who rates, by which channel: the signed-in applicant
// (ApplicantID, the portal), the holder of a rating link (Token: the
// receipt's QR, or the link the number + phone check gives), or a
// window's pad (Device, authenticated by its key).
type Rater struct {
	ApplicantID int64
	Token       string
	Device      *Device
}

// errNoCase is the one answer for a case the rater may not rate or see:
// another applicant's, a number that does not exist, a link for another
// case. It never confirms that a case exists.
var errNoCase = apperr.NotFoundf("entity.case")

// caseFor loads case no for r and says by which channel r rates it and
// whether the rater is named (identified: signed in, or proved the
// phone); anything r may not rate is errNoCase.
func (s *Service) caseFor(ctx context.Context, r Rater, no string, secret []byte) (*cases.Case, string, bool, error) {
	no = strings.ToUpper(strings.TrimSpace(no))
	switch {
	case r.Device != nil:
		c, err := s.Cases.Get(ctx, cases.SystemActor, no)
		if err != nil {
			return nil, "", false, err
		}
		// The pad stands at a window: only cases handled there (the
		// window's department, at its centre) are rated on it.
		if c.DepartmentID != r.Device.DepartmentID || c.CentreID != r.Device.CentreID {
			return nil, "", false, apperr.New(apperr.Forbidden, "rating.device_elsewhere")
		}
		return c, Pad, false, nil
	case r.Token != "":
		ch, ok := verify(secret, r.Token, no, s.Now())
		if !ok {
			return nil, "", false, errNoCase
		}
		c, err := s.Cases.Get(ctx, cases.SystemActor, no)
		if err != nil {
			return nil, "", false, errNoCase
		}
		return c, ch, ch == Portal, nil
	case r.ApplicantID != 0:
		c, err := s.Cases.Get(ctx, cases.Actor{ApplicantID: r.ApplicantID}, no)
		if err != nil {
			return nil, "", false, err
		}
		return c, Portal, true, nil
	}
	return nil, "", false, errNoCase
}

// Rate records a rating of case no by r. A case not decided yet is
// refused; a second rating by the same channel is a conflict and changes
// nothing (the unique key decides a race). The rating is counted in the
// running totals and, when bad, opens a rectification for the case's
// department — all in one transaction.
func (s *Service) Rate(ctx context.Context, r Rater, no string, in Input) (*Rating, error) {
	st, secret, err := s.settings(ctx, s.DB.Read())
	if err != nil {
		return nil, err
	}
	c, channel, named, err := s.caseFor(ctx, r, no, secret)
	if err != nil {
		return nil, err
	}
	if !Decided(c) {
		return nil, apperr.New(apperr.Conflict, "rating.not_decided")
	}
	f := apperr.Fields{}
	comment, reasons := in.check(f)
	if err := f.Err(); err != nil {
		return nil, err
	}
	cal, err := s.Cases.WorkingCalendar(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	rt := &Rating{CaseID: c.ID, CaseNo: c.No, Channel: channel, Level: in.Level, Comment: comment, Reasons: reasons, Named: named,
		StaffID: c.FirstContactID, DepartmentID: c.DepartmentID, CentreID: c.CentreID, RatedAt: now}
	if c.Item != nil {
		rt.ItemCode = c.Item.Code
	}
	var applicant, device int64
	if named {
		applicant = c.ApplicantID
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		q := s.DB.InTx(tx)
		// The window rated: the pad's own, else the window of the member
		// of staff who received the case, as it is now.
		if r.Device != nil {
			rt.WindowID, device = r.Device.WindowID, r.Device.ID
		} else if rt.StaffID != 0 {
			var w sql.NullInt64
			if err := q.QueryRowContext(ctx, `SELECT window_id FROM staff WHERE id = $1`, rt.StaffID).Scan(&w); err != nil {
				return err
			}
			rt.WindowID = w.Int64
		}
		err := q.QueryRowContext(ctx, `INSERT INTO ratings (case_id, case_no, item_code, channel, level, comment, reasons, named, applicant_id,
			window_id, staff_id, department_id, centre_id, device_id, rated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
			RETURNING id`, rt.CaseID, rt.CaseNo, rt.ItemCode, rt.Channel, rt.Level, rt.Comment, strings.Join(rt.Reasons, ","), rt.Named,
			store.NullID(applicant), store.NullID(rt.WindowID), store.NullID(rt.StaffID), rt.DepartmentID, rt.CentreID, store.NullID(device), now).Scan(&rt.ID)
		if store.IsUnique(err) {
			return apperr.New(apperr.Conflict, "rating.already", "Channel", "rating.channel."+channel)
		}
		if err != nil {
			return err
		}
		figs := map[tally.Column]int{tally.Ratings: 1}
		if Content(rt.Level) {
			figs[tally.RatingsSatisfied] = 1
		}
		if Bad(rt.Level) {
			figs[tally.RatingsBad] = 1
		}
		if err := tally.Add(ctx, q, tally.Key{Day: clock.Today(now), DepartmentID: rt.DepartmentID, CentreID: rt.CentreID}, figs); err != nil {
			return err
		}
		if Bad(rt.Level) {
			rt.RectificationID, err = open(ctx, q, rt, c.RegionCode, st, cal, now)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return rt, nil
}

// open starts the rectification of bad rating rt: the revisit and the
// fix are due so many working days after the rating's day (the case
// engine's calendar, holidays and make-up days included).
func open(ctx context.Context, q store.Querier, rt *Rating, region string, st Settings, cal *calendar.Calendar, now time.Time) (int64, error) {
	day := clock.Today(now)
	revisit := cal.AddWorkingDays(day, st.RevisitDays).Deadline
	fix := cal.AddWorkingDays(day, st.FixDays).Deadline
	var id int64
	if err := q.QueryRowContext(ctx, `INSERT INTO rectifications (rating_id, case_id, region_code, department_id, centre_id, opened_at, revisit_due, fix_due, state, version)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1) RETURNING id`, rt.ID, rt.CaseID, region, rt.DepartmentID, rt.CentreID, now,
		revisit.Time(time.UTC), fix.Time(time.UTC), Open).Scan(&id); err != nil {
		return 0, err
	}
	return id, step(ctx, q, id, now, 0, "系统", "system", ActOpen, "")
}

// Add records the rater's one addition (追评) to the rating of case no by
// the rater's channel, within the county's period after the rating.
func (s *Service) Add(ctx context.Context, r Rater, no, text string) (*Rating, error) {
	st, secret, err := s.settings(ctx, s.DB.Read())
	if err != nil {
		return nil, err
	}
	c, channel, _, err := s.caseFor(ctx, r, no, secret)
	if err != nil {
		return nil, err
	}
	f := apperr.Fields{}
	text = f.Para("addition", text, true, MaxAddition)
	if err := f.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		q := s.DB.InTx(tx)
		var id int64
		var at time.Time
		var added sql.NullTime
		err := q.QueryRowContext(ctx, `SELECT id, rated_at, added_at FROM ratings WHERE case_id = $1 AND channel = $2`, c.ID, channel).Scan(&id, &at, &added)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.Conflict, "rating.none_to_add")
		}
		if err != nil {
			return err
		}
		if added.Valid {
			return apperr.New(apperr.Conflict, "rating.added_already")
		}
		if todayAfter(now, at, st.AdditionDays) {
			return apperr.New(apperr.Conflict, "rating.addition_closed", "Days", st.AdditionDays)
		}
		// added_at IS NULL in the statement too: two additions at once,
		// one wins.
		res, err := q.ExecContext(ctx, `UPDATE ratings SET addition = $1, added_at = $2 WHERE id = $3 AND added_at IS NULL`, text, now, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "rating.added_already")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.byCaseChannel(ctx, c.ID, channel)
}
