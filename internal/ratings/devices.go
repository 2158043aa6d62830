package ratings

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/auth"
	"onestop/internal/org"
	"onestop/internal/store"
)

// Device is a window's rating pad (评价器). It authenticates with its own
// key (auth.NewClientKey with KeyPrefix), shown once when issued; only its
// hash is kept.
type Device struct {
	ID           int64      `json:"id"`
	WindowID     int64      `json:"window_id"`
	Window       string     `json:"window"`
	DepartmentID int64      `json:"department_id"`
	Department   string     `json:"department"`
	CentreID     int64      `json:"centre_id"`
	Name         string     `json:"name"`
	IssuedBy     string     `json:"issued_by"`
	IssuedAt     time.Time  `json:"issued_at"`
	RevokedBy    string     `json:"revoked_by,omitempty"`
	RevokedAt    *time.Time `json:"revoked_at,omitempty"`
}

// KeyPrefix marks a rating pad's key.
const KeyPrefix = "osr_"

// MaxDeviceName bounds a pad's name.
const MaxDeviceName = 60

const deviceCols = `d.id, d.window_id, w.number, w.department_id, dp.short_name, w.centre_id, d.name, s1.name, d.issued_at,
	COALESCE(s2.name, ''), d.revoked_at`

const deviceFrom = `rating_devices d JOIN windows w ON w.id = d.window_id JOIN departments dp ON dp.id = w.department_id
	JOIN staff s1 ON s1.id = d.issued_by LEFT JOIN staff s2 ON s2.id = d.revoked_by`

func scanDevice(row interface{ Scan(...any) error }) (*Device, error) {
	var d Device
	var revoked sql.NullTime
	if err := row.Scan(&d.ID, &d.WindowID, &d.Window, &d.DepartmentID, &d.Department, &d.CentreID, &d.Name, &d.IssuedBy, &d.IssuedAt,
		&d.RevokedBy, &revoked); err != nil {
		return nil, err
	}
	d.IssuedAt = d.IssuedAt.UTC()
	if revoked.Valid {
		t := revoked.Time.UTC()
		d.RevokedAt = &t
	}
	return &d, nil
}

// Devices lists the pads of the centres a administers.
func (s *Service) Devices(ctx context.Context, a org.Actor) ([]*Device, error) {
	if a.Role != org.CentreAdmin {
		return nil, apperr.New(apperr.Forbidden, "rating.centre_admin_only")
	}
	var w store.Where
	if !a.CountyWide() {
		w.Add("w.centre_id = ?", a.CentreID)
	} else if c, args := a.CountyCentres("w.centre_id"); c != "" {
		w.Add(c, args...)
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT `+deviceCols+` FROM `+deviceFrom+w.String()+` ORDER BY d.revoked_at IS NOT NULL, w.number, d.id`, w.Args()...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*Device{}
	for rows.Next() {
		d, err := scanDevice(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// IssueDevice makes a pad for a window and returns it with its key, to
// be shown once. The centre admin's act is in the audit log.
func (s *Service) IssueDevice(ctx context.Context, a org.Actor, windowID int64, name string) (*Device, string, error) {
	f := apperr.Fields{}
	name = f.Text("name", name, true, MaxDeviceName)
	var centre int64
	var region string
	err := s.DB.Read().QueryRowContext(ctx, `SELECT w.centre_id, ce.region_code FROM windows w JOIN centres ce ON ce.id = w.centre_id
		WHERE w.id = $1 AND w.retired_at IS NULL`, windowID).Scan(&centre, &region)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !a.AdministersCentre(centre, region)) {
		f.Add("window_id", "rating.window_unknown")
	} else if err != nil {
		return nil, "", err
	}
	if err := f.Err(); err != nil {
		return nil, "", err
	}
	key, hash, err := auth.NewClientKey(KeyPrefix)
	if err != nil {
		return nil, "", err
	}
	now := s.now()
	var id int64
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO rating_devices (window_id, name, key_hash, issued_by, issued_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			windowID, name, hash, a.StaffID, now).Scan(&id); err != nil {
			return err
		}
		return audit.Write(ctx, tx, now, a.Who(), "rating.device_issue", "rating_device", itoa(int(id)), centre, 0, nil,
			map[string]any{"window_id": windowID, "name": name})
	})
	if err != nil {
		return nil, "", err
	}
	d, err := scanDevice(s.DB.W.QueryRowContext(ctx, `SELECT `+deviceCols+` FROM `+deviceFrom+` WHERE d.id = $1`, id))
	return d, key, err
}

// RevokeDevice stops a pad's key from working. Revoking twice changes
// nothing.
func (s *Service) RevokeDevice(ctx context.Context, a org.Actor, id int64) error {
	var centre int64
	var region string
	err := s.DB.Read().QueryRowContext(ctx, `SELECT w.centre_id, ce.region_code FROM rating_devices d JOIN windows w ON w.id = d.window_id
		JOIN centres ce ON ce.id = w.centre_id WHERE d.id = $1`, id).Scan(&centre, &region)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !a.AdministersCentre(centre, region)) {
		return apperr.NotFoundf("entity.rating_device")
	}
	if err != nil {
		return err
	}
	now := s.now()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE rating_devices SET revoked_by = $1, revoked_at = $2 WHERE id = $3 AND revoked_at IS NULL`, a.StaffID, now, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return audit.Write(ctx, tx, now, a.Who(), "rating.device_revoke", "rating_device", itoa(int(id)), centre, 0, nil, nil)
	})
}

// errDeviceKey is the one answer for a missing, unknown or revoked key.
var errDeviceKey = apperr.New(apperr.Unauth, "rating.device_key")

// DeviceByKey authenticates a pad by its key; a revoked key, or a pad
// whose window was retired, is refused like an unknown one.
func (s *Service) DeviceByKey(ctx context.Context, key string) (*Device, error) {
	hash, ok := auth.LookupClientKey(key, KeyPrefix)
	if !ok {
		return nil, errDeviceKey
	}
	d, err := scanDevice(s.DB.Read().QueryRowContext(ctx, `SELECT `+deviceCols+` FROM `+deviceFrom+`
		WHERE d.key_hash = $1 AND d.revoked_at IS NULL AND w.retired_at IS NULL`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errDeviceKey
	}
	return d, err
}
