package web_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	pngenc "image/png"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"onestop/internal/applicants"
	"onestop/internal/catalogue"
	"onestop/internal/demo"
	"onestop/internal/org"
	"onestop/internal/web"
)

// The scope matrix: the role × route matrix (access_test.go) says which
// roles reach a route; this one says which RECORDS each of them reaches
// through it. Every route with a path value ({no}, {code}, {key}, …) is
// tried by every role the role matrix lets in, with real records inside
// and outside that role's scope, written here from the rules (docs/DOMAIN.md
// §1; cases.Actor.sees; org.Actor.SeesDepartmentAt):
//
//   - cases: the county hall's admin, supervisors and leaders see all; a
//     township's admin the cases at their centre; a window clerk their
//     department's at their own centre; reviewers, approvers and the
//     department admin their department's at every centre;
//   - windows: the same, by the window's department and centre;
//   - staff: a township admin their centre's, a department admin their
//     department's;
//   - writes: a township admin their own centre and its windows, a
//     department admin their own department and its items;
//   - an applicant their own cases only.
//
// Inside scope, 403/404 (or being sent to sign in) is a failure; outside,
// anything but 403/404 is. Writes inside scope carry a stale version or an
// empty form, so they pass the scope check and change nothing (retiring is
// idempotent and runs last, on records made for it).

// scopeKind says which records fill a route's path values.
type scopeKind string

const (
	kCase       scopeKind = "case"       // {no} (+ {sha}, {kind}, {action}) of a staff-visible case
	kMyCase     scopeKind = "mycase"     // {no} of an applicant's own case
	kItem       scopeKind = "item"       // {code} of an item; writes by its department
	kPublic     scopeKind = "public"     // {code} of a published item: everyone's
	kComposite  scopeKind = "composite"  // {code} of a composite item: everyone's
	kApply      scopeKind = "apply"      // {code} of an item an applicant applies for online
	kRegion     scopeKind = "region"     // {key}: a region; every member of staff reads, the hall's admin writes
	kCentre     scopeKind = "centre"     // {key}: a centre
	kDepartment scopeKind = "department" // {key}: a department
	kWindow     scopeKind = "window"     // {key}: a window
	kStaff      scopeKind = "staff"      // {key}: a member of staff
	kOrder      scopeKind = "order"      // {id} (+ {action}) of a correction order, by its department and county
	kEnquiry    scopeKind = "enquiry"    // {no} (+ {action}) of a consultation, complaint or help request (voice_test.go)
	kAssessment scopeKind = "assessment" // {id} of an assessment, by its centre (assessments_test.go)
	// kNone: no record of anyone's scope is named (a calendar year, which
	// only the hall's admin edits; an application form that is a page
	// for everyone). Listed so a new route must be classified.
	kNone scopeKind = "none"
)

// scopeRoutes classifies every route with a path value. Written by hand:
// TestScopeMatrix fails for a route of the router missing here.
var scopeRoutes = map[string]scopeKind{
	"GET /cases/{no}":                          kCase,
	"POST /cases/{no}/actions/{action}":        kCase,
	"GET /cases/{no}/files/{sha}":              kCase,
	"GET /cases/{no}/documents/{kind}":         kCase,
	"GET /api/v1/cases/{no}":                   kCase,
	"POST /api/v1/cases/{no}/actions/{action}": kCase,
	"GET /my/cases/{no}":                       kMyCase,
	"POST /my/cases/{no}/resubmit":             kMyCase,
	"POST /my/cases/{no}/withdraw":             kMyCase,
	"GET /my/cases/{no}/files/{sha}":           kMyCase,
	"GET /my/cases/{no}/documents/{kind}":      kMyCase,
	"GET /apply/{code}":                        kApply,
	"POST /apply/{code}":                       kNone,
	"PUT /api/v1/calendar/years/{year}":        kNone,
	"GET /guide/items/{code}":                  kPublic,
	"GET /guide/items/{code}/print":            kPublic,
	"GET /guide/items/{code}/qr.png":           kPublic,
	"GET /guide/items/{code}/versions":         kPublic,
	"GET /api/v1/items/{code}":                 kPublic,
	"GET /api/v1/items/{code}/versions":        kPublic,
	"GET /api/v1/composites/{code}":            kComposite,
	"GET /admin/items/{code}":                  kItem,
	"POST /admin/items/{code}":                 kItem,
	"POST /admin/items/{code}/status":          kItem,
	"GET /admin/items/{code}/versions":         kItem,
	"PUT /api/v1/items/{code}":                 kItem,
	"POST /api/v1/items/{code}/status":         kItem,
	// Applicants are one registry every window serves (a citizen may go to
	// any window), so any clerk may send a set-up code to the phone on
	// file; only window staff may (TestWindowSetsUpOnlineAccount).
	"POST /applicants/{id}/online":                kNone,
	"POST /api/v1/applicants/{id}/online-account": kNone,
	// One's own tokens only: another person's id answers 404, tested in
	// TestTokensListRevokeExpire.
	"POST /account/tokens/{id}/revoke": kNone,
}

