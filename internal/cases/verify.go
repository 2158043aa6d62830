package cases

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/files"
	"onestop/internal/store"
)

// Break names one place where the record does not hold. Seq is the event,
// or 0 when the break is in the rows beside the chain.
type Break struct {
	CaseNo string
	Seq    int
	Reason string
}

func (b *Break) Error() string {
	if b.Seq == 0 {
		return fmt.Sprintf("case %s: %s", b.CaseNo, b.Reason)
	}
	return fmt.Sprintf("case %s event %d: %s", b.CaseNo, b.Seq, b.Reason)
}

// VerifyOptions says what to check besides the chains and rows.
type VerifyOptions struct {
	// Files, when set, is the file store whose bytes are re-hashed for
	// every material that names a file.
	Files *files.Store
	// Report receives every break, in case order.
	Report func(Break)
	// Progress, when set, is told after each range of cases.
	Progress func(VerifyResult, int64)
}

// VerifyResult counts what was checked.
type VerifyResult struct {
	Cases, Events, Files int
	// Unrecorded cases began before events carried their record: their
	// chains are checked, their rows cannot be.
	Unrecorded int
	Breaks     int
	// LastID is the highest case id read so far (for progress).
	LastID int64
}

// verifyBatch is how many case ids VerifyAll reads per query (a variable
// for the test that crosses batches).
var verifyBatch int64 = 20000

// Verify checks every case and returns the first break (nil when all
// hold) and the number of events checked.
func Verify(ctx context.Context, db *store.DB) (*Break, int, error) {
	var first *Break
	r, err := VerifyAll(ctx, db, VerifyOptions{Report: func(b Break) {
		if first == nil {
			first = &b
		}
	}})
	return first, r.Events, err
}

