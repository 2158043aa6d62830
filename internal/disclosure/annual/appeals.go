package annual

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/calendar"
	"onestop/internal/clock"
	"onestop/internal/disclosure"
	"onestop/internal/org"
	"onestop/internal/store"
)

// Appeal is an administrative review (行政复议) or suit (行政诉讼) over the
// organ's disclosure: what table 四 counts (00031).
type Appeal struct {
	ID          int64  `json:"id"`
	OrganID     int64  `json:"organ_id"`
	RequestID   int64  `json:"request_id,omitempty"`
	RequestNo   string `json:"request_no,omitempty"`
	Kind        string `json:"kind"`
	FiledOn     string `json:"filed_on"`
	Result      string `json:"result,omitempty"`
	ConcludedOn string `json:"concluded_on,omitempty"`
	Note        string `json:"note"`
	RecordedBy  int64  `json:"recorded_by"`
}

// AppealInput records a review or suit.
type AppealInput struct {
	OrganID   int64  `json:"organ_id"`
	RequestNo string `json:"request_no"` // the request concerned, optional
	Kind      string `json:"kind"`
	FiledOn   string `json:"filed_on"`
	Note      string `json:"note"`
}

// Conclusion concludes one.
type Conclusion struct {
	Result      string `json:"result"`
	ConcludedOn string `json:"concluded_on"`
}

// day reads a Shanghai day typed in a form: a real date, not after today.
func day(f apperr.Fields, field, v string, today calendar.Date) calendar.Date {
	d, err := calendar.ParseDate(v)
	switch {
	case v == "":
		f.Add(field, "error.required")
	case err != nil || !d.Valid():
		f.Add(field, "disclosure_report.error.day")
	case d.After(today):
		f.Add(field, "disclosure_report.error.future")
	}
	return d
}

// RecordAppeal records a review or suit against an organ's disclosure,
// optionally naming the request it is about (which must be the organ's);
// an officer of the organ's office, audited.
func (s *Service) RecordAppeal(ctx context.Context, a org.Actor, in AppealInput) (*Appeal, error) {
	now := s.now()
	x, err := disclosure.AccessTo(ctx, s.DB.Read(), a, in.OrganID)
	if err != nil {
		return nil, err
	}
	if !x.Acts(disclosure.Officer) {
		return nil, apperr.New(apperr.Forbidden, "disclosure_report.error.officer_only")
	}
	f := apperr.Fields{}
	if !slices.Contains(AppealKinds, in.Kind) {
		f.Add("kind", "disclosure_report.error.appeal_kind")
	}
	filed := day(f, "filed_on", in.FiledOn, clock.Today(now))
	in.Note = f.Para("note", in.Note, false, 1000)
	var requestID int64
	if in.RequestNo = f.Text("request_no", in.RequestNo, false, 40); in.RequestNo != "" && !f.Has("request_no") {
		var organ int64
		err := s.DB.Read().QueryRowContext(ctx, `SELECT id, organ_id FROM disclosure_requests WHERE no = $1`, in.RequestNo).Scan(&requestID, &organ)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		if organ != in.OrganID {
			f.Add("request_no", "disclosure_report.error.request")
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	ap := &Appeal{OrganID: in.OrganID, RequestID: requestID, RequestNo: in.RequestNo, Kind: in.Kind, FiledOn: filed.String(), Note: in.Note, RecordedBy: a.StaffID}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO disclosure_appeals (organ_id, request_id, kind, filed_on, note, recorded_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`, ap.OrganID, store.NullID(ap.RequestID), ap.Kind, ap.FiledOn, ap.Note, a.StaffID, now).Scan(&ap.ID); err != nil {
			return err
		}
		return audit.Write(ctx, tx, now, a.Who(), "create", "disclosure_appeal", itoa(ap.ID), 0, x.Organ.DepartmentID, nil, ap)
	})
	if err != nil {
		return nil, err
	}
	return ap, nil
}

const appealCols = `p.id, p.organ_id, COALESCE(p.request_id, 0), COALESCE(q.no, ''), p.kind, p.filed_on, COALESCE(p.result, ''), COALESCE(p.concluded_on, ''), p.note, p.recorded_by`

func scanAppeal(row interface{ Scan(...any) error }) (*Appeal, error) {
	p := &Appeal{}
	err := row.Scan(&p.ID, &p.OrganID, &p.RequestID, &p.RequestNo, &p.Kind, &p.FiledOn, &p.Result, &p.ConcludedOn, &p.Note, &p.RecordedBy)
	return p, err
}

// ConcludeAppeal records the result of a pending review or suit; an
// officer of its organ's office, audited. The conclusion day is on or
// after the filing day and not in the future.
func (s *Service) ConcludeAppeal(ctx context.Context, a org.Actor, id int64, in Conclusion) (*Appeal, error) {
	now := s.now()
	var out *Appeal
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		q := s.DB.InTx(tx)
		p, err := scanAppeal(q.QueryRowContext(ctx, `SELECT `+appealCols+` FROM disclosure_appeals p LEFT JOIN disclosure_requests q ON q.id = p.request_id WHERE p.id = $1`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFoundf("entity.disclosure_appeal")
		}
		if err != nil {
			return err
		}
		x, err := disclosure.AccessTo(ctx, q, a, p.OrganID)
		if apperr.Is(err, apperr.NotFound) {
			return apperr.NotFoundf("entity.disclosure_appeal")
		}
		if err != nil {
			return err
		}
		if !x.Acts(disclosure.Officer) {
			return apperr.New(apperr.Forbidden, "disclosure_report.error.officer_only")
		}
		f := apperr.Fields{}
		if !slices.Contains(Results, in.Result) {
			f.Add("result", "disclosure_report.error.result")
		}
		d := day(f, "concluded_on", in.ConcludedOn, clock.Today(now))
		if !f.Has("concluded_on") && d.String() < p.FiledOn {
			f.Add("concluded_on", "disclosure_report.error.before_filed", "Filed", p.FiledOn)
		}
		if err := f.Err(); err != nil {
			return err
		}
		if p.Result != "" {
			return apperr.New(apperr.Conflict, "disclosure_report.error.concluded")
		}
		before := *p
		p.Result, p.ConcludedOn = in.Result, d.String()
		if _, err := q.ExecContext(ctx, `UPDATE disclosure_appeals SET result = $1, concluded_on = $2, updated_at = $3 WHERE id = $4 AND result IS NULL`,
			p.Result, p.ConcludedOn, now, id); err != nil {
			return err
		}
		out = p
		return audit.Write(ctx, q, now, a.Who(), "conclude", "disclosure_appeal", itoa(id), 0, x.Organ.DepartmentID, before, p)
	})
	return out, err
}

// Appeals lists an organ's reviews and suits, newest first; readers of
// the organ.
func (s *Service) Appeals(ctx context.Context, a org.Actor, organID int64) ([]Appeal, error) {
	if _, err := disclosure.AccessTo(ctx, s.DB.Read(), a, organID); err != nil {
		return nil, err
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT `+appealCols+` FROM disclosure_appeals p LEFT JOIN disclosure_requests q ON q.id = p.request_id
		WHERE p.organ_id = $1 ORDER BY p.filed_on DESC, p.id DESC LIMIT 500`, organID)
	if err != nil {
		return nil, err
	}
	var out []Appeal
	err = store.Each(rows, func() error {
		p, err := scanAppeal(rows)
		if err == nil {
			out = append(out, *p)
		}
		return err
	})
	return out, err
}
