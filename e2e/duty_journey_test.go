package e2e

import (
	"fmt"
	"testing"
	"time"

	"onestop/internal/demo"
)

// Leaders' window duty (issue 15 §3, journey 2): the centre admin names
// the department's head, the department admin schedules two November duty
// days, the terminal at the window records one punch; in early December
// the head's month shows one recorded day and a red mark (short of 2),
// and after the sweep the supervisor sees the D01 anomaly.
func TestDutyMonthShowsRedMark(t *testing.T) {
	t.Parallel()
	app, b := Start(t)
	// The head is named in October (a month is judged with the head in
	// force at its end, DOMAIN.md §25); the rest happens in December.
	app.Server.Now = func() time.Time { return time.Date(2026, 10, 20, 2, 0, 0, 0, time.UTC) }
	var dept, head, win int64
	if err := app.DB.R.QueryRow(`SELECT department_id, id FROM staff WHERE username = 'approver'`).Scan(&dept, &head); err != nil {
		t.Fatal(err)
	}
	if err := app.DB.R.QueryRow(`SELECT MIN(w.id) FROM windows w JOIN centres c ON c.id = w.centre_id AND c.kind = 'hall' WHERE w.department_id = $1`, dept).Scan(&win); err != nil {
		t.Fatal(err)
	}

	b.Login("admin", demo.Password)
	b.Open(fmt.Sprintf("/admin/departments/%d/leads", dept))
	b.Select(`select[name="head_id"]`, fmt.Sprint(head))
	b.Submit()
	b.ExpectText("p.flash", "已保存。")
	b.Logout()
	app.Server.Now = func() time.Time { return time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC) }

	b.Login("deptadmin", demo.Password)
	for _, day := range []string{"2026-11-10", "2026-11-11"} {
		b.Open("/duty?month=2026-11")
		b.Select(`select[name="window_id"]`, fmt.Sprint(win))
		b.Fill(`input[name="day"]`, day)
		b.ClickAndWait(`[data-testid="duty-schedule"] button.primary`)
		b.ExpectText("p.flash", "值守日已安排。")
	}
	b.Logout()

	// The window's terminal records the head at 09:00 on the 10th only.
	if _, err := app.DB.W.Exec(`INSERT INTO punches (staff_id, centre_id, window_id, at, direction, source, created_at)
		SELECT $1, centre_id, id, $2, 'in', 'device', $2 FROM windows WHERE id = $3`, head, time.Date(2026, 11, 10, 1, 0, 0, 0, time.UTC), win); err != nil {
		t.Fatal(err)
	}

	b.Login("approver", demo.Password)
	b.Open("/duty?month=2026-11")
	row := fmt.Sprintf(`tr[data-department="%d"]`, dept)
	b.ExpectTextContains(row+` [data-testid="recorded"]`, "1")
	b.ExpectText(row+` [data-testid="duty-short"]`, "不足")
	b.ExpectTextContains(row+` li[data-day="2026-11-10"]`, "已打卡")
	b.ExpectTextContains(row+` li[data-day="2026-11-11"]`, "未值守")
	b.Logout()

	b.Login("supervisor", demo.Password)
	b.Open("/duty?month=2026-11")
	b.ClickAndWait(`[data-testid="duty-sweep"] button`)
	b.Open("/supervision/anomalies")
	b.WaitVisible(fmt.Sprintf(`[data-testid="duty-shortfalls"] a[href="/duty?month=2026-11&department=%d"]`, dept))
}
