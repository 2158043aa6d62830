package xlsx_test

import (
	"context"
	"testing"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/catalogue"
	"onestop/internal/demo"
	"onestop/internal/org"
	"onestop/internal/store"
	"onestop/internal/testutil"
)

// now is 09:00 UTC, 17:00 in Shanghai: the same calendar day either way.
var now = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

// world is the demo county on a real database with the catalogue service
// and the demo accounts' actors (as in the catalogue package's tests).
type world struct {
	db     *store.DB
	cat    *catalogue.Service
	org    *org.Service
	actors map[string]org.Actor
	depts  map[string]int64 // department code → id
}

func setup(t testing.TB) *world {
	t.Helper()
	ctx := context.Background()
	db := testutil.NewTestDB(t)
	if _, err := demo.Ensure(ctx, db, 431022); err != nil {
		t.Fatal(err)
	}
	w := &world{db: db, cat: &catalogue.Service{DB: db, Now: func() time.Time { return now }},
		org: &org.Service{DB: db, Now: func() time.Time { return now }}, actors: map[string]org.Actor{}, depts: map[string]int64{}}
	for _, u := range []string{"admin", "township", "clerk", "deptadmin", "supervisor", "leader"} {
		st, err := w.org.StaffByUsername(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		w.actors[u] = st.Actor("192.0.2.1")
	}
	ds, _, err := w.org.Departments(ctx, org.DepartmentFilter{}, org.ListOptions{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		w.depts[d.Code] = d.ID
	}
	if w.depts["FGJ"] != w.actors["deptadmin"].DepartmentID || w.depts["MZJ"] == 0 || w.depts["SCJGJ"] == 0 {
		t.Fatalf("demo departments changed: %v, deptadmin in %d", w.depts, w.actors["deptadmin"].DepartmentID)
	}
	return w
}

// content is a valid promised item of a department; tests change one thing.
func content(dept int64) catalogue.Content {
	return catalogue.Content{Name: "测试许可事项", Type: "licensing", DepartmentID: dept, Audience: "both",
		LegalBasis: "《中华人民共和国行政许可法》第十二条", StatutoryDays: 20, PromisedDays: 5, Visits: 1, Online: true, AtHall: true,
		Materials: []catalogue.Material{{Name: "申请表", Required: true, Form: "original", Copies: 1}},
		Steps:     catalogue.DefaultSteps(5)}
}

func (w *world) create(t testing.TB, code string, c catalogue.Content) catalogue.Item {
	t.Helper()
	it, err := w.cat.Create(context.Background(), w.actors["admin"], code, c, "")
	if err != nil {
		t.Fatalf("create %s: %v", code, err)
	}
	return it
}

// counts are the rows a rejected change must leave alone.
func (w *world) counts(t testing.TB) [3]int {
	t.Helper()
	var c [3]int
	for i, table := range []string{"items", "item_versions", "composites"} {
		if err := w.db.R.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&c[i]); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func wantCode(t testing.TB, err error, code apperr.Code) {
	t.Helper()
	if apperr.CodeOf(err) != code {
		t.Fatalf("want %s, got %v", code, err)
	}
}
