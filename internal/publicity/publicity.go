// Package publicity lists recent cases for the public (办件公示): number,
// item, department, the applicant masked, state and dates. The masking is
// the applicants package's (docs/DOMAIN.md §9): a person is shown as the
// surname and one "*" per other character, an organisation by its full
// name; ID numbers and phones are never read by this package at all.
package publicity

import (
	"context"
	"time"

	"onestop/internal/applicants"
	"onestop/internal/store"
)

// Window is how far back the publicity reaches: recent cases, not an
// archive anyone can page through for years.
const Window = 90 * 24 * time.Hour

// Case is one line of the publicity.
type Case struct {
	No          string     `json:"no"`
	Item        string     `json:"item"`
	ItemCode    string     `json:"item_code"`
	Department  string     `json:"department"`
	Applicant   string     `json:"applicant"` // masked
	State       string     `json:"state"`
	ReceivedAt  time.Time  `json:"received_at"`
	DecidedAt   *time.Time `json:"decided_at,omitempty"`
	CompletedAt *time.Time `json:"completed_at,omitempty"`
}

// Filter narrows the list; zero values mean no narrowing (the list is
// public as a whole, so nothing here widens what anyone sees).
type Filter struct {
	DepartmentID  int64
	ItemCode      string
	Limit, Offset int
}

// List returns the recent cases, newest first, and how many there are.
func List(ctx context.Context, db *store.DB, now time.Time, f Filter) ([]Case, int, error) {
	var w store.Where
	w.Add("c.received_at >= ?", now.Add(-Window).UTC())
	if f.DepartmentID != 0 {
		w.Add("c.department_id = ?", f.DepartmentID)
	}
	if f.ItemCode != "" {
		w.Add("i.code = ?", f.ItemCode)
	}
	const from = ` FROM cases c JOIN items i ON i.id = c.item_id JOIN item_versions v ON v.id = c.item_version_id
		JOIN departments d ON d.id = c.department_id JOIN applicants a ON a.id = c.applicant_id`
	q := db.Read()
	var total int
	if err := q.QueryRowContext(ctx, "SELECT COUNT(*)"+from+w.String(), w.Args()...).Scan(&total); err != nil {
		return nil, 0, err
	}
	page := " ORDER BY c.received_at DESC, c.id DESC LIMIT " + w.Bind(f.Limit) + " OFFSET " + w.Bind(f.Offset)
	rows, err := q.QueryContext(ctx, `SELECT c.no, v.name, i.code, d.name, a.kind, a.name, c.state, c.received_at, c.decided_at, c.completed_at`+
		from+w.String()+page, w.Args()...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []Case{}
	for rows.Next() {
		var c Case
		var who applicants.Applicant
		if err := rows.Scan(&c.No, &c.Item, &c.ItemCode, &c.Department, &who.Kind, &who.Name, &c.State, &c.ReceivedAt, &c.DecidedAt, &c.CompletedAt); err != nil {
			return nil, 0, err
		}
		c.Applicant = who.Masked().Name
		out = append(out, c)
	}
	return out, total, rows.Err()
}
