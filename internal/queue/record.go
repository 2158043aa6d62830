package queue

import (
	"context"
	"strconv"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/calendar"
	"onestop/internal/org"
)

// Event is one state change of a ticket, as queue_events keeps it.
type Event struct {
	Action string    `json:"action"`
	Window string    `json:"window,omitempty"` // the window's number
	Staff  string    `json:"staff,omitempty"`
	At     time.Time `json:"at"`
}

// Record is a ticket as staff read it: the ticket and every change, with
// the window and the person.
type Record struct {
	Ticket Ticket
	Events []Event
}

// ReadsRecord reports whether a may read tickets of centreID on the staff
// side: the centre's clerks and admin, and the county's supervision and
// leaders. The public ticket page (Status) is the holder's.
func ReadsRecord(a org.Actor, centreID int64) bool {
	switch a.Role {
	case org.Clerk, org.CentreAdmin, org.Supervisor, org.Leader:
		return a.SeesCentre(centreID)
	}
	return false
}

// Record reads ticket id for a. Another centre's ticket (or one out of
// a's reach) is "not found", as any unknown id.
func (s *Service) Record(ctx context.Context, a org.Actor, id int64) (Record, error) {
	q := s.DB.Read()
	t, err := s.ticket(ctx, q, id)
	if err != nil {
		return Record{}, err
	}
	if !ReadsRecord(a, t.CentreID) {
		return Record{}, apperr.NotFoundf("entity.ticket")
	}
	rows, err := q.QueryContext(ctx, `SELECT e.action, COALESCE(w.number, ''), COALESCE(st.name, ''), e.at FROM queue_events e
		LEFT JOIN windows w ON w.id = e.window_id LEFT JOIN staff st ON st.id = e.staff_id WHERE e.ticket_id = $1 ORDER BY e.at, e.id`, id)
	if err != nil {
		return Record{}, err
	}
	defer rows.Close()
	r := Record{Ticket: t}
	for rows.Next() {
		var e Event
		if err := rows.Scan(&e.Action, &e.Window, &e.Staff, &e.At); err != nil {
			return Record{}, err
		}
		e.At = e.At.UTC()
		r.Events = append(r.Events, e)
	}
	return r, rows.Err()
}

// MaxRecent bounds the admin page's list of a period's tickets.
const MaxRecent = 50

// Recent lists the latest tickets of the days from..to at a centre the
// caller has checked, newest first, at most MaxRecent: the way from the
// figures to a ticket's record.
func (s *Service) Recent(ctx context.Context, centreID int64, from, to calendar.Date) ([]Ticket, error) {
	return s.tickets(ctx, s.DB.Read(), `t.centre_id = $1 AND t.day >= $2 AND t.day <= $3 ORDER BY t.issued_at DESC, t.id DESC LIMIT `+strconv.Itoa(MaxRecent),
		centreID, dayKey(from), dayKey(to))
}
