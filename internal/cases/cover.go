package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"onestop/internal/apperr"
	"onestop/internal/attendance"
	"onestop/internal/audit"
	"onestop/internal/org"
	"onestop/internal/store"
)

// Who covers a step whose A and B are both away (DOMAIN.md §3, "A and B
// both away"): the department's chief representative (首席代表,
// departments.chief_rep_id) while at work; with that person away too,
// only whom the department admin assigned for that case's step
// (cover_assignments). loadChiefCover is the rule for one case (stepHolder
// checks it), coverInbox the same rule for the inbox query; change them
// together.

// "Away" here is attendance's one rule as for A and B (attendance.Away):
// a chief representative on leave or not yet punched in covers nothing.
// away(alias) is that rule's SQL for a staff row alias.

// chiefAtWork: departments whose chief representative is named, active
// and not away.
func chiefAtWork(away func(alias string) string) string {
	return `SELECT d.id FROM departments d JOIN staff ch ON ch.id = d.chief_rep_id AND ch.retired_at IS NULL AND NOT ` + away("ch")
}

// coverInbox: the case's A is away with no B at work, and the actor (two
// ? for the staff id) covers: as the department's chief representative at
// work, or as the one assigned for this step when no chief is at work.
func coverInbox(away func(alias string) string) string {
	return `(c.assignee_id IN (SELECT s.id FROM staff s LEFT JOIN staff b ON b.id = s.backup_id AND b.retired_at IS NULL
		WHERE ` + away("s") + ` AND (b.id IS NULL OR ` + away("b") + `))
	AND (c.department_id IN (` + chiefAtWork(away) + ` AND ch.id = ?)
		OR (c.department_id NOT IN (` + chiefAtWork(away) + `)
			AND c.id IN (SELECT ca.case_id FROM cover_assignments ca WHERE ca.staff_id = ? AND ca.step = c.step AND ca.for_id = c.assignee_id))))`
}

// loadChiefCover sets who covers an uncovered A (CoverID, Cover,
// CoverAssignedBy), or leaves CoverID 0 when nobody does yet.
func loadChiefCover(ctx context.Context, q store.Querier, c *Case, aw attendance.Away) error {
	var w store.Where
	err := q.QueryRowContext(ctx, `SELECT ch.id, ch.name FROM departments d JOIN staff ch ON ch.id = d.chief_rep_id
		AND ch.retired_at IS NULL AND NOT `+aw.SQL("ch", w.Bind)+` WHERE d.id = `+w.Bind(c.DepartmentID), w.Args()...).Scan(&c.CoverID, &c.Cover)
	if err == nil || !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	err = q.QueryRowContext(ctx, `SELECT s.id, s.name, ab.name FROM cover_assignments ca JOIN staff s ON s.id = ca.staff_id
		JOIN staff ab ON ab.id = ca.assigned_by WHERE ca.case_id = $1 AND ca.step = $2 AND ca.for_id = $3`,
		c.ID, c.Step, c.AssigneeID).Scan(&c.CoverID, &c.Cover, &c.CoverAssignedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	return err
}

// AssignCover: the department admin names who acts on the case's current
// step when its A, B and the chief representative are all away. The
// person must be active, at work and of the step's role in the case's
// department; the assignment is audited and the acting event will say
// acting_for and assigned_by.
func (s *Service) AssignCover(ctx context.Context, a org.Actor, no string, staffID int64) (*Case, error) {
	if a.Role != org.DeptAdmin {
		return nil, forbidden()
	}
	now := s.Now().UTC()
	var c *Case
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if c, err = s.load(ctx, tx, no); err != nil {
			return err
		}
		if c.DepartmentID != a.DepartmentID {
			return apperr.NotFoundf("entity.case")
		}
		cal, err := s.WorkingCalendar(ctx)
		if err != nil {
			return err
		}
		if err := loadCover(ctx, tx, c, cal, now); err != nil {
			return err
		}
		aw, err := attendance.AwayNow(ctx, tx, cal, now)
		if err != nil {
			return err
		}
		if !coverOpen(c) {
			return apperr.New(apperr.Conflict, "case.cover_not_needed")
		}
		var n int
		var w store.Where
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM staff s WHERE s.id = `+w.Bind(staffID)+` AND `+coverEligible(aw, &w, c),
			w.Args()...).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			f := apperr.Fields{}
			f.Add("staff_id", "case.cover_not_eligible")
			return f.Err()
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO cover_assignments (case_id, step, for_id, staff_id, assigned_by, assigned_at)
			VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (case_id, step) DO UPDATE SET for_id = excluded.for_id, staff_id = excluded.staff_id,
			assigned_by = excluded.assigned_by, assigned_at = excluded.assigned_at`, c.ID, c.Step, c.AssigneeID, staffID, a.StaffID, now); err != nil {
			return fmt.Errorf("cover assignment: %w", err)
		}
		return audit.Write(ctx, tx, now, a.Who(), "assign_cover", "case", c.No, c.CentreID, c.DepartmentID, nil,
			map[string]any{"step": c.Step, "acting_for": c.AssigneeID, "staff_id": staffID})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// coverOpen: the case's step awaits the department admin's assignment —
// A away, no B at work, and no chief representative covering (an
// assignment already made may be replaced).
func coverOpen(c *Case) bool {
	return c.State == "in_progress" && c.AssigneeUncovered && !(c.CoverID != 0 && c.CoverAssignedBy == "")
}

// coverEligible is the condition "staff row s may be assigned to act on
// c's step now": active, of the case's department and the step's role, not
// A, and not away by attendance's one rule (the checkbox, approved leave,
// no punch yet). AssignCover checks it, CoverCandidates lists by it.
func coverEligible(aw attendance.Away, w *store.Where, c *Case) string {
	return `s.department_id = ` + w.Bind(c.DepartmentID) + ` AND s.retired_at IS NULL AND s.role = ` + w.Bind(c.StepRole) +
		` AND s.id <> ` + w.Bind(c.AssigneeID) + ` AND NOT ` + aw.SQL("s", w.Bind)
}

// CoverCandidate is someone the department admin may assign.
type CoverCandidate struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// CoverCandidates lists whom the actor may assign on case c (loaded with
// its cover): the case's department admin, while the step awaits an
// assignment; for anyone else, or when nothing is to be assigned, none.
func (s *Service) CoverCandidates(ctx context.Context, a org.Actor, c *Case) ([]CoverCandidate, error) {
	out := []CoverCandidate{}
	if a.Role != org.DeptAdmin || a.DepartmentID != c.DepartmentID || !coverOpen(c) {
		return out, nil
	}
	cal, err := s.WorkingCalendar(ctx)
	if err != nil {
		return nil, err
	}
	q := s.DB.Read()
	aw, err := attendance.AwayNow(ctx, q, cal, s.Now().UTC())
	if err != nil {
		return nil, err
	}
	var w store.Where
	rows, err := q.QueryContext(ctx, `SELECT s.id, s.name FROM staff s WHERE `+coverEligible(aw, &w, c)+` ORDER BY s.name, s.id`, w.Args()...)
	if err != nil {
		return nil, fmt.Errorf("cover candidates: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var x CoverCandidate
		if err := rows.Scan(&x.ID, &x.Name); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}
