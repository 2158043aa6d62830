package modes

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"onestop/internal/apperr"
	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/clock"
	"onestop/internal/store"
)

// Rule keeps the cases' modes in step with the engine (cases.ModeRule).
// Everything it decides it returns for the event's payload, so the mode,
// the owed materials and both deadlines are on the case's hashed chain.
type Rule struct{}

// caseMode is a case's row in case_modes.
type caseMode struct {
	Mode      string
	Materials []string
	Terms     string
	Days      int
	SupplyDue *calendar.Date
	Supplied  bool
	VerifyDue *calendar.Date
	Verified  bool
	Outcome   string
}

func loadCaseMode(ctx context.Context, q store.Querier, caseID int64) (*caseMode, error) {
	var m caseMode
	var mats string
	var supplyDue, verifyDue any
	var supplied, verified sql.NullTime
	err := q.QueryRowContext(ctx, `SELECT mode, materials, terms, days, supply_due, supplied_at, verify_due, verified_at, outcome
		FROM case_modes WHERE case_id = $1`, caseID).Scan(&m.Mode, &mats, &m.Terms, &m.Days, &supplyDue, &supplied, &verifyDue, &verified, &m.Outcome)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("case mode: %w", err)
	}
	if d, ok := calendar.FromColumn(supplyDue); ok {
		m.SupplyDue = &d
	}
	if d, ok := calendar.FromColumn(verifyDue); ok {
		m.VerifyDue = &d
	}
	m.Supplied, m.Verified = supplied.Valid, verified.Valid
	m.Materials = splitJSON(mats)
	return &m, nil
}

// splitJSON reads a stored list of material names.
func splitJSON(s string) []string {
	var out []string
	_ = json.Unmarshal([]byte(s), &out) // written only by this package
	return out
}

// Step implements cases.ModeRule.
func (Rule) Step(ctx context.Context, q store.Querier, st cases.ModeStep) (map[string]any, error) {
	c := st.Case
	if st.Action == cases.ActSubmit {
		if st.Mode == "" {
			return nil, nil
		}
		return admit(ctx, q, st)
	}
	m, err := loadCaseMode(ctx, q, c.ID)
	if err != nil {
		return nil, err
	}
	switch st.Action {
	case cases.ActSupply, cases.ActVerify, cases.ActRevoke:
		// Only a case of the matching mode, with the work still pending.
		want := Lenient
		if st.Action != cases.ActSupply {
			want = Commitment
		}
		if m == nil || m.Mode != want || (want == Lenient && m.Supplied) || (want == Commitment && m.Verified) {
			return nil, apperr.New(apperr.Conflict, "modes.not_pending")
		}
	}
	if m == nil {
		return nil, nil
	}
	today := clock.Today(st.Now)
	switch st.Action {
	case cases.ActAccept, cases.ActDeemAccept:
		rec := map[string]any{"mode": m.Mode}
		if m.Mode == Lenient {
			// The supply period runs from acceptance like the promised limit
			// (the day of acceptance not counted, 民法典 Art. 201).
			due, _ := st.Calendar.Deadline(clock.Today(*c.AcceptedAt), m.Days)
			if _, err := q.ExecContext(ctx, `UPDATE case_modes SET supply_due = $1 WHERE case_id = $2`, due.Time(timeUTC), c.ID); err != nil {
				return nil, err
			}
			rec["owed"], rec["supply_due"] = m.Materials, due.String()
		}
		if c.DecidedAt != nil && m.Mode == Commitment {
			if err := scheduleVerify(ctx, q, st, m, today, rec); err != nil {
				return nil, err
			}
		}
		return rec, nil
	case cases.ActApprove, cases.ActDeemApprove:
		if m.Mode != Commitment {
			return nil, nil
		}
		rec := map[string]any{"mode": m.Mode}
		return rec, scheduleVerify(ctx, q, st, m, today, rec)
	case cases.ActSupply:
		return supply(ctx, q, st, m)
	case cases.ActVerify, cases.ActRevoke:
		return verify(ctx, q, st)
	}
	return nil, nil
}

// scheduleVerify sets the verification deadline on the item's own schedule
// after approval (国办发〔2020〕42号: no national deadline).
func scheduleVerify(ctx context.Context, q store.Querier, st cases.ModeStep, m *caseMode, today calendar.Date, rec map[string]any) error {
	due, _ := st.Calendar.Deadline(today, m.Days)
	if _, err := q.ExecContext(ctx, `UPDATE case_modes SET verify_due = $1 WHERE case_id = $2`, due.Time(timeUTC), st.Case.ID); err != nil {
		return err
	}
	rec["verify_due"] = due.String()
	return nil
}

