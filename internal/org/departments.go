package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/store"
)

// Department is a window unit (窗口单位): seated in the hall with its own
// windows, or commissioning the centre to accept for it (委托受理).
type Department struct {
	ID        int64  `json:"id"`
	Code      string `json:"code"`
	Name      string `json:"name"`
	ShortName string `json:"short_name"`
	Mode      string `json:"mode"` // seated, commissioned
	Phone     string `json:"phone"`
	// RegionCode is the county the department serves; a province keeps
	// many counties in one database (issue 5).
	RegionCode string `json:"region_code"`
	RegionName string `json:"region_name"`
	Windows    int    `json:"windows"` // active windows, all centres
	// HeadID is the department's head (一把手), whose window duty days
	// are counted; ChiefRepID its chief representative (首席代表), who acts
	// when a step's A and B are both away. 0 when not named (leads.go).
	HeadID       int64  `json:"head_id,omitempty"`
	HeadName     string `json:"head_name,omitempty"`
	ChiefRepID   int64  `json:"chief_rep_id,omitempty"`
	ChiefRepName string `json:"chief_rep_name,omitempty"`
	Meta
}

// DepartmentInput is what a form or API call sends.
type DepartmentInput struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	ShortName string `json:"short_name"`
	Mode      string `json:"mode"`
	Phone     string `json:"phone"`
	// RegionCode may be left out while the installation has one county.
	RegionCode string `json:"region_code"`
}

// DepartmentModes in menu order.
var DepartmentModes = []string{"seated", "commissioned"}

var deptCodeRE = regexp.MustCompile(`^[A-Z][A-Z0-9]{1,11}$`)

const deptCols = `d.id, d.code, d.name, d.short_name, d.mode, d.phone, COALESCE(d.region_code, ''),
	COALESCE((SELECT r.name FROM regions r WHERE r.code = d.region_code), ''),
	(SELECT COUNT(*) FROM windows w WHERE w.department_id = d.id AND w.retired_at IS NULL),
	COALESCE(d.head_id, 0), COALESCE((SELECT h.name FROM staff h WHERE h.id = d.head_id), ''),
	COALESCE(d.chief_rep_id, 0), COALESCE((SELECT h.name FROM staff h WHERE h.id = d.chief_rep_id), ''), d.created_at, d.updated_at, d.retired_at`

func scanDepartment(row scanner) (Department, error) {
	var d Department
	err := row.Scan(&d.ID, &d.Code, &d.Name, &d.ShortName, &d.Mode, &d.Phone, &d.RegionCode, &d.RegionName, &d.Windows,
		&d.HeadID, &d.HeadName, &d.ChiefRepID, &d.ChiefRepName, &d.CreatedAt, &d.UpdatedAt, &d.RetiredAt)
	return d, err
}

// Department returns one department.
func (s *Service) Department(ctx context.Context, id int64) (Department, error) {
	d, err := scanDepartment(s.DB.Read().QueryRowContext(ctx, "SELECT "+deptCols+" FROM departments d WHERE d.id = $1", id))
	return d, notFound(err, "entity.department")
}

// DepartmentFilter narrows a department list.
type DepartmentFilter struct {
	Mode       string // seated or commissioned
	RegionCode string // one county's departments
}

// Departments lists departments by code.
func (s *Service) Departments(ctx context.Context, f DepartmentFilter, o ListOptions) ([]Department, int, error) {
	q := query{from: "departments d", cols: deptCols, order: "d.code"}
	if !o.Retired {
		q.Add("d.retired_at IS NULL")
	}
	if f.Mode != "" {
		q.Add("d.mode = ?", f.Mode)
	}
	if f.RegionCode != "" {
		q.Add("d.region_code = ?", f.RegionCode)
	}
	if o.Q != "" {
		q.Add(`(d.name LIKE ? ESCAPE '\' OR d.short_name LIKE ? ESCAPE '\' OR d.code LIKE ? ESCAPE '\')`, o.pattern(), o.pattern(), o.pattern())
	}
	return list(ctx, s.DB.Read(), q, o, scanDepartment)
}

func validateDepartment(in DepartmentInput, existing *Department) (Department, error) {
	f := apperr.Fields{}
	var d Department
	if existing != nil {
		d = *existing
	} else {
		d.Code = f.Text("code", in.Code, true, 12)
		if !f.Has("code") && !deptCodeRE.MatchString(d.Code) {
			f.Add("code", "org.department.code_format")
		}
	}
	d.Name = f.Text("name", in.Name, true, 60)
	d.ShortName = f.Text("short_name", in.ShortName, true, 20)
	d.Mode = in.Mode
	if !contains(DepartmentModes, d.Mode) {
		f.Add("mode", "error.choose")
	}
	d.Phone = f.Phone("phone", in.Phone, false)
	if rc := strings.TrimSpace(in.RegionCode); rc != "" {
		d.RegionCode = rc
	}
	return d, f.Err()
}

