package org

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Dated history (migration 00035): a setting that a past period must be
// read by as it stood then — a department's head, a centre's required
// duty days — appends a row (key, value, from_at) on every change. The
// value at an instant is the newest row from before it; a key with no row
// has never changed, so its current column is the value. AppendDated
// writes, DatedAt reads: the one rule for both tables.

// historyStart dates the value a key had before its first recorded
// change: older than any record OneStop keeps.
var historyStart = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// AppendDated records that table's value for key became after at instant
// at (by: who). before is the value until then; on the key's first change
// it is written first, dated historyStart, so earlier instants keep
// reading it. Table and column names are code, never user text.
func AppendDated(ctx context.Context, tx *sql.Tx, table, keyCol, valCol string, key int64, before, after any, at time.Time, by int64) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table+` WHERE `+keyCol+` = $1`, key).Scan(&n); err != nil {
		return fmt.Errorf("%s: %w", table, err)
	}
	ins := `INSERT INTO ` + table + ` (` + keyCol + `, ` + valCol + `, from_at, set_by) VALUES ($1, $2, $3, $4)`
	if n == 0 {
		if _, err := tx.ExecContext(ctx, ins, key, before, historyStart, nil); err != nil {
			return fmt.Errorf("%s: %w", table, err)
		}
	}
	if _, err := tx.ExecContext(ctx, ins, key, after, at, nullID(by)); err != nil {
		return fmt.Errorf("%s: %w", table, err)
	}
	return nil
}

// DatedAt is the SQL expression for table's value of the row whose key is
// keyExpr at the instant bound as atArg (a placeholder), with current
// (the live column) for a key that never changed.
func DatedAt(table, keyCol, valCol, keyExpr, current, atArg string) string {
	return `(CASE WHEN EXISTS (SELECT 1 FROM ` + table + ` hx WHERE hx.` + keyCol + ` = ` + keyExpr + `)
		THEN (SELECT hy.` + valCol + ` FROM ` + table + ` hy WHERE hy.` + keyCol + ` = ` + keyExpr + ` AND hy.from_at < ` + atArg + `
			ORDER BY hy.from_at DESC, hy.id DESC LIMIT 1)
		ELSE ` + current + ` END)`
}
