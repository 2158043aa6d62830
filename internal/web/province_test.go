package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"onestop/internal/demo"
)

// In a province's database the inbox's township menu offers the clerk's
// own county's townships, not every county's.
func TestWorkbenchTownshipsOfOwnCounty(t *testing.T) {
	f := newFixture(t)
	if err := demo.EnsureProvince(context.Background(), f.db, 431022, 2, nil); err != nil {
		t.Fatal(err)
	}
	res, page := f.login("clerk").get("/workbench")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("workbench: %d", res.StatusCode)
	}
	if !strings.Contains(page, `<option value="431022`) {
		t.Fatalf("the clerk's county's townships are not offered")
	}
	if strings.Contains(page, `<option value="430121`) {
		t.Fatalf("another county's townships are offered")
	}
}

// With two counties in the database a county's hall admin still has one
// county to give, its own: the form does not ask, a department lands in
// that county, and the other county is refused with a field error.
func TestDepartmentFormAsksForCounty(t *testing.T) {
	f := newFixture(t)
	c := f.login("admin")
	if err := demo.EnsureProvince(context.Background(), f.db, 431022, 2, nil); err != nil {
		t.Fatal(err)
	}
	_, page := c.get("/admin/departments/new")
	if strings.Contains(page, `name="region_code"`) {
		t.Fatalf("a county admin is asked for a county")
	}
	before := countDepartments(f)
	form := url.Values{"code": {"CSJ"}, "name": {"宜章县测试局"}, "short_name": {"测试局"}, "mode": {"seated"}}
	if res, _ := c.post("/admin/departments", form); res.StatusCode != http.StatusSeeOther && res.StatusCode != http.StatusOK {
		t.Fatalf("own county's department: %d", res.StatusCode)
	}
	if n := f.idOf(`SELECT COUNT(*) FROM departments WHERE code = 'CSJ' AND region_code = '431022'`); n != 1 {
		t.Fatalf("the department is not in the admin's county")
	}
	res, out := c.api("POST", "/api/v1/departments", `{"code":"CSK","name":"安川县测试局","short_name":"测试局","mode":"seated","region_code":"430121"}`)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("API create in another county: %d %v", res.StatusCode, out)
	}
	if countDepartments(f) != before+1 {
		t.Fatal("a refused request created a department")
	}
}

// In a province's database a county's supervisor, leader and hall admin
// reach their own county: another county's cases and staff answer "not
// found" and stay out of their lists, while a province-wide account sees
// both.
func TestCountyWideReachStopsAtTheCounty(t *testing.T) {
	cf := newCaseFixture(t)
	if err := demo.EnsureProvince(context.Background(), cf.db, 431022, 2, nil); err != nil {
		t.Fatal(err)
	}
	clerk := cf.login("clerk")
	home := cf.intake(clerk, "T-001", 1, 2)
	away := cf.intake(clerk, "T-001", 1, 2)
	// The second case is moved to the other county's hall.
	if _, err := cf.db.W.Exec(`UPDATE cases SET centre_id = (SELECT id FROM centres WHERE kind = 'hall' AND region_code = '430121') WHERE no = $1`, away); err != nil {
		t.Fatal(err)
	}
	otherStaff := cf.idOf(`SELECT MIN(s.id) FROM staff s JOIN centres c ON c.id = s.centre_id WHERE c.region_code LIKE '430121%'`)
	for _, u := range []string{"supervisor", "leader", "admin"} {
		c := cf.login(u)
		if res, _ := c.api("GET", "/api/v1/cases/"+home, ""); res.StatusCode != http.StatusOK {
			t.Fatalf("%s: own county's case: %d", u, res.StatusCode)
		}
		if res, _ := c.api("GET", "/api/v1/cases/"+away, ""); res.StatusCode != http.StatusNotFound {
			t.Fatalf("%s: another county's case: %d, want 404", u, res.StatusCode)
		}
		_, inbox := c.api("GET", "/api/v1/cases?all=1&limit=200", "")
		for _, it := range inbox["items"].([]any) {
			if it.(map[string]any)["no"] == away {
				t.Fatalf("%s: another county's case in the inbox", u)
			}
		}
		if res, _ := c.api("GET", "/api/v1/staff/"+strconv.FormatInt(otherStaff, 10), ""); res.StatusCode != http.StatusNotFound {
			t.Fatalf("%s: another county's staff: %d, want 404", u, res.StatusCode)
		}
	}
}
