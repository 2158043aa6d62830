package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"onestop/internal/calendar"
	"onestop/internal/clock"
	"onestop/internal/demo"
)

// The supervisor runs the last quarter's check; the ranking of windows
// shows with grades, the clerk's window (in on time and out after hours
// every working day of the quarter, by the attendance sheets' rule) first
// and 优秀, another clerk's (enrolled, never punched) 不合格; the printable
// report opens (issue 15 §7).
func TestAssessmentJourney(t *testing.T) {
	t.Parallel()
	app, sup := Start(t)
	ctx := context.Background()
	today := clock.Today(time.Now())
	year, q := today.Year, (int(today.Month)-1)/3
	if q == 0 {
		year, q = year-1, 4
	}
	from := calendar.Date{Year: year, Month: time.Month(3*q - 2), Day: 1}
	var staffID, centreID int64
	if err := app.DB.R.QueryRowContext(ctx, `SELECT id, centre_id FROM staff WHERE username = 'clerk'`).Scan(&staffID, &centreID); err != nil {
		t.Fatal(err)
	}
	// The hall keeps attendance; the clerk and another window's clerk are
	// enrolled (only people expected to punch are judged).
	if _, err := app.DB.W.ExecContext(ctx, `INSERT INTO attendance_shifts (centre_id, enabled, am_start, am_end, pm_start, pm_end, summer_am_start,
		summer_am_end, summer_pm_start, summer_pm_end, updated_at) VALUES ($1, TRUE, '08:30', '12:00', '14:00', '17:30', '08:30', '12:00', '14:30', '18:00', $2)
		ON CONFLICT (centre_id) DO UPDATE SET enabled = TRUE`, centreID, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	if _, err := app.DB.W.ExecContext(ctx, `UPDATE staff SET attendance_pin = CASE WHEN id = $1 THEN 'e2e1' ELSE 'e2e2' END
		WHERE id = $1 OR id = (SELECT MIN(s.id) FROM staff s WHERE s.role = 'clerk' AND s.centre_id = $2 AND s.window_id IS NOT NULL
			AND s.window_id <> (SELECT window_id FROM staff WHERE id = $1))`, staffID, centreID); err != nil {
		t.Fatal(err)
	}
	for d := from; d.Month <= time.Month(3*q) && d.Year == year; d = d.AddDays(1) {
		for _, at := range []time.Time{d.Time(clock.Shanghai).Add(8*time.Hour + 20*time.Minute).UTC(), d.Time(clock.Shanghai).Add(18*time.Hour + 10*time.Minute).UTC()} {
			if _, err := app.DB.W.ExecContext(ctx, `INSERT INTO punches (staff_id, centre_id, at, source, reason, created_at) VALUES ($1, $2, $3, 'manual', 'e2e', $3)`,
				staffID, centreID, at); err != nil {
				t.Fatal(err)
			}
		}
	}

	sup.Login("supervisor", demo.Password)
	sup.Open("/assessments")
	sup.Select(`select[name="kind"]`, "quarter")
	sup.Fill(`input[name="year"]`, fmt.Sprint(year))
	sup.Fill(`input[name="n"]`, fmt.Sprint(q))
	sup.ClickAndWait(`[data-testid="assessment-run"] button[type="submit"]`)
	sup.ExpectTextContains("h1", fmt.Sprintf("%d年第%d季度检查", year, q))
	sup.ExpectText("p.flash", "考核已完成并存档。")
	sel := `[data-testid="assessment-level-window"] tr[data-testid="assessment-row"]`
	if sup.Count(sel) < 2 {
		sup.Fatalf("the window ranking has %d rows", sup.Count(sel))
	}
	sup.ExpectText(sel+`:first-child td:first-child`, "1")
	sup.ExpectText(sel+`:first-child td[data-grade]`, "优秀")
	sup.ExpectText(`[data-testid="assessment-level-window"] td[data-grade="fail"]`, "不合格")

	sup.ClickAndWait(`a[data-testid="assessment-print"]`)
	sup.WaitVisible(`[data-testid="assessment-report"]`)
	sup.ExpectTextContains(`[data-testid="assessment-report"] h1`, "季度检查")
	sup.ExpectText(`[data-testid="assessment-report"] [data-testid="assessment-level-window"] tr[data-testid="assessment-row"]:first-child td[data-grade]`, "优秀")
}
