package voice

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/calendar"
	"onestop/internal/store"
)

const enquiryCols = `e.id, e.no, e.kind, e.state, e.subject, e.body, e.region_code, COALESCE(e.department_id, 0), COALESCE(d.short_name, ''),
	e.centre_id, ce.name, COALESCE(c.no, ''), e.channel, e.received_at, e.reply_days, e.due, e.reply, e.replied_at, e.closed_at, e.updated_at,
	e.address, e.lat, e.lng, e.media_url, e.public, COALESCE((SELECT MAX(o.id) FROM correction_orders o WHERE o.enquiry_id = e.id), 0),
	COALESCE((SELECT MAX(o.department_id) FROM correction_orders o WHERE o.enquiry_id = e.id), 0), e.version`

const enquiryFrom = `enquiries e JOIN centres ce ON ce.id = e.centre_id LEFT JOIN departments d ON d.id = e.department_id
	LEFT JOIN cases c ON c.id = e.case_id`

type scanner interface{ Scan(...any) error }

func scanEnquiry(row scanner, extra ...any) (*Enquiry, error) {
	e := &Enquiry{}
	var kind string
	var due any
	dest := []any{&e.ID, &e.No, &kind, &e.State, &e.Subject, &e.Body, &e.RegionCode, &e.DepartmentID, &e.Department,
		&e.CentreID, &e.Centre, &e.CaseNo, &e.Channel, &e.Received, &e.ReplyDays, &due, &e.Reply, &e.RepliedAt, &e.ClosedAt, &e.Updated,
		&e.Address, &e.Lat, &e.Long, &e.MediaURL, &e.Public, &e.OrderID, &e.OrderDepartmentID, &e.Version}
	err := row.Scan(append(dest, extra...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("entity.enquiry")
	}
	if err != nil {
		return nil, err
	}
	e.Kind = Kind(kind)
	e.Due, _ = calendar.FromColumn(due)
	e.Received, e.Updated = e.Received.UTC(), e.Updated.UTC()
	e.RepliedAt, e.ClosedAt = utc(e.RepliedAt), utc(e.ClosedAt)
	return e, nil
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// NormalNo is a tracking number as stored: trimmed, upper case.
func NormalNo(no string) string { return strings.ToUpper(strings.TrimSpace(no)) }

// ByNo returns the enquiry with that tracking number, or not-found. It
// checks no scope: callers that show it to staff use Get.
func (s *Service) ByNo(ctx context.Context, no string) (*Enquiry, error) {
	no = NormalNo(no)
	if no == "" || len(no) > maxCaseNo {
		return nil, apperr.NotFoundf("entity.enquiry")
	}
	return scanEnquiry(s.DB.Read().QueryRowContext(ctx, `SELECT `+enquiryCols+` FROM `+enquiryFrom+` WHERE e.no = $1`, no))
}

// Find lists enquiries, newest first, without any personal data of the
// askers (Open311's requests.json). A filter without a kind is refused:
// no value never means every kind.
func (s *Service) Find(ctx context.Context, f Filter) ([]*Enquiry, error) {
	w, err := f.where()
	if err != nil {
		return nil, err
	}
	return s.query(ctx, w, f.Limit, f.Offset)
}

func (f Filter) where() (*store.Where, error) {
	kinds := f.Kinds
	if f.Kind != "" {
		kinds = []Kind{f.Kind}
	}
	if len(kinds) == 0 {
		return nil, apperr.New(apperr.Invalid, "voice.no_kind")
	}
	w := &store.Where{}
	ph := make([]string, 0, len(kinds))
	args := make([]any, 0, len(kinds))
	for _, k := range kinds {
		if !k.Valid() {
			return nil, apperr.New(apperr.Invalid, "voice.no_kind")
		}
		ph = append(ph, "?")
		args = append(args, string(k))
	}
	w.Add("e.kind IN ("+strings.Join(ph, ",")+")", args...)
	if len(f.Nos) > 0 {
		ph, args = ph[:0], args[:0]
		for _, no := range f.Nos {
			ph = append(ph, "?")
			args = append(args, NormalNo(no))
		}
		w.Add("e.no IN ("+strings.Join(ph, ",")+")", args...)
	}
	if f.County != "" {
		w.Add(`e.region_code LIKE ? ESCAPE '\'`, store.Prefix(f.County))
	}
	if !f.From.IsZero() {
		w.Add("e.received_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		w.Add("e.received_at < ?", f.To.UTC())
	}
	switch f.State {
	case "":
	case Open, Answered, Closed:
		w.Add("e.state = ?", f.State)
	default:
		return nil, apperr.New(apperr.Invalid, "voice.bad_state")
	}
	return w, nil
}

func (s *Service) query(ctx context.Context, w *store.Where, limit, offset int) ([]*Enquiry, error) {
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	offset = max(offset, 0)
	q := `SELECT ` + enquiryCols + ` FROM ` + enquiryFrom + w.String()
	q += ` ORDER BY e.received_at DESC, e.id DESC LIMIT ` + w.Bind(limit) + ` OFFSET ` + w.Bind(offset)
	rows, err := s.DB.Read().QueryContext(ctx, q, w.Args()...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*Enquiry{}
	for rows.Next() {
		e, err := scanEnquiry(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
