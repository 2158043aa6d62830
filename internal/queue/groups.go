package queue

import (
	"context"
	"database/sql"
	"regexp"
	"strconv"
	"strings"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/org"
	"onestop/internal/store"
)

// Group is a queue group: windows of one centre serving the same business,
// whose tickets start with Prefix.
type Group struct {
	ID           int64    `json:"id"`
	CentreID     int64    `json:"centre_id"`
	DepartmentID int64    `json:"department_id,omitempty"`
	Prefix       string   `json:"prefix"`
	Name         string   `json:"name"`
	Position     int      `json:"position"`
	WindowIDs    []int64  `json:"window_ids"`
	Windows      []string `json:"windows"` // the windows' numbers
}

// GroupInput is what the centre admin sends.
type GroupInput struct {
	CentreID     int64
	DepartmentID int64
	Prefix       string
	Name         string
	Position     int
	WindowIDs    []int64
}

// MaxGroupName bounds a group's name: it is shown in large type on the
// kiosk and the screen.
const MaxGroupName = 20

var prefixRE = regexp.MustCompile(`^[A-Z]$`)

// Groups lists a centre's groups in the kiosk's order, with their windows.
func (s *Service) Groups(ctx context.Context, centreID int64) ([]Group, error) {
	q := s.DB.Read()
	rows, err := q.QueryContext(ctx, `SELECT id, centre_id, COALESCE(department_id, 0), prefix, name, position FROM queue_groups
		WHERE centre_id = $1 AND retired_at IS NULL ORDER BY position, prefix`, centreID)
	if err != nil {
		return nil, err
	}
	var out []Group
	byID := map[int64]int{}
	for rows.Next() {
		var g Group
		if err := rows.Scan(&g.ID, &g.CentreID, &g.DepartmentID, &g.Prefix, &g.Name, &g.Position); err != nil {
			rows.Close()
			return nil, err
		}
		byID[g.ID] = len(out)
		out = append(out, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	ws, err := q.QueryContext(ctx, `SELECT gw.group_id, w.id, w.number FROM queue_group_windows gw JOIN windows w ON w.id = gw.window_id
		JOIN queue_groups g ON g.id = gw.group_id WHERE g.centre_id = $1 AND w.retired_at IS NULL ORDER BY LENGTH(w.number), w.number`, centreID)
	if err != nil {
		return nil, err
	}
	defer ws.Close()
	for ws.Next() {
		var gid, wid int64
		var no string
		if err := ws.Scan(&gid, &wid, &no); err != nil {
			return nil, err
		}
		if i, ok := byID[gid]; ok {
			out[i].WindowIDs = append(out[i].WindowIDs, wid)
			out[i].Windows = append(out[i].Windows, no)
		}
	}
	return out, ws.Err()
}

// group reads one live group.
func group(ctx context.Context, q store.Querier, id int64) (Group, error) {
	var g Group
	err := q.QueryRowContext(ctx, `SELECT id, centre_id, COALESCE(department_id, 0), prefix, name, position FROM queue_groups
		WHERE id = $1 AND retired_at IS NULL`, id).Scan(&g.ID, &g.CentreID, &g.DepartmentID, &g.Prefix, &g.Name, &g.Position)
	if err == sql.ErrNoRows {
		return g, apperr.NotFoundf("entity.queue_group")
	}
	return g, err
}

// Manages reports whether a sets up the queue groups of centreID: that
// centre's admin (a hall's admin also those of the county's centres).
func Manages(a org.Actor, c org.Centre) bool {
	if a.Role != org.CentreAdmin {
		return false
	}
	if a.CountyWide() {
		return a.CoversRegion(c.RegionCode)
	}
	return a.CentreID != 0 && a.CentreID == c.ID
}

// CreateGroup adds a group to a centre the actor manages. The windows must
// be the centre's; the prefix is free among the centre's live groups.
func (s *Service) CreateGroup(ctx context.Context, a org.Actor, c org.Centre, in GroupInput) (Group, error) {
	if !Manages(a, c) {
		return Group{}, apperr.New(apperr.Forbidden, "error.forbidden")
	}
	f := apperr.Fields{}
	in = checkGroupInput(f, in)
	if err := f.Err(); err != nil {
		return Group{}, err
	}
	now := s.Now().UTC()
	var id int64
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		numbers, err := checkGroupRefs(ctx, tx, c.ID, in, f)
		if err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO queue_groups (centre_id, department_id, prefix, name, position, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, c.ID, nullID(in.DepartmentID), in.Prefix, in.Name, in.Position, now).Scan(&id)
		if err := saved(ctx, tx, err, f, id, in.WindowIDs); err != nil {
			return err
		}
		return audit.Write(ctx, tx, now, a.Who(), "create", "queue_group", strconv.FormatInt(id, 10), c.ID, in.DepartmentID, nil,
			map[string]any{"prefix": in.Prefix, "name": in.Name, "queue_windows": strings.Join(numbers, "、")})
	})
	if err != nil {
		return Group{}, err
	}
	s.changed(c.ID)
	return group(ctx, s.DB.Read(), id)
}

