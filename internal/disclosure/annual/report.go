package annual

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/calendar"
	"onestop/internal/clock"
	"onestop/internal/disclosure"
	"onestop/internal/org"
	"onestop/internal/store"
)

// Report statuses: an officer drafts, the office head approves (only when
// the tables add up), the head publishes an approved report.
const (
	Draft     = "draft"
	Approved  = "approved"
	Published = "published"
)

// FirstYear is the first report year: the Regulations took effect on 1
// May 2008 (2007 text, Art. 38), the first annual reports were 2008's.
const FirstYear = 2008

// Service keeps the annual reports and the appeals table 四 counts.
type Service struct {
	DB  *store.DB
	Now func() time.Time
	// Calendar is the working calendar: the published report's catalogue
	// entry is on the 20-working-day clock too (条例 Art. 26).
	Calendar func(context.Context) (*calendar.Calendar, error)
}

func (s *Service) now() time.Time { return s.Now().UTC() }

// Report is one organ's report for one year.
type Report struct {
	ID          int64            `json:"id"`
	Organ       disclosure.Organ `json:"organ"`
	Year        int              `json:"year"`
	Status      string           `json:"status"`
	Version     int              `json:"version"`
	Overview    string           `json:"overview"`      // 一、总体情况
	Problems    string           `json:"problems"`      // 五、存在的主要问题及改进情况
	Other       string           `json:"other_matters"` // 六、其他需要报告的事项, after the fee statement
	Computed    Cells            `json:"computed"`
	Adjusted    Cells            `json:"adjusted"`
	Cells       Cells            `json:"cells"` // as the report states them
	Violations  []Violation      `json:"violations"`
	GeneratedBy int64            `json:"generated_by"`
	GeneratedAt time.Time        `json:"generated_at"`
	ApprovedBy  int64            `json:"approved_by,omitempty"`
	ApprovedAt  *time.Time       `json:"approved_at,omitempty"`
	PublishedBy int64            `json:"published_by,omitempty"`
	PublishedAt *time.Time       `json:"published_at,omitempty"`
	PublishedOn string           `json:"published_on,omitempty"`
	EntryID     int64            `json:"entry_id,omitempty"`
	// Access is the reader's access to the organ (what they may do).
	Access disclosure.Access `json:"-"`
}

const reportCols = `r.id, r.organ_id, r.year, r.status, r.version, r.overview, r.problems, r.other_matters, r.computed, r.adjusted,
	r.generated_by, r.generated_at, COALESCE(r.approved_by, 0), r.approved_at, COALESCE(r.published_by, 0), r.published_at,
	COALESCE(r.published_on, ''), COALESCE(r.entry_id, 0)`

func scanReport(row interface{ Scan(...any) error }) (*Report, error) {
	r := &Report{}
	var computed, adjusted string
	err := row.Scan(&r.ID, &r.Organ.ID, &r.Year, &r.Status, &r.Version, &r.Overview, &r.Problems, &r.Other, &computed, &adjusted,
		&r.GeneratedBy, &r.GeneratedAt, &r.ApprovedBy, &r.ApprovedAt, &r.PublishedBy, &r.PublishedAt, &r.PublishedOn, &r.EntryID)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(computed), &r.Computed); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(adjusted), &r.Adjusted); err != nil {
		return nil, err
	}
	r.GeneratedAt = r.GeneratedAt.UTC()
	for _, t := range []*time.Time{r.ApprovedAt, r.PublishedAt} {
		if t != nil {
			*t = t.UTC()
		}
	}
	r.Cells = Merge(r.Computed, r.Adjusted)
	r.Violations = Check(r.Cells)
	return r, nil
}

var errNotFound = apperr.NotFoundf("entity.disclosure_report")

