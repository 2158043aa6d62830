package catalogue

import (
	"context"
	"database/sql"
	"time"

	"onestop/internal/audit"
)

// CreateIn creates an item inside the caller's transaction with the same
// rules as Create, for bulk loaders (the demo county) that must not commit
// item by item. The caller has already checked the actor's rights.
func (s *Service) CreateIn(ctx context.Context, tx *sql.Tx, who audit.Who, code string, c Content, note string, now time.Time) (int64, error) {
	return s.create(ctx, tx, who, code, c, note, now)
}

// CancelIn records an item cancelled on a given day with its reason, inside
// the caller's transaction (the yearly clean-up's history).
func (s *Service) CancelIn(ctx context.Context, tx *sql.Tx, who audit.Who, id int64, on time.Time, reason string, now time.Time) error {
	if err := writeStatus(ctx, tx, id, Cancelled, reason, on, now); err != nil {
		return err
	}
	return audit.Write(ctx, tx, now, who, Cancelled, "item", itoa(int(id)), 0, 0, nil, map[string]string{"reason": reason})
}

// CreateCompositeIn creates a composite inside the caller's transaction.
func (s *Service) CreateCompositeIn(ctx context.Context, tx *sql.Tx, who audit.Who, in CompositeInput, now time.Time) (string, error) {
	return s.createComposite(ctx, tx, who, in, now)
}

// writeStatus is the one statement that changes an item's status; on is
// the day it was cancelled, or nil.
func writeStatus(ctx context.Context, tx *sql.Tx, id int64, status, reason string, on any, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE items SET status = $1, status_reason = $2, cancelled_on = $3, updated_at = $4 WHERE id = $5`,
		status, reason, on, now, id)
	return err
}
