package attendance

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/org"
	"onestop/internal/store"
)

// Sources of punches.
const (
	SourceDevice = "device"
	SourceIclock = "iclock"
	SourceManual = "manual"
)

// Outcomes of one punch line.
const (
	Accepted   = "accepted"
	Duplicate  = "duplicate"
	UnknownPIN = "unknown_pin"
	Invalid    = "invalid"
)

// MaxPunches bounds one upload; a terminal sends the rest in the next.
const MaxPunches = 1000

// futureSlack is how far ahead of the server's clock a terminal's clock
// may run before its punch is refused as "in the future".
const futureSlack = 5 * time.Minute

// Punch is one punch as a terminal sends it, before it is matched to a
// person.
type Punch struct {
	PIN       string    `json:"pin"`
	At        time.Time `json:"at"`
	Direction string    `json:"direction"` // in, out, ""
	Verify    string    `json:"verify"`
}

// Result is what became of one line of an upload.
type Result struct {
	Line   int               `json:"line"`
	Status string            `json:"status"`
	Fields map[string]string `json:"fields,omitempty"` // field → message key, when Invalid
}

// CheckPunch validates a punch's fields into f (field names as the API
// spells them).
func (s *Service) CheckPunch(f apperr.Fields, p *Punch) {
	p.PIN = f.Text("pin", p.PIN, true, 24)
	if p.PIN != "" && !f.Has("pin") && !pinRE.MatchString(p.PIN) {
		f.Add("pin", "attendance.pin_format")
	}
	if p.At.IsZero() {
		f.Add("at", "error.required")
	} else if p.At.After(s.now().Add(futureSlack)) {
		f.Add("at", "attendance.at_future")
	}
	if p.Direction != "" && p.Direction != "in" && p.Direction != "out" {
		f.Add("direction", "error.choose")
	}
	p.Verify = f.Text("verify", p.Verify, false, 20)
}

// Record files a terminal's punches, each line on its own: a line with a
// bad field or an unknown PIN is answered and skipped, the others are
// stored. A terminal only files punches for staff of its own centre (a
// PIN is looked up there and nowhere else).
//
// Merging (the rule sheets rely on): a punch of a person within
// MergeSeconds (per centre, default 60) of a punch of theirs already
// stored counts once — the first one stays, the later one is answered
// "duplicate" and changes nothing. A re-sent punch (same person, same
// instant; an iclock terminal re-uploads everything after stamp 0) is
// the same case.
func (s *Service) Record(ctx context.Context, d *Device, source string, in []Punch) ([]Result, error) {
	merge, err := s.mergeSpan(ctx, d.CentreID)
	if err != nil {
		return nil, err
	}
	out := make([]Result, len(in))
	for i := range in {
		p := in[i]
		r := Result{Line: i + 1}
		f := apperr.Fields{}
		s.CheckPunch(f, &p)
		if len(f) > 0 {
			r.Status, r.Fields = Invalid, map[string]string{}
			for k, m := range f {
				r.Fields[k] = m.Key
			}
			out[i] = r
			continue
		}
		var staffID int64
		err := s.DB.Read().QueryRowContext(ctx, `SELECT id FROM staff WHERE centre_id = $1 AND attendance_pin = $2 AND retired_at IS NULL`,
			d.CentreID, p.PIN).Scan(&staffID)
		if errors.Is(err, sql.ErrNoRows) {
			r.Status = UnknownPIN
			out[i] = r
			continue
		}
		if err != nil {
			return nil, err
		}
		r.Status, err = s.insert(ctx, stored{staffID: staffID, centreID: d.CentreID, windowID: d.WindowID, deviceID: d.ID,
			at: p.At, direction: p.Direction, verify: p.Verify, source: source}, merge)
		if err != nil {
			return nil, err
		}
		out[i] = r
	}
	return out, nil
}

// stored is a punch row.
type stored struct {
	staffID, centreID, windowID, deviceID int64
	at                                    time.Time
	direction, verify, source, reason     string
	enteredBy                             int64
	who                                   *audit.Who
}

