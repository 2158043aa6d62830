package cases

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/calendar"
	"onestop/internal/catalogue"
	"onestop/internal/clock"
	"onestop/internal/store"
)

// Service runs cases.
type Service struct {
	DB        *store.DB
	Catalogue *catalogue.Service
	Now       func() time.Time
	Light     clock.LightRule
	// Observer, when set, hears every committed transition and sweep.
	Observer Observer
	// Witnesses write beside every transition in its transaction;
	// Listeners hear it after the commit (witness.go).
	Witnesses []Witness
	Listeners []Listener
	// Modes, when set, keeps the acceptance modes in step (modes.go).
	Modes ModeRule

	calMu   sync.Mutex
	cal     *calendar.Calendar
	calRead time.Time

	itemMu sync.Mutex
	items  map[int64]itemEntry
}

// New builds the engine.
func New(db *store.DB, cat *catalogue.Service, now func() time.Time) *Service {
	return &Service{DB: db, Catalogue: cat, Now: now, Light: clock.DefaultLightRule}
}

// WorkingCalendar returns the working-day calendar, re-read at most every 30 s so
// an admin's edit reaches every server process quickly without a query per
// transition.
func (s *Service) WorkingCalendar(ctx context.Context) (*calendar.Calendar, error) {
	s.calMu.Lock()
	defer s.calMu.Unlock()
	if s.cal != nil && time.Since(s.calRead) < 30*time.Second {
		return s.cal, nil
	}
	cal, err := Calendar(ctx, s.DB.Read())
	if err != nil {
		return nil, err
	}
	s.cal, s.calRead = cal, time.Now()
	return cal, nil
}

// ForgetCalendar makes the next transition re-read the calendar (after an
// edit in this process).
func (s *Service) ForgetCalendar() {
	s.calMu.Lock()
	s.cal = nil
	s.calMu.Unlock()
}

// clock computes the case's deadlines, time used and light as of now and
// stores them on c.
func (s *Service) clock(c *Case, cal *calendar.Calendar, now time.Time) { Clock(c, cal, now, s.Light) }

// Clock computes the case's deadlines, time used and light as of now and
// stores them on c (nothing before acceptance). It is the engine's rule,
// exported so the bulk generator stores the deadlines the engine would.
func Clock(c *Case, cal *calendar.Calendar, now time.Time, light clock.LightRule) {
	if c.AcceptedAt == nil {
		return
	}
	in := clock.Input{AcceptedAt: *c.AcceptedAt, PromisedDays: c.PromisedDays, StatutoryDays: c.StatutoryDays, ExtensionDays: c.ExtensionDays, Now: now}
	if c.ClosedAt != nil || c.DecidedAt != nil {
		// A decided case's clock stopped at the decision.
		in.Now = *firstNonNil(c.DecidedAt, c.ClosedAt)
	}
	for _, p := range c.Pauses {
		cp := clock.Pause{From: p.From, Reason: p.Reason, ExpectedDays: p.ExpectedDays}
		if p.To != nil {
			cp.To = *p.To
		}
		in.Pauses = append(in.Pauses, cp)
	}
	st := clock.Compute(cal, in, light)
	c.Clock = &st
	d, sd := st.PromisedDeadline, st.StatutoryDeadline
	c.Deadline, c.StatutoryDeadline, c.Provisional = &d, &sd, st.Provisional
	c.Light = st.Light
}

func firstNonNil(ts ...*time.Time) *time.Time {
	for _, t := range ts {
		if t != nil {
			return t
		}
	}
	return nil
}

// Input carries what an action needs; each action reads its own fields.
type Input struct {
	// Version is the case version the actor saw; when set and the case has
	// changed since, the action is refused so nobody acts on a stale page.
	Version      int              `json:"version"`
	Reason       string           `json:"reason"`
	Remedy       string           `json:"remedy"`
	RightOrgan   string           `json:"right_organ"`
	Opinion      string           `json:"opinion"`
	Materials    []MaterialChange `json:"materials"`
	PauseReason  string           `json:"pause_reason"`
	ExpectedDays int              `json:"expected_days"`
	Days         int              `json:"days"`
	Delivery     string           `json:"delivery"`
}

// MaterialChange marks one material: for a supplement notice, missing or
// defective with what to fix; when materials arrive, received (on paper
// or as an uploaded file).
type MaterialChange struct {
	Seq    int      `json:"seq"`
	Status string   `json:"status"`
	Note   string   `json:"note"`
	Paper  bool     `json:"paper"`
	File   *FileRef `json:"file,omitempty"`
}

