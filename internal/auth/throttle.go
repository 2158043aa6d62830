package auth

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"onestop/internal/store"
)

// Throttle slows password guessing without handing the attacker a way to
// lock the owner out. Failures live in the database so every server process
// sees the same counts. Three counts, each with its own growing delay:
//
//   - Pair, one account from one address: the hard delay. The guesser's
//     own address waits longer and longer (up to 15 minutes).
//   - Account, one account from any address: a short, capped delay, so
//     guesses spread over many addresses still come slowly, while the
//     owner, typing from an address that has not failed, waits at most
//     that cap before the right password is accepted. From an address the
//     account signed in from within KnownFor it does not apply at all: a
//     guesser who keeps failing elsewhere cannot keep the owner waiting.
//   - Address, one address for any account (password spraying); capped
//     short too, because a hall's windows may share one NAT address.
//
// A refused attempt is not counted: waiting out the delay is all it takes.
// (OWASP ASVS 4.0 V2.2.1: anti-automation "without the possibility of
// account lockout being used for denial of service".)
type Throttle struct {
	DB      *store.DB
	Pair    Backoff
	Account Backoff
	Address Backoff
	// KnownFor is how long a successful sign-in exempts its address from
	// the account-wide delay (0: never).
	KnownFor time.Duration
}

// Backoff is a growing delay: after Free failures within Window the next
// attempt waits Base, then 2×Base, 4×Base … up to Cap, counted from the
// latest failure.
type Backoff struct {
	Free   int
	Base   time.Duration
	Cap    time.Duration
	Window time.Duration // at most a day: older failures are deleted
}

// Delay is the wait after n failures.
func (b Backoff) Delay(n int) time.Duration {
	if n < b.Free || b.Base <= 0 {
		return 0
	}
	d := b.Base
	for i := b.Free; i < n && d < b.Cap; i++ {
		d *= 2
	}
	return min(d, b.Cap)
}

// saturated is how many failures reach the cap; counting further changes
// nothing.
func (b Backoff) saturated() int {
	n := b.Free
	for b.Delay(n) < b.Cap && n < b.Free+64 {
		n++
	}
	return n + 1
}

// DefaultThrottle: the guessing address gets 3 free tries, then waits 1 s,
// 2 s, 4 s … up to 15 minutes; an account under attack from many
// addresses makes every address wait up to 30 s; one address failing on
// many accounts waits up to a minute after 30 failures.
func DefaultThrottle(db *store.DB) *Throttle {
	return &Throttle{DB: db,
		Pair:     Backoff{Free: 3, Base: time.Second, Cap: 15 * time.Minute, Window: 24 * time.Hour},
		Account:  Backoff{Free: 5, Base: time.Second, Cap: 30 * time.Second, Window: time.Hour},
		Address:  Backoff{Free: 30, Base: time.Second, Cap: time.Minute, Window: 15 * time.Minute},
		KnownFor: 30 * 24 * time.Hour,
	}
}

// Blocked reports whether a login for account from address must be refused
// now, and when it may be tried again.
func (t *Throttle) Blocked(ctx context.Context, account, address string, now time.Time) (bool, time.Time, error) {
	account = normAccount(account)
	known, err := t.known(ctx, account, address, now)
	if err != nil {
		return false, time.Time{}, err
	}
	accountWide := t.Account
	if known {
		accountWide = Backoff{}
	}
	var until time.Time
	for _, c := range []struct {
		where string
		args  []any
		b     Backoff
	}{
		{"account = $1 AND address = $2", []any{account, address}, t.Pair},
		{"account = $1", []any{account}, accountWide},
		{"address = $1", []any{address}, t.Address},
	} {
		u, err := t.until(ctx, c.where, c.args, c.b, now)
		if err != nil {
			return false, time.Time{}, err
		}
		if u.After(until) {
			until = u
		}
	}
	return until.After(now), until, nil
}

