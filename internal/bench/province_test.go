package bench

import (
	"context"
	"testing"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/demo"
	"onestop/internal/demo/bulk"
)

// TestProvince: a synthetic province keeps each county's cases in its own
// halls and departments, verifies, and the engine works in every county:
// it continues a generated case there and receives an online application
// at that county's hall.
func TestProvince(t *testing.T) {
	ctx := context.Background()
	db := county(t)
	if err := demo.EnsureProvince(ctx, db, 431022, 3, nil); err != nil {
		t.Fatal(err)
	}
	// Growing again only adds the missing county.
	if err := demo.EnsureProvince(ctx, db, 431022, 4, nil); err != nil {
		t.Fatal(err)
	}
	q := func(dst any, sql string, args ...any) {
		t.Helper()
		if err := db.R.QueryRowContext(ctx, sql, args...).Scan(dst); err != nil {
			t.Fatal(err)
		}
	}
	var counties, depts, orphans, items int
	q(&counties, `SELECT COUNT(*) FROM regions WHERE level = 'county'`)
	q(&depts, `SELECT COUNT(*) FROM departments`)
	q(&orphans, `SELECT COUNT(*) FROM departments WHERE region_code IS NULL`)
	q(&items, `SELECT COUNT(*) FROM items`)
	if counties != 4 || depts != 4*48 || orphans != 0 || items != 4*432 {
		t.Fatalf("counties %d, departments %d (%d without county), items %d", counties, depts, orphans, items)
	}

	res, err := bulk.Generate(ctx, db, bulk.Options{Cases: 800, PerDay: 80, Until: time.Now(), Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	var withCases, elsewhere int
	q(&withCases, `SELECT COUNT(DISTINCT d.region_code) FROM cases c JOIN departments d ON d.id = c.department_id`)
	// A case is received in its department's county: the hall, or one of
	// its townships' centres (codes start with the county's).
	q(&elsewhere, `SELECT COUNT(*) FROM cases c JOIN departments d ON d.id = c.department_id JOIN centres ce ON ce.id = c.centre_id
		WHERE SUBSTR(ce.region_code, 1, 6) <> d.region_code`)
	if withCases != 4 || elsewhere != 0 {
		t.Fatalf("counties with cases %d, cases received outside their county %d", withCases, elsewhere)
	}
	if brk, events, err := cases.Verify(ctx, db); err != nil || brk != nil || events != res.Events {
		t.Fatalf("verify: %v %v, %d events of %d", brk, err, events, res.Events)
	}

	// The engine continues a generated case of a synthetic county.
	cat := &catalogue.Service{DB: db, Now: time.Now}
	eng := cases.New(db, cat, time.Now)
	var no string
	q(&no, `SELECT c.no FROM cases c JOIN departments d ON d.id = c.department_id WHERE d.region_code <> '431022'
		AND c.state = 'in_progress' AND NOT c.paused AND c.assignee_id IS NOT NULL ORDER BY c.id DESC LIMIT 1`)
	continueCase(t, db, eng, no)

	// A county's catalogue alone, and a hall clerk receives the units it is
	// commissioned for in its own county only.
	_, n, err := cat.List(ctx, catalogue.Filter{County: "430121", Status: "all"})
	if err != nil || n != 432 {
		t.Fatalf("county 430121's items: %d, %v", n, err)
	}
	staff, err := bulk.LoadStaff(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	var clerkID int64
	q(&clerkID, `SELECT s.id FROM staff s JOIN centres c ON c.id = s.centre_id WHERE s.role = 'clerk' AND c.kind = 'hall' AND c.region_code = '430121' ORDER BY s.id LIMIT 1`)
	var clerk bulk.Staff
	for _, s := range staff {
		if s.ID == clerkID {
			clerk = s
		}
	}
	var citizen int64
	q(&citizen, `SELECT id FROM applicants WHERE kind = 'citizen' ORDER BY id LIMIT 1`)
	commissioned := func(county string) string {
		var code string
		q(&code, `SELECT i.code FROM items i JOIN item_versions v ON v.item_id = i.id AND v.version = i.current_version
			JOIN departments d ON d.id = i.department_id WHERE d.region_code = $1 AND v.commissioned AND i.status = 'in_force'
			AND v.audience <> 'organisation' ORDER BY i.code LIMIT 1`, county)
		return code
	}
	ca := orgActor(clerk)
	if _, err := eng.Submit(ctx, cases.StaffActor(ca), cases.SubmitInput{ItemCode: commissioned("430122"), ApplicantID: citizen}); apperr.As(err) == nil ||
		apperr.As(err).Fields["item_code"].Key != "case.not_your_department" {
		t.Fatalf("a clerk of 430121 received another county's commissioned item: %v", err)
	}
	if _, err := eng.Submit(ctx, cases.StaffActor(ca), cases.SubmitInput{ItemCode: commissioned("430121"), ApplicantID: citizen}); err != nil {
		t.Fatalf("a clerk of 430121 refused its own county's commissioned item: %v", err)
	}

	// An online application for a synthetic county's item goes to that
	// county's hall, not to the demo county's.
	var itemCode, county string
	q(&itemCode, `SELECT i.code FROM items i JOIN item_versions v ON v.item_id = i.id AND v.version = i.current_version
		JOIN departments d ON d.id = i.department_id WHERE d.region_code <> '431022' AND i.status = 'in_force' AND v.online AND NOT v.immediate
		AND v.audience <> 'organisation' ORDER BY i.code LIMIT 1`)
	q(&county, `SELECT d.region_code FROM items i JOIN departments d ON d.id = i.department_id WHERE i.code = $1`, itemCode)
	var applicant int64
	q(&applicant, `SELECT id FROM applicants WHERE kind = 'citizen' ORDER BY id LIMIT 1`)
	c, err := eng.Submit(ctx, cases.Actor{ApplicantID: applicant, ApplicantName: "申请人", Address: "198.51.100.1"}, cases.SubmitInput{ItemCode: itemCode})
	if err != nil {
		t.Fatalf("online application for %s: %v", itemCode, err)
	}
	var hallRegion string
	q(&hallRegion, `SELECT region_code FROM centres WHERE id = $1`, c.CentreID)
	if hallRegion != county {
		t.Fatalf("online application for %s (county %s) received at the hall of %s", itemCode, county, hallRegion)
	}
}
