package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"onestop/internal/cases"
	"onestop/internal/demo"
	"onestop/internal/store"
	"onestop/internal/testutil"
)

func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestHelpAndVersion(t *testing.T) {
	code, out, _ := runCmd(t, "--help")
	if code != 0 || !strings.Contains(out, "demo") || !strings.Contains(out, "ONESTOP_DB") {
		t.Fatalf("help: %d %s", code, out)
	}
	if code, out, _ = runCmd(t, "version"); code != 0 || !strings.HasPrefix(out, "onestop ") {
		t.Fatalf("version: %d %q", code, out)
	}
	if code, _, errOut := runCmd(t, "frobnicate"); code != 2 || !strings.Contains(errOut, "unknown command") {
		t.Fatalf("unknown: %d %s", code, errOut)
	}
}

// dbArgs points a command at a fresh test database: a SQLite directory, or
// a PostgreSQL schema when the suite runs on PostgreSQL.
func dbArgs(t *testing.T) []string {
	dir := t.TempDir()
	args := []string{"--data", dir}
	if base := testutil.PostgresURL(); base != "" {
		args = append(args, "--db", testutil.NewPostgresSchema(t, base))
	}
	return args
}

func TestMigrateAndUserCommands(t *testing.T) {
	db := dbArgs(t)
	code, out, errOut := runCmd(t, append([]string{"migrate"}, db...)...)
	if code != 0 || !strings.Contains(out, "migrations applied") {
		t.Fatalf("migrate: %d %s %s", code, out, errOut)
	}
	t.Setenv("ONESTOP_PASSWORD", "short")
	// Refusals in words, as the pages say them: Chinese unless asked.
	code, _, errOut = runCmd(t, append([]string{"user", "create", "--username", "chief", "--name", "张三", "--role", "centre_admin"}, db...)...)
	if code != 1 || !strings.Contains(errOut, "password: 密码至少需要 8 位。") || strings.Contains(errOut, "auth.") {
		t.Fatalf("weak password: %d %s", code, errOut)
	}
	code, _, errOut = runCmd(t, append([]string{"user", "create", "--lang", "en", "--username", "chief", "--name", "张三", "--role", "centre_admin"}, db...)...)
	if code != 1 || !strings.Contains(errOut, "password: The password needs at least 8 characters.") || strings.Contains(errOut, "auth.") {
		t.Fatalf("weak password, in English: %d %s", code, errOut)
	}
	t.Setenv("ONESTOP_PASSWORD", "first-pass-123")
	// No centre is never a wildcard: without one the reach must be said.
	code, _, errOut = runCmd(t, append([]string{"user", "create", "--username", "chief", "--name", "张三", "--role", "centre_admin"}, db...)...)
	if code != 1 || !strings.Contains(errOut, "centre_id") {
		t.Fatalf("create without a centre or scope: %d %s", code, errOut)
	}
	code, _, errOut = runCmd(t, append([]string{"user", "create", "--username", "chief", "--name", "张三", "--role", "clerk", "--scope", "province"}, db...)...)
	if code != 1 || !strings.Contains(errOut, "scope") {
		t.Fatalf("a province-wide clerk: %d %s", code, errOut)
	}
	code, out, errOut = runCmd(t, append([]string{"user", "create", "--username", "chief", "--name", "张三", "--role", "centre_admin", "--scope", "province"}, db...)...)
	if code != 0 || !strings.Contains(out, "created chief") {
		t.Fatalf("create: %d %s %s", code, out, errOut)
	}
	t.Setenv("ONESTOP_PASSWORD", "second-pass-456")
	if code, out, errOut = runCmd(t, append([]string{"user", "reset", "--username", "chief"}, db...)...); code != 0 {
		t.Fatalf("reset: %d %s %s", code, out, errOut)
	}
	if code, _, _ = runCmd(t, append([]string{"user", "reset", "--username", "nobody"}, db...)...); code != 1 {
		t.Fatalf("reset unknown: %d", code)
	}
}

// Editing an event row makes verify fail and name it.
func TestVerifyNamesAnAlteredEvent(t *testing.T) {
	args, db := demoDB(t, 20)
	ctx := context.Background()
	code, out, errOut := runCmd(t, append([]string{"verify"}, args...)...)
	if code != 0 || !strings.HasPrefix(out, "ok: ") {
		t.Fatalf("verify clean: %d %s %s", code, out, errOut)
	}
	var no string
	if err := db.R.QueryRow(`SELECT c.no FROM cases c JOIN case_events e ON e.case_id = c.id WHERE e.seq = 2 ORDER BY c.id LIMIT 1`).Scan(&no); err != nil {
		t.Fatal(err)
	}
	if _, err := db.W.Exec(`UPDATE case_events SET actor = 'someone else' WHERE seq = 2 AND case_id = (SELECT id FROM cases WHERE no = $1)`, no); err != nil {
		t.Fatal(err)
	}
	code, out, _ = runCmd(t, append([]string{"verify"}, args...)...)
	if code == 0 || !strings.Contains(out, "case "+no+" event 2") {
		t.Fatalf("verify altered: %d %s", code, out)
	}
	brk, _, _ := cases.Verify(ctx, db)
	if brk == nil || brk.CaseNo != no {
		t.Fatalf("break %v", brk)
	}
}

