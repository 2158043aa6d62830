package store_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"onestop/internal/store"
	"onestop/internal/testutil"
)

// A replica needs a PostgreSQL primary and a PostgreSQL URL; anything else
// is refused with a message that says so, and nothing is opened.
func TestReplicaRefusedWithoutPostgres(t *testing.T) {
	db := testutil.NewTestDB(t)
	ctx := context.Background()
	if db.Dialect == store.SQLite {
		_, err := db.OpenReplica(ctx, "postgres://replica.example/onestop", time.Second)
		if err == nil || !strings.Contains(err.Error(), "needs a PostgreSQL primary") {
			t.Fatalf("a replica of SQLite: got %v, want a refusal naming the PostgreSQL primary", err)
		}
	} else {
		_, err := db.OpenReplica(ctx, "mysql://replica.example/onestop", time.Second)
		if err == nil || !strings.Contains(err.Error(), "not a PostgreSQL URL") {
			t.Fatalf("a replica URL that is not PostgreSQL: got %v, want a refusal", err)
		}
	}
	if db.Replica() != nil {
		t.Fatal("a refused replica was kept")
	}
}

// The replica test on a real primary and a standby made with
// pg_basebackup (scripts/test): marked reads are answered by the standby
// after replay, unmarked reads, transactions and Exec by the primary, the
// standby refuses writes, and when it lags beyond the limit or is stopped
// the primary answers and Status says why.
func TestReplicaOnRealStandby(t *testing.T) {
	sb := testutil.NeedStandby(t)
	ctx := context.Background()
	primaryURL := testutil.NewPostgresSchema(t, testutil.PostgresURL())
	db, err := store.Open(ctx, t.TempDir(), primaryURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	rep, err := db.OpenReplica(ctx, sb.URL(t, primaryURL), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	standby, err := sql.Open("pgx", sb.URL(t, primaryURL))
	if err != nil {
		t.Fatal(err)
	}
	defer standby.Close()
	marked := store.FromReplica(ctx)
	read := func(c context.Context) string {
		t.Helper()
		var v string
		err := db.Read().QueryRowContext(c, `SELECT COALESCE(MAX(value), '') FROM settings WHERE key = 'probe'`).Scan(&v)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		return v
	}
	write := func(v string) {
		t.Helper()
		if _, err := db.Exec(ctx, `INSERT INTO settings (key, value) VALUES ('probe', $1) ON CONFLICT (key) DO UPDATE SET value = $1`, v); err != nil {
			t.Fatal(err)
		}
	}
	// eventually polls until the marked read sees want from the replica.
	eventually := func(want string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			st := rep.Check(ctx)
			if st.InUse && read(marked) == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the replica never showed %q (status %+v)", want, st)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	// Written on the primary, seen through the replica after replay.
	write("v1")
	eventually("v1")
	reads0, _ := rep.Counts()

	// With replay paused, the marked read is the standby's older copy and
	// the unmarked one the primary's: the routing, not luck, decides.
	if _, err := standby.ExecContext(ctx, `SELECT pg_wal_replay_pause()`); err != nil {
		t.Fatal(err)
	}
	write("v2")
	if st := rep.Check(ctx); !st.InUse {
		t.Fatalf("within an hour's limit the paused standby should serve: %+v", st)
	}
	if got := read(marked); got != "v1" {
		t.Fatalf("marked read with replay paused = %q, want the standby's v1", got)
	}
	if got := read(ctx); got != "v2" {
		t.Fatalf("unmarked read = %q, want the primary's v2", got)
	}
	if reads, _ := rep.Counts(); reads <= reads0 {
		t.Fatalf("replica reads counted %d, then %d: the marked read was not counted", reads0, reads)
	}

	// Writes through a marked context reach the primary, never the standby.
	if _, err := db.Read().ExecContext(marked, `UPDATE settings SET value = 'v3' WHERE key = 'probe'`); err != nil {
		t.Fatalf("an Exec with a marked context must go to the primary: %v", err)
	}
	err = db.Tx(marked, func(tx *sql.Tx) error {
		_, err := db.InTx(tx).ExecContext(marked, `UPDATE settings SET value = 'v4' WHERE key = 'probe'`)
		return err
	})
	if err != nil {
		t.Fatalf("a transaction with a marked context must run on the primary: %v", err)
	}
	if got := read(ctx); got != "v4" {
		t.Fatalf("primary = %q after the writes, want v4", got)
	}
	// And the standby itself refuses them (SQLSTATE 25006).
	_, err = rep.Pool().ExecContext(ctx, `UPDATE settings SET value = 'x' WHERE key = 'probe'`)
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "25006" {
		t.Fatalf("a write on the standby: got %v, want read_only_sql_transaction (25006)", err)
	}

	// Lagging beyond the limit: the primary answers, and Status says why.
	rep.MaxLag = time.Millisecond
	time.Sleep(20 * time.Millisecond)
	st := rep.Check(ctx)
	if st.InUse || st.Reason != "lagging" {
		t.Fatalf("paused standby past a 1 ms limit: %+v, want out of use, lagging", st)
	}
	_, fb0 := rep.Counts()
	if got := read(marked); got != "v4" {
		t.Fatalf("marked read while lagging = %q, want the primary's v4", got)
	}
	if _, fb := rep.Counts(); fb != fb0+1 {
		t.Fatalf("fallbacks %d → %d, want one more", fb0, fb)
	}
	rep.MaxLag = time.Hour
	if _, err := standby.ExecContext(ctx, `SELECT pg_wal_replay_resume()`); err != nil {
		t.Fatal(err)
	}
	eventually("v4")

	// Stopped: the read in flight is answered by the primary, the replica
	// is out of use at once, and checks say it is down until it is back.
	sb.Stop(t)
	stopped := true
	defer func() {
		if stopped {
			sb.Start(t)
		}
	}()
	write("v5")
	if got := read(marked); got != "v5" {
		t.Fatalf("marked read with the standby stopped = %q, want the primary's v5", got)
	}
	if st := rep.Status(); st.InUse || st.Reason != "down" {
		t.Fatalf("after a failed replica read: %+v, want down", st)
	}
	if st := rep.Check(ctx); st.InUse || st.Reason != "down" {
		t.Fatalf("check with the standby stopped: %+v, want down", st)
	}
	sb.Start(t)
	stopped = false
	eventually("v5")
}
