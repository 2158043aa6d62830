package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"onestop/internal/store"
)

// API tokens let window terminals and other systems act as a staff member.
// Only a SHA-256 of the token is stored: a leaked database gives no tokens.

// TokenPrefix marks OneStop tokens so they are recognisable in a leak scan.
const TokenPrefix = "ost_"

// A token lives DefaultTokenLife unless its owner picks otherwise, and never
// longer than MaxTokenLife: a token forgotten on a retired terminal stops
// working by itself.
const (
	DefaultTokenLife = 90 * 24 * time.Hour
	MaxTokenLife     = 365 * 24 * time.Hour
)

const tokenTouch = 5 * time.Minute

// Token is one API token as its owner sees it (never the secret itself).
type Token struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// Live reports whether the token is still accepted at now.
func (t Token) Live(now time.Time) bool { return t.RevokedAt == nil && now.Before(t.ExpiresAt) }

// NewToken creates a token for a staff account and returns it in clear once.
// life is clamped to (0, MaxTokenLife]; 0 means DefaultTokenLife.
func NewToken(ctx context.Context, tx store.Querier, staffID int64, name string, now time.Time, life time.Duration) (string, error) {
	if life <= 0 {
		life = DefaultTokenLife
	}
	life = min(life, MaxTokenLife)
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	tok := TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	_, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (staff_id, token_hash, name, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		staffID, hashToken(tok), name, now.UTC(), now.Add(life).UTC())
	if err != nil {
		return "", fmt.Errorf("create token: %w", err)
	}
	return tok, nil
}

// TokenStaff returns the staff id a live token acts for, or 0 for an
// unknown, revoked or expired token.
func TokenStaff(ctx context.Context, db *store.DB, tok string, now time.Time) (int64, error) {
	var id, tokenID int64
	var created time.Time
	var expires, used *time.Time
	err := db.Read().QueryRowContext(ctx, `SELECT id, staff_id, created_at, expires_at, last_used_at FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL`,
		hashToken(tok)).Scan(&tokenID, &id, &created, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if !now.Before(expiryOf(created, expires)) {
		return 0, nil
	}
	// "Last used" lets the owner spot a token nobody needs any more; it is
	// written at most every few minutes, not on every API call.
	if used == nil || now.Sub(*used) > tokenTouch {
		if _, err := db.Exec(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, now.UTC(), tokenID); err != nil {
			return 0, err
		}
	}
	return id, nil
}

func expiryOf(created time.Time, expires *time.Time) time.Time {
	if expires != nil {
		return *expires
	}
	return created.Add(MaxTokenLife)
}

// Tokens lists a staff member's tokens, newest first, revoked and expired
// ones included so the owner sees what ended and when.
func Tokens(ctx context.Context, q store.Querier, staffID int64) ([]Token, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, name, created_at, expires_at, last_used_at, revoked_at FROM api_tokens
		WHERE staff_id = $1 ORDER BY created_at DESC, id DESC`, staffID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Token{}
	for rows.Next() {
		var t Token
		var expires *time.Time
		if err := rows.Scan(&t.ID, &t.Name, &t.CreatedAt, &expires, &t.LastUsedAt, &t.RevokedAt); err != nil {
			return nil, err
		}
		t.ExpiresAt = expiryOf(t.CreatedAt, expires)
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken revokes one token of a staff member. It reports false when
// that staff member has no such live token: another person's token id is
// indistinguishable from one that does not exist.
func RevokeToken(ctx context.Context, tx store.Querier, staffID, tokenID int64, now time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND staff_id = $3 AND revoked_at IS NULL`,
		now.UTC(), tokenID, staffID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// RevokeTokens revokes every token of a staff account.
func RevokeTokens(ctx context.Context, tx store.Querier, staffID int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE staff_id = $2 AND revoked_at IS NULL`, now.UTC(), staffID)
	return err
}

func hashToken(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}
