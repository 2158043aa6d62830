package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/corrections"
	"onestop/internal/org"
)

// verify checks the correction orders' chains with the cases' and their
// running total: a total changed by hand and an order's text edited in
// the database are named.
func TestVerifyNamesAnAlteredOrder(t *testing.T) {
	args, db := demoDB(t, 3)
	ctx := context.Background()
	now := func() time.Time { return time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC) }
	eng := cases.New(db, &catalogue.Service{DB: db, Now: now}, now)
	orders := &corrections.Service{DB: db, Cases: eng, Now: now}
	st, err := (&org.Service{DB: db, Now: now}).StaffByUsername(ctx, "supervisor")
	if err != nil {
		t.Fatal(err)
	}
	var no string
	var dept int64
	if err := db.R.QueryRow(`SELECT no, department_id FROM cases ORDER BY id LIMIT 1`).Scan(&no, &dept); err != nil {
		t.Fatal(err)
	}
	o, err := orders.Issue(ctx, st.Actor("192.0.2.1"), corrections.IssueInput{DepartmentID: dept, Cases: []string{no}, Subject: "督办",
		Instruction: "请整改。", DeadlineDays: 5})
	if err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runCmd(t, append([]string{"verify"}, args...)...); code != 0 || !strings.Contains(out, "1 correction orders") {
		t.Fatalf("verify clean: %d %s %s", code, out, errOut)
	}
	// The running total of orders is checked against the orders.
	if _, err := db.W.Exec(`UPDATE supervision_totals SET orders = orders + 1 WHERE orders > 0`); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runCmd(t, append([]string{"verify"}, args...)...); code == 0 || !strings.Contains(out, "TOTALS supervision_totals") {
		t.Fatalf("verify a changed total: %d %s", code, out)
	}
	if _, err := db.W.Exec(`UPDATE supervision_totals SET orders = orders - 1 WHERE orders > 0`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.W.Exec(`UPDATE correction_order_events SET text = '改过' WHERE seq = 1`); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runCmd(t, append([]string{"verify"}, args...)...); code == 0 || !strings.Contains(out, "correction order "+o.No+" event 1") {
		t.Fatalf("verify altered: %d %s", code, out)
	}
}
