package monitor

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/applicants"
	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/clock"
	"onestop/internal/org"
	"onestop/internal/store"
)

// Dim is how the board groups the open cases.
type Dim string

const (
	Department Dim = "department"
	Centre     Dim = "centre"
	Township   Dim = "township"
	County     Dim = "county"
)

// Dims are the groupings in the order the pages offer them.
var Dims = []Dim{Department, Centre, Township, County}

// ParseDim reads a grouping; empty is by department.
func ParseDim(s string) (Dim, bool) {
	if s == "" {
		return Department, true
	}
	d := Dim(s)
	return d, slices.Contains(Dims, d)
}

// Scope is whose cases a board counts: the actor's reach (a county's
// supervisor or leader: that county; a province-wide account: every
// county), narrowed to one county when County is set.
type Scope struct {
	Actor  org.Actor
	County string
}

// ScopeOf checks who may watch, and which county: a county-wide reader
// watches their own county (naming another is "not found", as a case of
// another county is); a province-wide reader watches all or the county
// named. Anybody else (a clerk, a township's admin) is refused: the
// monitor counts cases beyond their reach.
func ScopeOf(a org.Actor, county string) (Scope, error) {
	if !a.CountyWide() {
		return Scope{}, apperr.New(apperr.Forbidden, "error.forbidden")
	}
	county = strings.TrimSpace(county)
	if county != "" && !isCode(county, 6) {
		f := apperr.Fields{}
		f.Add("county", "monitor.bad_county")
		return Scope{}, f.Err()
	}
	if !a.Province {
		if county != "" && county != a.County() {
			return Scope{}, apperr.NotFoundf("entity.monitor_county")
		}
		county = a.County()
		if county == "" {
			// A county-wide account without a county reaches nothing: an
			// empty scope is never "everything".
			return Scope{}, apperr.New(apperr.Forbidden, "error.forbidden")
		}
	}
	return Scope{Actor: a, County: county}, nil
}

// Wide reports whether the board spans several counties (a county column
// and filter are shown).
func (sc Scope) Wide() bool { return sc.County == "" }

// key identifies the boards that are the same for every watcher: the
// live hub computes one per key.
func (sc Scope) key() string {
	if sc.Actor.Province {
		return "*/" + sc.County
	}
	return sc.Actor.County() + "/" + sc.County
}

func (sc Scope) where() *store.Where {
	w := &store.Where{}
	if cond, args := sc.Actor.CountyCentres("c.centre_id"); cond != "" {
		w.Add(cond, args...)
	}
	if sc.County != "" {
		w.Add(`c.centre_id IN (SELECT id FROM centres WHERE region_code LIKE ? ESCAPE '\')`, store.Prefix(sc.County))
	}
	return w
}

// Group is one row of the board.
type Group struct {
	Key        string `json:"key"`
	Code       string `json:"code"`
	Name       string `json:"name"`
	County     string `json:"county"`
	CountyName string `json:"county_name"`
	Counts
}

// Row is one open case as the monitor lists it: the applicant masked
// (ident's rules through applicants.Masked), since the board is read by
// supervisors and shown on the hall's wall.
type Row struct {
	No         string         `json:"no"`
	Item       string         `json:"item"`
	Applicant  string         `json:"applicant"`
	Department string         `json:"department"`
	Centre     string         `json:"centre"`
	State      string         `json:"state"`
	Paused     bool           `json:"paused"`
	Deadline   *calendar.Date `json:"deadline"`
	Light      clock.Light    `json:"light"`
}

// Board is the live monitor at one instant.
type Board struct {
	At         time.Time `json:"at"`
	Today      string    `json:"today"`
	By         Dim       `json:"by"`
	County     string    `json:"county,omitempty"`
	CountyName string    `json:"county_name,omitempty"`
	Totals     Counts    `json:"totals"`
	Groups     []Group   `json:"groups"`
	// Urgent are the open cases nearest their due day (most overdue
	// first), each with its light: what a supervisor chases first.
	Urgent []Row `json:"urgent"`
}

