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

// With two counties the department form asks for the county; leaving it
// out is a field error in the admin's language and creates nothing; the
// API names the county of what it created.
func TestDepartmentFormAsksForCounty(t *testing.T) {
	f := newFixture(t)
	c := f.login("admin")
	_, page := c.get("/admin/departments/new")
	if strings.Contains(page, `name="region_code"`) {
		t.Fatalf("one county: the form should not ask for it")
	}
	if err := demo.EnsureProvince(context.Background(), f.db, 431022, 2, nil); err != nil {
		t.Fatal(err)
	}
	_, page = c.get("/admin/departments/new")
	if !strings.Contains(page, `name="region_code"`) || !strings.Contains(page, `<option value="430121"`) {
		t.Fatalf("two counties: no county menu in the form")
	}
	before := countDepartments(f)
	form := url.Values{"code": {"CSJ"}, "name": {"宜章县测试局"}, "short_name": {"测试局"}, "mode": {"seated"}}
	res, body := c.post("/admin/departments", form)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "请选择该单位所属的县") {
		t.Fatalf("no county: %d", res.StatusCode)
	}
	if countDepartments(f) != before {
		t.Fatal("a refused form created a department")
	}
	res, out := c.api("POST", "/api/v1/departments", `{"code":"CSJ","name":"安川县测试局","short_name":"测试局","mode":"seated","region_code":"430121"}`)
	if res.StatusCode != http.StatusCreated || out["region_code"] != "430121" || out["region_name"] != "安川县" {
		t.Fatalf("API create with county: %d %v", res.StatusCode, out)
	}
}
