package e2e

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"onestop/internal/calendar"
	"onestop/internal/clock"
	"onestop/internal/demo"
	"onestop/internal/tally"
)

// Download clicks a link that downloads a file and returns the file's
// bytes once Chromium has written it.
func (b *Browser) Download(sel string) []byte {
	b.t.Helper()
	dir := b.t.TempDir()
	progress := chromedp.Events(b.ctx, browser.DownloadProgress)
	yes := true
	b.do("allow downloads", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &yes})
		return err
	}))
	b.Click(sel)
	done := make(chan string, 1)
	go func() {
		for ev, err := range progress {
			if err != nil {
				return
			}
			if ev.State == browser.DownloadProgressStateCompleted {
				done <- ev.GUID
				return
			}
		}
	}()
	select {
	case guid := <-done:
		data, err := os.ReadFile(filepath.Join(dir, guid))
		if err != nil {
			b.Fatalf("read the download: %v", err)
		}
		return data
	case <-time.After(stepTimeout):
		b.Fatalf("no download from %s in %s", sel, stepTimeout)
	}
	return nil
}

// A leader signs in, goes from the home page to the dashboard, sees last
// month's figures there, opens last month's bulletin from it and
// downloads the workbook, whose figures are the page's, cell for cell.
func TestLeaderOpensDashboardBulletinAndWorkbook(t *testing.T) {
	t.Parallel()
	app, b := Start(t)
	ctx := context.Background()

	// Last month's running totals, counted by hand: the clerk's department
	// at the hall received 9 (6 online), completed 8, 6 on time, in 30
	// working days against 40 promised.
	today := clock.Today(time.Now())
	lastMonth := calendar.Date{Year: today.Year, Month: today.Month, Day: 1}.AddDays(-1)
	var dept, hall int64
	var deptName string
	if err := app.DB.R.QueryRowContext(ctx, `SELECT s.department_id, s.centre_id, d.name FROM staff s JOIN departments d ON d.id = s.department_id WHERE s.username = 'clerk'`).
		Scan(&dept, &hall, &deptName); err != nil {
		t.Fatal(err)
	}
	if err := tally.Add(ctx, app.DB.W, tally.Key{Day: calendar.Date{Year: lastMonth.Year, Month: lastMonth.Month, Day: 10}, DepartmentID: dept, CentreID: hall},
		map[tally.Column]int{tally.Received: 9, tally.ReceivedOnline: 6, tally.Accepted: 9, tally.Completed: 8, tally.OnTime: 6, tally.Overdue: 2,
			tally.UsedDays: 30, tally.PromisedDays: 40}); err != nil {
		t.Fatal(err)
	}

	b.Login("leader", demo.Password)
	b.ExpectPath("/")
	b.ClickAndWait(`[data-testid="home-supervision"] a[href="/supervision/dashboard"]`)
	b.ExpectPath("/supervision/dashboard")
	b.ExpectText("h1", "领导驾驶舱")
	cells := b.Texts(`[data-testid="dash-compare"] tbody tr:first-child td`)
	if len(cells) != 3 || cells[1] != "9" {
		b.Fatalf("the dashboard's received row %q: last month should be 9", cells)
	}
	if b.Count(`main svg[role="img"]`) < 2 {
		b.Fatalf("the dashboard draws no trend")
	}

	b.ClickAndWait(`[data-testid="dash-bulletin"]`)
	b.ExpectPath("/supervision/bulletin")
	b.ExpectTextContains(`[data-testid="bulletin-issue"]`, "第"+strconv.Itoa(int(lastMonth.Month))+"期")
	row := b.Texts(`[data-testid="bulletin-row"]:first-of-type td`)
	name := b.Text(`[data-testid="bulletin-row"]:first-of-type th`)
	if name != deptName || len(row) < 6 || row[1] != "9" || row[5] != "75.0%" {
		b.Fatalf("bulletin row %s %q, want %s with 9 received and 75.0%% on time", name, row, deptName)
	}

	file := b.Download(`[data-testid="bulletin-xlsx"]`)
	f, err := excelize.OpenReader(bytes.NewReader(file))
	if err != nil {
		b.Fatalf("the download is not a workbook: %v", err)
	}
	rows, err := f.GetRows("通报")
	if err != nil || len(rows) < 4 {
		b.Fatalf("workbook rows %v: %v", rows, err)
	}
	if rows[2][0] != deptName {
		b.Fatalf("workbook's first group %q, want %s", rows[2][0], deptName)
	}
	// Formatted cells read as the page shows them, except that the
	// workbook keeps thousands separators out and rates as 0.0%.
	for i, want := range row {
		got := rows[2][1+i]
		if got != want && !sameNumber(got, want) {
			b.Fatalf("column %d: workbook %q, page %q", i, got, want)
		}
	}
}

// sameNumber compares a workbook's formatted cell with the page's text:
// "75.0%" and "0.75"-as-"75.0%" alike, "↓2" with "-2".
func sameNumber(cell, page string) bool {
	norm := func(s string) (float64, bool) {
		s = strings.NewReplacer(",", "", "↑", "", "↓", "-", "+", "").Replace(s)
		pct := strings.HasSuffix(s, "%")
		v, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
		if pct {
			v /= 100
		}
		return v, err == nil
	}
	a, ok1 := norm(cell)
	p, ok2 := norm(page)
	return ok1 && ok2 && math.Abs(a-p) < 1e-9
}
