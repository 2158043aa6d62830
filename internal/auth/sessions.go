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
	// Owner reads whose a session is from its encoded data, so the row can
	// be found again when that account's password changes (EndSessions).
	// Nil: sessions are saved without an owner.
	Owner func(data []byte) SessionOwner
}

// SessionOwner is who signed in on a session: a staff member, an applicant
// (a person may be both in one browser), or neither (0).
type SessionOwner struct {
	StaffID, ApplicantID int64
}

func (s SessionStore) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

const sessionFind = `SELECT data, seen_at FROM sessions WHERE token = $1 AND expiry > $2 AND ended_at IS NULL`

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
			if _, err := s.DB.Exec(ctx, `UPDATE sessions SET seen_at = $1 WHERE token = $2`, now, token); err != nil {
				return nil, false, err
			}
		}
	}
	return data, true, nil
}

func (s SessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	var o SessionOwner
	if s.Owner != nil {
		o = s.Owner(b)
	}
	_, err := s.DB.Exec(ctx, `INSERT INTO sessions (token, data, expiry, seen_at, staff_id, applicant_id) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry, seen_at = excluded.seen_at,
		staff_id = excluded.staff_id, applicant_id = excluded.applicant_id WHERE sessions.ended_at IS NULL`, token, b, expiry.UTC(), s.now(), store.NullID(o.StaffID), store.NullID(o.ApplicantID))
	return err
}

// EndStaffSessions ends every session a staff member is signed in on:
// after a password change or reset, whoever knew the old password is out
// (OWASP ASVS 4.0 V3.3.3). The rows are marked rather than deleted, so a
// request of such a session still running cannot save it back (CommitCtx
// leaves ended rows alone); the sweep deletes them. The caller that
// changed its own password starts a fresh session (scs RenewToken).
func EndStaffSessions(ctx context.Context, tx store.Querier, staffID int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE sessions SET ended_at = $1 WHERE staff_id = $2 AND ended_at IS NULL`, now.UTC(), staffID)
	return err
}

// EndApplicantSessions is EndStaffSessions for an applicant's account.
func EndApplicantSessions(ctx context.Context, tx store.Querier, applicantID int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE sessions SET ended_at = $1 WHERE applicant_id = $2 AND ended_at IS NULL`, now.UTC(), applicantID)
	return err
}

func (s SessionStore) DeleteCtx(ctx context.Context, token string) error {
	_, err := s.DB.Exec(ctx, `DELETE FROM sessions WHERE token = $1`, token)
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

// Sweep deletes expired sessions, and ended ones once no request that
// began before the end can still be running; the server calls it now and
// then.
func (s SessionStore) Sweep(ctx context.Context, now time.Time) error {
	_, err := s.DB.Exec(ctx, `DELETE FROM sessions WHERE expiry < $1 OR ended_at < $2`, now.UTC(), now.Add(-time.Hour).UTC())
	return err
}
