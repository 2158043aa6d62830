package ratings

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/clock"
	"onestop/internal/corrections"
	"onestop/internal/org"
	"onestop/internal/store"
)

const ratingCols = `r.id, r.case_id, r.case_no, r.item_code, COALESCE(i.name, ''), r.channel, r.level, r.comment, r.reasons, r.named,
	COALESCE(r.window_id, 0), COALESCE(w.number, ''), COALESCE(r.staff_id, 0), COALESCE(st.name, ''), r.department_id, dp.name, r.centre_id, ce.name,
	r.rated_at, COALESCE(r.addition, ''), r.added_at, COALESCE(x.id, 0)`

const ratingFrom = `ratings r JOIN departments dp ON dp.id = r.department_id JOIN centres ce ON ce.id = r.centre_id
	LEFT JOIN windows w ON w.id = r.window_id LEFT JOIN staff st ON st.id = r.staff_id
	LEFT JOIN cases c ON c.id = r.case_id LEFT JOIN items i ON i.id = c.item_id
	LEFT JOIN rectifications x ON x.rating_id = r.id`

// scanRating reads ratingCols, then the columns after them into extra.
func scanRating(row interface{ Scan(...any) error }, extra ...any) (*Rating, error) {
	var r Rating
	var reasons string
	var added sql.NullTime
	if err := row.Scan(append([]any{&r.ID, &r.CaseID, &r.CaseNo, &r.ItemCode, &r.Item, &r.Channel, &r.Level, &r.Comment, &reasons, &r.Named,
		&r.WindowID, &r.Window, &r.StaffID, &r.Staff, &r.DepartmentID, &r.Department, &r.CentreID, &r.Centre,
		&r.RatedAt, &r.Addition, &added, &r.RectificationID}, extra...)...); err != nil {
		return nil, err
	}
	r.Reasons = []string{}
	if reasons != "" {
		r.Reasons = strings.Split(reasons, ",")
	}
	r.RatedAt = r.RatedAt.UTC()
	if added.Valid {
		t := added.Time.UTC()
		r.AddedAt = &t
	}
	return &r, nil
}

func (s *Service) byCaseChannel(ctx context.Context, caseID int64, channel string) (*Rating, error) {
	return scanRating(s.DB.Read().QueryRowContext(ctx, `SELECT `+ratingCols+` FROM `+ratingFrom+` WHERE r.case_id = $1 AND r.channel = $2`, caseID, channel))
}

// Given is what the rater sees of a case's ratings: each rating with the
// department's reply and the revisit of its rectification.
type Given struct {
	*Rating
	Reply     string         `json:"reply,omitempty"`
	RepliedAt *time.Time     `json:"replied_at,omitempty"`
	RevisitOn *calendar.Date `json:"revisit_on,omitempty"`
	// RevisitHow and RevisitOpinion are how the department revisited and
	// what the rater said then.
	RevisitHow     string `json:"revisit_how,omitempty"`
	RevisitOpinion string `json:"revisit_opinion,omitempty"`
	// CanAdd: the rater may still add to this rating.
	CanAdd bool `json:"can_add"`
}

