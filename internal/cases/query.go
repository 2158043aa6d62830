package cases

import (
	"context"
	"fmt"
	"strings"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/calendar"
	"onestop/internal/clock"
	"onestop/internal/ident"
	"onestop/internal/org"
	"onestop/internal/store"
)

// InboxFilter narrows an inbox.
type InboxFilter struct {
	ItemCode   string // an item code, or part of an item name
	State      string
	Channel    string
	RegionCode string // township: the case's centre lies in this region
	// County narrows to the cases at centres of one county (a division
	// code prefix); DepartmentID and CentreID to one department or centre:
	// the live monitor's drill-down. Each narrows the actor's scope, never
	// widens it.
	County       string
	DepartmentID int64
	CentreID     int64
	All          bool // every open case in scope, not only those waiting for me
	// Mode narrows to cases accepted under one acceptance mode
	// (commitment 告知承诺, lenient 容缺受理; internal/modes): supervision
	// watches them apart (issue 14 §3). The caller checks the value.
	Mode string
	// Today colours the lights as of this day (zero: the service's
	// today). A board counts and lists at one instant, so a day passing
	// between its two queries cannot show a red row beside a count of
	// none.
	Today  calendar.Date
	Limit  int
	Offset int
}

// Inbox lists the open cases the actor should act on, most urgent first
// (by deadline, or by the notice deadline for cases not yet accepted),
// each with its light.
func (s *Service) Inbox(ctx context.Context, a Actor, f InboxFilter) ([]*Case, int, error) {
	if a.Staff == nil {
		return nil, 0, forbidden()
	}
	st := a.Staff
	var w store.Where
	// Every condition is on the cases row itself (lookups as subqueries),
	// so counting and ordering read only the partial indexes on open cases
	// and the case rows; the joins for display run for one page of rows.
	// At 1M cases this took the clerk's inbox from ~64 ms to ~2 ms.
	w.Add("c.closed_at IS NULL")
	// Scope: the same rule as Actor.sees, in SQL.
	switch {
	case st.CountyWide():
		if cond, args := st.CountyCentres("c.centre_id"); cond != "" {
			w.Add(cond, args...)
		}
	case st.Role == org.CentreAdmin:
		w.Add("c.centre_id = ?", st.CentreID)
	case st.Role == org.Clerk && st.CentreKind == "hall" && st.County() != "":
		// The hall's window also holds its department's cases that the
		// county's townships accepted (Actor.isCountyWindow).
		w.Add(`c.department_id IN (SELECT id FROM departments WHERE id = ? OR mode = 'commissioned') AND (c.centre_id = ? OR c.pickup_centre_id = ?
			OR c.centre_id IN (SELECT id FROM centres WHERE kind <> 'hall' AND region_code LIKE ? ESCAPE '\'))`,
			st.DepartmentID, st.CentreID, st.CentreID, store.Prefix(st.County()))
	case st.Role == org.Clerk:
		w.Add("(c.centre_id = ? OR c.pickup_centre_id = ?) AND c.department_id IN (SELECT id FROM departments WHERE id = ? OR mode = 'commissioned')",
			st.CentreID, st.CentreID, st.DepartmentID)
	case st.Role.InDepartment():
		w.Add("c.department_id = ?", st.DepartmentID)
	default:
		w.Add("1 = 0")
	}
	if !f.All && OwnQueue(st.Role) {
		switch st.Role {
		case org.Clerk:
			// Accept where it was received, complete as the issuer (a
			// hall's window: a township's window completes nothing,
			// rules.go issuer), hand over where it is collected.
			complete := "1 = 0"
			if st.CentreKind == "hall" {
				complete = "c.state IN ('approved','refused')"
			}
			w.Add(`((c.state IN ('received','supplement') AND c.centre_id = ?) OR `+complete+`
				OR (c.state = 'completed' AND COALESCE(c.pickup_centre_id, c.centre_id) = ?))`, st.CentreID, st.CentreID)
		case org.Reviewer, org.Approver:
			// A's step also waits for B while A is away, and, with B away
			// too, for the chief representative or whom the department
			// admin assigned (cover.go); "away" is attendance.Away's rule.
			aw, err := s.awayNow(ctx)
			if err != nil {
				return nil, 0, err
			}
			away := func(alias string) string { return aw.SQL(alias, w.Bind) }
			sAway := away("s")
			cover := coverInbox(away)
			w.Add(`c.state = 'in_progress' AND ((c.step_role = ? AND (c.assignee_id IS NULL OR c.assignee_id = ?
				OR c.assignee_id IN (SELECT s.id FROM staff s WHERE `+sAway+` AND s.backup_id = ?))) OR `+cover+`)`,
				string(st.Role), st.StaffID, st.StaffID, st.StaffID, st.StaffID)
		}
	}
	if f.ItemCode != "" {
		// A clerk types a code or part of a name; names match in any version,
		// so a case filed under an older wording is still found.
		w.Add(`c.item_id IN (SELECT i.id FROM items i WHERE i.code = ? OR i.id IN (SELECT v.item_id FROM item_versions v WHERE v.name LIKE ? ESCAPE '\'))`,
			strings.ToUpper(f.ItemCode), store.Contains(f.ItemCode))
	}
	if f.State != "" {
		w.Add("c.state = ?", f.State)
	}
	if f.Channel != "" {
		w.Add("c.channel = ?", f.Channel)
	}
	if f.Mode != "" {
		w.Add("c.id IN (SELECT case_id FROM case_modes WHERE mode = ?)", f.Mode)
	}
	if f.RegionCode != "" {
		w.Add("c.centre_id IN (SELECT id FROM centres WHERE region_code = ?)", f.RegionCode)
	}
	if f.County != "" {
		w.Add(`c.centre_id IN (SELECT id FROM centres WHERE region_code LIKE ? ESCAPE '\')`, store.Prefix(f.County))
	}
	if f.DepartmentID != 0 {
		w.Add("c.department_id = ?", f.DepartmentID)
	}
	if f.CentreID != 0 {
		w.Add("c.centre_id = ?", f.CentreID)
	}
	cond := w.String()
	r := s.DB.Read()
	var total int
	if err := r.QueryRowContext(ctx, "SELECT COUNT(*) FROM cases c"+cond, w.Args()...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("inbox count: %w", err)
	}
	limit := f.Limit
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	page := fmt.Sprintf(`SELECT c.id FROM cases c%s ORDER BY COALESCE(c.deadline, c.notice_due), c.id LIMIT %s OFFSET %s`,
		cond, w.Bind(limit), w.Bind(max(f.Offset, 0)))
	found, err := store.Column[int64](r.QueryContext(ctx, page, w.Args()...))
	if err != nil {
		return nil, 0, fmt.Errorf("inbox: %w", err)
	}
	out := []*Case{}
	if len(found) == 0 {
		return out, total, nil
	}
	// The page's rows with everything shown, in the order found above.
	marks, ids := store.IDList(found, 1)
	rows, err := r.QueryContext(ctx, fmt.Sprintf(`SELECT %s FROM %s WHERE c.id IN (%s) ORDER BY COALESCE(c.deadline, c.notice_due), c.id`,
		caseCols, caseFrom, marks), ids...)
	if err != nil {
		return nil, 0, fmt.Errorf("inbox: %w", err)
	}
	defer rows.Close()
	cal, err := s.WorkingCalendar(ctx)
	if err != nil {
		return nil, 0, err
	}
	today := f.Today
	if today.IsZero() {
		today = clock.Today(s.Now())
	}
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, 0, err
		}
		c.Light = s.quickLight(cal, c, today)
		out = append(out, c)
	}
	return out, total, rows.Err()
}

