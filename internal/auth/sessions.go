package auth

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"onestop/internal/store"
)

// SessionStore keeps scs sessions in our own database (table sessions), so
// several server processes share them and a restart logs nobody out. It
// implements scs.CtxStore.
//
// The idle timeout lives here rather than in scs: scs would rewrite the
// session on every request to move its expiry, a durable commit per page
// view. The store instead notes when a session was last seen and refreshes
// that note at most once per Touch, so an idle session ends between Idle
// and Idle+Touch after its last request.
type SessionStore struct {
	DB    *store.DB
	Idle  time.Duration // 0: no idle timeout
	Touch time.Duration // how stale seen_at may get before it is rewritten
	Now   func() time.Time
}

func (s SessionStore) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

const sessionFind = `SELECT data, seen_at FROM sessions WHERE token = $1 AND expiry > $2`

func (s SessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var data []byte
	var seen *time.Time
	now := s.now()
	err := s.DB.Read().QueryRowContext(ctx, sessionFind, token, now).Scan(&data, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if s.Idle > 0 && seen != nil {
		if now.Sub(*seen) > s.Idle {
			return nil, false, nil
		}
		if now.Sub(*seen) > s.Touch {
			if _, err := s.DB.W.ExecContext(ctx, `UPDATE sessions SET seen_at = $1 WHERE token = $2`, now, token); err != nil {
				return nil, false, err
			}
		}
	}
	return data, true, nil
}

func (s SessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	_, err := s.DB.W.ExecContext(ctx, `INSERT INTO sessions (token, data, expiry, seen_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry, seen_at = excluded.seen_at`, token, b, expiry.UTC(), s.now())
	return err
}

func (s SessionStore) DeleteCtx(ctx context.Context, token string) error {
	_, err := s.DB.W.ExecContext(ctx, `DELETE FROM sessions WHERE token = $1`, token)
	return err
}

// The context-free methods scs also requires.
func (s SessionStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}
func (s SessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}
func (s SessionStore) Delete(token string) error { return s.DeleteCtx(context.Background(), token) }

// Sweep deletes expired sessions; the server calls it now and then.
func (s SessionStore) Sweep(ctx context.Context, now time.Time) error {
	_, err := s.DB.W.ExecContext(ctx, `DELETE FROM sessions WHERE expiry < $1`, now.UTC())
	return err
}
