package disclosure

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/org"
	"onestop/internal/store"
)

// Organ is an organ with its own disclosure duty: the county government
// (Government) or one of its departments (Department).
type Organ struct {
	ID           int64  `json:"id"`
	RegionCode   string `json:"region_code"`
	Kind         string `json:"kind"`
	DepartmentID int64  `json:"department_id,omitempty"`
	Name         string `json:"name"`
}

// Organ kinds. The kind sets the annual report's deadline (条例 Art. 49).
const (
	Government = "government"
	Department = "department"
)

// Duty is what a grant lets a member of an organ's disclosure office do.
type Duty string

const (
	// Officer drafts catalogue entries and handles requests.
	Officer Duty = "officer"
	// Head also reviews and publishes entries, approves a request's one
	// extension (条例 Art. 33) and approves the annual report.
	Head Duty = "head"
)

// Valid reports whether d is a grantable duty.
func (d Duty) Valid() bool { return d == Officer || d == Head }

// Access is what an actor may do for one organ.
type Access struct {
	Organ Organ `json:"organ"`
	// Reads: the organ's office, the centre admin, supervisors and leaders
	// of its county see its requests, catalogue and reports.
	Reads bool `json:"reads"`
	// Duty is the actor's own grant at the organ, "" when none. Only a
	// grant lets anyone act: no role implies one.
	Duty Duty `json:"duty,omitempty"`
}

// Acts reports whether the access allows acting with duty d (a head may do
// everything an officer may).
func (x Access) Acts(d Duty) bool {
	return x.Duty == Head || (d == Officer && x.Duty == Officer)
}

const organCols = `o.id, o.region_code, o.kind, COALESCE(o.department_id, 0), o.name`

func scanOrgan(row interface{ Scan(...any) error }) (Organ, error) {
	var o Organ
	err := row.Scan(&o.ID, &o.RegionCode, &o.Kind, &o.DepartmentID, &o.Name)
	return o, err
}

// AccessTo is the actor's access to one organ. An organ the actor may not
// read is "not found", as though it did not exist.
func AccessTo(ctx context.Context, q store.Querier, a org.Actor, organID int64) (Access, error) {
	o, err := scanOrgan(q.QueryRowContext(ctx, `SELECT `+organCols+` FROM disclosure_organs o WHERE o.id = $1`, organID))
	if errors.Is(err, sql.ErrNoRows) {
		return Access{}, apperr.New(apperr.NotFound, "error.not_found")
	}
	if err != nil {
		return Access{}, err
	}
	x := Access{Organ: o}
	var d string
	err = q.QueryRowContext(ctx, `SELECT duty FROM disclosure_officers WHERE organ_id = $1 AND staff_id = $2`, organID, a.StaffID).Scan(&d)
	switch {
	case err == nil:
		x.Duty, x.Reads = Duty(d), true
	case !errors.Is(err, sql.ErrNoRows):
		return Access{}, err
	}
	if a.CountyWide() && a.CoversRegion(o.RegionCode) {
		x.Reads = true
	}
	if !x.Reads {
		return Access{}, apperr.New(apperr.NotFound, "error.not_found")
	}
	return x, nil
}

