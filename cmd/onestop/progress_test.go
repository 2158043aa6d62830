package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Run into a log file (not a terminal), the long commands write plain
// lines: no carriage return rewriting a line, and each step said.
func TestProgressReadsWellInALog(t *testing.T) {
	defer func(old time.Duration) { progressEvery = old }(progressEvery)
	progressEvery = 0 // every update, so the in-between ones are seen too
	data := t.TempDir()
	plain := func(what, errOut string, want ...string) {
		t.Helper()
		if strings.Contains(errOut, "\r") {
			t.Errorf("%s writes carriage returns into a log: %q", what, errOut)
		}
		for _, w := range want {
			if !strings.Contains(errOut, w+"\n") {
				t.Errorf("%s does not say %q: %q", what, w, errOut)
			}
		}
	}
	code, out, errOut := runCmd(t, "gen", "--data", data, "--cases", "60", "--per-day", "20")
	if code != 0 {
		t.Fatalf("gen: %d %s %s", code, out, errOut)
	}
	plain("gen", errOut, "60/60 cases (100%)")
	code, out, errOut = runCmd(t, "verify", "--data", data)
	if code != 0 {
		t.Fatalf("verify: %d %s %s", code, out, errOut)
	}
	plain("verify", errOut)
	archive := filepath.Join(t.TempDir(), "b.tar.gz")
	if code, out, errOut = runCmd(t, "backup", "--data", data, "--out", archive); code != 0 {
		t.Fatalf("backup: %d %s %s", code, out, errOut)
	}
	plain("backup", errOut, "backup: copying the database", "backup: archiving the uploaded files")
	if code, out, errOut = runCmd(t, "restore", "--from", archive, "--data", t.TempDir()); code != 0 {
		t.Fatalf("restore: %d %s %s", code, out, errOut)
	}
	plain("restore", errOut, "restore: unpacking the archive", "restore: verifying every case record")
}

// In a log, the in-between updates are lines of their own, at most one
// every progressEvery, and the last is always written.
func TestProgressCounterInALog(t *testing.T) {
	defer func(old time.Duration) { progressEvery = old }(progressEvery)
	var log bytes.Buffer
	progressEvery = time.Hour
	count := newProgress(&log).counter("cases")
	count(10, 60)
	count(20, 60)
	if log.Len() != 0 {
		t.Fatalf("an update within progressEvery was written: %q", log.String())
	}
	count(60, 60)
	if log.String() != "[##############################] 60/60 cases (100%)\n" {
		t.Fatalf("the last update: %q", log.String())
	}
	log.Reset()
	progressEvery = 0
	count = newProgress(&log).counter("cases")
	count(30, 60)
	if !strings.HasPrefix(log.String(), "[###############...............] 30/60 cases (50%), about ") || !strings.HasSuffix(log.String(), " left\n") {
		t.Fatalf("an update in a log: %q", log.String())
	}
}
