package queue

import (
	"context"
	"time"
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
