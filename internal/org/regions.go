package org

import (
	"context"
	"database/sql"
	"fmt"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/ident"
	"onestop/internal/store"
)

// Region is an administrative division (GB/T 2260): the county, a township or
// street, or a village or community.
type Region struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	Level      string `json:"level"` // county, township, village
	Kind       string `json:"kind"`  // street, town, township, other; community, village
	ParentCode string `json:"parent_code,omitempty"`
	Meta
}

// RegionInput is what a form or API call sends.
type RegionInput struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	Kind       string `json:"kind"`
	ParentCode string `json:"parent_code"`
}

const regionCols = `code, name, level, kind, COALESCE(parent_code, ''), created_at, updated_at, retired_at`

func scanRegion(row scanner) (Region, error) {
	var r Region
	err := row.Scan(&r.Code, &r.Name, &r.Level, &r.Kind, &r.ParentCode, &r.CreatedAt, &r.UpdatedAt, &r.RetiredAt)
	return r, err
}

// Region returns one region by code.
func (s *Service) Region(ctx context.Context, code string) (Region, error) {
	r, err := scanRegion(s.DB.Read().QueryRowContext(ctx, "SELECT "+regionCols+" FROM regions WHERE code = $1", code))
	return r, notFound(err, "entity.region")
}

// Regions lists regions ordered by code (which is tree order). parent
// narrows to the children of one region.
func (s *Service) Regions(ctx context.Context, parent string, o ListOptions) ([]Region, int, error) {
	q := query{from: "regions", cols: regionCols, order: "code"}
	if !o.Retired {
		q.Add("retired_at IS NULL")
	}
	if parent != "" {
		q.Add("parent_code = ?", parent)
	}
	if o.Q != "" {
		q.Add(`(name LIKE ? ESCAPE '\' OR code LIKE ? ESCAPE '\')`, o.pattern(), o.pattern())
	}
	return list(ctx, s.DB.Read(), q, o, scanRegion)
}

// Counties lists the county-level regions in use: one for a county's
// installation, many when a province shares the database.
func (s *Service) Counties(ctx context.Context) ([]Region, error) {
	q := query{from: "regions", cols: regionCols, order: "code"}
	q.Add("retired_at IS NULL")
	q.Add("level = ?", "county")
	out, _, err := list(ctx, s.DB.Read(), q, ListOptions{Limit: 10000}, scanRegion)
	return out, err
}

// validateRegion checks the input. A new region takes its level, kind and
// parent from its code; an existing one keeps them (only a village's kind,
// community or village, is a choice).
func (s *Service) validateRegion(ctx context.Context, in RegionInput, existing *Region) (Region, error) {
	f := apperr.Fields{}
	var r Region
	if existing != nil {
		r = *existing
	} else if d, err := ident.DivisionCode(in.Code); err != nil {
		f.Add("code", "error.division_code")
	} else {
		r = Region{Code: d.Code, Level: d.Level, ParentCode: d.Parent}
		if d.Level == "township" {
			r.Kind = d.TownshipKind
		}
		if p, err := s.Region(ctx, r.ParentCode); r.ParentCode != "" && (err != nil || !p.Active()) {
			f.Add("code", "org.region.parent_missing", "Parent", r.ParentCode)
		}
	}
	r.Name = f.Text("name", in.Name, true, 60)
	if r.Level == "village" {
		if in.Kind != "community" && in.Kind != "village" {
			f.Add("kind", "org.region.kind_village")
		}
		r.Kind = in.Kind
	}
	return r, f.Err()
}

// CreateRegion adds a region; only the county hall's centre admin may.
func (s *Service) CreateRegion(ctx context.Context, a Actor, in RegionInput) (Region, error) {
	if !(a.Role == CentreAdmin && a.CountyWide()) {
		return Region{}, forbidden()
	}
	r, err := s.validateRegion(ctx, in, nil)
	if err == nil && !a.CoversRegion(r.Code) {
		// A county's admin adds townships and villages of its county only;
		// a new county is the province-wide admin's.
		err = fieldErr("code", "org.region.out_of_scope")
	}
	if err != nil {
		return Region{}, err
	}
	now := s.now()
	r.CreatedAt, r.UpdatedAt = now, now
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO regions (code, name, level, kind, parent_code, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$6)`,
			r.Code, r.Name, r.Level, r.Kind, nullStr(r.ParentCode), now)
		if store.IsUnique(err) {
			return duplicate("code")
		}
		if err != nil {
			return fmt.Errorf("insert region: %w", err)
		}
		return audit.Write(ctx, tx, now, a.Who(), "create", "region", r.Code, 0, 0, nil, r)
	})
	return r, err
}

// UpdateRegion changes a region's name (and kind for villages); the code is
// its identity and never changes.
func (s *Service) UpdateRegion(ctx context.Context, a Actor, code string, in RegionInput) (Region, error) {
	if !(a.Role == CentreAdmin && a.CountyWide()) {
		return Region{}, forbidden()
	}
	before, err := s.Region(ctx, code)
	if err == nil && !a.CoversRegion(code) {
		err = apperr.NotFoundf("entity.region")
	}
	if err != nil {
		return Region{}, err
	}
	after, err := s.validateRegion(ctx, in, &before)
	if err != nil {
		return Region{}, err
	}
	now := s.now()
	after.UpdatedAt = now
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE regions SET name = $1, kind = $2, updated_at = $3 WHERE code = $4`, after.Name, after.Kind, now, code); err != nil {
			return fmt.Errorf("update region: %w", err)
		}
		return audit.Write(ctx, tx, now, a.Who(), "update", "region", code, 0, 0, before, after)
	})
	return after, err
}

// RetireRegion retires a region that has no active sub-regions or centres.
func (s *Service) RetireRegion(ctx context.Context, a Actor, code string) error {
	if !(a.Role == CentreAdmin && a.CountyWide()) {
		return forbidden()
	}
	before, err := s.Region(ctx, code)
	if err == nil && !a.CoversRegion(code) {
		err = apperr.NotFoundf("entity.region")
	}
	if err != nil {
		return err
	}
	if !before.Active() {
		return nil
	}
	now := s.now()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM regions WHERE parent_code = $1 AND retired_at IS NULL) +
			(SELECT COUNT(*) FROM centres WHERE region_code = $1 AND retired_at IS NULL)`, code).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apperr.New(apperr.Conflict, "org.region.in_use", "Count", n)
		}
		if err := retire(ctx, tx, "regions", "code", code, now); err != nil {
			return err
		}
		return audit.Write(ctx, tx, now, a.Who(), "retire", "region", code, 0, 0, before, nil)
	})
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}
