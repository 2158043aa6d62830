package corrections

import (
	"testing"

	"onestop/internal/apperr"
	"onestop/internal/org"
)

// The rule of who takes which step in which state, written out from the
// issue: the ordered department's admin or approver replies when the order
// waits for it; a supervisor accepts or returns a reply and escalates an
// open order; the leader, clerks, reviewers, other departments and the
// supervisor (for a reply) never; a closed order takes no step.
func TestCheckRoleByState(t *testing.T) {
	const dept = 7
	actors := map[string]org.Actor{
		"supervisor": {Role: org.Supervisor, CentreKind: "hall", RegionCode: "431022"},
		"leader":     {Role: org.Leader, CentreKind: "hall", RegionCode: "431022"},
		"deptadmin":  {Role: org.DeptAdmin, DepartmentID: dept},
		"approver":   {Role: org.Approver, DepartmentID: dept},
		"reviewer":   {Role: org.Reviewer, DepartmentID: dept},
		"clerk":      {Role: org.Clerk, DepartmentID: dept},
		"otherdept":  {Role: org.DeptAdmin, DepartmentID: dept + 1},
		"admin":      {Role: org.CentreAdmin, CentreKind: "hall", RegionCode: "431022"},
	}
	// allowed[state][actor] = the steps they may take.
	allowed := map[string]map[string]string{
		Issued:    {"supervisor": "escalate", "deptadmin": "reply", "approver": "reply"},
		Replied:   {"supervisor": "accept,return,escalate"},
		Returned:  {"supervisor": "escalate", "deptadmin": "reply", "approver": "reply"},
		Escalated: {"deptadmin": "reply", "approver": "reply"},
		Accepted:  {},
	}
	for state, who := range allowed {
		for name, a := range actors {
			o := &Order{State: state, DepartmentID: dept, RegionCode: "431022"}
			got := ""
			for i, s := range Allowed(o, a) {
				if i > 0 {
					got += ","
				}
				got += s
			}
			if got != who[name] {
				t.Errorf("%s on a %s order: %q, want %q", name, state, got, who[name])
			}
		}
	}
	// A role's refusal is 403 whatever the state; a wrong state 409.
	o := &Order{State: Accepted, DepartmentID: dept}
	if err := Check(o, actors["leader"], ActAccept); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("the leader: %v", err)
	}
	if err := Check(o, actors["supervisor"], ActAccept); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("accepting a closed order: %v", err)
	}
	if err := Check(o, actors["supervisor"], "delete"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("an unknown step: %v", err)
	}
}

// Who reads an order: the county's supervisor and leader, a
// province-wide one, and the ordered department's admin and approver;
// nobody else, and no account without a county.
func TestSees(t *testing.T) {
	o := &Order{DepartmentID: 7, RegionCode: "431022"}
	for _, tc := range []struct {
		a    org.Actor
		want bool
	}{
		{org.Actor{Role: org.Supervisor, CentreKind: "hall", RegionCode: "431022"}, true},
		{org.Actor{Role: org.Leader, CentreKind: "hall", RegionCode: "431022"}, true},
		{org.Actor{Role: org.Supervisor, CentreKind: "hall", RegionCode: "430121"}, false},
		{org.Actor{Role: org.Supervisor, CentreKind: "township", RegionCode: "431022101"}, false},
		{org.Actor{Role: org.Supervisor}, false},
		{org.Actor{Role: org.Supervisor, Province: true}, true},
		{org.Actor{Role: org.DeptAdmin, DepartmentID: 7}, true},
		{org.Actor{Role: org.Approver, DepartmentID: 7}, true},
		{org.Actor{Role: org.Reviewer, DepartmentID: 7}, false},
		{org.Actor{Role: org.Clerk, DepartmentID: 7}, false},
		{org.Actor{Role: org.DeptAdmin, DepartmentID: 8}, false},
		{org.Actor{Role: org.CentreAdmin, CentreKind: "hall", RegionCode: "431022"}, false},
	} {
		if got := sees(tc.a, o); got != tc.want {
			t.Errorf("%+v sees: %v, want %v", tc.a, got, tc.want)
		}
	}
}
