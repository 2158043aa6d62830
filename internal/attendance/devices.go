package attendance

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strings"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/auth"
	"onestop/internal/org"
	"onestop/internal/store"
)

// Device is an attendance terminal (考勤机) at a centre, or at one window.
// An HTTP terminal authenticates with its own key (auth.NewClientKey with
// KeyPrefix), shown once when issued; only its hash is kept. An iclock
// terminal is known by its serial number (SN), which it sends on every
// call: the protocol has no secret, so only a registered, unrevoked serial
// is heard.
type Device struct {
	ID         int64      `json:"id"`
	CentreID   int64      `json:"centre_id"`
	Centre     string     `json:"centre"`
	WindowID   int64      `json:"window_id,omitempty"`
	Window     string     `json:"window,omitempty"`
	Name       string     `json:"name"`
	Protocol   string     `json:"protocol"` // http, iclock
	Serial     string     `json:"serial,omitempty"`
	IssuedBy   string     `json:"issued_by"`
	IssuedAt   time.Time  `json:"issued_at"`
	LastSeenAt *time.Time `json:"last_seen_at,omitempty"`
	RevokedBy  string     `json:"revoked_by,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// Protocols of terminals.
const (
	HTTP   = "http"
	Iclock = "iclock"
)

// KeyPrefix marks an attendance terminal's key.
const KeyPrefix = "osa_"

// MaxDeviceName bounds a terminal's name.
const MaxDeviceName = 60

// serialRE is what a ZKTeco serial number looks like (letters and digits,
// e.g. CEXJ201260123); it also keeps a query parameter from smuggling
// anything into the log or the database.
var serialRE = regexp.MustCompile(`^[A-Za-z0-9]{4,32}$`)

const deviceCols = `d.id, d.centre_id, ce.name, COALESCE(d.window_id, 0), COALESCE(w.number, ''), d.name, d.protocol, d.serial,
	s1.name, d.issued_at, d.last_seen_at, COALESCE(s2.name, ''), d.revoked_at`

const deviceFrom = `attendance_devices d JOIN centres ce ON ce.id = d.centre_id LEFT JOIN windows w ON w.id = d.window_id
	JOIN staff s1 ON s1.id = d.issued_by LEFT JOIN staff s2 ON s2.id = d.revoked_by`

func scanDevice(row interface{ Scan(...any) error }) (*Device, error) {
	var d Device
	var seen, revoked sql.NullTime
	if err := row.Scan(&d.ID, &d.CentreID, &d.Centre, &d.WindowID, &d.Window, &d.Name, &d.Protocol, &d.Serial,
		&d.IssuedBy, &d.IssuedAt, &seen, &d.RevokedBy, &revoked); err != nil {
		return nil, err
	}
	d.IssuedAt = d.IssuedAt.UTC()
	if seen.Valid {
		t := seen.Time.UTC()
		d.LastSeenAt = &t
	}
	if revoked.Valid {
		t := revoked.Time.UTC()
		d.RevokedAt = &t
	}
	return &d, nil
}

// adminScope limits col (a centre id) to the centres a administers;
// refused for anyone but a centre admin.
func adminScope(a org.Actor, col string) (store.Where, error) {
	var w store.Where
	if a.Role != org.CentreAdmin {
		return w, apperr.New(apperr.Forbidden, "attendance.centre_admin_only")
	}
	if !a.CountyWide() {
		w.Add(col+" = ?", a.CentreID)
	} else if c, args := a.CountyCentres(col); c != "" {
		w.Add(c, args...)
	}
	return w, nil
}

// Devices lists the terminals of the centres a administers, working ones
// first.
func (s *Service) Devices(ctx context.Context, a org.Actor) ([]*Device, error) {
	w, err := adminScope(a, "d.centre_id")
	if err != nil {
		return nil, err
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT `+deviceCols+` FROM `+deviceFrom+w.String()+
		` ORDER BY d.revoked_at IS NOT NULL, ce.name, d.id`, w.Args()...)
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

