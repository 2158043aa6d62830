package catalogue

import (
	"context"
	"fmt"
)

// DepartmentStats are one department's item counts.
type DepartmentStats struct {
	DepartmentID int64          `json:"department_id"`
	Code         string         `json:"code"`
	Name         string         `json:"name"`
	Mode         string         `json:"mode"`
	InForce      int            `json:"in_force"`
	Suspended    int            `json:"suspended"`
	Cancelled    int            `json:"cancelled"`
	ByType       map[string]int `json:"by_type"` // in force, by type code
}

// Stats is the catalogue statistics page: what the yearly clean-up reviewed,
// cancelled and kept, per department and type.
type Stats struct {
	Departments        []DepartmentStats `json:"departments"`
	Reviewed           int               `json:"reviewed"` // every item ever listed
	InForce            int               `json:"in_force"`
	InForceSeated      int               `json:"in_force_seated"`
	InForceCommission  int               `json:"in_force_commissioned"`
	SeatedDepartments  int               `json:"seated_departments"`
	CommissioningUnits int               `json:"commissioning_units"`
	Suspended          int               `json:"suspended"`
	Cancelled          int               `json:"cancelled"`
	CancelledByType    map[string]int    `json:"cancelled_by_type"`
	ByType             map[string]int    `json:"by_type"`
	Immediate          int               `json:"immediate"`
	Online             int               `json:"online"`
	DeemedApproval     int               `json:"deemed_approval"`
	Free               int               `json:"free"`
}

// Stats counts the catalogue in one pass over the items in their current
// versions.
func (s *Service) Stats(ctx context.Context) (Stats, error) {
	st := Stats{CancelledByType: map[string]int{}, ByType: map[string]int{}}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT d.id, d.code, d.name, d.mode, i.status, v.type, v.immediate, v.online, v.deemed_approval, v.fees = '[]'
		FROM items i JOIN item_versions v ON v.item_id = i.id AND v.version = i.current_version JOIN departments d ON d.id = i.department_id
		ORDER BY d.code`)
	if err != nil {
		return st, fmt.Errorf("catalogue stats: %w", err)
	}
	defer rows.Close()
	index := map[int64]int{}
	for rows.Next() {
		var id int64
		var code, name, mode, status, typ string
		var immediate, online, deemed, free bool
		if err := rows.Scan(&id, &code, &name, &mode, &status, &typ, &immediate, &online, &deemed, &free); err != nil {
			return st, err
		}
		i, ok := index[id]
		if !ok {
			i = len(st.Departments)
			index[id] = i
			st.Departments = append(st.Departments, DepartmentStats{DepartmentID: id, Code: code, Name: name, Mode: mode, ByType: map[string]int{}})
			if mode == "seated" {
				st.SeatedDepartments++
			} else {
				st.CommissioningUnits++
			}
		}
		d := &st.Departments[i]
		st.Reviewed++
		switch status {
		case InForce:
			d.InForce++
			d.ByType[typ]++
			st.InForce++
			st.ByType[typ]++
			if mode == "seated" {
				st.InForceSeated++
			} else {
				st.InForceCommission++
			}
			if immediate {
				st.Immediate++
			}
			if online {
				st.Online++
			}
			if deemed {
				st.DeemedApproval++
			}
			if free {
				st.Free++
			}
		case Suspended:
			d.Suspended++
			st.Suspended++
		case Cancelled:
			d.Cancelled++
			st.Cancelled++
			st.CancelledByType[typ]++
		}
	}
	return st, rows.Err()
}