// load reads a report and the actor's access to its organ; a report of
// an organ the actor may not read is not found.
func load(ctx context.Context, q store.Querier, a org.Actor, id int64) (*Report, error) {
	r, err := scanReport(q.QueryRowContext(ctx, `SELECT `+reportCols+` FROM disclosure_reports r WHERE r.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, err
	}
	x, err := disclosure.AccessTo(ctx, q, a, r.Organ.ID)
	if apperr.Is(err, apperr.NotFound) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, err
	}
	r.Organ, r.Access = x.Organ, x
	return r, nil
}

// Get reads one report the actor may read.
func (s *Service) Get(ctx context.Context, a org.Actor, id int64) (*Report, error) {
	return load(ctx, s.DB.Read(), a, id)
}

// Public reads a published report for everyone: a report not (yet)
// published does not exist for the public.
func (s *Service) Public(ctx context.Context, id int64) (*Report, error) {
	r, err := scanReport(s.DB.Read().QueryRowContext(ctx, `SELECT `+reportCols+` FROM disclosure_reports r WHERE r.id = $1 AND r.status = 'published'`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, err
	}
	err = s.DB.Read().QueryRowContext(ctx, `SELECT id, region_code, kind, COALESCE(department_id, 0), name FROM disclosure_organs WHERE id = $1`, r.Organ.ID).
		Scan(&r.Organ.ID, &r.Organ.RegionCode, &r.Organ.Kind, &r.Organ.DepartmentID, &r.Organ.Name)
	return r, err
}

// Filter narrows a list of reports; zero values do not narrow.
type Filter struct {
	OrganID int64
	Year    int
}

// List answers the reports of the organs the actor may read (and only
// those: no organ named is every organ the actor reads, never more),
// newest year first.
func (s *Service) List(ctx context.Context, a org.Actor, f Filter) ([]Report, error) {
	organs, err := disclosure.Organs(ctx, s.DB.Read(), a)
	if err != nil {
		return nil, err
	}
	access := map[int64]disclosure.Access{}
	var ids []any
	for _, x := range organs {
		if f.OrganID == 0 || f.OrganID == x.Organ.ID {
			access[x.Organ.ID] = x
			ids = append(ids, x.Organ.ID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	var w store.Where
	w.Add("r.organ_id IN ("+strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")+")", ids...)
	if f.Year != 0 {
		w.Add("r.year = ?", f.Year)
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT `+reportCols+` FROM disclosure_reports r`+w.String()+` ORDER BY r.year DESC, r.organ_id LIMIT 500`, w.Args()...)
	if err != nil {
		return nil, err
	}
	var out []Report
	err = store.Each(rows, func() error {
		r, err := scanReport(rows)
		if err != nil {
			return err
		}
		x := access[r.Organ.ID]
		r.Organ, r.Access = x.Organ, x
		out = append(out, *r)
		return nil
	})
	return out, err
}

// Generate counts an organ's tables for a year and stores them as a draft
// report, or counts a draft again (regenerates: the hand adjustments and
// texts stay). An officer of the organ's office only; an approved or
// published report is not counted again (the head reopens an approved
// one first).
func (s *Service) Generate(ctx context.Context, a org.Actor, organID int64, year int) (*Report, error) {
	now := s.now()
	if year < FirstYear || year > clock.Today(now).Year {
		return nil, apperr.Fields{"year": apperr.M("disclosure_report.error.year", "First", FirstYear, "Last", clock.Today(now).Year)}.Err()
	}
	var id int64
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		q := s.DB.InTx(tx)
		x, err := disclosure.AccessTo(ctx, q, a, organID)
		if err != nil {
			return err
		}
		if !x.Acts(disclosure.Officer) {
			return apperr.New(apperr.Forbidden, "disclosure_report.error.officer_only")
		}
		cells, err := Count(ctx, q, x.Organ, year)
		if err != nil {
			return err
		}
		js, _ := json.Marshal(cells)
		var status string
		var version int
		err = q.QueryRowContext(ctx, `SELECT id, status, version FROM disclosure_reports WHERE organ_id = $1 AND year = $2`, organID, year).Scan(&id, &status, &version)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if err := q.QueryRowContext(ctx, `INSERT INTO disclosure_reports (organ_id, year, status, computed, generated_by, generated_at, created_at, updated_at)
				VALUES ($1, $2, 'draft', $3, $4, $5, $5, $5) RETURNING id`, organID, year, string(js), a.StaffID, now).Scan(&id); err != nil {
				if store.IsUnique(err) {
					return apperr.New(apperr.Conflict, "disclosure_report.error.stale")
				}
				return err
			}
			return audit.Write(ctx, q, now, a.Who(), "create", "disclosure_report", itoa(id), 0, x.Organ.DepartmentID, nil,
				map[string]any{"organ_id": organID, "year": year})
		case err != nil:
			return err
		case status != Draft:
			return apperr.New(apperr.Conflict, "disclosure_report.error.not_draft")
		}
		res, err := q.ExecContext(ctx, `UPDATE disclosure_reports SET computed = $1, generated_by = $2, generated_at = $3, updated_at = $3, version = version + 1
			WHERE id = $4 AND version = $5`, string(js), a.StaffID, now, id, version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "disclosure_report.error.stale")
		}
		return audit.Write(ctx, q, now, a.Who(), "regenerate", "disclosure_report", itoa(id), 0, x.Organ.DepartmentID, nil,
			map[string]any{"organ_id": organID, "year": year})
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, a, id)
}

