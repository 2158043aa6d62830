package cameras

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/org"
	"onestop/internal/store"
)

// MaxChannel is the highest channel number taken: NVRs number IP channels
// up to a few hundred (Hikvision's start at 33 on some models).
const MaxChannel = 512

// CameraInput is what the camera form sends: a window or an area, not
// both.
type CameraInput struct {
	RecorderID int64  `json:"recorder_id"`
	Name       string `json:"name"`
	Channel    string `json:"channel"`
	WindowID   int64  `json:"window_id"`
	Area       string `json:"area"`
}

// checkCamera validates a camera against its recorder (which decides the
// channel's form) and the actor's centre (where its window must be).
func (s *Service) checkCamera(ctx context.Context, q store.Querier, a org.Actor, in CameraInput) (Camera, error) {
	f := apperr.Fields{}
	c := Camera{RecorderID: in.RecorderID, CentreID: a.CentreID, Name: f.Text("name", in.Name, true, 50),
		Channel: f.Text("channel", in.Channel, true, 20), Area: f.Text("area", in.Area, false, 50)}
	r, err := s.recorder(ctx, q, a, in.RecorderID)
	switch {
	case apperr.Is(err, apperr.NotFound) || (err == nil && r.RetiredAt != nil):
		f.Add("recorder_id", "cameras.recorder.missing")
	case err != nil:
		return c, err
	}
	if !f.Has("channel") && !f.Has("recorder_id") {
		if r.Brand == GB28181 {
			if key := gbCode(c.Channel, channelTypes); key != "" {
				f.Add("channel", key)
			}
		} else if n, err := strconv.Atoi(c.Channel); err != nil || n < 1 || n > MaxChannel || strconv.Itoa(n) != c.Channel {
			f.Add("channel", "cameras.range", "Min", 1, "Max", MaxChannel)
		}
	}
	switch {
	case in.WindowID != 0 && c.Area != "":
		f.Add("area", "cameras.place.both")
	case in.WindowID == 0 && c.Area == "" && !f.Has("area"):
		f.Add("window_id", "cameras.place.missing")
	case in.WindowID != 0:
		var centre int64
		var retired sql.NullTime
		err := q.QueryRowContext(ctx, `SELECT centre_id, retired_at FROM windows WHERE id = $1`, in.WindowID).Scan(&centre, &retired)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && (centre != a.CentreID || retired.Valid)) {
			f.Add("window_id", "cameras.window.missing")
		} else if err != nil {
			return c, err
		}
		c.WindowID = in.WindowID
	}
	return c, f.Err()
}

// SaveCamera creates (id 0) or changes a camera of the actor's centre.
func (s *Service) SaveCamera(ctx context.Context, a org.Actor, id int64, in CameraInput) (Camera, error) {
	if !Manager(a) {
		return Camera{}, errForbidden
	}
	now := s.Now().UTC()
	var c Camera
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var before any
		if id != 0 {
			cur, err := s.camera(ctx, tx, a, id)
			if err != nil {
				return err
			}
			if cur.RetiredAt != nil {
				return apperr.New(apperr.Conflict, "cameras.retired")
			}
			before = cur
		}
		var err error
		if c, err = s.checkCamera(ctx, tx, a, in); err != nil {
			return err
		}
		var taken int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM cameras WHERE recorder_id = $1 AND channel = $2 AND retired_at IS NULL AND id <> $3`,
			c.RecorderID, c.Channel, id).Scan(&taken); err != nil {
			return err
		}
		if taken > 0 {
			return apperr.Fields{"channel": apperr.M("cameras.channel.taken")}.Err()
		}
		if id == 0 {
			err = tx.QueryRowContext(ctx, `INSERT INTO cameras (recorder_id, centre_id, name, channel, window_id, area, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`, c.RecorderID, c.CentreID, c.Name, c.Channel, store.NullID(c.WindowID), c.Area, now).Scan(&id)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE cameras SET recorder_id = $1, name = $2, channel = $3, window_id = $4, area = $5, updated_at = $6 WHERE id = $7`,
				c.RecorderID, c.Name, c.Channel, store.NullID(c.WindowID), c.Area, now, id)
		}
		if err != nil {
			return err
		}
		c.ID = id
		action := "create"
		if before != nil {
			action = "update"
		}
		return audit.Write(ctx, tx, now, a.Who(), action, "camera", strconv.FormatInt(id, 10), a.CentreID, 0, before, c)
	})
	if err != nil {
		return Camera{}, err
	}
	return s.camera(ctx, s.DB.Read(), a, c.ID)
}

// RetireCamera takes a camera out of use.
func (s *Service) RetireCamera(ctx context.Context, a org.Actor, id int64) error {
	return s.retire(ctx, a, "camera", id, func(tx *sql.Tx) (any, *time.Time, error) {
		cur, err := s.camera(ctx, tx, a, id)
		return cur, cur.RetiredAt, err
	}, `UPDATE cameras SET retired_at = $1, updated_at = $1 WHERE id = $2`)
}

const cameraCols = `k.id, k.recorder_id, r.name, k.centre_id, k.name, k.channel, COALESCE(k.window_id, 0), COALESCE(w.number, ''), k.area, k.retired_at`
const cameraFrom = `cameras k JOIN camera_recorders r ON r.id = k.recorder_id LEFT JOIN windows w ON w.id = k.window_id`

func scanCamera(row interface{ Scan(...any) error }) (Camera, error) {
	var c Camera
	err := row.Scan(&c.ID, &c.RecorderID, &c.Recorder, &c.CentreID, &c.Name, &c.Channel, &c.WindowID, &c.Window, &c.Area, &c.RetiredAt)
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.NotFoundf("entity.camera")
	}
	return c, err
}

func (s *Service) camera(ctx context.Context, q store.Querier, a org.Actor, id int64) (Camera, error) {
	c, err := scanCamera(q.QueryRowContext(ctx, `SELECT `+cameraCols+` FROM `+cameraFrom+` WHERE k.id = $1`, id))
	if err == nil && (!Manager(a) || c.CentreID != a.CentreID) {
		return Camera{}, apperr.NotFoundf("entity.camera")
	}
	return c, err
}

// Camera is one camera for its centre's admin.
func (s *Service) Camera(ctx context.Context, a org.Actor, id int64) (Camera, error) {
	return s.camera(ctx, s.DB.Read(), a, id)
}

// Cameras lists the actor's centre's cameras by recorder and channel.
func (s *Service) Cameras(ctx context.Context, a org.Actor) ([]Camera, error) {
	if !Manager(a) {
		return nil, errForbidden
	}
	return s.cameras(ctx, `k.centre_id = $1 ORDER BY k.retired_at IS NOT NULL, r.name, LENGTH(k.channel), k.channel`, a.CentreID)
}

func (s *Service) cameras(ctx context.Context, where string, args ...any) ([]Camera, error) {
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT `+cameraCols+` FROM `+cameraFrom+` WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Camera{}
	for rows.Next() {
		c, err := scanCamera(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
