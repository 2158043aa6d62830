package backup

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"

	"onestop/internal/store"
)

// PostgreSQL is backed up with its own tools, not with SQL of ours:
// pg_dump -Fc is the format every PostgreSQL operator knows, restores with
// pg_restore into any later server version, and can be taken by hand when
// this binary is not around (docs/OPERATIONS.md).

// errNoTool explains how to get the client tools when they are missing.
func errNoTool(tool string) error {
	return fmt.Errorf("%s not found on PATH: install the PostgreSQL client tools of the server's major version or newer "+
		"(Debian/Ubuntu: apt-get install postgresql-client), or run it yourself as docs/OPERATIONS.md shows", tool)
}

// libpq turns the pgx URL we accept into what the libpq tools accept.
// pgx passes unknown query parameters (search_path) to the server as
// settings; libpq rejects them, so search_path moves into "options". The
// password moves into PGPASSWORD, because a command line is visible to
// every user of the machine in ps.
func libpq(raw string) (conn string, env []string, searchPath string, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", nil, "", fmt.Errorf("database URL: %w", err)
	}
	if u.User != nil {
		if pw, ok := u.User.Password(); ok {
			env = append(env, "PGPASSWORD="+pw)
			u.User = url.User(u.User.Username())
		}
	}
	q := u.Query()
	if sp := q.Get("search_path"); sp != "" {
		searchPath = sp
		q.Del("search_path")
		opts := strings.TrimSpace(q.Get("options") + " -csearch_path=" + strings.ReplaceAll(sp, " ", ""))
		q.Set("options", opts)
	}
	u.RawQuery = q.Encode()
	return u.String(), env, searchPath, nil
}