func (t *Throttle) known(ctx context.Context, account, address string, now time.Time) (bool, error) {
	if t.KnownFor <= 0 {
		return false, nil
	}
	var n int
	err := t.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM login_known WHERE account = $1 AND address = $2 AND at > $3`,
		account, address, now.Add(-t.KnownFor).UTC()).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("throttle: %w", err)
	}
	return n > 0, nil
}

// until is when the delay of one count ends.
func (t *Throttle) until(ctx context.Context, where string, args []any, b Backoff, now time.Time) (time.Time, error) {
	if b.Base <= 0 {
		return time.Time{}, nil
	}
	n := len(args)
	q := fmt.Sprintf(`SELECT at FROM login_failures WHERE %s AND at > $%d ORDER BY at DESC LIMIT $%d`, where, n+1, n+2)
	rows, err := t.DB.Read().QueryContext(ctx, q, append(args, now.Add(-b.Window).UTC(), b.saturated())...)
	if err != nil {
		return time.Time{}, fmt.Errorf("throttle: %w", err)
	}
	defer rows.Close()
	var latest time.Time
	count := 0
	for rows.Next() {
		var at time.Time
		if err := rows.Scan(&at); err != nil {
			return time.Time{}, fmt.Errorf("throttle: %w", err)
		}
		if count == 0 {
			latest = at
		}
		count++
	}
	if err := rows.Err(); err != nil {
		return time.Time{}, fmt.Errorf("throttle: %w", err)
	}
	if d := b.Delay(count); d > 0 {
		return latest.Add(d), nil
	}
	return time.Time{}, nil
}

// Fail records a failed login.
func (t *Throttle) Fail(ctx context.Context, account, address string, now time.Time) error {
	// The failure is committed on its own: a cleanup that fails (or a
	// guesser hanging up meanwhile) must not take the mark back with it.
	if _, err := t.DB.Exec(ctx, `INSERT INTO login_failures (account, address, at) VALUES ($1, $2, $3)`, normAccount(account), address, now.UTC()); err != nil {
		return fmt.Errorf("throttle: %w", err)
	}
	// Keep the table small: old failures no longer count.
	_, err := t.DB.Exec(ctx, `DELETE FROM login_failures WHERE at < $1`, now.Add(-24*time.Hour).UTC())
	return err
}

// Succeed forgets the failures of the owner's own address after a correct
// password and remembers the address as known. Failures from other
// addresses stay: the owner signing in must not give a guesser elsewhere a
// fresh set of tries.
func (t *Throttle) Succeed(ctx context.Context, account, address string, now time.Time) error {
	account = normAccount(account)
	// A success is on the public progress query's hot path: the owner back
	// again, with no failures to forgive and a fresh mark, writes nothing.
	// Three autocommits per query cut its rate to a third (bench --quick:
	// 2 790-3 092 → 889-949 requests/s on SQLite).
	var failures, fresh int
	err := t.DB.Read().QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM login_failures WHERE account = $1 AND address = $2),
		(SELECT COUNT(*) FROM login_known WHERE account = $1 AND address = $2 AND at > $3)`,
		account, address, now.Add(-knownRefresh).UTC()).Scan(&failures, &fresh)
	if err != nil {
		return fmt.Errorf("throttle: %w", err)
	}
	if failures == 0 && (t.KnownFor <= 0 || fresh > 0) {
		return nil
	}
	return t.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE account = $1 AND address = $2`, account, address); err != nil {
			return fmt.Errorf("throttle: %w", err)
		}
		if t.KnownFor <= 0 {
			return nil
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO login_known (account, address, at) VALUES ($1, $2, $3)
			ON CONFLICT (account, address) DO UPDATE SET at = excluded.at`, account, address, now.UTC())
		if err != nil {
			return fmt.Errorf("throttle: %w", err)
		}
		// Old entries no longer exempt anyone.
		_, err = tx.ExecContext(ctx, `DELETE FROM login_known WHERE at < $1`, now.Add(-t.KnownFor).UTC())
		return err
	})
}

// knownRefresh is how old an address's "signed in here" mark may grow
// before a success renews it; marks last KnownFor (days), so an hour's
// staleness changes nothing a user would notice.
const knownRefresh = time.Hour

func normAccount(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
