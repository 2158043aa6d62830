package org_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/demo"
	"onestop/internal/org"
	"onestop/internal/testutil"
)

var now = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

// setup loads the demo county and returns the service and actors for the
// demo accounts.
func setup(t *testing.T) (*org.Service, map[string]org.Actor) {
	t.Helper()
	db := testutil.NewTestDB(t)
	if _, err := demo.Ensure(context.Background(), db, 431022); err != nil {
		t.Fatal(err)
	}
	s := &org.Service{DB: db, Now: func() time.Time { return now }}
	actors := map[string]org.Actor{}
	for _, u := range []string{"admin", "township", "clerk", "tclerk", "reviewer", "approver", "deptadmin", "supervisor", "leader"} {
		st, err := s.StaffByUsername(context.Background(), u)
		if err != nil {
			t.Fatal(err)
		}
		actors[u] = st.Actor("192.0.2.1")
	}
	return s, actors
}

func wantField(t *testing.T, err error, field, key string) {
	t.Helper()
	ae := apperr.As(err)
	if ae == nil || ae.Fields[field].Key != key {
		t.Fatalf("want field %s: %s, got %v", field, key, err)
	}
}

func wantCode(t *testing.T, err error, code apperr.Code) {
	t.Helper()
	if apperr.CodeOf(err) != code {
		t.Fatalf("want %s, got %v", code, err)
	}
}

func TestDepartmentValidationAndAudit(t *testing.T) {
	s, a := setup(t)
	ctx := context.Background()
	cases := []struct {
		in         org.DepartmentInput
		field, key string
	}{
		{org.DepartmentInput{Code: "", Name: "宜章县测试局", ShortName: "测试局", Mode: "seated"}, "code", "error.required"},
		{org.DepartmentInput{Code: "csj", Name: "宜章县测试局", ShortName: "测试局", Mode: "seated"}, "code", "org.department.code_format"},
		{org.DepartmentInput{Code: "CSJ", Name: "", ShortName: "测试局", Mode: "seated"}, "name", "error.required"},
		{org.DepartmentInput{Code: "CSJ", Name: "宜章县测试局", ShortName: "测试局", Mode: "both"}, "mode", "error.choose"},
		{org.DepartmentInput{Code: "CSJ", Name: "宜章县测试局\x00", ShortName: "测试局", Mode: "seated"}, "name", "error.bad_characters"},
		{org.DepartmentInput{Code: "FGJ", Name: "宜章县测试局", ShortName: "测试局", Mode: "seated"}, "code", "error.duplicate"},
		{org.DepartmentInput{Code: "CSJ", Name: "宜章县民政局", ShortName: "测试局", Mode: "seated"}, "name", "error.duplicate"},
		{org.DepartmentInput{Code: "CSJ", Name: "宜章县测试局", ShortName: "测试局", Mode: "seated", RegionCode: "431022101"}, "region_code", "org.department.county_unknown"},
		{org.DepartmentInput{Code: "CSJ", Name: "宜章县测试局", ShortName: "测试局", Mode: "seated", RegionCode: "431099"}, "region_code", "org.department.county_unknown"},
	}
	_, before, _ := s.Departments(ctx, org.DepartmentFilter{}, org.ListOptions{Retired: true})
	for _, c := range cases {
		_, err := s.CreateDepartment(ctx, a["admin"], c.in)
		wantField(t, err, c.field, c.key)
	}
	_, after, _ := s.Departments(ctx, org.DepartmentFilter{}, org.ListOptions{Retired: true})
	if after != before {
		t.Fatalf("rejected input changed the count: %d → %d", before, after)
	}
	for _, u := range []string{"township", "deptadmin", "clerk", "supervisor", "leader"} {
		_, err := s.CreateDepartment(ctx, a[u], org.DepartmentInput{Code: "CSJ", Name: "宜章县测试局", ShortName: "测试局", Mode: "seated"})
		wantCode(t, err, apperr.Forbidden)
	}
	d, err := s.CreateDepartment(ctx, a["admin"], org.DepartmentInput{Code: "CSJ", Name: "宜章县测试局", ShortName: "测试局", Mode: "seated"})
	if err != nil {
		t.Fatal(err)
	}
	// One county: a new department serves it without being asked.
	if d.RegionCode != "431022" || d.RegionName != "宜章县" {
		t.Fatalf("county of a new department: %q %q", d.RegionCode, d.RegionName)
	}
	entries, _, err := audit.List(ctx, s.DB.R, audit.Filter{Entity: "department"})
	if err != nil || len(entries) != 1 || entries[0].EntityID != itoa(d.ID) || entries[0].Address != "192.0.2.1" || entries[0].After == "" || entries[0].Before != "" {
		t.Fatalf("audit entry: %+v %v", entries, err)
	}
	// A department admin edits their own department only, and not its mode.
	own := a["deptadmin"].DepartmentID
	ownDept, _ := s.Department(ctx, own)
	got, err := s.UpdateDepartment(ctx, a["deptadmin"], own, org.DepartmentInput{Name: ownDept.Name, ShortName: "新简称", Mode: "commissioned", Phone: "0735-3712345"})
	if err != nil || got.ShortName != "新简称" || got.Mode != ownDept.Mode {
		t.Fatalf("dept admin edit: %+v %v", got, err)
	}
	_, err = s.UpdateDepartment(ctx, a["deptadmin"], d.ID, org.DepartmentInput{Name: "x", ShortName: "x", Mode: "seated"})
	wantCode(t, err, apperr.NotFound)
}

