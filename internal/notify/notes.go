package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"onestop/internal/store"
)

// A staff note is an in-app message on the staff member's bell page; a
// copy goes by e-mail when they have an address.
type Note struct {
	ID        int64
	CaseNo    string
	Key       string
	Params    map[string]any
	CreatedAt time.Time
	ReadAt    *time.Time
}

// TellStaff writes a note for one staff member inside q and queues the
// e-mail copy. caseID may be 0.
func TellStaff(ctx context.Context, q store.Querier, staffID, caseID int64, region, key string, params map[string]any, now time.Time) error {
	b, err := json.Marshal(params)
	if err != nil {
		return err
	}
	if _, err := q.ExecContext(ctx, `INSERT INTO staff_notes (staff_id, case_id, template_key, params, created_at) VALUES ($1,$2,$3,$4,$5)`,
		staffID, store.NullID(caseID), key, string(b), now.UTC()); err != nil {
		return fmt.Errorf("staff note: %w", err)
	}
	var email string
	if err := q.QueryRowContext(ctx, `SELECT email FROM staff WHERE id = $1`, staffID).Scan(&email); err != nil {
		return fmt.Errorf("staff note: %w", err)
	}
	if email == "" {
		return nil
	}
	return QueueMsg(ctx, q, Msg{Channel: Email, To: email, Key: key, Params: params, Region: region}, now)
}

// Notes lists a staff member's notes, newest first, at most limit.
func Notes(ctx context.Context, db *store.DB, staffID int64, limit int) ([]Note, error) {
	rows, err := db.Read().QueryContext(ctx, `SELECT n.id, COALESCE(c.no, ''), n.template_key, n.params, n.created_at, n.read_at
		FROM staff_notes n LEFT JOIN cases c ON c.id = n.case_id WHERE n.staff_id = $1 ORDER BY n.id DESC LIMIT $2`, staffID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Note
	for rows.Next() {
		var n Note
		var params string
		if err := rows.Scan(&n.ID, &n.CaseNo, &n.Key, &params, &n.CreatedAt, &n.ReadAt); err != nil {
			return nil, err
		}
		if params != "" {
			_ = json.Unmarshal([]byte(params), &n.Params)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// Unread counts a staff member's unread notes (the bell's number).
func Unread(ctx context.Context, db *store.DB, staffID int64) (int, error) {
	var n int
	err := db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM staff_notes WHERE staff_id = $1 AND read_at IS NULL`, staffID).Scan(&n)
	return n, err
}

// MarkRead marks every note of the staff member read: only their own.
func MarkRead(ctx context.Context, db *store.DB, staffID int64, now time.Time) error {
	_, err := db.Exec(ctx, `UPDATE staff_notes SET read_at = $1 WHERE staff_id = $2 AND read_at IS NULL`, now.UTC(), staffID)
	return err
}
