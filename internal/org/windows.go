package org

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/store"
)

// Window is a numbered service window of one department at one centre.
type Window struct {
	ID             int64  `json:"id"`
	CentreID       int64  `json:"centre_id"`
	CentreName     string `json:"centre_name"`
	DepartmentID   int64  `json:"department_id"`
	DepartmentName string `json:"department_name"`
	Number         string `json:"number"`
	Name           string `json:"name"`
	Meta
}

// WindowInput is what a form or API call sends.
type WindowInput struct {
	CentreID     int64  `json:"centre_id"`
	DepartmentID int64  `json:"department_id"`
	Number       string `json:"number"`
	Name         string `json:"name"`
}

var windowNumberRE = regexp.MustCompile(`^[A-Z]{0,2}[0-9]{1,3}$`)

const windowCols = `w.id, w.centre_id, c.name, w.department_id, d.short_name, w.number, w.name, w.created_at, w.updated_at, w.retired_at`
const windowFrom = `windows w JOIN centres c ON c.id = w.centre_id JOIN departments d ON d.id = w.department_id`

func scanWindow(row scanner) (Window, error) {
	var w Window
	err := row.Scan(&w.ID, &w.CentreID, &w.CentreName, &w.DepartmentID, &w.DepartmentName, &w.Number, &w.Name, &w.CreatedAt, &w.UpdatedAt, &w.RetiredAt)
	return w, err
}

// Window returns one window if the actor may see it; otherwise not found.
func (s *Service) Window(ctx context.Context, a Actor, id int64) (Window, error) {
	w, err := scanWindow(s.DB.Read().QueryRowContext(ctx, "SELECT "+windowCols+" FROM "+windowFrom+" WHERE w.id = $1", id))
	if err == nil && !a.SeesDepartmentAt(w.DepartmentID, w.CentreID) {
		err = sql.ErrNoRows
	}
	return w, notFound(err, "entity.window")
}

// WindowFilter narrows a window listing.
type WindowFilter struct {
	CentreID, DepartmentID int64
}

// Windows lists the windows the actor may see, by centre and number.
func (s *Service) Windows(ctx context.Context, a Actor, f WindowFilter, o ListOptions) ([]Window, int, error) {
	q := query{from: windowFrom, cols: windowCols, order: "c.code, LENGTH(w.number), w.number"}
	if !o.Retired {
		q.Add("w.retired_at IS NULL")
	}
	if f.CentreID != 0 {
		q.Add("w.centre_id = ?", f.CentreID)
	}
	if f.DepartmentID != 0 {
		q.Add("w.department_id = ?", f.DepartmentID)
	}
	scopeWindows(&q, a)
	if o.Q != "" {
		q.Add(`(w.number LIKE ? ESCAPE '\' OR w.name LIKE ? ESCAPE '\' OR d.short_name LIKE ? ESCAPE '\')`, o.pattern(), o.pattern(), o.pattern())
	}
	return list(ctx, s.DB.Read(), q, o, scanWindow)
}

// scopeWindows is SeesDepartmentAt as SQL, so listings never show what a
// single read would hide.
func scopeWindows(q *query, a Actor) {
	switch {
	case a.CountyWide():
		if cond, args := a.CountyCentres("w.centre_id"); cond != "" {
			q.Add(cond, args...)
		}
	case a.Role == CentreAdmin:
		q.Add("w.centre_id = ?", a.CentreID)
	case a.Role == DeptAdmin:
		q.Add("w.department_id = ?", a.DepartmentID)
	case a.Role.InDepartment():
		q.Add("w.department_id = ? AND w.centre_id = ?", a.DepartmentID, a.CentreID)
	default:
		q.Add("1 = 0")
	}
}

// canManageWindowsAt: windows are the centre's furniture, so centre admins
// manage them — the hall's admin everywhere, a township admin at home.
func canManageWindowsAt(a Actor, centreID int64) bool {
	return a.Role == CentreAdmin && a.SeesCentre(centreID)
}

func (s *Service) validateWindow(ctx context.Context, a Actor, in WindowInput, existing *Window) (Window, error) {
	f := apperr.Fields{}
	var w Window
	if existing != nil {
		w = *existing
	} else {
		c, err := s.Centre(ctx, in.CentreID)
		if err != nil || !c.Active() || !canManageWindowsAt(a, c.ID) {
			f.Add("centre_id", "org.centre.missing")
		}
		w.CentreID, w.CentreName = c.ID, c.Name
	}
	d, err := s.Department(ctx, in.DepartmentID)
	if err != nil || !d.Active() {
		f.Add("department_id", "org.department.missing")
	}
	w.DepartmentID, w.DepartmentName = d.ID, d.ShortName
	w.Number = f.Text("number", in.Number, true, 5)
	if !f.Has("number") && !windowNumberRE.MatchString(w.Number) {
		f.Add("number", "org.window.number_format")
	}
	w.Name = f.Text("name", in.Name, false, 40)
	return w, f.Err()
}

// CreateWindow opens a window at a centre for a department.
func (s *Service) CreateWindow(ctx context.Context, a Actor, in WindowInput) (Window, error) {
	if a.Role != CentreAdmin {
		return Window{}, forbidden()
	}
	w, err := s.validateWindow(ctx, a, in, nil)
	if err != nil {
		return Window{}, err
	}
	now := s.now()
	w.CreatedAt, w.UpdatedAt = now, now
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO windows (centre_id, department_id, number, name, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$5) RETURNING id`, w.CentreID, w.DepartmentID, w.Number, w.Name, now).Scan(&w.ID)
		if store.IsUnique(err) {
			return duplicate("number")
		}
		if err != nil {
			return fmt.Errorf("insert window: %w", err)
		}
		return audit.Write(ctx, tx, now, a.Who(), "create", "window", fmt.Sprint(w.ID), w.CentreID, w.DepartmentID, nil, w)
	})
	return w, err
}

// UpdateWindow renumbers a window or gives it to another department.
func (s *Service) UpdateWindow(ctx context.Context, a Actor, id int64, in WindowInput) (Window, error) {
	if a.Role != CentreAdmin {
		return Window{}, forbidden()
	}
	before, err := s.Window(ctx, a, id)
	if err != nil {
		return Window{}, err
	}
	after, err := s.validateWindow(ctx, a, in, &before)
	if err != nil {
		return Window{}, err
	}
	now := s.now()
	after.UpdatedAt = now
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE windows SET department_id=$1, number=$2, name=$3, updated_at=$4 WHERE id=$5`,
			after.DepartmentID, after.Number, after.Name, now, id)
		if store.IsUnique(err) {
			return duplicate("number")
		}
		if err != nil {
			return fmt.Errorf("update window: %w", err)
		}
		return audit.Write(ctx, tx, now, a.Who(), "update", "window", fmt.Sprint(id), after.CentreID, after.DepartmentID, before, after)
	})
	return after, err
}

// RetireWindow closes a window; staff seated there lose the seat.
func (s *Service) RetireWindow(ctx context.Context, a Actor, id int64) error {
	if a.Role != CentreAdmin {
		return forbidden()
	}
	before, err := s.Window(ctx, a, id)
	if err != nil || !before.Active() {
		return err
	}
	now := s.now()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE staff SET window_id = NULL, updated_at = $1 WHERE window_id = $2`, now, id); err != nil {
			return err
		}
		if err := retire(ctx, tx, "windows", "id", id, now); err != nil {
			return err
		}
		return audit.Write(ctx, tx, now, a.Who(), "retire", "window", fmt.Sprint(id), before.CentreID, before.DepartmentID, before, nil)
	})
}