func init() {
	for name, k := range map[string]scopeKind{"regions": kRegion, "centres": kCentre, "departments": kDepartment, "windows": kWindow, "staff": kStaff} {
		for _, p := range []string{"GET /admin/%s/{key}", "POST /admin/%s/{key}", "POST /admin/%s/{key}/retire",
			"GET /api/v1/%s/{key}", "PUT /api/v1/%s/{key}", "POST /api/v1/%s/{key}/retire"} {
			scopeRoutes[fmt.Sprintf(p, name)] = k
		}
	}
}

// scopeCase is one case made for the matrix: where it is and its file.
type scopeCase struct{ no, sha string }

// scopeFixture holds the records: four cases of two departments at two
// centres, a case of another applicant, and ids of windows and staff.
type scopeFixture struct {
	*caseFixture
	cases            map[string]scopeCase // "FGJ@hall", "FGJ@t2", "MZJ@hall", "MZJ@t2", "other"
	hall, t2, t3     int64                // centres: the county hall, the township admin's, another township
	fgj, mzj         int64                // departments: the clerk's (FGJ), the township clerk's (MZJ)
	winFGJ, winMZJ   int64                // windows at the hall
	winT2            int64                // the township clerk's window
	stFGJ, stMZJ     int64                // staff: the hall clerk (FGJ), the township clerk (MZJ@t2)
	itemFGJ, itemMZJ string               // items of each department
	composite        string               // a composite of both
	retirable        map[string]int64     // per user: a member of staff made for them to retire
}