// insert stores one punch unless one of the person's lies within merge
// of it (Accepted or Duplicate). A manual punch is written to the audit
// record in the same transaction.
func (s *Service) insert(ctx context.Context, p stored, merge time.Duration) (string, error) {
	status := Accepted
	now := s.now()
	at := p.at.UTC().Truncate(time.Second)
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM punches WHERE staff_id = $1 AND at > $2 AND at < $3`,
			p.staffID, at.Add(-merge), at.Add(merge)).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			status = Duplicate
			return nil
		}
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO punches (staff_id, centre_id, window_id, device_id, at, direction, verify, source, reason, entered_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`, p.staffID, p.centreID, store.NullID(p.windowID), store.NullID(p.deviceID),
			at, p.direction, p.verify, p.source, p.reason, store.NullID(p.enteredBy), now).Scan(&id)
		if store.IsUnique(err) {
			status = Duplicate
			return nil
		}
		if err != nil || p.who == nil {
			return err
		}
		return audit.Write(ctx, tx, now, *p.who, "attendance.manual_punch", "punch", itoa(id), p.centreID, 0, nil,
			map[string]any{"staff_id": p.staffID, "at": at, "direction": p.direction, "reason": p.reason})
	})
	return status, err
}

// mergeSpan is the centre's merge span (60 s when it has no shift set).
func (s *Service) mergeSpan(ctx context.Context, centreID int64) (time.Duration, error) {
	sec := 60
	err := s.DB.Read().QueryRowContext(ctx, `SELECT merge_seconds FROM attendance_shifts WHERE centre_id = $1`, centreID).Scan(&sec)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	return time.Duration(sec) * time.Second, nil
}

// ManualInput is the centre admin's form for a punch a terminal missed.
type ManualInput struct {
	StaffID   int64     `json:"staff_id"`
	At        time.Time `json:"at"`
	Direction string    `json:"direction"`
	Reason    string    `json:"reason"`
}

// MaxReason bounds a manual punch's reason.
const MaxReason = 200

// ManualPunch files a punch the centre admin enters for someone of their
// centre (补卡), with the reason required. Who entered it, for whom, when
// and why is on the punch (source manual, entered_by, reason) and on the
// audit record; the sheets mark it manual.
func (s *Service) ManualPunch(ctx context.Context, a org.Actor, in ManualInput) error {
	f := apperr.Fields{}
	reason := f.Para("reason", in.Reason, true, MaxReason)
	if in.At.IsZero() {
		f.Add("at", "error.required")
	} else if in.At.After(s.now().Add(futureSlack)) {
		f.Add("at", "attendance.at_future")
	}
	if in.Direction != "" && in.Direction != "in" && in.Direction != "out" {
		f.Add("direction", "error.choose")
	}
	var centre int64
	var region string
	err := s.DB.Read().QueryRowContext(ctx, `SELECT s.centre_id, ce.region_code FROM staff s JOIN centres ce ON ce.id = s.centre_id
		WHERE s.id = $1 AND s.retired_at IS NULL`, in.StaffID).Scan(&centre, &region)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !a.AdministersCentre(centre, region)) {
		if a.Role != org.CentreAdmin {
			return apperr.New(apperr.Forbidden, "attendance.centre_admin_only")
		}
		f.Add("staff_id", "attendance.staff_unknown")
	} else if err != nil {
		return err
	}
	if err := f.Err(); err != nil {
		return err
	}
	merge, err := s.mergeSpan(ctx, centre)
	if err != nil {
		return err
	}
	// No window: the admin says when, not where, so a manual punch is
	// never a sitting at a window (leaders' duty reads the window).
	who := a.Who()
	status, err := s.insert(ctx, stored{staffID: in.StaffID, centreID: centre, at: in.At, direction: in.Direction,
		source: SourceManual, reason: reason, enteredBy: a.StaffID, who: &who}, merge)
	if err != nil {
		return err
	}
	if status == Duplicate {
		f.Add("at", "attendance.punch_exists")
		return f.Err()
	}
	return nil
}
