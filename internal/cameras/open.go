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

// Sources a link is opened from.
const (
	FromCase      = "case"
	FromRating    = "rating"
	FromComplaint = "complaint"
	FromTicket    = "ticket"
)

// Moment is a window at an instant, and what pointed there: the thing a
// "recording at that time" link is about.
type Moment struct {
	Source string `json:"source"`
	Ref    string `json:"ref"`
	// SourceID is the case, rating, enquiry or ticket id, for the page's
	// way back.
	SourceID int64     `json:"source_id"`
	WindowID int64     `json:"window_id"`
	At       time.Time `json:"at"`
	// Until, when after At, makes the moment an interval (a ticket's
	// service): the link plays from the margin before At to the margin
	// after Until.
	Until time.Time `json:"until,omitzero"`
}

// Viewer reports whether the actor may open recordings at all:
// supervision (效能监察), the leaders and the centre's admin. A clerk,
// reviewer or approver may not, not even their own window's: the video
// is supervision's evidence about them. A department admin may not
// either: the hall's cameras also show the public and other departments'
// windows, and the Personal Information Protection Law (个人信息保护法 Art.
// 6, Art. 26) keeps images taken in a public place to the purpose and
// the fewest people needed (docs/DOMAIN.md §24).
func Viewer(a org.Actor) bool {
	switch a.Role {
	case org.Supervisor, org.Leader, org.CentreAdmin:
		return a.CentreID != 0 || a.Province
	}
	return false
}

// Place is the window a moment is at, as pages name it.
type Place struct {
	WindowID   int64  `json:"window_id"`
	Number     string `json:"number"`
	Department string `json:"department"`
	CentreID   int64  `json:"centre_id"`
	Centre     string `json:"centre"`
}

// Choice is what a viewer sees before opening: the window, the cameras on
// it with the span each would play. No address yet: only an opening,
// which is recorded, shows one.
type Choice struct {
	Moment  Moment       `json:"moment"`
	Place   Place        `json:"place"`
	Cameras []CameraSpan `json:"cameras"`
}

// CameraSpan is a camera with the span a link would play.
type CameraSpan struct {
	Camera
	Brand string `json:"brand"`
	Span
}

// Opened is one opening: the camera, the span and the address.
type Opened struct {
	CameraSpan
	Moment  Moment  `json:"moment"`
	Place   Place   `json:"place"`
	Address Address `json:"address"`
	ViewID  int64   `json:"view_id"`
}

var errNoWindow = apperr.NotFoundf("entity.window")

// place reads the moment's window if the actor may watch it: a viewer
// whose scope holds the window's centre (a county-wide one every centre
// of the county, a township's admin only their own).
func (s *Service) place(ctx context.Context, q store.Querier, a org.Actor, windowID int64) (Place, error) {
	if !Viewer(a) {
		return Place{}, errForbidden
	}
	var p Place
	err := q.QueryRowContext(ctx, `SELECT w.id, w.number, d.short_name, w.centre_id, c.name FROM windows w JOIN departments d ON d.id = w.department_id
		JOIN centres c ON c.id = w.centre_id WHERE w.id = $1`, windowID).Scan(&p.WindowID, &p.Number, &p.Department, &p.CentreID, &p.Centre)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !a.SeesCentre(p.CentreID)) {
		return Place{}, errNoWindow
	}
	return p, err
}

// SpanOf is the stretch a link to moment at plays on recorder r: the
// recorder's margins either side, to the second.
func SpanOf(r Recorder, at time.Time) Span {
	at = at.UTC().Truncate(time.Second)
	return Span{Start: at.Add(-time.Duration(r.BeforeMin) * time.Minute), End: at.Add(time.Duration(r.AfterMin) * time.Minute)}
}

// spanOf is the stretch a link to m plays on recorder r: SpanOf its
// instant, stretched to the margin after its end when it has one.
func spanOf(r Recorder, m Moment) Span {
	sp := SpanOf(r, m.At)
	if m.Until.After(m.At) {
		sp.End = SpanOf(r, m.Until).End
	}
	return sp
}