// checkGroupInput checks the form's own values (a new group's or an
// edited one's), normalising the prefix and the name.
func checkGroupInput(f apperr.Fields, in GroupInput) GroupInput {
	in.Prefix = strings.ToUpper(strings.TrimSpace(in.Prefix))
	if !prefixRE.MatchString(in.Prefix) {
		f.Add("prefix", "queue.bad_prefix")
	}
	in.Name = f.Text("name", in.Name, true, MaxGroupName)
	if len(in.WindowIDs) == 0 {
		f.Add("windows", "error.required")
	}
	return in
}

// checkGroupRefs checks in's windows (live, of centreID) and department
// (known), and returns the windows' numbers for the record.
func checkGroupRefs(ctx context.Context, tx *sql.Tx, centreID int64, in GroupInput, f apperr.Fields) ([]string, error) {
	var numbers []string
	for _, w := range in.WindowIDs {
		var centre int64
		var no string
		err := tx.QueryRowContext(ctx, `SELECT centre_id, number FROM windows WHERE id = $1 AND retired_at IS NULL`, w).Scan(&centre, &no)
		numbers = append(numbers, no)
		if err == sql.ErrNoRows || (err == nil && centre != centreID) {
			f.Add("windows", "queue.window_elsewhere")
			return nil, f.Err()
		} else if err != nil {
			return nil, err
		}
	}
	if in.DepartmentID != 0 {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM departments WHERE id = $1`, in.DepartmentID).Scan(&n); err != nil {
			return nil, err
		}
		if n == 0 {
			f.Add("department_id", "queue.department_unknown")
			return nil, f.Err()
		}
	}
	return numbers, nil
}

// saved finishes writing group id after its row's insert or update gave
// err: a live group's letter taken is the prefix's field error; else the
// windows that call it become windowIDs.
func saved(ctx context.Context, tx *sql.Tx, err error, f apperr.Fields, id int64, windowIDs []int64) error {
	if store.IsUnique(err) {
		f.Add("prefix", "queue.prefix_taken")
		return f.Err()
	} else if err != nil {
		return err
	}
	return setGroupWindows(ctx, tx, id, windowIDs)
}

// setGroupWindows makes ids the windows that call group id.
func setGroupWindows(ctx context.Context, tx *sql.Tx, id int64, ids []int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM queue_group_windows WHERE group_id = $1`, id); err != nil {
		return err
	}
	for _, w := range ids {
		if _, err := tx.ExecContext(ctx, `INSERT INTO queue_group_windows (group_id, window_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, id, w); err != nil {
			return err
		}
	}
	return nil
}

// windowGroups are the ids of the live groups a window calls for.
func windowGroups(ctx context.Context, q store.Querier, windowID int64) ([]int64, error) {
	return store.Column[int64](q.QueryContext(ctx, `SELECT gw.group_id FROM queue_group_windows gw JOIN queue_groups g ON g.id = gw.group_id
		WHERE gw.window_id = $1 AND g.retired_at IS NULL ORDER BY g.position, g.prefix`, windowID))
}
