package e2e

import (
	"context"
	"testing"
	"time"

	"onestop/internal/applicants"
	"onestop/internal/cases"
	"onestop/internal/demo"
	"onestop/internal/org"
)

// The inbox's state column keeps "审查中" on one line even when the table
// is squeezed (it used to wrap one character per line), and the
// supervisor's inbox is titled for what it shows.
func TestInboxStateOnOneLine(t *testing.T) {
	t.Parallel()
	app, sup := Start(t)
	addTestItem(t, app)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	clerk, err := (&org.Service{DB: app.DB, Now: time.Now}).StaffByUsername(ctx, "clerk")
	if err != nil {
		t.Fatal(err)
	}
	a, err := (&applicants.Service{DB: app.DB, Now: time.Now}).Register(ctx, applicants.Input{Kind: "citizen", IDNumber: "11010519491231002X",
		Name: "王小明", Phone: "13800138000", Password: "Citizen2026"}, true)
	if err != nil {
		t.Fatal(err)
	}
	c, err := app.Server.Cases.Submit(ctx, cases.StaffActor(clerk.Actor("127.0.0.1")), cases.SubmitInput{ItemCode: "T-901", ApplicantID: a.ID,
		Materials: []cases.MaterialChange{{Seq: 1, Paper: true}, {Seq: 2, Paper: true}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Server.Cases.Act(ctx, cases.StaffActor(clerk.Actor("127.0.0.1")), c.No, cases.ActAccept, cases.Input{Version: c.Version}); err != nil {
		t.Fatal(err)
	}

	sup.Login("supervisor", demo.Password)
	sup.Open("/workbench?lang=zh-CN")
	sup.ExpectText("h1", "全县在办件")
	sup.WaitVisible(`tr[data-no="` + c.No + `"] td.state`)
	// A narrow screen: the page's main column at 560 px.
	lines := eval[int](sup, "measure the state cell", `(() => {
		document.querySelector('main').style.width = '560px';
		const td = document.querySelector('tr[data-no="`+c.No+`"] td.state');
		const r = document.createRange();
		r.selectNodeContents(td.firstChild);
		return new Set(Array.from(r.getClientRects()).map(x => Math.round(x.top))).size;
	})()`)
	if lines != 1 {
		sup.Fatalf("the state %q takes %d lines", sup.Text(`tr[data-no="`+c.No+`"] td.state`), lines)
	}
}
