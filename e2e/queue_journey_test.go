package e2e

import (
	"context"
	"testing"
	"time"

	"onestop/internal/demo"
)

// Issue 15's third journey: a citizen takes a number at the hall's kiosk
// and sees how many are ahead; the clerk calls it from the workbench; the
// hall screen, open in another browser, shows the waiting count and then
// the call without reloading.
func TestCitizenTakesTicketAndIsCalled(t *testing.T) {
	t.Parallel()
	app, kiosk := Start(t)
	// No periodic re-read: the screen moves only when the queue says it
	// changed.
	app.Server.QueueHub.Tick = time.Hour
	ctx := context.Background()
	var hall, window string
	if err := app.DB.R.QueryRowContext(ctx, `SELECT code FROM centres WHERE kind = 'hall'`).Scan(&hall); err != nil {
		t.Fatal(err)
	}
	if err := app.DB.R.QueryRowContext(ctx, `SELECT w.number FROM staff s JOIN windows w ON w.id = s.window_id WHERE s.username = 'clerk'`).Scan(&window); err != nil {
		t.Fatal(err)
	}

	screen := NewBrowser(t, app.URL)
	screen.Open("/queue/screen/" + hall)
	screen.WaitVisible(`.screen-status.screen-live`)
	screen.ExpectText(`[data-testid="screen-waiting-E"]`, "0")
	// A mark that a reload would wipe.
	eval[bool](screen, "mark the page", `(window.__stayed = true)`)

	kiosk.Open("/queue/kiosk/" + hall)
	kiosk.ClickAndWait(`[data-testid="kiosk-group-E"]`)
	kiosk.ExpectText(`[data-testid="ticket-no"]`, "E001")
	kiosk.ExpectText(`[data-testid="ticket-ahead"]`, "您前面还有 0 人")
	screen.WaitVisible(`[data-testid="screen-waiting-E"][data-waiting="1"]`)

	clerk := NewBrowser(t, app.URL)
	clerk.Login("clerk", demo.Password)
	clerk.Open("/workbench")
	clerk.ClickAndWait(`[data-testid="queue-next"]`)
	clerk.ExpectTextContains(`[data-testid="queue-current"]`, "E001")

	screen.WaitVisible(`[data-queue-calls] tr[data-testid="screen-call"]`)
	screen.ExpectText(`[data-testid="screen-say"]`, "请 E001 号到 "+window+" 号窗口办理")
	screen.ExpectText(`[data-queue-calls] td.no`, "E001")
	screen.WaitVisible(`[data-testid="screen-waiting-E"][data-waiting="0"]`)
	if !eval[bool](screen, "read the mark", `window.__stayed === true`) {
		screen.Fatalf("the screen was reloaded")
	}
}
