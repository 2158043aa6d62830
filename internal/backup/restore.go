package backup

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"onestop/internal/cases"
	"onestop/internal/store"
)

// RestoreOptions say which backup to bring back where.
type RestoreOptions struct {
	From    string // the archive
	DataDir string // where onestop.db (SQLite) and files/ go
	DBURL   string // PostgreSQL backups: the database to restore into
	// Force allows restoring over a data directory or database that is not
	// empty. The SQLite file it replaces is moved aside, never deleted.
	Force bool
	// Progress, when set, hears each step as it starts (total 0), and
	// done of total while the uploaded files are unpacked.
	Progress func(step string, done, total int)
}

// Report is what a restore found when it verified its work.
type Report struct {
	Manifest Manifest
	// Location is where the restored database is (file path, or the URL
	// that reaches it with the password hidden).
	Location string
	// URL reaches a restored PostgreSQL schema (search_path set); empty
	// for SQLite.
	URL        string
	Cases      int64
	Events     int64
	Files      int
	Mismatched int64        // cases whose version is not their number of events
	Break      *cases.Break // the first broken chain, nil when all hold
	MovedAside string       // the previous database, when --force replaced one
}

// OK reports whether the restored data verified and matches the manifest.
func (r Report) OK() bool {
	return r.Break == nil && r.Mismatched == 0 &&
		(!r.Manifest.ExactCounts || (r.Cases == r.Manifest.Cases && r.Events == r.Manifest.Events))
}

// Restore brings a backup back and then verifies it: every chain must hold,
// every case row must match its events, and the counts must be the ones the
// manifest recorded at backup time. The server must be stopped meanwhile.
func Restore(ctx context.Context, opt RestoreOptions) (Report, error) {
	var r Report
	if opt.From == "" {
		return r, errors.New("restore: no backup given (--from FILE)")
	}
	if opt.DataDir == "" {
		return r, errors.New("restore: no data directory given (--data DIR)")
	}
	f, err := os.Open(opt.From)
	if err != nil {
		return r, fmt.Errorf("restore: %w", err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return r, fmt.Errorf("restore: %s is not a OneStop backup (not gzip): %w", opt.From, err)
	}
	tr := tar.NewReader(gz)
	hdr, err := tr.Next()
	if err != nil || hdr.Name != manifestName {
		return r, fmt.Errorf("restore: %s is not a OneStop backup (no %s first)", opt.From, manifestName)
	}
	mb, err := io.ReadAll(io.LimitReader(tr, 1<<20))
	if err != nil {
		return r, fmt.Errorf("restore: %w", err)
	}
	m := &r.Manifest
	if err := json.Unmarshal(mb, m); err != nil || m.Format != Format {
		return r, fmt.Errorf("restore: unknown backup format %q (this binary reads %s)", m.Format, Format)
	}

	// Check the target before touching anything.
	switch m.Engine {
	case string(store.SQLite):
		if isPostgres(opt.DBURL) {
			return r, errors.New("restore: this is a SQLite backup; restore it without --db (SQLite in --data)")
		}
	case string(store.Postgres):
		if !isPostgres(opt.DBURL) {
			return r, errors.New("restore: this is a PostgreSQL backup; pass --db postgres://… naming an empty database to restore into")
		}
	default:
		return r, fmt.Errorf("restore: unknown engine %q in the manifest", m.Engine)
	}
	if err := os.MkdirAll(opt.DataDir, 0o750); err != nil {
		return r, fmt.Errorf("restore: %w", err)
	}
	entries, err := os.ReadDir(opt.DataDir)
	if err != nil {
		return r, fmt.Errorf("restore: %w", err)
	}
	if len(entries) > 0 && !opt.Force {
		return r, fmt.Errorf("restore: data directory %s is not empty: restore into an empty directory, or pass --force to replace what is there", opt.DataDir)
	}
	if m.Engine == string(store.Postgres) {
		if _, err := pgTarget(ctx, opt.DBURL, *m, opt.Force); err != nil {
			return r, fmt.Errorf("restore: %w", err)
		}
	}
	dbPath := ""
	stage := opt.DataDir
	if m.Engine == string(store.SQLite) {
		if dbPath, err = sqlitePath(opt.DataDir, opt.DBURL); err != nil {
			return r, err
		}
		stage = filepath.Dir(dbPath) // same file system: the final rename is atomic
	}
	staging, err := os.MkdirTemp(stage, ".restore-*")
	if err != nil {
		return r, fmt.Errorf("restore: %w", err)
	}
	defer os.RemoveAll(staging)

	// Unpack: the database member to the staging area, the files straight
	// into the content-addressed store (a file there is either complete
	// under its hash or absent, so restoring it in place is safe).
	var dbStaged string
	filesRoot := filepath.Join(opt.DataDir, filesDir)
	step(opt.Progress, "unpacking the archive", 0, 0)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return r, fmt.Errorf("restore: reading %s: %w", opt.From, err)
		}
		if hdr.Typeflag != tar.TypeReg {
			continue
		}
		switch name := hdr.Name; {
		case name == sqliteName || name == pgDumpName:
			dbStaged = filepath.Join(staging, name)
			if err := writeFile(dbStaged, tr, hdr.Size); err != nil {
				return r, err
			}
		case strings.HasPrefix(name, filesDir+"/"):
			rel, ok := safeRel(strings.TrimPrefix(name, filesDir+"/"))
			if !ok {
				return r, fmt.Errorf("restore: refusing archive member %q (outside the files store)", name)
			}
			dst := filepath.Join(filesRoot, filepath.FromSlash(rel))
			if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
				return r, fmt.Errorf("restore: %w", err)
			}
			if err := writeFile(dst, tr, hdr.Size); err != nil {
				return r, err
			}
			r.Files++
			step(opt.Progress, "files", r.Files, m.Files)
		}
	}
	if dbStaged == "" {
		return r, fmt.Errorf("restore: %s holds no database", opt.From)
	}
	if r.Files != m.Files {
		return r, fmt.Errorf("restore: the manifest lists %d files but the archive holds %d (truncated?)", m.Files, r.Files)
	}

	var db *store.DB
	switch m.Engine {
	case string(store.SQLite):
		if r.MovedAside, err = moveAside(dbPath); err != nil {
			return r, err
		}
		if err := os.Rename(dbStaged, dbPath); err != nil {
			return r, fmt.Errorf("restore: %w", err)
		}
		syncDir(filepath.Dir(dbPath))
		if db, err = store.Open(ctx, "", "sqlite:"+dbPath); err != nil {
			return r, err
		}
	case string(store.Postgres):
		if r.URL, err = restorePostgres(ctx, opt.DBURL, dbStaged, *m, opt.Force); err != nil {
			return r, fmt.Errorf("restore: %w", err)
		}
		if db, err = store.Open(ctx, "", r.URL); err != nil {
			return r, err
		}
	}
	defer db.Close()
	r.Location = db.Location
	step(opt.Progress, "verifying every case record", 0, 0)
	if err := verify(ctx, db, &r); err != nil {
		return r, err
	}
	return r, nil
}