// gen adds the asked number of cases to the demo county, twice over (the
// second run adds to the first), and every record it wrote verifies.
func TestGenCommand(t *testing.T) {
	db := dbArgs(t)
	if code, _, errOut := runCmd(t, append([]string{"gen", "--cases", "abc"}, db...)...); code != 1 || !strings.Contains(errOut, "--cases") {
		t.Fatalf("bad --cases: %d %s", code, errOut)
	}
	for _, v := range []string{"0", "151"} {
		if code, _, errOut := runCmd(t, append([]string{"gen", "--counties", v}, db...)...); code != 1 || !strings.Contains(errOut, "--counties") {
			t.Fatalf("bad --counties %s: %d %s", v, code, errOut)
		}
	}
	for i, want := range []string{"added 300 cases", "added 200 cases"} {
		n := []string{"300", "200"}[i]
		code, out, errOut := runCmd(t, append([]string{"gen", "--cases", n, "--per-day", "40"}, db...)...)
		if code != 0 || !strings.Contains(out, want) || !strings.Contains(errOut, "100%") {
			t.Fatalf("gen %s: %d %s %s", n, code, out, errOut)
		}
	}
	code, out, errOut := runCmd(t, append([]string{"verify"}, db...)...)
	if code != 0 || !strings.HasPrefix(out, "ok: ") {
		t.Fatalf("verify after gen: %d %s %s", code, out, errOut)
	}
	var dir, url string
	for i := 0; i+1 < len(db); i += 2 {
		switch db[i] {
		case "--data":
			dir = db[i+1]
		case "--db":
			url = db[i+1]
		}
	}
	sdb, err := store.Open(context.Background(), dir, url)
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	var total int
	if err := sdb.R.QueryRow(`SELECT COUNT(*) FROM cases`).Scan(&total); err != nil || total != 500 {
		t.Fatalf("cases after two runs: %d %v, want 500", total, err)
	}
}

// The light rule is set per county; a bad value stops the start with the
// flag named, before anything is opened.
func TestYellowDaysFlag(t *testing.T) {
	for _, v := range []string{"x", "-1", "21"} {
		code, _, errOut := runCmd(t, "serve", "--yellow-days", v, "--data", t.TempDir())
		if code != 1 || !strings.Contains(errOut, "--yellow-days") {
			t.Errorf("--yellow-days %s: %d %s", v, code, errOut)
		}
	}
	for v, want := range map[string]int{"0": 0, "3": 3, " 2 ": 2} {
		r, err := parseYellowDays(v)
		if err != nil || r.YellowDaysLeft != want {
			t.Errorf("%q: %+v %v", v, r, err)
		}
	}
}

// demoDB is a migrated database (the engine under test) holding the demo
// county and days of generated cases up to 2026-03-10; it returns the
// --data/--db arguments that reach it and the open database, closed when
// the test ends.
func demoDB(t *testing.T, days int) ([]string, *store.DB) {
	t.Helper()
	args := dbArgs(t)
	dbURL := ""
	if len(args) > 2 {
		dbURL = args[3]
	}
	ctx := context.Background()
	db, err := store.Open(ctx, args[1], dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Ensure(ctx, db, 431022); err != nil {
		t.Fatal(err)
	}
	until := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	if err := demo.GenerateCases(ctx, db, demo.CaseOptions{PerDay: 4, Days: days, Until: until, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	return args, db
}

// anomalies replays a generated history: it raises what the demo's engine
// did not (the open cases' lights as of now), and a second run raises
// nothing.
func TestAnomaliesCommandReplaysOnce(t *testing.T) {
	args, db := demoDB(t, 10)
	code, out, errOut := runCmd(t, append([]string{"anomalies"}, args...)...)
	if code != 0 || !strings.HasPrefix(out, "ok: ") {
		t.Fatalf("anomalies: %d %s %s", code, out, errOut)
	}
	var n int
	if err := db.R.QueryRow(`SELECT COUNT(*) FROM anomalies`).Scan(&n); err != nil || n == 0 {
		t.Fatalf("no anomalies in a history of late cases: %d %v", n, err)
	}
	code, out, _ = runCmd(t, append([]string{"anomalies"}, args...)...)
	if code != 0 || !strings.Contains(out, "; 0 anomalies raised from the record, 0 from") {
		t.Fatalf("second run: %d %s", code, out)
	}
}