// Organs lists the organs the actor may read, with the actor's duty at
// each: every organ of the county for county-wide readers, otherwise only
// the organs whose office the actor belongs to. Nobody else sees any.
func Organs(ctx context.Context, q store.Querier, a org.Actor) ([]Access, error) {
	var w store.Where
	switch {
	case a.Province:
	case a.CountyWide() && a.County() != "":
		w.Add("(o.region_code LIKE ? ESCAPE '\\' OR f.staff_id IS NOT NULL)", store.Prefix(a.County()))
	default:
		w.Add("f.staff_id IS NOT NULL")
	}
	rows, err := q.QueryContext(ctx, `SELECT `+organCols+`, COALESCE(f.duty, '')
		FROM disclosure_organs o LEFT JOIN disclosure_officers f ON f.organ_id = o.id AND f.staff_id = `+w.Bind(a.StaffID)+
		w.String()+` ORDER BY o.kind DESC, o.name`, w.Args()...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Access
	for rows.Next() {
		var x Access
		var d string
		if err := rows.Scan(&x.Organ.ID, &x.Organ.RegionCode, &x.Organ.Kind, &x.Organ.DepartmentID, &x.Organ.Name, &d); err != nil {
			return nil, err
		}
		x.Duty, x.Reads = Duty(d), true
		out = append(out, x)
	}
	return out, rows.Err()
}

// OrganInput creates an organ.
type OrganInput struct {
	RegionCode   string `json:"region_code"`
	Kind         string `json:"kind"`
	DepartmentID int64  `json:"department_id"`
	Name         string `json:"name"`
}

// administers: the county-wide centre admin of the organ's county.
func administers(a org.Actor, region string) bool {
	return a.Role == org.CentreAdmin && a.CountyWide() && a.CoversRegion(region)
}

// CreateOrgan registers an organ; the county hall's centre admin only.
func CreateOrgan(ctx context.Context, db *store.DB, now time.Time, a org.Actor, in OrganInput) (Organ, error) {
	if in.RegionCode == "" {
		in.RegionCode = a.County()
	}
	if !administers(a, in.RegionCode) {
		return Organ{}, apperr.New(apperr.Forbidden, "error.forbidden")
	}
	f := apperr.Fields{}
	switch in.Kind {
	case Government:
		in.DepartmentID = 0
	case Department:
		if in.DepartmentID == 0 {
			f.Add("department_id", "disclosure.error.department_required")
		}
	default:
		f.Add("kind", "disclosure.error.organ_kind")
	}
	in.Name = f.Text("name", in.Name, true, 100)
	if err := f.Err(); err != nil {
		return Organ{}, err
	}
	o := Organ{RegionCode: in.RegionCode, Kind: in.Kind, DepartmentID: in.DepartmentID, Name: in.Name}
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO disclosure_organs (region_code, kind, department_id, name, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$5) RETURNING id`, o.RegionCode, o.Kind, store.NullID(o.DepartmentID), o.Name, now).Scan(&o.ID)
		if store.IsUnique(err) {
			field := store.UniqueField(err, "name", "department_id")
			return fieldErr(field, "disclosure.error.organ_taken")
		}
		if err != nil {
			return err
		}
		return audit.Write(ctx, tx, now, a.Who(), "create", "disclosure_organ", fmt.Sprint(o.ID), 0, o.DepartmentID, nil, o)
	})
	return o, err
}

// Grant gives a staff member a duty in an organ's disclosure office (or
// changes it); the county hall's centre admin only, audited.
func Grant(ctx context.Context, db *store.DB, now time.Time, a org.Actor, organID, staffID int64, d Duty) error {
	return grant(ctx, db, now, a, organID, staffID, d)
}

// Revoke ends a staff member's duty at an organ.
func Revoke(ctx context.Context, db *store.DB, now time.Time, a org.Actor, organID, staffID int64) error {
	return grant(ctx, db, now, a, organID, staffID, "")
}

func grant(ctx context.Context, db *store.DB, now time.Time, a org.Actor, organID, staffID int64, d Duty) error {
	var region string
	err := db.Read().QueryRowContext(ctx, `SELECT region_code FROM disclosure_organs WHERE id = $1`, organID).Scan(&region)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !administers(a, region)) {
		return apperr.New(apperr.NotFound, "error.not_found")
	}
	if err != nil {
		return err
	}
	if d != "" && !d.Valid() {
		return fieldErr("duty", "disclosure.error.duty")
	}
	return db.Tx(ctx, func(tx *sql.Tx) error {
		var before string
		err := tx.QueryRowContext(ctx, `SELECT duty FROM disclosure_officers WHERE organ_id = $1 AND staff_id = $2`, organID, staffID).Scan(&before)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM disclosure_officers WHERE organ_id = $1 AND staff_id = $2`, organID, staffID); err != nil {
			return err
		}
		if d != "" {
			var ok bool
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) > 0 FROM staff WHERE id = $1 AND retired_at IS NULL`, staffID).Scan(&ok); err != nil {
				return err
			}
			if !ok {
				return fieldErr("staff_id", "disclosure.error.staff")
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO disclosure_officers (organ_id, staff_id, duty, granted_by, granted_at) VALUES ($1,$2,$3,$4,$5)`,
				organID, staffID, string(d), a.StaffID, now); err != nil {
				return err
			}
		}
		return audit.Write(ctx, tx, now, a.Who(), "grant", "disclosure_officer", fmt.Sprintf("%d/%d", organID, staffID), 0, 0,
			map[string]any{"duty": before}, map[string]any{"duty": string(d)})
	})
}

func fieldErr(field, key string) error {
	f := apperr.Fields{}
	f.Add(field, key)
	return f.Err()
}
