// Package cameras links OneStop's records to the hall's video recorders
// (电子监控, issue 15 §5): recorders and the cameras on them, each bound to
// a window or a hall area; the playback address of "the recording at that
// time" for a case event, a rating, a complaint or a queue ticket; and the
// record of every opening. OneStop stores no video and no recorder
// password (docs/ARCHITECTURE.md §22).
package cameras

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // a recorder's zone must load on a host without zoneinfo

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/org"
	"onestop/internal/store"
)

// DefaultZone is the county's zone, every recorder's unless set.
const DefaultZone = "Asia/Shanghai"

// Default margins of a link, in minutes: a citizen's complaint names a
// time to the minute at best, and a conversation at a window starts
// before the event the record dates and goes on after it.
const (
	DefaultBefore = 3
	DefaultAfter  = 5
	// MaxMargin caps either margin: an hour either side is a search, not
	// a look at a moment, and watching staff at length is what the access
	// limits are there to prevent.
	MaxMargin = 60
)

// Recorder is an NVR, a DVR or the county's GB/T 28181 platform.
type Recorder struct {
	ID       int64  `json:"id"`
	CentreID int64  `json:"centre_id"`
	Name     string `json:"name"`
	Brand    string `json:"brand"`
	Host     string `json:"host"`
	Port     int    `json:"port"`
	// DeviceID is the GB/T 28181 code of the recorder or platform.
	DeviceID string `json:"device_id,omitempty"`
	TimeZone string `json:"time_zone"`
	// TimeMode is how a Hikvision recorder reads its playback times.
	TimeMode string `json:"time_mode"`
	// Template is the custom or GB/T 28181 platform playback address.
	Template  string     `json:"template,omitempty"`
	BeforeMin int        `json:"before_min"`
	AfterMin  int        `json:"after_min"`
	RetiredAt *time.Time `json:"retired_at,omitempty"`
}

// Location is the recorder's zone; an unloadable name (checked on save)
// falls back to the county's.
func (r Recorder) Location() *time.Location {
	if loc, err := time.LoadLocation(r.TimeZone); err == nil && r.TimeZone != "" {
		return loc
	}
	loc, _ := time.LoadLocation(DefaultZone)
	return loc
}

// Camera is one channel of a recorder, looking at a window or an area.
type Camera struct {
	ID         int64  `json:"id"`
	RecorderID int64  `json:"recorder_id"`
	Recorder   string `json:"recorder"`
	CentreID   int64  `json:"centre_id"`
	Name       string `json:"name"`
	Channel    string `json:"channel"`
	WindowID   int64  `json:"window_id,omitempty"`
	Window     string `json:"window,omitempty"`
	Area       string `json:"area,omitempty"`
	// Retired: the camera was removed; its past openings still name it.
	RetiredAt *time.Time `json:"retired_at,omitempty"`
}

// Service keeps recorders and cameras and opens links.
type Service struct {
	DB  *store.DB
	Now func() time.Time
}

var errForbidden = apperr.New(apperr.Forbidden, "error.forbidden")

// Manager reports whether the actor manages a centre's recorders: its
// centre admin. The recorders are the centre's equipment, like its
// windows; a department admin has no say over the hall's cameras.
func Manager(a org.Actor) bool { return a.Role == org.CentreAdmin && a.CentreID != 0 }

// RecorderInput is what the recorder form sends.
type RecorderInput struct {
	Name      string `json:"name"`
	Brand     string `json:"brand"`
	Host      string `json:"host"`
	Port      string `json:"port"`
	DeviceID  string `json:"device_id"`
	TimeZone  string `json:"time_zone"`
	TimeMode  string `json:"time_mode"`
	Template  string `json:"template"`
	BeforeMin string `json:"before_min"`
	AfterMin  string `json:"after_min"`
}

// hostRE is a DNS name or an IPv4 address, or an IPv6 address. No user
// name, no password, no path: "admin:12345@10.0.0.1" is refused.
var hostRE = regexp.MustCompile(`^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$|^[0-9A-Fa-f:.]+$`)

// number reads a whole number field in [lo, hi]; empty gives def.
func number(f apperr.Fields, field, v string, def, lo, hi int) int {
	v = strings.TrimSpace(v)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		f.Add(field, "cameras.range", "Min", lo, "Max", hi)
		return def
	}
	return n
}

