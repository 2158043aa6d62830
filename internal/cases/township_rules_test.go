package cases_test

import (
	"slices"
	"testing"

	"onestop/internal/cases"
	"onestop/internal/org"
)

// TestTownshipRuleTable: who may act on a case a township centre accepted
// for a county department (docs/DOMAIN.md §17), as pure rules. The
// township (centre 3, region 431022201) accepts and hands over; the
// department's window at the county hall (centre 1) completes; a clerk of
// another township, of another department, or at another county's hall
// does neither.
func TestTownshipRuleTable(t *testing.T) {
	const township, otherTownship, otherHall = 3, 4, 5
	staff := func(id int64, c int64, kind, region string, d int64) cases.Actor {
		return cases.StaffActor(org.Actor{StaffID: id, Role: org.Clerk, CentreID: c, CentreKind: kind, RegionCode: region, DepartmentID: d})
	}
	actors := map[string]cases.Actor{
		"township_clerk":       staff(81, township, "township", "431022201", dept),
		"other_township_clerk": staff(82, otherTownship, "township", "431022202", dept),
		"county_window":        staff(83, centre, "hall", "431022", dept),
		"county_other_dept":    staff(84, centre, "hall", "431022", otherDept),
		"other_county_window":  staff(85, otherHall, "hall", "430121", dept),
		"applicant":            {ApplicantID: applicantID},
	}
	at := func(state string, pickup int64) *cases.Case {
		return situation(state, func(c *cases.Case) {
			c.CentreID, c.CentreKind, c.RegionCode, c.PickupCentreID = township, "township", "431022201", pickup
		})
	}
	tests := []struct {
		name    string
		c       *cases.Case
		allowed map[cases.Action][]string
	}{
		{"received at the township", at(cases.Received, township), map[cases.Action][]string{
			cases.ActAccept: {"township_clerk"}, cases.ActSupplement: {"township_clerk"}, cases.ActDecline: {"township_clerk"},
			cases.ActWithdraw: {"township_clerk", "applicant"}}},
		{"approved", at(cases.Approved, township), map[cases.Action][]string{cases.ActComplete: {"county_window"}}},
		{"refused", at(cases.Refused, township), map[cases.Action][]string{cases.ActComplete: {"county_window"}}},
		{"completed, collected at the township", at(cases.Completed, township), map[cases.Action][]string{cases.ActDeliver: {"township_clerk"}}},
		{"completed, pick-up not named", at(cases.Completed, 0), map[cases.Action][]string{cases.ActDeliver: {"township_clerk"}}},
		{"completed, the applicant chose the hall", at(cases.Completed, centre), map[cases.Action][]string{cases.ActDeliver: {"county_window"}}},
	}
	for _, tc := range tests {
		for _, act := range []cases.Action{cases.ActAccept, cases.ActSupplement, cases.ActDecline, cases.ActWithdraw, cases.ActComplete, cases.ActDeliver} {
			for who, a := range actors {
				want := slices.Contains(tc.allowed[act], who)
				if got := cases.Allowed(tc.c, a, act); got != want {
					t.Errorf("%s: %s by %s: allowed %v, want %v (%v)", tc.name, act, who, got, want, cases.Check(tc.c, a, act))
				}
			}
		}
	}
}
