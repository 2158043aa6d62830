package queue

import (
	"context"
	"database/sql"
	"time"

	"onestop/internal/apperr"
)

// Screen is what the hall's screen shows (/queue/screen/{centre}): the
// tickets being called, the newest first, and the line of each group. It
// carries nothing of a person beyond the ticket number and the window.
type Screen struct {
	Calls  []Call        `json:"calls"`
	Groups []GroupCounts `json:"groups"`
}

// Call is a ticket called to a window.
type Call struct {
	No       string    `json:"no"`
	Window   string    `json:"window"`
	Group    string    `json:"group"`
	CalledAt time.Time `json:"called_at"`
	Calls    int       `json:"calls"`
	Serving  bool      `json:"serving"`
}

// GroupCounts is one group's line.
type GroupCounts struct {
	Prefix  string `json:"prefix"`
	Name    string `json:"name"`
	Waiting int    `json:"waiting"`
}

// MaxScreenCalls bounds the calls the screen lists.
const MaxScreenCalls = 8

// Screen reads the centre's screen for today.
func (s *Service) Screen(ctx context.Context, centreID int64) (Screen, error) {
	today := day(s.Now())
	sc := Screen{Calls: []Call{}, Groups: []GroupCounts{}}
	ts, err := s.tickets(ctx, s.DB.Read(), `t.centre_id = $1 AND t.day = $2 AND t.state IN ('called','serving')
		ORDER BY t.called_at DESC, t.id DESC LIMIT 8`, centreID, today)
	if err != nil {
		return sc, err
	}
	for _, t := range ts {
		sc.Calls = append(sc.Calls, Call{No: t.No, Window: t.WindowNumber, Group: t.Group, CalledAt: *t.CalledAt, Calls: t.Calls, Serving: t.State == Serving})
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT g.prefix, g.name, COUNT(t.id) FROM queue_groups g
		LEFT JOIN queue_tickets t ON t.group_id = g.id AND t.state = 'waiting' AND t.day = $2
		WHERE g.centre_id = $1 AND g.retired_at IS NULL GROUP BY g.id, g.prefix, g.name, g.position ORDER BY g.position, g.prefix`, centreID, today)
	if err != nil {
		return sc, err
	}
	defer rows.Close()
	for rows.Next() {
		var g GroupCounts
		if err := rows.Scan(&g.Prefix, &g.Name, &g.Waiting); err != nil {
			return sc, err
		}
		sc.Groups = append(sc.Groups, g)
	}
	return sc, rows.Err()
}

// Centre is a centre as the public queue pages name it.
type Centre struct {
	ID   int64
	Code string
	Name string
}

// CentreByCode finds a centre by its code for the public queue pages
// (the kiosk, the portal, the hall screen); "not found" when unknown.
func (s *Service) CentreByCode(ctx context.Context, code string) (Centre, error) {
	var c Centre
	err := s.DB.Read().QueryRowContext(ctx, `SELECT id, code, name FROM centres WHERE code = $1`, code).Scan(&c.ID, &c.Code, &c.Name)
	if err == sql.ErrNoRows {
		return c, apperr.NotFoundf("entity.centre")
	}
	return c, err
}

// Centres lists the centres that have queue groups, for the portal.
func (s *Service) Centres(ctx context.Context) ([]Centre, error) {
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT c.id, c.code, c.name FROM centres c
		WHERE EXISTS (SELECT 1 FROM queue_groups g WHERE g.centre_id = c.id AND g.retired_at IS NULL) ORDER BY CASE c.kind WHEN 'hall' THEN 0 ELSE 1 END, c.code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Centre
	for rows.Next() {
		var c Centre
		if err := rows.Scan(&c.ID, &c.Code, &c.Name); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
