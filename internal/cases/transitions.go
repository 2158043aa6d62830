package cases

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"onestop/internal/apperr"
	"onestop/internal/attendance"
	"onestop/internal/clock"
	"onestop/internal/store"
)

// accept: the clerk accepts a complete application (受理); deemed accepts
// the same way as of the day of receipt when no notice came within five
// working days (Art. 32). Immediate items are decided and completed at once.
func (t *tx) accept() error {
	c := t.c
	if t.action == ActDeemAccept {
		t.payload["rule"] = DeemedAcceptRule
	} else if missing := missingRequired(c.Materials); len(missing) > 0 {
		return refuse("case.materials_incomplete", "Names", joinNames(missing))
	}
	e := Apply(c, Action(t.action), Input{}, t.now, t.cal)
	// The acceptance notice states the deadlines as they stood when it was
	// issued; a reprint after a pause or an extension must not show later
	// dates, so they go into the (hashed) record. They are the running
	// clock's, as of now, also for an item decided on the spot.
	decided := c.DecidedAt
	c.DecidedAt = nil
	t.recordDeadlines()
	c.DecidedAt = decided
	return t.effect(e)
}

// effect adds an action's documents and messages and names the A person of
// the step it enters.
func (t *tx) effect(e Effect) error {
	t.docs = append(t.docs, e.Docs...)
	t.msgs = append(t.msgs, e.Msgs...)
	if e.Enter >= 0 {
		return t.enterStep(e.Enter)
	}
	return nil
}

// recordDeadlines computes the clock as of now and writes the deadlines
// into the event, for the document issued with it.
func (t *tx) recordDeadlines() {
	c := t.c
	t.s.clock(c, t.cal, t.now)
	if c.Deadline != nil {
		t.payload["deadline"] = c.Deadline.String()
	}
	if c.StatutoryDeadline != nil {
		t.payload["statutory_deadline"] = c.StatutoryDeadline.String()
	}
	if c.Provisional {
		t.payload["provisional"] = true
	}
}

// recordDeliveryDue writes the last day to issue and deliver the licence
// (Art. 44: ten working days from the decision) into the approval event,
// so the decision document can state it.
func (t *tx) recordDeliveryDue() {
	t.payload["delivery_due"] = t.cal.AddWorkingDays(clock.Today(t.now), DeliveryDays).Deadline.String()
}

// enterStep moves the case to step i and names its A person: the first
// active staff member of the department with the step's role, preferring
// one who is not away.
func (t *tx) enterStep(i int) error {
	c := t.c
	step := c.steps()[i]
	var id int64
	// "Away" is attendance's one rule (attendance.Away).
	aw, err := attendance.AwayNow(t.ctx, t.q, t.cal, t.now)
	if err != nil {
		return err
	}
	var w store.Where
	w.Add("department_id = ? AND role = ? AND retired_at IS NULL", c.DepartmentID, step.Role)
	err = t.q.QueryRowContext(t.ctx, `SELECT id FROM staff s`+w.String()+` ORDER BY `+aw.SQL("s", w.Bind)+`, id LIMIT 1`, w.Args()...).Scan(&id)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	EnterStep(c, i, id)
	t.payload["step"] = step.Name
	return nil
}

func (t *tx) decline(in Input) error {
	f := apperr.Fields{}
	reason := trimmed(f, "reason", in.Reason, true, 1000)
	organ := trimmed(f, "right_organ", in.RightOrgan, false, 200)
	if err := f.Err(); err != nil {
		return err
	}
	t.payload["reason"], t.payload["remedy"] = reason, RemedyText
	if organ != "" {
		t.payload["right_organ"] = organ
	}
	return t.effect(Apply(t.c, ActDecline, in, t.now, t.cal))
}

// supplement sends the one-time notice: every missing or defective material
// at once. A later notice may name only materials changed since the last
// one (the applicant must never learn of a new gap in a second trip).
func (t *tx) supplement(in Input) error {
	c := t.c
	if len(in.Materials) == 0 {
		f := apperr.Fields{}
		f.Add("materials", "case.supplement_empty")
		return f.Err()
	}
	last, err := t.lastSupplement()
	if err != nil {
		return err
	}
	f := apperr.Fields{}
	var listed []map[string]any
	for _, ch := range in.Materials {
		i := slices.IndexFunc(c.Materials, func(m Material) bool { return m.Seq == ch.Seq })
		field := fmt.Sprintf("materials.%d", ch.Seq)
		if i < 0 {
			f.Add(field, "case.material_unknown")
			continue
		}
		m := &c.Materials[i]
		if ch.Status != "missing" && ch.Status != "defective" {
			f.Add(field, "case.supplement_status")
			continue
		}
		note := trimmed(f, field+".note", ch.Note, true, 500)
		if last != nil && (m.ChangedAt == nil || !m.ChangedAt.After(last.at)) {
			f.Add(field, "case.second_notice_unchanged", "Name", m.Name)
			continue
		}
		m.Status, m.Note = ch.Status, note
		if err := t.saveMaterial(m); err != nil {
			return err
		}
		listed = append(listed, map[string]any{"seq": m.Seq, "name": m.Name, "status": m.Status, "note": m.Note})
	}
	if err := f.Err(); err != nil {
		return err
	}
	t.payload["materials"] = listed
	return t.effect(Apply(c, ActSupplement, in, t.now, t.cal))
}