// VerifyAll recomputes every case's chain, folds its events' records and
// compares them with the case row, its documents, messages and materials
// (and the materials' stored bytes), and finds case numbers issued whose
// case is gone, reporting every break. It streams, a
// range of case ids per query, so it runs in constant memory and
// temporary space: one query over every event sorted them all at once,
// and at 10M cases (50M events) PostgreSQL's sort filled the disk.
func VerifyAll(ctx context.Context, db *store.DB, opt VerifyOptions) (VerifyResult, error) {
	var r VerifyResult
	var last int64
	if err := db.R.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM cases`).Scan(&last); err != nil {
		return r, fmt.Errorf("verify: %w", err)
	}
	v := &verifier{ctx: ctx, db: db, opt: opt, res: &r, hashed: map[string]string{}}
	for lo := int64(0); lo <= last; lo += verifyBatch {
		if err := v.verifyRange(lo, lo+verifyBatch); err != nil {
			return r, fmt.Errorf("verify: %w", err)
		}
		r.LastID = min(lo+verifyBatch-1, last)
		if opt.Progress != nil {
			opt.Progress(r, last)
		}
	}
	if err := v.numbers(); err != nil {
		return r, fmt.Errorf("verify: %w", err)
	}
	return r, nil
}

type verifier struct {
	ctx context.Context
	db  *store.DB
	opt VerifyOptions
	res *VerifyResult
	// hashed remembers files already re-hashed (one scan is often handed
	// in for many cases); cleared when large, to keep memory bounded.
	hashed map[string]string
}

func (v *verifier) report(no string, seq int, format string, args ...any) {
	v.res.Breaks++
	if v.opt.Report != nil {
		v.opt.Report(Break{CaseNo: no, Seq: seq, Reason: fmt.Sprintf(format, args...)})
	}
}

// rowCase is a case row as verify reads it.
type rowCase struct {
	Case
	lastHash string
	version  int
}

// caseFold is one case's events folded.
type caseFold struct {
	row      *rowCase
	prev     string
	wantSeq  int
	recorded bool
	facts    RowFacts
	docs     []Document
	msgs     []Message
	mats     map[int]MaterialFact
}

func (v *verifier) verifyRange(lo, hi int64) error {
	ctx, q := v.ctx, v.db.Read()
	rows, err := q.QueryContext(ctx, `SELECT id, no, last_hash, version, state, decision, deemed, applicant_id, item_version_id, department_id,
		centre_id, channel, step, step_role, COALESCE(assignee_id, 0), paused, extension_days, promised_days, statutory_days, fees_fen, delivery,
		received_at, notice_due, accepted_at, decided_at, completed_at, delivered_at, closed_at, deadline, statutory_deadline, provisional
		FROM cases WHERE id >= $1 AND id < $2 ORDER BY id`, lo, hi)
	if err != nil {
		return err
	}
	var list []*rowCase
	for rows.Next() {
		c := &rowCase{}
		var deadline, statDeadline *time.Time
		if err := rows.Scan(&c.ID, &c.No, &c.lastHash, &c.version, &c.State, &c.Decision, &c.Deemed, &c.ApplicantID, &c.ItemVersionID,
			&c.DepartmentID, &c.CentreID, &c.Channel, &c.Step, &c.StepRole, &c.AssigneeID, &c.Paused, &c.ExtensionDays, &c.PromisedDays,
			&c.StatutoryDays, &c.FeesFen, &c.Delivery, &c.ReceivedAt, &c.NoticeDue, &c.AcceptedAt, &c.DecidedAt, &c.CompletedAt, &c.DeliveredAt,
			&c.ClosedAt, &deadline, &statDeadline, &c.Provisional); err != nil {
			rows.Close()
			return err
		}
		c.Deadline, c.StatutoryDeadline = dateOf(deadline), dateOf(statDeadline)
		list = append(list, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(list) == 0 {
		return nil
	}
	if err := v.pauses(lo, hi, list); err != nil {
		return err
	}
	mats, err := v.materials(lo, hi)
	if err != nil {
		return err
	}
	docs, err := v.documents(lo, hi)
	if err != nil {
		return err
	}
	msgs, err := v.messages(lo, hi)
	if err != nil {
		return err
	}
	erows, err := q.QueryContext(ctx, `SELECT case_id, seq, at, COALESCE(actor_id, 0), actor, role, place, action, payload, prev_hash, hash
		FROM case_events WHERE case_id >= $1 AND case_id < $2 ORDER BY case_id, seq`, lo, hi)
	if err != nil {
		return err
	}
	defer erows.Close()
	i := 0
	var cur *caseFold
	finish := func() {
		if cur != nil {
			v.finish(cur, mats[cur.row.ID], docs[cur.row.ID], msgs[cur.row.ID])
			cur = nil
		}
	}
	// open moves to the case with the given id, finishing those before it
	// (a case without events among them).
	open := func(caseID int64) bool {
		if cur != nil && cur.row.ID == caseID {
			return true
		}
		finish()
		for i < len(list) && list[i].ID < caseID {
			cur = &caseFold{row: list[i], wantSeq: 1}
			finish()
			i++
		}
		if i < len(list) && list[i].ID == caseID {
			cur = &caseFold{row: list[i], wantSeq: 1, mats: map[int]MaterialFact{}}
			i++
			return true
		}
		return false // events of a case row that is gone: FOREIGN KEY prevents it
	}
	for erows.Next() {
		var caseID int64
		var e Event
		var payload string
		if err := erows.Scan(&caseID, &e.Seq, &e.At, &e.ActorID, &e.Actor, &e.Role, &e.Place, &e.Action, &payload, &e.PrevHash, &e.Hash); err != nil {
			return err
		}
		e.Payload = json.RawMessage(payload)
		if !open(caseID) {
			continue
		}
		v.res.Events++
		v.event(cur, e)
	}
	if err := erows.Err(); err != nil {
		return err
	}
	finish()
	for ; i < len(list); i++ {
		cur = &caseFold{row: list[i], wantSeq: 1}
		finish()
	}
	return nil
}

// event checks one event's link and hash and folds its record.
func (v *verifier) event(f *caseFold, e Event) {
	no := f.row.No
	switch {
	case e.Seq != f.wantSeq:
		v.report(no, f.wantSeq, "event %d is missing (found %d next)", f.wantSeq, e.Seq)
	case e.PrevHash != f.prev:
		v.report(no, e.Seq, "prev_hash does not match the event before it (events removed, reordered or replaced)")
	}
	if hashEvent(no, e) != e.Hash {
		v.report(no, e.Seq, "the event's content does not match its hash (edited)")
	}
	f.prev, f.wantSeq = e.Hash, e.Seq+1
	var p struct {
		Record *eventRecord `json:"record"`
	}
	_ = json.Unmarshal(e.Payload, &p) // an unreadable payload was reported as edited
	if e.Seq == 1 {
		f.recorded = p.Record != nil
	}
	if !f.recorded || p.Record == nil {
		return
	}
	r := p.Record
	for k, val := range r.Row {
		for i, name := range rowFields {
			if name == k {
				f.facts[i] = val
			}
		}
	}
	for _, d := range r.Docs {
		f.docs = append(f.docs, Document{Kind: d, EventSeq: e.Seq, IssuedAt: e.At})
	}
	for _, m := range r.Msgs {
		f.msgs = append(f.msgs, Message{At: e.At, Kind: e.Action, Text: m})
	}
	for _, m := range r.Materials {
		f.mats[m.Seq] = m
	}
}

// finish compares a folded case with its rows.
func (v *verifier) finish(f *caseFold, mats []MaterialFact, docs []Document, msgs []Message) {
	c, no := f.row, f.row.No
	v.res.Cases++
	events := f.wantSeq - 1
	if events == 0 {
		v.report(no, 0, "the case has no events (its record was deleted)")
	}
	if f.prev != c.lastHash {
		v.report(no, events, "the case row's last_hash does not match its last event (events removed or the row edited)")
	}
	if c.version != events {
		v.report(no, 0, "the case row's version is %d but its record has %d events", c.version, events)
	}
	v.files(no, mats)
	if !f.recorded {
		if events > 0 {
			v.res.Unrecorded++
		}
		return
	}
	row := FactsOf(&c.Case)
	var diff []string
	for i := range row {
		if row[i] != f.facts[i] {
			diff = append(diff, fmt.Sprintf("%s is %q in the row but %q in the record", rowFields[i], row[i], f.facts[i]))
		}
	}
	if len(diff) > 0 {
		v.report(no, 0, "the stored case differs from its record (edited): %s", strings.Join(diff, "; "))
	}
	v.compareDocs(no, docs, f.docs)
	v.compareMsgs(no, msgs, f.msgs)
	v.compareMats(no, mats, f.mats)
}

// align walks the stored rows beside the recorded ones, in order, and
// calls missing, extra or edited for each difference; one deleted or
// inserted row is reported once, not as every row after it shifted.
func align[T any](stored, recorded []T, same func(a, b T) bool, missing func(int, T), extra func(int, T), edited func(int, T, T)) {
	i, j := 0, 0
	for i < len(stored) || j < len(recorded) {
		switch {
		case i >= len(stored):
			missing(j, recorded[j])
			j++
		case j >= len(recorded):
			extra(i, stored[i])
			i++
		case same(stored[i], recorded[j]):
			i, j = i+1, j+1
		case j+1 < len(recorded) && same(stored[i], recorded[j+1]):
			missing(j, recorded[j])
			j++
		case i+1 < len(stored) && same(stored[i+1], recorded[j]):
			extra(i, stored[i])
			i++
		default:
			edited(j, stored[i], recorded[j])
			i, j = i+1, j+1
		}
	}
}

func (v *verifier) compareDocs(no string, stored, recorded []Document) {
	align(stored, recorded, func(a, b Document) bool {
		return a.Kind == b.Kind && a.EventSeq == b.EventSeq && a.IssuedAt.Equal(b.IssuedAt)
	},
		func(_ int, r Document) {
			v.report(no, r.EventSeq, "document %q issued by this event is missing", r.Kind)
		},
		func(_ int, s Document) {
			v.report(no, s.EventSeq, "document %q is stored but no event issued it", s.Kind)
		},
		func(_ int, s, r Document) {
			v.report(no, r.EventSeq, "document %q (event %d, %s) was edited: the record issued %q (event %d, %s)",
				s.Kind, s.EventSeq, instant(&s.IssuedAt), r.Kind, r.EventSeq, instant(&r.IssuedAt))
		})
}

func (v *verifier) compareMsgs(no string, stored, recorded []Message) {
	align(stored, recorded, func(a, b Message) bool { return a.Text == b.Text && a.Kind == b.Kind && a.At.Equal(b.At) },
		func(j int, r Message) {
			v.report(no, 0, "message %d (%q, %s) sent to the applicant is missing", j+1, r.Text, instant(&r.At))
		},
		func(_ int, s Message) {
			v.report(no, 0, "a message (%q, %s) is stored but no event sent it", s.Text, instant(&s.At))
		},
		func(j int, s, r Message) {
			v.report(no, 0, "message %d to the applicant was edited: stored %q (%s, %s), recorded %q (%s, %s)", j+1,
				s.Text, s.Kind, instant(&s.At), r.Text, r.Kind, instant(&r.At))
		})
}

func (v *verifier) compareMats(no string, stored []MaterialFact, recorded map[int]MaterialFact) {
	seen := map[int]bool{}
	for _, m := range stored {
		seen[m.Seq] = true
		r, ok := recorded[m.Seq]
		switch {
		case !ok:
			v.report(no, 0, "material %d is stored but not in the record", m.Seq)
		case r.Status != m.Status || r.SHA256 != m.SHA256:
			v.report(no, 0, "material %d was edited: stored %s %s, recorded %s %s", m.Seq, m.Status, shortSHA(m.SHA256), r.Status, shortSHA(r.SHA256))
		}
	}
	for seq := range recorded {
		if !seen[seq] {
			v.report(no, 0, "material %d of the record is missing", seq)
		}
	}
}

func shortSHA(s string) string {
	if s == "" {
		return "(no file)"
	}
	return "file " + s
}

// files re-hashes the stored bytes of each material's file.
func (v *verifier) files(no string, mats []MaterialFact) {
	if v.opt.Files == nil {
		return
	}
	for _, m := range mats {
		if m.SHA256 == "" {
			continue
		}
		problem, ok := v.hashed[m.SHA256]
		if !ok {
			v.res.Files++
			problem = v.rehash(m.SHA256)
			if len(v.hashed) > 100000 {
				clear(v.hashed)
			}
			v.hashed[m.SHA256] = problem
		}
		if problem != "" {
			v.report(no, 0, "material %d's file %s: %s", m.Seq, m.SHA256, problem)
		}
	}
}

func (v *verifier) rehash(sha string) string {
	f, err := v.opt.Files.Open(sha)
	if apperr.Is(err, apperr.NotFound) {
		return "missing from the file store"
	}
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return err.Error()
	}
	if hex.EncodeToString(h.Sum(nil)) != sha {
		return "the stored bytes do not match the hash (the file was swapped)"
	}
	return ""
}

// byCase reads the rows of one table for the cases lo <= id < hi, grouped
// by case id; query selects case_id first, then what scan reads.
func byCase[T any](v *verifier, query string, lo, hi int64, scan func(rows *sql.Rows, id *int64, x *T) error) (map[int64][]T, error) {
	rows, err := v.db.Read().QueryContext(v.ctx, query, lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]T{}
	for rows.Next() {
		var id int64
		var x T
		if err := scan(rows, &id, &x); err != nil {
			return nil, err
		}
		out[id] = append(out[id], x)
	}
	return out, rows.Err()
}

func (v *verifier) materials(lo, hi int64) (map[int64][]MaterialFact, error) {
	return byCase(v, `SELECT case_id, seq, status, file_sha256 FROM case_materials WHERE case_id >= $1 AND case_id < $2 ORDER BY case_id, seq`,
		lo, hi, func(rows *sql.Rows, id *int64, m *MaterialFact) error {
			return rows.Scan(id, &m.Seq, &m.Status, &m.SHA256)
		})
}

func (v *verifier) documents(lo, hi int64) (map[int64][]Document, error) {
	return byCase(v, `SELECT case_id, kind, event_seq, issued_at FROM case_documents WHERE case_id >= $1 AND case_id < $2 ORDER BY case_id, id`,
		lo, hi, func(rows *sql.Rows, id *int64, d *Document) error {
			return rows.Scan(id, &d.Kind, &d.EventSeq, &d.IssuedAt)
		})
}

func (v *verifier) messages(lo, hi int64) (map[int64][]Message, error) {
	return byCase(v, `SELECT case_id, at, kind, text FROM case_messages WHERE case_id >= $1 AND case_id < $2 ORDER BY case_id, id`,
		lo, hi, func(rows *sql.Rows, id *int64, m *Message) error { return rows.Scan(id, &m.At, &m.Kind, &m.Text) })
}

func (v *verifier) pauses(lo, hi int64, list []*rowCase) error {
	rows, err := v.db.Read().QueryContext(v.ctx, `SELECT case_id, from_at, to_at, reason, expected_days FROM case_pauses
		WHERE case_id >= $1 AND case_id < $2 ORDER BY case_id, from_at`, lo, hi)
	if err != nil {
		return err
	}
	defer rows.Close()
	i := 0
	for rows.Next() {
		var id int64
		var p Pause
		if err := rows.Scan(&id, &p.From, &p.To, &p.Reason, &p.ExpectedDays); err != nil {
			return err
		}
		for i < len(list) && list[i].ID < id {
			i++
		}
		if i < len(list) && list[i].ID == id {
			list[i].Pauses = append(list[i].Pauses, p)
		}
	}
	return rows.Err()
}