// DeviceInput is the form that issues or registers a terminal.
type DeviceInput struct {
	CentreID int64  `json:"centre_id"`
	WindowID int64  `json:"window_id"`
	Name     string `json:"name"`
	Protocol string `json:"protocol"`
	Serial   string `json:"serial"`
}

// IssueDevice makes a terminal at a centre the actor administers (at one
// of its windows when WindowID is set). An HTTP terminal gets a key,
// returned once; an iclock terminal is registered by its serial. The act
// is on the audit record.
func (s *Service) IssueDevice(ctx context.Context, a org.Actor, in DeviceInput) (*Device, string, error) {
	f := apperr.Fields{}
	name := f.Text("name", in.Name, true, MaxDeviceName)
	serial := strings.TrimSpace(in.Serial)
	switch in.Protocol {
	case HTTP:
		serial = ""
	case Iclock:
		if !serialRE.MatchString(serial) {
			f.Add("serial", "attendance.serial_format")
		}
	default:
		f.Add("protocol", "error.choose")
	}
	var region string
	err := s.DB.Read().QueryRowContext(ctx, `SELECT region_code FROM centres WHERE id = $1 AND retired_at IS NULL`, in.CentreID).Scan(&region)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !a.AdministersCentre(in.CentreID, region)) {
		f.Add("centre_id", "attendance.centre_unknown")
	} else if err != nil {
		return nil, "", err
	}
	if !f.Has("centre_id") {
		if err := s.checkWindow(ctx, f, in.CentreID, in.WindowID); err != nil {
			return nil, "", err
		}
	}
	if err := f.Err(); err != nil {
		return nil, "", err
	}
	var key, hash string
	if in.Protocol == HTTP {
		if key, hash, err = auth.NewClientKey(KeyPrefix); err != nil {
			return nil, "", err
		}
	}
	now := s.now()
	var id int64
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO attendance_devices (centre_id, window_id, name, protocol, serial, key_hash, issued_by, issued_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, in.CentreID, store.NullID(in.WindowID), name, in.Protocol, serial, hash,
			a.StaffID, now).Scan(&id)
		if store.IsUnique(err) {
			return &apperr.Error{Code: apperr.Conflict, Msg: apperr.M("error.invalid"), Fields: map[string]apperr.Msg{"serial": apperr.M("error.duplicate")}}
		}
		if err != nil {
			return err
		}
		return audit.Write(ctx, tx, now, a.Who(), "attendance.device_issue", "attendance_device", itoa(id), in.CentreID, 0, nil,
			map[string]any{"window_id": in.WindowID, "name": name, "protocol": in.Protocol, "serial": serial})
	})
	if err != nil {
		return nil, "", err
	}
	d, err := scanDevice(s.DB.W.QueryRowContext(ctx, `SELECT `+deviceCols+` FROM `+deviceFrom+` WHERE d.id = $1`, id))
	return d, key, err
}

