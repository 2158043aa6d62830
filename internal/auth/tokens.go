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

// NewToken creates a token for a staff account and returns it in clear once.
func NewToken(ctx context.Context, tx store.Querier, staffID int64, name string, now time.Time) (string, error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	tok := TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	_, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (staff_id, token_hash, name, created_at) VALUES ($1, $2, $3, $4)`,
		staffID, hashToken(tok), name, now.UTC())
	if err != nil {
		return "", fmt.Errorf("create token: %w", err)
	}
	return tok, nil
}

// TokenStaff returns the staff id a live token acts for, or 0.
func TokenStaff(ctx context.Context, db *store.DB, tok string) (int64, error) {
	var id int64
	err := db.R.QueryRowContext(ctx, `SELECT staff_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL`, hashToken(tok)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
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
