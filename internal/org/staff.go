package org

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/auth"
	"onestop/internal/store"
)

// Staff is a staff account. The password hash never leaves this package.
type Staff struct {
	ID                 int64  `json:"id"`
	Username           string `json:"username"`
	Name               string `json:"name"`
	Role               Role   `json:"role"`
	CentreID           int64  `json:"centre_id,omitempty"`
	CentreName         string `json:"centre_name,omitempty"`
	CentreKind         string `json:"centre_kind,omitempty"`
	RegionCode         string `json:"region_code,omitempty"`
	DepartmentID       int64  `json:"department_id,omitempty"`
	DepartmentName     string `json:"department_name,omitempty"`
	WindowID           int64  `json:"window_id,omitempty"`
	WindowNumber       string `json:"window_number,omitempty"`
	BackupID           int64  `json:"backup_id,omitempty"`
	BackupName         string `json:"backup_name,omitempty"`
	Phone              string `json:"phone"`
	Absent             bool   `json:"absent"`
	MustChangePassword bool   `json:"must_change_password"`
	// Scope is "province" for an installation-wide account, else "": the
	// reach of every other account follows from its role and centre.
	Scope string `json:"scope,omitempty"`
	Meta
	hash string
}

// Actor is the staff member as the one acting in a request.
func (st Staff) Actor(address string) Actor {
	return Actor{StaffID: st.ID, Username: st.Username, Name: st.Name, Role: st.Role, CentreID: st.CentreID,
		CentreKind: st.CentreKind, RegionCode: st.RegionCode, DepartmentID: st.DepartmentID, WindowID: st.WindowID,
		Province: st.Scope == ScopeProvince, Address: address}
}

// StaffInput is what a form or API call sends. Password is only used on
// create (and by ResetPassword).
type StaffInput struct {
	Username     string `json:"username"`
	Name         string `json:"name"`
	Role         Role   `json:"role"`
	CentreID     int64  `json:"centre_id"`
	DepartmentID int64  `json:"department_id"`
	WindowID     int64  `json:"window_id"`
	BackupID     int64  `json:"backup_id"`
	Phone        string `json:"phone"`
	Absent       bool   `json:"absent"`
	Password     string `json:"password,omitempty"`
	// Scope "province" asks for an installation-wide account; only a
	// province-wide granter may give it. "" binds the account to its centre.
	Scope string `json:"scope,omitempty"`
}

// ScopeProvince is the one explicit scope value stored on an account.
const ScopeProvince = "province"

var usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,31}$`)

const staffCols = `s.id, s.username, s.name, s.role, COALESCE(s.centre_id, 0), COALESCE(c.name, ''), COALESCE(c.kind, ''), COALESCE(c.region_code, ''),
	COALESCE(s.department_id, 0), COALESCE(d.short_name, ''), COALESCE(s.window_id, 0), COALESCE(w.number, ''),
	COALESCE(s.backup_id, 0), COALESCE(b.name, ''), s.phone, s.absent, s.must_change_password, s.scope, s.password_hash, s.created_at, s.updated_at, s.retired_at`
const staffFrom = `staff s LEFT JOIN centres c ON c.id = s.centre_id LEFT JOIN departments d ON d.id = s.department_id
	LEFT JOIN windows w ON w.id = s.window_id LEFT JOIN staff b ON b.id = s.backup_id`

func scanStaff(row scanner) (Staff, error) {
	var st Staff
	err := row.Scan(&st.ID, &st.Username, &st.Name, &st.Role, &st.CentreID, &st.CentreName, &st.CentreKind, &st.RegionCode,
		&st.DepartmentID, &st.DepartmentName, &st.WindowID, &st.WindowNumber, &st.BackupID, &st.BackupName,
		&st.Phone, &st.Absent, &st.MustChangePassword, &st.Scope, &st.hash, &st.CreatedAt, &st.UpdatedAt, &st.RetiredAt)
	return st, err
}

// seesStaff: county-wide readers see everyone, a centre admin their centre,
// a department admin their department, anyone else only themselves.
func seesStaff(a Actor, st Staff) bool {
	switch {
	case a.StaffID == st.ID:
		return true
	case a.CountyWide():
		return a.Province || (st.Scope != ScopeProvince && st.CentreID != 0 && a.CoversRegion(st.RegionCode))
	case a.Role == CentreAdmin:
		return st.CentreID == a.CentreID
	case a.Role == DeptAdmin:
		return st.DepartmentID == a.DepartmentID
	}
	return false
}

func scopeStaff(q *query, a Actor) {
	switch {
	case a.CountyWide():
		if cond, args := a.CountyCentres("s.centre_id"); cond != "" {
			q.Add(cond, args...)
		}
	case a.Role == CentreAdmin:
		q.Add("s.centre_id = ?", a.CentreID)
	case a.Role == DeptAdmin:
		q.Add("s.department_id = ?", a.DepartmentID)
	default:
		q.Add("s.id = ?", a.StaffID)
	}
}

// StaffMember returns one account if the actor may see it.
func (s *Service) StaffMember(ctx context.Context, a Actor, id int64) (Staff, error) {
	st, err := s.staffByID(ctx, id)
	if err == nil && !seesStaff(a, st) {
		err = apperr.NotFoundf("entity.staff")
	}
	return st, err
}

func (s *Service) staffByID(ctx context.Context, id int64) (Staff, error) {
	st, err := scanStaff(s.DB.Read().QueryRowContext(ctx, "SELECT "+staffCols+" FROM "+staffFrom+" WHERE s.id = $1", id))
	return st, notFound(err, "entity.staff")
}

// StaffByUsername is for login: it returns active and retired accounts alike
// (the caller refuses retired ones).
func (s *Service) StaffByUsername(ctx context.Context, username string) (Staff, error) {
	st, err := scanStaff(s.DB.Read().QueryRowContext(ctx, "SELECT "+staffCols+" FROM "+staffFrom+" WHERE s.username = $1", strings.ToLower(strings.TrimSpace(username))))
	return st, notFound(err, "entity.staff")
}

// CheckPassword reports whether pw is the account's password.
func (st Staff) CheckPassword(pw string) bool { return auth.CheckPassword(pw, st.hash) }

// StaffFilter narrows a staff listing.
type StaffFilter struct {
	CentreID, DepartmentID int64
	Role                   Role
}

// StaffList lists the accounts the actor may see.
func (s *Service) StaffList(ctx context.Context, a Actor, f StaffFilter, o ListOptions) ([]Staff, int, error) {
	q := query{from: staffFrom, cols: staffCols, order: "s.username"}
	if !o.Retired {
		q.Add("s.retired_at IS NULL")
	}
	if f.CentreID != 0 {
		q.Add("s.centre_id = ?", f.CentreID)
	}
	if f.DepartmentID != 0 {
		q.Add("s.department_id = ?", f.DepartmentID)
	}
	if f.Role != "" {
		q.Add("s.role = ?", string(f.Role))
	}
	scopeStaff(&q, a)
	if o.Q != "" {
		q.Add(`(s.username LIKE ? ESCAPE '\' OR s.name LIKE ? ESCAPE '\')`, o.pattern(), o.pattern())
	}
	return list(ctx, s.DB.Read(), q, o, scanStaff)
}

// Granting authority: nobody creates, edits or promotes an account, their
// own included, to a role or reach wider than their own, and every grant is
// on the audit record (issue 10). The reach of a role follows from the
// rules that decide what it sees (Actor.SeesDepartmentAt, cases' sees):
// reviewers, approvers and department admins act for their department at
// every centre, so only an admin who reaches the whole county may make them.

// assignableRoles are the roles an admin may give: a county-wide (hall) or
// province-wide admin any; a township centre's admin only the roles bound
// to that one centre; a department admin the department's working roles.
func assignableRoles(a Actor) []Role {
	switch {
	case a.Role == CentreAdmin && a.CountyWide():
		return Roles
	case a.Role == CentreAdmin && a.CentreID != 0:
		return []Role{Clerk, CentreAdmin}
	case a.Role == DeptAdmin && a.DepartmentID != 0:
		return []Role{Clerk, Reviewer, Approver}
	}
	return nil
}