func (in RecorderInput) check() (Recorder, error) {
	f := apperr.Fields{}
	r := Recorder{Name: f.Text("name", in.Name, true, 50), Brand: strings.TrimSpace(in.Brand)}
	known := false
	for _, b := range Brands {
		known = known || b == r.Brand
	}
	if !known {
		f.Add("brand", "error.choose")
	}
	r.Host = f.Text("host", in.Host, r.Brand == Hikvision || r.Brand == Dahua, 253)
	if r.Host != "" && !f.Has("host") && !hostRE.MatchString(r.Host) {
		f.Add("host", "cameras.host.invalid")
	}
	r.Port = number(f, "port", in.Port, 554, 1, 65535)
	r.DeviceID = f.Text("device_id", in.DeviceID, false, 20)
	if r.DeviceID != "" && !f.Has("device_id") {
		if key := gbCode(r.DeviceID, recorderTypes); key != "" {
			f.Add("device_id", key)
		}
	}
	r.TimeZone = f.Text("time_zone", in.TimeZone, false, 64)
	if r.TimeZone == "" {
		r.TimeZone = DefaultZone
	} else if _, err := time.LoadLocation(r.TimeZone); err != nil || r.TimeZone == "Local" {
		f.Add("time_zone", "cameras.time_zone.invalid")
	}
	r.TimeMode = strings.TrimSpace(in.TimeMode)
	switch {
	case r.TimeMode == "":
		r.TimeMode = TimeLocal
	case r.TimeMode != TimeLocal && r.TimeMode != TimeUTC:
		f.Add("time_mode", "error.choose")
	}
	r.Template = f.Text("template", in.Template, r.Brand == GB28181 || r.Brand == Custom, MaxTemplate)
	switch {
	case f.Has("template"):
	case r.Brand == Hikvision || r.Brand == Dahua:
		r.Template = "" // their address is built in; a stray template would mislead
	default:
		if _, key, name := parseTemplate(r.Template); key != "" {
			f.Add("template", key, "Name", name, "Known", strings.Join(Placeholders, " "))
		} else if credentials(r.Template) {
			f.Add("template", "cameras.template.credentials")
		}
	}
	r.BeforeMin = number(f, "before_min", in.BeforeMin, DefaultBefore, 0, MaxMargin)
	r.AfterMin = number(f, "after_min", in.AfterMin, DefaultAfter, 0, MaxMargin)
	return r, f.Err()
}

// credentials reports whether a template's authority carries a user
// name or password (rtsp://admin:12345@{host}/…), which OneStop never
// keeps: a link is copied, logged and shown, a password must not be.
func credentials(t string) bool {
	_, rest, _ := strings.Cut(t, "://")
	authority, _, _ := strings.Cut(rest, "/")
	authority, _, _ = strings.Cut(authority, "?")
	return strings.Contains(authority, "@")
}

// SaveRecorder creates (id 0) or changes a recorder of the actor's centre.
func (s *Service) SaveRecorder(ctx context.Context, a org.Actor, id int64, in RecorderInput) (Recorder, error) {
	if !Manager(a) {
		return Recorder{}, errForbidden
	}
	r, err := in.check()
	if err != nil {
		return Recorder{}, err
	}
	r.CentreID = a.CentreID
	now := s.Now().UTC()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var before any
		if id == 0 {
			if err := tx.QueryRowContext(ctx, `INSERT INTO camera_recorders (centre_id, name, brand, host, port, device_id, time_zone, time_mode,
				template, before_min, after_min, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id`,
				r.CentreID, r.Name, r.Brand, r.Host, r.Port, r.DeviceID, r.TimeZone, r.TimeMode, r.Template, r.BeforeMin, r.AfterMin, now).Scan(&id); err != nil {
				return err
			}
		} else {
			cur, err := s.recorder(ctx, tx, a, id)
			if err != nil {
				return err
			}
			if cur.RetiredAt != nil {
				return apperr.New(apperr.Conflict, "cameras.retired")
			}
			before = cur
			if _, err := tx.ExecContext(ctx, `UPDATE camera_recorders SET name = $1, brand = $2, host = $3, port = $4, device_id = $5, time_zone = $6,
				time_mode = $7, template = $8, before_min = $9, after_min = $10, updated_at = $11 WHERE id = $12`,
				r.Name, r.Brand, r.Host, r.Port, r.DeviceID, r.TimeZone, r.TimeMode, r.Template, r.BeforeMin, r.AfterMin, now, id); err != nil {
				return err
			}
		}
		r.ID = id
		action := "create"
		if before != nil {
			action = "update"
		}
		return audit.Write(ctx, tx, now, a.Who(), action, "camera_recorder", strconv.FormatInt(id, 10), a.CentreID, 0, before, r)
	})
	return r, err
}

