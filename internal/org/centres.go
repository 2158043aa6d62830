package org

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/clock"
	"onestop/internal/store"
)

// Centre is a service centre: the county hall, a township convenience centre
// or a community service point.
type Centre struct {
	ID         int64  `json:"id"`
	Code       string `json:"code"` // starts every case number accepted here
	Name       string `json:"name"`
	Kind       string `json:"kind"` // hall, township, community
	RegionCode string `json:"region_code"`
	RegionName string `json:"region_name"`
	Address    string `json:"address"`
	Phone      string `json:"phone"`
	Hours      string `json:"hours"`
	// Summer hours and their season, MM-DD to MM-DD inclusive
	// (docs/DOMAIN.md §11); all empty when the centre keeps one timetable.
	SummerHours string `json:"summer_hours"`
	SummerFrom  string `json:"summer_from"`
	SummerTo    string `json:"summer_to"`
	Meta
}

// HoursOn is the opening hours of the season of day t (in Shanghai):
// summer's between SummerFrom and SummerTo, Hours otherwise.
func (c Centre) HoursOn(t time.Time) string {
	if c.SummerHours != "" && c.InSummer(t) {
		return c.SummerHours
	}
	return c.Hours
}

// InSummer reports whether day t (in Shanghai) falls in the centre's
// summer season, SummerFrom to SummerTo inclusive; false when the centre
// keeps one season. A season may run over the new year (from 11-01 to
// 02-28). Opening hours and attendance's shift times both follow it.
func (c Centre) InSummer(t time.Time) bool {
	if c.SummerFrom == "" || c.SummerTo == "" {
		return false
	}
	d := t.In(clock.Shanghai).Format("01-02")
	if c.SummerFrom > c.SummerTo {
		return d >= c.SummerFrom || d <= c.SummerTo
	}
	return d >= c.SummerFrom && d <= c.SummerTo
}

// CentreInput is what a form or API call sends.
type CentreInput struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	RegionCode  string `json:"region_code"`
	Address     string `json:"address"`
	Phone       string `json:"phone"`
	Hours       string `json:"hours"`
	SummerHours string `json:"summer_hours"`
	SummerFrom  string `json:"summer_from"`
	SummerTo    string `json:"summer_to"`
}

// CentreKinds in menu order.
var CentreKinds = []string{"hall", "township", "community"}

var centreCodeRE = regexp.MustCompile(`^[A-Z0-9]{2,12}$`)

const centreCols = `c.id, c.code, c.name, c.kind, c.region_code, r.name, c.address, c.phone, c.hours, c.summer_hours, c.summer_from, c.summer_to, c.created_at, c.updated_at, c.retired_at`
const centreFrom = `centres c JOIN regions r ON r.code = c.region_code`

func scanCentre(row scanner) (Centre, error) {
	var c Centre
	err := row.Scan(&c.ID, &c.Code, &c.Name, &c.Kind, &c.RegionCode, &c.RegionName, &c.Address, &c.Phone, &c.Hours, &c.SummerHours, &c.SummerFrom, &c.SummerTo, &c.CreatedAt, &c.UpdatedAt, &c.RetiredAt)
	return c, err
}

// Centre returns one centre.
func (s *Service) Centre(ctx context.Context, id int64) (Centre, error) {
	c, err := scanCentre(s.DB.Read().QueryRowContext(ctx, "SELECT "+centreCols+" FROM "+centreFrom+" WHERE c.id = $1", id))
	return c, notFound(err, "entity.centre")
}

