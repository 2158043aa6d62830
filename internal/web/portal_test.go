package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"onestop/internal/org"
	"onestop/internal/web"
)

// Who reaches the portal (issue 13 §1, §2): every page is public but the
// notices' administration, which is a centre admin's (the hall's or a
// township's, each for their own centre: TestNoticesAreTheirCentresOwn).
func init() {
	for p, who := range map[string][]string{
		"GET /care":                         public,
		"GET /guide/bundles/{code}":         public,
		"GET /notices":                      public,
		"GET /notices/{id}":                 public,
		"GET /publicity":                    public,
		"GET /api/v1/open/publicity":        public,
		"GET /admin/notices":                centreAdm,
		"GET /admin/notices/new":            centreAdm,
		"POST /admin/notices":               centreAdm,
		"GET /admin/notices/{id}":           centreAdm,
		"POST /admin/notices/{id}":          centreAdm,
		"POST /admin/notices/{id}/{action}": centreAdm,
	} {
		expected[p] = who
	}
	scopeRoutes["GET /guide/bundles/{code}"] = kComposite
	// A published notice is everyone's; the admin routes answer another
	// centre's notice with 404, tested in TestNoticesAreTheirCentresOwn.
	for _, p := range []string{"GET /notices/{id}", "GET /admin/notices/{id}", "POST /admin/notices/{id}", "POST /admin/notices/{id}/{action}"} {
		scopeRoutes[p] = kNone
	}
	for p, params := range map[string][]string{
		"GET /{$}":                   {"for"},
		"GET /care":                  {"on", "next"},
		"GET /notices":               {"limit", "offset"},
		"GET /admin/notices":         {"state", "limit", "offset"},
		"GET /publicity":             {"department", "item", "limit", "offset"},
		"GET /api/v1/open/publicity": {"department", "item", "limit", "offset"},
	} {
		filterParams[p] = params
	}
}

// The home page a county publishes: the hall's name, address, hours and
// phone from the organisation data; one search box; the 个人办事 / 法人办事
// tabs as plain links; themes, items, bundles, notices, bulletin and
// publicity; the links to consult, complain, get help and rate; no footer
// fields when none are configured (the demo's case).
func TestPortalHomeIsACountyPortal(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	halls, _, err := f.srv.Org.Centres(ctx, "hall", org.ListOptions{Limit: 1})
	if err != nil || len(halls) == 0 {
		t.Fatalf("hall: %v", err)
	}
	hall := halls[0]
	c := f.anon()
	res, body := c.get("/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("home: %d", res.StatusCode)
	}
	for _, want := range []string{hall.Name, hall.Address, hall.Hours, hall.Phone, `action="/guide"`, `role="search"`,
		`href="/consult"`, `href="/complain"`, `href="/help"`, `href="/rate"`, `action="/progress"`,
		`href="/?for=person#portal-browse"`, `href="/?for=company#portal-browse"`, `data-testid="portal-themes"`, `data-testid="portal-hot"`,
		`href="/notices"`, `href="/publicity"`, `href="/open/bulletins"`, `<main id="main"`, `<footer`, `<nav`, `<header`, `class="skip" href="#main"`} {
		if !strings.Contains(body, want) {
			t.Errorf("home lacks %q", want)
		}
	}
	// No case yet: the items are the catalogue's own first ones, said so.
	if !strings.Contains(body, "常办事项") || strings.Contains(body, "热门事项") {
		t.Error("without cases the item list is not called 常办事项")
	}
	if strings.Contains(body, `data-testid="site-info"`) || strings.Contains(body, "beian.miit.gov.cn") {
		t.Error("footer fields shown though none is configured")
	}
	// The tabs narrow the themes by audience, without JavaScript.
	_, person := c.get("/?for=person")
	_, company := c.get("/?for=company")
	themes := func(b string) string {
		i := strings.Index(b, `data-testid="portal-themes"`)
		if i < 0 {
			t.Fatalf("no themes")
		}
		return b[i : i+strings.Index(b[i:], "</ul>")]
	}
	if !strings.Contains(themes(company), "theme="+url.QueryEscape("企业开办")) || strings.Contains(themes(company), "theme="+url.QueryEscape("婚姻登记")) {
		t.Errorf("法人办事 themes: %s", themes(company))
	}
	if !strings.Contains(themes(person), "theme="+url.QueryEscape("婚姻登记")) {
		t.Errorf("个人办事 themes: %s", themes(person))
	}
	// Every field of the page is labelled (GB/T 37668).
	for _, m := range regexp.MustCompile(`<input id="([^"]+)"[^>]*>`).FindAllStringSubmatch(body, -1) {
		if !strings.Contains(m[0], `type="hidden"`) && !strings.Contains(body, `for="`+m[1]+`"`) {
			t.Errorf("input #%s has no label", m[1])
		}
	}
}

