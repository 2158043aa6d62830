package modes

import (
	"context"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/clock"
	"onestop/internal/org"
)

// Verification is one commitment awaiting verification after approval.
type Verification struct {
	CaseNo     string        `json:"case_no"`
	ItemName   string        `json:"item_name"`
	Applicant  string        `json:"applicant"`
	Materials  []string      `json:"materials"`
	DecidedAt  time.Time     `json:"decided_at"`
	Due        calendar.Date `json:"due"`
	Overdue    bool          `json:"overdue"`
	Department string        `json:"department"`
}

// Verifications lists the department's commitments awaiting verification,
// soonest due first: for its reviewers and approvers only, never another
// department's (the organ verifies its own, 国办发〔2020〕42号).
func (s *Service) Verifications(ctx context.Context, a org.Actor) ([]Verification, error) {
	if (a.Role != org.Reviewer && a.Role != org.Approver) || a.DepartmentID == 0 {
		return nil, apperr.New(apperr.Forbidden, "error.forbidden")
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT c.no, iv.name, ap.name, m.materials, c.decided_at, m.verify_due, d.name
		FROM case_modes m JOIN cases c ON c.id = m.case_id JOIN item_versions iv ON iv.id = c.item_version_id
		JOIN applicants ap ON ap.id = c.applicant_id JOIN departments d ON d.id = c.department_id
		WHERE m.mode = 'commitment' AND m.verified_at IS NULL AND m.verify_due IS NOT NULL AND c.department_id = $1
		AND c.decision = 'approved' ORDER BY m.verify_due, c.no LIMIT 500`, a.DepartmentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	today := clock.Today(s.Now())
	var out []Verification
	for rows.Next() {
		var v Verification
		var mats string
		var due any
		if err := rows.Scan(&v.CaseNo, &v.ItemName, &v.Applicant, &mats, &v.DecidedAt, &due, &v.Department); err != nil {
			return nil, err
		}
		v.Due, _ = calendar.FromColumn(due)
		v.Overdue = v.Due.Before(today)
		v.Materials = splitJSON(mats)
		out = append(out, v)
	}
	return out, rows.Err()
}

// Outcome records a verification: passed, or a false commitment, which
// revokes the decision (撤销决定书 with reasons and remedies) and marks the
// applicant's credit, in one case transition on the chain.
func (s *Service) Outcome(ctx context.Context, a org.Actor, no string, passed bool, reason string) (*cases.Case, error) {
	act := cases.ActRevoke
	if passed {
		act = cases.ActVerify
	}
	return s.Cases.Act(ctx, cases.StaffActor(a), no, act, cases.Input{Reason: reason})
}