// AssignableRoles is exported for the form's role menu.
func AssignableRoles(a Actor) []Role { return assignableRoles(a) }

// ReachesCentre reports whether the granter's authority covers accounts at
// centre c: every centre for a province-wide admin, the county's centres for
// a county-wide one, its own centre for a township admin, the centres of
// its department's county for a department admin.
func ReachesCentre(a Actor, c Centre) bool {
	switch {
	case a.Province:
		return true
	case a.Role == CentreAdmin && a.CountyWide():
		return a.CoversRegion(c.RegionCode)
	case a.Role == CentreAdmin:
		return a.CentreID != 0 && c.ID == a.CentreID
	case a.Role == DeptAdmin:
		return a.County() != "" && strings.HasPrefix(c.RegionCode, a.County())
	}
	return false
}

// reachesAccount reports whether an existing account lies inside the
// granter's authority, so that the granter may edit, retire or reset it.
func reachesAccount(a Actor, st Staff) bool {
	if !contains(assignableRoles(a), st.Role) || !seesStaff(a, st) {
		return false
	}
	if st.Scope == ScopeProvince {
		return a.Province
	}
	if st.CentreID == 0 {
		// An account without a centre or an explicit scope reaches
		// nothing; only a province-wide admin may repair it.
		return a.Province
	}
	return ReachesCentre(a, Centre{ID: st.CentreID, RegionCode: st.RegionCode})
}

func (s *Service) validateStaff(ctx context.Context, a Actor, in StaffInput, existing *Staff) (Staff, error) {
	f := apperr.Fields{}
	var st Staff
	if existing != nil {
		st = *existing
	} else {
		st.Username = strings.ToLower(f.Text("username", in.Username, true, 32))
		if !f.Has("username") && !usernameRE.MatchString(st.Username) {
			f.Add("username", "org.staff.username_format")
		}
		if p := auth.PasswordProblem(in.Password); p != "" {
			f.Add("password", p)
		}
	}
	st.Name = f.Text("name", in.Name, true, 30)
	st.Phone = f.Phone("phone", in.Phone, false)
	if existing != nil && existing.ID == a.StaffID {
		return st, selfEdit(f, *existing, in)
	}
	st.Absent = in.Absent
	st.Role = in.Role
	if !contains(assignableRoles(a), st.Role) {
		f.Add("role", "error.choose")
	}
	st.Scope = ""
	switch in.Scope {
	case "":
	case ScopeProvince:
		switch {
		case !a.Province:
			f.Add("scope", "org.staff.scope_wider")
		case st.Role != CentreAdmin && st.Role != Supervisor && st.Role != Leader:
			f.Add("scope", "org.staff.scope_role")
		}
		st.Scope = ScopeProvince
	default:
		f.Add("scope", "error.choose")
	}
	st.CentreID, st.CentreName, st.CentreKind, st.RegionCode = 0, "", "", ""
	var centre Centre
	switch {
	case in.CentreID != 0:
		c, err := s.Centre(ctx, in.CentreID)
		switch {
		case err != nil || !c.Active():
			f.Add("centre_id", "org.centre.missing")
		case !ReachesCentre(a, c):
			f.Add("centre_id", "org.staff.centre_scope")
		case st.Scope == "" && (st.Role == Supervisor || st.Role == Leader) && c.Kind != "hall":
			// They read the whole county: their centre is its hall.
			f.Add("centre_id", "org.staff.needs_hall")
		}
		centre = c
		st.CentreID, st.CentreName, st.CentreKind, st.RegionCode = c.ID, c.Name, c.Kind, c.RegionCode
	case st.Scope == "":
		// No centre is never a wildcard: every account but an explicit
		// province-wide one is bound to a centre.
		f.Add("centre_id", "org.staff.centre_required")
	}
	st.DepartmentID, st.DepartmentName = 0, ""
	if st.Role.InDepartment() {
		if a.Role == DeptAdmin {
			in.DepartmentID = a.DepartmentID
		}
		d, err := s.Department(ctx, in.DepartmentID)
		switch {
		case err != nil || !d.Active():
			f.Add("department_id", "org.department.missing")
		case d.RegionCode != "" && centre.RegionCode != "" && !strings.HasPrefix(centre.RegionCode, d.RegionCode):
			f.Add("department_id", "org.staff.department_county")
		}
		st.DepartmentID, st.DepartmentName = d.ID, d.ShortName
	}
	st.WindowID, st.WindowNumber = 0, ""
	if in.WindowID != 0 {
		w, err := scanWindow(s.DB.Read().QueryRowContext(ctx, "SELECT "+windowCols+" FROM "+windowFrom+" WHERE w.id = $1", in.WindowID))
		if err != nil || !w.Active() || w.CentreID != st.CentreID || w.DepartmentID != st.DepartmentID {
			f.Add("window_id", "org.staff.window_mismatch")
		}
		st.WindowID, st.WindowNumber = w.ID, w.Number
	}
	st.BackupID, st.BackupName = 0, ""
	if in.BackupID != 0 {
		b, err := s.staffByID(ctx, in.BackupID)
		if err != nil || !b.Active() || b.ID == st.ID || b.DepartmentID != st.DepartmentID || st.DepartmentID == 0 {
			f.Add("backup_id", "org.staff.backup_mismatch")
		}
		st.BackupID, st.BackupName = b.ID, b.Name
	}
	return st, f.Err()
}

