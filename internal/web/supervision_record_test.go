package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"onestop/internal/cases"
	"onestop/internal/checkpoint"
	"onestop/internal/demo"
	"onestop/internal/web"
)

// bundle is an evidence bundle as an auditor unpacks it.
type bundle struct {
	Case   web.EvidenceCase
	Events []web.EvidenceEvent
	Seal   web.EvidenceSeal
	Readme string
}

func download(t *testing.T, c *client, no string) (int, *bundle) {
	t.Helper()
	res, body := c.get("/supervision/cases/" + no + "/evidence.zip")
	if res.StatusCode != http.StatusOK {
		return res.StatusCode, nil
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/zip" {
		t.Fatalf("content type %q", ct)
	}
	zr, err := zip.NewReader(bytes.NewReader([]byte(body)), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	b := &bundle{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		switch f.Name {
		case "case.json":
			err = json.Unmarshal(data, &b.Case)
		case "events.json":
			err = json.Unmarshal(data, &b.Events)
		case "checkpoint.json":
			err = json.Unmarshal(data, &b.Seal)
		case "README.txt":
			b.Readme = string(data)
		default:
			t.Fatalf("unexpected file %s", f.Name)
		}
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
	}
	return res.StatusCode, b
}

// check re-verifies a bundle as its README tells an auditor to, using
// only what is in it and the hash and signature primitives: the chain, the
// last hash against the case, the inclusion proof against the checkpoint's
// root and the checkpoint's signature against its public key. It returns
// the first thing that does not hold, or "".
func (b *bundle) check() string {
	prev := ""
	for i, e := range b.Events {
		at, err := time.Parse("2006-01-02T15:04:05.000Z", e.At)
		if err != nil {
			return fmt.Sprintf("event %d: at %q", e.Seq, e.At)
		}
		// The canonical text is rebuilt from the fields, not trusted.
		canon := string(cases.Canonical(b.Case.No, cases.Event{Seq: e.Seq, At: at, ActorID: e.ActorID, Actor: e.Actor, Role: e.Role, Place: e.Place,
			Action: e.Action, Payload: json.RawMessage(e.Payload)}))
		sum := sha256.Sum256([]byte(e.PrevHash + canon))
		switch {
		case e.Seq != i+1:
			return fmt.Sprintf("event %d out of order", e.Seq)
		case e.PrevHash != prev:
			return fmt.Sprintf("event %d: prev_hash", e.Seq)
		case canon != e.Canonical:
			return fmt.Sprintf("event %d: canonical text differs from its fields", e.Seq)
		case hex.EncodeToString(sum[:]) != e.Hash:
			return fmt.Sprintf("event %d: hash", e.Seq)
		}
		prev = e.Hash
	}
	if prev != b.Case.LastHash || len(b.Events) != b.Case.Version {
		return "the last event is not the case's last hash, or the count is not its version"
	}
	cp, inc, key := b.Seal.Checkpoint, b.Seal.Inclusion, b.Seal.PublicKey
	if cp == nil || inc == nil || key == nil {
		return "no checkpoint, proof or key: " + b.Seal.Note
	}
	leaf, err := hex.DecodeString(prev)
	if err != nil || inc.EventHash != prev {
		return "the proof is not for the last event"
	}
	if inc.Size != int(cp.Events) || inc.Day != cp.Day || !checkpoint.VerifyPath(leaf, inc.Index, inc.Size, inc.Path, cp.Root) {
		return "the inclusion proof does not lead to the checkpoint's root"
	}
	pub, err := base64.StdEncoding.DecodeString(key.PublicKey)
	if err != nil || len(pub) != ed25519.PublicKeySize || checkpoint.KeyID(pub) != cp.KeyID || key.KeyID != cp.KeyID {
		return "the public key is not the checkpoint's"
	}
	statement := fmt.Sprintf("onestop-checkpoint/1\nday %s\nevents %d\nroot %s\nprev %s\n", cp.Day, cp.Events, cp.Root, cp.Prev)
	sig, err := base64.StdEncoding.DecodeString(cp.Signature)
	if err != nil || cp.Statement != statement || !ed25519.Verify(pub, []byte(statement), sig) {
		return "the checkpoint's signature does not hold"
	}
	return ""
}

// sealDays gives the checkpoint service a key and writes every day's
// checkpoint up to yesterday.
func sealDays(t *testing.T, cf *caseFixture) {
	t.Helper()
	ctx := context.Background()
	if cf.srv.Checkpoints.Key == nil {
		key, err := checkpoint.LoadOrCreateKey(filepath.Join(t.TempDir(), checkpoint.KeyFile))
		if err != nil {
			t.Fatal(err)
		}
		cf.srv.Checkpoints.Key = key
		if err := cf.srv.Checkpoints.RegisterKey(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := cf.srv.Checkpoints.WriteDue(ctx); err != nil {
		t.Fatal(err)
	}
}

// The evidence bundle of a case opens, and what is inside re-verifies by
// hand: the chain, the inclusion proof against the day's signed checkpoint
// and its signature. Before the day is sealed the bundle says so; an event
// edited afterwards fails the same check; another county's supervisor
// gets "not found".
func TestEvidenceBundleVerifiesByHand(t *testing.T) {
	cf := newCaseFixture(t)
	ctx := context.Background()
	if err := demo.EnsureProvince(ctx, cf.db, 431022, 2, nil); err != nil {
		t.Fatal(err)
	}
	clerk := cf.login("clerk")
	no := cf.intake(clerk, "T-001", 1, 2)
	if res, page := cf.act(clerk, no, "accept", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d %s", res.StatusCode, problemOf(page))
	}
	for _, other := range []string{"clerk", "clerk", "clerk"} { // the day holds more events than the case's
		cf.intake(cf.login(other), "T-001", 1)
	}
	sup := cf.login("supervisor")
	st, b := download(t, sup, no)
	if st != http.StatusOK {
		t.Fatalf("download: %d", st)
	}
	if b.Seal.Checkpoint != nil || !strings.Contains(b.Seal.Note, "not checkpointed yet") || len(b.Events) != 2 {
		t.Fatalf("before the day is sealed: %+v, %d events", b.Seal, len(b.Events))
	}
	if b.Case.Facts["state"] != "in_progress" || !strings.Contains(b.Readme, "如何手工核对") || !strings.Contains(b.Readme, "How to check it by hand") {
		t.Fatalf("case facts %v / README", b.Case.Facts)
	}
	// No personal data beyond the record's own.
	if _, body := sup.get("/supervision/cases/" + no + "/evidence.zip"); strings.Contains(body, appNumber) {
		t.Fatal("the bundle carries the applicant's ID number")
	}

	// Two days on, the day is sealed: everything checks.
	cf.set(cf.clock().Add(48 * time.Hour))
	sealDays(t, cf)
	sup = cf.login("supervisor")
	if _, b = download(t, sup, no); b.check() != "" {
		t.Fatalf("a sound record does not check: %s", b.check())
	}
	if b.Seal.Inclusion.Size < 5 {
		t.Fatalf("the proof is over %d events; the day had at least 5", b.Seal.Inclusion.Size)
	}
	// The record page's check agrees, checkpoints included.
	if res, _ := sup.post("/supervision/record/verify", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("start: %d", res.StatusCode)
	}
	if state, page := waitVerified(t, sup); state != "ok" || !strings.Contains(page, `data-testid="record-checkpoints"`) {
		t.Fatalf("the sealed record: %s\n%s", state, problemOf(page))
	}
	// The leader may take it too; county B's supervisor may not.
	if st, _ := download(t, cf.login("leader"), no); st != http.StatusOK {
		t.Fatalf("leader: %d", st)
	}
	for _, u := range []string{"c430121.supervisor", "c430121.leader"} {
		if st, _ := download(t, cf.login(u), no); st != http.StatusNotFound {
			t.Fatalf("%s downloads county A's case: %d", u, st)
		}
	}
	if st, _ := download(t, cf.login("clerk"), no); st != http.StatusForbidden {
		t.Fatalf("a clerk downloads a bundle: %d", st)
	}
	// The record page's box leads to the bundle.
	if res, _ := sup.get("/supervision/evidence?no=" + strings.ToLower(no)); res.StatusCode != http.StatusSeeOther ||
		res.Header.Get("Location") != "/supervision/cases/"+no+"/evidence.zip" {
		t.Fatalf("lookup: %d %s", res.StatusCode, res.Header.Get("Location"))
	}

	// An event rewritten after sealing, even with its hash recomputed so
	// the chain itself holds, no longer proves against the checkpoint.
	var seq int
	var payload, prev string
	var at time.Time
	var e cases.Event
	caseID := cf.idOf(`SELECT id FROM cases WHERE no = $1`, no)
	if err := cf.db.R.QueryRow(`SELECT seq, at, COALESCE(actor_id, 0), actor, role, place, action, payload, prev_hash FROM case_events
		WHERE case_id = $1 ORDER BY seq DESC LIMIT 1`, caseID).Scan(&seq, &at, &e.ActorID, &e.Actor, &e.Role, &e.Place, &e.Action, &payload, &prev); err != nil {
		t.Fatal(err)
	}
	e.Seq, e.At, e.PrevHash, e.Actor = seq, at, prev, "改写的人"
	e.Payload = json.RawMessage(payload)
	forged := cases.HashEvent(no, e)
	if _, err := cf.db.W.Exec(`UPDATE case_events SET actor = $1, hash = $2 WHERE case_id = $3 AND seq = $4`, e.Actor, forged, caseID, seq); err != nil {
		t.Fatal(err)
	}
	if _, err := cf.db.W.Exec(`UPDATE cases SET last_hash = $1 WHERE id = $2`, forged, caseID); err != nil {
		t.Fatal(err)
	}
	if st, b := download(t, sup, no); st != http.StatusOK || b.check() == "" || !strings.HasPrefix(b.Seal.Note, "BROKEN") {
		t.Fatalf("a rewritten event still checks: %d %q %q", st, b.check(), b.Seal.Note)
	}
}

// waitVerified polls the record page until the background check is done
// and returns its final state and page.
func waitVerified(t *testing.T, c *client) (string, string) {
	t.Helper()
	for range 200 {
		_, page := c.get("/supervision/record")
		i := strings.Index(page, `data-testid="verify-status" data-state="`)
		if i < 0 {
			t.Fatalf("no status on the page:\n%s", problemOf(page))
		}
		state := page[i+len(`data-testid="verify-status" data-state="`):]
		state = state[:strings.IndexByte(state, '"')]
		if state != "running" {
			return state, page
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the check did not finish")
	return "", ""
}

// The supervisor runs the chain verification from the record page: it
// runs in the background (the request returns at once), reports a sound
// record as sound, and after an edit names the broken case to its own
// county's supervisor but not to another county's.
func TestRecordVerificationFromThePage(t *testing.T) {
	cf := newCaseFixture(t)
	ctx := context.Background()
	if err := demo.EnsureProvince(ctx, cf.db, 431022, 2, nil); err != nil {
		t.Fatal(err)
	}
	clerk := cf.login("clerk")
	no := cf.intake(clerk, "T-001", 1, 2)
	fgj := cf.idOf(`SELECT department_id FROM staff WHERE username = 'clerk'`)
	sup := cf.login("supervisor")
	issueOrder(t, sup, fgj, 5, no)
	res, page := sup.get("/supervision/record")
	if res.StatusCode != http.StatusOK || !strings.Contains(page, `id="record-verify"`) || !strings.Contains(page, `href="/checkpoints"`) {
		t.Fatalf("record page: %d %s", res.StatusCode, problemOf(page))
	}
	if res, _ := sup.post("/supervision/record/verify", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("start: %d", res.StatusCode)
	}
	if state, page := waitVerified(t, sup); state != "ok" {
		t.Fatalf("a sound record: %s\n%s", state, problemOf(page))
	}
	// An edited case row and an edited order reply.
	if _, err := cf.db.W.Exec(`UPDATE cases SET promised_days = 1 WHERE no = $1`, no); err != nil {
		t.Fatal(err)
	}
	if _, err := cf.db.W.Exec(`UPDATE correction_order_events SET text = '改过' WHERE seq = 1`); err != nil {
		t.Fatal(err)
	}
	if res, _ := sup.post("/supervision/record/verify", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("restart: %d", res.StatusCode)
	}
	state, page := waitVerified(t, sup)
	if state != "broken" || !strings.Contains(page, "case "+no) || !strings.Contains(page, "correction order 督-2026-0001") {
		t.Fatalf("an edited record: %s\n%s", state, page)
	}
	// County B's supervisor sees the same run, without county A's breaks.
	other := cf.login("c430121.supervisor")
	if state, page := waitVerified(t, other); state != "ok" || strings.Contains(page, no) || strings.Contains(page, "督-2026-0001") {
		t.Fatalf("county B sees county A's breaks: %s", state)
	}
}
