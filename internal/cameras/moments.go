package cameras

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"onestop/internal/apperr"
)

// A moment is always read from the record it comes from, never from the
// request: a link names a case event, a rating or a complaint, and the
// window and time are the record's. Only a complaint's window and time
// are the supervisor's reading of the complaint's text, checked against
// the complaint.

// EventWindow is the window a case event happened at: the engine records
// a staff member's window in the event's place as "window:<id> <address>"
// (internal/cases/actor.go); 0 when the event was not at a window.
func EventWindow(place string) int64 {
	rest, ok := strings.CutPrefix(place, "window:")
	if !ok {
		return 0
	}
	id, _, _ := strings.Cut(rest, " ")
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return 0
	}
	return n
}

var errNoMoment = apperr.New(apperr.NotFound, "cameras.no_moment")

// CaseEvent is the moment of event seq of a case: its window and time.
func (s *Service) CaseEvent(ctx context.Context, caseID int64, seq int) (Moment, error) {
	var no, place string
	var at time.Time
	err := s.DB.Read().QueryRowContext(ctx, `SELECT c.no, e.place, e.at FROM case_events e JOIN cases c ON c.id = e.case_id
		WHERE e.case_id = $1 AND e.seq = $2`, caseID, seq).Scan(&no, &place, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return Moment{}, apperr.NotFoundf("entity.case")
	}
	if err != nil {
		return Moment{}, err
	}
	w := EventWindow(place)
	if w == 0 {
		return Moment{}, errNoMoment
	}
	return Moment{Source: FromCase, Ref: no + " #" + strconv.Itoa(seq), SourceID: caseID, WindowID: w, At: at.UTC()}, nil
}

// Rating is the moment a rating is about. A rating pad sits on the
// window's counter, so a pad rating's time is the service's end; a
// rating given later on the portal or by QR code is about the service
// at the window, the last event of the case there before the rating.
func (s *Service) Rating(ctx context.Context, ratingID int64) (Moment, error) {
	q := s.DB.Read()
	var caseID int64
	var window sql.NullInt64
	var channel, no string
	var at time.Time
	err := q.QueryRowContext(ctx, `SELECT r.case_id, r.window_id, r.channel, r.case_no, r.rated_at FROM ratings r WHERE r.id = $1`, ratingID).
		Scan(&caseID, &window, &channel, &no, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return Moment{}, apperr.NotFoundf("entity.rating")
	}
	if err != nil {
		return Moment{}, err
	}
	if !window.Valid {
		return Moment{}, errNoMoment
	}
	m := Moment{Source: FromRating, Ref: no, SourceID: ratingID, WindowID: window.Int64, At: at.UTC()}
	if channel == "pad" {
		return m, nil
	}
	err = q.QueryRowContext(ctx, `SELECT at FROM case_events WHERE case_id = $1 AND at <= $2 AND place LIKE $3 ORDER BY seq DESC LIMIT 1`,
		caseID, at, "window:"+strconv.FormatInt(window.Int64, 10)+" %").Scan(&m.At)
	if errors.Is(err, sql.ErrNoRows) {
		return Moment{}, errNoMoment
	}
	m.At = m.At.UTC()
	return m, err
}

// Complaint is the moment a complaint names: the supervisor reads the
// window and the time off the complaint's text. The window must be at
// the complaint's centre, the time no later than the complaint was
// received (it is about something that had happened).
func (s *Service) Complaint(ctx context.Context, enquiryID, windowID int64, at time.Time) (Moment, error) {
	c, err := s.ComplaintOf(ctx, enquiryID)
	if err != nil {
		return Moment{}, err
	}
	centre, received, no := c.CentreID, c.Received, c.No
	f := apperr.Fields{}
	var wc int64
	if err := s.DB.Read().QueryRowContext(ctx, `SELECT centre_id FROM windows WHERE id = $1`, windowID).Scan(&wc); err != nil || wc != centre {
		f.Add("window_id", "cameras.window.missing")
	}
	if at.IsZero() {
		f.Add("at", "error.required")
	} else if at.After(received) {
		f.Add("at", "cameras.at.after_complaint")
	}
	if err := f.Err(); err != nil {
		return Moment{}, err
	}
	return Moment{Source: FromComplaint, Ref: no, SourceID: enquiryID, WindowID: windowID, At: at.UTC()}, nil
}

// Ticket is the moment of a queue ticket at a window (called, served):
// the ticket page gives its window and time, which the queue's record
// holds, and its number for the access record.
func Ticket(ticketID int64, ticketNo string, windowID int64, at time.Time) Moment {
	return Moment{Source: FromTicket, Ref: ticketNo, SourceID: ticketID, WindowID: windowID, At: at.UTC()}
}

// ComplaintFacts are what the complaint form on the recording page needs:
// the complaint's number, its centre (whose windows it may name) and
// when it was received (the time it is about is before).
type ComplaintFacts struct {
	No       string
	CentreID int64
	Received time.Time
}

// ComplaintOf reads a complaint's facts; a consultation or help request is
// "not found": it names no window's conduct.
func (s *Service) ComplaintOf(ctx context.Context, enquiryID int64) (ComplaintFacts, error) {
	var c ComplaintFacts
	var kind string
	err := s.DB.Read().QueryRowContext(ctx, `SELECT no, kind, centre_id, received_at FROM enquiries WHERE id = $1`, enquiryID).
		Scan(&c.No, &kind, &c.CentreID, &c.Received)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && kind != "complaint") {
		return c, apperr.NotFoundf("entity.enquiry")
	}
	return c, err
}
