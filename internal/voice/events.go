package voice

import (
	"context"
	"fmt"
	"time"

	"onestop/internal/org"
	"onestop/internal/store"
)

// Steps on an enquiry's record.
const (
	ActFile       = "file"        // filed by the asker (or for them at a window)
	ActAnswer     = "answer"      // staff replied
	ActRefer      = "refer"       // supervision turned a complaint into a correction order
	ActConfirm    = "confirm"     // the asker read the reply and closed it
	ActClose      = "close"       // staff closed it after the reply
	ActOrderReply = "order_reply" // the department replied on the order
	RoleAsker     = "asker"
	RoleSystem    = "system"
	actorAsker    = "asker"
	actorSystem   = "system"
)

// Actor is who took a step, as the record keeps it.
type Actor struct {
	StaffID int64
	Name    string
	Role    string
}

// staffActor is a staff member as the record names them.
func staffActor(a org.Actor) Actor {
	return Actor{StaffID: a.StaffID, Name: a.Name, Role: string(a.Role)}
}

// Event is one step on an enquiry's record.
type Event struct {
	At      time.Time `json:"at"`
	ActorID int64     `json:"actor_id,omitempty"`
	Actor   string    `json:"actor"`
	Role    string    `json:"role"`
	Action  string    `json:"action"`
	Text    string    `json:"text,omitempty"`
}

func event(ctx context.Context, q store.Querier, id int64, now time.Time, a Actor, action, text string) error {
	name := a.Name
	switch {
	case name == "" && a.Role == RoleAsker:
		name = actorAsker
	case name == "":
		name = actorSystem
	}
	if _, err := q.ExecContext(ctx, `INSERT INTO enquiry_events (enquiry_id, at, actor_id, actor, role, action, text) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
		id, now.UTC(), store.NullID(a.StaffID), name, a.Role, action, text); err != nil {
		return fmt.Errorf("enquiry event: %w", err)
	}
	return nil
}

// events reads an enquiry's record, oldest first.
func events(ctx context.Context, q store.Querier, id int64) ([]Event, error) {
	rows, err := q.QueryContext(ctx, `SELECT at, COALESCE(actor_id, 0), actor, role, action, text FROM enquiry_events WHERE enquiry_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var ev Event
		if err := rows.Scan(&ev.At, &ev.ActorID, &ev.Actor, &ev.Role, &ev.Action, &ev.Text); err != nil {
			return nil, err
		}
		ev.At = ev.At.UTC()
		out = append(out, ev)
	}
	return out, rows.Err()
}
