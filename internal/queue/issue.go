package queue

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"onestop/internal/apperr"
	"onestop/internal/org"
	"onestop/internal/store"
)

// IssueInput asks for a ticket in a group of a centre. Phone is required
// on the portal (the citizen is not in the hall; the number is how the
// centre reaches them) and optional elsewhere. Clerk is the staff member
// issuing at a window (channel window), nil at the kiosk and on the
// portal.
type IssueInput struct {
	CentreID int64
	GroupID  int64
	Channel  string
	Phone    string
	Clerk    *org.Actor
}

// Issued is a new ticket and how many stand before it in its group's line.
type Issued struct {
	Ticket
	Ahead int `json:"ahead"`
}

// Issue gives out the next number of the group for today (Shanghai). The
// number comes from queue_counters in the transaction that inserts the
// ticket — the rule of cases.CentreDayNumber, keyed by group — so a number
// is never given twice. On the portal one phone holds at most one open
// ticket per centre and day: taking numbers for others is what the
// kiosk is for.
func (s *Service) Issue(ctx context.Context, in IssueInput) (Issued, error) {
	f := apperr.Fields{}
	if !slices.Contains(Channels, in.Channel) {
		return Issued{}, apperr.New(apperr.Invalid, "queue.bad_channel")
	}
	in.Phone = f.Phone("phone", in.Phone, in.Channel == Portal)
	if in.Channel == Window {
		if in.Clerk == nil || in.Clerk.WindowID == 0 || in.Clerk.CentreID != in.CentreID {
			return Issued{}, apperr.New(apperr.Forbidden, "queue.not_your_window")
		}
	}
	if in.GroupID == 0 {
		f.Add("group", "error.required")
	}
	if err := f.Err(); err != nil {
		return Issued{}, err
	}
	now := s.Now().UTC()
	today := day(now)
	var out Issued
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		// Another centre's group is not offered here; a retired one says so.
		g, err := openGroup(ctx, tx, in.GroupID, in.CentreID)
		if err != nil {
			return err
		}
		if in.Channel == Portal {
			var no string
			err := tx.QueryRowContext(ctx, `SELECT no FROM queue_tickets WHERE phone = $1 AND day = $2 AND centre_id = $3
				AND state IN ('waiting','called','serving') ORDER BY id LIMIT 1`, in.Phone, today, in.CentreID).Scan(&no)
			if err == nil {
				f.Add("phone", "queue.phone_has_ticket", "No", no)
				return f.Err()
			} else if err != sql.ErrNoRows {
				return err
			}
		}
		var seq int
		if err := tx.QueryRowContext(ctx, `INSERT INTO queue_counters (group_id, day, last) VALUES ($1, $2, 1)
			ON CONFLICT (group_id, day) DO UPDATE SET last = queue_counters.last + 1 RETURNING last`, g.ID, today).Scan(&seq); err != nil {
			return err
		}
		if seq > MaxPerDay {
			return apperr.New(apperr.Conflict, "queue.group_full")
		}
		var clerk int64
		if in.Clerk != nil {
			clerk = in.Clerk.StaffID
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO queue_tickets (group_id, centre_id, day, seq, no, channel, phone, state, place_at, issued_at, issued_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, 'waiting', $8, $8, $9) RETURNING id`,
			g.ID, g.CentreID, today, seq, fmt.Sprintf("%s%03d", g.Prefix, seq), in.Channel, in.Phone, now, nullID(clerk)).Scan(&id); err != nil {
			return err
		}
		t, err := s.ticket(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := event(ctx, tx, t, "issue", 0, clerk, now); err != nil {
			return err
		}
		out.Ticket = t
		out.Ahead, err = ahead(ctx, tx, t)
		return err
	})
	if err != nil {
		return Issued{}, err
	}
	s.changed(in.CentreID)
	return out, nil
}

// ahead counts the waiting tickets before t in its group's line: earlier
// place (first issue time), ties by id.
func ahead(ctx context.Context, q store.Querier, t Ticket) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM queue_tickets WHERE group_id = $1 AND state = 'waiting' AND day = $2
		AND (place_at < $3 OR (place_at = $3 AND id < $4))`, t.GroupID, t.Day, t.PlaceAt, t.ID).Scan(&n)
	return n, err
}

// Status is a ticket as its holder sees it: its state, the window it is
// called to, and the people before it while it waits. Anyone holding the
// ticket's id and number may read it (the kiosk's slip and the portal's
// answer link to it); both must match, so ids cannot be walked.
func (s *Service) Status(ctx context.Context, id int64, no string) (Issued, error) {
	q := s.DB.Read()
	t, err := s.ticket(ctx, q, id)
	if err != nil || t.No != no {
		return Issued{}, apperr.NotFoundf("entity.ticket")
	}
	// The slip names the first row; after a transfer the holder is in the
	// other group's line under the same number.
	for hops := 0; t.State == Transferred && hops < 10; hops++ {
		next, err := s.tickets(ctx, q, "t.from_id = $1", t.ID)
		if err != nil {
			return Issued{}, err
		}
		if len(next) == 0 {
			break
		}
		t = next[0]
	}
	out := Issued{Ticket: t}
	if t.State == Waiting {
		out.Ahead, err = ahead(ctx, q, t)
	}
	return out, err
}
