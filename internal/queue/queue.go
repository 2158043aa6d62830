// Package queue is the hall's queue tickets (排队叫号, issue 15 §4): queue
// groups of windows per centre, tickets numbered per group and day, issued
// at the hall's kiosk, on the portal or at a window, called from the
// clerk's workbench, and shown on the hall's screen. Every state change is
// timestamped on the ticket and written to queue_events, so the waiting and
// service times of any past period come from the record (figures.go).
package queue

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/clock"
	"onestop/internal/store"
)

// Ticket states. waiting → called (→ called again: a recall) → serving →
// done; a called ticket whose holder does not come is no_show; a called or
// serving ticket sent to another group is transferred (and a new waiting
// row stands in that group's line, see Transfer).
const (
	Waiting     = "waiting"
	Called      = "called"
	Serving     = "serving"
	Done        = "done"
	NoShow      = "no_show"
	Transferred = "transferred"
)

// States in lifecycle order.
var States = []string{Waiting, Called, Serving, Done, NoShow, Transferred}

// Channels a ticket is issued through.
const (
	Kiosk  = "kiosk"
	Portal = "portal"
	Window = "window"
)

// Channels in menu order.
var Channels = []string{Kiosk, Portal, Window}

// MaxPerDay is the numbers a group gives out in a day: three digits.
const MaxPerDay = 999

// Service reads and writes queue groups and tickets. Changed, when set, is
// told of every change at a centre after it is committed (the hall screen's
// hub); it must not block.
type Service struct {
	DB      *store.DB
	Now     func() time.Time
	Changed func(centreID int64)
}

// Ticket is one queue ticket.
type Ticket struct {
	ID            int64      `json:"id"`
	GroupID       int64      `json:"group_id"`
	Group         string     `json:"group"`
	CentreID      int64      `json:"centre_id"`
	Day           string     `json:"day"`
	No            string     `json:"no"`
	Channel       string     `json:"channel"`
	Phone         string     `json:"-"`
	State         string     `json:"state"`
	PlaceAt       time.Time  `json:"place_at"`
	IssuedAt      time.Time  `json:"issued_at"`
	WindowID      int64      `json:"window_id,omitempty"`
	WindowNumber  string     `json:"window_number,omitempty"`
	FirstCalledAt *time.Time `json:"first_called_at,omitempty"`
	CalledAt      *time.Time `json:"called_at,omitempty"`
	Calls         int        `json:"calls"`
	ServingAt     *time.Time `json:"serving_at,omitempty"`
	EndedAt       *time.Time `json:"ended_at,omitempty"`
	FromID        int64      `json:"from_id,omitempty"`
	CaseNo        string     `json:"case_no,omitempty"`
}

// Open reports whether the ticket still stands in a line or at a window.
func (t Ticket) Open() bool { return t.State == Waiting || t.State == Called || t.State == Serving }

const ticketCols = `t.id, t.group_id, g.name, t.centre_id, t.day, t.no, t.channel, t.phone, t.state, t.place_at, t.issued_at,
	COALESCE(t.window_id, 0), COALESCE(w.number, ''), t.first_called_at, t.called_at, t.calls, t.serving_at, t.ended_at,
	COALESCE(t.from_id, 0), t.case_no`

const ticketFrom = `queue_tickets t JOIN queue_groups g ON g.id = t.group_id LEFT JOIN windows w ON w.id = t.window_id`

func scanTicket(row interface{ Scan(...any) error }) (Ticket, error) {
	var t Ticket
	var first, called, serving, ended sql.NullTime
	err := row.Scan(&t.ID, &t.GroupID, &t.Group, &t.CentreID, &t.Day, &t.No, &t.Channel, &t.Phone, &t.State, &t.PlaceAt, &t.IssuedAt,
		&t.WindowID, &t.WindowNumber, &first, &called, &t.Calls, &serving, &ended, &t.FromID, &t.CaseNo)
	if errors.Is(err, sql.ErrNoRows) {
		return t, apperr.NotFoundf("entity.ticket")
	}
	t.PlaceAt, t.IssuedAt = t.PlaceAt.UTC(), t.IssuedAt.UTC()
	t.FirstCalledAt, t.CalledAt, t.ServingAt, t.EndedAt = utc(first), utc(called), utc(serving), utc(ended)
	return t, err
}

func utc(n sql.NullTime) *time.Time {
	if !n.Valid {
		return nil
	}
	t := n.Time.UTC()
	return &t
}

func (s *Service) ticket(ctx context.Context, q store.Querier, id int64) (Ticket, error) {
	return scanTicket(q.QueryRowContext(ctx, "SELECT "+ticketCols+" FROM "+ticketFrom+" WHERE t.id = $1", id))
}

func (s *Service) tickets(ctx context.Context, q store.Querier, where string, args ...any) ([]Ticket, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+ticketCols+" FROM "+ticketFrom+" WHERE "+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Ticket
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// event writes a state change to the record.
func event(ctx context.Context, q store.Querier, t Ticket, action string, windowID, staffID int64, at time.Time) error {
	_, err := q.ExecContext(ctx, `INSERT INTO queue_events (ticket_id, centre_id, action, window_id, staff_id, at) VALUES ($1, $2, $3, $4, $5, $6)`,
		t.ID, t.CentreID, action, nullID(windowID), nullID(staffID), at)
	return err
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// changed tells the hub, after the commit.
func (s *Service) changed(centreID int64) {
	if s.Changed != nil {
		s.Changed(centreID)
	}
}

// day is the Shanghai day a queue's numbers belong to, as stored.
func day(t time.Time) string { return t.In(clock.Shanghai).Format("20060102") }