// The footer's fields come from the --site-* settings, each shown only
// when set; the filings link to the registries, the police one with its
// number.
func TestPortalFooterFieldsFromSettings(t *testing.T) {
	f := newFixtureWith(t, func(c *web.Config) {
		c.Organiser, c.SiteCode, c.ICP, c.PublicSecurityFiling = "示范县人民政府办公室", "4310220001", "湘ICP备12345678号", "湘公网安备 43102202000123号"
	})
	for _, path := range []string{"/", "/guide", "/notices", "/publicity", "/progress"} {
		_, body := f.anon().get(path)
		for _, want := range []string{"示范县人民政府办公室", "4310220001", `href="https://beian.miit.gov.cn/"`, "湘ICP备12345678号",
			`href="https://beian.mps.gov.cn/#/query/webSearch?code=43102202000123"`, "湘公网安备 43102202000123号"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: footer lacks %q", path, want)
			}
		}
		if strings.Contains(body, "portal.footer.contact") || strings.Contains(body, "联系我们") {
			t.Errorf("%s: the contact line shows though it is not set", path)
		}
	}
}

// The care mode (关怀版) is one link away on every public page, works
// without JavaScript, persists in a cookie, and its return address is a
// local path only: every attempt to send the visitor elsewhere lands on
// the home page (or is refused).
func TestCareModeSwitchPersistsAndNeverRedirectsAway(t *testing.T) {
	f := newFixture(t)
	c := f.anon()
	_, body := c.get("/guide?q=" + url.QueryEscape("户口"))
	link := regexp.MustCompile(`href="(/care\?[^"]+)" data-testid="care-switch"`).FindStringSubmatch(body)
	if link == nil {
		t.Fatal("no care switch on the guide")
	}
	res, _ := c.get(strings.ReplaceAll(link[1], "&amp;", "&"))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/guide?q="+url.QueryEscape("户口") {
		t.Fatalf("switch: %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	for _, path := range []string{"/", "/guide", "/notices", "/publicity"} {
		_, body := c.get(path)
		if !strings.Contains(body, `<body class="care">`) || !strings.Contains(body, "/care.css") || !strings.Contains(body, "on=0") {
			t.Errorf("%s is not in care mode after switching", path)
		}
	}
	if _, body := f.anon().get("/"); strings.Contains(body, "/care.css") {
		t.Error("another visitor gets the care mode")
	}
	c.get("/care?on=0&next=/")
	if _, body := c.get("/"); strings.Contains(body, "/care.css") {
		t.Error("switching off did not stick")
	}
	for _, next := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example", "http:/evil.example", "javascript:alert(1)",
		"evil.example", "///evil.example", "/\\/evil.example", ""} {
		res, _ := c.get("/care?on=1&next=" + url.QueryEscape(next))
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther || loc != "/" {
			t.Errorf("next=%q: %d → %q, want the home page", next, res.StatusCode, loc)
		}
	}
	for _, raw := range []string{"on=1&next=%2F%09%2Fevil.example", "on=1&next=%2F%0A%2Fevil.example", "on=1&next=" + strings.Repeat("a", 50000), "on=2&next=/", "next=/"} {
		res, _ := c.get("/care?" + raw)
		if res.StatusCode != http.StatusUnprocessableEntity || res.Header.Get("Location") != "" {
			t.Errorf("?%.40s: %d → %q, want 422", raw, res.StatusCode, res.Header.Get("Location"))
		}
	}
}

var noticeIDRE = regexp.MustCompile(`^/admin/notices/(\d+)$`)

// createNotice makes a draft through the form and returns its id.
func createNotice(t *testing.T, c *client, title, body string) string {
	t.Helper()
	c.get("/admin/notices/new")
	res, page := c.post("/admin/notices", url.Values{"title": {title}, "body": {body}})
	m := noticeIDRE.FindStringSubmatch(res.Header.Get("Location"))
	if res.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("create notice: %d %s", res.StatusCode, problemOf(page))
	}
	return m[1]
}

