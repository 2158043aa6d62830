package e2e

import (
	"context"
	"strconv"
	"testing"
	"time"

	"onestop/internal/demo"
	"onestop/internal/queue"
)

// A citizen's ticket is called, served and finished at the clerk's
// window; the supervisor opens the ticket's record (issued, called at
// which window, served), follows its camera link, sees the window's
// camera over the service with the recorder's margins and opens it; the
// opening is on the access record. The clerk's own view of the ticket
// offers no link (issue 15 §5, the ticket's "recording at that time").
func TestSupervisorOpensCameraFromTicket(t *testing.T) {
	t.Parallel()
	app, _ := Start(t)
	ctx := context.Background()
	st, err := app.Server.Org.StaffByUsername(ctx, "clerk")
	if err != nil {
		t.Fatal(err)
	}
	clerk := st.Actor("")
	var group int64
	if err := app.DB.R.QueryRowContext(ctx, `SELECT g.id FROM queue_groups g JOIN queue_group_windows gw ON gw.group_id = g.id
		WHERE gw.window_id = $1 AND g.retired_at IS NULL ORDER BY g.position LIMIT 1`, clerk.WindowID).Scan(&group); err != nil {
		t.Fatal(err)
	}
	tk, err := app.Server.Queue.Issue(ctx, queue.IssueInput{CentreID: clerk.CentreID, GroupID: group, Channel: queue.Kiosk})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Server.Queue.CallNext(ctx, clerk); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Server.Queue.Start(ctx, clerk, tk.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Server.Queue.Finish(ctx, clerk, tk.ID); err != nil {
		t.Fatal(err)
	}
	// The span the Hikvision camera plays: the recorder's margins around
	// the service (start → finish).
	var serving, ended time.Time
	var before, after int
	if err := app.DB.R.QueryRowContext(ctx, `SELECT serving_at, ended_at FROM queue_tickets WHERE id = $1`, tk.ID).Scan(&serving, &ended); err != nil {
		t.Fatal(err)
	}
	if err := app.DB.R.QueryRowContext(ctx, `SELECT before_min, after_min FROM camera_recorders WHERE brand = 'hikvision' AND retired_at IS NULL LIMIT 1`).
		Scan(&before, &after); err != nil {
		t.Fatal(err)
	}
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	spanText := serving.Truncate(time.Second).Add(-time.Duration(before)*time.Minute).In(shanghai).Format("2006-01-02 15:04:05") + " – " +
		ended.Truncate(time.Second).Add(time.Duration(after)*time.Minute).In(shanghai).Format("2006-01-02 15:04:05")
	record := "/queue/tickets/" + strconv.FormatInt(tk.ID, 10) + "/record"

	sup := NewBrowser(t, app.URL)
	sup.Login("supervisor", demo.Password)
	sup.Open(record)
	sup.ExpectTextContains(`[data-testid="ticket-record"]`, tk.No)
	sup.ExpectTextContains(`[data-testid="ticket-record"]`, "已办结")
	sup.ClickAndWait(`[data-testid="ticket-camera"]`)
	sup.ExpectPath("/cameras/recording")
	sup.ExpectTextContains(`[data-testid="camera-list"]`, spanText)
	sup.ClickAndWait(`[data-testid="camera-open"]`)
	sup.ExpectText(`[data-testid="camera-span"]`, spanText)
	sup.Open("/cameras/views")
	sup.ExpectTextContains(`[data-testid="camera-views"]`, tk.No)

	cb := NewBrowser(t, app.URL)
	cb.Login("clerk", demo.Password)
	cb.Open(record)
	cb.ExpectTextContains(`[data-testid="ticket-record"]`, tk.No)
	cb.ExpectAbsent(`[data-testid="ticket-camera"]`)
}
