package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"onestop/internal/clock"
)

// queueTickets puts hand-timed tickets of group A (不动产登记, BDC) at the
// hall into April 2026: at window 1, one served (waited 10 min, served
// 20 min) and one no-show (waited 20 min); one never called; one in May,
// outside the period. The figures then are: BDC issued 3, served 1,
// no-shows 1, mean wait 15 min, mean service 20 min.
func (w *bulletinWorld) queueTickets(t *testing.T) (bdc string) {
	t.Helper()
	group := w.idOf(`SELECT id FROM queue_groups WHERE centre_id = $1 AND prefix = 'A' AND retired_at IS NULL`, w.hall)
	win := w.idOf(`SELECT MIN(window_id) FROM queue_group_windows WHERE group_id = $1`, group)
	bdc = w.text(`SELECT d.short_name FROM windows wi JOIN departments d ON d.id = wi.department_id WHERE wi.id = $1`, win)
	at := func(day, hm string) any {
		if hm == "" {
			return nil
		}
		x, err := time.ParseInLocation("2006-01-02 15:04", day+" "+hm, clock.Shanghai)
		if err != nil {
			t.Fatal(err)
		}
		return x.UTC()
	}
	seq := 0
	add := func(day, state, issued, called, start, end string, window any) {
		seq++
		w.exec(`INSERT INTO queue_tickets (group_id, centre_id, day, seq, no, channel, state, place_at, issued_at, window_id, first_called_at, called_at, calls, serving_at, ended_at)
			VALUES ($1, $2, $3, $4, $5, 'kiosk', $6, $7, $7, $8, $9, $9, $10, $11, $12)`,
			group, w.hall, strings.ReplaceAll(day, "-", ""), seq, "A00"+string(rune('0'+seq)), state, at(day, issued), window,
			at(day, called), map[bool]int{true: 1}[called != ""], at(day, start), at(day, end))
	}
	add("2026-04-07", "done", "09:00", "09:10", "09:11", "09:31", win)
	add("2026-04-07", "no_show", "09:05", "09:25", "", "", win)
	add("2026-04-07", "waiting", "10:00", "", "", "", nil)
	add("2026-05-06", "done", "09:00", "10:00", "10:00", "11:00", win)
	return bdc
}

// The month's bulletin shows the queue's figures per department (and per
// window in the detail) from tickets at known times, on the page, in the
// workbook's queue sheet and in the published copy; the period's edges
// keep May's ticket out.
func TestBulletinQueueFigures(t *testing.T) {
	w := newBulletinWorld(t)
	bdc := w.queueTickets(t)
	c := w.login("supervisor")
	res, body := c.get(april)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("%d: %s", res.StatusCode, body)
	}
	want := "3|1|1|15分0秒|20分0秒"
	queuePart := func(page string) string {
		i := strings.Index(page, `data-testid="bulletin-queue"`)
		if i < 0 {
			t.Fatal("no queue table")
		}
		return page[i:]
	}
	q := queuePart(body)
	if got := strings.Join(tableRow(t, q, bdc), "|"); got != want {
		t.Fatalf("BDC queue row %s, want %s", got, want)
	}
	if !strings.Contains(q, `data-testid="queue-window"`) || !strings.Contains(q, "平均等候") {
		t.Error("no per-window detail")
	}

	res, book := c.get("/supervision/bulletin.xlsx?period=2026-04&by=department")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("xlsx %d", res.StatusCode)
	}
	f, err := excelize.OpenReader(strings.NewReader(book))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("排队叫号", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	// heading, headers, BDC, its window, total.
	if len(rows) != 5 || rows[2][0] != bdc || strings.Join(rows[2][2:], "|") != "3|1|1|15|20" || rows[3][0] != bdc || rows[4][2] != "3" {
		t.Fatalf("queue sheet %v", rows)
	}

	res, _ = c.post("/supervision/bulletins", url.Values{"period": {"2026-04"}, "by": {"department"}, "title": {"测试县2026年第4期通报"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish %d", res.StatusCode)
	}
	// Later tickets in April change nothing published: it was frozen.
	w.exec(`UPDATE queue_tickets SET state = 'done' WHERE state = 'no_show'`)
	_, pub := w.anon().get(res.Header.Get("Location"))
	if got := strings.Join(tableRow(t, queuePart(pub), bdc), "|"); got != want {
		t.Fatalf("published BDC queue row %s, want %s", got, want)
	}
	_, out := w.anon().api("GET", "/api/v1/open/bulletins", "")
	items, _ := out["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("open API: %v", out)
	}
	qj, _ := items[0].(map[string]any)["queue"].(map[string]any)
	deps, _ := qj["departments"].([]any)
	if len(deps) != 1 || deps[0].(map[string]any)["mean_wait_seconds"] != float64(900) || deps[0].(map[string]any)["issued"] != float64(3) {
		t.Fatalf("open API queue: %v", qj)
	}
}
