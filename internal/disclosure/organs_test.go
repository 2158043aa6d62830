package disclosure_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/demo"
	"onestop/internal/disclosure"
	"onestop/internal/org"
	"onestop/internal/testutil"
)

func TestOrgansAndOffices(t *testing.T) {
	ctx := context.Background()
	db := testutil.NewTestDB(t)
	if _, err := demo.Ensure(ctx, db, 431022); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 4, 2, 0, 0, 0, time.UTC)
	os := &org.Service{DB: db, Now: func() time.Time { return now }}
	as := map[string]org.Actor{}
	for _, u := range []string{"admin", "clerk", "reviewer", "supervisor"} {
		st, err := os.StaffByUsername(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		as[u] = st.Actor("192.0.2.7")
	}
	county := as["admin"].County()
	for range 2 { // idempotent
		if err := disclosure.EnsureOrgans(ctx, db, now, county); err != nil {
			t.Fatal(err)
		}
	}
	var gov, depts, active int
	db.R.QueryRow(`SELECT COUNT(*) FROM disclosure_organs WHERE kind = 'government'`).Scan(&gov)
	db.R.QueryRow(`SELECT COUNT(*) FROM disclosure_organs WHERE kind = 'department'`).Scan(&depts)
	db.R.QueryRow(`SELECT COUNT(*) FROM departments WHERE retired_at IS NULL`).Scan(&active)
	if gov != 1 || depts != active || active == 0 {
		t.Fatalf("organs: %d government, %d departments of %d", gov, depts, active)
	}
	var organ int64
	if err := db.R.QueryRow(`SELECT id FROM disclosure_organs WHERE department_id = $1`, as["reviewer"].DepartmentID).Scan(&organ); err != nil {
		t.Fatal(err)
	}

	// No grant, no access: a reviewer's role implies nothing (the demo grants the clerk, not the reviewer).
	if _, err := disclosure.AccessTo(ctx, db.R, as["reviewer"], organ); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("clerk without a grant: %v", err)
	}
	if list, err := disclosure.Organs(ctx, db.R, as["reviewer"]); err != nil || len(list) != 0 {
		t.Fatalf("clerk without a grant lists %d organs (%v)", len(list), err)
	}
	// A supervisor reads every organ of the county and acts for none.
	x, err := disclosure.AccessTo(ctx, db.R, as["supervisor"], organ)
	if err != nil || !x.Reads || x.Acts(disclosure.Officer) {
		t.Fatalf("supervisor: %+v %v", x, err)
	}
	if list, _ := disclosure.Organs(ctx, db.R, as["supervisor"]); len(list) != gov+depts {
		t.Fatalf("supervisor lists %d organs, want %d", len(list), gov+depts)
	}
	// Only the county's centre admin grants; a clerk granting himself is refused.
	if err := disclosure.Grant(ctx, db, now, as["reviewer"], organ, as["reviewer"].StaffID, disclosure.Head); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("self-grant: %v", err)
	}
	var fe *apperr.Error
	if err := disclosure.Grant(ctx, db, now, as["admin"], organ, as["reviewer"].StaffID, "boss"); !errors.As(err, &fe) || fe.Fields["duty"].Key == "" {
		t.Fatalf("unknown duty: %v", err)
	}
	if err := disclosure.Grant(ctx, db, now, as["admin"], organ, as["reviewer"].StaffID, disclosure.Officer); err != nil {
		t.Fatal(err)
	}
	x, err = disclosure.AccessTo(ctx, db.R, as["reviewer"], organ)
	if err != nil || !x.Acts(disclosure.Officer) || x.Acts(disclosure.Head) {
		t.Fatalf("officer: %+v %v", x, err)
	}
	if list, _ := disclosure.Organs(ctx, db.R, as["reviewer"]); len(list) != 1 || list[0].Organ.ID != organ || list[0].Duty != disclosure.Officer {
		t.Fatalf("officer lists %+v", list)
	}
	if err := disclosure.Revoke(ctx, db, now, as["admin"], organ, as["reviewer"].StaffID); err != nil {
		t.Fatal(err)
	}
	if _, err := disclosure.AccessTo(ctx, db.R, as["reviewer"], organ); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("after revoke: %v", err)
	}
}

func TestOutcomeRowsMatchTheNationalTable(t *testing.T) {
	// Table 三 has 21 outcome rows in six groups of 1, 1, 8, 3, 5, 3.
	want := map[disclosure.Group]int{1: 1, 2: 1, 3: 8, 4: 3, 5: 5, 6: 3}
	got := map[disclosure.Group]int{}
	for _, r := range disclosure.OutcomeRows {
		got[r.Group]++
	}
	if len(disclosure.OutcomeRows) != 21 || len(got) != 6 {
		t.Fatalf("%d rows in %d groups", len(disclosure.OutcomeRows), len(got))
	}
	for g, n := range want {
		if got[g] != n {
			t.Errorf("group %d has %d rows, want %d", g, got[g], n)
		}
	}
	for rt, outs := range disclosure.ReplyOutcomes {
		for _, o := range outs {
			if !o.Valid() || !rt.Allows(o) {
				t.Errorf("reply type %d lists %s", rt, o)
			}
		}
	}
	if disclosure.ReplyType(3).Allows(disclosure.Disclosed) {
		t.Error("a refusal may not conclude as disclosed")
	}
}
