package backup_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"onestop/internal/applicants"
	"onestop/internal/backup"
	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/demo"
	"onestop/internal/files"
	"onestop/internal/org"
	"onestop/internal/store"
	"onestop/internal/testutil"
)

// install is one OneStop installation as the command line sees it: a data
// directory and, on PostgreSQL, a database URL.
type install struct {
	dir, url string
	db       *store.DB
}

// newInstall opens a migrated database the way `onestop serve --data DIR
// [--db URL]` would, keeping the directory and URL (testutil.NewTestDB
// hides them, and the backup needs them).
func newInstall(t *testing.T) *install {
	t.Helper()
	in := &install{dir: t.TempDir()}
	if base := testutil.PostgresURL(); base != "" {
		if _, err := exec.LookPath("pg_dump"); err != nil {
			t.Skip("PostgreSQL backups need pg_dump and pg_restore on PATH")
		}
		in.url = testutil.NewPostgresSchema(t, base)
	}
	db, err := store.Open(context.Background(), in.dir, in.url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	in.db = db
	return in
}

// world is the demo county plus one item the clerk's department handles and
// one applicant, with the engine on a fixed clock inside the shipped
// calendar years.
type world struct {
	eng            *cases.Service
	clerk, rev, ap cases.Actor
	applicant      int64
}

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	ctx := context.Background()
	if _, err := demo.Ensure(ctx, db, 431022); err != nil {
		t.Fatalf("demo: %v", err)
	}
	d := calendar.MustParseDate("2026-09-28")
	now := time.Date(d.Year, d.Month, d.Day, 2, 0, 0, 0, time.UTC)
	clk := func() time.Time { return now }
	if err := cases.EnsureCalendar(ctx, db, now); err != nil {
		t.Fatal(err)
	}
	staff := &org.Service{DB: db, Now: clk}
	actor := func(u string) org.Actor {
		st, err := staff.StaffByUsername(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		return st.Actor("192.0.2.7")
	}
	cat := &catalogue.Service{DB: db, Now: clk}
	clerk := actor("clerk")
	_, err := cat.Create(ctx, actor("admin"), "B-001", catalogue.Content{Type: "licensing", DepartmentID: clerk.DepartmentID, Audience: "both",
		Name: "备份测试许可", LegalBasis: "《中华人民共和国行政许可法》第十二条", StatutoryDays: 20, PromisedDays: 5, Visits: 1, Online: true, AtHall: true,
		Materials: []catalogue.Material{{Name: "申请表", Required: true, Form: "original", Copies: 1}}, Steps: catalogue.DefaultSteps(5)}, "")
	if err != nil {
		t.Fatal(err)
	}
	app, err := (&applicants.Service{DB: db, Now: clk}).Register(ctx,
		applicants.Input{Kind: "citizen", IDNumber: "11010519491231002X", Name: "王小明", Phone: "13800138000"}, false)
	if err != nil {
		t.Fatal(err)
	}
	return &world{eng: cases.New(db, cat, clk), clerk: cases.StaffActor(clerk), rev: cases.StaffActor(actor("reviewer")),
		ap: cases.StaffActor(actor("approver")), applicant: app.ID}
}

// step moves one case along its whole life, one transaction per action.
func (w *world) lifecycle(ctx context.Context, acted *atomic.Int64) error {
	c, err := w.eng.Submit(ctx, w.clerk, cases.SubmitInput{ItemCode: "B-001", ApplicantID: w.applicant, Materials: []cases.MaterialChange{{Seq: 1, Paper: true}}})
	if err != nil {
		return err
	}
	acted.Add(1)
	for _, s := range []struct {
		a      cases.Actor
		action string
		in     cases.Input
	}{
		{w.clerk, cases.ActAccept, cases.Input{}},
		{w.rev, cases.ActForward, cases.Input{Opinion: "材料齐全"}},
		{w.ap, cases.ActApprove, cases.Input{Opinion: "同意"}},
		{w.clerk, cases.ActComplete, cases.Input{}},
		{w.clerk, cases.ActDeliver, cases.Input{Delivery: "window"}},
	} {
		if _, err := w.eng.Act(ctx, s.a, c.No, s.action, s.in); err != nil {
			return err
		}
		acted.Add(1)
	}
	return nil
}

var tinyPDF = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

// TestBackupWhileWritingThenRestore takes a backup while a goroutine keeps
// moving cases, restores it into a fresh place and checks that exactly the
// cases of the snapshot came back, each with a complete, verifying chain.
func TestBackupWhileWritingThenRestore(t *testing.T) {
	ctx := context.Background()
	src := newInstall(t)
	w := newWorld(t, src.db)
	fs := &files.Store{Dir: filepath.Join(src.dir, "files")}
	var refs []files.Ref
	for i := range 3 {
		ref, err := fs.Put(bytes.NewReader(append(bytes.Clone(tinyPDF), byte('0'+i))), "scan.pdf", 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, ref)
	}

	var acted atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var werr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := w.lifecycle(ctx, &acted); err != nil {
				werr = err
				return
			}
		}
	}()
	waitFor(t, func() bool { return acted.Load() >= 30 || werr != nil })
	out := filepath.Join(t.TempDir(), "nightly.tar.gz")
	m, err := backup.Backup(ctx, backup.Options{DataDir: src.dir, DBURL: src.url, Out: out, AppVersion: "test"})
	if err != nil {
		close(stop)
		wg.Wait()
		t.Fatalf("backup: %v", err)
	}
	// Writes go on after the snapshot: the live count must end up higher,
	// which shows the backup did not stop the world.
	after := acted.Load()
	waitFor(t, func() bool { return acted.Load() >= after+12 || werr != nil })
	close(stop)
	wg.Wait()
	if werr != nil {
		t.Fatalf("writer: %v", werr)
	}
	var live int64
	if err := src.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases`).Scan(&live); err != nil {
		t.Fatal(err)
	}
	if !m.ExactCounts || m.Cases == 0 || m.Cases >= live || m.Files != len(refs) || m.Engine != string(src.db.Dialect) {
		t.Fatalf("manifest %+v (live cases now %d)", m, live)
	}
	t.Logf("backup: %d cases, %d events while live reached %d cases", m.Cases, m.Events, live)

	dst := restoreTarget(t)
	r, err := backup.Restore(ctx, backup.RestoreOptions{From: out, DataDir: dst.dir, DBURL: dst.url})
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	if !r.OK() || r.Cases != m.Cases || r.Events != m.Events || r.Files != len(refs) {
		t.Fatalf("restore report %+v", r)
	}
	// Check the restored database independently of the report.
	rurl := dst.url
	if r.URL != "" {
		rurl = r.URL
	}
	rdb, err := store.Open(ctx, dst.dir, rurl)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	if brk, n, err := cases.Verify(ctx, rdb); err != nil || brk != nil || int64(n) != m.Events {
		t.Fatalf("verify restored: %v %v (%d events)", brk, err, n)
	}
	assertCompleteChains(t, rdb)
	rfs := &files.Store{Dir: filepath.Join(dst.dir, "files")}
	for _, ref := range refs {
		got, err := rfs.Stat(ref.SHA256)
		if err != nil || got.Size != ref.Size {
			t.Fatalf("restored file %s: %+v %v", ref.SHA256, got, err)
		}
	}
	// The restored database is one a server can start on.
	if err := rdb.Migrate(ctx); err != nil {
		t.Fatalf("migrate restored: %v", err)
	}
	rdb.Close()

	// A second restore over it is refused without --force …
	_, err = backup.Restore(ctx, backup.RestoreOptions{From: out, DataDir: dst.dir, DBURL: dst.url})
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("restore over a used directory: %v", err)
	}
	// … and with it replaces the data, keeping the old SQLite file aside.
	r2, err := backup.Restore(ctx, backup.RestoreOptions{From: out, DataDir: dst.dir, DBURL: dst.url, Force: true})
	if err != nil || !r2.OK() || r2.Cases != m.Cases {
		t.Fatalf("forced restore: %+v %v", r2, err)
	}
	if src.url == "" {
		if r2.MovedAside == "" {
			t.Fatal("forced restore did not keep the replaced database")
		}
		if _, err := os.Stat(filepath.Join(r2.MovedAside, "onestop.db")); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRestoreRefusesForeignArchives: not gzip, wrong engine, path escape.
func TestRestoreRefusesForeignArchives(t *testing.T) {
	ctx := context.Background()
	bad := filepath.Join(t.TempDir(), "x.tar.gz")
	if err := os.WriteFile(bad, []byte("not a backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := backup.Restore(ctx, backup.RestoreOptions{From: bad, DataDir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "not a OneStop backup") {
		t.Fatalf("garbage: %v", err)
	}
	if _, err := backup.Backup(ctx, backup.Options{DataDir: t.TempDir(), Out: bad}); err == nil || !strings.Contains(err.Error(), "no database") {
		t.Fatalf("backup of an empty directory: %v", err)
	}
	manifest := `{"format":"onestop-backup/1","engine":"sqlite","files":1}`
	escape := archive(t, map[string]string{"MANIFEST.json": manifest, "onestop.db": "x", "files/../../evil": "x"})
	dir := filepath.Join(t.TempDir(), "d")
	if _, err := backup.Restore(ctx, backup.RestoreOptions{From: escape, DataDir: dir}); err == nil || !strings.Contains(err.Error(), "outside the files store") {
		t.Fatalf("path escape: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "..", "evil")); err == nil {
		t.Fatal("the escaping member was written")
	}
	pg := archive(t, map[string]string{"MANIFEST.json": `{"format":"onestop-backup/1","engine":"postgres"}`})
	if _, err := backup.Restore(ctx, backup.RestoreOptions{From: pg, DataDir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "PostgreSQL backup") {
		t.Fatalf("engine mismatch: %v", err)
	}
}

// archive writes a tar.gz with the manifest first, then the other members.
func archive(t *testing.T, members map[string]string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "a.tar.gz")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	names := []string{"MANIFEST.json"}
	for n := range members {
		if n != "MANIFEST.json" {
			names = append(names, n)
		}
	}
	for _, n := range names {
		body := members[n]
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o600, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

// assertCompleteChains: no case is half there — its version is its number
// of events and its last hash is its last event's.
func assertCompleteChains(t *testing.T, db *store.DB) {
	t.Helper()
	var bad int
	err := db.R.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM cases c WHERE c.version <> (SELECT COUNT(*) FROM case_events e WHERE e.case_id = c.id)
		OR c.last_hash <> COALESCE((SELECT e.hash FROM case_events e WHERE e.case_id = c.id AND e.seq = c.version), '')`).Scan(&bad)
	if err != nil || bad != 0 {
		t.Fatalf("%d cases with an incomplete chain (%v)", bad, err)
	}
}

type target struct{ dir, url string }

// restoreTarget is an empty data directory and, on PostgreSQL, a new empty
// database on the same server (a schema backup comes back under its own
// schema name, which is taken in the source database).
func restoreTarget(t *testing.T) target {
	t.Helper()
	tg := target{dir: filepath.Join(t.TempDir(), "restored")}
	base := testutil.PostgresURL()
	if base == "" {
		return tg
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "onestop_restore_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		_, _ = a.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	tg.url = u.String()
	return tg
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal(errors.New("timed out waiting"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}