// Monitor computes boards.
type Monitor struct {
	DB     *store.DB
	Engine *cases.Service
	Now    func() time.Time
	// UrgentRows is how many cases a board lists (default 12).
	UrgentRows int
}

// Board counts the open cases in scope grouped by.
func (m *Monitor) Board(ctx context.Context, sc Scope, by Dim) (*Board, error) {
	now := m.Now()
	today := clock.Today(now)
	cal, err := m.Engine.WorkingCalendar(ctx)
	if err != nil {
		return nil, err
	}
	col := ByCentreID
	if by == Department {
		col = ByDepartmentID
	}
	tally, err := Tally(ctx, m.DB, cal, m.Engine.Light, today, col, sc.where())
	if err != nil {
		return nil, err
	}
	names, err := m.names(ctx)
	if err != nil {
		return nil, err
	}
	b := &Board{At: now.UTC(), Today: today.String(), By: by, County: sc.County, CountyName: names.region[sc.County], Groups: []Group{}}
	groups := map[string]*Group{}
	for id, c := range tally {
		g := names.group(by, id)
		if have := groups[g.Key]; have != nil {
			have.add(*c)
		} else {
			g.Counts = *c
			groups[g.Key] = &g
		}
		b.Totals.add(*c)
	}
	for _, g := range groups {
		b.Groups = append(b.Groups, *g)
	}
	slices.SortFunc(b.Groups, func(x, y Group) int {
		return cmp.Or(cmp.Compare(x.County, y.County), cmp.Compare(x.Code, y.Code), cmp.Compare(x.Key, y.Key))
	})
	n := m.UrgentRows
	if n <= 0 {
		n = 12
	}
	if b.Urgent, _, err = m.list(ctx, sc, cases.InboxFilter{Limit: n, Today: today}); err != nil {
		return nil, err
	}
	return b, nil
}

// Totals counts the open cases in scope by light (the board's totals
// without its groups and list: the dashboard's red figure).
func (m *Monitor) Totals(ctx context.Context, sc Scope) (Counts, error) {
	var out Counts
	cal, err := m.Engine.WorkingCalendar(ctx)
	if err != nil {
		return out, err
	}
	tally, err := Tally(ctx, m.DB, cal, m.Engine.Light, clock.Today(m.Now()), ByDepartmentID, sc.where())
	if err != nil {
		return out, err
	}
	for _, c := range tally {
		out.add(*c)
	}
	return out, nil
}

