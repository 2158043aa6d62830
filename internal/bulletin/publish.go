package bulletin

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/calendar"
	"onestop/internal/duty"
	"onestop/internal/org"
	"onestop/internal/store"
	"onestop/internal/tally"
)

// Service publishes bulletins and reads the published ones.
type Service struct {
	DB  *store.DB
	Now func() time.Time
	// Compute gives a period's figures; nil reads the running totals
	// (tally). Tests give hand-counted figures.
	Compute func(ctx context.Context, a org.Actor, q tally.Query) (*tally.Report, error)
	// Duty reads a month's leaders' duty, frozen with a month's bulletin;
	// nil publishes none.
	Duty *duty.Service
}

// Published is a bulletin as it was published.
type Published struct {
	ID         int64
	Period     Period
	By         string
	County     string // the county's division code
	CountyName string
	Version    int
	Title      string
	Figures    tally.Report
	// Queue is the queue's figures as published (nil for a bulletin
	// published before they were part of it).
	Queue       *Queue
	PublishedAt time.Time
	// Withdrawn: when and why a supervisor took it back; its figures are
	// no longer shown to the public.
	WithdrawnAt     *time.Time
	WithdrawnReason string
	// ReplacedBy is the newer version's id, 0 when this is the latest.
	ReplacedBy int64
	// PublishedBy is the account that published it: on the record and
	// shown to staff, never on the portal (no personal data there).
	PublishedBy int64
	// Duty is a month's leaders' duty table as published (none for a
	// longer period: the rule is monthly).
	Duty []DutyRow
}

// Input asks to publish the figures of a period for a county.
type Input struct {
	Period Period
	By     string // department, centre or township
	County string
	Title  string
	// NewVersion must be set to publish a period, grouping and county that
	// is already published: a published bulletin is a public document,
	// so it is never overwritten; a corrected one is a new version that
	// says so, and the first stays on the record (why: the public may
	// have cited it, and an auditor must see what was said when).
	NewVersion bool
}

// Publishable groupings: a county's bulletin ranks its own departments,
// centres or townships.
var groupings = map[string]bool{"department": true, "centre": true, "township": true}

const maxTitle = 100