type lastNotice struct{ at timeT }

func (t *tx) lastSupplement() (*lastNotice, error) {
	var at timeT
	err := t.q.QueryRowContext(t.ctx, `SELECT at FROM case_events WHERE case_id = $1 AND action = $2 ORDER BY seq DESC LIMIT 1`,
		t.c.ID, ActSupplement).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &lastNotice{at: at}, nil
}

// resubmit: the applicant (online) or a clerk (at the window) hands in what
// the notice asked for.
func (t *tx) resubmit(in Input) error {
	if err := t.receive(in.Materials); err != nil {
		return err
	}
	return t.effect(Apply(t.c, ActResubmit, in, t.now, t.cal))
}

// receive records materials handed in (paper or file).
func (t *tx) receive(changes []MaterialChange) error {
	c := t.c
	f := apperr.Fields{}
	var got []string
	for _, ch := range changes {
		i := slices.IndexFunc(c.Materials, func(m Material) bool { return m.Seq == ch.Seq })
		field := fmt.Sprintf("materials.%d", ch.Seq)
		if i < 0 {
			f.Add(field, "case.material_unknown")
			continue
		}
		m := &c.Materials[i]
		switch {
		case ch.Status == "not_applicable" && !m.Required:
			m.Status = "not_applicable"
		case ch.File != nil:
			m.Status, m.FileSHA, m.FileName, m.FileType, m.FileSize, m.Paper = "received", ch.File.SHA256, ch.File.Name, ch.File.Type, ch.File.Size, false
		case ch.Paper:
			m.Status, m.Paper = "received", true
		default:
			f.Add(field, "case.material_nothing")
			continue
		}
		m.Note, m.ChangedAt = "", &t.now
		if err := t.saveMaterial(m); err != nil {
			return err
		}
		got = append(got, m.Name)
	}
	if err := f.Err(); err != nil {
		return err
	}
	t.payload["received"] = got
	return nil
}

func (t *tx) saveMaterial(m *Material) error {
	t.mats = append(t.mats, *m)
	_, err := t.q.ExecContext(t.ctx, `UPDATE case_materials SET status=$1, note=$2, paper=$3, file_sha256=$4, file_name=$5, file_type=$6,
		file_size=$7, changed_at=$8 WHERE case_id=$9 AND seq=$10`, m.Status, m.Note, m.Paper, m.FileSHA, m.FileName, m.FileType, m.FileSize,
		m.ChangedAt, t.c.ID, m.Seq)
	return err
}

// forward passes the case from one review step to the next with an opinion.
func (t *tx) forward(in Input) error {
	c := t.c
	f := apperr.Fields{}
	t.payload["opinion"] = trimmed(f, "opinion", in.Opinion, true, 2000)
	if err := f.Err(); err != nil {
		return err
	}
	t.payload["from_step"] = c.steps()[c.Step].Name
	return t.effect(Apply(c, ActForward, in, t.now, t.cal))
}

// decide approves or refuses at the decision step (一核).
func (t *tx) decide(in Input) error {
	f := apperr.Fields{}
	if t.action == ActRefuse {
		t.payload["reason"] = trimmed(f, "reason", in.Reason, true, 2000)
		t.payload["remedy"] = RemedyText
	} else {
		t.payload["opinion"] = trimmed(f, "opinion", in.Opinion, false, 2000)
	}
	if err := f.Err(); err != nil {
		return err
	}
	e := Apply(t.c, Action(t.action), in, t.now, t.cal)
	if t.action == ActApprove {
		t.recordDeliveryDue()
	}
	return t.effect(e)
}

// deemApprove: the promised deadline passed without a decision on an item
// that allows deemed approval (local policy, docs/DOMAIN.md §3), so the system
// approves, tells the applicant and flags the department for supervision.
// Check has computed the clock and found it red.
func (t *tx) deemApprove() error {
	c := t.c
	t.payload["rule"] = c.Item.DeemedNote
	t.payload["deadline"] = c.Deadline.String()
	e := Apply(c, ActDeemApprove, Input{}, t.now, t.cal)
	t.recordDeliveryDue()
	note := "超时默认：承诺期限 " + c.Deadline.String() + " 届满未作出决定"
	t.after = append(t.after, func() error {
		_, err := t.q.ExecContext(t.ctx, `INSERT INTO supervision_flags (case_id, department_id, at, kind, note) VALUES ($1,$2,$3,$4,$5)`,
			c.ID, c.DepartmentID, t.now, "deemed_approval", note)
		return err
	})
	return t.effect(e)
}

