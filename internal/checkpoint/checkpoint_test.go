package checkpoint_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/checkpoint"
	"onestop/internal/demo"
	"onestop/internal/store"
	"onestop/internal/testutil"
)

// until is the last day of generated history; the checkpoint writer runs
// two days later, so every generated day is complete.
var until = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

type rig struct {
	t   *testing.T
	db  *store.DB
	svc *checkpoint.Service
	dir string
}

// newRig is the demo county with ten days of cases made by the engine,
// and a checkpoint service with a fresh key.
func newRig(t *testing.T) *rig {
	t.Helper()
	ctx := context.Background()
	db := testutil.NewTestDB(t)
	if _, err := demo.Ensure(ctx, db, 431022); err != nil {
		t.Fatal(err)
	}
	if err := demo.GenerateCases(ctx, db, demo.CaseOptions{PerDay: 4, Days: 10, Until: until, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	key, err := checkpoint.LoadOrCreateKey(filepath.Join(dir, checkpoint.KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, db: db, dir: dir, svc: &checkpoint.Service{DB: db, Key: key, Now: func() time.Time { return until.Add(48 * time.Hour) }}}
	if err := r.svc.RegisterKey(ctx); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *rig) write() int {
	r.t.Helper()
	n, err := r.svc.WriteDue(context.Background())
	if err != nil {
		r.t.Fatal(err)
	}
	return n
}

// published is what an auditor saved from the public API: the JSON of
// every checkpoint, read back.
func (r *rig) published() []checkpoint.Checkpoint {
	r.t.Helper()
	list, total, err := r.svc.List(context.Background(), calendar.Date{}, calendar.Date{}, 1000, 0)
	if err != nil || total != len(list) {
		r.t.Fatalf("list: %v, %d of %d", err, len(list), total)
	}
	b, err := json.Marshal(map[string]any{"items": list, "total": total})
	if err != nil {
		r.t.Fatal(err)
	}
	var saved struct{ Items []checkpoint.Checkpoint }
	if err := json.Unmarshal(b, &saved); err != nil {
		r.t.Fatal(err)
	}
	return saved.Items
}

func (r *rig) stored() []checkpoint.Problem {
	r.t.Helper()
	var out []checkpoint.Problem
	if _, err := checkpoint.VerifyStored(context.Background(), r.db, nil, func(p checkpoint.Problem) { out = append(out, p) }); err != nil {
		r.t.Fatal(err)
	}
	return out
}

func (r *rig) exec(q string, args ...any) {
	r.t.Helper()
	if _, err := r.db.W.Exec(q, args...); err != nil {
		r.t.Fatal(err)
	}
}

func wantProblem(t *testing.T, got []checkpoint.Problem, day, want string) {
	t.Helper()
	for _, p := range got {
		if p.Day == day && strings.Contains(p.Reason, want) {
			return
		}
	}
	t.Fatalf("no problem on %s naming %q in %v", day, want, got)
}

// Every completed day gets one checkpoint, chained to the day before,
// empty days too; writing again, or from two processes at once, adds
// nothing and changes nothing.
func TestEveryCompletedDayIsCheckpointedOnce(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	var first time.Time
	if err := r.db.R.QueryRow(`SELECT at FROM case_events ORDER BY at LIMIT 1`).Scan(&first); err != nil {
		t.Fatal(err)
	}
	// From the first event's day through the day before "now" (until+2d).
	start := calendar.DateOf(first, shanghai(t))
	end := calendar.DateOf(until.Add(48*time.Hour), shanghai(t)).AddDays(-1)
	want := start.DaysUntil(end) + 1
	var wg sync.WaitGroup
	counts := make([]int, 3)
	for i := range counts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := *r.svc
			n, err := s.WriteDue(ctx)
			if err != nil {
				t.Error(err)
			}
			counts[i] = n
		}()
	}
	wg.Wait()
	if counts[0]+counts[1]+counts[2] != want {
		t.Fatalf("three writers wrote %v checkpoints, want %d in all", counts, want)
	}
	if n := r.write(); n != 0 {
		t.Fatalf("a second run wrote %d", n)
	}
	cps := r.published()
	if len(cps) != want || cps[0].Day != start.String() || cps[len(cps)-1].Day != end.String() || cps[0].Prev != "" {
		t.Fatalf("%d checkpoints from %s to %s", len(cps), cps[0].Day, cps[len(cps)-1].Day)
	}
	var events int64
	empty := 0
	for _, c := range cps {
		events += c.Events
		if c.Events == 0 {
			empty++
		}
	}
	var total int64
	if err := r.db.R.QueryRow(`SELECT COUNT(*) FROM case_events`).Scan(&total); err != nil {
		t.Fatal(err)
	}
	if events != total || empty == 0 {
		t.Fatalf("checkpoints cover %d of %d events, %d empty days", events, total, empty)
	}
	if got := r.stored(); len(got) != 0 {
		t.Fatalf("clean: %v", got)
	}
	keys := checkpoint.KeyMap([]checkpoint.PublicKey{{KeyID: r.svc.Key.ID, PublicKey: checkpoint.EncodePublic(r.svc.Key.Public)}})
	if got := checkpoint.CheckChain(cps, keys); len(got) != 0 {
		t.Fatalf("chain: %v", got)
	}
	// Today's events are not checkpointed before the day is over.
	r.svc.Now = func() time.Time { return until.Add(72 * time.Hour) }
	if n := r.write(); n != 1 {
		t.Fatalf("one more day passed: wrote %d", n)
	}
}

func shanghai(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// dayOf is the Shanghai day of an event.
func (r *rig) dayOf(no string, seq int) string {
	r.t.Helper()
	var at time.Time
	if err := r.db.R.QueryRow(`SELECT e.at FROM case_events e JOIN cases c ON c.id = e.case_id WHERE c.no = $1 AND e.seq = $2`, no, seq).Scan(&at); err != nil {
		r.t.Fatal(err)
	}
	return calendar.DateOf(at, shanghai(r.t)).String()
}

// A case with several events, the first of them days before "now".
func (r *rig) someCase() (no string, last int) {
	r.t.Helper()
	if err := r.db.R.QueryRow(`SELECT no, version FROM cases WHERE version >= 3 ORDER BY id LIMIT 1`).Scan(&no, &last); err != nil {
		r.t.Fatal(err)
	}
	return no, last
}

// Someone holding the database deletes the last event of a case from an
// earlier day, rolls the case row back and even deletes the checkpoints.
// The case's chain links again and verify finds nothing in the database
// alone; the checkpoint an auditor saved catches it.
func TestADeletedEventIsCaughtFromAPublishedCheckpointAlone(t *testing.T) {
	r := newRig(t)
	r.write()
	saved := r.published()
	no, last := r.someCase()
	day := r.dayOf(no, last)
	var caseID int64
	if err := r.db.R.QueryRow(`SELECT id FROM cases WHERE no = $1`, no).Scan(&caseID); err != nil {
		t.Fatal(err)
	}
	// The whole event undone: its documents and messages too, and the row
	// put back as the event before left it.
	var at time.Time
	if err := r.db.R.QueryRow(`SELECT at FROM case_events WHERE case_id = $1 AND seq = $2`, caseID, last).Scan(&at); err != nil {
		t.Fatal(err)
	}
	r.exec(`DELETE FROM case_documents WHERE case_id = $1 AND event_seq = $2`, caseID, last)
	r.exec(`DELETE FROM case_messages WHERE case_id = $1 AND at = $2`, caseID, at)
	r.exec(`DELETE FROM case_events WHERE case_id = $1 AND seq = $2`, caseID, last)
	r.exec(`UPDATE cases SET version = $2, last_hash = (SELECT hash FROM case_events WHERE case_id = $1 AND seq = $2) WHERE id = $1`, caseID, last-1)
	r.exec(`DELETE FROM checkpoints`)
	got := checkProblems(t, r, saved)
	wantProblem(t, got, day, "events or cases deleted or added")
	if len(got) != 1 {
		t.Fatalf("only that day: %v", got)
	}
}

func checkProblems(t *testing.T, r *rig, saved []checkpoint.Checkpoint) []checkpoint.Problem {
	t.Helper()
	got, err := checkpoint.CheckEvents(context.Background(), r.db.R, saved)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// An event rewritten and its chain recomputed (the hash is unkeyed, so the
// database's holder can): the case verifies, the checkpoint does not.
func TestARewrittenChainIsCaughtByTheCheckpoint(t *testing.T) {
	r := newRig(t)
	r.write()
	saved := r.published()
	no, last := r.someCase()
	day := r.dayOf(no, 2)
	ctx := context.Background()
	db := r.db
	var caseID int64
	if err := db.R.QueryRow(`SELECT id FROM cases WHERE no = $1`, no).Scan(&caseID); err != nil {
		t.Fatal(err)
	}
	// Rewrite event 2's actor, then every hash from there on.
	rows, err := db.R.Query(`SELECT seq, at, COALESCE(actor_id, 0), actor, role, place, action, payload FROM case_events WHERE case_id = $1 ORDER BY seq`, caseID)
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
		e.Payload = json.RawMessage(p)
		evs = append(evs, e)
	}
	rows.Close()
	prev := ""
	for i := range evs {
		e := &evs[i]
		if e.Seq == 2 {
			e.Actor = "someone else"
		}
		e.PrevHash = prev
		e.Hash = cases.HashEvent(no, *e)
		prev = e.Hash
		r.exec(`UPDATE case_events SET actor = $1, prev_hash = $2, hash = $3 WHERE case_id = $4 AND seq = $5`, e.Actor, e.PrevHash, e.Hash, caseID, e.Seq)
	}
	r.exec(`UPDATE cases SET last_hash = $1 WHERE id = $2`, prev, caseID)
	if brk, _, err := cases.Verify(ctx, db); err != nil || brk != nil || len(evs) != last {
		t.Fatalf("the rewritten chain verifies on its own: %v %v", brk, err)
	}
	wantProblem(t, checkProblems(t, r, saved), day, "no longer hash to the checkpoint's root")
	wantProblem(t, r.stored(), day, "no longer hash to the checkpoint's root")
}

// A whole case deleted — row, events and everything beside them — leaves
// nothing for the chains to notice; the day's checkpoint counts it.
func TestADeletedCaseIsCaughtByTheCheckpoint(t *testing.T) {
	r := newRig(t)
	r.write()
	saved := r.published()
	// The last case numbered on its day, so that the number counter can be
	// wound back too and leaves no gap for verify to find.
	var no string
	var centre int64
	if err := r.db.R.QueryRow(`SELECT c.no, c.centre_id FROM cases c WHERE c.version >= 3 AND NOT EXISTS (SELECT 1 FROM cases d
		WHERE d.centre_id = c.centre_id AND SUBSTR(d.no, 1, LENGTH(d.no) - 4) = SUBSTR(c.no, 1, LENGTH(c.no) - 4) AND d.no > c.no)
		ORDER BY c.id LIMIT 1`).Scan(&no, &centre); err != nil {
		t.Fatal(err)
	}
	day := r.dayOf(no, 1)
	r.exec(`UPDATE case_numbers SET last = last - 1 WHERE centre_id = $1 AND day = $2`, centre, no[len(no)-12:len(no)-4])
	for _, tbl := range []string{"case_events", "case_documents", "case_messages", "case_materials", "case_pauses", "supervision_flags"} {
		r.exec(`DELETE FROM `+tbl+` WHERE case_id = (SELECT id FROM cases WHERE no = $1)`, no)
	}
	r.exec(`DELETE FROM cases WHERE no = $1`, no)
	if brk, _, err := cases.Verify(context.Background(), r.db); err != nil || brk != nil {
		t.Fatalf("the remaining cases verify: %v %v", brk, err)
	}
	wantProblem(t, checkProblems(t, r, saved), day, "events or cases deleted or added")
	wantProblem(t, r.stored(), day, "events or cases deleted or added")
}

// The checkpoints themselves: an altered one fails its signature, a
// deleted day breaks the chain, and deleting the earliest ones leaves
// events before the first.
func TestAlteredOrDeletedCheckpointsAreCaught(t *testing.T) {
	r := newRig(t)
	r.write()
	cps := r.published()
	if len(cps) < 5 {
		t.Fatalf("%d checkpoints", len(cps))
	}
	r.exec(`UPDATE checkpoints SET events = events + 1 WHERE day = $1`, cps[1].Day)
	wantProblem(t, r.stored(), cps[1].Day, "the signature does not match")
	r.exec(`DELETE FROM checkpoints WHERE day = $1`, cps[3].Day)
	wantProblem(t, r.stored(), cps[4].Day, "are missing")
	r.exec(`DELETE FROM checkpoints WHERE day = $1`, cps[0].Day)
	got := r.stored()
	wantProblem(t, got, cps[1].Day, "names a previous one, which is gone")
	if cps[0].Events > 0 {
		wantProblem(t, got, cps[1].Day, "events lie before the first checkpoint")
	}
}

// The key is created once, kept private, and read back the same; after a
// rotation the new key signs and the old checkpoints still verify with
// the old public key, which stays published.
func TestKeyRotationKeepsOldCheckpointsCheckable(t *testing.T) {
	r := newRig(t)
	path := filepath.Join(r.dir, checkpoint.KeyFile)
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
	again, err := checkpoint.LoadOrCreateKey(path)
	if err != nil || again.ID != r.svc.Key.ID {
		t.Fatalf("reloaded key %v: %v", again, err)
	}
	r.svc.Now = func() time.Time { return until.Add(-72 * time.Hour) }
	r.write()
	old, cur, err := checkpoint.RotateKey(path)
	if err != nil || old.ID != r.svc.Key.ID || cur.ID == old.ID {
		t.Fatalf("rotate: %v %v %v", old, cur, err)
	}
	r.svc.Key = cur
	r.svc.Now = func() time.Time { return until.Add(48 * time.Hour) }
	if err := r.svc.RegisterKey(context.Background()); err != nil {
		t.Fatal(err)
	}
	r.write()
	cps := r.published()
	signers := map[string]bool{}
	for _, c := range cps {
		signers[c.KeyID] = true
	}
	if !signers[old.ID] || !signers[cur.ID] {
		t.Fatalf("signers %v", signers)
	}
	if got := r.stored(); len(got) != 0 {
		t.Fatalf("after rotation: %v", got)
	}
	pubs, err := r.svc.Keys(context.Background())
	if err != nil || len(pubs) != 2 {
		t.Fatalf("published keys %v %v", pubs, err)
	}
	// Without the old public key, its checkpoints do not verify.
	only := checkpoint.KeyMap(pubs[1:])
	if got := checkpoint.CheckChain(cps, only); len(got) == 0 || !strings.Contains(got[0].Reason, "not among the known public keys") {
		t.Fatalf("old key withheld: %v", got)
	}
}