func (f *fixture) count(query string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.db.R.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// A notice from draft to the portal and back: bad input is refused field
// by field and saves nothing; the body is plain text (markup shows as
// text, never runs); a draft is not public; a stale edit is refused; a
// withdrawn notice leaves the portal; every change is in the audit log.
func TestNoticeLifecycleAndBadInput(t *testing.T) {
	f := newFixture(t)
	admin := f.login("admin")
	admin.get("/admin/notices/new")
	before := f.count(`SELECT COUNT(*) FROM notices`)
	for _, bad := range []struct {
		form  url.Values
		field string
	}{
		{url.Values{"title": {""}, "body": {"正文"}}, "title"},
		{url.Values{"title": {"标题"}, "body": {"  "}}, "body"},
		{url.Values{"title": {strings.Repeat("长", 101)}, "body": {"正文"}}, "title"},
		{url.Values{"title": {"标题"}, "body": {strings.Repeat("a", 50000)}}, "body"},
		{url.Values{"title": {"标\x07题"}, "body": {"正文"}}, "title"},
		{url.Values{"title": {"标题"}, "body": {"正\x1b文"}}, "body"},
	} {
		res, body := admin.post("/admin/notices", bad.form)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#f-`+bad.field+`"`) || !strings.Contains(body, `id="e-`+bad.field+`"`) {
			t.Errorf("%.30v: %d, want 422 naming %s: %s", bad.form, res.StatusCode, bad.field, problemOf(body))
		}
	}
	if n := f.count(`SELECT COUNT(*) FROM notices`); n != before {
		t.Fatalf("bad input saved %d notices", n-before)
	}

	text := "关于调整办公时间的通知\n\n<script>alert('x')</script><b>加粗</b>\n\n第二段"
	id := createNotice(t, admin, "办公时间调整", text)
	anon := f.anon()
	if res, _ := anon.get("/notices/" + id); res.StatusCode != http.StatusNotFound {
		t.Errorf("a draft is public: %d", res.StatusCode)
	}
	if _, home := anon.get("/"); strings.Contains(home, "办公时间调整") {
		t.Error("a draft shows on the home page")
	}
	if res, body := admin.post("/admin/notices/"+id+"/publish", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %d %s", res.StatusCode, problemOf(body))
	}
	res, page := anon.get("/notices/" + id)
	if res.StatusCode != http.StatusOK || strings.Contains(page, "<script>alert") || strings.Contains(page, "<b>加粗") ||
		!strings.Contains(page, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;b&gt;加粗&lt;/b&gt;") || strings.Count(page, "<p>第二段</p>") != 1 {
		t.Errorf("published notice page: %d\n%s", res.StatusCode, page)
	}
	if _, home := anon.get("/"); !strings.Contains(home, `href="/notices/`+id+`"`) {
		t.Error("the published notice is not on the home page")
	}

	// An edit from a form opened before someone else's change is refused.
	_, edit := admin.get("/admin/notices/" + id)
	version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(edit)[1]
	if res, body := admin.post("/admin/notices/"+id, url.Values{"title": {"新标题"}, "body": {"新正文"}, "version": {version}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", res.StatusCode, problemOf(body))
	}
	if res, _ := admin.post("/admin/notices/"+id, url.Values{"title": {"覆盖"}, "body": {"覆盖"}, "version": {version}}); res.StatusCode != http.StatusConflict {
		t.Errorf("stale edit: %d, want 409", res.StatusCode)
	}
	if _, page := anon.get("/notices/" + id); !strings.Contains(page, "新正文") || strings.Contains(page, "覆盖") {
		t.Error("the public page does not show the saved edit")
	}
	if res, body := admin.post("/admin/notices/"+id+"/withdraw", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("withdraw: %d %s", res.StatusCode, problemOf(body))
	}
	if res, _ := admin.post("/admin/notices/"+id+"/withdraw", nil); res.StatusCode != http.StatusConflict {
		t.Errorf("withdrawing twice: %d, want 409", res.StatusCode)
	}
	if res, _ := anon.get("/notices/" + id); res.StatusCode != http.StatusNotFound {
		t.Errorf("a withdrawn notice is public: %d", res.StatusCode)
	}
	if res, _ := admin.post("/admin/notices/"+id+"/delete", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown action: %d", res.StatusCode)
	}
	want := map[string]int{"create": 1, "publish": 1, "update": 1, "withdraw": 1}
	for action, n := range want {
		if got := f.count(`SELECT COUNT(*) FROM audit_log WHERE entity = 'notice' AND entity_id = $1 AND action = $2`, id, action); got != n {
			t.Errorf("audit %s: %d entries, want %d", action, got, n)
		}
	}
	if _, log := admin.get("/admin/audit?entity=notice"); !strings.Contains(log, "新标题") {
		t.Error("the audit page does not show the notice's change")
	}
}

// A township's admin manages their own centre's notices and cannot read,
// edit, publish or withdraw the county hall's (answered as not found, so
// they cannot even tell it exists); a clerk has no notice pages at all.
func TestNoticesAreTheirCentresOwn(t *testing.T) {
	f := newFixture(t)
	admin := f.login("admin")
	id := createNotice(t, admin, "县中心通知", "县中心的正文")
	township := f.login("township")
	for _, try := range []func() *http.Response{
		func() *http.Response { r, _ := township.get("/admin/notices/" + id); return r },
		func() *http.Response {
			r, _ := township.post("/admin/notices/"+id, url.Values{"title": {"乡镇改"}, "body": {"乡镇改"}, "version": {"1"}})
			return r
		},
		func() *http.Response { r, _ := township.post("/admin/notices/"+id+"/publish", nil); return r },
		func() *http.Response { r, _ := township.post("/admin/notices/"+id+"/withdraw", nil); return r },
	} {
		if res := try(); res.StatusCode != http.StatusNotFound {
			t.Errorf("township on the hall's notice: %d, want 404", res.StatusCode)
		}
	}
	if _, list := township.get("/admin/notices"); strings.Contains(list, "县中心通知") {
		t.Error("the township's list shows the hall's notice")
	}
	if f.count(`SELECT COUNT(*) FROM notices WHERE id = $1 AND title = '县中心通知' AND state = 'draft' AND version = 1`, id) != 1 {
		t.Error("the hall's notice changed")
	}
	own := createNotice(t, township, "乡镇通知", "乡镇的正文")
	if res, _ := admin.get("/admin/notices/" + own); res.StatusCode != http.StatusNotFound {
		t.Errorf("the hall's admin opens the township's notice: %d", res.StatusCode)
	}
	clerk := f.login("clerk")
	if res, _ := clerk.post("/admin/notices", url.Values{"title": {"窗口"}, "body": {"窗口"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("a clerk creates a notice: %d", res.StatusCode)
	}
	for _, bad := range []string{"0", "-1", "abc", "99999999999999999999"} {
		if res, _ := admin.get("/admin/notices/" + bad); res.StatusCode != http.StatusNotFound {
			t.Errorf("notice %q: %d", bad, res.StatusCode)
		}
	}
}

// Case publicity shows the case with the applicant masked (surname + one
// "*" per other character) and never the name, the ID number (not even
// masked) or the phone, in the page, the home page and the JSON; a
// filter that names nothing is an error, not the whole list.
func TestPublicityMasksTheApplicant(t *testing.T) {
	cf := newCaseFixture(t)
	clerk := cf.login("clerk")
	no := cf.intake(clerk, "T-001", 1, 2)
	anon := cf.anon()
	pages := map[string]string{}
	for _, path := range []string{"/publicity", "/", "/publicity?item=T-001", "/api/v1/open/publicity", "/api/v1/open/publicity?item=T-001&department=" + fmt.Sprint(cf.idOf(`SELECT department_id FROM staff WHERE username = 'clerk'`))} {
		res, body := anon.get(path)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, res.StatusCode)
		}
		pages[path] = body
	}
	for path, body := range pages {
		if !strings.Contains(body, no) || !strings.Contains(body, "王**") {
			t.Errorf("%s lacks the case %s or the masked name", path, no)
		}
		for _, secret := range []string{"王小明", "小明", appNumber, strings.ToLower(appNumber), "110105", "002X", appPhone, "138****8000"} {
			if strings.Contains(body, secret) {
				t.Errorf("%s shows %q", path, secret)
			}
		}
	}
	var out struct {
		Items []map[string]any `json:"items"`
		Total int              `json:"total"`
	}
	if err := json.Unmarshal([]byte(pages["/api/v1/open/publicity"]), &out); err != nil || out.Total != 1 || out.Items[0]["applicant"] != "王**" ||
		out.Items[0]["item_code"] != "T-001" || out.Items[0]["state"] == "" {
		t.Errorf("JSON: %v %+v", err, out)
	}
	// The case makes its item the hot one (most cases in 30 days).
	hot := pages["/"][strings.Index(pages["/"], `data-testid="portal-hot"`):]
	if !strings.Contains(hot[:strings.Index(hot, "</ol>")], `<li><a href="/guide/items/T-001">测试许可</a> <span class="cat-muted">1 件</span>`) ||
		!strings.Contains(pages["/"], "热门事项") {
		t.Errorf("T-001 is not the hot item: %.400s", hot)
	}
	if _, body := anon.get("/publicity?item=T-003"); strings.Contains(body, no) {
		t.Error("the item filter does not narrow")
	}
	for _, raw := range []string{"department=NOPE", "item=" + url.QueryEscape("not a code"), "item=" + strings.Repeat("A", 50000)} {
		res, out := anon.api("GET", "/api/v1/open/publicity?"+raw, "")
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("?%.30s: %d %v, want 422", raw, res.StatusCode, out)
		}
	}
}