// With a second county in the database (a province), a new department
// must name its county; a department admin cannot move theirs.
func TestDepartmentCounty(t *testing.T) {
	s, a := setup(t)
	ctx := context.Background()
	// A second county is the province-wide admin's to add, and so are
	// its departments: the first county's admin reaches its own only.
	if _, err := s.CreateRegion(ctx, console, org.RegionInput{Code: "431023", Name: "永兴县"}); err != nil {
		t.Fatal(err)
	}
	in := org.DepartmentInput{Code: "YXMZJ", Name: "永兴县民政局", ShortName: "民政局", Mode: "seated"}
	_, err := s.CreateDepartment(ctx, console, in)
	wantField(t, err, "region_code", "org.department.county_required")
	in.RegionCode = "431023"
	_, err = s.CreateDepartment(ctx, a["admin"], in)
	wantField(t, err, "region_code", "org.region.out_of_scope")
	d, err := s.CreateDepartment(ctx, console, in)
	if err != nil || d.RegionCode != "431023" || d.RegionName != "永兴县" {
		t.Fatalf("department of the second county: %+v %v", d, err)
	}
	list, n, err := s.Departments(ctx, org.DepartmentFilter{RegionCode: "431023"}, org.ListOptions{})
	if err != nil || n != 1 || list[0].Code != "YXMZJ" {
		t.Fatalf("the second county's departments: %d %+v %v", n, list, err)
	}
	own := a["deptadmin"].DepartmentID
	ownDept, _ := s.Department(ctx, own)
	got, err := s.UpdateDepartment(ctx, a["deptadmin"], own, org.DepartmentInput{Name: ownDept.Name, ShortName: ownDept.ShortName, Mode: ownDept.Mode, RegionCode: "431023"})
	if err != nil || got.RegionCode != "431022" {
		t.Fatalf("dept admin moved their department: %+v %v", got, err)
	}
	after, _ := s.Department(ctx, own)
	if after.RegionCode != "431022" {
		t.Fatalf("stored county %q", after.RegionCode)
	}
}

