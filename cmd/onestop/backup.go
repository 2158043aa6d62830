package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"onestop/internal/backup"
)

// cmdBackup writes a consistent copy of the database and the uploaded files
// into one archive while the server keeps running (docs/OPERATIONS.md).
func cmdBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("backup", `onestop backup --data DIR [--db URL] --out FILE.tar.gz — write a consistent backup while the server runs

SQLite: an online snapshot (VACUUM INTO). PostgreSQL: pg_dump -Fc, which must be
on PATH. The uploaded files (DIR/files) go into the same archive.`, stderr)
	var c common
	c.register(fs)
	out := fs.String("out", "", "the backup file to write (a .tar.gz archive; replaced atomically when complete)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		fs.Usage()
		return errors.New("backup: --out FILE is required")
	}
	prog := newProgress(stderr)
	m, err := backup.Backup(ctx, backup.Options{DataDir: c.data, DBURL: c.db, Out: *out, AppVersion: version, Progress: prog.steps("backup")})
	prog.done()
	if err != nil {
		return err
	}
	counts := "counted in the same snapshot"
	if !m.ExactCounts {
		counts = "counted just before the dump"
	}
	fmt.Fprintf(stdout, "backup written: %s\n  engine %s, schema version %d\n  %d cases, %d events (%s)\n  %d uploaded files, %d bytes\n",
		*out, m.Engine, m.SchemaVersion, m.Cases, m.Events, counts, m.Files, m.FileBytes)
	return nil
}

// cmdRestore brings a backup back into an empty data directory (and, for
// PostgreSQL, an empty database), then verifies every case chain.
func cmdRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("restore", `onestop restore --from FILE.tar.gz --data DIR [--db URL] [--force] — restore a backup, then verify it

Stop every server first. Refuses a non-empty data directory or database unless
--force (the replaced SQLite file is moved aside, not deleted).`, stderr)
	var c common
	c.register(fs)
	from := fs.String("from", "", "the backup file written by onestop backup")
	force := fs.Bool("force", false, "restore over a non-empty data directory or database")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" {
		fs.Usage()
		return errors.New("restore: --from FILE is required")
	}
	prog := newProgress(stderr)
	r, err := backup.Restore(ctx, backup.RestoreOptions{From: *from, DataDir: c.data, DBURL: c.db, Force: *force, Progress: prog.steps("restore")})
	prog.done()
	if err != nil {
		return err
	}
	m := r.Manifest
	fmt.Fprintf(stdout, "restored %s backup of %s into %s\n", m.Engine, m.CreatedAt.Format("2006-01-02 15:04:05 UTC"), r.Location)
	if r.MovedAside != "" {
		fmt.Fprintf(stdout, "  the database it replaced was moved to %s\n", r.MovedAside)
	}
	if r.URL != "" && m.PGSchema != "" {
		fmt.Fprintf(stdout, "  the tables are in schema %s: connect with search_path=%s in the --db URL\n", m.PGSchema, m.PGSchema)
	}
	fmt.Fprintf(stdout, "  %d cases (backup: %d), %d events (backup: %d), %d uploaded files\n", r.Cases, m.Cases, r.Events, m.Events, r.Files)
	switch {
	case r.Break != nil:
		fmt.Fprintf(stdout, "  BROKEN: %s\n", r.Break)
		return errors.New("restore: the restored case record does not verify: " + r.Break.Error())
	case r.Mismatched > 0:
		return fmt.Errorf("restore: %d cases do not match their events (version ≠ number of events)", r.Mismatched)
	case !r.OK():
		return errors.New("restore: the restored counts differ from the backup's manifest")
	}
	fmt.Fprintf(stdout, "  ok: every case chain verifies\n")
	return nil
}
