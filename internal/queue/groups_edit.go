package queue

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/org"
	"onestop/internal/store"
)

// Editing and retiring a queue group (issue 15 §4, the hall's practice:
// docs/DOMAIN.md §23). A retired group keeps its row, its tickets and
// their events — the figures of past periods still read them — and gives
// out no new number anywhere (kiosk, portal, window, transfer).

// GroupRecord is a group as its admin edits it: retired or not, with
// its centre.
type GroupRecord struct {
	Group
	RetiredAt *time.Time
	Centre    org.Centre
}

// GroupOf reads a group of a centre a manages, retired or not, with its
// windows; another centre's (or an unknown id) is "not found".
func (s *Service) GroupOf(ctx context.Context, a org.Actor, id int64) (GroupRecord, error) {
	q := s.DB.Read()
	var g GroupRecord
	var retired sql.NullTime
	err := q.QueryRowContext(ctx, `SELECT g.id, g.centre_id, COALESCE(g.department_id, 0), g.prefix, g.name, g.position, g.retired_at, c.code, c.name, c.region_code
		FROM queue_groups g JOIN centres c ON c.id = g.centre_id WHERE g.id = $1`, id).
		Scan(&g.ID, &g.CentreID, &g.DepartmentID, &g.Prefix, &g.Name, &g.Position, &retired, &g.Centre.Code, &g.Centre.Name, &g.Centre.RegionCode)
	g.Centre.ID = g.CentreID
	if err == sql.ErrNoRows || (err == nil && !Manages(a, g.Centre)) {
		return GroupRecord{}, apperr.NotFoundf("entity.queue_group")
	}
	if err != nil {
		return GroupRecord{}, err
	}
	g.RetiredAt = utc(retired)
	ws, err := q.QueryContext(ctx, `SELECT w.id, w.number FROM queue_group_windows gw JOIN windows w ON w.id = gw.window_id
		WHERE gw.group_id = $1 ORDER BY LENGTH(w.number), w.number`, id)
	if err != nil {
		return GroupRecord{}, err
	}
	defer ws.Close()
	for ws.Next() {
		var wid int64
		var no string
		if err := ws.Scan(&wid, &no); err != nil {
			return GroupRecord{}, err
		}
		g.WindowIDs, g.Windows = append(g.WindowIDs, wid), append(g.Windows, no)
	}
	return g, ws.Err()
}

// openGroup reads the group a ticket is issued into or transferred to: a
// live group of centreID. A retired group says so in words; another
// centre's or an unknown id is unknown.
func openGroup(ctx context.Context, q store.Querier, id, centreID int64) (Group, error) {
	var g Group
	var retired sql.NullTime
	err := q.QueryRowContext(ctx, `SELECT id, centre_id, COALESCE(department_id, 0), prefix, name, position, retired_at FROM queue_groups WHERE id = $1`, id).
		Scan(&g.ID, &g.CentreID, &g.DepartmentID, &g.Prefix, &g.Name, &g.Position, &retired)
	f := apperr.Fields{}
	switch {
	case err == sql.ErrNoRows || (err == nil && g.CentreID != centreID):
		f.Add("group", "queue.group_unknown")
		return Group{}, f.Err()
	case err != nil:
		return Group{}, err
	case retired.Valid:
		f.Add("group", "queue.group_retired")
		return Group{}, f.Err()
	}
	return g, nil
}

// UpdateGroup changes a live group's name, department, windows and — only
// while it has given out no number today — its letter: today's numbers
// run on from the group's counter, so a new letter mid-day would put A012
// and F013 in one line.
func (s *Service) UpdateGroup(ctx context.Context, a org.Actor, id int64, in GroupInput) (GroupRecord, error) {
	old, err := s.GroupOf(ctx, a, id)
	if err != nil {
		return GroupRecord{}, err
	}
	c := old.Centre
	f := apperr.Fields{}
	if old.RetiredAt != nil {
		return GroupRecord{}, apperr.New(apperr.Conflict, "queue.group_is_retired")
	}
	in = checkGroupInput(f, in)
	if err := f.Err(); err != nil {
		return GroupRecord{}, err
	}
	now := s.Now().UTC()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		numbers, err := checkGroupRefs(ctx, tx, c.ID, in, f)
		if err != nil {
			return err
		}
		if in.Prefix != old.Prefix {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM queue_tickets WHERE group_id = $1 AND day = $2`, id, day(now)).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				f.Add("prefix", "queue.prefix_in_use")
				return f.Err()
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE queue_groups SET prefix = $1, name = $2, department_id = $3 WHERE id = $4 AND retired_at IS NULL`,
			in.Prefix, in.Name, nullID(in.DepartmentID), id)
		if err := saved(ctx, tx, err, f, id, in.WindowIDs); err != nil {
			return err
		}
		return audit.Write(ctx, tx, now, a.Who(), "update", "queue_group", strconv.FormatInt(id, 10), c.ID, in.DepartmentID,
			map[string]any{"prefix": old.Prefix, "name": old.Name, "department_id": old.DepartmentID, "queue_windows": strings.Join(old.Windows, "、")},
			map[string]any{"prefix": in.Prefix, "name": in.Name, "department_id": in.DepartmentID, "queue_windows": strings.Join(numbers, "、")})
	})
	if err != nil {
		return GroupRecord{}, err
	}
	s.changed(c.ID)
	return s.GroupOf(ctx, a, id)
}

// RetireGroup stops a group giving out numbers. Its tickets and figures
// stay; while any of today's tickets still waits or stands at a window
// it is refused (they would be left in a line no window calls). Its
// letter is free again for a new group.
func (s *Service) RetireGroup(ctx context.Context, a org.Actor, id int64) error {
	g, err := s.GroupOf(ctx, a, id)
	if err != nil {
		return err
	}
	c := g.Centre
	if g.RetiredAt != nil {
		return apperr.New(apperr.Conflict, "queue.group_is_retired")
	}
	now := s.Now().UTC()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var open int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM queue_tickets WHERE group_id = $1 AND day = $2 AND state IN ('waiting','called','serving')`,
			id, day(now)).Scan(&open); err != nil {
			return err
		}
		if open > 0 {
			return apperr.New(apperr.Conflict, "queue.group_has_tickets", "N", open)
		}
		res, err := tx.ExecContext(ctx, `UPDATE queue_groups SET retired_at = $1 WHERE id = $2 AND retired_at IS NULL`, now, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "queue.group_is_retired")
		}
		return audit.Write(ctx, tx, now, a.Who(), "retire", "queue_group", strconv.FormatInt(id, 10), c.ID, g.DepartmentID,
			map[string]any{"prefix": g.Prefix, "name": g.Name}, map[string]any{"retired": true})
	})
	if err != nil {
		return err
	}
	s.changed(c.ID)
	return nil
}

// RetiredGroups lists a centre's retired groups, newest first, for the
// admin's page (their history stays readable).
func (s *Service) RetiredGroups(ctx context.Context, centreID int64) ([]Group, error) {
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT id, centre_id, COALESCE(department_id, 0), prefix, name, position FROM queue_groups
		WHERE centre_id = $1 AND retired_at IS NOT NULL ORDER BY retired_at DESC, id DESC`, centreID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Group
	for rows.Next() {
		var g Group
		if err := rows.Scan(&g.ID, &g.CentreID, &g.DepartmentID, &g.Prefix, &g.Name, &g.Position); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}
