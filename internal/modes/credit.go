package modes

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/org"
	"onestop/internal/store"
)

var timeUTC = time.UTC

// CreditMark is a false commitment on an applicant's record.
type CreditMark struct {
	CaseNo   string    `json:"case_no"`
	ItemName string    `json:"item_name"`
	Reason   string    `json:"reason"`
	MarkedBy string    `json:"marked_by"`
	MarkedAt time.Time `json:"marked_at"`
}

// creditMark is the reason of the applicant's latest credit mark, "" for
// none.
func creditMark(ctx context.Context, q store.Querier, applicantID int64) (string, error) {
	var reason string
	err := q.QueryRowContext(ctx, `SELECT reason FROM credit_marks WHERE applicant_id = $1 ORDER BY marked_at DESC, id DESC LIMIT 1`,
		applicantID).Scan(&reason)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return reason, err
}

// CreditMarks lists an applicant's credit marks for staff at intake: the
// window clerks and the departments' reviewers, who must see them before
// offering 告知承诺. Other roles and applicants see none through this.
func (s *Service) CreditMarks(ctx context.Context, a org.Actor, applicantID int64) ([]CreditMark, error) {
	switch a.Role {
	case org.Clerk, org.Reviewer, org.Approver, org.DeptAdmin, org.Supervisor:
	default:
		return nil, apperr.New(apperr.Forbidden, "error.forbidden")
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT c.no, iv.name, m.reason, s.name, m.marked_at FROM credit_marks m
		JOIN cases c ON c.id = m.case_id JOIN item_versions iv ON iv.id = c.item_version_id JOIN staff s ON s.id = m.marked_by
		WHERE m.applicant_id = $1 ORDER BY m.marked_at DESC, m.id DESC`, applicantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CreditMark
	for rows.Next() {
		var m CreditMark
		if err := rows.Scan(&m.CaseNo, &m.ItemName, &m.Reason, &m.MarkedBy, &m.MarkedAt); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// OwnMark is the reason of the applicant's latest credit mark ("" for
// none), for their own apply page: the applicant learns before applying
// why 告知承诺 is not offered to them.
func (s *Service) OwnMark(ctx context.Context, applicantID int64) (string, error) {
	return creditMark(ctx, s.DB.Read(), applicantID)
}
