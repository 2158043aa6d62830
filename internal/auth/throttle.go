package auth

import (
	"context"
	"fmt"
	"strings"
	"time"

	"onestop/internal/store"
)

// Throttle limits failed logins per account and per client address. Failures
// live in the database so every server process sees the same count.
type Throttle struct {
	DB         *store.DB
	Window     time.Duration // how far back failures count
	PerAccount int           // failures per account within Window before it is locked
	PerAddress int           // failures per address within Window
}

// DefaultThrottle: 5 wrong passwords lock an account for 15 minutes; one
// address gets 30 tries (a hall's windows may share one NAT address).
func DefaultThrottle(db *store.DB) *Throttle {
	return &Throttle{DB: db, Window: 15 * time.Minute, PerAccount: 5, PerAddress: 30}
}

// Blocked reports whether a login for account from address must be refused
// now, and when it may be tried again.
func (t *Throttle) Blocked(ctx context.Context, account, address string, now time.Time) (bool, time.Time, error) {
	since := now.Add(-t.Window).UTC()
	for _, c := range []struct {
		col, val string
		limit    int
	}{{"account", normAccount(account), t.PerAccount}, {"address", address, t.PerAddress}} {
		var n int
		err := t.DB.R.QueryRowContext(ctx, fmt.Sprintf(`SELECT COUNT(*) FROM login_failures WHERE %s = $1 AND at > $2`, c.col), c.val, since).Scan(&n)
		if err != nil {
			return false, time.Time{}, fmt.Errorf("throttle: %w", err)
		}
		if n < c.limit {
			continue
		}
		// The limit-th newest failure decides when the block lifts.
		var at time.Time
		err = t.DB.R.QueryRowContext(ctx, fmt.Sprintf(`SELECT at FROM login_failures WHERE %s = $1 AND at > $2 ORDER BY at DESC LIMIT 1 OFFSET $3`, c.col),
			c.val, since, c.limit-1).Scan(&at)
		if err != nil {
			return false, time.Time{}, fmt.Errorf("throttle: %w", err)
		}
		return true, at.Add(t.Window), nil
	}
	return false, time.Time{}, nil
}

// Fail records a failed login.
func (t *Throttle) Fail(ctx context.Context, account, address string, now time.Time) error {
	_, err := t.DB.W.ExecContext(ctx, `INSERT INTO login_failures (account, address, at) VALUES ($1, $2, $3)`, normAccount(account), address, now.UTC())
	if err != nil {
		return fmt.Errorf("throttle: %w", err)
	}
	// Keep the table small: old failures no longer count.
	_, err = t.DB.W.ExecContext(ctx, `DELETE FROM login_failures WHERE at < $1`, now.Add(-24*time.Hour).UTC())
	return err
}

// Succeed forgets an account's failures after a correct password.
func (t *Throttle) Succeed(ctx context.Context, account string) error {
	_, err := t.DB.W.ExecContext(ctx, `DELETE FROM login_failures WHERE account = $1`, normAccount(account))
	return err
}

func normAccount(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