func newScopeFixture(t *testing.T) *scopeFixture {
	cf := newCaseFixture(t)
	sf := &scopeFixture{caseFixture: cf, cases: map[string]scopeCase{}, retirable: map[string]int64{}}
	ctx := context.Background()
	sf.hall = cf.idOf(`SELECT centre_id FROM staff WHERE username = 'clerk'`)
	sf.t2 = cf.idOf(`SELECT centre_id FROM staff WHERE username = 'tclerk'`)
	sf.t3 = cf.idOf(`SELECT MIN(id) FROM centres WHERE kind = 'township' AND id <> $1`, sf.t2)
	sf.fgj = cf.idOf(`SELECT department_id FROM staff WHERE username = 'clerk'`)
	sf.mzj = cf.idOf(`SELECT department_id FROM staff WHERE username = 'tclerk'`)
	sf.winFGJ = cf.idOf(`SELECT window_id FROM staff WHERE username = 'clerk'`)
	sf.winT2 = cf.idOf(`SELECT window_id FROM staff WHERE username = 'tclerk'`)
	sf.winMZJ = cf.idOf(`SELECT MIN(id) FROM windows WHERE centre_id = $1 AND department_id = $2`, sf.hall, sf.mzj)
	sf.stFGJ = cf.idOf(`SELECT id FROM staff WHERE username = 'clerk'`)
	sf.stMZJ = cf.idOf(`SELECT id FROM staff WHERE username = 'tclerk'`)
	if sf.hall == sf.t2 || sf.fgj == sf.mzj || sf.t3 == 0 || sf.winMZJ == 0 {
		t.Fatal("the demo county lacks what the scope matrix needs")
	}

	// Items of both departments, offered at the hall and in townships.
	admin, err := cf.srv.Org.StaffByUsername(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	adminActor := admin.Actor("192.0.2.1")
	cat := &catalogue.Service{DB: cf.db, Now: cf.clock}
	for code, dept := range map[string]int64{"S-FGJ-001": sf.fgj, "S-MZJ-001": sf.mzj} {
		c := catalogue.Content{Name: "范围测试" + code, Type: "licensing", DepartmentID: dept, Audience: "both", LegalBasis: "《中华人民共和国行政许可法》第十二条",
			StatutoryDays: 20, PromisedDays: 5, Visits: 1, Online: true, AtHall: true, AtTownship: true,
			Materials: []catalogue.Material{{Name: "申请表", Required: true, Form: "original", Copies: 1}}, Steps: catalogue.DefaultSteps(5)}
		if _, err := cat.Create(ctx, adminActor, code, c, ""); err != nil {
			t.Fatalf("item %s: %v", code, err)
		}
	}
	sf.itemFGJ, sf.itemMZJ = "S-FGJ-001", "S-MZJ-001"
	res, out := cf.login("admin").api("POST", "/api/v1/composites", fmt.Sprintf(`{"code":"S-CP-001","name":"范围测试并联","lead_department_id":%d,
		"statutory_days":20,"promised_days":10,"item_codes":["S-FGJ-001","S-MZJ-001"]}`, sf.fgj))
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("composite: %d %v", res.StatusCode, out)
	}
	sf.composite = "S-CP-001"

	// A clerk for each (department, centre): the demo has the hall clerk
	// (FGJ) and the township clerk (MZJ); the other two are found or made.
	mzjHall := cf.text(`SELECT username FROM staff WHERE role = 'clerk' AND department_id = $1 AND centre_id = $2 AND retired_at IS NULL ORDER BY id LIMIT 1`, sf.mzj, sf.hall)
	fgjT2 := sf.makeStaff(t, adminActor, "scope.fgj.t2", org.Clerk, sf.t2, sf.fgj)
	other := sf.registerApplicant(t, "110105198001010091")
	for key, who := range map[string]string{"FGJ@hall": "clerk", "FGJ@t2": fgjT2, "MZJ@hall": mzjHall, "MZJ@t2": "tclerk", "other": "clerk"} {
		item, app := sf.itemFGJ, cf.app.ID
		if strings.HasPrefix(key, "MZJ") {
			item = sf.itemMZJ
		}
		if key == "other" {
			app = other
		}
		sf.cases[key] = sf.submit(t, cf.login(who), item, app)
	}
	// Members of staff for each admin to retire, inside their scope.
	sf.retirable["admin"] = sf.makeStaffID(t, adminActor, "scope.r.admin", org.Clerk, sf.hall, sf.mzj)
	sf.retirable["township"] = sf.makeStaffID(t, adminActor, "scope.r.township", org.Clerk, sf.t2, sf.mzj)
	sf.retirable["deptadmin"] = sf.makeStaffID(t, adminActor, "scope.r.deptadmin", org.Clerk, sf.hall, sf.fgj)
	return sf
}

func (sf *scopeFixture) makeStaffID(t *testing.T, a org.Actor, username string, role org.Role, centre, dept int64) int64 {
	t.Helper()
	st, err := sf.srv.Org.CreateStaff(context.Background(), a, org.StaffInput{Username: username, Name: "范围测试", Role: role,
		CentreID: centre, DepartmentID: dept, Password: demo.Password})
	if err != nil {
		t.Fatalf("staff %s: %v", username, err)
	}
	// Signed in by the test, not by a person: no first-login change.
	if _, err := sf.db.W.ExecContext(context.Background(), `UPDATE staff SET must_change_password = FALSE WHERE id = $1`, st.ID); err != nil {
		t.Fatal(err)
	}
	return st.ID
}

