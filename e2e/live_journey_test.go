package e2e

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"onestop/internal/applicants"
	"onestop/internal/cases"
	"onestop/internal/demo"
	"onestop/internal/org"
)

// liveClock is the test server's clock: real time moved by an offset the
// journey sets (a case turns red when the day passes).
type liveClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *liveClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *liveClock) set(d time.Duration) { c.mu.Lock(); c.offset = d; c.mu.Unlock() }

// liveCase starts the server a month in the past, with a fast live
// monitor, and has the clerk receive and accept one case there (through
// the engine, as a window would); it returns the case number.
func liveCase(t *testing.T, app *App, clk *liveClock) string {
	t.Helper()
	clk.set(-30 * 24 * time.Hour)
	app.Server.Now = clk.now
	app.Server.Live.Tick = 300 * time.Millisecond
	app.Server.Live.Settle = 50 * time.Millisecond
	addTestItem(t, app)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	clerk, err := (&org.Service{DB: app.DB, Now: clk.now}).StaffByUsername(ctx, "clerk")
	if err != nil {
		t.Fatal(err)
	}
	a, err := (&applicants.Service{DB: app.DB, Now: clk.now}).Register(ctx, applicants.Input{Kind: "citizen", IDNumber: "11010519491231002X",
		Name: "王小明", Phone: "13800138000", Password: "Citizen2026"}, true)
	if err != nil {
		t.Fatal(err)
	}
	actor := cases.StaffActor(clerk.Actor("127.0.0.1"))
	c, err := app.Server.Cases.Submit(ctx, actor, cases.SubmitInput{ItemCode: "T-901", ApplicantID: a.ID,
		Materials: []cases.MaterialChange{{Seq: 1, Paper: true}, {Seq: 2, Paper: true}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Server.Cases.Act(ctx, actor, c.No, cases.ActAccept, cases.Input{Version: c.Version}); err != nil {
		t.Fatal(err)
	}
	return c.No
}

// A supervisor signs in and lands on the live monitor; while it is open
// the case's due day passes (the server's clock moves a month on) and the
// page shows the case red, and the red count up, without reloading.
func TestLiveMonitorShowsCaseTurnRed(t *testing.T) {
	t.Parallel()
	app, sup := Start(t)
	clk := &liveClock{}
	no := liveCase(t, app, clk)
	watchRed(t, sup, clk, no)
}

// watchRed is the journey's first part, shared with the longer journey.
func watchRed(t *testing.T, sup *Browser, clk *liveClock, no string) {
	t.Helper()
	sup.Login("supervisor", demo.Password)
	sup.ExpectPath("/") // the supervisor's home is the live monitor
	sup.ExpectText("h1", "实时监控")
	row := `[data-live-urgent] tr[data-no="` + no + `"]`
	sup.WaitVisible(row + ` .light-green`)
	sup.ExpectText(`[data-total="red"]`, "0")
	sup.WaitVisible(`.live-status.live-live`)
	// A mark that a reload would wipe.
	eval[bool](sup, "mark the page", `(window.__stayed = true)`)

	clk.set(0)
	sup.WaitVisible(row + ` .light-red`)
	sup.ExpectText(`[data-total="red"]`, "1")
	sup.ExpectText(row+` [data-c="light"]`, "超期")
	if !eval[bool](sup, "read the mark", `window.__stayed === true`) {
		sup.Fatalf("the page was reloaded")
	}
	if sup.Count(`.live-groups tr.has-red`) != 1 {
		sup.Fatalf("the department's row is not marked red")
	}
}

// The hall's display wall: full screen at 1920×1080 without scrolling,
// no navigation, the county's name and a running clock, and live.
func TestDisplayWallFitsTheScreen(t *testing.T) {
	t.Parallel()
	app, wall := Start(t)
	clk := &liveClock{}
	no := liveCase(t, app, clk)
	clk.set(0)
	wall.Login("supervisor", demo.Password)
	wall.do("size the screen", chromedp.EmulateViewport(1920, 1080))
	wall.Open("/supervision/wall")
	wall.ExpectTextContains("h1", "宜章县")
	wall.ExpectAbsent("nav")
	wall.WaitVisible(`.live-status.live-live`)
	wall.WaitVisible(`[data-live-urgent] tr[data-no="` + no + `"] .light-red`)
	first := wall.Text("[data-wall-clock]")
	time.Sleep(1100 * time.Millisecond)
	if next := wall.Text("[data-wall-clock]"); next == first || next == "" {
		wall.Fatalf("the clock does not run: %q then %q", first, next)
	}
	size := eval[[]int](wall, "measure the page", `[document.documentElement.scrollWidth, document.documentElement.scrollHeight]`)
	if size[0] > 1920 || size[1] > 1080 {
		wall.Fatalf("the wall is %d×%d, larger than the screen", size[0], size[1])
	}
	if os.Getenv("LIVE_SHOT") != "" {
		// For a person to look at: LIVE_SHOT=/tmp/wall.png.
		ctx, cancel := wall.step()
		defer cancel()
		if png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot()); err == nil {
			_ = os.WriteFile(os.Getenv("LIVE_SHOT"), png, 0o644)
		}
	}
}

// Issue 12's journey: a supervisor watches a case turn red on the live
// monitor without reloading, issues a correction order on it from its
// row, the department's admin replies, the supervisor accepts (closes)
// the order, and this month's bulletin counts the order.
func TestSupervisorOrdersACorrectionFromTheLiveMonitor(t *testing.T) {
	t.Parallel()
	app, sup := Start(t)
	clk := &liveClock{}
	no := liveCase(t, app, clk)
	watchRed(t, sup, clk, no)

	// The session began a month ago on the server's clock and has idled
	// out since: the supervisor signs in again and is back on the monitor.
	sup.Login("supervisor", demo.Password)
	sup.ExpectPath("/")
	row := `[data-live-urgent] tr[data-no="` + no + `"]`
	sup.WaitVisible(row + ` .light-red`)
	sup.ClickAndWait(row + ` a[data-order]`)
	sup.ExpectPath("/supervision/orders/new")
	sup.WaitVisible("form#order-new")
	sup.ExpectValue("#f-cases", no)
	sup.Fill("#f-instruction", "该件已超过承诺时限，请说明原因并于期限内办结。")
	sup.Submit()
	order := sup.Path()
	if !strings.HasPrefix(order, "/supervision/orders/") {
		sup.Fatalf("after issuing: %s", sup.URL())
	}
	state := func(b *Browser) string {
		return eval[string](b, "read the order's state", `document.querySelector('[data-testid="order-state"]').dataset.state`)
	}
	if s := state(sup); s != "issued" {
		sup.Fatalf("the new order is %q", s)
	}

	// The department's admin replies.
	dept := NewBrowser(t, app.URL)
	dept.Login("deptadmin", demo.Password)
	dept.Open(order)
	dept.Fill("#f-reply", "已联系申请人并加快审查，已于今日作出决定。")
	dept.ClickAndWait(`#order-reply button[value="reply"]`)
	if s := state(dept); s != "replied" {
		dept.Fatalf("after the reply the order is %q", s)
	}
	dept.ExpectAbsent(`#order-step`) // a department only replies

	// The supervisor accepts the reply: the order is closed.
	sup.Open(order)
	sup.ClickAndWait(`#order-step button[value="accept"]`)
	if s := state(sup); s != "accepted" {
		sup.Fatalf("after accepting the order is %q", s)
	}

	// This month's bulletin counts it against the department.
	month := time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01")
	sup.Open("/supervision/bulletin?period=" + month + "&by=department")
	sup.WaitVisible(`[data-testid="bulletin-table"]`)
	orders := eval[string](sup, "read the orders column", `(() => {
		const heads = Array.from(document.querySelectorAll('[data-testid="bulletin-table"] thead th'));
		const i = heads.findIndex(th => th.dataset.col === 'orders');
		const row = Array.from(document.querySelectorAll('[data-testid="bulletin-row"]')).find(tr => tr.querySelector('th').textContent.includes('发展和改革局'));
		if (i < 0 || !row) return 'missing';
		return row.children[i].textContent.trim();
	})()`)
	if orders != "1" {
		sup.Fatalf("the bulletin's orders for the department: %q, want 1", orders)
	}
}
