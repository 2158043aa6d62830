package cases_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"onestop/internal/applicants"
	"onestop/internal/cases"
	"onestop/internal/files"
)

// breaks runs verify (re-hashing files when fs is set) and returns every
// break it reports.
func (w *world) breaks(fs *files.Store) []cases.Break {
	w.t.Helper()
	var out []cases.Break
	r, err := cases.VerifyAll(context.Background(), w.db, cases.VerifyOptions{Files: fs, Report: func(b cases.Break) { out = append(out, b) }})
	if err != nil {
		w.t.Fatal(err)
	}
	if r.Breaks != len(out) {
		w.t.Fatalf("%d breaks counted, %d reported", r.Breaks, len(out))
	}
	return out
}

// wantBreak fails unless some break of the case names want.
func wantBreak(t *testing.T, got []cases.Break, no, want string) {
	t.Helper()
	for _, b := range got {
		if b.CaseNo == no && strings.Contains(b.Reason, want) {
			return
		}
	}
	t.Fatalf("no break of case %s naming %q in %v", no, want, got)
}

func (w *world) exec(q string, args ...any) {
	w.t.Helper()
	if _, err := w.db.W.Exec(q, args...); err != nil {
		w.t.Fatal(err)
	}
}

// approved is a case approved by the approver, with its record clean.
func (w *world) approved() *cases.Case {
	w.t.Helper()
	c := w.submit("T-001", 1, 2)
	w.act("clerk", c.No, cases.ActAccept, cases.Input{})
	w.act("reviewer", c.No, cases.ActForward, cases.Input{Opinion: "材料齐全。"})
	c = w.act("approver", c.No, cases.ActApprove, cases.Input{Opinion: "同意"})
	if got := w.breaks(nil); len(got) != 0 {
		w.t.Fatalf("clean record: %v", got)
	}
	return c
}

// Someone with the database edits what the case row says; verify names the
// column, the row's value and the record's.
func TestVerifyCatchesAnEditedCaseRow(t *testing.T) {
	w := newWorld(t)
	c := w.approved()
	as := &applicants.Service{DB: w.db, Now: w.clock}
	other, err := as.Register(context.Background(), applicants.Input{Kind: "citizen", IDNumber: "110105194912310038", Name: "李四", Phone: "13900139000"}, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, set, want string }{
		{"state", `state = 'refused'`, `state is "refused" in the row but "approved" in the record`},
		{"decision", `decision = 'refused'`, `decision is "refused" in the row`},
		{"applicant", `applicant_id = ` + strconv.FormatInt(other.ID, 10), `applicant_id is "` + strconv.FormatInt(other.ID, 10) + `" in the row`},
		{"deadline", `deadline = statutory_deadline`, `deadline is "` + c.StatutoryDeadline.String() + `" in the row but "` + c.Deadline.String() + `"`},
		{"deemed", `deemed = TRUE`, `deemed is "true" in the row`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w.exec(`UPDATE cases SET `+tc.set+` WHERE no = $1`, c.No)
			got := w.breaks(nil)
			wantBreak(t, got, c.No, tc.want)
			// Put it back for the next edit.
			w.exec(`UPDATE cases SET state = 'approved', decision = 'approved', applicant_id = $1, deadline = $2, deemed = FALSE WHERE no = $3`,
				w.app.ID, c.Deadline.Time(time.UTC), c.No)
			if got := w.breaks(nil); len(got) != 0 {
				t.Fatalf("restored: %v", got)
			}
		})
	}
}

// Deleting the last event and rolling the row's last_hash and version back
// leaves a chain that links; the row still says what the deleted event did.
func TestVerifyCatchesATruncatedChain(t *testing.T) {
	w := newWorld(t)
	c := w.approved()
	w.exec(`DELETE FROM case_events WHERE case_id = (SELECT id FROM cases WHERE no = $1) AND seq = 4`, c.No)
	w.exec(`UPDATE cases SET version = 3, last_hash = (SELECT hash FROM case_events e WHERE e.case_id = cases.id AND e.seq = 3) WHERE no = $1`, c.No)
	got := w.breaks(nil)
	wantBreak(t, got, c.No, `state is "approved" in the row but "in_progress" in the record`)
	wantBreak(t, got, c.No, `document "approval" is stored but no event issued it`)
	wantBreak(t, got, c.No, `a message ("case.msg.approved", `)
}

