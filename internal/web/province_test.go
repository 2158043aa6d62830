package web_test

import (
	"context"
	"net/http"
	"net/url"
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
