package queue

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/org"
	"onestop/internal/store"
)

// Calling (叫号) from the clerk's workbench. A clerk calls for their own
// window only (org.Actor.WindowID), from the groups that window serves,
// and acts only on the ticket called to their window: any other ticket id
// — another window's, another centre's — is "not found".

var (
	errNoWindow   = apperr.New(apperr.Forbidden, "queue.no_window")
	errWindowBusy = apperr.New(apperr.Conflict, "queue.window_busy")
	errNoneWaits  = apperr.New(apperr.Conflict, "queue.none_waiting")
	errNotFound   = apperr.NotFoundf("entity.ticket")
)

// caller is the clerk's window, checked.
func caller(a org.Actor) error {
	if a.Role != org.Clerk || a.WindowID == 0 || a.CentreID == 0 {
		return errNoWindow
	}
	return nil
}

// AtWindow is the ticket called or served at the actor's window, if any.
func (s *Service) AtWindow(ctx context.Context, a org.Actor) (*Ticket, error) {
	if err := caller(a); err != nil {
		return nil, err
	}
	return atWindow(ctx, s, s.DB.Read(), a.WindowID)
}

func atWindow(ctx context.Context, s *Service, q store.Querier, windowID int64) (*Ticket, error) {
	ts, err := s.tickets(ctx, q, "t.window_id = $1 AND t.state IN ('called','serving') ORDER BY t.called_at DESC LIMIT 1", windowID)
	if err != nil || len(ts) == 0 {
		return nil, err
	}
	return &ts[0], nil
}

