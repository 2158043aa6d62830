// Package org is the county's organisation: administrative regions, service
// centres, departments, windows and staff, with the roles and scopes that
// decide who may see and change what.
package org

import "onestop/internal/audit"

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
	Address      string // the client's IP address, for the record
}

// Who is the actor as the audit log records it.
func (a Actor) Who() audit.Who {
	return audit.Who{StaffID: a.StaffID, Name: a.Name + " (" + a.Username + ")", Role: string(a.Role), Address: a.Address,
		CentreID: a.CentreID, DepartmentID: a.DepartmentID}
}

// CountyWide reports whether the actor's view is not limited to one centre:
// supervisors and leaders read the whole county, and so do staff of the
// county hall whose role is not tied to a department.
func (a Actor) CountyWide() bool {
	switch a.Role {
	case Supervisor, Leader:
		return true
	case CentreAdmin:
		return a.CentreKind == "hall" || a.CentreID == 0 // an admin of no centre is the install's first, county-wide
	}
	return false
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
