package cases

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"onestop/internal/store"
)

// Event is one line of a case's record. Events are only ever inserted.
type Event struct {
	Seq      int             `json:"seq"`
	At       time.Time       `json:"at"`
	ActorID  int64           `json:"actor_id,omitempty"`
	Actor    string          `json:"actor"`
	Role     string          `json:"role"`
	Place    string          `json:"place"`
	Action   string          `json:"action"`
	Payload  json.RawMessage `json:"payload"`
	PrevHash string          `json:"prev_hash"`
	Hash     string          `json:"hash"`
}

// canonical is the hashed form of an event: fixed field order, UTC
// milliseconds, the payload as stored. The case number ties each event to
// its case, so an event moved to another case breaks both chains.
type canonical struct {
	Case    string `json:"case"`
	Seq     int    `json:"seq"`
	At      string `json:"at"`
	ActorID int64  `json:"actor_id"`
	Actor   string `json:"actor"`
	Role    string `json:"role"`
	Place   string `json:"place"`
	Action  string `json:"action"`
	Payload string `json:"payload"`
}

// hashEvent is SHA-256(prev_hash ‖ canonical(event)) in hex (DESIGN.md §4).
func hashEvent(caseNo string, e Event) string {
	b, _ := json.Marshal(canonical{Case: caseNo, Seq: e.Seq, At: e.At.UTC().Format("2006-01-02T15:04:05.000Z"), ActorID: e.ActorID,
		Actor: e.Actor, Role: e.Role, Place: e.Place, Action: e.Action, Payload: string(e.Payload)})
	h := sha256.New()
	h.Write([]byte(e.PrevHash))
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// Break names the first place a chain does not hold.
type Break struct {
	CaseNo string
	Seq    int
	Reason string
}

func (b *Break) Error() string { return fmt.Sprintf("case %s event %d: %s", b.CaseNo, b.Seq, b.Reason) }

// verifyBatch is how many case ids Verify reads per query (a variable
// for the test that crosses batches).
var verifyBatch int64 = 20000

// Verify recomputes every case's chain and returns the first break (nil
// when all hold) and the number of events checked. It streams, a range of
// case ids per query, so it runs in constant memory and temporary space:
// one query over every event sorted them all at once, and at 10M cases
// (50M events) PostgreSQL's sort filled the disk.
func Verify(ctx context.Context, db *store.DB) (*Break, int, error) {
	var last int64
	if err := db.R.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM cases`).Scan(&last); err != nil {
		return nil, 0, fmt.Errorf("verify: %w", err)
	}
	n := 0
	for lo := int64(0); lo <= last; lo += verifyBatch {
		brk, k, err := verifyRange(ctx, db, lo, lo+verifyBatch)
		n += k
		if brk != nil || err != nil {
			return brk, n, err
		}
	}
	return nil, n, nil
}

// verifyRange verifies the cases with lo <= id < hi.
func verifyRange(ctx context.Context, db *store.DB, lo, hi int64) (*Break, int, error) {
	rows, err := db.Read().QueryContext(ctx, `SELECT c.no, c.last_hash, e.seq, e.at, COALESCE(e.actor_id, 0), e.actor, e.role, e.place, e.action, e.payload, e.prev_hash, e.hash
		FROM cases c LEFT JOIN case_events e ON e.case_id = c.id WHERE c.id >= $1 AND c.id < $2 ORDER BY c.id, e.seq`, lo, hi)
	if err != nil {
		return nil, 0, fmt.Errorf("verify: %w", err)
	}
	defer rows.Close()
	var (
		curNo, curLast, prev string
		wantSeq, n           int
		brk                  *Break
	)
	closeCase := func() {
		if brk == nil && curNo != "" && prev != curLast {
			brk = &Break{CaseNo: curNo, Seq: wantSeq, Reason: "the case's last hash does not match its last event (events removed or the case row edited)"}
		}
	}
	for rows.Next() {
		var no, last string
		var seq *int
		var at *time.Time
		var actorID int64
		var actor, role, place, action, payload, prevHash, hash *string
		if err := rows.Scan(&no, &last, &seq, &at, &actorID, &actor, &role, &place, &action, &payload, &prevHash, &hash); err != nil {
			return nil, n, err
		}
		if no != curNo {
			closeCase()
			if brk != nil {
				return brk, n, nil
			}
			curNo, curLast, prev, wantSeq = no, last, "", 1
		}
		if seq == nil {
			continue // a case with no events: closeCase compares "" with last_hash
		}
		n++
		e := Event{Seq: *seq, At: *at, ActorID: actorID, Actor: *actor, Role: *role, Place: *place, Action: *action, Payload: json.RawMessage(*payload), PrevHash: *prevHash}
		switch {
		case e.Seq != wantSeq:
			brk = &Break{CaseNo: no, Seq: wantSeq, Reason: fmt.Sprintf("event %d is missing (found %d)", wantSeq, e.Seq)}
		case e.PrevHash != prev:
			brk = &Break{CaseNo: no, Seq: e.Seq, Reason: "prev_hash does not match the event before it"}
		case hashEvent(no, e) != *hash:
			brk = &Break{CaseNo: no, Seq: e.Seq, Reason: "the event's content does not match its hash (edited)"}
		}
		if brk != nil {
			return brk, n, nil
		}
		prev = *hash
		wantSeq++
	}
	if err := rows.Err(); err != nil {
		return nil, n, err
	}
	closeCase()
	return brk, n, nil
}