// quickLight colours a listed case from its stored deadline without
// reading its pauses: a paused case shows its light as stored at the pause,
// which is what the clock itself does (docs/DOMAIN.md §6 lights). The colour is
// clock.Stand's, the rule the inbox page reads too.
func (s *Service) quickLight(cal *calendar.Calendar, c *Case, today calendar.Date) clock.Light {
	return ListLight(cal, c.Due(), c.DecidedAt != nil, today, s.Light)
}

// ListLight is the light of an open case in a list, from its due day
// (Case.Due) and whether it is decided: the inbox and the live monitor's
// grouped counts both call it, so they cannot disagree.
func ListLight(cal *calendar.Calendar, due *calendar.Date, decided bool, today calendar.Date, rule clock.LightRule) clock.Light {
	if due == nil || decided {
		// The API has always said green here; the page shows the outcome.
		return clock.Green
	}
	return clock.Stand(cal, *due, nil, today, rule).Light
}

// OwnQueue reports whether a role's inbox, without "all", is narrowed to
// the cases waiting for that person; the other roles (supervisors, leaders,
// admins) always see every open case in their scope.
func OwnQueue(r org.Role) bool { return r == org.Clerk || r == org.Reviewer || r == org.Approver }

// Due is what a case's light is measured against: the promised deadline
// once accepted, the last day for the supplement notice before; nil for
// neither.
func (c *Case) Due() *calendar.Date {
	if c.Deadline != nil {
		return c.Deadline
	}
	if c.NoticeDue != nil {
		d := calendar.DateOf(*c.NoticeDue, time.UTC)
		return &d
	}
	return nil
}

