// Package backup writes and restores a consistent copy of a OneStop
// installation — the database and the uploaded files — while the server
// keeps running.
//
// A backup is one gzip-compressed tar file, so an operator has a single
// thing to copy off the machine:
//
//	MANIFEST.json   what is inside: engine, time, schema version, counts
//	onestop.db      SQLite: a VACUUM INTO snapshot      (or)
//	postgres.dump   PostgreSQL: pg_dump -Fc output
//	files/…         the content-addressed upload store (DIR/files)
//
// The database is copied first and the files second. Uploaded files are
// only ever added, under the SHA-256 of their bytes, and a file is stored
// before the transaction that references it commits; so every file the
// database snapshot names is already on disk when the files are copied.
// Files that arrive later are copied too and are simply unreferenced.
package backup

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"onestop/internal/store"
)

// Format names the archive layout; restore refuses formats it does not know.
const Format = "onestop-backup/1"

// Archive member names.
const (
	manifestName = "MANIFEST.json"
	sqliteName   = "onestop.db"
	pgDumpName   = "postgres.dump"
	filesDir     = "files"
)

// Manifest describes a backup. The counts come from the same snapshot as
// the data (ExactCounts), so a restore can prove it brought back exactly
// what was saved.
type Manifest struct {
	Format        string    `json:"format"`
	Engine        string    `json:"engine"`
	CreatedAt     time.Time `json:"created_at"`
	AppVersion    string    `json:"app_version,omitempty"`
	SchemaVersion int64     `json:"schema_version"`
	Cases         int64     `json:"cases"`
	Events        int64     `json:"events"`
	ExactCounts   bool      `json:"exact_counts"`
	Files         int       `json:"files"`
	FileBytes     int64     `json:"file_bytes"`
	// PGSchema is the schema a PostgreSQL backup was taken from when the
	// URL chose one with search_path; empty means the whole database.
	PGSchema string `json:"pg_schema,omitempty"`
}

// Options say what to back up and where to.
type Options struct {
	DataDir    string // holds onestop.db (SQLite) and files/
	DBURL      string // empty: SQLite in DataDir; postgres://…: PostgreSQL
	Out        string // the archive to write
	AppVersion string
	// Progress, when set, hears each step as it starts (total 0), and
	// done of total while the uploaded files are archived.
	Progress func(step string, done, total int)
}

// step tells progress, if anyone listens.
func step(p func(string, int, int), name string, done, total int) {
	if p != nil {
		p(name, done, total)
	}
}