// change runs one edit of a report in a transaction: the actor must read
// the organ (else not found), hold the duty (else forbidden) — before
// anything about the input is said (invalid, the input's own problems) —
// name the version they saw (else a conflict) and find the report in the
// status the edit starts from.
func (s *Service) change(ctx context.Context, a org.Actor, id int64, version int, duty disclosure.Duty, from string, invalid error,
	fn func(q store.Querier, r *Report) (action string, before, after any, err error)) (*Report, error) {
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		q := s.DB.InTx(tx)
		r, err := load(ctx, q, a, id)
		if err != nil {
			return err
		}
		if !r.Access.Acts(duty) {
			if duty == disclosure.Head {
				return apperr.New(apperr.Forbidden, "disclosure_report.error.head_only")
			}
			return apperr.New(apperr.Forbidden, "disclosure_report.error.officer_only")
		}
		if invalid != nil {
			return invalid
		}
		if version <= 0 {
			return apperr.Fields{"version": apperr.M("error.required")}.Err()
		}
		if version != r.Version {
			return apperr.New(apperr.Conflict, "disclosure_report.error.stale")
		}
		if r.Status != from {
			return apperr.New(apperr.Conflict, "disclosure_report.error.status_"+from)
		}
		action, before, after, err := fn(q, r)
		if err != nil {
			return err
		}
		res, err := q.ExecContext(ctx, `UPDATE disclosure_reports SET version = version + 1, updated_at = $1 WHERE id = $2 AND version = $3`, s.now(), id, version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "disclosure_report.error.stale")
		}
		return audit.Write(ctx, q, s.now(), a.Who(), action, "disclosure_report", itoa(id), 0, r.Organ.DepartmentID, before, after)
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, a, id)
}

// Texts are the report's edited sections.
type Texts struct {
	Overview string `json:"overview"`
	Problems string `json:"problems"`
	Other    string `json:"other_matters"`
}

// MaxText is the longest a section may be, in characters.
const MaxText = 20000

// EditTexts saves sections 一, 五 and 六 of a draft; an officer.
func (s *Service) EditTexts(ctx context.Context, a org.Actor, id int64, version int, in Texts) (*Report, error) {
	f := apperr.Fields{}
	in.Overview = f.Para("overview", in.Overview, false, MaxText)
	in.Problems = f.Para("problems", in.Problems, false, MaxText)
	in.Other = f.Para("other_matters", in.Other, false, MaxText)
	return s.change(ctx, a, id, version, disclosure.Officer, Draft, f.Err(), func(q store.Querier, r *Report) (string, any, any, error) {
		_, err := q.ExecContext(ctx, `UPDATE disclosure_reports SET overview = $1, problems = $2, other_matters = $3 WHERE id = $4`,
			in.Overview, in.Problems, in.Other, id)
		return "edit", Texts{r.Overview, r.Problems, r.Other}, in, err
	})
}

// Adjustment sets one cell by hand. Value is a whole number; the fee
// cell's is in 万元 with up to six decimals (to the fen). An empty value
// drops the adjustment: the cell is the counted one again.
type Adjustment struct {
	Cell   string `json:"cell"`
	Value  string `json:"value"`
	Reason string `json:"reason"`
}

// MaxCell is the largest value a cell takes (fees in fen: 10 billion yuan).
const MaxCell = 1_000_000_000_000

