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

// pattern is the LIKE pattern for Q: its text anywhere, literally.
func (o ListOptions) pattern() string { return store.Contains(strings.TrimSpace(o.Q)) }

func (o ListOptions) limit() int {
	if o.Limit <= 0 || o.Limit > 1000 {
		return 200
	}
	return o.Limit
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }

// forbidden is the answer when a role may not change something at all.
func forbidden() error { return apperr.New(apperr.Forbidden, "error.forbidden") }

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

type scanner interface{ Scan(...any) error }

// query is one listing: a table (or join), its columns, the filter and the
// order. list runs the count and the page query with the same filter.
type query struct {
	from string
	cols string
	store.Where
	order string
}

func list[T any](ctx context.Context, db store.Querier, q query, o ListOptions, scan func(scanner) (T, error)) ([]T, int, error) {
	where := q.String()
	var total int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+q.from+where, q.Args()...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count %s: %w", q.from, err)
	}
	page := fmt.Sprintf("SELECT %s FROM %s%s ORDER BY %s LIMIT %s OFFSET %s",
		q.cols, q.from, where, q.order, q.Bind(o.limit()), q.Bind(max(o.Offset, 0)))
	rows, err := db.QueryContext(ctx, page, q.Args()...)
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
