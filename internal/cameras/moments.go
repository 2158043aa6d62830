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
// request: a link names a case event, a rating, a ticket or a complaint, and the
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

// MaxTicketSpan bounds a ticket's interval: a service is minutes long; a
// ticket left open for hours would turn a look at a service into
// watching a window all morning (docs/DOMAIN.md §24, the margins' reason).
const MaxTicketSpan = time.Hour

// Ticket is the moment of a queue ticket, read from the queue's record:
// the window that called it, from its service's start (or its first call,
// when it was never served) to its end (finished, no-show or transferred;
// the call itself while it is still open), at most MaxTicketSpan. A ticket
// never called was at no window.
func (s *Service) Ticket(ctx context.Context, ticketID int64) (Moment, error) {
	var no, day string
	var window sql.NullInt64
	var first, serving, called, ended sql.NullTime
	err := s.DB.Read().QueryRowContext(ctx, `SELECT no, day, window_id, first_called_at, serving_at, called_at, ended_at FROM queue_tickets WHERE id = $1`,
		ticketID).Scan(&no, &day, &window, &first, &serving, &called, &ended)
	if errors.Is(err, sql.ErrNoRows) {
		return Moment{}, apperr.NotFoundf("entity.ticket")
	}
	if err != nil {
		return Moment{}, err
	}
	if !window.Valid || !first.Valid {
		return Moment{}, errNoMoment
	}
	m := Moment{Source: FromTicket, Ref: no + " " + day, SourceID: ticketID, WindowID: window.Int64, At: first.Time.UTC()}
	if serving.Valid {
		m.At = serving.Time.UTC()
	}
	switch {
	case ended.Valid:
		m.Until = ended.Time.UTC()
	case called.Valid:
		m.Until = called.Time.UTC()
	}
	if m.Until.Sub(m.At) > MaxTicketSpan {
		m.Until = m.At.Add(MaxTicketSpan)
	}
	return m, nil
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