// windowCameras are the cameras in use on a window with their recorders.
func (s *Service) windowCameras(ctx context.Context, q store.Querier, windowID int64, cameraID int64) ([]Camera, []Recorder, error) {
	cond := `k.window_id = $1 AND k.retired_at IS NULL AND r.retired_at IS NULL`
	args := []any{windowID}
	if cameraID != 0 {
		cond += ` AND k.id = $2`
		args = append(args, cameraID)
	}
	rows, err := q.QueryContext(ctx, `SELECT `+cameraCols+`, `+prefixed("r.", recorderCols)+` FROM `+cameraFrom+` WHERE `+cond+
		` ORDER BY LENGTH(k.channel), k.channel, k.id`, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var cams []Camera
	var recs []Recorder
	for rows.Next() {
		var c Camera
		var r Recorder
		if err := rows.Scan(&c.ID, &c.RecorderID, &c.Recorder, &c.CentreID, &c.Name, &c.Channel, &c.WindowID, &c.Window, &c.Area, &c.RetiredAt,
			&r.ID, &r.CentreID, &r.Name, &r.Brand, &r.Host, &r.Port, &r.DeviceID, &r.TimeZone, &r.TimeMode, &r.Template,
			&r.BeforeMin, &r.AfterMin, &r.RetiredAt); err != nil {
			return nil, nil, err
		}
		cams, recs = append(cams, c), append(recs, r)
	}
	return cams, recs, rows.Err()
}

// Choose is what opening a moment would offer: its window's cameras and
// spans. A window without a camera gives an empty list, which the page
// says plainly.
func (s *Service) Choose(ctx context.Context, a org.Actor, m Moment) (Choice, error) {
	q := s.DB.Read()
	p, err := s.place(ctx, q, a, m.WindowID)
	if err != nil {
		return Choice{}, err
	}
	cams, recs, err := s.windowCameras(ctx, q, m.WindowID, 0)
	if err != nil {
		return Choice{}, err
	}
	ch := Choice{Moment: m, Place: p, Cameras: []CameraSpan{}}
	for i, c := range cams {
		ch.Cameras = append(ch.Cameras, CameraSpan{Camera: c, Brand: recs[i].Brand, Span: spanOf(recs[i], m)})
	}
	return ch, nil
}

// Open builds the playback address of one camera on the moment's window
// and records the opening (camera_views and the audit log, in one
// transaction): no address is shown that is not on the record.
func (s *Service) Open(ctx context.Context, a org.Actor, m Moment, cameraID int64) (Opened, error) {
	now := s.Now().UTC()
	var o Opened
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		p, err := s.place(ctx, tx, a, m.WindowID)
		if err != nil {
			return err
		}
		cams, recs, err := s.windowCameras(ctx, tx, m.WindowID, cameraID)
		if err != nil {
			return err
		}
		if len(cams) != 1 {
			return apperr.NotFoundf("entity.camera")
		}
		span := spanOf(recs[0], m)
		o = Opened{CameraSpan: CameraSpan{Camera: cams[0], Brand: recs[0].Brand, Span: span}, Moment: m, Place: p,
			Address: PlaybackAddress(recs[0], cams[0].Channel, span)}
		if err := tx.QueryRowContext(ctx, `INSERT INTO camera_views (at, staff_id, staff_name, role, address, centre_id, camera_id, window_id,
			source, source_ref, moment, span_start, span_end) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
			now, a.StaffID, a.Name, string(a.Role), a.Address, p.CentreID, cameraID, m.WindowID, m.Source, m.Ref, m.At.UTC(), span.Start, span.End).Scan(&o.ViewID); err != nil {
			return err
		}
		return audit.Write(ctx, tx, now, a.Who(), "view", "camera", strconv.FormatInt(cameraID, 10), p.CentreID, 0, nil,
			map[string]any{"window": p.Number, "source": m.Source, "ref": m.Ref, "moment": m.At.UTC(), "start": span.Start, "end": span.End})
	})
	return o, err
}

// View is one line of the access record (访问记录).
type View struct {
	ID      int64     `json:"id"`
	At      time.Time `json:"at"`
	Staff   string    `json:"staff"`
	Role    string    `json:"role"`
	Address string    `json:"address"`
	Camera  string    `json:"camera"`
	Channel string    `json:"channel"`
	Window  string    `json:"window"`
	Centre  string    `json:"centre"`
	Source  string    `json:"source"`
	Ref     string    `json:"ref"`
	Moment  time.Time `json:"moment"`
	Span
}

// Views lists the openings in the actor's scope, newest first, and their
// total. Every viewer reads the whole record of their scope, their own
// openings and the others': the record is how viewers answer for each
// other.
func (s *Service) Views(ctx context.Context, a org.Actor, limit, offset int) ([]View, int, error) {
	if !Viewer(a) {
		return nil, 0, errForbidden
	}
	var w store.Where
	if a.CountyWide() {
		if cond, args := a.CountyCentres("v.centre_id"); cond != "" {
			w.Add(cond, args...)
		}
	} else {
		w.Add("v.centre_id = ?", a.CentreID)
	}
	const from = ` FROM camera_views v JOIN cameras k ON k.id = v.camera_id JOIN centres c ON c.id = v.centre_id LEFT JOIN windows w ON w.id = v.window_id`
	q := s.DB.Read()
	var total int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*)`+from+w.String(), w.Args()...).Scan(&total); err != nil {
		return nil, 0, err
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	page := ` ORDER BY v.id DESC LIMIT ` + w.Bind(limit) + ` OFFSET ` + w.Bind(max(offset, 0))
	rows, err := q.QueryContext(ctx, `SELECT v.id, v.at, v.staff_name, v.role, v.address, k.name, k.channel, COALESCE(w.number, ''), c.name,
		v.source, v.source_ref, v.moment, v.span_start, v.span_end`+from+w.String()+page, w.Args()...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []View{}
	for rows.Next() {
		var v View
		if err := rows.Scan(&v.ID, &v.At, &v.Staff, &v.Role, &v.Address, &v.Camera, &v.Channel, &v.Window, &v.Centre, &v.Source, &v.Ref,
			&v.Moment, &v.Start, &v.End); err != nil {
			return nil, 0, err
		}
		out = append(out, v)
	}
	return out, total, rows.Err()
}
