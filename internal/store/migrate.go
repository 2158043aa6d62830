package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
)

//go:embed migrations
var migrations embed.FS

// Migrate applies every pending migration of this dialect. It is safe to run
// again: applied versions are skipped. Two processes starting together on one
// PostgreSQL may race on the version table; the loser retries once.
func (db *DB) Migrate(ctx context.Context) error {
	p, err := db.provider()
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// MigrationStatus reports (applied, total) migrations.
func (db *DB) MigrationStatus(ctx context.Context) (applied, total int, err error) {
	p, err := db.provider()
	if err != nil {
		return 0, 0, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("migration status: %w", err)
	}
	for _, s := range st {
		total++
		if s.State == goose.StateApplied {
			applied++
		}
	}
	return applied, total, nil
}

func (db *DB) provider() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations/"+string(db.Dialect))
	if err != nil {
		return nil, err
	}
	dialect := goose.DialectSQLite3
	var opts []goose.ProviderOption
	if db.Dialect == Postgres {
		dialect = goose.DialectPostgres
	}
	p, err := goose.NewProvider(dialect, db.W, sub, opts...)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}