func (sf *scopeFixture) makeStaff(t *testing.T, a org.Actor, username string, role org.Role, centre, dept int64) string {
	sf.makeStaffID(t, a, username, role, centre, dept)
	return username
}

func (sf *scopeFixture) registerApplicant(t *testing.T, number string) int64 {
	t.Helper()
	as := &applicants.Service{DB: sf.db, Now: sf.clock}
	a, err := as.Register(context.Background(), applicants.Input{Kind: "citizen", IDNumber: number, Name: "李四", Phone: "13900139000", Password: appPassword}, true)
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}

// submit receives a case at the clerk's window with its form as an
// uploaded scan, so the case has a file to ask for.
func (sf *scopeFixture) submit(t *testing.T, clerk *client, item string, applicant int64) scopeCase {
	t.Helper()
	var png bytes.Buffer
	if err := pngenc.Encode(&png, image.NewRGBA(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	res, ref := uploadAPI(clerk, "申请表.png", png.Bytes())
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %d %v", res.StatusCode, ref)
	}
	body := fmt.Sprintf(`{"item_code":%q,"applicant_id":%d,"materials":[{"seq":1,"file":{"sha256":%q,"name":%q,"type":%q,"size":%v}}]}`,
		item, applicant, ref["sha256"], ref["name"], ref["type"], ref["size"])
	res, out := clerk.api("POST", "/api/v1/cases", body)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("submit %s: %d %v", item, res.StatusCode, out)
	}
	return scopeCase{no: out["no"].(string), sha: ref["sha256"].(string)}
}

// split returns the records inside and outside user's scope for a kind
// and whether the request writes.
func (sf *scopeFixture) split(kind scopeKind, user string, write bool) (in, out []string) {
	id := func(ids ...int64) []string {
		var s []string
		for _, x := range ids {
			s = append(s, fmt.Sprint(x))
		}
		return s
	}
	countyWide := user == "admin" || user == "supervisor" || user == "leader"
	switch kind {
	case kCase:
		var ins, outs []string
		for key, c := range sf.cases {
			if key == "other" {
				continue
			}
			dept, at, _ := strings.Cut(key, "@")
			var sees bool
			switch user {
			case "admin", "supervisor", "leader":
				sees = true
			case "township":
				sees = at == "t2"
			case "clerk":
				// The department's window at the hall also holds what its
				// townships accepted: it completes them (docs/DOMAIN.md §17).
				sees = dept == "FGJ"
			case "tclerk":
				sees = dept == "MZJ" && at == "t2"
			case "reviewer", "approver", "deptadmin":
				sees = dept == "FGJ"
			}
			if sees {
				ins = append(ins, c.no)
			} else {
				outs = append(outs, c.no)
			}
		}
		return ins, outs
	case kMyCase:
		return []string{sf.cases["FGJ@hall"].no}, []string{sf.cases["other"].no}
	case kOrder:
		return sf.orderSplit(user)
	case kEnquiry:
		return sf.enquirySplit(user)
	case kAssessment:
		return sf.assessmentSplit(user)
	case kDiscReport, kDiscAppeal, kDiscPublic:
		return sf.disclosureSplit(kind, user, write)
	case kPublic, kApply:
		return []string{sf.itemFGJ, sf.itemMZJ}, nil
	case kComposite:
		return []string{sf.composite}, nil
	case kItem:
		if write && user == "deptadmin" {
			return []string{sf.itemFGJ}, []string{sf.itemMZJ}
		}
		return []string{sf.itemFGJ, sf.itemMZJ}, nil
	case kRegion:
		return []string{"431022"}, nil
	case kCentre:
		if write && user == "township" {
			return id(sf.t2), id(sf.hall, sf.t3)
		}
		return id(sf.hall, sf.t2, sf.t3), nil
	case kDepartment:
		if write && user == "deptadmin" {
			return id(sf.fgj), id(sf.mzj)
		}
		return id(sf.fgj, sf.mzj), nil
	case kWindow:
		switch {
		case countyWide:
			return id(sf.winFGJ, sf.winMZJ, sf.winT2), nil
		case user == "township" || user == "tclerk":
			return id(sf.winT2), id(sf.winFGJ, sf.winMZJ)
		default: // the hall's FGJ clerk, reviewer, approver, department admin
			return id(sf.winFGJ), id(sf.winMZJ, sf.winT2)
		}
	case kStaff:
		switch {
		case countyWide:
			return id(sf.stFGJ, sf.stMZJ), nil
		case user == "township":
			return id(sf.stMZJ), id(sf.stFGJ)
		case user == "deptadmin":
			return id(sf.stFGJ), id(sf.stMZJ)
		}
	}
	return nil, nil
}