// admit checks the mode chosen at submission and records it: the item
// must allow it, and 告知承诺 is refused to an applicant with a false
// commitment on record (国办发〔2020〕42号 三(三)).
func admit(ctx context.Context, q store.Querier, st cases.ModeStep) (map[string]any, error) {
	c := st.Case
	f := apperr.Fields{}
	if st.Mode != Commitment && st.Mode != Lenient {
		f.Add("mode", "error.choose")
		return nil, f.Err()
	}
	var itemID int64
	if err := q.QueryRowContext(ctx, `SELECT id FROM items WHERE code = $1`, c.ItemCode).Scan(&itemID); err != nil {
		return nil, err
	}
	set, err := itemSettings(ctx, q, itemID)
	if err != nil {
		return nil, err
	}
	var names []string
	var days int
	var terms string
	switch st.Mode {
	case Commitment:
		if !set.Commitment {
			f.Add("mode", "modes.not_eligible")
			return nil, f.Err()
		}
		if mark, err := creditMark(ctx, q, c.ApplicantID); err != nil {
			return nil, err
		} else if mark != "" {
			f.Add("mode", "modes.credit_marked", "Reason", mark)
			return nil, f.Err()
		}
		names, days, terms = set.Replaced, set.VerifyDays, set.Terms
	case Lenient:
		if !set.Lenient {
			f.Add("mode", "modes.not_eligible")
			return nil, f.Err()
		}
		// Owed are the minor materials not handed in; a main material
		// missing is a supplement notice's business, not 容缺's.
		for _, mt := range c.Materials {
			if slices.Contains(set.Minor, mt.Name) && mt.Status != "received" {
				names = append(names, mt.Name)
			}
		}
		if len(names) == 0 {
			f.Add("mode", "modes.nothing_owed")
			return nil, f.Err()
		}
		days = set.SupplyDays
	}
	// The replaced or owed materials no longer stand in the way of
	// acceptance; a replaced one is not asked for at all.
	for i := range c.Materials {
		mt := &c.Materials[i]
		if !slices.Contains(names, mt.Name) {
			continue
		}
		mt.Required = false
		if st.Mode == Commitment && mt.Status != "received" {
			mt.Status = "not_applicable"
		}
		if _, err := q.ExecContext(ctx, `UPDATE case_materials SET required = $1, status = $2 WHERE case_id = $3 AND seq = $4`,
			false, mt.Status, c.ID, mt.Seq); err != nil {
			return nil, err
		}
	}
	js, _ := json.Marshal(names)
	if _, err := q.ExecContext(ctx, `INSERT INTO case_modes (case_id, mode, materials, terms, days) VALUES ($1,$2,$3,$4,$5)`,
		c.ID, st.Mode, string(js), terms, days); err != nil {
		return nil, fmt.Errorf("case mode: %w", err)
	}
	rec := map[string]any{"mode": st.Mode, "materials": names, "days": days}
	if terms != "" {
		rec["terms"] = terms
	}
	return rec, nil
}

// supply: the owed materials handed in; only owed ones, and the supply is
// complete once none is owed.
func supply(ctx context.Context, q store.Querier, st cases.ModeStep, m *caseMode) (map[string]any, error) {
	c := st.Case
	f := apperr.Fields{}
	for _, ch := range st.Input.Materials {
		i := slices.IndexFunc(c.Materials, func(mt cases.Material) bool { return mt.Seq == ch.Seq })
		if i < 0 || !slices.Contains(m.Materials, c.Materials[i].Name) {
			f.Add(fmt.Sprintf("materials.%d", ch.Seq), "modes.not_owed")
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	var still []string
	for _, mt := range c.Materials {
		if slices.Contains(m.Materials, mt.Name) && mt.Status != "received" {
			still = append(still, mt.Name)
		}
	}
	rec := map[string]any{"mode": Lenient}
	if len(still) > 0 {
		rec["still_owed"] = still
		return rec, nil
	}
	if _, err := q.ExecContext(ctx, `UPDATE case_modes SET supplied_at = $1 WHERE case_id = $2`, st.Now, c.ID); err != nil {
		return nil, err
	}
	rec["supplied"] = true
	return rec, nil
}

// verify records the verification's outcome; a false commitment also puts
// a credit mark on the applicant (国办发〔2020〕42号 四(五)), in the same
// transaction as the revocation.
func verify(ctx context.Context, q store.Querier, st cases.ModeStep) (map[string]any, error) {
	c := st.Case
	outcome := "passed"
	if st.Action == cases.ActRevoke {
		outcome = "false"
	}
	staffID := int64(0)
	if st.Actor.Staff != nil {
		staffID = st.Actor.Staff.StaffID
	}
	if _, err := q.ExecContext(ctx, `UPDATE case_modes SET verified_at = $1, verified_by = $2, outcome = $3, outcome_note = $4 WHERE case_id = $5`,
		st.Now, store.NullID(staffID), outcome, st.Input.Reason, c.ID); err != nil {
		return nil, err
	}
	if outcome == "false" {
		if _, err := q.ExecContext(ctx, `INSERT INTO credit_marks (applicant_id, case_id, reason, marked_by, marked_at) VALUES ($1,$2,$3,$4,$5)`,
			c.ApplicantID, c.ID, st.Input.Reason, staffID, st.Now); err != nil {
			return nil, fmt.Errorf("credit mark: %w", err)
		}
	}
	return map[string]any{"mode": Commitment, "outcome": outcome}, nil
}

// CaseMode is a case's acceptance mode as its pages show it.
type CaseMode struct {
	Mode      string         `json:"mode"`
	Materials []string       `json:"materials"`
	Terms     string         `json:"terms,omitempty"`
	SupplyDue *calendar.Date `json:"supply_due,omitempty"`
	Supplied  bool           `json:"supplied"`
	VerifyDue *calendar.Date `json:"verify_due,omitempty"`
	Verified  bool           `json:"verified"`
	Outcome   string         `json:"outcome,omitempty"`
}

// Owing reports whether 容缺 materials are still owed.
func (m *CaseMode) Owing() bool { return m != nil && m.Mode == Lenient && !m.Supplied }

// OfCase returns the case's mode, nil for a normal acceptance. The caller
// has already read the case under its own scope.
func (s *Service) OfCase(ctx context.Context, caseID int64) (*CaseMode, error) {
	m, err := loadCaseMode(ctx, s.DB.Read(), caseID)
	if m == nil || err != nil {
		return nil, err
	}
	return &CaseMode{Mode: m.Mode, Materials: m.Materials, Terms: m.Terms, SupplyDue: m.SupplyDue, Supplied: m.Supplied, VerifyDue: m.VerifyDue,
		Verified: m.Verified, Outcome: m.Outcome}, nil
}
