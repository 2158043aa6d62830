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
type SessionStore struct{ DB *store.DB }

func (s SessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var data []byte
	err := s.DB.R.QueryRowContext(ctx, `SELECT data FROM sessions WHERE token = $1 AND expiry > $2`, token, time.Now().UTC()).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	return data, err == nil, err
}

func (s SessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	_, err := s.DB.W.ExecContext(ctx, `INSERT INTO sessions (token, data, expiry) VALUES ($1, $2, $3)
		ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`, token, b, expiry.UTC())
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
