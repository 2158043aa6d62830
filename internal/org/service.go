package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/store"
)

// Service reads and changes the organisation. Now is injected so tests fix
// time; each change takes one now.
type Service struct {
	DB  *store.DB
	Now func() time.Time

	townMu    sync.Mutex
	townships map[string]townshipList // by county; see Townships
}

type townshipList struct {
	list []Centre
	read time.Time
}

// Meta is what every organisation record carries.
type Meta struct {
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
	RetiredAt *time.Time `json:"retired_at,omitempty"`
}

// Active reports whether the record has not been retired.
func (m Meta) Active() bool { return m.RetiredAt == nil }

// ListOptions are the common listing options.
type ListOptions struct {
	Q       string // substring of name or code
	Retired bool   // include retired records
	Limit   int
	Offset  int
}

func (o ListOptions) limit() int {
	if o.Limit <= 0 || o.Limit > 1000 {
		return 200
	}
	return o.Limit
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }

// forbidden is the answer when a role may not change something at all.
func forbidden() error { return apperr.New(apperr.Forbidden, "error.forbidden") }

// isUnique reports a unique-constraint violation on either engine.
func isUnique(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505")
}

func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFoundf(what)
	}
	return err
}

// retire marks a row retired; it is never deleted because cases and the
// record refer to it.
func retire(ctx context.Context, tx *sql.Tx, table, keyCol string, key any, now time.Time) error {
	_, err := tx.ExecContext(ctx, "UPDATE "+table+" SET retired_at = $1, updated_at = $1 WHERE "+keyCol+" = $2 AND retired_at IS NULL", now, key)
	return err
}

// restore undoes retire.
func restore(ctx context.Context, tx *sql.Tx, table, keyCol string, key any, now time.Time) error {
	_, err := tx.ExecContext(ctx, "UPDATE "+table+" SET retired_at = NULL, updated_at = $1 WHERE "+keyCol+" = $2", now, key)
	return err
}

func likeArg(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.TrimSpace(q)) + "%"
}

func nullInt(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

type scanner interface{ Scan(...any) error }

// query is one listing: a table (or join), its columns, the filter and the
// order. list runs the count and the page query with the same filter.
type query struct {
	from  string
	cols  string
	where []string
	args  []any
	order string
}

// filter adds a condition; "?" in cond stands for the next argument.
func (q *query) filter(cond string, args ...any) {
	for _, a := range args {
		q.args = append(q.args, a)
		cond = strings.Replace(cond, "?", fmt.Sprintf("$%d", len(q.args)), 1)
	}
	q.where = append(q.where, cond)
}

func list[T any](ctx context.Context, db store.Querier, q query, o ListOptions, scan func(scanner) (T, error)) ([]T, int, error) {
	where := ""
	if len(q.where) > 0 {
		where = " WHERE " + strings.Join(q.where, " AND ")
	}
	var total int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+q.from+where, q.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count %s: %w", q.from, err)
	}
	args := append(q.args, o.limit(), max(o.Offset, 0))
	rows, err := db.QueryContext(ctx, fmt.Sprintf("SELECT %s FROM %s%s ORDER BY %s LIMIT $%d OFFSET $%d",
		q.cols, q.from, where, q.order, len(args)-1, len(args)), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list %s: %w", q.from, err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("scan %s: %w", q.from, err)
		}
		out = append(out, v)
	}
	return out, total, rows.Err()
}