// Backup writes the archive to opt.Out. The archive is assembled under a
// temporary name in the same directory and renamed into place only when
// complete and synced, so a crash or a full disk never leaves a file
// that looks like a backup but is not one.
func Backup(ctx context.Context, opt Options) (Manifest, error) {
	m := Manifest{Format: Format, CreatedAt: time.Now().UTC().Truncate(time.Second), AppVersion: opt.AppVersion}
	if opt.Out == "" {
		return m, errors.New("backup: no output file given (--out FILE)")
	}
	outDir := filepath.Dir(opt.Out)
	if err := os.MkdirAll(outDir, 0o750); err != nil {
		return m, fmt.Errorf("backup: %w", err)
	}
	// The database copy goes to a scratch file beside the output: same file
	// system, so no surprise about space in /tmp.
	scratch, err := os.MkdirTemp(outDir, ".onestop-backup-*")
	if err != nil {
		return m, fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(scratch)

	var dbFile, dbMember string
	step(opt.Progress, "copying the database", 0, 0)
	if isPostgres(opt.DBURL) {
		m.Engine = string(store.Postgres)
		dbFile, dbMember = filepath.Join(scratch, pgDumpName), pgDumpName
		if err := dumpPostgres(ctx, opt.DBURL, dbFile, &m); err != nil {
			return m, err
		}
	} else {
		m.Engine = string(store.SQLite)
		dbFile, dbMember = filepath.Join(scratch, sqliteName), sqliteName
		if err := snapshotSQLite(ctx, opt.DataDir, opt.DBURL, dbFile, &m); err != nil {
			return m, err
		}
	}

	files, err := listFiles(filepath.Join(opt.DataDir, filesDir))
	if err != nil {
		return m, err
	}
	tmp, err := os.CreateTemp(outDir, ".onestop-backup-*.tar.gz")
	if err != nil {
		return m, fmt.Errorf("backup: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	// BestSpeed: a backup taken every night of a multi-gigabyte database
	// should be bounded by the disk, not by the compressor.
	gz, _ := gzip.NewWriterLevel(tmp, gzip.BestSpeed)
	tw := tar.NewWriter(gz)
	// Count the files that will be archived before writing the manifest,
	// so the manifest is the first member and a reader can stop after it.
	for _, f := range files {
		m.Files++
		m.FileBytes += f.size
	}
	mb, _ := json.MarshalIndent(m, "", "  ")
	if err := addBytes(tw, manifestName, mb, m.CreatedAt); err != nil {
		return m, err
	}
	if err := addFile(tw, dbMember, dbFile); err != nil {
		return m, err
	}
	step(opt.Progress, "archiving the uploaded files", 0, 0)
	for i, f := range files {
		if err := ctx.Err(); err != nil {
			return m, err
		}
		if err := addFile(tw, filesDir+"/"+f.rel, f.path); err != nil {
			return m, err
		}
		step(opt.Progress, "files", i+1, len(files))
	}
	if err := tw.Close(); err != nil {
		return m, fmt.Errorf("backup: %w", err)
	}
	if err := gz.Close(); err != nil {
		return m, fmt.Errorf("backup: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return m, fmt.Errorf("backup: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return m, fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(tmp.Name(), opt.Out); err != nil {
		return m, fmt.Errorf("backup: %w", err)
	}
	ok = true
	syncDir(outDir)
	return m, nil
}

func isPostgres(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}

// sqlitePath is where the SQLite file of this installation lives.
func sqlitePath(dataDir, url string) (string, error) {
	if p := strings.TrimPrefix(strings.TrimPrefix(url, "sqlite:"), "file:"); p != "" {
		return p, nil
	}
	if dataDir == "" {
		return "", errors.New("no data directory given: pass --data DIR or set ONESTOP_DATA")
	}
	return filepath.Join(dataDir, sqliteName), nil
}

// snapshotSQLite copies the live database with VACUUM INTO. It reads one
// consistent snapshot (a read transaction, which WAL lets run beside the
// server's writer) and writes a compact, self-contained database file —
// no -wal file to forget. SQLite's online backup C API would do as well,
// but the pure-Go driver (modernc.org/sqlite, docs/ARCHITECTURE.md §3) exposes only
// database/sql, and VACUUM INTO is plain SQL; it also restarts nothing when
// the server writes during the copy, where the backup API's page-by-page
// copy starts over on every change.
func snapshotSQLite(ctx context.Context, dataDir, url, dst string, m *Manifest) error {
	src, err := sqlitePath(dataDir, url)
	if err != nil {
		return err
	}
	// Opening a missing file would create an empty database and back that
	// up: refuse instead.
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("backup: no database at %s: %w", src, err)
	}
	db, err := store.Open(ctx, "", "sqlite:"+src)
	if err != nil {
		return err
	}
	_, err = db.W.ExecContext(ctx, `VACUUM INTO $1`, dst)
	db.Close()
	if err != nil {
		return fmt.Errorf("backup: VACUUM INTO: %w", err)
	}
	// Count from the snapshot itself, and check it, before archiving it.
	snap, err := store.Open(ctx, "", "sqlite:"+dst)
	if err != nil {
		return err
	}
	defer snap.Close()
	var check string
	if err := snap.R.QueryRowContext(ctx, `PRAGMA quick_check`).Scan(&check); err != nil || check != "ok" {
		return fmt.Errorf("backup: the snapshot fails its integrity check: %s %v", check, err)
	}
	if err := counts(ctx, snap.R, m); err != nil {
		return err
	}
	m.ExactCounts = true
	// Leave a single file behind: fold any WAL the check created back in.
	_, _ = snap.W.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return nil
}

// counts reads the schema version and the case and event counts.
func counts(ctx context.Context, q store.Querier, m *Manifest) error {
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied`).Scan(&m.SchemaVersion); err != nil {
		return fmt.Errorf("backup: schema version: %w", err)
	}
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases`).Scan(&m.Cases); err != nil {
		return fmt.Errorf("backup: count cases: %w", err)
	}
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM case_events`).Scan(&m.Events); err != nil {
		return fmt.Errorf("backup: count events: %w", err)
	}
	return nil
}

type fileEntry struct {
	path, rel string
	size      int64
}

// listFiles lists the stored uploads. The store's tmp/ holds uploads in
// progress, which are not files yet.
func listFiles(dir string) ([]fileEntry, error) {
	var out []fileEntry
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == dir {
				return fs.SkipAll // no uploads yet
			}
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			if rel == "tmp" {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		out = append(out, fileEntry{path: p, rel: filepath.ToSlash(rel), size: info.Size()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("backup: list files: %w", err)
	}
	return out, nil
}

func addBytes(tw *tar.Writer, name string, b []byte, mod time.Time) error {
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o640, Size: int64(len(b)), ModTime: mod, Typeflag: tar.TypeReg}); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	_, err := tw.Write(b)
	return err
}

func addFile(tw *tar.Writer, name, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o640, Size: info.Size(), ModTime: info.ModTime(), Typeflag: tar.TypeReg}); err != nil {
		return fmt.Errorf("backup: %s: %w", name, err)
	}
	// Copy exactly the size announced: a file that grew meanwhile would
	// otherwise corrupt the archive (content-addressed files never do, but
	// the database scratch file is ours and closed, so this is a guard).
	if _, err := io.CopyN(tw, f, info.Size()); err != nil {
		return fmt.Errorf("backup: %s: %w", name, err)
	}
	return nil
}

// syncDir makes a rename durable; errors are ignored because some file
// systems do not support syncing a directory and the rename happened anyway.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
