// Package audit writes and reads the administrative audit log: who changed
// what, when, from where, and the record before and after the change.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"onestop/internal/store"
)

// Who is the person behind a change.
type Who struct {
	StaffID      int64
	Name         string
	Role         string
	Address      string
	CentreID     int64
	DepartmentID int64
}

// Entry is one row of the log.
type Entry struct {
	ID           int64     `json:"id"`
	At           time.Time `json:"at"`
	ActorID      int64     `json:"actor_id,omitempty"`
	Actor        string    `json:"actor"`
	Role         string    `json:"role"`
	Address      string    `json:"address"`
	Action       string    `json:"action"`
	Entity       string    `json:"entity"`
	EntityID     string    `json:"entity_id"`
	CentreID     int64     `json:"centre_id,omitempty"`
	DepartmentID int64     `json:"department_id,omitempty"`
	Before       string    `json:"before"`
	After        string    `json:"after"`
}

// Write appends an entry inside the caller's transaction, so the change and
// its record commit or fail together. before/after are marshalled to JSON;
// nil gives an empty string. centreID/departmentID place the entry in a scope
// so a township or department admin can browse their own entries.
func Write(ctx context.Context, tx store.Querier, now time.Time, who Who, action, entity, entityID string, centreID, departmentID int64, before, after any) error {
	b, err := marshal(before)
	if err != nil {
		return err
	}
	a, err := marshal(after)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_log (at, actor_id, actor, role, address, action, entity, entity_id, centre_id, department_id, before, after)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		now.UTC(), store.NullID(who.StaffID), who.Name, who.Role, who.Address, action, entity, entityID, store.NullID(centreID), store.NullID(departmentID), b, a)
	if err != nil {
		return fmt.Errorf("audit write: %w", err)
	}
	return nil
}

func marshal(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("audit marshal: %w", err)
	}
	return string(b), nil
}

// Filter narrows a listing. Zero values mean "any". CentreID/DepartmentID
// restrict to a scope (set by the caller from the viewer's rights).
type Filter struct {
	Entity       string
	Actor        string
	From, To     time.Time
	CentreID     int64
	DepartmentID int64
	Limit        int
	Offset       int
}

// List returns entries newest first and the total matching.
func List(ctx context.Context, q store.Querier, f Filter) ([]Entry, int, error) {
	var w store.Where
	if f.Entity != "" {
		w.Add("entity = ?", f.Entity)
	}
	if f.Actor != "" {
		w.Add("actor = ?", f.Actor)
	}
	if !f.From.IsZero() {
		w.Add("at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		w.Add("at < ?", f.To.UTC())
	}
	if f.CentreID != 0 {
		w.Add("centre_id = ?", f.CentreID)
	}
	if f.DepartmentID != 0 {
		w.Add("department_id = ?", f.DepartmentID)
	}
	cond := w.String()
	var total int
	if err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log"+cond, w.Args()...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("audit count: %w", err)
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	page := fmt.Sprintf(`SELECT id, at, COALESCE(actor_id, 0), actor, role, address, action, entity, entity_id,
		COALESCE(centre_id, 0), COALESCE(department_id, 0), before, after FROM audit_log%s ORDER BY id DESC LIMIT %s OFFSET %s`,
		cond, w.Bind(limit), w.Bind(max(f.Offset, 0)))
	rows, err := q.QueryContext(ctx, page, w.Args()...)
	if err != nil {
		return nil, 0, fmt.Errorf("audit list: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		if err := rows.Scan(&e.ID, &e.At, &e.ActorID, &e.Actor, &e.Role, &e.Address, &e.Action, &e.Entity, &e.EntityID,
			&e.CentreID, &e.DepartmentID, &e.Before, &e.After); err != nil {
			return nil, 0, fmt.Errorf("audit scan: %w", err)
		}
		out = append(out, e)
	}
	return out, total, rows.Err()
}