// The publicity is throttled per address: a burst, then 429 with a
// message in the reader's language; another address is not affected.
func TestPublicityIsThrottledPerAddress(t *testing.T) {
	f := newFixture(t)
	c := f.anon()
	ok := 0
	for i := 0; i < 40; i++ {
		res, _ := c.api("GET", "/api/v1/open/publicity", "")
		if res.StatusCode == http.StatusOK {
			ok++
			continue
		}
		if res.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("request %d: %d", i, res.StatusCode)
		}
	}
	if ok < 10 || ok > 25 {
		t.Errorf("%d of 40 quick requests answered, want a burst of about 20", ok)
	}
	res, body := c.get("/publicity")
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "查询过于频繁") {
		t.Errorf("page after the burst: %d %s", res.StatusCode, problemOf(body))
	}
	// The home page shows its few lines of publicity from the same list
	// but is not throttled (it is the site's front door).
	if res, _ := c.get("/"); res.StatusCode != http.StatusOK {
		t.Errorf("home page after the burst: %d", res.StatusCode)
	}
}

// A bundle's public card lists its parts with links to their cards.
func TestBundleCardListsItsItems(t *testing.T) {
	f := newFixture(t)
	bundles, err := f.srv.Catalogue.Composites(context.Background())
	if err != nil || len(bundles) == 0 {
		t.Skipf("the demo has no composite: %v", err)
	}
	b := bundles[0]
	c := f.anon()
	_, home := c.get("/")
	if !strings.Contains(home, `href="/guide/bundles/`+b.Code+`"`) {
		t.Errorf("home does not list bundle %s", b.Code)
	}
	res, body := c.get("/guide/bundles/" + b.Code)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, b.Name) {
		t.Fatalf("bundle page: %d", res.StatusCode)
	}
	for _, it := range b.Items {
		if !strings.Contains(body, `href="/guide/items/`+it.Code+`"`) {
			t.Errorf("bundle page lacks %s", it.Code)
		}
	}
	if res, _ := c.get("/guide/bundles/NOPE-1"); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown bundle: %d", res.StatusCode)
	}
}