func TestRetireRefusesWhatIsInUse(t *testing.T) {
	s, a := setup(t)
	ctx := context.Background()
	err := s.RetireDepartment(ctx, a["admin"], a["clerk"].DepartmentID)
	wantCode(t, err, apperr.Conflict)
	err = s.RetireRegion(ctx, a["admin"], "431022")
	wantCode(t, err, apperr.Conflict)
	err = s.RetireCentre(ctx, a["admin"], a["clerk"].CentreID)
	wantCode(t, err, apperr.Conflict)
	// A window can go; its clerk loses the seat but keeps the account.
	if err := s.RetireWindow(ctx, a["admin"], a["clerk"].WindowID); err != nil {
		t.Fatal(err)
	}
	st, err := s.StaffMember(ctx, a["admin"], a["clerk"].StaffID)
	if err != nil || st.WindowID != 0 || !st.Active() {
		t.Fatalf("clerk after window retired: %+v %v", st, err)
	}
	w, err := s.Window(ctx, a["admin"], a["clerk"].WindowID)
	if err != nil || w.Active() {
		t.Fatalf("retired window must still be readable and retired: %+v %v", w, err)
	}
	// The retired window's number may be reused.
	if _, err := s.CreateWindow(ctx, a["admin"], org.WindowInput{CentreID: w.CentreID, DepartmentID: w.DepartmentID, Number: w.Number}); err != nil {
		t.Fatalf("reuse number: %v", err)
	}
	_, err = s.CreateWindow(ctx, a["admin"], org.WindowInput{CentreID: w.CentreID, DepartmentID: w.DepartmentID, Number: w.Number})
	wantField(t, err, "number", "error.duplicate")
}