// OfCase returns the ratings of a case the caller has already been
// allowed to see (the applicant's own case, a valid rating link), with
// the replies and revisits, and whether each may still be added to.
func (s *Service) OfCase(ctx context.Context, caseID int64) ([]Given, error) {
	st, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	q := s.DB.Read()
	rows, err := q.QueryContext(ctx, `SELECT `+ratingCols+`, COALESCE(x.reply, ''), x.replied_at, x.revisit_on, COALESCE(x.revisit_how, ''),
		COALESCE(x.revisit_opinion, '') FROM `+ratingFrom+` WHERE r.case_id = $1 ORDER BY r.id`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	today := s.Now()
	var out []Given
	for rows.Next() {
		var g Given
		var replied sql.NullTime
		var revisit any
		var err error
		if g.Rating, err = scanRating(rows, &g.Reply, &replied, &revisit, &g.RevisitHow, &g.RevisitOpinion); err != nil {
			return nil, err
		}
		if replied.Valid {
			t := replied.Time.UTC()
			g.RepliedAt = &t
		}
		if d, ok := calendar.FromColumn(revisit); ok {
			g.RevisitOn = &d
		}
		r := g.Rating
		g.CanAdd = r.AddedAt == nil && !todayAfter(today, r.RatedAt, st.AdditionDays)
		out = append(out, g)
	}
	return out, rows.Err()
}

// Filter narrows a staff list of ratings; the scope always applies.
type Filter struct {
	Bad           bool
	Limit, Offset int
}

// scope keeps what a may read, as sees says, for the rows whose
// department and centre are in the columns dept and centre. Anyone else
// reads nothing — a missing scope is never "everything".
func scope(w *store.Where, a org.Actor, dept, centre string) {
	switch {
	case (a.Role == org.Supervisor || a.Role == org.Leader || a.Role == org.CentreAdmin) && a.CountyWide():
		if c, args := a.CountyCentres(centre); c != "" {
			w.Add(c, args...)
		}
	case corrections.Answerer(a.Role) && a.DepartmentID != 0:
		w.Add(dept+" = ?", a.DepartmentID)
	case a.Role == org.CentreAdmin && a.CentreID != 0:
		w.Add(centre+" = ?", a.CentreID)
	default:
		w.Add("1 = 0")
	}
}

// sees reports whether a may read a rating or rectification of a
// department at a centre in region: a county's supervisors, leaders and
// hall admin their county (a province-wide one everything); the
// department's admin and approver (who answer for it, as on correction
// orders) their department's; a township centre's admin their centre's.
func sees(a org.Actor, dept, centre int64, region string) bool {
	switch {
	case (a.Role == org.Supervisor || a.Role == org.Leader || a.Role == org.CentreAdmin) && a.CountyWide():
		return a.CoversRegion(region)
	case corrections.Answerer(a.Role) && a.DepartmentID != 0:
		return a.DepartmentID == dept
	case a.Role == org.CentreAdmin && a.CentreID != 0:
		return a.CentreID == centre
	}
	return false
}

// Readers are the roles that read ratings (the routes' access).
var Readers = []org.Role{org.DeptAdmin, org.Approver, org.CentreAdmin, org.Supervisor, org.Leader}

// List returns the ratings a may read, newest first, and their number.
func (s *Service) List(ctx context.Context, a org.Actor, f Filter) ([]*Rating, int, error) {
	var w store.Where
	scope(&w, a, "r.department_id", "r.centre_id")
	if f.Bad {
		w.Add("r.level <= ?", Dissatisfied)
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	q := s.DB.Read()
	var total int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM ratings r JOIN departments dp ON dp.id = r.department_id`+w.String(), w.Args()...).Scan(&total); err != nil {
		return nil, 0, err
	}
	args := append(w.Args(), f.Limit, f.Offset)
	n := len(args)
	rows, err := q.QueryContext(ctx, `SELECT `+ratingCols+` FROM `+ratingFrom+w.String()+` ORDER BY r.rated_at DESC, r.id DESC LIMIT $`+itoa(n-1)+` OFFSET $`+itoa(n), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []*Rating{}
	for rows.Next() {
		r, err := scanRating(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	return out, total, rows.Err()
}

// QRToken is the token of the rating link printed on case c's receipt:
// valid QRValidDays after receipt, the same on every reprint.
func (s *Service) QRToken(ctx context.Context, c *cases.Case) (string, error) {
	_, secret, err := s.settings(ctx, s.DB.Read())
	if err != nil {
		return "", err
	}
	return sign(secret, QR, c.No, clock.Today(c.ReceivedAt).AddDays(QRValidDays)), nil
}

// PhoneToken is the token given to whoever proved case no's phone (the
// number + phone form of /rate): it rates by the portal, as the named
// applicant, for a day.
func (s *Service) PhoneToken(ctx context.Context, no string) (string, error) {
	_, secret, err := s.settings(ctx, s.DB.Read())
	if err != nil {
		return "", err
	}
	return sign(secret, Portal, strings.ToUpper(no), clock.Today(s.Now()).AddDays(PhoneValidDays)), nil
}