// Publish freezes the figures of the period and publishes them. Only a
// supervisor of the county (or a province-wide one) publishes; the
// figures are computed here, from the record, never taken from the form.
func (s *Service) Publish(ctx context.Context, a org.Actor, in Input) (*Published, error) {
	if a.Role != org.Supervisor {
		return nil, apperr.New(apperr.Forbidden, "error.forbidden")
	}
	f := apperr.Fields{}
	title := f.Text("title", in.Title, true, maxTitle)
	if !groupings[in.By] {
		f.Add("by", "bulletin.bad_by")
	}
	if in.Period.From.IsZero() || in.Period.To.IsZero() || in.Period.From.After(in.Period.To) {
		f.Add("period", "bulletin.bad_period")
	}
	county, err := s.county(ctx, a, in.County)
	if err != nil {
		return nil, err
	}
	if county == "" {
		f.Add("county", "bulletin.bad_county")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	q := tally.Query{From: in.Period.From, To: in.Period.To, By: in.By, County: county}
	b, err := s.compute(ctx, a, q)
	if err != nil {
		return nil, err
	}
	figures, err := json.Marshal(b)
	if err != nil {
		return nil, err
	}
	qf, err := QueueFigures(ctx, s.DB.Read(), a, county, in.Period.From, in.Period.To)
	if err != nil {
		return nil, err
	}
	queueJSON, err := json.Marshal(qf)
	if err != nil {
		return nil, err
	}
	dutyRows := []DutyRow{}
	if in.Period.Kind == Month && s.Duty != nil {
		ms, err := s.Duty.CountyMonth(ctx, county, in.Period.From)
		if err != nil {
			return nil, err
		}
		dutyRows = DutyRows(ms)
	}
	dutyJSON, err := json.Marshal(dutyRows)
	if err != nil {
		return nil, err
	}
	now := s.Now().UTC()
	var out *Published
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var latest sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT MAX(version) FROM published_bulletins
			WHERE period_kind = $1 AND period_from = $2 AND period_to = $3 AND group_by = $4 AND county_code = $5`,
			string(in.Period.Kind), in.Period.From.String(), in.Period.To.String(), in.By, county).Scan(&latest); err != nil {
			return err
		}
		if latest.Valid && !in.NewVersion {
			return &apperr.Error{Code: apperr.Conflict, Msg: apperr.M("bulletin.already_published", "Version", latest.Int64),
				Fields: map[string]apperr.Msg{"new_version": apperr.M("bulletin.already_published", "Version", latest.Int64)}}
		}
		version := int(latest.Int64) + 1
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO published_bulletins (period_kind, period_from, period_to, group_by, county_code, version, title, figures, published_by, published_at, queue_figures, duty)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
			string(in.Period.Kind), in.Period.From.String(), in.Period.To.String(), in.By, county, version, title, string(figures), a.StaffID, now, string(queueJSON), string(dutyJSON)).Scan(&id); err != nil {
			if store.IsUnique(err) {
				return apperr.New(apperr.Conflict, "bulletin.already_published", "Version", version)
			}
			return err
		}
		out = &Published{ID: id, Period: in.Period, By: in.By, County: county, Version: version, Title: title, Figures: *b, Queue: qf, PublishedAt: now, PublishedBy: a.StaffID, Duty: dutyRows}
		var before any
		if latest.Valid {
			before = map[string]any{"bulletin_version": latest.Int64}
		}
		return audit.Write(ctx, tx, now, a.Who(), "publish", "bulletin", strconv.FormatInt(id, 10), a.CentreID, 0, before, auditView(out))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// auditView is what the record keeps of a publication: what was said,
// with the totals, so the log alone shows the headline figures.
func auditView(p *Published) map[string]any {
	return map[string]any{"bulletin_title": p.Title, "period_kind": p.Period.Kind, "period_from": p.Period.From.String(), "period_to": p.Period.To.String(),
		"group_by": p.By, "county_code": p.County, "bulletin_version": p.Version, "bulletin_groups": len(p.Figures.Items),
		"total_received": p.Figures.Total.Received, "total_completed": p.Figures.Total.Completed}
}

func (s *Service) compute(ctx context.Context, a org.Actor, q tally.Query) (*tally.Report, error) {
	if s.Compute != nil {
		return s.Compute(ctx, a, q)
	}
	return tally.Bulletin(ctx, s.DB, a, q)
}

// county is the county a supervisor publishes for: the one asked for if it
// is a county inside their reach, else their own. "" when none fits; a
// county outside the reach reads as unknown (it is not theirs to name).
func (s *Service) county(ctx context.Context, a org.Actor, code string) (string, error) {
	if code == "" {
		if a.Province {
			return "", nil // a province-wide account must say which county
		}
		code = a.County()
	}
	if len(code) != 6 || !a.CoversRegion(code) {
		return "", nil
	}
	var level string
	err := s.DB.Read().QueryRowContext(ctx, `SELECT level FROM regions WHERE code = $1`, code).Scan(&level)
	if errors.Is(err, sql.ErrNoRows) || level != "county" {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return code, nil
}

const maxReason = 500

// Withdraw takes a published bulletin off the portal, with the reason on
// the record. Another county's bulletin is "not found" to its supervisor.
func (s *Service) Withdraw(ctx context.Context, a org.Actor, id int64, reason string) error {
	if a.Role != org.Supervisor {
		return apperr.New(apperr.Forbidden, "error.forbidden")
	}
	f := apperr.Fields{}
	reason = f.Para("reason", reason, true, maxReason)
	p, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if !a.CoversRegion(p.County) {
		return apperr.NotFoundf("entity.bulletin")
	}
	if err := f.Err(); err != nil {
		return err
	}
	if p.WithdrawnAt != nil {
		return apperr.New(apperr.Conflict, "bulletin.already_withdrawn")
	}
	now := s.Now().UTC()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE published_bulletins SET withdrawn_by = $1, withdrawn_at = $2, withdrawn_reason = $3
			WHERE id = $4 AND withdrawn_at IS NULL`, a.StaffID, now, reason, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "bulletin.already_withdrawn")
		}
		return audit.Write(ctx, tx, now, a.Who(), "withdraw", "bulletin", strconv.FormatInt(id, 10), a.CentreID, 0,
			auditView(p), map[string]any{"bulletin_withdrawn": true, "reason": reason})
	})
}