// suspend pauses the clock for a special procedure (Art. 45).
func (t *tx) suspend(in Input) error {
	c := t.c
	f := apperr.Fields{}
	if !slices.Contains(PauseReasons, in.PauseReason) {
		f.Add("pause_reason", "error.choose")
	}
	if in.ExpectedDays < 1 || in.ExpectedDays > 250 {
		f.Add("expected_days", "case.expected_days")
	}
	note := trimmed(f, "reason", in.Reason, false, 1000)
	if err := f.Err(); err != nil {
		return err
	}
	if _, err := t.q.ExecContext(t.ctx, `INSERT INTO case_pauses (case_id, from_at, reason, expected_days) VALUES ($1,$2,$3,$4)`,
		c.ID, t.now, in.PauseReason, in.ExpectedDays); err != nil {
		return err
	}
	t.payload["pause_reason"], t.payload["expected_days"], t.payload["note"] = in.PauseReason, in.ExpectedDays, note
	return t.effect(Apply(c, ActSuspend, in, t.now, t.cal))
}

func (t *tx) resume() error {
	if err := t.closePauses(); err != nil {
		return err
	}
	return t.effect(Apply(t.c, ActResume, Input{}, t.now, t.cal))
}

// closePauses ends the open pause rows; Apply ends them on the case.
func (t *tx) closePauses() error {
	_, err := t.q.ExecContext(t.ctx, `UPDATE case_pauses SET to_at = $1 WHERE case_id = $2 AND to_at IS NULL`, t.now, t.c.ID)
	return err
}

// extend grants the one extension the law allows, signed off by the
// approver with a reason the applicant is told (Art. 42).
func (t *tx) extend(in Input) error {
	f := apperr.Fields{}
	if in.Days < 1 || in.Days > MaxExtension {
		f.Add("days", "case.extension_days", "Max", MaxExtension)
	}
	t.payload["reason"] = trimmed(f, "reason", in.Reason, true, 1000)
	if err := f.Err(); err != nil {
		return err
	}
	e := Apply(t.c, ActExtend, in, t.now, t.cal)
	t.payload["days"] = in.Days
	t.recordDeadlines()
	return t.effect(e)
}

func (t *tx) deliver(in Input) error {
	if !slices.Contains(DeliveryMethods, in.Delivery) {
		f := apperr.Fields{}
		f.Add("delivery", "error.choose")
		return f.Err()
	}
	t.payload["delivery"] = in.Delivery
	if in.Delivery == "window" {
		t.recordPickup()
	}
	return t.effect(Apply(t.c, ActDeliver, in, t.now, t.cal))
}

// recordPickup puts the pick-up centre on the record of a result that
// travels between centres (Travels): where it was sent, where it was
// handed over.
func (t *tx) recordPickup() {
	if Travels(t.c) {
		t.payload["pickup_centre"] = t.c.PickupCentre
	}
}

// withdraw: the applicant takes the application back (or a clerk records
// that they did at the window) before a decision.
func (t *tx) withdraw(in Input) error {
	f := apperr.Fields{}
	t.payload["reason"] = trimmed(f, "reason", in.Reason, false, 1000)
	if err := f.Err(); err != nil {
		return err
	}
	if t.c.Paused {
		if err := t.closePauses(); err != nil {
			return err
		}
	}
	return t.effect(Apply(t.c, ActWithdraw, in, t.now, t.cal))
}

// terminate: the engine ends the case by a rule, and the record says which
// (the reason is required: an ended application must say why).
func (t *tx) terminate(in Input) error {
	f := apperr.Fields{}
	t.payload["reason"] = trimmed(f, "reason", in.Reason, true, 1000)
	if err := f.Err(); err != nil {
		return err
	}
	if t.c.Paused {
		if err := t.closePauses(); err != nil {
			return err
		}
	}
	return t.effect(Apply(t.c, ActTerminate, in, t.now, t.cal))
}

func missingRequired(ms []Material) []string {
	var out []string
	for _, m := range ms {
		if m.Required && m.Status != "received" {
			out = append(out, m.Name)
		}
	}
	return out
}

func joinNames(names []string) string {
	out := ""
	for i, n := range names {
		if i > 0 {
			out += "、"
		}
		out += n
	}
	return out
}