// selfEdit: everyone may edit their own name and phone, never their own
// role, reach, seat or cover; a request that tries is refused on that field
// rather than quietly dropped.
func selfEdit(f apperr.Fields, was Staff, in StaffInput) error {
	for _, c := range []struct {
		field   string
		changed bool
	}{
		{"role", in.Role != was.Role},
		{"scope", in.Scope != was.Scope},
		{"centre_id", in.CentreID != was.CentreID},
		{"department_id", in.DepartmentID != was.DepartmentID},
		{"window_id", in.WindowID != was.WindowID},
		{"backup_id", in.BackupID != was.BackupID},
		{"absent", in.Absent != was.Absent},
	} {
		if c.changed {
			f.Add(c.field, "org.staff.own_scope")
		}
	}
	return f.Err()
}

// CreateStaff opens an account with an initial password that must be changed
// at first login.
func (s *Service) CreateStaff(ctx context.Context, a Actor, in StaffInput) (Staff, error) {
	if len(assignableRoles(a)) == 0 {
		return Staff{}, forbidden()
	}
	st, err := s.validateStaff(ctx, a, in, nil)
	if err != nil {
		return Staff{}, err
	}
	hash, err := auth.HashPassword(in.Password)
	if err != nil {
		return Staff{}, err
	}
	st.MustChangePassword = true
	now := s.now()
	st.CreatedAt, st.UpdatedAt = now, now
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO staff (username, name, role, centre_id, department_id, window_id, backup_id, phone, absent,
			password_hash, must_change_password, scope, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$13) RETURNING id`,
			st.Username, st.Name, string(st.Role), store.NullID(st.CentreID), store.NullID(st.DepartmentID), store.NullID(st.WindowID), store.NullID(st.BackupID),
			st.Phone, st.Absent, hash, st.MustChangePassword, st.Scope, now).Scan(&st.ID)
		if store.IsUnique(err) {
			return duplicate("username")
		}
		if err != nil {
			return fmt.Errorf("insert staff: %w", err)
		}
		return audit.Write(ctx, tx, now, a.Who(), "create", "staff", fmt.Sprint(st.ID), st.CentreID, st.DepartmentID, nil, st)
	})
	return st, err
}

// checkManage returns the account if the actor may change it: it must lie
// inside the actor's authority as it stands now.
func (s *Service) checkManage(ctx context.Context, a Actor, id int64) (Staff, error) {
	if len(assignableRoles(a)) == 0 {
		return Staff{}, forbidden()
	}
	st, err := s.StaffMember(ctx, a, id)
	if err != nil {
		return Staff{}, err
	}
	if !reachesAccount(a, st) {
		return Staff{}, forbidden()
	}
	return st, nil
}

// UpdateStaff edits an account (not its username or password). An admin
// edits accounts inside its authority, and the result must stay inside it;
// anyone edits their own name and phone.
func (s *Service) UpdateStaff(ctx context.Context, a Actor, id int64, in StaffInput) (Staff, error) {
	var before Staff
	var err error
	if id == a.StaffID {
		before, err = s.staffByID(ctx, id)
	} else {
		before, err = s.checkManage(ctx, a, id)
	}
	if err != nil {
		return Staff{}, err
	}
	after, err := s.validateStaff(ctx, a, in, &before)
	if err != nil {
		return Staff{}, err
	}
	now := s.now()
	after.UpdatedAt = now
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		// The version the admin saw must still be the one being changed:
		// two admins editing at once would otherwise let the later one
		// overwrite a grant the earlier one made, unseen.
		res, err := tx.ExecContext(ctx, `UPDATE staff SET name=$1, role=$2, centre_id=$3, department_id=$4, window_id=$5, backup_id=$6, phone=$7,
			absent=$8, scope=$9, updated_at=$10 WHERE id=$11 AND role=$12 AND scope=$13`, after.Name, string(after.Role),
			store.NullID(after.CentreID), store.NullID(after.DepartmentID), store.NullID(after.WindowID), store.NullID(after.BackupID), after.Phone, after.Absent,
			after.Scope, now, id, string(before.Role), before.Scope)
		if err != nil {
			return fmt.Errorf("update staff: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "org.staff.changed")
		}
		return audit.Write(ctx, tx, now, a.Who(), "update", "staff", fmt.Sprint(id), after.CentreID, after.DepartmentID, before, after)
	})
	return after, err
}

// RetireStaff closes an account; nobody retires themselves.
func (s *Service) RetireStaff(ctx context.Context, a Actor, id int64) error {
	if id == a.StaffID {
		return apperr.New(apperr.Conflict, "org.staff.retire_self")
	}
	before, err := s.checkManage(ctx, a, id)
	if err != nil || !before.Active() {
		return err
	}
	now := s.now()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		// Whoever had this person as backup now has none, rather than a
		// backup who can no longer sign in.
		if _, err := tx.ExecContext(ctx, `UPDATE staff SET backup_id = NULL, updated_at = $1 WHERE backup_id = $2`, now, id); err != nil {
			return err
		}
		if err := retire(ctx, tx, "staff", "id", id, now); err != nil {
			return err
		}
		return audit.Write(ctx, tx, now, a.Who(), "retire", "staff", fmt.Sprint(id), before.CentreID, before.DepartmentID, before, nil)
	})
}

// ResetPassword sets a new password that must be changed at next login. An
// admin resets accounts in their scope; anyone changes their own (then it
// need not be changed again).
func (s *Service) ResetPassword(ctx context.Context, a Actor, id int64, pw string) error {
	self := id == a.StaffID
	var before Staff
	var err error
	if self {
		before, err = s.staffByID(ctx, id)
	} else {
		before, err = s.checkManage(ctx, a, id)
	}
	if err != nil {
		return err
	}
	if p := auth.PasswordProblem(pw); p != "" {
		f := apperr.Fields{}
		f.Add("password", p)
		return f.Err()
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return err
	}
	now := s.now()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE staff SET password_hash=$1, must_change_password=$2, updated_at=$3 WHERE id=$4`, hash, !self, now, id); err != nil {
			return err
		}
		// Whoever knew the old password is out: every session and API
		// token of the account ends (the web layer gives the person who
		// changed their own password a fresh session).
		if err := auth.EndStaffSessions(ctx, tx, id, now); err != nil {
			return err
		}
		if err := auth.RevokeTokens(ctx, tx, id, now); err != nil {
			return err
		}
		return audit.Write(ctx, tx, now, a.Who(), "password", "staff", fmt.Sprint(id), before.CentreID, before.DepartmentID, nil, map[string]bool{"must_change": !self})
	})
}