// fill puts a record's key into a route's path.
func (sf *scopeFixture) fill(pattern, key string) string {
	_, path, _ := strings.Cut(pattern, " ")
	path = strings.NewReplacer("{no}", key, "{code}", key, "{key}", key, "{id}", key, "{kind}", "receipt", "{action}", "accept").Replace(path)
	if strings.Contains(path, "{sha}") {
		for _, c := range sf.cases {
			if c.no == key {
				path = strings.Replace(path, "{sha}", c.sha, 1)
			}
		}
	}
	return path
}

// send makes the request. A write to a case carries a stale version, any
// other write nothing but the department (so an item form is not refused
// for naming none): inside scope it is refused as stale or invalid, and
// changes nothing.
func (sf *scopeFixture) send(c *client, kind scopeKind, pattern, path string) (int, string) {
	method, _, _ := strings.Cut(pattern, " ")
	body, form := `{}`, url.Values{"department_id": {fmt.Sprint(sf.fgj)}}
	if kind == kCase || kind == kMyCase || kind == kOrder || kind == kEnquiry {
		body, form = `{"version":999999}`, url.Values{"version": {"999999"}}
	}
	var res *http.Response
	switch {
	case method == http.MethodGet && strings.HasPrefix(path, "/api/"):
		res, _ = c.api(method, path, "")
	case method == http.MethodGet:
		res, _ = c.get(path)
	case strings.HasPrefix(path, "/api/"):
		res, _ = c.api(method, path, body)
	default:
		res, _ = c.post(path, form)
	}
	return res.StatusCode, res.Header.Get("Location")
}

func TestScopeMatrix(t *testing.T) {
	sf := newScopeFixture(t)
	routes := sf.srv.Routes()
	for _, r := range routes {
		if strings.Contains(r.Pattern, "{") && !strings.Contains(r.Pattern, "{$}") && !strings.HasPrefix(r.Pattern, "GET /static/") {
			if _, ok := scopeRoutes[r.Pattern]; !ok {
				t.Errorf("route %q has a path value but no entry in the scope matrix: add it", r.Pattern)
			}
		}
	}
	for p := range scopeRoutes {
		if !slices.ContainsFunc(routes, func(r web.RouteT) bool { return r.Pattern == p }) {
			t.Errorf("scope matrix names %q, which is no route", p)
		}
	}
	clients := map[string]*client{}
	as := func(u string) *client {
		if clients[u] == nil {
			switch u {
			case "":
				clients[u] = sf.anon()
			case "applicant":
				clients[u] = sf.applicant()
			default:
				clients[u] = sf.login(u)
			}
		}
		return clients[u]
	}
	tried := 0
	var retires []string
	for _, r := range routes {
		kind, ok := scopeRoutes[r.Pattern]
		if !ok || kind == kNone {
			continue
		}
		if strings.HasSuffix(r.Pattern, "/retire") {
			retires = append(retires, r.Pattern)
			continue
		}
		tried += sf.checkRoute(t, as, r.Pattern, kind)
	}
	for _, p := range retires { // last: retiring changes the record
		tried += sf.checkRoute(t, as, p, scopeRoutes[p])
	}
	if tried < 300 {
		t.Fatalf("only %d requests tried", tried)
	}
}

