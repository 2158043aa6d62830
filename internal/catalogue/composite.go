package catalogue

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/org"
	"onestop/internal/store"
)

// Composite bundles several departments' items for parallel approval
// (并联审批): one application, a lead department, an overall limit of 45
// working days extendable by 15 (docs/DOMAIN.md §3, §5), each part keeping its
// own clock.
type Composite struct {
	ID               int64  `json:"id"`
	Code             string `json:"code"`
	Name             string `json:"name"`
	LeadDepartmentID int64  `json:"lead_department_id"`
	LeadDepartment   string `json:"lead_department"`
	StatutoryDays    int    `json:"statutory_days"`
	PromisedDays     int    `json:"promised_days"`
	RefusalRule      string `json:"refusal_rule"`
	Items            []Item `json:"items"`
}

// Refusal rules of a composite: when one part is refused, all_or_nothing
// ends the parts still open (a factory without its planning permit cannot
// use the others); keep_rest lets them run and the bundle completes in part.
const (
	AllOrNothing = "all_or_nothing"
	KeepRest     = "keep_rest"
)

// RefusalRules lists the rules a composite may have.
var RefusalRules = []string{AllOrNothing, KeepRest}

// CompositeInput creates a composite.
type CompositeInput struct {
	Code             string   `json:"code"`
	Name             string   `json:"name"`
	LeadDepartmentID int64    `json:"lead_department_id"`
	StatutoryDays    int      `json:"statutory_days"`
	PromisedDays     int      `json:"promised_days"`
	RefusalRule      string   `json:"refusal_rule"` // all_or_nothing when empty
	ItemCodes        []string `json:"item_codes"`
}

// ParallelStatutoryDays is the joint-handling limit (行政许可法 Art. 42 ¶2).
const ParallelStatutoryDays = 45

// CreateComposite adds a composite; only the county hall's admin may.
func (s *Service) CreateComposite(ctx context.Context, a org.Actor, in CompositeInput) (Composite, error) {
	if !(a.Role == org.CentreAdmin && a.CountyWide()) {
		return Composite{}, apperr.New(apperr.Forbidden, "error.forbidden")
	}
	now := s.Now().UTC().Truncate(time.Millisecond)
	var code string
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		code, err = s.createComposite(ctx, tx, a.Who(), in, now)
		return err
	})
	if err != nil {
		return Composite{}, err
	}
	return s.Composite(ctx, code)
}

