package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"onestop/internal/catalogue"
)

// townshipItem adds a civil-affairs item (tclerk's department) that the
// township centres accept, with one review and one sign-off.
func (cf *caseFixture) townshipItem() {
	cf.t.Helper()
	ctx := context.Background()
	admin, err := cf.srv.Org.StaffByUsername(ctx, "admin")
	if err != nil {
		cf.t.Fatal(err)
	}
	tclerk, err := cf.srv.Org.StaffByUsername(ctx, "tclerk")
	if err != nil {
		cf.t.Fatal(err)
	}
	cat := &catalogue.Service{DB: cf.db, Now: cf.clock}
	if _, err := cat.Create(ctx, admin.Actor("192.0.2.1"), "T-TWN", catalogue.Content{Name: "测试乡镇代办事项", Type: "public_service",
		DepartmentID: tclerk.DepartmentID, Audience: "citizen", LegalBasis: "《社会救助暂行办法》第十一条", StatutoryDays: 20, PromisedDays: 5,
		Visits: 1, AtHall: true, AtTownship: true, Materials: []catalogue.Material{{Name: "申请书", Required: true, Form: "original", Copies: 1}},
		Steps: catalogue.DefaultSteps(5)}, ""); err != nil {
		cf.t.Fatal(err)
	}
}

// The township's intake asks where the result is collected (the hall's
// does not); a pick-up place outside the menu, however long, is a field
// error that opens nothing; the intake POST needs its CSRF token; and a
// villager who chose the county hall is handed the result there, by the
// county's window and not by the township's.
func TestTownshipIntakePickupAndHandOver(t *testing.T) {
	cf := newCaseFixture(t)
	cf.townshipItem()
	tc := cf.login("tclerk")
	if _, page := tc.get("/workbench/intake?id_number=" + appNumber + "&item=T-TWN"); !strings.Contains(page, `data-testid="intake-pickup"`) {
		t.Fatal("the township's intake does not ask where the result is collected")
	}
	if _, page := cf.login("clerk").get("/workbench/intake?id_number=" + appNumber + "&item=T-001"); strings.Contains(page, `data-testid="intake-pickup"`) {
		t.Fatal("the hall's intake asks for a pick-up place")
	}
	count := func() int64 { return cf.idOf(`SELECT COUNT(*) FROM cases`) }
	before := count()
	tc.get("/workbench/intake")
	form := url.Values{"id_number": {appNumber}, "item": {"T-TWN"}, "m1_paper": {"on"}, "pickup": {strings.Repeat("县", 50000)}}
	if res, body := tc.post("/workbench/intake", form); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-pickup"`) {
		t.Fatalf("a 50,000-character pick-up place: %d", res.StatusCode)
	}
	form.Set("pickup", "hall")
	form.Set("csrf_token", "")
	if res, _ := tc.post("/workbench/intake", form); res.StatusCode != http.StatusForbidden {
		t.Fatalf("intake without its CSRF token: %d", res.StatusCode)
	}
	if count() != before {
		t.Fatal("a refused intake opened a case")
	}
	form.Del("csrf_token")
	res, body := tc.post("/workbench/intake", form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("intake with the hall as pick-up place: %d %s", res.StatusCode, problemOf(body))
	}
	no, _, _ := strings.Cut(strings.TrimPrefix(res.Header.Get("Location"), "/cases/"), "?")
	hall := cf.idOf(`SELECT centre_id FROM staff WHERE username = 'mzj.clerk1'`)
	if got := cf.idOf(`SELECT pickup_centre_id FROM cases WHERE no = $1`, no); got != hall {
		t.Fatalf("pick-up centre %d, want the hall %d", got, hall)
	}
	var hallName string
	if err := cf.db.R.QueryRow(`SELECT name FROM centres WHERE id = $1`, hall).Scan(&hallName); err != nil {
		t.Fatal(err)
	}
	if page, _ := cf.casePage(tc, no); !strings.Contains(page, `data-testid="case-pickup">`+hallName) {
		t.Fatal("the case page does not name the hall as the pick-up place")
	}
	cf.mustAct(tc, no, "accept", nil)
	cf.mustAct(cf.login("mzj.reviewer"), no, "forward", url.Values{"opinion": {"材料齐全。"}})
	cf.mustAct(cf.login("mzj.approver"), no, "approve", url.Values{"opinion": {"准予。"}})
	county := cf.login("mzj.clerk1")
	if res, _ := cf.act(tc, no, "complete", nil); res.StatusCode != http.StatusForbidden {
		t.Fatalf("the township completes the county's decision: %d", res.StatusCode)
	}
	cf.mustAct(county, no, "complete", nil)
	if res, _ := cf.act(tc, no, "deliver", url.Values{"delivery": {"window"}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("the township hands over a result collected at the hall: %d", res.StatusCode)
	}
	cf.mustAct(county, no, "deliver", url.Values{"delivery": {"window"}})
	if st := cf.idOf(`SELECT COUNT(*) FROM cases WHERE no = $1 AND state = 'delivered'`, no); st != 1 {
		t.Fatal("not delivered at the hall")
	}
}