// departmentCounty checks d's county in tx: it must be a county-level
// region in use. Left empty, it is the installation's only county; with
// several counties the admin must choose, and only a county inside the
// admin's reach.
func departmentCounty(ctx context.Context, tx *sql.Tx, a Actor, d *Department) error {
	if d.RegionCode == "" && !a.Province && a.County() != "" {
		// A county's admin has one county to give: its own.
		d.RegionCode = a.County()
	}
	if d.RegionCode == "" {
		var n int
		var only sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), MIN(code) FROM regions WHERE level = 'county' AND retired_at IS NULL`).Scan(&n, &only); err != nil {
			return err
		}
		switch n {
		case 0:
			return nil
		case 1:
			d.RegionCode = only.String
		default:
			return fieldErr("region_code", "org.department.county_required")
		}
	}
	var level string
	err := tx.QueryRowContext(ctx, `SELECT level, name FROM regions WHERE code = $1 AND retired_at IS NULL`, d.RegionCode).Scan(&level, &d.RegionName)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && level != "county") {
		return fieldErr("region_code", "org.department.county_unknown")
	}
	if err == nil && !a.CoversRegion(d.RegionCode) {
		return fieldErr("region_code", "org.region.out_of_scope")
	}
	return err
}

// CreateDepartment adds a department; only the county hall's centre admin may.
func (s *Service) CreateDepartment(ctx context.Context, a Actor, in DepartmentInput) (Department, error) {
	if !(a.Role == CentreAdmin && a.CountyWide()) {
		return Department{}, forbidden()
	}
	d, err := validateDepartment(in, nil)
	if err != nil {
		return Department{}, err
	}
	now := s.now()
	d.CreatedAt, d.UpdatedAt = now, now
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := departmentCounty(ctx, tx, a, &d); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO departments (code, name, short_name, mode, phone, region_code, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$7) RETURNING id`, d.Code, d.Name, d.ShortName, d.Mode, d.Phone, nullStr(d.RegionCode), now).Scan(&d.ID)
		if store.IsUnique(err) {
			return duplicate(store.UniqueField(err, "code", "name"))
		}
		if err != nil {
			return fmt.Errorf("insert department: %w", err)
		}
		return audit.Write(ctx, tx, now, a.Who(), "create", "department", fmt.Sprint(d.ID), 0, d.ID, nil, d)
	})
	return d, err
}

// UpdateDepartment edits a department: the county hall's centre admin any,
// a department admin their own (not its mode, which is the hall's decision).
func (s *Service) UpdateDepartment(ctx context.Context, a Actor, id int64, in DepartmentInput) (Department, error) {
	hallAdmin := a.Role == CentreAdmin && a.CountyWide()
	if !hallAdmin && a.Role != DeptAdmin {
		return Department{}, forbidden()
	}
	before, err := s.Department(ctx, id)
	if err == nil && !hallAdmin && a.DepartmentID != id {
		err = apperr.NotFoundf("entity.department")
	}
	if err != nil {
		return Department{}, err
	}
	if !hallAdmin {
		in.Mode, in.RegionCode = before.Mode, before.RegionCode
	}
	after, err := validateDepartment(in, &before)
	if err != nil {
		return Department{}, err
	}
	now := s.now()
	after.UpdatedAt = now
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		// A department admin cannot choose the county, so a department
		// still without one (made before there were counties) keeps none
		// until the hall's admin sets it.
		if hallAdmin || after.RegionCode != "" {
			if err := departmentCounty(ctx, tx, a, &after); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE departments SET name=$1, short_name=$2, mode=$3, phone=$4, region_code=$5, updated_at=$6 WHERE id=$7`,
			after.Name, after.ShortName, after.Mode, after.Phone, nullStr(after.RegionCode), now, id)
		if store.IsUnique(err) {
			return duplicate("name")
		}
		if err != nil {
			return fmt.Errorf("update department: %w", err)
		}
		return audit.Write(ctx, tx, now, a.Who(), "update", "department", fmt.Sprint(id), 0, id, before, after)
	})
	return after, err
}

// RetireDepartment retires a department with no active windows or staff.
func (s *Service) RetireDepartment(ctx context.Context, a Actor, id int64) error {
	if !(a.Role == CentreAdmin && a.CountyWide()) {
		return forbidden()
	}
	before, err := s.Department(ctx, id)
	if err != nil || !before.Active() {
		return err
	}
	now := s.now()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM windows WHERE department_id = $1 AND retired_at IS NULL) +
			(SELECT COUNT(*) FROM staff WHERE department_id = $1 AND retired_at IS NULL)`, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apperr.New(apperr.Conflict, "org.department.in_use", "Count", n)
		}
		if err := retire(ctx, tx, "departments", "id", id, now); err != nil {
			return err
		}
		return audit.Write(ctx, tx, now, a.Who(), "retire", "department", fmt.Sprint(id), 0, id, before, nil)
	})
}

// fieldErr is one field's validation error.
func fieldErr(field, key string) error {
	f := apperr.Fields{}
	f.Add(field, key)
	return f.Err()
}