// Text contrast (GB/T 37668-2019 / WCAG 2.1 1.4.3): every text colour the
// portal's stylesheets set, on the background it is set on, is at least
// 4.5:1. The colours are read from the stylesheets themselves, so changing
// one to something too light fails here.
func TestPortalTextContrast(t *testing.T) {
	vars := func(file string) map[string]string {
		b, err := os.ReadFile("static/" + file)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, v := range regexp.MustCompile(`--([a-z]+):#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b`).FindAllStringSubmatch(string(b), -1) {
			if len(v[2]) == 3 { // #fff is #ffffff
				v[2] = string([]byte{v[2][0], v[2][0], v[2][1], v[2][1], v[2][2], v[2][2]})
			}
			m[v[1]] = "#" + v[2]
		}
		return m
	}
	portalCSS, err := os.ReadFile("static/portal.css")
	if err != nil {
		t.Fatal(err)
	}
	literal := func(selector, prop string) string {
		re := regexp.MustCompile(regexp.QuoteMeta(selector) + `\s*\{[^}]*?` + prop + `:(#[0-9a-fA-F]{6})`)
		m := re.FindSubmatch(portalCSS)
		if m == nil {
			t.Fatalf("portal.css: no %s for %s", prop, selector)
		}
		return string(m[1])
	}
	normal, care := vars("app.css"), vars("care.css")
	pairs := []struct{ name, fg, bg string }{
		{"text on page", normal["ink"], normal["bg"]},
		{"text on card", normal["ink"], normal["card"]},
		{"muted on page", normal["muted"], normal["bg"]},
		{"muted on card", normal["muted"], normal["card"]},
		{"link on card", normal["link"], normal["card"]},
		{"link on page", normal["link"], normal["bg"]},
		{"white on brand bar", "#ffffff", normal["brand"]},
		{"white on primary button", "#ffffff", normal["link"]},
		{"promise", literal(".pt-promise", "color"), normal["card"]},
		{"footer text", literal(".foot", "color"), normal["bg"]},
		{"footer links", literal(".foot a", "color"), normal["bg"]},
		{"care: text", care["ink"], care["bg"]},
		{"care: muted", care["muted"], care["bg"]},
		{"care: links", care["link"], care["card"]},
		{"care: white on brand", "#ffffff", care["brand"]},
		{"care: white on primary", "#ffffff", care["link"]},
	}
	for _, p := range pairs {
		if p.fg == "" || p.bg == "" {
			t.Fatalf("%s: colour missing", p.name)
		}
		if r := contrast(p.fg, p.bg); r < 4.5 {
			t.Errorf("%s: %s on %s is %.2f:1, below 4.5:1", p.name, p.fg, p.bg, r)
		}
	}
	for _, name := range []string{"ink", "muted", "link"} {
		if r := contrast(care[name], care["bg"]); r < 7 {
			t.Errorf("care mode %s: %.2f:1, the care mode promises 7:1", name, r)
		}
	}
}

