package corrections

import (
	"context"
	"encoding/json"
	"fmt"

	"onestop/internal/cases"
	"onestop/internal/store"
)

// chainKey ties an order's events to the order the way a case number ties
// a case's: an event moved to another order breaks both chains. Order
// numbers repeat between counties, so the county is part of the key.
func chainKey(region, no string) string { return "correction-order:" + region + ":" + no }

// hashEvent is the case record's hash rule (cases.HashEvent: SHA-256 of
// prev_hash ‖ the canonical event), shared rather than copied: the order's
// text and facts travel as the event's payload.
func hashEvent(key string, e Event) string {
	payload, _ := json.Marshal(struct {
		Text  string          `json:"text"`
		Facts json.RawMessage `json:"facts"`
	}{e.Text, e.Facts})
	return cases.HashEvent(key, cases.Event{Seq: e.Seq, At: e.At, ActorID: e.ActorID, Actor: e.Actor, Role: e.Role, Action: e.Action,
		Payload: payload, PrevHash: e.PrevHash})
}

// Break is one place where an order's record does not hold.
type Break struct {
	// Region is the order's county (order numbers repeat between counties).
	Region string
	No     string
	Seq    int
	Reason string
}

func (b Break) String() string {
	if b.Seq == 0 {
		return fmt.Sprintf("correction order %s: %s", b.No, b.Reason)
	}
	return fmt.Sprintf("correction order %s event %d: %s", b.No, b.Seq, b.Reason)
}

// Verify re-folds every order's chain and compares its end with the
// order's row (last hash, version = number of events), reporting every
// break; it returns the number of orders checked. Orders are few (a county
// issues hundreds a year), so one pass over their events is enough.
func Verify(ctx context.Context, q store.Querier, report func(Break)) (int, error) {
	type row struct {
		region, no, last string
		version          int
	}
	rows, err := q.QueryContext(ctx, `SELECT id, region_code, no, last_hash, version FROM correction_orders ORDER BY id`)
	if err != nil {
		return 0, err
	}
	orders := map[int64]*row{}
	var ids []int64
	for rows.Next() {
		var id int64
		r := &row{}
		if err := rows.Scan(&id, &r.region, &r.no, &r.last, &r.version); err != nil {
			rows.Close()
			return 0, err
		}
		orders[id] = r
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	erows, err := q.QueryContext(ctx, `SELECT order_id, seq, at, COALESCE(actor_id, 0), actor, role, action, text, facts, prev_hash, hash
		FROM correction_order_events ORDER BY order_id, seq`)
	if err != nil {
		return 0, err
	}
	defer erows.Close()
	type fold struct {
		prev string
		want int
	}
	folds := map[int64]*fold{}
	for erows.Next() {
		var id int64
		var e Event
		var facts string
		if err := erows.Scan(&id, &e.Seq, &e.At, &e.ActorID, &e.Actor, &e.Role, &e.Action, &e.Text, &facts, &e.PrevHash, &e.Hash); err != nil {
			return 0, err
		}
		e.Facts = json.RawMessage(facts)
		o := orders[id]
		if o == nil {
			continue // the foreign key keeps events from outliving their order
		}
		f := folds[id]
		if f == nil {
			f = &fold{want: 1}
			folds[id] = f
		}
		switch {
		case e.Seq != f.want:
			report(Break{o.region, o.no, f.want, fmt.Sprintf("event %d is missing (found %d next)", f.want, e.Seq)})
		case e.PrevHash != f.prev:
			report(Break{o.region, o.no, e.Seq, "prev_hash does not match the event before it (events removed, reordered or replaced)"})
		}
		if hashEvent(chainKey(o.region, o.no), e) != e.Hash {
			report(Break{o.region, o.no, e.Seq, "the event's content does not match its hash (edited)"})
		}
		f.prev, f.want = e.Hash, e.Seq+1
	}
	if err := erows.Err(); err != nil {
		return 0, err
	}
	for _, id := range ids {
		o, f := orders[id], folds[id]
		if f == nil {
			report(Break{o.region, o.no, 0, "the order has no events (its record was deleted)"})
			continue
		}
		if f.prev != o.last {
			report(Break{o.region, o.no, f.want - 1, "the order's last_hash does not match its last event (events removed or the row edited)"})
		}
		if o.version != f.want-1 {
			report(Break{o.region, o.no, 0, fmt.Sprintf("the order's version is %d but its record has %d events", o.version, f.want-1)})
		}
	}
	return len(ids), nil
}