// FileRef is an uploaded file already in the content-addressed store.
type FileRef struct {
	SHA256 string `json:"sha256"`
	Name   string `json:"name"`
	Type   string `json:"type"`
	Size   int64  `json:"size"`
}

// tx is one transition in progress.
type tx struct {
	s       *Service
	ctx     context.Context
	q       store.Querier
	c       *Case
	a       Actor
	now     time.Time
	cal     *calendar.Calendar
	action  string
	payload map[string]any
	docs    []string
	msgs    []string
	// before is the row as read (zero for a new case) and mats the
	// materials marked: what the event's record is measured against.
	before RowFacts
	mats   []Material
	// after runs once the case row is claimed (its version bumped), so a
	// writer that lost the race never gets this far.
	after []func() error
	// committed is the change the listeners hear once the commit is done.
	committed *Change
	// modeChoice is the acceptance mode chosen at submission.
	modeChoice string
}

// Act performs one action on a case in one transaction: check the state,
// the role and the scope, change the case, append the event, bump the
// version (or fail with a conflict when someone else was faster). It
// returns the case as written, without its record, documents and
// messages: callers that show them read the case with Get.
func (s *Service) Act(ctx context.Context, a Actor, no, action string, in Input) (*Case, error) {
	cal, err := s.WorkingCalendar(ctx)
	if err != nil {
		return nil, err
	}
	now := s.Now().UTC().Truncate(time.Millisecond)
	var out *Case
	var t *tx
	err = s.DB.Tx(ctx, func(sqltx *sql.Tx) error {
		var err error
		t, out, err = s.act(ctx, s.DB.InTx(sqltx), a, no, action, in, cal, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	out.Version++
	s.observeTransition(action)
	s.announce(t.committed)
	return out, nil
}

// act is one action inside the caller's transaction (Act's, or a bundle's
// that changes several of its parts at once).
func (s *Service) act(ctx context.Context, q store.Querier, a Actor, no, action string, in Input, cal *calendar.Calendar, now time.Time) (*tx, *Case, error) {
	c, err := s.load(ctx, q, no)
	if err != nil {
		return nil, nil, err
	}
	if !a.sees(c) {
		return nil, nil, apperr.NotFoundf("entity.case")
	}
	if in.Version != 0 && in.Version != c.Version {
		return nil, nil, apperr.New(apperr.Conflict, "case.changed", "Version", c.Version)
	}
	t := &tx{s: s, ctx: ctx, q: q, c: c, a: a, now: now, cal: cal, action: action, payload: map[string]any{}, before: FactsOf(c)}
	if err := t.check(); err != nil {
		return nil, nil, err
	}
	if err := t.apply(in); err != nil {
		return nil, nil, err
	}
	if err := t.mode(in); err != nil {
		return nil, nil, err
	}
	return t, c, t.commit()
}

// check asks the case rules whether the actor may take the action, after
// reading the facts they need that the case row does not hold.
func (t *tx) check() error {
	act := Action(t.action)
	if NeedsCover(t.c, t.a, act) {
		if err := loadCover(t.ctx, t.q, t.c, t.cal, t.now); err != nil {
			return err
		}
	}
	if act == ActDeemApprove {
		t.s.clock(t.c, t.cal, t.now) // deemed only once the light is red
	}
	if err := Check(t.c, t.a, act); err != nil {
		return err
	}
	if NeedsCover(t.c, t.a, act) {
		// An allowed step action by someone other than A: B for A, or
		// anyone for an uncovered A; the record names whom.
		t.payload["acting_for"] = t.c.Assignee
		if t.c.CoverAssignedBy != "" && t.c.CoverID == t.a.Staff.StaffID {
			t.payload["assigned_by"] = t.c.CoverAssignedBy
		}
	}
	return nil
}

// apply validates the input and does the action: the case rules change the
// case (Apply), this writes what goes beside it.
func (t *tx) apply(in Input) error {
	switch t.action {
	case ActAccept, ActDeemAccept:
		return t.accept()
	case ActDecline:
		return t.decline(in)
	case ActSupplement:
		return t.supplement(in)
	case ActResubmit:
		return t.resubmit(in)
	case ActForward:
		return t.forward(in)
	case ActApprove, ActRefuse:
		return t.decide(in)
	case ActDeemApprove:
		return t.deemApprove()
	case ActSuspend:
		return t.suspend(in)
	case ActResume:
		return t.resume()
	case ActExtend:
		return t.extend(in)
	case ActComplete:
		t.recordPickup()
		return t.effect(Apply(t.c, ActComplete, in, t.now, t.cal))
	case ActDeliver:
		return t.deliver(in)
	case ActWithdraw:
		return t.withdraw(in)
	case ActSupply:
		return t.supply(in)
	case ActVerify:
		return t.verify(in)
	case ActRevoke:
		return t.revoke(in)
	case ActTerminate:
		return t.terminate(in)
	}
	return apperr.New(apperr.NotFound, "case.unknown_action", "Action", t.action)
}

// commit appends the event and writes the case row under its version.
func (t *tx) commit() error {
	c := t.c
	if c.AcceptedAt != nil {
		t.s.clock(c, t.cal, t.now)
	}
	if len(t.docs) > 0 {
		// A document is addressed to the applicant as registered when it
		// is issued; the record keeps that name, so a reprint after the
		// applicant's details change still shows who it was issued to.
		t.payload["addressee"] = c.ApplicantName
	}
	mats := t.mats
	if t.action == ActSubmit {
		mats = c.Materials // a new case's record lists every material
	}
	Record(t.payload, t.before, FactsOf(c), t.docs, t.msgs, mats)
	payload, err := json.Marshal(t.payload)
	if err != nil {
		return err
	}
	// A case's version is its number of events (every event bumps it
	// once, here), so the next event's number needs no query: one round
	// trip less per transition. The UPDATE claims the row under the
	// version read: on PostgreSQL a concurrent writer blocks on it and
	// then finds the version moved; the event's UNIQUE (case_id, seq)
	// backs that up.
	seq := c.Version + 1
	e := Event{Seq: seq, At: t.now, ActorID: t.a.id(), Actor: t.a.name(), Role: t.a.role(), Place: t.a.place(), Action: t.action,
		Payload: payload, PrevHash: c.LastHash}
	e.Hash = hashEvent(c.No, e)
	res, err := t.q.ExecContext(t.ctx, `UPDATE cases SET state=$1, step=$2, step_role=$3, assignee_id=$4, version=version+1, notice_due=$5,
		accepted_at=$6, decided_at=$7, completed_at=$8, delivered_at=$9, closed_at=$10, extension_days=$11, deadline=$12, statutory_deadline=$13,
		provisional=$14, paused=$15, decision=$16, deemed=$17, delivery=$18, last_hash=$19, updated_at=$20 WHERE id=$21 AND version=$22`,
		c.State, c.Step, c.StepRole, store.NullID(c.AssigneeID), noticeDue(c.NoticeDue), c.AcceptedAt, c.DecidedAt, c.CompletedAt, c.DeliveredAt, c.ClosedAt,
		c.ExtensionDays, dbDate(c.Deadline), dbDate(c.StatutoryDeadline), c.Provisional, c.Paused, c.Decision, c.Deemed, c.Delivery, e.Hash, t.now,
		c.ID, c.Version)
	if err != nil {
		return fmt.Errorf("update case: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.New(apperr.Conflict, "case.changed", "Version", c.Version+1)
	}
	if _, err := t.q.ExecContext(t.ctx, `INSERT INTO case_events (case_id, seq, at, actor_id, actor, role, place, action, payload, prev_hash, hash)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`, c.ID, e.Seq, e.At, store.NullID(e.ActorID), e.Actor, e.Role, e.Place, e.Action, string(payload),
		e.PrevHash, e.Hash); err != nil {
		if store.IsUnique(err) {
			return apperr.New(apperr.Conflict, "case.changed", "Version", c.Version+1)
		}
		return fmt.Errorf("append event: %w", err)
	}
	for _, f := range t.after {
		if err := f(); err != nil {
			return err
		}
	}
	for _, d := range t.docs {
		if _, err := t.q.ExecContext(t.ctx, `INSERT INTO case_documents (case_id, kind, event_seq, issued_at) VALUES ($1,$2,$3,$4)`, c.ID, d, seq, t.now); err != nil {
			return err
		}
	}
	for _, m := range t.msgs {
		if _, err := t.q.ExecContext(t.ctx, `INSERT INTO case_messages (case_id, at, kind, text) VALUES ($1,$2,$3,$4)`, c.ID, t.now, t.action, m); err != nil {
			return err
		}
	}
	return t.witness(e, mats)
}

func noticeDue(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

// trimmed checks a free-text input; long ones (reasons, opinions) may span
// several lines.
func trimmed(f apperr.Fields, field, v string, required bool, max int) string {
	if max > 200 {
		return f.Para(field, v, required, max)
	}
	return f.Text(field, v, required, max)
}