// verify checks the restored database: the chains, the case rows against
// their events, and the counts.
func verify(ctx context.Context, db *store.DB, r *Report) error {
	brk, _, err := cases.Verify(ctx, db)
	if err != nil {
		return fmt.Errorf("restore: verify: %w", err)
	}
	r.Break = brk
	if err := db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases`).Scan(&r.Cases); err != nil {
		return err
	}
	if err := db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM case_events`).Scan(&r.Events); err != nil {
		return err
	}
	return db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases c
		WHERE c.version <> (SELECT COUNT(*) FROM case_events e WHERE e.case_id = c.id)`).Scan(&r.Mismatched)
}

// moveAside renames an existing database file (and its WAL and shared
// memory files — a stale WAL next to a restored file would be replayed into
// it) into a pre-restore directory. It returns that directory, or "".
func moveAside(dbPath string) (string, error) {
	var present []string
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		if _, err := os.Stat(dbPath + suffix); err == nil {
			present = append(present, dbPath+suffix)
		}
	}
	if len(present) == 0 {
		return "", nil
	}
	dir := filepath.Join(filepath.Dir(dbPath), "pre-restore-"+time.Now().UTC().Format("20060102T150405Z"))
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("restore: %w", err)
	}
	for _, p := range present {
		if err := os.Rename(p, filepath.Join(dir, filepath.Base(p))); err != nil {
			return "", fmt.Errorf("restore: move aside %s: %w", p, err)
		}
	}
	return dir, nil
}

// safeRel accepts only a clean relative path inside the files store, so a
// crafted archive cannot write elsewhere ("zip slip").
func safeRel(rel string) (string, bool) {
	if rel == "" || strings.HasPrefix(rel, "/") || strings.Contains(rel, "\\") {
		return "", false
	}
	clean := path.Clean(rel)
	if clean != rel || clean == "." || clean == ".." || strings.HasPrefix(clean, "../") || strings.HasPrefix(clean, "tmp/") {
		return "", false
	}
	return clean, true
}

// writeFile writes exactly size bytes from r to dst via a temporary file
// and a rename, synced, so a crash during restore leaves no half file
// under a final name.
func writeFile(dst string, r io.Reader, size int64) error {
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".part-*")
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := io.CopyN(tmp, r, size); err != nil {
		return fmt.Errorf("restore: %s: %w", filepath.Base(dst), err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o640); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	ok = true
	return nil
}
