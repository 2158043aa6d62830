package web_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// A month's duty table (required, scheduled, recorded, red when short)
// is in the bulletin's workbook as its own sheet and in the published
// bulletin, frozen as published: a day recorded by hand afterwards does
// not lift the red mark of the public document. No head's name is
// published.
func TestDutyInBulletinWorkbookAndPublished(t *testing.T) {
	f := newFixture(t)
	f.srv.Now = func() time.Time { return time.Date(2026, 10, 20, 2, 0, 0, 0, time.UTC) }
	dept := f.idOf(`SELECT department_id FROM staff WHERE username = 'clerk'`)
	head := f.idOf(`SELECT id FROM staff WHERE username = 'approver'`)
	win := f.idOf(`SELECT w.id FROM windows w JOIN centres c ON c.id = w.centre_id WHERE w.department_id = $1 AND c.kind = 'hall' ORDER BY w.id LIMIT 1`, dept)
	if res, body := f.login("admin").post(fmt.Sprintf("/admin/departments/%d/leads", dept), url.Values{"head_id": {fmt.Sprint(head)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("leads: %d %s", res.StatusCode, problemOf(body))
	}
	f.srv.Now = func() time.Time { return time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC) }
	da := f.login("deptadmin")
	for _, d := range []string{"2026-11-10", "2026-11-11"} {
		if res, body := da.post("/duty/days", url.Values{"window_id": {fmt.Sprint(win)}, "day": {d}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("schedule %s: %d %s", d, res.StatusCode, problemOf(body))
		}
	}
	f.exec(`INSERT INTO punches (staff_id, centre_id, window_id, at, source, created_at) SELECT $1, centre_id, id, $2, 'device', $2 FROM windows WHERE id = $3`,
		head, time.Date(2026, 11, 10, 1, 0, 0, 0, time.UTC), win)
	deptName := f.text(`SELECT short_name FROM departments WHERE id = $1`, dept)
	headName := f.text(`SELECT name FROM staff WHERE id = $1`, head)

	sup := f.login("supervisor")
	res, body := sup.get("/supervision/bulletin.xlsx?period=2026-11&by=department")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("workbook: %d", res.StatusCode)
	}
	wb, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := wb.GetRows("一把手值守")
	if err != nil {
		t.Fatalf("no duty sheet: %v (sheets %v)", err, wb.GetSheetList())
	}
	found := false
	for _, r := range rows[2:] {
		if len(r) >= 5 && r[0] == deptName {
			found = true
			if r[1] != "2" || r[2] != "2" || r[3] != "1" || r[4] != "不足" {
				t.Fatalf("duty row %v, want 2 required, 2 scheduled, 1 recorded, short", r)
			}
		}
	}
	if !found {
		t.Fatalf("the department is not on the duty sheet: %v", rows)
	}
	// A quarter's workbook has no duty sheet: the rule is monthly.
	_, body = sup.get("/supervision/bulletin.xlsx?period=2026-Q4&by=department")
	// (Its other sheets — the figures, the queue's — are not this test's.)
	if wb, err := excelize.OpenReader(bytes.NewReader([]byte(body))); err != nil {
		t.Fatalf("a quarter's workbook: %v", err)
	} else if sheets := wb.GetSheetList(); slices.Contains(sheets, "一把手值守") {
		t.Fatalf("a quarter's workbook has a duty sheet: %v", sheets)
	}

	res, body = sup.post("/supervision/bulletins", url.Values{"period": {"2026-11"}, "by": {"department"}, "title": {"2026年11月政务服务通报"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %d %s", res.StatusCode, problemOf(body))
	}
	pub := res.Header.Get("Location")
	// Recorded by hand after publishing: the duty page changes, the
	// published bulletin does not.
	day := f.idOf(`SELECT id FROM duty_days WHERE department_id = $1 AND day = '2026-11-11'`, dept)
	if res, body := f.login("admin").post(fmt.Sprintf("/duty/days/%d/record", day), url.Values{"reason": {"终端故障，有签到表"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("manual record: %d %s", res.StatusCode, problemOf(body))
	}
	_, page := f.anon().get(pub)
	table := between(page, `data-testid="bulletin-duty"`, "</table>")
	if !strings.Contains(table, deptName) || !strings.Contains(table, `data-testid="duty-short"`) {
		t.Fatalf("the published bulletin lacks the red duty row: %s", table)
	}
	if strings.Contains(page, headName) {
		t.Fatal("the published bulletin names the head")
	}
}
