package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"onestop/internal/checkpoint"
	"onestop/internal/web"
)

// An auditor saves the published checkpoints with one command; later,
// someone holding the server (database and key) deletes an event of an
// earlier day, puts the case row back and re-signs every checkpoint. The
// saved file catches it, against the site and against the database.
func TestCheckpointCheckCommand(t *testing.T) {
	args, db := demoDB(t, 10)
	data := args[1]
	ctx := context.Background()
	until := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC) // demoDB's last day
	key, err := checkpoint.LoadOrCreateKey(filepath.Join(data, checkpoint.KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	cps := &checkpoint.Service{DB: db, Key: key, Now: func() time.Time { return until.Add(48 * time.Hour) }}
	if err := cps.RegisterKey(ctx); err != nil {
		t.Fatal(err)
	}
	n, err := cps.WriteDue(ctx)
	if err != nil || n < 10 {
		t.Fatalf("checkpoints: %d %v", n, err)
	}
	// Progress goes to stderr, a plain line at a time when it is no terminal.
	defer func(old time.Duration) { progressEvery = old }(progressEvery)
	progressEvery = 0
	code, out, errOut := runCmd(t, append([]string{"verify"}, args...)...)
	if code != 0 || !strings.HasPrefix(out, "ok: ") || !strings.Contains(out, " checkpoints verify") || strings.Contains(errOut, "\r") ||
		!strings.HasPrefix(errOut, "verify: case id ") {
		t.Fatalf("verify: %d %s %q", code, out, errOut)
	}
	cfg := web.Config{Version: "test"}
	svc, err := web.NewServices(db, slog.New(slog.NewTextHandler(io.Discard, nil)), cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(svc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	saved := filepath.Join(t.TempDir(), "saved.json")
	code, out, errOut = runCmd(t, append([]string{"checkpoint", "check", "--url", ts.URL, "--save", saved}, args...)...)
	if code != 0 || !strings.Contains(out, "every day's events still hash to its root") {
		t.Fatalf("check: %d %s %s", code, out, errOut)
	}
	if code, out, errOut = runCmd(t, "checkpoint", "check", "--file", saved); code != 0 || !strings.HasPrefix(out, "ok: ") {
		t.Fatalf("check the saved file alone: %d %s %s", code, out, errOut)
	}
	// An auditor who kept only the last day's checkpoint.
	all, err := readSaved(saved)
	if err != nil {
		t.Fatal(err)
	}
	lastDay := all.Items[len(all.Items)-1].Day
	keptLast := filepath.Join(t.TempDir(), "last.json")
	if err := writeSaved(keptLast, savedCheckpoints{Items: all.Items[len(all.Items)-1:], Total: 1, Keys: all.Keys}); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runCmd(t, append([]string{"checkpoint", "check", "--file", keptLast}, args...)...)
	if code != 0 || !strings.HasPrefix(out, fmt.Sprintf("ok: %d checkpoints", len(all.Items))) {
		t.Fatalf("the last day pins every day before it: %d %s %s", code, out, errOut)
	}

	// The attack: the last event of a case from an earlier day goes, with
	// its documents and messages; the row is rolled back; the checkpoints
	// are written anew with the installation's own key.
	var caseID int64
	var last int
	var at time.Time
	if err := db.R.QueryRow(`SELECT c.id, c.version, e.at FROM cases c JOIN case_events e ON e.case_id = c.id AND e.seq = c.version
		WHERE c.version >= 3 ORDER BY c.id LIMIT 1`).Scan(&caseID, &last, &at); err != nil {
		t.Fatal(err)
	}
	day := at.In(shanghai).Format("2006-01-02")
	for _, q := range []string{`DELETE FROM case_documents WHERE case_id = $1 AND event_seq = $2`, `DELETE FROM case_events WHERE case_id = $1 AND seq = $2`,
		`UPDATE cases SET version = $2 - 1, last_hash = (SELECT hash FROM case_events WHERE case_id = $1 AND seq = $2 - 1) WHERE id = $1`} {
		if _, err := db.W.Exec(q, caseID, last); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.W.Exec(`DELETE FROM case_messages WHERE case_id = $1 AND at = $2`, caseID, at); err != nil {
		t.Fatal(err)
	}
	// Caught from the last day's checkpoint alone, naming the day.
	code, out, _ = runCmd(t, append([]string{"checkpoint", "check", "--file", keptLast}, args...)...)
	if code == 0 || !strings.Contains(out, "BROKEN checkpoint "+day+": the day had") {
		t.Fatalf("deleted event against the last day's checkpoint: %d %s", code, out)
	}
	if _, err := db.W.Exec(`DELETE FROM checkpoints`); err != nil {
		t.Fatal(err)
	}
	if _, err := cps.WriteDue(ctx); err != nil {
		t.Fatal(err)
	}
	code, out, _ = runCmd(t, "checkpoint", "check", "--url", ts.URL, "--file", saved)
	if code == 0 || !strings.Contains(out, "BROKEN checkpoint "+day+": the published checkpoint differs from the one saved earlier") {
		t.Fatalf("re-signed history against the saved file: %d %s", code, out)
	}
	code, out, _ = runCmd(t, append([]string{"checkpoint", "check", "--file", saved}, args...)...)
	if code == 0 || !strings.Contains(out, "BROKEN checkpoint "+day+": the day had") {
		t.Fatalf("the database against the saved file: %d %s", code, out)
	}
	// Re-signed: the last day's kept checkpoint no longer links to the
	// database's history.
	code, out, _ = runCmd(t, append([]string{"checkpoint", "check", "--file", keptLast}, args...)...)
	if code == 0 || !strings.Contains(out, "BROKEN checkpoint "+lastDay+": prev does not name the checkpoint of") {
		t.Fatalf("re-signed history against the last day's checkpoint: %d %s", code, out)
	}

	// Rotation: a new key id, the old public key kept.
	before, _ := os.ReadFile(filepath.Join(data, checkpoint.KeyFile))
	code, out, errOut = runCmd(t, append([]string{"checkpoint", "rotate-key"}, args...)...)
	after, _ := os.ReadFile(filepath.Join(data, checkpoint.KeyFile))
	if code != 0 || !strings.Contains(out, "rotated: key "+key.ID) || string(before) == string(after) {
		t.Fatalf("rotate: %d %s %s", code, out, errOut)
	}
	if code, _, errOut = runCmd(t, "checkpoint", "check"); code == 0 || !strings.Contains(errOut, "--url") {
		t.Fatalf("no source: %d %s", code, errOut)
	}
}

var shanghai, _ = time.LoadLocation("Asia/Shanghai")
