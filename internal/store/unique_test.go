package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"testing"

	"onestop/internal/store"
	"onestop/internal/testutil"
)

// A real violation of each kind of key, on whichever engine the test runs
// on, is recognised and names its columns; other errors are not.
func TestUniqueViolation(t *testing.T) {
	db := testutil.NewTestDB(t)
	ctx := context.Background()
	for _, ddl := range []string{
		`CREATE TABLE uniq_probe (id INTEGER PRIMARY KEY, a TEXT NOT NULL UNIQUE, b INTEGER NOT NULL, c INTEGER NOT NULL, d TEXT NOT NULL, UNIQUE (b, c))`,
		`CREATE UNIQUE INDEX uniq_probe_d ON uniq_probe (LOWER(d))`,
	} {
		if _, err := db.W.ExecContext(ctx, ddl); err != nil {
			t.Fatal(err)
		}
	}
	insert := func(id int, a string, b, c int, d string) error {
		return db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO uniq_probe (id, a, b, c, d) VALUES ($1, $2, $3, $4, $5)`, id, a, b, c, d)
			return err
		})
	}
	if err := insert(1, "x", 1, 1, "Yes"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		err  error
		cols []string
	}{
		{"one column", insert(2, "x", 2, 2, "a"), []string{"a"}},
		{"two columns", insert(3, "y", 1, 1, "b"), []string{"b", "c"}},
		{"primary key", insert(1, "z", 3, 3, "c"), []string{"id"}},
		// The engine names the index, not its columns.
		{"expression", insert(4, "w", 4, 4, "YES"), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.err == nil {
				t.Fatal("insert succeeded")
			}
			if !store.IsUnique(tc.err) {
				t.Fatalf("IsUnique(%v) = false", tc.err)
			}
			if !store.IsUnique(fmt.Errorf("save: %w", tc.err)) {
				t.Errorf("wrapped: IsUnique = false")
			}
			if got := store.UniqueColumns(tc.err); !slices.Equal(got, tc.cols) {
				t.Errorf("UniqueColumns = %q, want %q (error %v)", got, tc.cols, tc.err)
			}
		})
	}
	notNull := db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO uniq_probe (id, a, b, c) VALUES (7, 't', 7, 7)`)
		return err
	})
	for _, err := range []error{
		nil,
		notNull,
		errors.New("UNIQUE constraint failed: uniq_probe.a"), // words alone are no violation
		db.R.QueryRowContext(ctx, `SELECT id FROM uniq_probe WHERE id = 99`).Scan(new(int)),
	} {
		if store.IsUnique(err) {
			t.Errorf("IsUnique(%v) = true", err)
		}
		if cols := store.UniqueColumns(err); cols != nil {
			t.Errorf("UniqueColumns(%v) = %q", err, cols)
		}
	}
	if notNull == nil {
		t.Fatal("NULL in a NOT NULL column was stored")
	}
}

func TestUniqueField(t *testing.T) {
	db := testutil.NewTestDB(t)
	ctx := context.Background()
	if _, err := db.W.ExecContext(ctx, `CREATE TABLE uniq_field (code TEXT NOT NULL UNIQUE, name TEXT NOT NULL UNIQUE)`); err != nil {
		t.Fatal(err)
	}
	ins := func(code, name string) error {
		_, err := db.W.ExecContext(ctx, `INSERT INTO uniq_field (code, name) VALUES ($1, $2)`, code, name)
		return err
	}
	if err := ins("A", "Alpha"); err != nil {
		t.Fatal(err)
	}
	if f := store.UniqueField(ins("B", "Alpha"), "code", "name"); f != "name" {
		t.Errorf("duplicate name: field %q", f)
	}
	if f := store.UniqueField(ins("A", "Beta"), "code", "name"); f != "code" {
		t.Errorf("duplicate code: field %q", f)
	}
	if f := store.UniqueField(errors.New("other"), "code", "name"); f != "code" {
		t.Errorf("other error: field %q", f)
	}
}