// dumpPostgres runs pg_dump -Fc into dst. The case counts are read in a
// repeatable-read transaction whose snapshot pg_dump then adopts
// (--snapshot), so the manifest counts exactly what the dump holds.
func dumpPostgres(ctx context.Context, rawURL, dst string, m *Manifest) error {
	bin, err := exec.LookPath("pg_dump")
	if err != nil {
		return errNoTool("pg_dump")
	}
	conn, env, searchPath, err := libpq(rawURL)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, "", rawURL)
	if err != nil {
		return err
	}
	defer db.Close()
	c, err := db.R.Conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	tx, err := c.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer tx.Rollback()
	var snapshot, schema string
	if err := tx.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT pg_export_snapshot()`).Scan(&snapshot); err != nil {
		// YugabyteDB, hot standbys and transaction-mode poolers cannot
		// export a snapshot. pg_dump then takes its own (still consistent
		// within itself) and the counts are read just before it.
		snapshot = ""
		_ = tx.Rollback()
		if err := counts(ctx, db.R, m); err != nil {
			return err
		}
	} else {
		if err := counts(ctx, tx, m); err != nil {
			return err
		}
		m.ExactCounts = true
	}
	args := []string{"--format=custom", "--file=" + dst, "--no-password", "--dbname=" + conn}
	if snapshot != "" {
		args = append(args, "--snapshot="+snapshot)
	}
	// A URL that picks a schema (one database shared by several
	// installations, or the test suite) is backed up as that schema only;
	// otherwise the whole database.
	if searchPath != "" {
		m.PGSchema = schema
		args = append(args, "--schema="+schema)
	}
	if out, err := runTool(ctx, bin, env, args...); err != nil {
		return fmt.Errorf("pg_dump: %w: %s", err, out)
	}
	return nil
}

// restorePostgres loads a pg_dump -Fc file into the database of rawURL in
// one transaction (--single-transaction: a failed restore changes
// nothing). It returns the URL that reaches the restored tables.
func restorePostgres(ctx context.Context, rawURL, dump string, m Manifest, force bool) (string, error) {
	bin, err := exec.LookPath("pg_restore")
	if err != nil {
		return "", errNoTool("pg_restore")
	}
	target, err := pgTarget(ctx, rawURL, m, force)
	if err != nil {
		return "", err
	}
	// The target URL for pg_restore must not carry our search_path: the
	// dump sets its own, and "options" would only confuse it.
	u, _ := url.Parse(rawURL)
	q := u.Query()
	q.Del("search_path")
	u.RawQuery = q.Encode()
	conn, env, _, err := libpq(u.String())
	if err != nil {
		return "", err
	}
	args := []string{"--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--no-password", "--dbname=" + conn}
	if target.tables > 0 {
		// Only reached with --force: drop what the dump holds first.
		args = append(args, "--clean", "--if-exists")
	} else if m.PGSchema != "" && target.schemaExists {
		// The dump creates its schema; an existing empty one (made by the
		// operator for the restore) would make that fail, so that one
		// entry is left out of the list of what to restore.
		list, err := schemaFreeList(ctx, bin, dump, m.PGSchema)
		if err != nil {
			return "", err
		}
		args = append(args, "--use-list="+list)
		defer os.Remove(list)
	}
	args = append(args, dump)
	if out, err := runTool(ctx, bin, env, args...); err != nil {
		return "", fmt.Errorf("pg_restore: %w: %s", err, out)
	}
	return target.url, nil
}

type pgTargetInfo struct {
	url          string
	tables       int
	schemaExists bool
}

// pgTarget checks the target database: it must not hold OneStop tables
// already (unless force), and a schema backup goes back under the same
// schema name, because pg_restore cannot rename schemas.
func pgTarget(ctx context.Context, rawURL string, m Manifest, force bool) (pgTargetInfo, error) {
	var t pgTargetInfo
	u, err := url.Parse(rawURL)
	if err != nil {
		return t, fmt.Errorf("database URL: %w", err)
	}
	q := u.Query()
	if sp := q.Get("search_path"); m.PGSchema != "" {
		if first := strings.TrimSpace(strings.Split(sp, ",")[0]); sp != "" && first != m.PGSchema {
			return t, fmt.Errorf("this backup holds schema %q; restore it into a database where that schema is free, with search_path=%s (pg_restore cannot rename a schema)",
				m.PGSchema, m.PGSchema)
		}
		q.Set("search_path", m.PGSchema)
		u.RawQuery = q.Encode()
	}
	t.url = u.String()
	db, err := store.Open(ctx, "", t.url)
	if err != nil {
		return t, err
	}
	defer db.Close()
	schema := m.PGSchema
	if schema == "" {
		var cur sql.NullString
		if err := db.R.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&cur); err != nil {
			return t, err
		}
		schema = cur.String
	}
	var schemas int
	if err := db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = $1`, schema).Scan(&schemas); err != nil {
		return t, err
	}
	t.schemaExists = schemas > 0
	if err := db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = $1`, schema).Scan(&t.tables); err != nil {
		return t, err
	}
	if t.tables > 0 && !force {
		return t, fmt.Errorf("the target database already holds %d tables in schema %q: restore into an empty database, or pass --force to replace them", t.tables, schema)
	}
	return t, nil
}

// schemaFreeList writes pg_restore's table of contents without the entry
// that creates schema.
func schemaFreeList(ctx context.Context, bin, dump, schema string) (string, error) {
	out, err := runTool(ctx, bin, nil, "--list", dump)
	if err != nil {
		return "", fmt.Errorf("pg_restore --list: %w: %s", err, out)
	}
	re := regexp.MustCompile(`^\d+; \d+ \d+ SCHEMA - ` + regexp.QuoteMeta(schema) + ` `)
	var b bytes.Buffer
	for line := range strings.SplitSeq(out, "\n") {
		if re.MatchString(line) {
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	f, err := os.CreateTemp("", "onestop-restore-*.list")
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := f.Write(b.Bytes()); err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// runTool runs a client tool and returns its output (stdout for --list,
// else the last of stderr, for the error message).
func runTool(ctx context.Context, bin string, env []string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 2000 {
			msg = "…" + msg[len(msg)-2000:]
		}
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return msg, fmt.Errorf("exit status %d", ee.ExitCode())
		}
		return msg, err
	}
	return stdout.String(), nil
}
