package attendance

import (
	"context"
	"database/sql"
	"errors"
	"regexp"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/org"
	"onestop/internal/store"
)

// pinRE is an attendance PIN (考勤号) as terminals store it: ZKTeco
// firmware takes up to 9 digits on older models and 24 letters or digits
// on newer ones.
var pinRE = regexp.MustCompile(`^[A-Za-z0-9]{1,24}$`)

// SetPIN sets the PIN a terminal knows a person by; "" removes it (the
// person is then not expected to punch). Only the admin of the person's
// centre may; a PIN is unique at a centre.
func (s *Service) SetPIN(ctx context.Context, a org.Actor, staffID int64, pin string) error {
	var centre int64
	var region, was string
	err := s.DB.Read().QueryRowContext(ctx, `SELECT s.centre_id, ce.region_code, s.attendance_pin FROM staff s JOIN centres ce ON ce.id = s.centre_id
		WHERE s.id = $1 AND s.retired_at IS NULL`, staffID).Scan(&centre, &region, &was)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !a.AdministersCentre(centre, region)) {
		return apperr.NotFoundf("entity.staff")
	}
	if err != nil {
		return err
	}
	f := apperr.Fields{}
	pin = f.Text("pin", pin, false, 24)
	if pin != "" && !f.Has("pin") && !pinRE.MatchString(pin) {
		f.Add("pin", "attendance.pin_format")
	}
	if err := f.Err(); err != nil {
		return err
	}
	if pin == was {
		return nil
	}
	now := s.now()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE staff SET attendance_pin = $1 WHERE id = $2`, pin, staffID)
		if store.IsUnique(err) {
			return &apperr.Error{Code: apperr.Conflict, Msg: apperr.M("error.invalid"), Fields: map[string]apperr.Msg{"pin": apperr.M("attendance.pin_taken")}}
		}
		if err != nil {
			return err
		}
		return audit.Write(ctx, tx, now, a.Who(), "attendance.pin", "staff", itoa(staffID), centre, 0,
			map[string]any{"attendance_pin": was}, map[string]any{"attendance_pin": pin})
	})
}

// Enrolled is a person with an attendance PIN, as the PIN page lists them.
type Enrolled struct {
	StaffID    int64  `json:"staff_id"`
	Name       string `json:"name"`
	Username   string `json:"username"`
	Department string `json:"department"`
	Window     string `json:"window"`
	PIN        string `json:"pin"`
}

// People lists the active staff of the centres a administers, with their
// PINs (empty when not enrolled).
func (s *Service) People(ctx context.Context, a org.Actor) ([]Enrolled, error) {
	w, err := adminScope(a, "s.centre_id")
	if err != nil {
		return nil, err
	}
	w.Add("s.retired_at IS NULL")
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT s.id, s.name, s.username, COALESCE(dp.short_name, ''), COALESCE(wi.number, ''), s.attendance_pin
		FROM staff s LEFT JOIN departments dp ON dp.id = s.department_id LEFT JOIN windows wi ON wi.id = s.window_id`+w.String()+
		` ORDER BY dp.short_name, s.username`, w.Args()...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Enrolled{}
	for rows.Next() {
		var e Enrolled
		if err := rows.Scan(&e.StaffID, &e.Name, &e.Username, &e.Department, &e.Window, &e.PIN); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
