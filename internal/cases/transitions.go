package cases

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"onestop/internal/apperr"
	"onestop/internal/clock"
	"onestop/internal/org"
)

// remedyText states the right to administrative review or litigation, which
// a refusal and a non-acceptance must carry (行政许可法 Art. 38; 行政复议法
// Art. 20 gives 60 days, 行政诉讼法 Art. 46 gives six months).
const remedyText = "申请人如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院提起行政诉讼。"

func (t *tx) needClerk() error {
	if t.a.isClerkHere(t.c) {
		return nil
	}
	return forbidden()
}

// accept: the clerk accepts a complete application (受理); deemed accepts
// the same way as of the day of receipt when no notice came within five
// working days (Art. 32). Immediate items are decided and completed at once.
func (t *tx) accept(deemed bool) error {
	c := t.c
	if c.State != Received {
		return t.wrongState()
	}
	if deemed {
		if !t.a.System {
			return forbidden()
		}
		at := c.ReceivedAt
		c.AcceptedAt = &at
		t.payload["rule"] = "《中华人民共和国行政许可法》第三十二条：逾期不告知的，自收到申请材料之日起即为受理"
		t.msgs = append(t.msgs, "case.msg.deemed_accepted")
	} else {
		if err := t.needClerk(); err != nil {
			return err
		}
		if missing := missingRequired(c.Materials); len(missing) > 0 {
			return refuse("case.materials_incomplete", "Names", joinNames(missing))
		}
		at := t.now
		c.AcceptedAt = &at
		t.msgs = append(t.msgs, "case.msg.accepted")
	}
	c.NoticeDue = nil
	t.docs = append(t.docs, "acceptance")
	// The acceptance notice states the deadlines as they stood when it was
	// issued; a reprint after a pause or an extension must not show later
	// dates, so they go into the (hashed) record.
	t.recordDeadlines()
	steps := c.steps()
	if c.Item.Immediate || decisionStep(steps) < 0 {
		// 即办件: accepted, approved and completed on the spot.
		c.DecidedAt, c.CompletedAt = c.AcceptedAt, c.AcceptedAt
		c.Decision, c.State, c.Step, c.StepRole, c.AssigneeID = "approved", Completed, len(steps), "", 0
		t.docs = append(t.docs, "approval")
		return nil
	}
	c.State = InProgress
	return t.enterStep(nextReviewStep(steps, 0))
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
	c.Step, c.StepRole, c.AssigneeID = i, step.Role, 0
	var id int64
	err := t.q.QueryRowContext(t.ctx, `SELECT id FROM staff WHERE department_id = $1 AND role = $2 AND retired_at IS NULL ORDER BY absent, id LIMIT 1`,
		c.DepartmentID, step.Role).Scan(&id)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	c.AssigneeID = id
	t.payload["step"] = step.Name
	return nil
}

// needStepHolder: the step's A person acts; when A is away, their B
// (A/B cover, AB角); with no A named, or A away with no B at work, anyone
// of the step's role in the department, so a case never waits for someone
// who is not there (the clock keeps running either way).
func (t *tx) needStepHolder() error {
	c, s := t.c, t.a.Staff
	if s == nil || string(s.Role) != c.StepRole || s.DepartmentID != c.DepartmentID {
		return forbidden()
	}
	if c.AssigneeID == 0 || c.AssigneeID == s.StaffID {
		return nil
	}
	var absent bool
	var backup sql.NullInt64
	var backupAway sql.NullBool
	if err := t.q.QueryRowContext(t.ctx, `SELECT s.absent, b.id, b.absent FROM staff s
		LEFT JOIN staff b ON b.id = s.backup_id AND b.retired_at IS NULL WHERE s.id = $1`, c.AssigneeID).Scan(&absent, &backup, &backupAway); err != nil {
		return err
	}
	uncovered := !backup.Valid || backupAway.Bool
	if absent && ((backup.Valid && backup.Int64 == s.StaffID) || uncovered) {
		t.payload["acting_for"] = c.Assignee
		return nil
	}
	return apperr.New(apperr.Forbidden, "case.assigned_to_other", "Name", c.Assignee)
}

func (t *tx) decline(in Input) error {
	c := t.c
	if c.State != Received && c.State != Supplement {
		return t.wrongState()
	}
	if err := t.needClerk(); err != nil {
		return err
	}
	f := apperr.Fields{}
	reason := trimmed(f, "reason", in.Reason, true, 1000)
	organ := trimmed(f, "right_organ", in.RightOrgan, false, 200)
	if err := f.Err(); err != nil {
		return err
	}
	t.payload["reason"], t.payload["remedy"] = reason, remedyText
	if organ != "" {
		t.payload["right_organ"] = organ
	}
	c.State, c.ClosedAt, c.NoticeDue = Declined, &t.now, nil
	t.docs = append(t.docs, "non_acceptance")
	t.msgs = append(t.msgs, "case.msg.declined")
	return nil
}