// contrast is WCAG 2.1's contrast ratio of two #rrggbb colours.
func contrast(a, b string) float64 {
	l1, l2 := luminance(a), luminance(b)
	if l1 < l2 {
		l1, l2 = l2, l1
	}
	return (l1 + 0.05) / (l2 + 0.05)
}

func luminance(hex string) float64 {
	ch := func(i int) float64 {
		v, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		c := float64(v) / 255
		if c <= 0.03928 {
			return c / 12.92
		}
		return math.Pow((c+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(0) + 0.7152*ch(1) + 0.0722*ch(2)
}

// The home page shows the hall's hours of the day's season (the demo hall
// keeps summer hours from 07-01 to 09-30); the hall's admin sets the
// season on the centre form, where half a season or a day that is not one
// is refused field by field and changes nothing.
func TestPortalShowsTheSeasonsHours(t *testing.T) {
	cf := newCaseFixture(t) // 2026-09-28: summer
	hours := func() string {
		_, body := cf.anon().get("/")
		m := regexp.MustCompile(`data-testid="portal-hours">([^<]*)`).FindStringSubmatch(body)
		if m == nil {
			t.Fatal("no hours on the home page")
		}
		return m[1]
	}
	if got := hours(); got != "周一至周五 8:30-12:00 15:00-18:00" {
		t.Errorf("in September: %q, want the summer hours", got)
	}
	cf.set(at("2026-10-08"))
	if got := hours(); got != "周一至周五 8:30-12:00 14:30-17:30" {
		t.Errorf("in October: %q, want the usual hours", got)
	}
	hall := cf.idOf(`SELECT centre_id FROM staff WHERE username = 'admin'`)
	admin := cf.login("admin")
	path := fmt.Sprintf("/admin/centres/%d", hall)
	admin.get(path)
	form := func(kv ...string) url.Values {
		v := url.Values{"name": {"宜章县政务服务中心"}, "address": {"湖南省郴州市宜章县城南街道宜兴大道88号"}, "phone": {"0735-3726345"},
			"hours": {"周一至周五 8:30-12:00 14:30-17:30"}, "summer_hours": {"夏"}, "summer_from": {"07-01"}, "summer_to": {"09-30"}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	for _, bad := range []struct {
		form  url.Values
		field string
	}{
		{form("summer_from", "13-01"), "summer_from"},
		{form("summer_to", "9-30"), "summer_to"},
		{form("summer_from", ""), "summer_from"},
		{form("summer_hours", ""), "summer_hours"},
		{form("summer_to", strings.Repeat("1", 50000)), "summer_to"},
	} {
		res, body := admin.post(path, bad.form)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#f-`+bad.field+`"`) {
			t.Errorf("%s=%.10q: %d, want 422 naming it: %s", bad.field, bad.form.Get(bad.field), res.StatusCode, problemOf(body))
		}
	}
	if got := hours(); got != "周一至周五 8:30-12:00 14:30-17:30" {
		t.Errorf("a refused form changed the hours: %q", got)
	}
	if res, body := admin.post(path, form("summer_hours", "冬季 9:00-17:00", "summer_from", "10-01", "summer_to", "03-31")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d %s", res.StatusCode, problemOf(body))
	}
	if got := hours(); got != "冬季 9:00-17:00" {
		t.Errorf("after saving a season over the new year: %q", got)
	}
}