// CallNext calls the first waiting ticket of today among the groups the
// actor's window serves, by place in line (first issue time) across the
// groups. The window must have finished with its last ticket (done,
// no-show or transferred), so each service time has an end.
func (s *Service) CallNext(ctx context.Context, a org.Actor) (Ticket, error) {
	if err := caller(a); err != nil {
		return Ticket{}, err
	}
	now := s.Now().UTC()
	var out Ticket
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		busy, err := atWindow(ctx, s, tx, a.WindowID)
		if err != nil {
			return err
		}
		if busy != nil {
			return errWindowBusy
		}
		groups, err := windowGroups(ctx, tx, a.WindowID)
		if err != nil {
			return err
		}
		if len(groups) == 0 {
			return errNoneWaits
		}
		in, args := store.IDList(groups, 3)
		args = append([]any{day(now), a.CentreID}, args...)
		// Two windows calling at once: the UPDATE takes the ticket only if
		// it still waits; the loser tries the next one.
		for range 20 {
			var id int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM queue_tickets WHERE day = $1 AND centre_id = $2 AND state = 'waiting'
				AND group_id IN (`+in+`) ORDER BY place_at, id LIMIT 1`, args...).Scan(&id)
			if err == sql.ErrNoRows {
				return errNoneWaits
			} else if err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, `UPDATE queue_tickets SET state = 'called', window_id = $1, staff_id = $2,
				first_called_at = $3, called_at = $3, calls = 1 WHERE id = $4 AND state = 'waiting'`, a.WindowID, a.StaffID, now, id)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				if out, err = s.ticket(ctx, tx, id); err != nil {
					return err
				}
				return event(ctx, tx, out, "call", a.WindowID, a.StaffID, now)
			}
		}
		return errNoneWaits
	})
	if err != nil {
		return Ticket{}, err
	}
	s.changed(a.CentreID)
	return out, nil
}

// step moves the actor's window's ticket id from one of states to another,
// setting the columns set ($1 is now; "" changes nothing but what more
// does), in one transaction with its event.
func (s *Service) step(ctx context.Context, a org.Actor, id int64, action string, from []string, set string,
	more func(tx *sql.Tx, t Ticket, now time.Time) error) (Ticket, error) {
	if err := caller(a); err != nil {
		return Ticket{}, err
	}
	now := s.Now().UTC()
	var out Ticket
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		t, err := s.ticket(ctx, tx, id)
		if err != nil || t.WindowID != a.WindowID || t.CentreID != a.CentreID {
			return errNotFound
		}
		ok := false
		for _, f := range from {
			ok = ok || t.State == f
		}
		if !ok {
			return apperr.New(apperr.Conflict, "queue.bad_state", "State", t.State)
		}
		if set != "" {
			res, err := tx.ExecContext(ctx, `UPDATE queue_tickets SET `+set+` WHERE id = $2 AND state = $3`, now, id, t.State)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return apperr.New(apperr.Conflict, "queue.stale")
			}
		}
		if more != nil {
			if err := more(tx, t, now); err != nil {
				return err
			}
		}
		if out, err = s.ticket(ctx, tx, id); err != nil {
			return err
		}
		return event(ctx, tx, out, action, a.WindowID, a.StaffID, now)
	})
	if err != nil {
		return Ticket{}, err
	}
	s.changed(a.CentreID)
	return out, nil
}

// Recall calls the called ticket again (the screen and the voice repeat
// it); the wait still ends at the first call.
func (s *Service) Recall(ctx context.Context, a org.Actor, id int64) (Ticket, error) {
	return s.step(ctx, a, id, "recall", []string{Called}, "called_at = $1, calls = calls + 1", nil)
}

// Start begins serving the called ticket's holder.
func (s *Service) Start(ctx context.Context, a org.Actor, id int64) (Ticket, error) {
	return s.step(ctx, a, id, "start", []string{Called}, "state = 'serving', serving_at = $1", nil)
}

// Finish ends the service.
func (s *Service) Finish(ctx context.Context, a org.Actor, id int64) (Ticket, error) {
	return s.step(ctx, a, id, "finish", []string{Serving}, "state = 'done', ended_at = $1", nil)
}

// NoShow closes a called ticket whose holder did not come.
func (s *Service) NoShow(ctx context.Context, a org.Actor, id int64) (Ticket, error) {
	return s.step(ctx, a, id, "no_show", []string{Called}, "state = 'no_show', ended_at = $1", nil)
}

// Transfer sends the holder of the ticket at the actor's window to another
// group of the same centre (the wrong line, or a second business). The
// rule: the ticket keeps its number and its place — the new row stands in
// the other group's line at its first issue time (place_at), so the
// holder is not sent to the back; its waiting there counts from the
// transfer (issued_at), so no minute of waiting is counted twice. The old
// row ends as transferred; its service, if started, ends there.
func (s *Service) Transfer(ctx context.Context, a org.Actor, id, groupID int64) (Ticket, error) {
	var moved Ticket
	_, err := s.step(ctx, a, id, "transfer", []string{Called, Serving}, "state = 'transferred', ended_at = $1",
		func(tx *sql.Tx, t Ticket, now time.Time) error {
			g, err := openGroup(ctx, tx, groupID, t.CentreID)
			if err != nil {
				return err
			}
			if g.ID == t.GroupID {
				f := apperr.Fields{}
				f.Add("group", "queue.same_group")
				return f.Err()
			}
			var nid int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO queue_tickets (group_id, centre_id, day, seq, no, channel, phone, state, place_at, issued_at,
				issued_by, from_id, case_no) VALUES ($1, $2, $3, 0, $4, $5, $6, 'waiting', $7, $8, $9, $10, $11) RETURNING id`,
				g.ID, t.CentreID, t.Day, t.No, t.Channel, t.Phone, t.PlaceAt, now, a.StaffID, t.ID, t.CaseNo).Scan(&nid); err != nil {
				return err
			}
			if moved, err = s.ticket(ctx, tx, nid); err != nil {
				return err
			}
			return event(ctx, tx, moved, "transfer_in", a.WindowID, a.StaffID, now)
		})
	return moved, err
}

// Link records the case a ticket became ("receive a case from this
// ticket"): the ticket must be at the actor's window and not yet linked;
// the case is one the clerk may see (the caller checks, having loaded it).
func (s *Service) Link(ctx context.Context, a org.Actor, id int64, caseNo string) error {
	caseNo = strings.TrimSpace(caseNo)
	if caseNo == "" {
		f := apperr.Fields{}
		f.Add("case_no", "error.required")
		return f.Err()
	}
	_, err := s.step(ctx, a, id, "link", []string{Called, Serving, Done}, "",
		func(tx *sql.Tx, t Ticket, now time.Time) error {
			if t.CaseNo != "" && t.CaseNo != caseNo {
				return apperr.New(apperr.Conflict, "queue.linked", "No", t.CaseNo)
			}
			_, err := tx.ExecContext(ctx, `UPDATE queue_tickets SET case_no = $1 WHERE id = $2`, caseNo, t.ID)
			return err
		})
	return err
}
