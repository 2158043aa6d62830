package testutil

import (
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Standby is the hot standby scripts/test makes of the PostgreSQL test
// server with pg_basebackup (scripts/pg.sh pg_standby_start).
type Standby struct {
	base   string // its URL, database onestop_test
	data   string // its data directory
	bindir string // the PostgreSQL binaries
}

// NeedStandby returns the test server's standby, or skips the test: on
// SQLite (the PostgreSQL pass runs it), and without one on PostgreSQL
// with a notice — a failure when CI=true, where scripts/test must have
// made one.
func NeedStandby(t testing.TB) Standby {
	t.Helper()
	if PostgresURL() == "" {
		t.Skip("replica test: needs PostgreSQL with a standby (the PostgreSQL pass of scripts/test runs it)")
	}
	sb := Standby{base: os.Getenv("ONESTOP_TEST_POSTGRES_STANDBY"), data: os.Getenv("ONESTOP_TEST_STANDBY_DATA"),
		bindir: os.Getenv("ONESTOP_TEST_PG_BINDIR")}
	if sb.base == "" || sb.data == "" || sb.bindir == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("replica test: ONESTOP_TEST_POSTGRES_STANDBY is not set; CI=true requires the standby (scripts/test starts it with pg_basebackup)")
		}
		t.Skip("NOTICE: replica test SKIPPED: no standby (ONESTOP_TEST_POSTGRES_STANDBY unset; scripts/test sets it when pg_basebackup exists)")
	}
	return sb
}

// URL is the standby's URL for the same database and schema as
// primaryURL (a URL from NewPostgresSchema): a physical standby holds
// every schema of its primary.
func (sb Standby) URL(t testing.TB, primaryURL string) string {
	t.Helper()
	p, err := url.Parse(primaryURL)
	if err != nil {
		t.Fatal(err)
	}
	s, err := url.Parse(sb.base)
	if err != nil {
		t.Fatal(err)
	}
	p.Host = s.Host
	return p.String()
}

// Stop stops the standby (fast shutdown); Start starts it again. Both
// run pg_ctl as the data directory's owner (postgres, when we are root).
func (sb Standby) Stop(t testing.TB) { sb.pgctl(t, "-m", "fast", "-w", "-t", "30", "stop") }

// Start starts the standby and waits until it accepts connections.
func (sb Standby) Start(t testing.TB) {
	sb.pgctl(t, "-w", "-t", "60", "-l", filepath.Join(filepath.Dir(sb.data), "standby.log"), "start")
}

func (sb Standby) pgctl(t testing.TB, args ...string) {
	t.Helper()
	argv := append([]string{filepath.Join(sb.bindir, "pg_ctl"), "-D", sb.data, "-s"}, args...)
	var cmd *exec.Cmd
	if os.Geteuid() == 0 {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--"}, argv...)...)
	} else {
		cmd = exec.Command(argv[0], argv[1:]...)
	}
	// The owner must be able to stand in the working directory.
	cmd.Dir = filepath.Dir(sb.data)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pg_ctl %v: %v\n%s", args, err, out)
	}
}
