package cases

import "onestop/internal/org"

// Actor is whoever acts on a case: a staff member, the applicant, or the
// system (sweeps). Exactly one of Staff, ApplicantID and System is set.
type Actor struct {
	Staff         *org.Actor
	ApplicantID   int64
	ApplicantName string
	System        bool
	Address       string
}

// SystemActor is the engine itself, citing the rule it applies.
var SystemActor = Actor{System: true, Address: "system"}

// StaffActor wraps a signed-in staff member.
func StaffActor(a org.Actor) Actor { return Actor{Staff: &a, Address: a.Address} }

func (a Actor) id() int64 {
	if a.Staff != nil {
		return a.Staff.StaffID
	}
	return 0
}

func (a Actor) name() string {
	switch {
	case a.Staff != nil:
		return a.Staff.Name
	case a.System:
		return "系统"
	}
	return a.ApplicantName
}

func (a Actor) role() string {
	switch {
	case a.Staff != nil:
		return string(a.Staff.Role)
	case a.System:
		return "system"
	}
	return "applicant"
}

// place is where the action happened: the staff member's window, or the
// client address.
func (a Actor) place() string {
	if a.Staff != nil && a.Staff.WindowID != 0 {
		return "window:" + itoa(a.Staff.WindowID) + " " + a.Address
	}
	return a.Address
}

// sees reports whether the actor may see the case at all. Anything else
// answers "not found" (a denied request for another scope looks like a
// missing case).
func (a Actor) sees(c *Case) bool {
	switch {
	case a.System:
		return true
	case a.Staff == nil:
		return a.ApplicantID != 0 && a.ApplicantID == c.ApplicantID
	}
	s := a.Staff
	switch {
	case s.CountyWide():
		return s.CoversRegion(c.RegionCode)
	case s.Role == org.CentreAdmin:
		return s.CentreID == c.CentreID
	case s.Role == org.Clerk:
		return s.CentreID == c.CentreID && (s.DepartmentID == c.DepartmentID || c.DepartmentMode == "commissioned" || leadsBundle(c, s.DepartmentID))
	case s.Role.InDepartment():
		return s.DepartmentID == c.DepartmentID
	}
	return false
}