// Progress is what the public progress query shows: no names, no ID
// numbers, just where the case stands.
type Progress struct {
	No         string         `json:"no"`
	Item       string         `json:"item"`
	Department string         `json:"department"`
	State      string         `json:"state"`
	ReceivedAt time.Time      `json:"received_at"`
	AcceptedAt *time.Time     `json:"accepted_at"`
	Deadline   *calendar.Date `json:"deadline"`
	Decision   string         `json:"decision,omitempty"`
	Deemed     bool           `json:"deemed"`
	Steps      []ProgressStep `json:"steps"`
	// Centre received the case; PickupCentre is where the applicant
	// collects the result (docs/DOMAIN.md §17).
	Centre       string `json:"centre"`
	PickupCentre string `json:"pickup_centre"`
}

// ProgressStep is one public line of the record.
type ProgressStep struct {
	At     time.Time `json:"at"`
	Action string    `json:"action"`
}

// ProgressOf answers the public query by case number and the applicant's
// phone. A wrong phone answers exactly as an unknown number, so the query
// cannot be used to probe which numbers exist.
func (s *Service) ProgressOf(ctx context.Context, no, phone string) (*Progress, error) {
	no = strings.TrimSpace(strings.ToUpper(no))
	// The phone as the applicant writes it today (+86, spaces, hyphens),
	// normalised as it was when they registered.
	if p, err := ident.Phone(phone); err == nil {
		phone = p
	} else {
		phone = ""
	}
	c, err := s.load(ctx, s.DB.Read(), no)
	if apperr.Is(err, apperr.NotFound) || (err == nil && (phone == "" || c.ApplicantPhone != phone)) {
		return nil, apperr.New(apperr.NotFound, "progress.not_found")
	}
	if err != nil {
		return nil, err
	}
	p := &Progress{No: c.No, Item: c.ItemName, Department: c.Department, State: c.State, ReceivedAt: c.ReceivedAt, AcceptedAt: c.AcceptedAt,
		Deadline: c.Deadline, Decision: c.Decision, Deemed: c.Deemed, Centre: c.Centre, PickupCentre: c.PickupCentre}
	events, err := loadEvents(ctx, s.DB.Read(), c.ID)
	if err != nil {
		return nil, err
	}
	for _, e := range events {
		p.Steps = append(p.Steps, ProgressStep{At: e.At, Action: e.Action})
	}
	return p, nil
}

// ForApplicant lists an applicant's own cases, newest first.
func (s *Service) ForApplicant(ctx context.Context, applicantID int64, limit int) ([]*Case, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	rows, err := s.DB.Read().QueryContext(ctx, "SELECT "+caseCols+" FROM "+caseFrom+" WHERE c.applicant_id = $1 ORDER BY c.id DESC LIMIT $2", applicantID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*Case{}
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