// checkRoute tries one route for every role the role matrix admits.
func (sf *scopeFixture) checkRoute(t *testing.T, as func(string) *client, pattern string, kind scopeKind) int {
	t.Helper()
	method, _, _ := strings.Cut(pattern, " ")
	write := method != http.MethodGet
	who := expected[pattern]
	if kind == kMyCase || kind == kApply {
		who = []string{"applicant"}
	}
	n := 0
	for _, u := range who {
		if u == "" && kind != kPublic {
			continue // a visitor reaches no record; the role matrix checks that
		}
		in, out := sf.split(kind, u, write)
		if strings.HasSuffix(pattern, "/retire") {
			in = sf.retireTargets(kind, u, in)
		}
		if len(in) == 0 {
			t.Errorf("%s as %q: the matrix has no record in scope to try", pattern, u)
		}
		c := as(u)
		for _, key := range out {
			n++
			path := sf.fill(pattern, key)
			if st, loc := sf.send(c, kind, pattern, path); st != http.StatusNotFound && st != http.StatusForbidden {
				t.Errorf("%s as %q: %s is outside their scope but answered %d %s", pattern, u, path, st, loc)
			}
		}
		for _, key := range in {
			n++
			path := sf.fill(pattern, key)
			st, loc := sf.send(c, kind, pattern, path)
			if st == http.StatusNotFound || st == http.StatusForbidden || st == http.StatusUnauthorized || st >= 500 ||
				(st == http.StatusSeeOther && (strings.HasPrefix(loc, "/login") || strings.HasPrefix(loc, "/signin"))) {
				t.Errorf("%s as %q: %s is inside their scope but answered %d %s", pattern, u, path, st, loc)
			}
		}
	}
	return n
}

// retireTargets: what a user may retire without breaking the rest of the
// run. Staff are made for it; windows, centres, departments and regions
// in use answer "in use" (409) or are retired last of all.
func (sf *scopeFixture) retireTargets(kind scopeKind, user string, in []string) []string {
	if kind == kStaff {
		if id := sf.retirable[user]; id != 0 {
			return []string{fmt.Sprint(id)}
		}
	}
	return in
}

// TestScopeOfListings: the listings answer the same scope as a single
// read — a record a role may not open by its key is not in its lists
// either, and every record it may open is.
func TestScopeOfListings(t *testing.T) {
	sf := newScopeFixture(t)
	lists := []struct {
		kind  scopeKind
		api   string // the listing, JSON
		page  string // the same as a page
		field string // the key of an item of the JSON list
	}{
		{kCase, "/api/v1/cases?all=1&limit=200", "/workbench?all=1&limit=200", "no"},
		{kWindow, "/api/v1/windows?limit=1000", "/admin/windows?limit=1000", "id"},
		{kStaff, "/api/v1/staff?limit=1000", "/admin/staff?limit=1000", "id"},
	}
	tried := 0
	for _, l := range lists {
		pattern := "GET " + strings.SplitN(l.api, "?", 2)[0]
		for _, u := range expected[pattern] {
			if u == "" {
				continue
			}
			c := sf.login(u)
			in, out := sf.split(l.kind, u, false)
			res, body := c.api("GET", l.api, "")
			if res.StatusCode != http.StatusOK {
				t.Errorf("%s as %q: %d", l.api, u, res.StatusCode)
				continue
			}
			got := map[string]bool{}
			items, _ := body["items"].([]any)
			for _, it := range items {
				m, _ := it.(map[string]any)
				got[fmt.Sprint(m[l.field])] = true
			}
			_, page := c.get(l.page)
			for _, k := range in {
				tried++
				if !got[k] {
					t.Errorf("%s as %q: %s is in their scope but not listed", l.api, u, k)
				}
			}
			for _, k := range out {
				tried++
				if got[k] {
					t.Errorf("%s as %q: %s is outside their scope but listed", l.api, u, k)
				}
				if l.kind == kCase && strings.Contains(page, k) {
					t.Errorf("%s as %q: %s is outside their scope but on the page", l.page, u, k)
				}
			}
		}
	}
	if tried < 40 {
		t.Fatalf("only %d checks", tried)
	}
}