// Messages to the applicant and documents issued are checked against the
// events that sent and issued them: edited, deleted or forged.
func TestVerifyCatchesEditedMessagesAndDocuments(t *testing.T) {
	w := newWorld(t)
	c := w.approved()
	d := w.approved()
	e := w.approved()
	w.exec(`UPDATE case_messages SET text = 'case.msg.refused' WHERE kind = 'approve' AND case_id = (SELECT id FROM cases WHERE no = $1)`, c.No)
	w.exec(`DELETE FROM case_messages WHERE kind = 'accept' AND case_id = (SELECT id FROM cases WHERE no = $1)`, d.No)
	w.exec(`INSERT INTO case_documents (case_id, kind, event_seq, issued_at) SELECT id, 'refusal', 4, $2 FROM cases WHERE no = $1`, e.No, w.clock())
	got := w.breaks(nil)
	wantBreak(t, got, c.No, `message 3 to the applicant was edited: stored "case.msg.refused"`)
	wantBreak(t, got, d.No, `"case.msg.accepted"`)
	wantBreak(t, got, e.No, `document "refusal" is stored but no event issued it`)
	// Every break is reported, not only the first.
	if len(got) != 3 {
		t.Fatalf("want one break per case, got %v", got)
	}
}

// A material's file: the stored bytes are re-hashed, and the material row
// must name the file its event recorded.
func TestVerifyCatchesASwappedFile(t *testing.T) {
	w := newWorld(t)
	fs := &files.Store{Dir: t.TempDir()}
	pdf := func(s string) files.Ref {
		ref, err := fs.Put(bytes.NewReader([]byte("%PDF-1.4\n"+s+"\n%%EOF\n")), s+".pdf", 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		return ref
	}
	form, other := pdf("application form"), pdf("something else")
	c, err := w.eng.Submit(context.Background(), w.actors["clerk"], cases.SubmitInput{ItemCode: "T-001", ApplicantID: w.app.ID,
		Materials: []cases.MaterialChange{{Seq: 1, File: &cases.FileRef{SHA256: form.SHA256, Name: form.Name, Type: form.Type, Size: form.Size}}, {Seq: 2, Paper: true}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := w.breaks(fs); len(got) != 0 {
		t.Fatalf("clean: %v", got)
	}
	// The stored bytes replaced.
	path := filepath.Join(fs.Dir, form.SHA256[:2], form.SHA256[2:4], form.SHA256)
	if err := os.WriteFile(path, []byte("%PDF-1.4\nforged\n%%EOF\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	wantBreak(t, w.breaks(fs), c.No, "material 1's file "+form.SHA256+": the stored bytes do not match the hash (the file was swapped)")
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	wantBreak(t, w.breaks(fs), c.No, "missing from the file store")
	// The material pointed at another stored file.
	w.exec(`UPDATE case_materials SET file_sha256 = $1 WHERE seq = 1 AND case_id = (SELECT id FROM cases WHERE no = $2)`, other.SHA256, c.No)
	wantBreak(t, w.breaks(nil), c.No, "material 1 was edited: stored received file "+other.SHA256+", recorded received file "+form.SHA256)
}

// The pause ledger (time excluded from the limit, Art. 45) is part of the
// record: shortening or deleting a pause shows.
func TestVerifyCatchesAnEditedPause(t *testing.T) {
	w := newWorld(t)
	c := w.submit("T-001", 1, 2)
	w.act("clerk", c.No, cases.ActAccept, cases.Input{})
	w.act("reviewer", c.No, cases.ActSuspend, cases.Input{PauseReason: "expert_review", ExpectedDays: 5})
	w.set(w.clock().Add(72 * time.Hour))
	w.act("reviewer", c.No, cases.ActResume, cases.Input{})
	if got := w.breaks(nil); len(got) != 0 {
		t.Fatalf("clean: %v", got)
	}
	w.exec(`UPDATE case_pauses SET to_at = from_at WHERE case_id = (SELECT id FROM cases WHERE no = $1)`, c.No)
	wantBreak(t, w.breaks(nil), c.No, "pauses is ")
	w.exec(`DELETE FROM case_pauses WHERE case_id = (SELECT id FROM cases WHERE no = $1)`, c.No)
	wantBreak(t, w.breaks(nil), c.No, `pauses is "" in the row but "2026-09-28T02:00:00.000Z/2026-10-01T02:00:00.000Z/expert_review/5"`)
}

// A case begun before events carried their record (an upgraded
// installation) still has its chain checked, is counted, and raises no
// false alarm; a deleted middle event is named once, where it is missing.
func TestVerifyUnrecordedCasesAndAMissingMiddleEvent(t *testing.T) {
	w := newWorld(t)
	old := w.approved()
	c := w.approved()
	ctx := context.Background()
	// Rewrite old's events as the previous version wrote them: no record.
	rows, err := w.db.R.Query(`SELECT e.seq, e.at, COALESCE(e.actor_id, 0), e.actor, e.role, e.place, e.action, e.payload FROM case_events e
		JOIN cases c ON c.id = e.case_id WHERE c.no = $1 ORDER BY e.seq`, old.No)
	if err != nil {
		t.Fatal(err)
	}
	var evs []cases.Event
	for rows.Next() {
		var e cases.Event
		var p string
		if err := rows.Scan(&e.Seq, &e.At, &e.ActorID, &e.Actor, &e.Role, &e.Place, &e.Action, &p); err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(p), &m); err != nil {
			t.Fatal(err)
		}
		delete(m, "record")
		e.Payload, _ = json.Marshal(m)
		evs = append(evs, e)
	}
	rows.Close()
	prev := ""
	for _, e := range evs {
		e.PrevHash = prev
		e.Hash = cases.HashEvent(old.No, e)
		prev = e.Hash
		w.exec(`UPDATE case_events SET payload = $1, prev_hash = $2, hash = $3 WHERE seq = $4 AND case_id = (SELECT id FROM cases WHERE no = $5)`,
			string(e.Payload), e.PrevHash, e.Hash, e.Seq, old.No)
	}
	w.exec(`UPDATE cases SET last_hash = $1 WHERE no = $2`, prev, old.No)
	r, err := cases.VerifyAll(ctx, w.db, cases.VerifyOptions{})
	if err != nil || r.Breaks != 0 || r.Unrecorded != 1 || r.Cases != 2 {
		t.Fatalf("with an unrecorded case: %+v %v", r, err)
	}
	// Event 2 of c deleted: named as missing, once, and its documents and
	// messages as issued by no event.
	w.exec(`DELETE FROM case_events WHERE seq = 2 AND case_id = (SELECT id FROM cases WHERE no = $1)`, c.No)
	got := w.breaks(nil)
	wantBreak(t, got, c.No, "event 2 is missing (found 3 next)")
	wantBreak(t, got, c.No, `document "acceptance" is stored but no event issued it`)
	n := 0
	for _, b := range got {
		if b.Seq == 3 {
			n++
		}
	}
	if n != 0 {
		t.Fatalf("event 3 blamed for the gap before it: %v", got)
	}
}

// A whole case deleted — its row, events and everything beside them —
// leaves its number issued without a case: verify names the number at
// once, before any checkpoint covers the day.
func TestVerifyCatchesADeletedCase(t *testing.T) {
	w := newWorld(t)
	w.approved()
	gone := w.approved()
	w.approved()
	for _, tbl := range []string{"case_events", "case_documents", "case_messages", "case_materials", "case_pauses"} {
		w.exec(`DELETE FROM `+tbl+` WHERE case_id = (SELECT id FROM cases WHERE no = $1)`, gone.No)
	}
	w.exec(`DELETE FROM cases WHERE no = $1`, gone.No)
	got := w.breaks(nil)
	wantBreak(t, got, gone.No, "the case is missing: its number was issued (case deleted)")
	if len(got) != 1 {
		t.Fatalf("only the deleted case: %v", got)
	}
}
