package bundles

import (
	"context"
	"database/sql"
	"errors"

	"onestop/internal/apperr"
	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/clock"
	"onestop/internal/org"
	"onestop/internal/store"
)

const bundleCols = `b.id, b.no, co.code, co.name, b.lead_department_id, d.short_name, b.centre_id, ce.region_code, b.applicant_id, a.name, b.channel,
	b.refusal_rule, b.promised_days, b.state, b.outcome, b.version, b.received_at, b.accepted_at, b.decided_at, b.delivered_at`

const bundleFrom = `bundles b JOIN composites co ON co.id = b.composite_id JOIN departments d ON d.id = b.lead_department_id
	JOIN centres ce ON ce.id = b.centre_id JOIN applicants a ON a.id = b.applicant_id`

func scanBundle(row interface{ Scan(...any) error }) (*Bundle, error) {
	b := &Bundle{}
	err := row.Scan(&b.ID, &b.No, &b.CompositeCode, &b.CompositeName, &b.LeadDepartmentID, &b.LeadDepartment, &b.CentreID, &b.RegionCode,
		&b.ApplicantID, &b.ApplicantName, &b.Channel, &b.RefusalRule, &b.PromisedDays, &b.State, &b.Outcome, &b.Version, &b.ReceivedAt,
		&b.AcceptedAt, &b.DecidedAt, &b.DeliveredAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("entity.bundle")
	}
	return b, err
}

// load reads a bundle with its shared materials and its parts' rows
// (no clocks: the transitions need only states).
func (s *Service) load(ctx context.Context, q store.Querier, no string) (*Bundle, error) {
	b, err := scanBundle(q.QueryRowContext(ctx, "SELECT "+bundleCols+" FROM "+bundleFrom+" WHERE b.no = $1", no))
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT seq, name, required, status FROM bundle_materials WHERE bundle_id = $1 ORDER BY seq`, b.ID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var m Material
		if err := rows.Scan(&m.Seq, &m.Name, &m.Required, &m.Status); err != nil {
			rows.Close()
			return nil, err
		}
		b.Materials = append(b.Materials, m)
	}
	rows.Close()
	rows, err = q.QueryContext(ctx, `SELECT c.no, i.code, v.name, c.department_id, d.short_name, c.state, c.decision, c.paused, c.promised_days
		FROM cases c JOIN items i ON i.id = c.item_id JOIN item_versions v ON v.id = c.item_version_id JOIN departments d ON d.id = c.department_id
		WHERE c.bundle_id = $1 ORDER BY c.id`, b.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var p Part
		if err := rows.Scan(&p.No, &p.ItemCode, &p.ItemName, &p.DepartmentID, &p.Department, &p.State, &p.Decision, &p.Paused, &p.PromisedDays); err != nil {
			return nil, err
		}
		b.Parts = append(b.Parts, p)
	}
	return b, rows.Err()
}

// sees reports whether the actor may read the bundle: its applicant; the
// staff of any participating department (a part's refusal or suspension
// concerns them all); the receiving centre's admin; the county-wide roles
// over its region. Anyone else is told it does not exist.
func sees(a cases.Actor, b *Bundle) bool {
	switch {
	case a.System:
		return true
	case a.Staff == nil:
		return a.ApplicantID != 0 && a.ApplicantID == b.ApplicantID
	}
	st := a.Staff
	switch {
	case st.CountyWide():
		return st.CoversRegion(b.RegionCode)
	case st.Role == org.CentreAdmin:
		return st.CentreID == b.CentreID
	}
	return st.DepartmentID != 0 && b.Departments()[st.DepartmentID]
}

// Get reads a bundle for its page: every part with its state, light and
// deadline on its own clock, and the bundle's own promised day.
func (s *Service) Get(ctx context.Context, a cases.Actor, no string) (*Bundle, error) {
	b, err := s.load(ctx, s.DB.Read(), no)
	if err != nil {
		return nil, err
	}
	if !sees(a, b) {
		return nil, apperr.NotFoundf("entity.bundle")
	}
	for i := range b.Parts {
		p := &b.Parts[i]
		// The bundle's reader may see every part on this page, though not
		// necessarily open each part's own page.
		c, err := s.Cases.Get(ctx, cases.SystemActor, p.No)
		if err != nil {
			return nil, err
		}
		p.Deadline, p.Light = c.Deadline, c.Light
	}
	if b.AcceptedAt != nil {
		cal, err := s.Cases.WorkingCalendar(ctx)
		if err != nil {
			return nil, err
		}
		d := promisedDay(cal, b)
		b.Deadline = &d
	}
	return b, nil
}

// promisedDay is the bundle's promised limit counted in working days from
// acceptance, as a case's (clock.Compute with the bundle's days).
func promisedDay(cal *calendar.Calendar, b *Bundle) calendar.Date {
	st := clock.Compute(cal, clock.Input{AcceptedAt: *b.AcceptedAt, PromisedDays: b.PromisedDays, StatutoryDays: max(b.PromisedDays, 45),
		Now: *b.AcceptedAt}, clock.DefaultLightRule)
	return st.PromisedDeadline
}

// Shared returns the shared materials of a case's bundle for the case's
// page; the caller has shown the case is visible to the reader.
func (s *Service) Shared(ctx context.Context, bundleNo string) ([]Material, error) {
	b, err := s.load(ctx, s.DB.Read(), bundleNo)
	if err != nil {
		return nil, err
	}
	return b.Materials, nil
}

// ForApplicant lists an applicant's bundles, newest first, for their
// progress page.
func (s *Service) ForApplicant(ctx context.Context, applicantID int64, limit int) ([]*Bundle, error) {
	nos, err := store.Column[string](s.DB.Read().QueryContext(ctx, `SELECT no FROM bundles WHERE applicant_id = $1 ORDER BY id DESC LIMIT $2`, applicantID, limit))
	if err != nil {
		return nil, err
	}
	out := []*Bundle{}
	for _, no := range nos {
		b, err := s.Get(ctx, cases.Actor{ApplicantID: applicantID}, no)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// Waiting lists the bundles a lead clerk's window has to accept or deliver:
// received or decided, of their department at their centre, oldest first.
func (s *Service) Waiting(ctx context.Context, a org.Actor) ([]*Bundle, error) {
	nos, err := store.Column[string](s.DB.Read().QueryContext(ctx, `SELECT no FROM bundles WHERE lead_department_id = $1 AND centre_id = $2
		AND state IN ($3, $4) ORDER BY id LIMIT 100`, a.DepartmentID, a.CentreID, Received, Decided))
	if err != nil {
		return nil, err
	}
	out := []*Bundle{}
	for _, no := range nos {
		b, err := s.load(ctx, s.DB.Read(), no)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}