func (s *Service) createComposite(ctx context.Context, tx *sql.Tx, who audit.Who, in CompositeInput, now time.Time) (string, error) {
	f := apperr.Fields{}
	code := strings.ToUpper(strings.TrimSpace(in.Code))
	if !codeRE.MatchString(code) {
		f.Add("code", "catalogue.code_format")
	}
	name := f.Text("name", in.Name, true, 100)
	if in.StatutoryDays < 1 || in.StatutoryDays > ParallelStatutoryDays {
		f.Add("statutory_days", "catalogue.parallel_statutory", "Max", ParallelStatutoryDays)
	}
	switch {
	case in.PromisedDays < 1:
		f.Add("promised_days", "catalogue.promised_min_parallel")
	case in.PromisedDays > in.StatutoryDays:
		f.Add("promised_days", "catalogue.promised_over_statutory", "Statutory", in.StatutoryDays)
	}
	rule := in.RefusalRule
	if rule == "" {
		rule = AllOrNothing
	}
	if !slices.Contains(RefusalRules, rule) {
		f.Add("refusal_rule", "error.choose")
	}
	var ids []int64
	longest := 0
	depts := map[int64]bool{}
	seen := map[int64]bool{}
	for _, c := range in.ItemCodes {
		var id, dept int64
		var promised int
		err := tx.QueryRowContext(ctx, `SELECT i.id, i.department_id, v.promised_days FROM items i JOIN item_versions v ON v.item_id = i.id AND v.version = i.current_version
			WHERE i.code = $1 AND i.status = $2`, strings.ToUpper(strings.TrimSpace(c)), InForce).Scan(&id, &dept, &promised)
		if errors.Is(err, sql.ErrNoRows) {
			f.Add("item_codes", "catalogue.composite_item_missing", "Code", c)
			continue
		}
		if err != nil {
			return "", err
		}
		// An item listed twice would break the composite_items key and
		// answer as an internal error.
		if seen[id] {
			f.Add("item_codes", "catalogue.composite_item_repeated", "Code", c)
			continue
		}
		seen[id] = true
		ids = append(ids, id)
		longest = max(longest, promised)
		depts[dept] = true
	}
	if len(depts) < 2 {
		f.Add("item_codes", "catalogue.composite_two_departments")
	}
	// The parts run at the same time, so the bundle can promise no less than
	// its longest part (issue 14 §1; docs/DOMAIN.md §21).
	if in.PromisedDays >= 1 && in.PromisedDays <= in.StatutoryDays && in.PromisedDays < longest {
		f.Add("promised_days", "catalogue.promised_under_longest_part", "Days", longest)
	}
	if !depts[in.LeadDepartmentID] {
		f.Add("lead_department_id", "catalogue.composite_lead")
	}
	if err := f.Err(); err != nil {
		return "", err
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO composites (code, name, lead_department_id, statutory_days, promised_days, refusal_rule, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$7,$6,$6) RETURNING id`, code, name, in.LeadDepartmentID, in.StatutoryDays, in.PromisedDays, now, rule).Scan(&id)
	if err != nil {
		if store.IsUnique(err) {
			// A duplicate is a conflict, as for items and departments.
			f.Add("code", "error.duplicate")
			return "", &apperr.Error{Code: apperr.Conflict, Msg: apperr.M("error.invalid"), Fields: f}
		}
		return "", fmt.Errorf("insert composite: %w", err)
	}
	for i, item := range ids {
		if _, err := tx.ExecContext(ctx, `INSERT INTO composite_items (composite_id, item_id, seq) VALUES ($1,$2,$3)`, id, item, i+1); err != nil {
			return "", err
		}
	}
	return code, audit.Write(ctx, tx, now, who, "create", "composite", code, 0, in.LeadDepartmentID, nil, in)
}

// Composite returns a composite with its items (their versions in force).
func (s *Service) Composite(ctx context.Context, code string) (Composite, error) {
	var c Composite
	err := s.DB.Read().QueryRowContext(ctx, `SELECT c.id, c.code, c.name, c.lead_department_id, d.name, c.statutory_days, c.promised_days, c.refusal_rule
		FROM composites c JOIN departments d ON d.id = c.lead_department_id WHERE c.code = $1 AND c.retired_at IS NULL`, code).
		Scan(&c.ID, &c.Code, &c.Name, &c.LeadDepartmentID, &c.LeadDepartment, &c.StatutoryDays, &c.PromisedDays, &c.RefusalRule)
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.NotFoundf("entity.composite")
	}
	if err != nil {
		return c, err
	}
	rows, err := s.DB.Read().QueryContext(ctx, "SELECT "+itemCols+" FROM "+itemFrom+` JOIN composite_items ci ON ci.item_id = i.id
		WHERE ci.composite_id = $1 ORDER BY ci.seq`, c.ID)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return c, err
		}
		c.Items = append(c.Items, it)
	}
	return c, rows.Err()
}

// Composites lists the composites in force.
func (s *Service) Composites(ctx context.Context) ([]Composite, error) {
	return s.compositesBy(ctx, `SELECT code FROM composites WHERE retired_at IS NULL ORDER BY code`)
}

// compositesBy reads the composites whose codes the query selects, in
// its order.
func (s *Service) compositesBy(ctx context.Context, query string, args ...any) ([]Composite, error) {
	rows, err := s.DB.Read().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	var codes []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return nil, err
		}
		codes = append(codes, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []Composite{}
	for _, code := range codes {
		c, err := s.Composite(ctx, code)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}