// Townships lists the active township centres of one county (all of them
// when county is ""), by code: the inbox's filter menu, read on every
// inbox view. The list is kept for a minute per county (a quarter of an
// inbox view's time went to it in a province of 2 640 township centres); a
// new centre shows in the menu within that minute, on every server.
func (s *Service) Townships(ctx context.Context, county string) ([]Centre, error) {
	s.townMu.Lock()
	e, ok := s.townships[county]
	s.townMu.Unlock()
	if ok && s.now().Sub(e.read) < time.Minute {
		return e.list, nil
	}
	rows, err := s.DB.Read().QueryContext(ctx, "SELECT "+centreCols+" FROM "+centreFrom+
		` WHERE c.kind = 'township' AND c.retired_at IS NULL AND c.region_code LIKE $1 ESCAPE '\' ORDER BY c.code`, store.Prefix(county))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Centre{}
	for rows.Next() {
		c, err := scanCentre(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	s.townMu.Lock()
	if s.townships == nil {
		s.townships = map[string]townshipList{}
	}
	s.townships[county] = townshipList{list: out, read: s.now()}
	s.townMu.Unlock()
	return out, nil
}

// Centres lists centres: the hall first, then by code.
func (s *Service) Centres(ctx context.Context, kind string, o ListOptions) ([]Centre, int, error) {
	q := query{from: centreFrom, cols: centreCols, order: "CASE c.kind WHEN 'hall' THEN 0 WHEN 'township' THEN 1 ELSE 2 END, c.code"}
	if !o.Retired {
		q.Add("c.retired_at IS NULL")
	}
	if kind != "" {
		q.Add("c.kind = ?", kind)
	}
	if o.Q != "" {
		q.Add(`(c.name LIKE ? ESCAPE '\' OR c.code LIKE ? ESCAPE '\')`, o.pattern(), o.pattern())
	}
	return list(ctx, s.DB.Read(), q, o, scanCentre)
}

func (s *Service) validateCentre(ctx context.Context, in CentreInput, existing *Centre) (Centre, error) {
	f := apperr.Fields{}
	var c Centre
	if existing != nil {
		c = *existing
	} else {
		c.Code = f.Text("code", in.Code, true, 12)
		if !f.Has("code") && !centreCodeRE.MatchString(c.Code) {
			f.Add("code", "org.centre.code_format")
		}
		c.Kind = in.Kind
		if !contains(CentreKinds, c.Kind) {
			f.Add("kind", "error.choose")
		}
		r, err := s.Region(ctx, in.RegionCode)
		switch {
		case err != nil || !r.Active():
			f.Add("region_code", "org.region.missing")
		case c.Kind == "hall" && r.Level != "county", c.Kind == "township" && r.Level != "township", c.Kind == "community" && r.Level != "village":
			f.Add("region_code", "org.centre.region_level")
		}
		c.RegionCode, c.RegionName = r.Code, r.Name
	}
	c.Name = f.Text("name", in.Name, true, 60)
	c.Address = f.Text("address", in.Address, false, 120)
	c.Phone = f.Phone("phone", in.Phone, false)
	c.Hours = f.Text("hours", in.Hours, false, 120)
	c.SummerHours = f.Text("summer_hours", in.SummerHours, false, 120)
	c.SummerFrom = monthDay(f, "summer_from", in.SummerFrom)
	c.SummerTo = monthDay(f, "summer_to", in.SummerTo)
	// A season is its hours and both its dates, or nothing: half of one
	// would show the wrong hours for part of the year.
	if set := []bool{c.SummerHours != "", c.SummerFrom != "", c.SummerTo != ""}; set[0] || set[1] || set[2] {
		for i, name := range []string{"summer_hours", "summer_from", "summer_to"} {
			if !set[i] {
				f.Add(name, "org.centre.summer_incomplete")
			}
		}
	}
	return c, f.Err()
}

// monthDay reads an optional day of the year as MM-DD (07-01).
func monthDay(f apperr.Fields, field, v string) string {
	v = f.Text(field, v, false, 5)
	if v == "" || f.Has(field) {
		return v
	}
	// Year 2000 is a leap year: 02-29 is a day a season may start or end.
	if t, err := time.Parse("2006-01-02", "2000-"+v); err != nil || t.Format("01-02") != v {
		f.Add(field, "org.centre.month_day")
	}
	return v
}

// CreateCentre adds a centre; only the county hall's centre admin may.
func (s *Service) CreateCentre(ctx context.Context, a Actor, in CentreInput) (Centre, error) {
	if !(a.Role == CentreAdmin && a.CountyWide()) {
		return Centre{}, forbidden()
	}
	c, err := s.validateCentre(ctx, in, nil)
	if err == nil && !a.CoversRegion(c.RegionCode) {
		err = fieldErr("region_code", "org.region.out_of_scope")
	}
	if err != nil {
		return Centre{}, err
	}
	now := s.now()
	c.CreatedAt, c.UpdatedAt = now, now
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO centres (code, name, kind, region_code, address, phone, hours, summer_hours, summer_from, summer_to, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$11) RETURNING id`, c.Code, c.Name, c.Kind, c.RegionCode, c.Address, c.Phone, c.Hours,
			c.SummerHours, c.SummerFrom, c.SummerTo, now).Scan(&c.ID)
		if store.IsUnique(err) {
			return duplicate("code")
		}
		if err != nil {
			return fmt.Errorf("insert centre: %w", err)
		}
		return audit.Write(ctx, tx, now, a.Who(), "create", "centre", fmt.Sprint(c.ID), c.ID, 0, nil, c)
	})
	return c, err
}

// UpdateCentre edits a centre's name and contact details. The county hall's
// admin may edit any centre, a township centre's admin their own.
func (s *Service) UpdateCentre(ctx context.Context, a Actor, id int64, in CentreInput) (Centre, error) {
	if a.Role != CentreAdmin {
		return Centre{}, forbidden()
	}
	before, err := s.Centre(ctx, id)
	if err == nil && !(a.SeesCentre(id) && a.CoversRegion(before.RegionCode)) {
		err = apperr.NotFoundf("entity.centre")
	}
	if err != nil {
		return Centre{}, err
	}
	after, err := s.validateCentre(ctx, in, &before)
	if err != nil {
		return Centre{}, err
	}
	now := s.now()
	after.UpdatedAt = now
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE centres SET name=$1, address=$2, phone=$3, hours=$4, summer_hours=$5, summer_from=$6, summer_to=$7, updated_at=$8 WHERE id=$9`,
			after.Name, after.Address, after.Phone, after.Hours, after.SummerHours, after.SummerFrom, after.SummerTo, now, id); err != nil {
			return fmt.Errorf("update centre: %w", err)
		}
		return audit.Write(ctx, tx, now, a.Who(), "update", "centre", fmt.Sprint(id), id, 0, before, after)
	})
	return after, err
}

// RetireCentre retires a centre with no active windows or staff.
func (s *Service) RetireCentre(ctx context.Context, a Actor, id int64) error {
	if !(a.Role == CentreAdmin && a.CountyWide()) {
		return forbidden()
	}
	before, err := s.Centre(ctx, id)
	if err == nil && !a.CoversRegion(before.RegionCode) {
		err = apperr.NotFoundf("entity.centre")
	}
	if err != nil || !before.Active() {
		return err
	}
	now := s.now()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM windows WHERE centre_id = $1 AND retired_at IS NULL) +
			(SELECT COUNT(*) FROM staff WHERE centre_id = $1 AND retired_at IS NULL)`, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apperr.New(apperr.Conflict, "org.centre.in_use", "Count", n)
		}
		if err := retire(ctx, tx, "centres", "id", id, now); err != nil {
			return err
		}
		return audit.Write(ctx, tx, now, a.Who(), "retire", "centre", fmt.Sprint(id), id, 0, before, nil)
	})
}

func duplicate(field string) error {
	return &apperr.Error{Code: apperr.Conflict, Msg: apperr.M("error.invalid"), Fields: map[string]apperr.Msg{field: apperr.M("error.duplicate")}}
}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
