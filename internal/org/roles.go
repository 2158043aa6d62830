// Package org is the county's organisation: administrative regions, service
// centres, departments, windows and staff, with the roles and scopes that
// decide who may see and change what.
package org

import (
	"strings"

	"onestop/internal/audit"
	"onestop/internal/store"
)

// Role is a staff role. The values are stored in the staff table.
type Role string

const (
	Clerk       Role = "clerk"        // 窗口受理人员
	Reviewer    Role = "reviewer"     // 一审
	Approver    Role = "approver"     // 一核 / 首席代表
	DeptAdmin   Role = "dept_admin"   // 部门管理员
	CentreAdmin Role = "centre_admin" // 中心管理员
	Supervisor  Role = "supervisor"   // 效能监察
	Leader      Role = "leader"       // 领导（只读）
)

// Roles lists every role in the order menus show them.
var Roles = []Role{Clerk, Reviewer, Approver, DeptAdmin, CentreAdmin, Supervisor, Leader}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// InDepartment reports whether the role works for one department (and so
// needs a department on its account).
func (r Role) InDepartment() bool {
	return r == Clerk || r == Reviewer || r == Approver || r == DeptAdmin
}

// Actor is the signed-in staff member a request acts for. Every rule about
// who may see or change something takes an Actor.
type Actor struct {
	StaffID      int64
	Username     string
	Name         string
	Role         Role
	CentreID     int64
	CentreKind   string // hall, township, community; "" when not at a centre
	RegionCode   string // the region of the actor's centre
	DepartmentID int64
	WindowID     int64
	// Province is the explicit installation-wide scope (staff.scope =
	// 'province'): only the console's first-account command or another
	// province-wide admin grants it. No other value widens a scope: an
	// account with neither a centre nor this flag sees nothing.
	Province bool
	Address  string // the client's IP address, for the record
}

// AdministersCentre reports whether a is the centre admin of the centre
// (in region): its own centre's admin, or a hall's admin for every centre
// of the county. Terminals (rating pads, attendance) are theirs to manage.
func (a Actor) AdministersCentre(centreID int64, region string) bool {
	if a.Role != CentreAdmin {
		return false
	}
	if a.CountyWide() {
		return a.CoversRegion(region)
	}
	return a.CentreID != 0 && a.CentreID == centreID
}

// Who is the actor as the audit log records it.
func (a Actor) Who() audit.Who {
	return audit.Who{StaffID: a.StaffID, Name: a.Name + " (" + a.Username + ")", Role: string(a.Role), Address: a.Address,
		CentreID: a.CentreID, DepartmentID: a.DepartmentID}
}

// CountyWide reports whether the actor's view is not limited to one centre:
// supervisors, leaders and the centre admin of a county hall read their
// whole county; a province-wide account reads every county. A missing
// centre is never a wildcard: such an account has no scope at all unless it
// carries the explicit province flag.
func (a Actor) CountyWide() bool {
	switch a.Role {
	case Supervisor, Leader, CentreAdmin:
		return a.Province || a.CentreKind == "hall"
	}
	return false
}

// CoversRegion reports whether a region (a county's or a township's
// division code) lies inside the actor's administrative reach: everything
// for a province-wide account, the county for a county-wide one, the
// centre's own region for anyone else at a centre.
func (a Actor) CoversRegion(code string) bool {
	switch {
	case a.Province:
		return true
	case a.CountyWide():
		return a.County() != "" && strings.HasPrefix(code, a.County())
	}
	return a.RegionCode != "" && code == a.RegionCode
}

// CountyCentres is CoversRegion as SQL for a county-wide actor's listings:
// the condition (with ? placeholders) that keeps rows whose centre column
// col lies in the actor's county, or "" for a province-wide actor. An actor
// without a county gets a condition that keeps nothing.
func (a Actor) CountyCentres(col string) (string, []any) {
	switch {
	case a.Province:
		return "", nil
	case a.County() == "":
		return "1 = 0", nil
	}
	return col + ` IN (SELECT id FROM centres WHERE region_code LIKE ? ESCAPE '\')`, []any{store.Prefix(a.County())}
}

// Scope names the reach of the actor's account, as the audit log and the
// staff pages show it: province, county, department, centre or none.
func (a Actor) Scope() string {
	switch {
	case a.Province:
		return "province"
	case a.CountyWide():
		return "county"
	case a.Role == DeptAdmin || a.Role == Reviewer || a.Role == Approver:
		return "department"
	case a.CentreID != 0:
		return "centre"
	}
	return "none"
}

// County is the division code of the county the actor's centre is in (a
// hall's region is its county, a township's code starts with it); "" when
// not at a centre.
func (a Actor) County() string {
	if len(a.RegionCode) < 6 {
		return ""
	}
	return a.RegionCode[:6]
}

// ReadOnly roles change nothing in the organisation.
func (a Actor) ReadOnly() bool { return a.Role == Supervisor || a.Role == Leader }

// IsAdmin reports whether the actor administers part of the organisation.
func (a Actor) IsAdmin() bool { return a.Role == CentreAdmin || a.Role == DeptAdmin }

// SeesCentre reports whether centre-scoped things at centreID are visible.
func (a Actor) SeesCentre(centreID int64) bool {
	return a.CountyWide() || (a.CentreID != 0 && a.CentreID == centreID)
}

// SeesDepartmentAt reports whether things of departmentID at centreID are
// visible: a department's staff see their department at their own centre
// (a department admin at every centre); a centre admin everything at theirs.
func (a Actor) SeesDepartmentAt(departmentID, centreID int64) bool {
	switch {
	case a.CountyWide():
		return true
	case a.Role == CentreAdmin:
		return a.CentreID == centreID
	case a.Role == DeptAdmin:
		return a.DepartmentID == departmentID
	case a.Role.InDepartment():
		return a.DepartmentID == departmentID && a.CentreID == centreID
	}
	return false
}