func TestScopes(t *testing.T) {
	s, a := setup(t)
	ctx := context.Background()
	// A clerk sees only their department's windows at their own centre.
	ws, _, err := s.Windows(ctx, a["clerk"], org.WindowFilter{}, org.ListOptions{})
	if err != nil || len(ws) == 0 {
		t.Fatal(err, len(ws))
	}
	for _, w := range ws {
		if w.DepartmentID != a["clerk"].DepartmentID || w.CentreID != a["clerk"].CentreID {
			t.Fatalf("clerk sees foreign window %+v", w)
		}
	}
	// ... and another department's window answers as if it did not exist.
	_, err = s.Window(ctx, a["clerk"], a["tclerk"].WindowID)
	wantCode(t, err, apperr.NotFound)
	// A township admin sees and manages only their centre.
	staff, _, err := s.StaffList(ctx, a["township"], org.StaffFilter{}, org.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range staff {
		if st.CentreID != a["township"].CentreID {
			t.Fatalf("township admin sees %s of another centre", st.Username)
		}
	}
	_, err = s.StaffMember(ctx, a["township"], a["clerk"].StaffID)
	wantCode(t, err, apperr.NotFound)
	_, err = s.CreateWindow(ctx, a["township"], org.WindowInput{CentreID: a["clerk"].CentreID, DepartmentID: a["clerk"].DepartmentID, Number: "99"})
	wantField(t, err, "centre_id", "org.centre.missing")
	_, err = s.CreateRegion(ctx, a["township"], org.RegionInput{Code: "431022115", Name: "新镇"})
	wantCode(t, err, apperr.Forbidden)
	// Supervisors and leaders read everything and change nothing.
	all, total, err := s.StaffList(ctx, a["supervisor"], org.StaffFilter{}, org.ListOptions{Limit: 1})
	if err != nil || total < 100 || len(all) != 1 {
		t.Fatalf("supervisor staff list: %d %v", total, err)
	}
	for _, u := range []string{"supervisor", "leader"} {
		_, err = s.CreateStaff(ctx, a[u], org.StaffInput{Username: "x.y", Name: "某人", Role: org.Clerk, Password: "abcd1234"})
		wantCode(t, err, apperr.Forbidden)
		_, err = s.UpdateCentre(ctx, a[u], a["clerk"].CentreID, org.CentreInput{Name: "x"})
		wantCode(t, err, apperr.Forbidden)
	}
	// A department admin may only give the department's working roles.
	_, err = s.CreateStaff(ctx, a["deptadmin"], org.StaffInput{Username: "boss", Name: "某人", Role: org.CentreAdmin, CentreID: a["clerk"].CentreID, Password: "abcd1234"})
	wantField(t, err, "role", "error.choose")
	st, err := s.CreateStaff(ctx, a["deptadmin"], org.StaffInput{Username: "new.clerk", Name: "新人", Role: org.Clerk, CentreID: a["clerk"].CentreID,
		DepartmentID: 999, BackupID: a["clerk"].StaffID, Password: "abcd1234"})
	if err != nil || st.DepartmentID != a["deptadmin"].DepartmentID || !st.MustChangePassword || st.BackupID != a["clerk"].StaffID {
		t.Fatalf("dept admin creates clerk: %+v %v", st, err)
	}
}

func TestRegionsAndCentresFollowDivisionCodes(t *testing.T) {
	s, a := setup(t)
	ctx := context.Background()
	_, err := s.CreateRegion(ctx, a["admin"], org.RegionInput{Code: "431022", Name: "重复"})
	wantField(t, err, "code", "error.duplicate")
	_, err = s.CreateRegion(ctx, a["admin"], org.RegionInput{Code: "43102", Name: "短"})
	wantField(t, err, "code", "error.division_code")
	_, err = s.CreateRegion(ctx, a["admin"], org.RegionInput{Code: "431023101", Name: "别县的镇"})
	wantField(t, err, "code", "org.region.parent_missing")
	_, err = s.CreateRegion(ctx, a["admin"], org.RegionInput{Code: "431022101299", Name: "新村"})
	wantField(t, err, "kind", "org.region.kind_village")
	r, err := s.CreateRegion(ctx, a["admin"], org.RegionInput{Code: "431022101299", Name: "新村", Kind: "village"})
	if err != nil || r.Level != "village" || r.ParentCode != "431022101" {
		t.Fatalf("village: %+v %v", r, err)
	}
	_, err = s.CreateCentre(ctx, a["admin"], org.CentreInput{Code: "P1", Name: "新村服务点", Kind: "township", RegionCode: r.Code})
	wantField(t, err, "region_code", "org.centre.region_level")
	c, err := s.CreateCentre(ctx, a["admin"], org.CentreInput{Code: "P1", Name: "新村服务点", Kind: "community", RegionCode: r.Code})
	if err != nil || c.RegionName != "新村" {
		t.Fatalf("community point: %+v %v", c, err)
	}
	// A township admin edits their own centre's details but not another's.
	own := a["township"].CentreID
	got, err := s.UpdateCentre(ctx, a["township"], own, org.CentreInput{Name: "改名中心", Hours: "周一至周六"})
	if err != nil || got.Name != "改名中心" || got.Code == "" {
		t.Fatalf("own centre: %+v %v", got, err)
	}
	_, err = s.UpdateCentre(ctx, a["township"], c.ID, org.CentreInput{Name: "x"})
	wantCode(t, err, apperr.NotFound)
}

func TestPasswordReset(t *testing.T) {
	s, a := setup(t)
	ctx := context.Background()
	err := s.ResetPassword(ctx, a["admin"], a["clerk"].StaffID, "short")
	wantField(t, err, "password", "auth.password.too_short")
	if err := s.ResetPassword(ctx, a["admin"], a["clerk"].StaffID, "newpass123"); err != nil {
		t.Fatal(err)
	}
	st, _ := s.StaffByUsername(ctx, "clerk")
	if !st.CheckPassword("newpass123") || st.CheckPassword(demo.Password) || !st.MustChangePassword {
		t.Fatalf("after admin reset: must change %v", st.MustChangePassword)
	}
	// Changing one's own password clears the must-change flag.
	if err := s.ResetPassword(ctx, a["clerk"], a["clerk"].StaffID, "mypass4567"); err != nil {
		t.Fatal(err)
	}
	st, _ = s.StaffByUsername(ctx, "clerk")
	if st.MustChangePassword || !st.CheckPassword("mypass4567") {
		t.Fatal("own change must clear the flag")
	}
	// Nobody else's: a clerk resetting a colleague is refused.
	err = s.ResetPassword(ctx, a["clerk"], a["reviewer"].StaffID, "x1234567")
	wantCode(t, err, apperr.Forbidden)
	err = s.RetireStaff(ctx, a["admin"], a["admin"].StaffID)
	wantCode(t, err, apperr.Conflict)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
