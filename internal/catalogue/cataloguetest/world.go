// Package cataloguetest is the test world of the catalogue's packages (the
// service's own tests and the spreadsheet's): the demo county on a real
// database with the catalogue service and the demo accounts' actors. Only
// tests import it.
package cataloguetest

import (
	"context"
	"testing"
	"time"

	"onestop/internal/catalogue"
	"onestop/internal/demo"
	"onestop/internal/org"
	"onestop/internal/store"
	"onestop/internal/testutil"
)

// Now is 09:00 UTC, 17:00 in Shanghai: the same calendar day either way.
var Now = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

// World is the demo county with the catalogue and organisation services
// on a clock fixed at Now.
type World struct {
	DB     *store.DB
	Cat    *catalogue.Service
	Org    *org.Service
	Actors map[string]org.Actor
	Depts  map[string]int64 // department code → id
}

// Setup loads the demo county into a fresh test database (SQLite, or
// PostgreSQL when ONESTOP_TEST_POSTGRES is set).
func Setup(t testing.TB) *World {
	t.Helper()
	ctx := context.Background()
	db := testutil.NewTestDB(t)
	if _, err := demo.Ensure(ctx, db, 431022); err != nil {
		t.Fatal(err)
	}
	w := &World{DB: db, Cat: &catalogue.Service{DB: db, Now: func() time.Time { return Now }},
		Org: &org.Service{DB: db, Now: func() time.Time { return Now }}, Actors: map[string]org.Actor{}, Depts: map[string]int64{}}
	for _, u := range []string{"admin", "township", "clerk", "deptadmin", "supervisor", "leader"} {
		st, err := w.Org.StaffByUsername(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		w.Actors[u] = st.Actor("192.0.2.1")
	}
	ds, _, err := w.Org.Departments(ctx, org.DepartmentFilter{}, org.ListOptions{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		w.Depts[d.Code] = d.ID
	}
	// The tests rely on the department admin's department being FGJ and
	// on others existing; say so loudly if the demo changes.
	if w.Depts["FGJ"] != w.Actors["deptadmin"].DepartmentID || w.Depts["MZJ"] == 0 || w.Depts["SCJGJ"] == 0 {
		t.Fatalf("demo departments changed: %v, deptadmin in %d", w.Depts, w.Actors["deptadmin"].DepartmentID)
	}
	return w
}

// Content is a valid promised item of a department; tests change one thing.
func Content(dept int64) catalogue.Content {
	return catalogue.Content{Name: "测试许可事项", Type: "licensing", DepartmentID: dept, Audience: "both",
		LegalBasis: "《中华人民共和国行政许可法》第十二条", StatutoryDays: 20, PromisedDays: 5, Visits: 1, Online: true, AtHall: true,
		Materials: []catalogue.Material{{Name: "申请表", Required: true, Form: "original", Copies: 1}},
		Steps:     catalogue.DefaultSteps(5)}
}

// Create makes an item as the hall's admin, failing the test on an error.
func (w *World) Create(t testing.TB, code string, c catalogue.Content) catalogue.Item {
	t.Helper()
	it, err := w.Cat.Create(context.Background(), w.Actors["admin"], code, c, "")
	if err != nil {
		t.Fatalf("create %s: %v", code, err)
	}
	return it
}

// Counts are the rows a rejected change must leave alone.
func (w *World) Counts(t testing.TB) [3]int {
	t.Helper()
	var c [3]int
	for i, table := range []string{"items", "item_versions", "composites"} {
		if err := w.DB.R.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&c[i]); err != nil {
			t.Fatal(err)
		}
	}
	return c
}
