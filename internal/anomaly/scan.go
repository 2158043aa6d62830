package anomaly

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/clock"
	"onestop/internal/org"
	"onestop/internal/store"
)

// Replaying the record. The engine refuses a wrong role, an action out of
// order, a decision without review and a change after completion before
// anything is written, so those rules can only fire on events written
// another way: the bulk generator, a restore, a direct write with a
// rechained hash (cases.HashEvent). Scan folds every case's events as
// verify does (cases.RowFacts.Fold), rebuilds each transition's Change —
// the case before and after, the event, the actor as recorded — and applies
// the same rule functions the witness applies, so it raises exactly what
// the live path would have, each at the time of its event. What is already
// raised stays as it is (the unique key).

// ScanOptions tune a replay.
type ScanOptions struct {
	// Light is the engine's light rule (cases.Service.Light).
	Light clock.LightRule
	// Batch is how many cases one transaction covers (default 200).
	Batch int64
}

// ScanResult counts a replay.
type ScanResult struct {
	Cases, Events, Raised int
}

// Scan replays every case's record through the rules.
func Scan(ctx context.Context, db *store.DB, opt ScanOptions) (ScanResult, error) {
	var res ScanResult
	if opt.Batch <= 0 {
		opt.Batch = 200
	}
	r := &replay{ctx: ctx, db: db, light: opt.Light, items: map[int64]*catalogue.Item{}, staff: map[int64]*org.Actor{}, res: &res}
	var err error
	if r.cal, err = cases.Calendar(ctx, db.Read()); err != nil {
		return res, err
	}
	if r.cfgs, err = readConfigs(ctx, db.Read()); err != nil {
		return res, err
	}
	var hi int64
	if err := db.Read().QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM cases`).Scan(&hi); err != nil {
		return res, err
	}
	for lo := int64(1); lo <= hi; lo += opt.Batch {
		if err := db.Tx(ctx, func(tx *sql.Tx) error { return r.batch(db.InTx(tx), lo, lo+opt.Batch) }); err != nil {
			return res, err
		}
	}
	return res, nil
}

type replay struct {
	ctx   context.Context
	db    *store.DB
	light clock.LightRule
	cal   *calendar.Calendar
	cfgs  map[string]Config
	items map[int64]*catalogue.Item
	staff map[int64]*org.Actor
	res   *ScanResult
}

// replayCase is what the record does not carry about a case: its number
// (the hash's), its department's mode and its centre's region (scope in
// the case rules), and where its anomalies are counted.
type replayCase struct {
	base  cases.Case
	facts cases.RowFacts
	hist  History
}

func (r *replay) batch(q store.Querier, lo, hi int64) error {
	rows, err := q.QueryContext(r.ctx, `SELECT c.id, c.no, c.department_id, c.centre_id, d.mode, ce.region_code, c.deemed_allowed
		FROM cases c JOIN departments d ON d.id = c.department_id JOIN centres ce ON ce.id = c.centre_id
		WHERE c.id >= $1 AND c.id < $2`, lo, hi)
	if err != nil {
		return err
	}
	byID := map[int64]*replayCase{}
	for rows.Next() {
		rc := &replayCase{}
		b := &rc.base
		if err := rows.Scan(&b.ID, &b.No, &b.DepartmentID, &b.CentreID, &b.DepartmentMode, &b.RegionCode, &b.DeemedAllowed); err != nil {
			rows.Close()
			return err
		}
		byID[b.ID] = rc
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(byID) == 0 {
		return err
	}
	r.res.Cases += len(byID)
	type ev struct {
		caseID int64
		e      cases.Event
	}
	var evs []ev
	erows, err := q.QueryContext(r.ctx, `SELECT case_id, seq, at, COALESCE(actor_id, 0), actor, role, place, action, payload
		FROM case_events WHERE case_id >= $1 AND case_id < $2 ORDER BY case_id, seq`, lo, hi)
	if err != nil {
		return err
	}
	for erows.Next() {
		var x ev
		var payload string
		e := &x.e
		if err := erows.Scan(&x.caseID, &e.Seq, &e.At, &e.ActorID, &e.Actor, &e.Role, &e.Place, &e.Action, &payload); err != nil {
			erows.Close()
			return err
		}
		e.Payload = json.RawMessage(payload)
		evs = append(evs, x)
	}
	erows.Close()
	if err := erows.Err(); err != nil {
		return err
	}
	// The events are read in full first: one connection cannot read and
	// write at once inside a transaction on every driver.
	for _, x := range evs {
		rc := byID[x.caseID]
		if rc == nil {
			continue
		}
		if err := r.event(q, rc, x.e); err != nil {
			return fmt.Errorf("case %s event %d: %w", rc.base.No, x.e.Seq, err)
		}
	}
	return nil
}

// event applies the rules to one recorded event, as the witness would
// have seen it.
func (r *replay) event(q store.Querier, rc *replayCase, e cases.Event) error {
	r.res.Events++
	before := rc.facts
	mats := rc.facts.Fold(e.Payload)
	after := rc.base
	rc.facts.Into(&after)
	if e.Action == cases.ActSubmit {
		before = cases.RowFacts{}
	}
	it, err := r.item(q, after.ItemVersionID)
	if err != nil {
		return err
	}
	after.Item = it
	if after.AcceptedAt != nil {
		cases.Clock(&after, r.cal, e.At, r.light)
	}
	a, err := r.actor(q, e, after.ApplicantID)
	if err != nil {
		return err
	}
	ch := cases.Change{Case: &after, Before: before, Event: e, Actor: a, Calendar: r.cal}
	fs := Evaluate(NewInput(ch, rc.hist, r.light), r.cfgs)
	rc.hist.Add(e, mats)
	n, err := raiseAll(r.ctx, q, Where{rc.base.ID, rc.base.DepartmentID, rc.base.CentreID}, fs, r.cfgs, e.At)
	r.res.Raised += n
	return err
}

// item reads an item version once per replay (versions never change).
func (r *replay) item(q store.Querier, versionID int64) (*catalogue.Item, error) {
	if it, ok := r.items[versionID]; ok {
		return it, nil
	}
	var code string
	var version int
	err := q.QueryRowContext(r.ctx, `SELECT i.code, v.version FROM item_versions v JOIN items i ON i.id = v.item_id WHERE v.id = $1`, versionID).Scan(&code, &version)
	if errors.Is(err, sql.ErrNoRows) {
		r.items[versionID] = nil // a record naming no version: the rules that need the item stay silent
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	it, err := catalogue.ItemVersionIn(r.ctx, q, code, version)
	if err != nil {
		return nil, err
	}
	r.items[versionID] = &it
	return &it, nil
}

// actor is who the event says acted: the system, the case's applicant, or
// a staff member in the role the event records, at their department and
// centre (the staff row as it is now: the record keeps the role, not the
// posting).
func (r *replay) actor(q store.Querier, e cases.Event, applicantID int64) (cases.Actor, error) {
	switch e.Role {
	case "system":
		return cases.SystemActor, nil
	case "applicant":
		return cases.Actor{ApplicantID: applicantID, ApplicantName: e.Actor}, nil
	}
	st, ok := r.staff[e.ActorID]
	if !ok {
		var a org.Actor
		err := q.QueryRowContext(r.ctx, `SELECT s.id, COALESCE(s.department_id, 0), COALESCE(s.centre_id, 0), COALESCE(c.kind, ''), COALESCE(c.region_code, '')
			FROM staff s LEFT JOIN centres c ON c.id = s.centre_id WHERE s.id = $1`, e.ActorID).
			Scan(&a.StaffID, &a.DepartmentID, &a.CentreID, &a.CentreKind, &a.RegionCode)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			st = nil
		case err != nil:
			return cases.Actor{}, err
		default:
			st = &a
		}
		r.staff[e.ActorID] = st
	}
	if st == nil {
		// Nobody the organisation knows: no role the rules allow.
		return cases.Actor{Staff: &org.Actor{Name: e.Actor}}, nil
	}
	a := *st
	a.Name, a.Role = e.Actor, org.Role(e.Role)
	return cases.Actor{Staff: &a}, nil
}
