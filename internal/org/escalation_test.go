package org_test

import (
	"context"
	"strings"
	"testing"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/org"
)

// The escalation suite (issue 10): every grant path tried by someone who
// wants more than they have. Each refused attempt must also change
// nothing: the account reads back as before and no audit entry appears.

// console is the installation-wide operator, as `onestop user` acts.
var console = org.Actor{Username: "console", Name: "console", Role: org.CentreAdmin, Province: true, Address: "console"}

// unchanged asserts that the account reads back exactly as before and
// that no audit entry was written.
func unchanged(t *testing.T, s *org.Service, before org.Staff, auditBefore int) {
	t.Helper()
	after, err := s.StaffMember(context.Background(), console, before.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Role != before.Role || after.CentreID != before.CentreID || after.DepartmentID != before.DepartmentID ||
		after.Scope != before.Scope || after.Name != before.Name || !after.UpdatedAt.Equal(before.UpdatedAt) {
		t.Fatalf("a refused grant changed the account:\nbefore %+v\nafter  %+v", before, after)
	}
	if n := auditCount(t, s); n != auditBefore {
		t.Fatalf("a refused grant wrote %d audit entries", n-auditBefore)
	}
}

func auditCount(t *testing.T, s *org.Service) int {
	t.Helper()
	_, n, err := audit.List(context.Background(), s.DB.Read(), audit.Filter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func member(t *testing.T, s *org.Service, id int64) org.Staff {
	t.Helper()
	st, err := s.StaffMember(context.Background(), console, id)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// The reproduced hole: a township centre admin made itself admin of the
// whole county with one request (role centre_admin, centre 0), or created
// such an account.
func TestTownshipAdminCannotBecomeCountyWide(t *testing.T) {
	s, a := setup(t)
	ctx := context.Background()
	tw := a["township"]
	self := member(t, s, tw.StaffID)
	n := auditCount(t, s)

	_, err := s.UpdateStaff(ctx, tw, tw.StaffID, org.StaffInput{Name: self.Name, Role: org.CentreAdmin, CentreID: 0})
	wantField(t, err, "centre_id", "org.staff.own_scope")
	unchanged(t, s, self, n)
	_, err = s.UpdateStaff(ctx, tw, tw.StaffID, org.StaffInput{Name: self.Name, Role: org.CentreAdmin, CentreID: self.CentreID, Scope: org.ScopeProvince})
	wantField(t, err, "scope", "org.staff.own_scope")
	unchanged(t, s, self, n)

	_, err = s.CreateStaff(ctx, tw, org.StaffInput{Username: "evil.admin", Name: "某人", Role: org.CentreAdmin, CentreID: 0, Password: "abcd1234"})
	wantField(t, err, "centre_id", "org.staff.centre_required")
	_, err = s.CreateStaff(ctx, tw, org.StaffInput{Username: "evil.admin", Name: "某人", Role: org.CentreAdmin, Scope: org.ScopeProvince, Password: "abcd1234"})
	wantField(t, err, "scope", "org.staff.scope_wider")
	// Nor an admin at the hall, which reaches the county.
	_, err = s.CreateStaff(ctx, tw, org.StaffInput{Username: "evil.admin", Name: "某人", Role: org.CentreAdmin, CentreID: a["admin"].CentreID, Password: "abcd1234"})
	wantField(t, err, "centre_id", "org.staff.centre_scope")
	if _, err := s.StaffByUsername(ctx, "evil.admin"); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("a refused account exists: %v", err)
	}
	unchanged(t, s, self, n)

	// Even the old wildcard, an admin with no centre and no scope, sees
	// and grants nothing.
	ghost := org.Actor{StaffID: 999999, Role: org.CentreAdmin}
	if ghost.CountyWide() || len(org.AssignableRoles(ghost)) != 0 {
		t.Fatal("an admin without a centre or explicit scope has a reach")
	}
	all, total, err := s.StaffList(ctx, ghost, org.StaffFilter{}, org.ListOptions{Limit: 10})
	if err != nil || total != 0 || len(all) != 0 {
		t.Fatalf("an admin without a centre lists %d accounts", total)
	}
}

// The reproduced hole: a township admin minted reviewers, approvers and
// department admins of hall departments, who then read and acted on the
// hall's cases (and the department admin made hall clerks).
func TestTownshipAdminGrantsOnlyItsOwnCentre(t *testing.T) {
	s, a := setup(t)
	ctx := context.Background()
	tw := a["township"]
	hallDept := a["clerk"].DepartmentID
	for _, r := range []org.Role{org.Reviewer, org.Approver, org.DeptAdmin, org.Supervisor, org.Leader} {
		_, err := s.CreateStaff(ctx, tw, org.StaffInput{Username: "evil." + string(r), Name: "某人", Role: r, CentreID: tw.CentreID,
			DepartmentID: hallDept, Password: "abcd1234"})
		wantField(t, err, "role", "error.choose")
	}
	// A clerk at the hall is outside the township's reach, whatever the department.
	_, err := s.CreateStaff(ctx, tw, org.StaffInput{Username: "evil.clerk", Name: "某人", Role: org.Clerk, CentreID: a["clerk"].CentreID,
		DepartmentID: hallDept, Password: "abcd1234"})
	wantField(t, err, "centre_id", "org.staff.centre_scope")

	// Its own centre's clerk: yes, and that clerk can then be moved only
	// within the centre.
	st, err := s.CreateStaff(ctx, tw, org.StaffInput{Username: "new.tclerk", Name: "新人", Role: org.Clerk, CentreID: tw.CentreID,
		DepartmentID: a["tclerk"].DepartmentID, Password: "abcd1234"})
	if err != nil || st.CentreID != tw.CentreID {
		t.Fatalf("township admin creates its own clerk: %+v %v", st, err)
	}
	n := auditCount(t, s)
	before := member(t, s, st.ID)
	_, err = s.UpdateStaff(ctx, tw, st.ID, org.StaffInput{Name: "新人", Role: org.Clerk, CentreID: a["clerk"].CentreID, DepartmentID: hallDept})
	wantField(t, err, "centre_id", "org.staff.centre_scope")
	_, err = s.UpdateStaff(ctx, tw, st.ID, org.StaffInput{Name: "新人", Role: org.Reviewer, CentreID: tw.CentreID, DepartmentID: hallDept})
	wantField(t, err, "role", "error.choose")
	unchanged(t, s, before, n)

	// Accounts of the hall are not the township's to edit, retire or reset.
	hallClerk := member(t, s, a["clerk"].StaffID)
	_, err = s.UpdateStaff(ctx, tw, hallClerk.ID, org.StaffInput{Name: "x", Role: org.Clerk, CentreID: tw.CentreID, DepartmentID: hallDept})
	if code := apperr.CodeOf(err); code != apperr.NotFound && code != apperr.Forbidden {
		t.Fatalf("township edits a hall clerk: %v", err)
	}
	if err := s.ResetPassword(ctx, tw, a["admin"].StaffID, "takeover123"); err == nil {
		t.Fatal("township admin reset the hall admin's password")
	}
	if err := s.RetireStaff(ctx, tw, hallClerk.ID); err == nil {
		t.Fatal("township admin retired a hall clerk")
	}
	unchanged(t, s, hallClerk, n)
}

// A department admin gives its department's working roles only, at centres
// of its county, and never promotes itself.
func TestDepartmentAdminGrants(t *testing.T) {
	s, a := setup(t)
	ctx := context.Background()
	da := a["deptadmin"]
	self := member(t, s, da.StaffID)
	n := auditCount(t, s)
	for _, in := range []org.StaffInput{
		{Name: self.Name, Role: org.CentreAdmin, CentreID: self.CentreID, DepartmentID: self.DepartmentID},
		{Name: self.Name, Role: org.DeptAdmin, CentreID: self.CentreID, DepartmentID: a["tclerk"].DepartmentID},
		{Name: self.Name, Role: org.DeptAdmin, CentreID: a["township"].CentreID, DepartmentID: self.DepartmentID},
	} {
		_, err := s.UpdateStaff(ctx, da, da.StaffID, in)
		if ae := apperr.As(err); ae == nil || ae.Code != apperr.Invalid {
			t.Fatalf("department admin changes its own reach with %+v: %v", in, err)
		}
	}
	unchanged(t, s, self, n)
	for _, r := range []org.Role{org.DeptAdmin, org.CentreAdmin, org.Supervisor, org.Leader} {
		_, err := s.CreateStaff(ctx, da, org.StaffInput{Username: "evil.x", Name: "某人", Role: r, CentreID: self.CentreID, Password: "abcd1234"})
		wantField(t, err, "role", "error.choose")
	}
	// The other department's reviewer is not theirs to change.
	other, _, err := s.StaffList(ctx, console, org.StaffFilter{Role: org.Reviewer}, org.ListOptions{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range other {
		if st.DepartmentID == da.DepartmentID {
			continue
		}
		_, err := s.UpdateStaff(ctx, da, st.ID, org.StaffInput{Name: "x", Role: org.Reviewer, CentreID: st.CentreID})
		if code := apperr.CodeOf(err); code != apperr.NotFound && code != apperr.Forbidden {
			t.Fatalf("department admin edits another department's reviewer: %v", err)
		}
		break
	}
	unchanged(t, s, self, n)
}

// Everyone edits their own name and phone, and nothing else of theirs.
func TestSelfEditNameAndPhoneOnly(t *testing.T) {
	s, a := setup(t)
	ctx := context.Background()
	for _, u := range []string{"clerk", "admin", "supervisor"} {
		me := member(t, s, a[u].StaffID)
		got, err := s.UpdateStaff(ctx, a[u], me.ID, org.StaffInput{Name: "新名字", Phone: "13800138000", Role: me.Role, CentreID: me.CentreID,
			DepartmentID: me.DepartmentID, WindowID: me.WindowID, BackupID: me.BackupID, Absent: me.Absent, Scope: me.Scope})
		if err != nil || got.Name != "新名字" || got.Phone != "13800138000" {
			t.Fatalf("%s edits own name and phone: %+v %v", u, got, err)
		}
		after := member(t, s, me.ID)
		if after.Name != "新名字" || after.Role != me.Role {
			t.Fatalf("%s: not stored: %+v", u, after)
		}
		n := auditCount(t, s)
		_, err = s.UpdateStaff(ctx, a[u], me.ID, org.StaffInput{Name: "新名字", Role: org.Leader, CentreID: me.CentreID,
			DepartmentID: me.DepartmentID, WindowID: me.WindowID, BackupID: me.BackupID, Absent: me.Absent})
		wantField(t, err, "role", "org.staff.own_scope")
		unchanged(t, s, after, n)
	}
}

// A county-wide admin exists only by the console or another county-wide
// (or province-wide) admin; province-wide only by a province-wide one.
func TestCountyWideGrants(t *testing.T) {
	s, a := setup(t)
	ctx := context.Background()
	hall := a["admin"]
	_, err := s.CreateStaff(ctx, hall, org.StaffInput{Username: "p.admin", Name: "某人", Role: org.CentreAdmin, Scope: org.ScopeProvince, Password: "abcd1234"})
	wantField(t, err, "scope", "org.staff.scope_wider")
	_, err = s.CreateStaff(ctx, hall, org.StaffInput{Username: "t.super", Name: "某人", Role: org.Supervisor, CentreID: a["township"].CentreID, Password: "abcd1234"})
	wantField(t, err, "centre_id", "org.staff.needs_hall")
	_, err = s.CreateStaff(ctx, hall, org.StaffInput{Username: "n.admin", Name: "某人", Role: org.CentreAdmin, Password: "abcd1234"})
	wantField(t, err, "centre_id", "org.staff.centre_required")
	second, err := s.CreateStaff(ctx, hall, org.StaffInput{Username: "hall.admin2", Name: "某人", Role: org.CentreAdmin, CentreID: hall.CentreID, Password: "abcd1234"})
	if err != nil || !second.Actor("").CountyWide() {
		t.Fatalf("hall admin creates a second hall admin: %+v %v", second, err)
	}
	// The console's province-wide admin is out of a county admin's reach.
	root, err := s.CreateStaff(ctx, console, org.StaffInput{Username: "root", Name: "总管", Role: org.CentreAdmin, Scope: org.ScopeProvince, Password: "abcd1234"})
	if err != nil || !root.Actor("").Province || !root.Actor("").CountyWide() {
		t.Fatalf("console creates a province-wide admin: %+v %v", root, err)
	}
	n := auditCount(t, s)
	if err := s.ResetPassword(ctx, hall, root.ID, "takeover123"); err == nil {
		t.Fatal("a county admin reset the province-wide admin's password")
	}
	_, err = s.UpdateStaff(ctx, hall, root.ID, org.StaffInput{Name: "x", Role: org.CentreAdmin, CentreID: hall.CentreID})
	if code := apperr.CodeOf(err); code != apperr.NotFound && code != apperr.Forbidden {
		t.Fatalf("a county admin edits the province-wide admin: %v", err)
	}
	unchanged(t, s, member(t, s, root.ID), n)
	// Every grant is on the record, with the role and reach it gave.
	entries, _, err := audit.List(ctx, s.DB.Read(), audit.Filter{Entity: "staff", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range entries {
		if e.Action == "create" && e.EntityID == itoa(root.ID) && e.Actor != "" {
			found = strings.Contains(e.After, `"scope":"province"`) && strings.Contains(e.After, `"role":"centre_admin"`)
		}
	}
	if !found {
		t.Fatalf("the province-wide grant is not on the audit record: %+v", entries)
	}
}

// In a province, a county's admin reaches its own county only.
func TestCountyAdminStaysInItsCounty(t *testing.T) {
	s, a := setup(t)
	ctx := context.Background()
	if _, err := s.CreateRegion(ctx, a["admin"], org.RegionInput{Code: "431023", Name: "邻县"}); err == nil {
		t.Fatal("a county admin created another county")
	}
	if _, err := s.CreateRegion(ctx, console, org.RegionInput{Code: "431023", Name: "邻县"}); err != nil {
		t.Fatal(err)
	}
	_, err := s.CreateCentre(ctx, a["admin"], org.CentreInput{Code: "LX", Name: "邻县政务服务中心", Kind: "hall", RegionCode: "431023"})
	wantField(t, err, "region_code", "org.region.out_of_scope")
	other, err := s.CreateCentre(ctx, console, org.CentreInput{Code: "LX", Name: "邻县政务服务中心", Kind: "hall", RegionCode: "431023"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.CreateStaff(ctx, a["admin"], org.StaffInput{Username: "lx.admin", Name: "某人", Role: org.CentreAdmin, CentreID: other.ID, Password: "abcd1234"})
	wantField(t, err, "centre_id", "org.staff.centre_scope")
	_, err = s.UpdateCentre(ctx, a["admin"], other.ID, org.CentreInput{Name: "改名"})
	wantCode(t, err, apperr.NotFound)
	lx, err := s.CreateStaff(ctx, console, org.StaffInput{Username: "lx.admin", Name: "某人", Role: org.CentreAdmin, CentreID: other.ID, Password: "abcd1234"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ResetPassword(ctx, a["admin"], lx.ID, "takeover123"); err == nil {
		t.Fatal("one county's admin reset another county's admin")
	}
}