// Adjust sets (or resets) one cell of a draft with the reason, kept in
// disclosure_report_adjustments and the audit log; an officer.
func (s *Service) Adjust(ctx context.Context, a org.Actor, id int64, version int, in Adjustment) (*Report, error) {
	f := apperr.Fields{}
	if !Adjustable(in.Cell) {
		f.Add("cell", "disclosure_report.error.cell")
	}
	in.Reason = f.Para("reason", in.Reason, true, 500)
	value, reset := int64(0), strings.TrimSpace(in.Value) == ""
	if !reset && !f.Has("cell") {
		var ok bool
		if value, ok = parseCell(in.Cell, in.Value); !ok {
			f.Add("value", "disclosure_report.error.value")
		}
	}
	return s.change(ctx, a, id, version, disclosure.Officer, Draft, f.Err(), func(q store.Querier, r *Report) (string, any, any, error) {
		was := r.Cells[in.Cell]
		adjusted := Cells{}
		for k, v := range r.Adjusted {
			adjusted[k] = v
		}
		set := value
		if reset {
			delete(adjusted, in.Cell)
			set = r.Computed[in.Cell]
		} else {
			adjusted[in.Cell] = value
		}
		js, _ := json.Marshal(adjusted)
		if _, err := q.ExecContext(ctx, `UPDATE disclosure_reports SET adjusted = $1 WHERE id = $2`, string(js), id); err != nil {
			return "", nil, nil, err
		}
		_, err := q.ExecContext(ctx, `INSERT INTO disclosure_report_adjustments (report_id, cell, computed, value_was, value_set, reason, staff_id, at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, id, in.Cell, r.Computed[in.Cell], was, set, in.Reason, a.StaffID, s.now())
		return "adjust", map[string]any{"cell": in.Cell, "value": was},
			map[string]any{"cell": in.Cell, "value": set, "computed": r.Computed[in.Cell], "reason": in.Reason}, err
	})
}

// parseCell reads a value typed for a cell: a whole number, or for the
// fee cell 万元 with at most six decimals, stored in fen.
func parseCell(cell, v string) (int64, bool) {
	v = strings.TrimSpace(v)
	if len(v) > 20 {
		return 0, false
	}
	if cell != FeesFen {
		n, err := strconv.ParseInt(v, 10, 64)
		return n, err == nil && n >= 0 && n <= MaxCell
	}
	whole, frac, _ := strings.Cut(v, ".")
	if whole == "" || len(frac) > 6 || strings.ContainsAny(v, "+-") {
		return 0, false
	}
	frac += strings.Repeat("0", 6-len(frac))
	w, err1 := strconv.ParseInt(whole, 10, 64)
	fr, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil || w > MaxCell/1_000_000 {
		return 0, false
	}
	return w*1_000_000 + fr, true
}

// Wan formats fen as 万元 with four decimals (to the yuan, the precision
// annual reports state fee amounts in; docs/DOMAIN.md §29), rounding half
// up.
func Wan(fen int64) string {
	neg := fen < 0
	if neg {
		fen = -fen
	}
	yuan := (fen + 50) / 100
	s := fmt.Sprintf("%d.%04d", yuan/10000, yuan%10000)
	if neg {
		s = "-" + s
	}
	return s
}

// Adjusted is one hand adjustment as kept.
type AdjustmentRecord struct {
	Cell     string    `json:"cell"`
	Computed int64     `json:"computed"`
	Was      int64     `json:"was"`
	Set      int64     `json:"set"`
	Reason   string    `json:"reason"`
	StaffID  int64     `json:"staff_id"`
	Staff    string    `json:"staff"`
	At       time.Time `json:"at"`
}

// Adjustments lists a report's hand adjustments, oldest first.
func (s *Service) Adjustments(ctx context.Context, a org.Actor, id int64) ([]AdjustmentRecord, error) {
	if _, err := s.Get(ctx, a, id); err != nil {
		return nil, err
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT j.cell, j.computed, j.value_was, j.value_set, j.reason, j.staff_id, COALESCE(st.name, ''), j.at
		FROM disclosure_report_adjustments j LEFT JOIN staff st ON st.id = j.staff_id WHERE j.report_id = $1 ORDER BY j.id`, id)
	if err != nil {
		return nil, err
	}
	var out []AdjustmentRecord
	err = store.Each(rows, func() error {
		var x AdjustmentRecord
		if err := rows.Scan(&x.Cell, &x.Computed, &x.Was, &x.Set, &x.Reason, &x.StaffID, &x.Staff, &x.At); err != nil {
			return err
		}
		x.At = x.At.UTC()
		out = append(out, x)
		return nil
	})
	return out, err
}

// Approve approves a draft whose tables add up; the office head only. A
// report that does not add up is refused with every broken sum named.
func (s *Service) Approve(ctx context.Context, a org.Actor, id int64, version int) (*Report, error) {
	return s.change(ctx, a, id, version, disclosure.Head, Draft, nil, func(q store.Querier, r *Report) (string, any, any, error) {
		if len(r.Violations) > 0 {
			return "", nil, nil, Refusal(r.Violations)
		}
		_, err := q.ExecContext(ctx, `UPDATE disclosure_reports SET status = 'approved', approved_by = $1, approved_at = $2 WHERE id = $3`, a.StaffID, s.now(), id)
		return "approve", map[string]any{"status": Draft}, map[string]any{"status": Approved}, err
	})
}

// Reopen returns an approved report to draft (to correct it before
// publication); the office head only.
func (s *Service) Reopen(ctx context.Context, a org.Actor, id int64, version int) (*Report, error) {
	return s.change(ctx, a, id, version, disclosure.Head, Approved, nil, func(q store.Querier, r *Report) (string, any, any, error) {
		_, err := q.ExecContext(ctx, `UPDATE disclosure_reports SET status = 'draft', approved_by = NULL, approved_at = NULL WHERE id = $1`, id)
		return "reopen", map[string]any{"status": Approved}, map[string]any{"status": Draft}, err
	})
}

// PublicPath is where the public reads a published report.
func PublicPath(id int64) string { return "/open/disclosure/reports/" + itoa(id) }

// Publish publishes an approved report (the head only; its tables are
// checked again) and puts it into the organ's publication catalogue under
// annual reports (条例 Art. 50: published on the government website), as
// an entry of source 'report' that the public disclosure section lists.
func (s *Service) Publish(ctx context.Context, a org.Actor, id int64, version int) (*Report, error) {
	cal, err := s.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	return s.change(ctx, a, id, version, disclosure.Head, Approved, nil, func(q store.Querier, r *Report) (string, any, any, error) {
		if len(r.Violations) > 0 {
			return "", nil, nil, Refusal(r.Violations)
		}
		now := s.now()
		today := clock.Today(now)
		due, _ := cal.Deadline(today, disclosure.PublishDays)
		title := fmt.Sprintf("%s%d年政府信息公开工作年度报告", r.Organ.Name, r.Year)
		var entry int64
		err := q.QueryRowContext(ctx, `INSERT INTO disclosure_entries (organ_id, category, title, body, link, created_on, due_on, status, source, source_ref,
			drafted_by, reviewed_by, published_by, published_at, published_on, created_at, updated_at)
			VALUES ($1, 'reports', $2, $3, $4, $5, $6, 'published', 'report', $7, $8, $9, $10, $11, $5, $11, $11) RETURNING id`,
			r.Organ.ID, title, r.Overview, PublicPath(id), today.String(), due.String(), SourceRef(r.Organ.ID, r.Year),
			r.GeneratedBy, r.ApprovedBy, a.StaffID, now).Scan(&entry)
		if store.IsUnique(err) {
			return "", nil, nil, apperr.New(apperr.Conflict, "disclosure_report.error.already_published")
		}
		if err != nil {
			return "", nil, nil, err
		}
		_, err = q.ExecContext(ctx, `UPDATE disclosure_reports SET status = 'published', published_by = $1, published_at = $2, published_on = $3, entry_id = $4 WHERE id = $5`,
			a.StaffID, now, today.String(), entry, id)
		return "publish", map[string]any{"status": Approved}, map[string]any{"status": Published, "entry_id": entry}, err
	})
}

// SourceRef is the catalogue entry's source_ref of an organ's report for
// a year: unique, so a report is published once.
func SourceRef(organID int64, year int) string { return fmt.Sprintf("organ:%d:%d", organID, year) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
