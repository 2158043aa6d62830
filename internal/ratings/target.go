package ratings

import (
	"context"
	"time"
)

// Target is a case as its rater sees it on the rating pages: what was
// handled, whether it may be rated yet, and the rating already given by
// the rater's channel (nil: none yet).
type Target struct {
	No         string     `json:"no"`
	Item       string     `json:"item"`
	Department string     `json:"department"`
	Centre     string     `json:"centre"`
	DecidedAt  *time.Time `json:"decided_at,omitempty"`
	Decided    bool       `json:"decided"`
	Channel    string     `json:"channel"`
	Named      bool       `json:"named"`
	Given      *Given     `json:"given,omitempty"`
}

// Target reads case no for r, with r's rating of it; a case r may not rate
// answers "not found" as Rate does.
func (s *Service) Target(ctx context.Context, r Rater, no string) (*Target, error) {
	_, secret, err := s.settings(ctx, s.DB.Read())
	if err != nil {
		return nil, err
	}
	c, channel, named, err := s.caseFor(ctx, r, no, secret)
	if err != nil {
		return nil, err
	}
	t := &Target{No: c.No, Item: c.ItemName, Department: c.Department, Centre: c.Centre, DecidedAt: c.DecidedAt, Decided: Decided(c),
		Channel: channel, Named: named}
	given, err := s.OfCase(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	for i := range given {
		if given[i].Channel == channel {
			t.Given = &given[i]
		}
	}
	return t, nil
}

// Pending is a decided case of the applicant not yet rated on the portal.
type Pending struct {
	No        string    `json:"no"`
	Item      string    `json:"item"`
	DecidedAt time.Time `json:"decided_at"`
}

// Pending lists the applicant's decided cases without a portal rating,
// most recently decided first.
func (s *Service) Pending(ctx context.Context, applicantID int64) ([]Pending, error) {
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT c.no, v.name, c.decided_at FROM cases c JOIN item_versions v ON v.id = c.item_version_id
		WHERE c.applicant_id = $1 AND c.decided_at IS NOT NULL AND c.decision <> ''
		AND NOT EXISTS (SELECT 1 FROM ratings r WHERE r.case_id = c.id AND r.channel = $2)
		ORDER BY c.decided_at DESC LIMIT 100`, applicantID, Portal)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Pending
	for rows.Next() {
		var p Pending
		if err := rows.Scan(&p.No, &p.Item, &p.DecidedAt); err != nil {
			return nil, err
		}
		p.DecidedAt = p.DecidedAt.UTC()
		out = append(out, p)
	}
	return out, rows.Err()
}
