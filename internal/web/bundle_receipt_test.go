package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"onestop/internal/applicants"
	"onestop/internal/bundles"
	"onestop/internal/cases"
)

func init() {
	expected["GET /bundles/{no}/receipt"] = signedIn
	expected["GET /my/bundles/{no}/receipt"] = public
	scopeRoutes["GET /my/bundles/{no}/receipt"] = kNone
	// Who reads which bundle is bundles.Service.Get's, tested below and
	// in internal/bundles; the scope fixture holds no bundle.
	scopeRoutes["GET /bundles/{no}/receipt"] = kNone
}

// The combined receipt (受理回执) of issue 14 §1: after the one
// acceptance it names every part, its department and promised time, and
// the bundle's promised time; before it there is nothing to print, and
// a department outside the bundle cannot read it.
func TestBundleReceipt(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	as := &applicants.Service{DB: f.db, Now: f.srv.Now}
	app, err := as.Register(ctx, applicants.Input{Kind: "organisation", IDNumber: coNumber, Name: "宜章县建新制造有限公司", ContactName: "李建新",
		Phone: "13800138001", Password: coPassword, ConfirmCheck: true}, true)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.srv.Org.StaffByUsername(ctx, "zjj.clerk1")
	if err != nil {
		t.Fatal(err)
	}
	clerk := st.Actor("192.0.2.9")
	comp, err := f.srv.Catalogue.Composite(ctx, "BL-005")
	if err != nil {
		t.Fatal(err)
	}
	var all []int
	for _, m := range bundles.SharedMaterials(comp) {
		all = append(all, m.Seq)
	}
	b, err := f.srv.Bundles.Submit(ctx, cases.StaffActor(clerk), bundles.SubmitInput{CompositeCode: "BL-005", ApplicantID: app.ID, Received: all})
	if err != nil {
		t.Fatal(err)
	}
	lead := f.login("zjj.clerk1")
	if res, _ := lead.get("/bundles/" + b.No + "/receipt"); res.StatusCode != http.StatusConflict {
		t.Errorf("receipt before acceptance: %d", res.StatusCode)
	}
	if b, err = f.srv.Bundles.Accept(ctx, clerk, b.No, bundles.AcceptInput{}); err != nil {
		t.Fatal(err)
	}
	res, body := lead.get("/bundles/" + b.No + "/receipt")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("receipt: %d", res.StatusCode)
	}
	if n := strings.Count(body, `data-testid="receipt-part"`); n != 3 {
		t.Errorf("receipt lists %d parts, want 3", n)
	}
	for _, p := range b.Parts {
		if !strings.Contains(body, p.No) || !strings.Contains(body, p.Department) || !strings.Contains(body, p.ItemName) {
			t.Errorf("receipt misses part %s (%s, %s)", p.No, p.ItemName, p.Department)
		}
		if p.PromisedDays > b.PromisedDays {
			t.Errorf("part %s promises %d days, the bundle %d", p.No, p.PromisedDays, b.PromisedDays)
		}
	}
	// The bundle's promised limit and day, as its page states them.
	_, page := lead.get("/bundles/" + b.No)
	promised := strings.TrimPrefix(between(body, `data-testid="receipt-promised">`, "</dd>"), `data-testid="receipt-promised">`)
	onPage := strings.TrimPrefix(between(page, `data-testid="bundle-promised">`, "</dd>"), `data-testid="bundle-promised">`)
	if b.Deadline == nil || !strings.Contains(body, `data-testid="receipt-promised"`) || promised != onPage {
		t.Errorf("receipt's promised time %q, the bundle page's %q", promised, onPage)
	}
	if !strings.Contains(page, `href="/bundles/`+b.No+`/receipt"`) {
		t.Errorf("bundle page does not link its receipt")
	}
	// A department outside the bundle, an unknown number, a visitor.
	if res, _ := f.login("gaj.reviewer").get("/bundles/" + b.No + "/receipt"); res.StatusCode != http.StatusNotFound {
		t.Errorf("non-participant reads the receipt: %d", res.StatusCode)
	}
	if res, _ := lead.get("/bundles/" + strings.Repeat("9", 200) + "/receipt"); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown bundle: %d", res.StatusCode)
	}
	if res, body := f.anon().get("/bundles/" + b.No + "/receipt"); res.StatusCode != http.StatusSeeOther || strings.Contains(body, "receipt-part") {
		t.Errorf("a visitor reads the receipt: %d", res.StatusCode)
	}
	// The applicant prints their own copy from their bundle page: the
	// same parts and promised time.
	if res, body := f.anon().get("/my/bundles/" + b.No + "/receipt"); res.StatusCode != http.StatusSeeOther || strings.Contains(body, "receipt-part") {
		t.Errorf("a visitor reads the applicant's copy: %d", res.StatusCode)
	}
	co := f.anon()
	co.get("/signin")
	if res, _ := co.post("/signin", url.Values{"id_number": {coNumber}, "password": {coPassword}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("applicant sign-in: %d", res.StatusCode)
	}
	if _, mine := co.get("/my/bundles/" + b.No); !strings.Contains(mine, `href="/my/bundles/`+b.No+`/receipt"`) {
		t.Errorf("the applicant's bundle page does not link their receipt")
	}
	res, mine := co.get("/my/bundles/" + b.No + "/receipt")
	if res.StatusCode != http.StatusOK || strings.Count(mine, `data-testid="receipt-part"`) != 3 ||
		strings.TrimPrefix(between(mine, `data-testid="receipt-promised">`, "</dd>"), `data-testid="receipt-promised">`) != promised {
		t.Errorf("the applicant's copy: %d, parts %d", res.StatusCode, strings.Count(mine, `data-testid="receipt-part"`))
	}
	// Another applicant's guess at the number reads as no such bundle.
	if _, err := as.Register(ctx, applicants.Input{Kind: "citizen", IDNumber: "110105198001010091", Name: "王五", Phone: "13800138002",
		Password: coPassword, ConfirmCheck: true}, true); err != nil {
		t.Fatal(err)
	}
	other := f.anon()
	other.get("/signin")
	if res, _ := other.post("/signin", url.Values{"id_number": {"110105198001010091"}, "password": {coPassword}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("other applicant sign-in: %d", res.StatusCode)
	}
	if res, body := other.get("/my/bundles/" + b.No + "/receipt"); res.StatusCode != http.StatusNotFound || strings.Contains(body, "receipt-part") {
		t.Errorf("another applicant reads the receipt: %d", res.StatusCode)
	}
}