const recorderCols = `id, centre_id, name, brand, host, port, device_id, time_zone, time_mode, template, before_min, after_min, retired_at`

func scanRecorder(row interface{ Scan(...any) error }) (Recorder, error) {
	var r Recorder
	err := row.Scan(&r.ID, &r.CentreID, &r.Name, &r.Brand, &r.Host, &r.Port, &r.DeviceID, &r.TimeZone, &r.TimeMode, &r.Template,
		&r.BeforeMin, &r.AfterMin, &r.RetiredAt)
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFoundf("entity.recorder")
	}
	return r, err
}

// recorder is one of the actor's centre's recorders; another centre's is
// "not found".
func (s *Service) recorder(ctx context.Context, q store.Querier, a org.Actor, id int64) (Recorder, error) {
	r, err := scanRecorder(q.QueryRowContext(ctx, `SELECT `+recorderCols+` FROM camera_recorders WHERE id = $1`, id))
	if err == nil && (!Manager(a) || r.CentreID != a.CentreID) {
		return Recorder{}, apperr.NotFoundf("entity.recorder")
	}
	return r, err
}

// Recorder is one recorder for its centre's admin.
func (s *Service) Recorder(ctx context.Context, a org.Actor, id int64) (Recorder, error) {
	return s.recorder(ctx, s.DB.Read(), a, id)
}

// Recorders lists the actor's centre's recorders, retired ones last.
func (s *Service) Recorders(ctx context.Context, a org.Actor) ([]Recorder, error) {
	if !Manager(a) {
		return nil, errForbidden
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT `+recorderCols+` FROM camera_recorders WHERE centre_id = $1
		ORDER BY retired_at IS NOT NULL, name, id`, a.CentreID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Recorder{}
	for rows.Next() {
		r, err := scanRecorder(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RetireRecorder takes a recorder and its cameras out of use; the
// openings made through them stay on the record.
func (s *Service) RetireRecorder(ctx context.Context, a org.Actor, id int64) error {
	return s.retire(ctx, a, "camera_recorder", id, func(tx *sql.Tx) (any, *time.Time, error) {
		cur, err := s.recorder(ctx, tx, a, id)
		return cur, cur.RetiredAt, err
	}, `UPDATE camera_recorders SET retired_at = $1, updated_at = $1 WHERE id = $2`,
		`UPDATE cameras SET retired_at = $1, updated_at = $1 WHERE recorder_id = $2 AND retired_at IS NULL`)
}

// retire retires one record of the actor's centre: load reads it (not
// found outside the centre) and says whether it is retired already; each
// update runs with (now, id); the audit entry keeps the record as it was.
func (s *Service) retire(ctx context.Context, a org.Actor, entity string, id int64, load func(*sql.Tx) (any, *time.Time, error), updates ...string) error {
	now := s.Now().UTC()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		cur, retired, err := load(tx)
		if err != nil {
			return err
		}
		if retired != nil {
			return apperr.New(apperr.Conflict, "cameras.retired")
		}
		for _, u := range updates {
			if _, err := tx.ExecContext(ctx, u, now, id); err != nil {
				return err
			}
		}
		return audit.Write(ctx, tx, now, a.Who(), "retire", entity, strconv.FormatInt(id, 10), a.CentreID, 0, cur, nil)
	})
}

// prefixed qualifies each column of a list with p.
func prefixed(p, cols string) string {
	parts := strings.Split(cols, ", ")
	for i := range parts {
		parts[i] = p + parts[i]
	}
	return strings.Join(parts, ", ")
}