// checkWindow adds a field error unless windowID is 0 (the terminal
// stands in the hall, at no window) or a live window of centreID.
func (s *Service) checkWindow(ctx context.Context, f apperr.Fields, centreID, windowID int64) error {
	if windowID == 0 {
		return nil
	}
	var n int
	if err := s.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM windows WHERE id = $1 AND centre_id = $2 AND retired_at IS NULL`,
		windowID, centreID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		f.Add("window_id", "attendance.window_unknown")
	}
	return nil
}

// SetDeviceWindow binds a working terminal to a window of its centre (0:
// to none, the hall). A punch takes its window from its terminal when
// stored (a leader's duty day reads it), so a move counts from now on and
// the punches already sent keep theirs. Another centre's terminal is not
// found; the change is on the audit record.
func (s *Service) SetDeviceWindow(ctx context.Context, a org.Actor, id, windowID int64) error {
	var centre, old int64
	var region string
	var revoked sql.NullTime
	err := s.DB.Read().QueryRowContext(ctx, `SELECT d.centre_id, ce.region_code, COALESCE(d.window_id, 0), d.revoked_at FROM attendance_devices d
		JOIN centres ce ON ce.id = d.centre_id WHERE d.id = $1`, id).Scan(&centre, &region, &old, &revoked)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !a.AdministersCentre(centre, region)) {
		return apperr.NotFoundf("entity.attendance_device")
	}
	if err != nil {
		return err
	}
	if revoked.Valid {
		return apperr.New(apperr.Conflict, "attendance.device_revoked_already")
	}
	f := apperr.Fields{}
	if err := s.checkWindow(ctx, f, centre, windowID); err != nil {
		return err
	}
	if err := f.Err(); err != nil {
		return err
	}
	if old == windowID {
		return nil
	}
	now := s.now()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE attendance_devices SET window_id = $1 WHERE id = $2`, store.NullID(windowID), id); err != nil {
			return err
		}
		return audit.Write(ctx, tx, now, a.Who(), "attendance.device_window", "attendance_device", itoa(id), centre, 0,
			map[string]any{"window_id": old}, map[string]any{"window_id": windowID})
	})
}

// RevokeDevice stops a terminal: its key or serial is refused from now
// on; punches it sent stay. Revoking twice changes nothing.
func (s *Service) RevokeDevice(ctx context.Context, a org.Actor, id int64) error {
	var centre int64
	var region string
	err := s.DB.Read().QueryRowContext(ctx, `SELECT d.centre_id, ce.region_code FROM attendance_devices d JOIN centres ce ON ce.id = d.centre_id
		WHERE d.id = $1`, id).Scan(&centre, &region)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !a.AdministersCentre(centre, region)) {
		return apperr.NotFoundf("entity.attendance_device")
	}
	if err != nil {
		return err
	}
	now := s.now()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE attendance_devices SET revoked_by = $1, revoked_at = $2 WHERE id = $3 AND revoked_at IS NULL`, a.StaffID, now, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return audit.Write(ctx, tx, now, a.Who(), "attendance.device_revoke", "attendance_device", itoa(id), centre, 0, nil, nil)
	})
}

// ErrDevice is the one answer for a missing, unknown or revoked key or
// serial: a caller learns nothing about which.
var ErrDevice = apperr.New(apperr.Unauth, "attendance.device_key")

// DeviceByKey authenticates an HTTP terminal by its key.
func (s *Service) DeviceByKey(ctx context.Context, key string) (*Device, error) {
	hash, ok := auth.LookupClientKey(key, KeyPrefix)
	if !ok {
		return nil, ErrDevice
	}
	return s.device(ctx, `d.protocol = 'http' AND d.key_hash = $1`, hash)
}

// DeviceBySerial finds a registered, unrevoked iclock terminal.
func (s *Service) DeviceBySerial(ctx context.Context, sn string) (*Device, error) {
	if !serialRE.MatchString(sn) {
		return nil, ErrDevice
	}
	return s.device(ctx, `d.protocol = 'iclock' AND d.serial = $1`, sn)
}

func (s *Service) device(ctx context.Context, cond string, arg any) (*Device, error) {
	d, err := scanDevice(s.DB.Read().QueryRowContext(ctx, `SELECT `+deviceCols+` FROM `+deviceFrom+` WHERE `+cond+
		` AND d.revoked_at IS NULL AND ce.retired_at IS NULL`, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrDevice
	}
	return d, err
}

// Seen stamps the terminal's last call (the device list shows a silent
// one). At most once a minute, so a polling terminal does not write on
// every poll.
func (s *Service) Seen(ctx context.Context, d *Device) error {
	now := s.now()
	_, err := s.DB.W.ExecContext(ctx, `UPDATE attendance_devices SET last_seen_at = $1 WHERE id = $2 AND (last_seen_at IS NULL OR last_seen_at < $3)`,
		now, d.ID, now.Add(-time.Minute))
	return err
}