// Cases lists the open cases of one group of the board, most urgent
// first. A group outside the scope (another county's department, centre
// or township) is "not found", never an empty list.
//
// mode, when not empty, narrows to cases accepted under that acceptance
// mode (cases.InboxFilter.Mode); the caller checks it.
func (m *Monitor) Cases(ctx context.Context, sc Scope, by Dim, key, mode string, limit, offset int) ([]Row, int, error) {
	f := cases.InboxFilter{Mode: mode, Limit: limit, Offset: offset}
	notFound := apperr.NotFoundf("entity.monitor_group")
	var region string
	switch by {
	case Department:
		id, err := strconv.ParseInt(key, 10, 64)
		if err != nil || id <= 0 {
			return nil, 0, notFound
		}
		if err := m.DB.Read().QueryRowContext(ctx, `SELECT COALESCE(region_code, '') FROM departments WHERE id = $1`, id).Scan(&region); err != nil {
			return nil, 0, notFound
		}
		f.DepartmentID = id
	case Centre:
		id, err := strconv.ParseInt(key, 10, 64)
		if err != nil || id <= 0 {
			return nil, 0, notFound
		}
		if err := m.DB.Read().QueryRowContext(ctx, `SELECT region_code FROM centres WHERE id = $1`, id).Scan(&region); err != nil {
			return nil, 0, notFound
		}
		f.CentreID = id
	case Township, County:
		want := 9
		if by == County {
			want = 6
		}
		// A township group is the region of its centres: the county hall's
		// own region is the county's code.
		if !isCode(key, want) && !(by == Township && isCode(key, 6)) {
			return nil, 0, notFound
		}
		var n int
		if err := m.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM regions WHERE code = $1`, key).Scan(&n); err != nil {
			return nil, 0, err
		}
		if n == 0 {
			return nil, 0, notFound
		}
		region = key
		if by == Township {
			f.RegionCode = key
		} else {
			f.County = key
		}
	default:
		return nil, 0, notFound
	}
	if region == "" || !sc.Actor.CoversRegion(region) || (sc.County != "" && !strings.HasPrefix(region, sc.County)) {
		return nil, 0, notFound
	}
	return m.list(ctx, sc, f)
}

// list reads open cases through the inbox, so scope and light are the
// case engine's own.
func (m *Monitor) list(ctx context.Context, sc Scope, f cases.InboxFilter) ([]Row, int, error) {
	f.All = true
	if f.County == "" {
		f.County = sc.County
	}
	list, total, err := m.Engine.Inbox(ctx, cases.StaffActor(sc.Actor), f)
	if err != nil {
		return nil, 0, err
	}
	out := make([]Row, 0, len(list))
	for _, c := range list {
		who := applicants.Applicant{Kind: c.ApplicantKind, Name: c.ApplicantName}.Masked()
		out = append(out, Row{No: c.No, Item: c.ItemName, Applicant: who.Name, Department: c.Department, Centre: c.Centre,
			State: c.State, Paused: c.Paused, Deadline: c.Due(), Light: c.Light})
	}
	return out, total, nil
}

// names are the organisation's names, read once per board.
type names struct {
	dept   map[int64][3]string // code, name, county
	centre map[int64][3]string // code, name, region
	region map[string]string
}

func (m *Monitor) names(ctx context.Context) (*names, error) {
	n := &names{dept: map[int64][3]string{}, centre: map[int64][3]string{}, region: map[string]string{}}
	r := m.DB.Read()
	read := func(q string, f func(id int64, a, b, c string)) error {
		rows, err := r.QueryContext(ctx, q)
		if err != nil {
			return fmt.Errorf("monitor names: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var a, b, c string
			if err := rows.Scan(&id, &a, &b, &c); err != nil {
				return err
			}
			f(id, a, b, c)
		}
		return rows.Err()
	}
	if err := read(`SELECT id, code, name, COALESCE(region_code, '') FROM departments`, func(id int64, a, b, c string) { n.dept[id] = [3]string{a, b, c} }); err != nil {
		return nil, err
	}
	if err := read(`SELECT id, code, name, region_code FROM centres`, func(id int64, a, b, c string) { n.centre[id] = [3]string{a, b, c} }); err != nil {
		return nil, err
	}
	if err := read(`SELECT 0, code, name, level FROM regions WHERE level <> 'village'`, func(_ int64, a, b, _ string) { n.region[a] = b }); err != nil {
		return nil, err
	}
	return n, nil
}

// group names the group of a department or centre id.
func (n *names) group(by Dim, id int64) Group {
	var g Group
	switch by {
	case Department:
		d := n.dept[id]
		g = Group{Key: strconv.FormatInt(id, 10), Code: d[0], Name: d[1], County: d[2]}
	case Centre:
		c := n.centre[id]
		g = Group{Key: strconv.FormatInt(id, 10), Code: c[0], Name: c[1], County: countyOf(c[2])}
	case Township:
		region := n.centre[id][2]
		g = Group{Key: region, Code: region, Name: n.region[region], County: countyOf(region)}
	case County:
		county := countyOf(n.centre[id][2])
		g = Group{Key: county, Code: county, Name: n.region[county], County: county}
	}
	g.CountyName = n.region[g.County]
	return g
}

// countyOf is the county part of a division code (GB/T 2260: six digits).
func countyOf(region string) string {
	if len(region) < 6 {
		return region
	}
	return region[:6]
}

func isCode(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
