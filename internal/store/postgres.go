package store

import (
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	// The only import of the PostgreSQL driver; it registers "pgx" with database/sql.
	_ "github.com/jackc/pgx/v5/stdlib"
)

// postgresUnique recognises SQLSTATE 23505 (unique_violation) and reads
// the key's columns from the detail PostgreSQL sends with it:
// `Key (case_id, seq)=(1, 2) already exists.`
func postgresUnique(err error) ([]string, bool) {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "23505" {
		return nil, false
	}
	rest, ok := strings.CutPrefix(pe.Detail, "Key (")
	if !ok {
		return nil, true
	}
	list, _, ok := strings.Cut(rest, ")=(")
	if !ok {
		return nil, true
	}
	cols := strings.Split(list, ", ")
	for _, c := range cols {
		// A key on an expression, "lower(name)": no column to name, as
		// on SQLite.
		if strings.ContainsAny(c, "( ") {
			return nil, true
		}
	}
	return cols, true
}

// postgresPool is a pool to the PostgreSQL server at url, sized alike for
// the primary and a read replica.
func postgresPool(url string) (*sql.DB, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(32)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return db, nil
}
