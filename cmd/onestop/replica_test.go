package main

import (
	"strings"
	"testing"
)

// --db-read with SQLite is refused before anything starts, with a message
// naming the flag and the reason; so is a replica URL that is not
// PostgreSQL.
func TestDBReadRefusedWithoutPostgres(t *testing.T) {
	code, out, errOut := runCmd(t, "serve", "--data", t.TempDir(), "--addr", "127.0.0.1:0",
		"--db-read", "postgres://postgres@127.0.0.1:1/onestop")
	if code == 0 || !strings.Contains(errOut, "--db-read: a read replica needs a PostgreSQL primary") {
		t.Fatalf("serve --db-read on SQLite: exit %d, stderr %q", code, errOut)
	}
	if strings.Contains(out, "listening") {
		t.Fatalf("the server started anyway: %s", out)
	}
	args := append(dbArgs(t), "--addr", "127.0.0.1:0", "--db-read", "mysql://replica/onestop")
	code, _, errOut = runCmd(t, append([]string{"serve"}, args...)...)
	want := "not a PostgreSQL URL"
	if !strings.Contains(strings.Join(args, " "), "postgres://") {
		want = "needs a PostgreSQL primary" // the SQLite pass
	}
	if code == 0 || !strings.Contains(errOut, want) {
		t.Fatalf("serve --db-read mysql://: exit %d, stderr %q, want %q", code, errOut, want)
	}
}
