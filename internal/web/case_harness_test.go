package web_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"onestop/internal/applicants"
	"onestop/internal/calendar"
	"onestop/internal/catalogue"
	"onestop/internal/files"
)

// caseFixture is the demo county with test items of the clerk's department,
// a registered applicant who can sign in, a clock the test sets (Monday
// 2026-09-28, 10:00 in Shanghai, unless moved) and a private files store.
type caseFixture struct {
	*fixture
	mu  sync.Mutex
	now time.Time
	app applicants.Applicant
}

const (
	appNumber   = "11010519491231002X"
	appPhone    = "13800138000"
	appPassword = "abcd12345"
)

// at is 10:00 in Shanghai on a day.
func at(day string) time.Time {
	d := calendar.MustParseDate(day)
	return time.Date(d.Year, d.Month, d.Day, 2, 0, 0, 0, time.UTC)
}

func newCaseFixture(t *testing.T) *caseFixture {
	t.Helper()
	cf := &caseFixture{fixture: newFixture(t), now: at("2026-09-28")}
	cf.srv.Now = cf.clock
	cf.srv.Files = &files.Store{Dir: t.TempDir()}
	ctx := context.Background()
	admin, err := cf.srv.Org.StaffByUsername(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	clerk, err := cf.srv.Org.StaffByUsername(ctx, "clerk")
	if err != nil {
		t.Fatal(err)
	}
	cat := &catalogue.Service{DB: cf.db, Now: cf.clock}
	base := catalogue.Content{Type: "licensing", DepartmentID: clerk.DepartmentID, Audience: "both", LegalBasis: "《中华人民共和国行政许可法》第十二条",
		StatutoryDays: 20, PromisedDays: 5, Visits: 1, Online: true, AtHall: true,
		Materials: []catalogue.Material{{Name: "申请表", Required: true, Form: "original", Copies: 1}, {Name: "身份证件", Required: true, Form: "copy", Copies: 1},
			{Name: "授权委托书", Required: false, Condition: "委托他人办理的", Form: "original", Copies: 1}},
		Steps: catalogue.DefaultSteps(5)}
	mk := func(code, name string, mod func(*catalogue.Content)) {
		c := base
		c.Name = name
		if mod != nil {
			mod(&c)
		}
		if _, err := cat.Create(ctx, admin.Actor("192.0.2.1"), code, c, ""); err != nil {
			t.Fatalf("item %s: %v", code, err)
		}
	}
	mk("T-001", "测试许可", nil)
	mk("T-003", "测试证明", func(c *catalogue.Content) {
		c.Type, c.Immediate, c.PromisedDays, c.Steps, c.Online = "public_service", true, 0, catalogue.DefaultSteps(0), false
	})
	as := &applicants.Service{DB: cf.db, Now: cf.clock}
	cf.app, err = as.Register(ctx, applicants.Input{Kind: "citizen", IDNumber: appNumber, Name: "王小明", Phone: appPhone, Password: appPassword}, true)
	if err != nil {
		t.Fatal(err)
	}
	return cf
}

func (cf *caseFixture) clock() time.Time { cf.mu.Lock(); defer cf.mu.Unlock(); return cf.now }

func (cf *caseFixture) set(t time.Time) { cf.mu.Lock(); cf.now = t; cf.mu.Unlock() }

// applicant signs the registered applicant in through /signin.
func (cf *caseFixture) applicant() *client {
	cf.t.Helper()
	c := cf.anon()
	c.get("/signin")
	res, body := c.post("/signin", url.Values{"id_number": {appNumber}, "password": {appPassword}})
	if res.StatusCode != http.StatusSeeOther {
		cf.t.Fatalf("applicant sign-in: %d %s", res.StatusCode, body)
	}
	c.get("/me")
	return c
}

// intake receives a walk-in case for the registered applicant with the
// given materials on paper and returns its number.
func (cf *caseFixture) intake(c *client, item string, materials ...int) string {
	cf.t.Helper()
	c.get("/workbench/intake")
	form := url.Values{"id_number": {appNumber}, "item": {item}}
	for _, m := range materials {
		form.Set(fmt.Sprintf("m%d_paper", m), "on")
	}
	res, body := c.post("/workbench/intake", form)
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/cases/") {
		cf.t.Fatalf("intake: %d %s\n%s", res.StatusCode, loc, problemOf(body))
	}
	no, _, _ := strings.Cut(strings.TrimPrefix(loc, "/cases/"), "?")
	return no
}

var versionRE = regexp.MustCompile(`name="version" value="(\d+)"`)

// casePage opens the case page and returns its body and the version its
// forms carry.
func (cf *caseFixture) casePage(c *client, no string) (string, string) {
	cf.t.Helper()
	res, body := c.get("/cases/" + no)
	if res.StatusCode != http.StatusOK {
		cf.t.Fatalf("case page %s: %d %s", no, res.StatusCode, problemOf(body))
	}
	v := ""
	if m := versionRE.FindStringSubmatch(body); m != nil {
		v = m[1]
	}
	return body, v
}

// act posts an action form from the case page as a person would: with the
// version the page showed.
func (cf *caseFixture) act(c *client, no, action string, form url.Values) (*http.Response, string) {
	cf.t.Helper()
	_, v := cf.casePage(c, no)
	if form == nil {
		form = url.Values{}
	}
	if form.Get("version") == "" {
		form.Set("version", v)
	}
	return c.post("/cases/"+no+"/actions/"+action, form)
}

// mustAct is act that must succeed (a redirect back to the case).
func (cf *caseFixture) mustAct(c *client, no, action string, form url.Values) {
	cf.t.Helper()
	res, body := cf.act(c, no, action, form)
	if res.StatusCode != http.StatusSeeOther {
		cf.t.Fatalf("%s: %d\n%s", action, res.StatusCode, problemOf(body))
	}
}

var problemRE = regexp.MustCompile(`(?s)<div class="problem".*?</div>`)

// problemOf is the error summary of a page, for failure messages.
func problemOf(body string) string {
	if m := problemRE.FindString(body); m != "" {
		return m
	}
	if len(body) > 600 {
		return body[:600]
	}
	return body
}

// upload posts a multipart form: fields plus files (field name → file
// name and content).
func (c *client) uploadFiles(path string, fields url.Values, fs map[string]fileBody) (*http.Response, string) {
	c.f.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if fields == nil {
		fields = url.Values{}
	}
	if fields.Get("csrf_token") == "" {
		fields.Set("csrf_token", c.csrf)
	}
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	for field, f := range fs {
		w, _ := mw.CreateFormFile(field, f.name)
		_, _ = w.Write(f.data)
	}
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.f.ts.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if strings.HasPrefix(path, "/api/") {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	return c.do(req)
}

type fileBody struct {
	name string
	data []byte
}

// tinyPDF is a minimal PDF: enough for the type sniffer and a viewer.
var tinyPDF = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