const selectPublished = `SELECT b.id, b.period_kind, b.period_from, b.period_to, b.group_by, b.county_code, COALESCE(r.name, ''), b.version, b.title,
	b.figures, b.published_by, b.published_at, b.withdrawn_at, b.withdrawn_reason, b.queue_figures, b.duty,
	COALESCE((SELECT MAX(n.id) FROM published_bulletins n WHERE n.period_kind = b.period_kind AND n.period_from = b.period_from
		AND n.period_to = b.period_to AND n.group_by = b.group_by AND n.county_code = b.county_code AND n.version > b.version), 0)
	FROM published_bulletins b LEFT JOIN regions r ON r.code = b.county_code`

func scanPublished(row interface{ Scan(...any) error }) (*Published, error) {
	var p Published
	var kind, from, to, figures, dutyJSON string
	var withdrawn sql.NullTime
	var queueJSON sql.NullString
	if err := row.Scan(&p.ID, &kind, &from, &to, &p.By, &p.County, &p.CountyName, &p.Version, &p.Title, &figures,
		&p.PublishedBy, &p.PublishedAt, &withdrawn, &p.WithdrawnReason, &queueJSON, &dutyJSON, &p.ReplacedBy); err != nil {
		return nil, err
	}
	if queueJSON.Valid && queueJSON.String != "" {
		p.Queue = &Queue{}
		if err := json.Unmarshal([]byte(queueJSON.String), p.Queue); err != nil {
			return nil, fmt.Errorf("published bulletin %d queue: %w", p.ID, err)
		}
	}
	fd, err1 := calendar.ParseDate(from)
	td, err2 := calendar.ParseDate(to)
	if err := errors.Join(err1, err2, json.Unmarshal([]byte(figures), &p.Figures), json.Unmarshal([]byte(dutyJSON), &p.Duty)); err != nil {
		return nil, fmt.Errorf("published bulletin %d: %w", p.ID, err)
	}
	p.Period = FromRange(Kind(kind), fd, td)
	if withdrawn.Valid {
		t := withdrawn.Time
		p.WithdrawnAt = &t
	}
	return &p, nil
}

// Get reads one published bulletin, withdrawn or not: the portal is
// public, so no actor is needed.
func (s *Service) Get(ctx context.Context, id int64) (*Published, error) {
	p, err := scanPublished(s.DB.Read().QueryRowContext(ctx, selectPublished+` WHERE b.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("entity.bulletin")
	}
	return p, err
}

// Filter narrows the published list.
type Filter struct {
	County string // a county's code; "" every county (the portal is public)
	// Staff lists withdrawn and replaced versions too (the supervision
	// page); the portal lists what stands.
	All           bool
	Limit, Offset int
}

// List gives published bulletins, newest first, and how many there are.
func (s *Service) List(ctx context.Context, f Filter) ([]Published, int, error) {
	w := store.Where{}
	if f.County != "" {
		w.Add("b.county_code = ?", f.County)
	}
	if !f.All {
		w.Add("b.withdrawn_at IS NULL")
		w.Add(`NOT EXISTS (SELECT 1 FROM published_bulletins n WHERE n.period_kind = b.period_kind AND n.period_from = b.period_from
			AND n.period_to = b.period_to AND n.group_by = b.group_by AND n.county_code = b.county_code AND n.version > b.version)`)
	}
	var total int
	if err := s.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM published_bulletins b`+w.String(), w.Args()...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit := f.Limit
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	rows, err := s.DB.Read().QueryContext(ctx, selectPublished+w.String()+fmt.Sprintf(` ORDER BY b.published_at DESC, b.id DESC LIMIT %d OFFSET %d`, limit, max(0, f.Offset)), w.Args()...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Published
	for rows.Next() {
		p, err := scanPublished(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, *p)
	}
	return out, total, rows.Err()
}
