// Package testutil gives tests a real database: a fresh SQLite file, or a
// fresh schema on the PostgreSQL named by ONESTOP_TEST_POSTGRES.
package testutil

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"onestop/internal/store"
)

// PostgresURL is the server the PostgreSQL half of the suite runs on.
func PostgresURL() string { return os.Getenv("ONESTOP_TEST_POSTGRES") }

// NewTestDB opens a migrated, empty database for one test and removes it
// afterwards.
func NewTestDB(t testing.TB) *store.DB {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	dbURL := ""
	if base := PostgresURL(); base != "" {
		dbURL = NewPostgresSchema(t, base)
	}
	db, err := store.Open(ctx, dir, dbURL)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate test database: %v", err)
	}
	return db
}

// NewPostgresSchema creates an empty schema on base and returns a URL whose
// search_path points at it; the schema is dropped when the test ends.
func NewPostgresSchema(t testing.TB, base string) string {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		_, _ = a.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse ONESTOP_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
