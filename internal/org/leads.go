package org

import (
	"context"
	"database/sql"
	"fmt"

	"onestop/internal/audit"
)

// LeadsInput names a department's head (一把手) and chief representative
// (首席代表); 0 leaves the post unnamed.
type LeadsInput struct {
	HeadID     int64 `json:"head_id"`
	ChiefRepID int64 `json:"chief_rep_id"`
}

// SetDepartmentLeads names the department's head and chief representative.
// Only the county hall's centre admin may: the head's duty is what the
// centre checks (DOMAIN.md §1), and the chief representative gains the
// right to act on any step of the department when A and B are away
// (DOMAIN.md §3), so a department admin may not name them for itself.
// Both must be active staff of the department; the chief representative
// must be an approver (一核/首席代表), the role that signs off.
func (s *Service) SetDepartmentLeads(ctx context.Context, a Actor, id int64, in LeadsInput) (Department, error) {
	if !(a.Role == CentreAdmin && a.CountyWide()) {
		return Department{}, forbidden()
	}
	before, err := s.Department(ctx, id)
	if err != nil {
		return Department{}, err
	}
	if !a.CoversRegion(before.RegionCode) && before.RegionCode != "" {
		return Department{}, notFound(sql.ErrNoRows, "entity.department")
	}
	now := s.now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := leadOf(ctx, tx, id, in.HeadID, "head_id", ""); err != nil {
			return err
		}
		if err := leadOf(ctx, tx, id, in.ChiefRepID, "chief_rep_id", Approver); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE departments SET head_id = $1, chief_rep_id = $2, updated_at = $3 WHERE id = $4`,
			nullID(in.HeadID), nullID(in.ChiefRepID), now, id); err != nil {
			return fmt.Errorf("department leads: %w", err)
		}
		// Duty is read by the head as of each month (DOMAIN.md §25).
		if in.HeadID != before.HeadID {
			if err := AppendDated(ctx, tx, "department_head_history", "department_id", "head_id", id,
				nullID(before.HeadID), nullID(in.HeadID), now, a.StaffID); err != nil {
				return err
			}
		}
		return audit.Write(ctx, tx, now, a.Who(), "set_leads", "department", fmt.Sprint(id), 0, id,
			LeadsInput{HeadID: before.HeadID, ChiefRepID: before.ChiefRepID}, in)
	})
	if err != nil {
		return Department{}, err
	}
	return s.Department(ctx, id)
}

// leadOf checks that staffID (when named) is active staff of the
// department, with the role asked for when one is.
func leadOf(ctx context.Context, tx *sql.Tx, deptID, staffID int64, field string, role Role) error {
	if staffID == 0 {
		return nil
	}
	if staffID < 0 {
		return fieldErr(field, "error.choose")
	}
	var got Role
	err := tx.QueryRowContext(ctx, `SELECT role FROM staff WHERE id = $1 AND department_id = $2 AND retired_at IS NULL`, staffID, deptID).Scan(&got)
	if err == sql.ErrNoRows || (err == nil && role != "" && got != role) {
		return fieldErr(field, "org.department.lead_not_staff")
	}
	return err
}

// nullID stores 0 as NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