// supplement sends the one-time notice: every missing or defective material
// at once. A later notice may name only materials changed since the last
// one (the applicant must never learn of a new gap in a second trip).
func (t *tx) supplement(in Input) error {
	c := t.c
	if c.State != Received {
		return t.wrongState()
	}
	if err := t.needClerk(); err != nil {
		return err
	}
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
	c.State = Supplement
	c.NoticeDue = nil
	t.docs = append(t.docs, "supplement")
	t.msgs = append(t.msgs, "case.msg.supplement")
	return nil
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
// the notice asked for. The application is then received anew, and the
// five-day notice period starts again.
func (t *tx) resubmit(in Input) error {
	c := t.c
	if c.State != Supplement {
		return t.wrongState()
	}
	if !(t.a.ApplicantID == c.ApplicantID && t.a.ApplicantID != 0) && !t.a.isClerkHere(c) {
		return forbidden()
	}
	if err := t.receive(in.Materials); err != nil {
		return err
	}
	c.State = Received
	due := t.noticeDue()
	c.NoticeDue = &due
	return nil
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

// noticeDue is the last day for the supplement notice: five working days
// after today (the day of receipt is not counted).
func (t *tx) noticeDue() timeT {
	d := t.cal.AddWorkingDays(clock.Today(t.now), NoticeDays).Deadline
	return d.Time(timeUTC)
}

// forward passes the case from one review step to the next with an opinion.
func (t *tx) forward(in Input) error {
	c := t.c
	if c.State != InProgress {
		return t.wrongState()
	}
	if err := t.needStepHolder(); err != nil {
		return err
	}
	if c.Paused {
		return refuse("case.paused")
	}
	next := nextReviewStep(c.steps(), c.Step)
	if next < 0 || c.Step == decisionStep(c.steps()) {
		return refuse("case.decide_here")
	}
	f := apperr.Fields{}
	t.payload["opinion"] = trimmed(f, "opinion", in.Opinion, true, 2000)
	if err := f.Err(); err != nil {
		return err
	}
	t.payload["from_step"] = c.steps()[c.Step].Name
	return t.enterStep(next)
}

// decide approves or refuses at the decision step (一核).
func (t *tx) decide(in Input) error {
	c := t.c
	if c.State != InProgress {
		return t.wrongState()
	}
	if err := t.needStepHolder(); err != nil {
		return err
	}
	if c.Step != decisionStep(c.steps()) {
		return refuse("case.not_decision_step")
	}
	if c.Paused {
		return refuse("case.paused")
	}
	f := apperr.Fields{}
	if t.action == ActRefuse {
		t.payload["reason"] = trimmed(f, "reason", in.Reason, true, 2000)
		t.payload["remedy"] = remedyText
		c.Decision, c.State = "refused", Refused
		t.docs = append(t.docs, "refusal")
		t.msgs = append(t.msgs, "case.msg.refused")
	} else {
		t.payload["opinion"] = trimmed(f, "opinion", in.Opinion, false, 2000)
		c.Decision, c.State = "approved", Approved
		t.recordDeliveryDue()
		t.docs = append(t.docs, "approval")
		t.msgs = append(t.msgs, "case.msg.approved")
	}
	if err := f.Err(); err != nil {
		return err
	}
	c.DecidedAt, c.StepRole, c.AssigneeID = &t.now, "", 0
	return nil
}

// deemApprove: the promised deadline passed without a decision on an item
// that allows deemed approval (local policy, DOMAIN.md §3), so the system
// approves, tells the applicant and flags the department for supervision.
func (t *tx) deemApprove() error {
	c := t.c
	if !t.a.System {
		return forbidden()
	}
	if c.State != InProgress || !c.DeemedAllowed || c.Paused {
		return t.wrongState()
	}
	t.s.clock(c, t.cal, t.now)
	if c.Light != clock.Red {
		return refuse("case.not_overdue")
	}
	t.payload["rule"] = c.Item.DeemedNote
	t.payload["deadline"] = c.Deadline.String()
	c.Decision, c.State, c.Deemed, c.DecidedAt, c.StepRole, c.AssigneeID = "approved", Approved, true, &t.now, "", 0
	t.recordDeliveryDue()
	t.docs = append(t.docs, "approval")
	t.msgs = append(t.msgs, "case.msg.deemed_approved")
	note := "超时默认：承诺期限 " + c.Deadline.String() + " 届满未作出决定"
	t.after = append(t.after, func() error {
		_, err := t.q.ExecContext(t.ctx, `INSERT INTO supervision_flags (case_id, department_id, at, kind, note) VALUES ($1,$2,$3,$4,$5)`,
			c.ID, c.DepartmentID, t.now, "deemed_approval", note)
		return err
	})
	return nil
}

// suspend pauses the clock for a special procedure (Art. 45).
func (t *tx) suspend(in Input) error {
	c := t.c
	if c.State != InProgress {
		return t.wrongState()
	}
	if err := t.needReviewRole(); err != nil {
		return err
	}
	if c.Paused {
		return refuse("case.already_paused")
	}
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
	c.Pauses = append(c.Pauses, Pause{From: t.now, Reason: in.PauseReason, ExpectedDays: in.ExpectedDays})
	c.Paused = true
	t.payload["pause_reason"], t.payload["expected_days"], t.payload["note"] = in.PauseReason, in.ExpectedDays, note
	t.docs = append(t.docs, "suspension")
	t.msgs = append(t.msgs, "case.msg.suspended")
	return nil
}

func (t *tx) needReviewRole() error {
	s := t.a.Staff
	if s == nil || s.DepartmentID != t.c.DepartmentID || (s.Role != org.Reviewer && s.Role != org.Approver) {
		return forbidden()
	}
	return nil
}

func (t *tx) resume() error {
	c := t.c
	if c.State != InProgress || !c.Paused {
		return refuse("case.not_paused")
	}
	if err := t.needReviewRole(); err != nil {
		return err
	}
	return t.closePauses()
}

func (t *tx) closePauses() error {
	c := t.c
	if _, err := t.q.ExecContext(t.ctx, `UPDATE case_pauses SET to_at = $1 WHERE case_id = $2 AND to_at IS NULL`, t.now, c.ID); err != nil {
		return err
	}
	for i := range c.Pauses {
		if c.Pauses[i].To == nil {
			c.Pauses[i].To = &t.now
		}
	}
	c.Paused = false
	return nil
}

// extend grants the one extension the law allows, signed off by the
// approver with a reason the applicant is told (Art. 42).
func (t *tx) extend(in Input) error {
	c := t.c
	if c.State != InProgress {
		return t.wrongState()
	}
	if s := t.a.Staff; s == nil || s.Role != org.Approver || s.DepartmentID != c.DepartmentID {
		return forbidden()
	}
	if c.ExtensionDays > 0 {
		return refuse("case.already_extended")
	}
	f := apperr.Fields{}
	if in.Days < 1 || in.Days > MaxExtension {
		f.Add("days", "case.extension_days", "Max", MaxExtension)
	}
	t.payload["reason"] = trimmed(f, "reason", in.Reason, true, 1000)
	if err := f.Err(); err != nil {
		return err
	}
	c.ExtensionDays = in.Days
	t.payload["days"] = in.Days
	t.recordDeadlines()
	t.docs = append(t.docs, "extension")
	t.msgs = append(t.msgs, "case.msg.extended")
	return nil
}

func (t *tx) complete() error {
	c := t.c
	if c.State != Approved && c.State != Refused {
		return t.wrongState()
	}
	if err := t.needClerk(); err != nil {
		return err
	}
	c.State, c.CompletedAt = Completed, &t.now
	t.msgs = append(t.msgs, "case.msg.completed")
	return nil
}

func (t *tx) deliver(in Input) error {
	c := t.c
	if c.State != Completed {
		return t.wrongState()
	}
	if err := t.needClerk(); err != nil {
		return err
	}
	if !slices.Contains(DeliveryMethods, in.Delivery) {
		f := apperr.Fields{}
		f.Add("delivery", "error.choose")
		return f.Err()
	}
	c.State, c.Delivery, c.DeliveredAt, c.ClosedAt = Delivered, in.Delivery, &t.now, &t.now
	t.payload["delivery"] = in.Delivery
	t.msgs = append(t.msgs, "case.msg.delivered")
	return nil
}

// withdraw: the applicant takes the application back (or a clerk records
// that they did at the window) before a decision.
func (t *tx) withdraw(in Input) error {
	c := t.c
	if c.State != Received && c.State != Supplement && c.State != InProgress {
		return t.wrongState()
	}
	if !(t.a.ApplicantID != 0 && t.a.ApplicantID == c.ApplicantID) && !t.a.isClerkHere(c) {
		return forbidden()
	}
	f := apperr.Fields{}
	t.payload["reason"] = trimmed(f, "reason", in.Reason, false, 1000)
	if err := f.Err(); err != nil {
		return err
	}
	c.State, c.ClosedAt, c.NoticeDue, c.StepRole, c.AssigneeID = Withdrawn, &t.now, nil, "", 0
	if c.Paused {
		if err := t.closePauses(); err != nil {
			return err
		}
	}
	t.msgs = append(t.msgs, "case.msg.withdrawn")
	return nil
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
