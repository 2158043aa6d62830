package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// The test items share a word no demo item uses, so searching for it finds
// exactly them whatever the demo catalogue holds.
const (
	keeperCode = "ZZTEST-LT-001" // free, for individuals, the department admin's department
	boatCode   = "ZZTEST-LT-002" // charged, for organisations, another department
)

// itemBody is a valid item for the API.
func itemBody(code, name string, dept int64, audience string, statutory, promised int, fees string) string {
	return fmt.Sprintf(`{"code":%q,"name":%q,"type":"licensing","department_id":%d,"audience":%q,"themes":["文化旅游"],
		"legal_basis":"《湖南省灯塔管理办法》第十二条","conditions":"年满十八周岁。","statutory_days":%d,"promised_days":%d,"immediate":false,
		"visits":1,"online":true,"at_hall":true,"at_township":false,"commissioned":false,"deemed_approval":false,"deemed_note":"",
		"materials":[{"name":"申请书","required":true,"form":"original","copies":1},{"name":"授权委托书","required":false,"condition":"委托他人办理的","form":"original","copies":1}],
		"fees":%s,"steps":%s}`, code, name, dept, audience, statutory, promised, fees, stepsJSON(promised))
}

func stepsJSON(promised int) string {
	return fmt.Sprintf(`[{"name":"受理","role":"clerk","days":1},{"name":"审查","role":"reviewer","days":%d},{"name":"审核决定","role":"approver","days":1}]`, promised-2)
}

// catalogueFixture is the demo county with two test items made through the
// API by the county hall's admin.
type catalogueFixture struct {
	*fixture
	admin          *client
	ownDept, other int64 // the department admin's department, and another
}

func newCatalogueFixture(t *testing.T) *catalogueFixture {
	t.Helper()
	f := newFixture(t)
	cf := &catalogueFixture{fixture: f, admin: f.login("admin")}
	cf.ownDept = f.idOf(`SELECT department_id FROM staff WHERE username = 'deptadmin'`)
	cf.other = f.idOf(`SELECT id FROM departments WHERE id <> $1 AND retired_at IS NULL ORDER BY id LIMIT 1`, cf.ownDept)
	for _, body := range []string{
		itemBody(keeperCode, "灯塔看护人员资格确认", cf.ownDept, "citizen", 20, 10, `[]`),
		itemBody(boatCode, "灯塔观光游船经营许可", cf.other, "organisation", 20, 15,
			`[{"name":"游船检验费","amount_fen":8000,"basis":"湘价费〔2020〕1号"},{"name":"证书工本费","amount_fen":1250,"basis":"湘价费〔2020〕2号"}]`),
	} {
		res, out := cf.admin.api("POST", "/api/v1/items", body)
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("create item: %d %v", res.StatusCode, out)
		}
	}
	return cf
}

func (cf *catalogueFixture) version(code string) float64 {
	cf.t.Helper()
	res, out := cf.anon().api("GET", "/api/v1/items/"+code, "")
	if res.StatusCode != http.StatusOK {
		cf.t.Fatalf("GET item %s: %d", code, res.StatusCode)
	}
	return out["version"].(float64)
}

func mustContain(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s: %q missing", what, w)
		}
	}
}

func TestGuideSearchCardAndAPI(t *testing.T) {
	cf := newCatalogueFixture(t)
	visitor := cf.anon()

	// A partial Chinese word finds both items, in JSON and on the guide.
	res, out := visitor.api("GET", "/api/v1/items?q=灯塔", "")
	if res.StatusCode != http.StatusOK || out["total"].(float64) != 2 {
		t.Fatalf("search 灯塔: %d %v", res.StatusCode, out)
	}
	for _, raw := range out["items"].([]any) {
		it := raw.(map[string]any)
		for _, k := range []string{"code", "name", "type", "department", "statutory_days", "promised_days", "immediate", "deemed_approval",
			"online", "fees", "materials", "version", "department_code", "type_name", "audience", "themes", "steps"} {
			if _, ok := it[k]; !ok {
				t.Errorf("item %v: no field %s", it["code"], k)
			}
		}
		if it["code"] == boatCode {
			fee := it["fees"].([]any)[0].(map[string]any)
			if fee["amount_fen"].(float64) != 8000 || fee["amount"] != "80.00" {
				t.Errorf("fee: %v", fee)
			}
		}
	}
	if res, _ := visitor.api("GET", "/api/v1/items?q=%20%20&limit=1", ""); res.StatusCode != http.StatusOK {
		t.Errorf("blank search: %d", res.StatusCode)
	}
	_, out = visitor.api("GET", "/api/v1/items?q=看护&limit=1", "")
	if out["total"].(float64) != 1 || out["items"].([]any)[0].(map[string]any)["code"] != keeperCode {
		t.Errorf("search 看护: %v", out)
	}
	res, body := visitor.get("/guide?q=" + url.QueryEscape("灯塔"))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("guide: %d", res.StatusCode)
	}
	mustContain(t, "guide", body, "灯塔看护人员资格确认", "灯塔观光游船经营许可", "法定 20 / 承诺 10 个工作日", "个人办事", "法人办事")
	_, body = visitor.get("/guide?q=" + url.QueryEscape("灯塔") + "&audience=organisation")
	if strings.Contains(body, "灯塔看护人员资格确认") || !strings.Contains(body, "灯塔观光游船经营许可") {
		t.Error("the 法人办事 tab shows an item for individuals, or misses one for organisations")
	}
	_, body = visitor.get("/")
	mustContain(t, "portal", body, `action="/guide"`, "个人办事")

	// The public card.
	res, body = visitor.get("/guide/items/" + keeperCode)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("card: %d", res.StatusCode)
	}
	mustContain(t, "free card", body, "法定 20 个工作日 / 承诺 10 个工作日", "自受理之日起10个工作日办结", "不收费", "申请书", "委托他人办理的",
		"/guide/items/"+keeperCode+"/qr.png", `href="/apply/`+keeperCode+`"`, "在线申请", "第 1 版", "最多跑 1 次")
	_, body = visitor.get("/guide/items/" + boatCode)
	mustContain(t, "charged card", body, "¥80.00", "¥12.50", "¥92.50", "湘价费〔2020〕1号")
	if strings.Contains(body, "不收费") {
		t.Error("a charged item says 不收费")
	}
	res, body = visitor.get("/guide/items/" + strings.ToLower(keeperCode) + "/print")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "guide-print") || !strings.Contains(body, "qr.png") {
		t.Errorf("print card: %d", res.StatusCode)
	}

	// The QR code is a PNG of a sensible size, cacheable.
	res, img := visitor.get("/guide/items/" + keeperCode + "/qr.png")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(img, "\x89PNG\r\n\x1a\n") {
		t.Fatalf("qr: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	cfg, err := png.DecodeConfig(strings.NewReader(img))
	if err != nil || cfg.Width != cfg.Height || cfg.Width < 21*4 || cfg.Width > 2000 {
		t.Errorf("qr png: %v %dx%d", err, cfg.Width, cfg.Height)
	}
	if !strings.Contains(res.Header.Get("Cache-Control"), "max-age") {
		t.Errorf("qr cache: %q", res.Header.Get("Cache-Control"))
	}
	if res, _ := visitor.get("/guide/items/NOPE-000/qr.png"); res.StatusCode != http.StatusNotFound {
		t.Errorf("qr of no item: %d", res.StatusCode)
	}

	// A shorter promised limit makes version 2; the card and the history follow.
	res, out = cf.admin.api("PUT", "/api/v1/items/"+keeperCode, `{"promised_days":8,"steps":`+stepsJSON(8)+`,"change_note":"压缩承诺时限"}`)
	if res.StatusCode != http.StatusOK || out["version"].(float64) != 2 || out["promised_days"].(float64) != 8 || out["name"] != "灯塔看护人员资格确认" {
		t.Fatalf("update: %d %v", res.StatusCode, out)
	}
	_, body = visitor.get("/guide/items/" + keeperCode)
	mustContain(t, "card v2", body, "法定 20 个工作日 / 承诺 8 个工作日", "自受理之日起8个工作日办结", "第 2 版")
	_, body = visitor.get("/guide/items/" + keeperCode + "/versions")
	mustContain(t, "versions", body, "第 1 版", "第 2 版", "压缩承诺时限", "?v=1")
	_, body = visitor.get("/guide/items/" + keeperCode + "?v=1")
	mustContain(t, "card v1", body, "承诺 10 个工作日", "现行为第 2 版")
	if res, _ := visitor.get("/guide/items/" + keeperCode + "?v=9"); res.StatusCode != http.StatusNotFound {
		t.Errorf("version 9: %d", res.StatusCode)
	}
	_, out = visitor.api("GET", "/api/v1/items/"+keeperCode+"/versions", "")
	if out["total"].(float64) != 2 {
		t.Errorf("API versions: %v", out)
	}

	// A cancelled item keeps its card, saying why; search no longer lists it.
	res, out = cf.admin.api("POST", "/api/v1/items/"+boatCode+"/status", `{"status":"cancelled","reason":"游船业务已划转市级"}`)
	if res.StatusCode != http.StatusOK || out["status"] != "cancelled" {
		t.Fatalf("cancel: %d %v", res.StatusCode, out)
	}
	res, body = visitor.get("/guide/items/" + boatCode)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("cancelled card: %d", res.StatusCode)
	}
	mustContain(t, "cancelled card", body, "取消", "游船业务已划转市级")
	if strings.Contains(body, "在线申请") {
		t.Error("a cancelled item offers to apply")
	}
	_, out = visitor.api("GET", "/api/v1/items/"+boatCode, "")
	if out["status"] != "cancelled" || out["reason"] != "游船业务已划转市级" || out["status_reason"] != "游船业务已划转市级" {
		t.Errorf("API cancelled item: %v", out)
	}
	_, out = visitor.api("GET", "/api/v1/items?q=灯塔", "")
	if out["total"].(float64) != 1 {
		t.Errorf("search after cancelling: %v", out)
	}

	// Suspending is shown too; the staff form requires a reason.
	res, body = cf.admin.post("/admin/items/"+keeperCode+"/status", url.Values{"status": {"suspended"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-reason"`) {
		t.Errorf("suspend without reason: %d", res.StatusCode)
	}
	res, _ = cf.admin.post("/admin/items/"+keeperCode+"/status", url.Values{"status": {"suspended"}, "reason": {"系统升级"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("suspend: %d", res.StatusCode)
	}
	_, body = visitor.get("/guide/items/" + keeperCode)
	mustContain(t, "suspended card", body, "暂停办理", "系统升级")

	// The statistics count it all, for staff only.
	_, body = cf.login("leader").get("/admin/catalogue/stats")
	mustContain(t, "stats", body, "灯塔观光游船经营许可", "游船业务已划转市级", "事项清理")
	if res, _ := visitor.api("GET", "/api/v1/catalogue/stats", ""); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("stats for a visitor: %d", res.StatusCode)
	}
}

// The statistics page states the demo county's clean-up figures plainly
// (docs/DOMAIN.md §1: 48 units' 432 items reviewed, 62 cancelled, 370 kept; 30
// seated departments with 328 items, 18 commissioning units with 42).
func TestCatalogueStatsShowDemoFigures(t *testing.T) {
	f := newFixture(t)
	_, body := f.login("leader").get("/admin/catalogue/stats")
	mustContain(t, "stats", body, "共梳理 48 个单位的事项 432 项，取消 62 项，保留 370 项。", "进驻中心的 30 个部门在用事项 328 项。",
		"委托中心受理的 18 个单位在用事项 42 项。")
	_, out := f.login("leader").api("GET", "/api/v1/catalogue/stats", "")
	if out["reviewed"].(float64) != 432 || out["cancelled"].(float64) != 62 || out["in_force_seated"].(float64) != 328 {
		t.Errorf("stats API: %v %v %v", out["reviewed"], out["cancelled"], out["in_force_seated"])
	}
}

// A department admin changes their own department's items only.
func TestDepartmentAdminScope(t *testing.T) {
	cf := newCatalogueFixture(t)
	da := cf.login("deptadmin")
	res, _ := da.api("PUT", "/api/v1/items/"+boatCode, `{"promised_days":5,"steps":`+stepsJSON(5)+`}`)
	if res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusNotFound {
		t.Errorf("API edit of another department's item: %d", res.StatusCode)
	}
	res, _ = da.post("/admin/items/"+boatCode, url.Values{"name": {"改名"}, "promised_days": {"5"}})
	if res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusNotFound {
		t.Errorf("form edit of another department's item: %d", res.StatusCode)
	}
	res, _ = da.api("POST", "/api/v1/items/"+boatCode+"/status", `{"status":"cancelled","reason":"x"}`)
	if res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusNotFound {
		t.Errorf("status of another department's item: %d", res.StatusCode)
	}
	if v := cf.version(boatCode); v != 1 {
		t.Errorf("version %v after refused edits", v)
	}
	_, body := da.get("/admin/items/" + boatCode)
	if !strings.Contains(body, "<fieldset class=\"cat-all\" disabled>") {
		t.Error("another department's item is not read-only for a department admin")
	}
	// Their own item they may change.
	res, out := da.api("PUT", "/api/v1/items/"+keeperCode, `{"visits":0,"change_note":"全程网办"}`)
	if res.StatusCode != http.StatusOK || out["version"].(float64) != 2 {
		t.Errorf("own item: %d %v", res.StatusCode, out)
	}
	// The township centre's admin keeps no catalogue.
	if res, _ := cf.login("township").api("PUT", "/api/v1/items/"+keeperCode, `{"visits":2}`); res.StatusCode != http.StatusForbidden {
		t.Errorf("township admin: %d", res.StatusCode)
	}
}

// itemForm is a complete, valid item form; tests change single fields.
func itemForm(code string, dept int64) url.Values {
	return url.Values{
		"code": {code}, "name": {"灯塔夜间巡查备案"}, "type": {"filing"}, "department_id": {fmt.Sprint(dept)}, "audience": {"both"},
		"themes": {"文化旅游", "交通出行"}, "legal_basis": {"《湖南省灯塔管理办法》第二十条"}, "statutory_days": {"20"}, "promised_days": {"5"},
		"visits": {"1"}, "at_hall": {"on"}, "online": {"on"},
		"materials.1.name": {"备案表"}, "materials.1.required": {"1"}, "materials.1.form": {"original"}, "materials.1.copies": {"2"},
		"materials.2.name": {""}, "materials.2.condition": {""}, "materials.2.notes": {""}, "materials.2.required": {"1"}, "materials.2.form": {"original"},
		"materials.3.name": {"委托书"}, "materials.3.required": {"0"}, "materials.3.condition": {"委托办理的"}, "materials.3.form": {"copy"}, "materials.3.copies": {"1"},
		"fees.1.name": {""}, "fees.1.amount": {""}, "fees.1.basis": {""},
		"fees.2.name": {"巡查登记费"}, "fees.2.amount": {"80.5"}, "fees.2.basis": {"湘价费〔2021〕3号"},
		"steps.1.name": {"受理"}, "steps.1.role": {"clerk"}, "steps.1.days": {"1"},
		"steps.2.name": {"审查"}, "steps.2.role": {"reviewer"}, "steps.2.days": {"3"},
		"steps.3.name": {"决定"}, "steps.3.role": {"approver"}, "steps.3.days": {"1"},
		"steps.4.name": {""}, "steps.4.days": {""},
	}
}

func TestItemFormErrorsAndRows(t *testing.T) {
	cf := newCatalogueFixture(t)
	const code = "ZZTEST-LT-003"
	count := func() int64 { return cf.idOf(`SELECT COUNT(*) FROM items WHERE code = $1`, code) }

	// Rule errors land next to their field; typing mistakes next to their row.
	cases := []struct {
		change map[string]string
		id     string // the error paragraph's id
		text   string
	}{
		{map[string]string{"promised_days": "25"}, "e-promised_days", "承诺时限不能超过法定时限"},
		{map[string]string{"fees.2.amount": "12.345"}, "e-fees.2.amount", "请以元为单位"},
		{map[string]string{"fees.2.amount": "abc"}, "e-fees.2.amount", "请以元为单位"},
		{map[string]string{"materials.3.condition": ""}, "e-materials.3.condition", "此项为必填项"},
		{map[string]string{"materials.1.name": "", "materials.1.notes": "只写了备注"}, "e-materials.1.name", "此项为必填项"},
		{map[string]string{"steps.2.days": "2"}, "", "须等于承诺时限"},
		{map[string]string{"statutory_days": "二十"}, "e-statutory_days", "请输入数字"},
		{map[string]string{"code": "bad code"}, "e-code", "事项编码由"},
		{map[string]string{"legal_basis": "第一条\x07第二条"}, "e-legal_basis", "含有不允许的字符"},
		{map[string]string{"name": "巡查\r\n登记"}, "e-name", "请写成一段"},
	}
	for _, tc := range cases {
		form := itemForm(code, cf.ownDept)
		for k, v := range tc.change {
			form.Set(k, v)
		}
		res, body := cf.admin.post("/admin/items", form)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%v: status %d", tc.change, res.StatusCode)
			continue
		}
		want := tc.text
		if tc.id != "" {
			want = `<p class="err" id="` + tc.id + `">` + tc.text
		}
		if !strings.Contains(body, want) {
			t.Errorf("%v: %q not found", tc.change, want)
		}
		if !strings.Contains(body, `value="巡查登记费"`) {
			t.Errorf("%v: the form lost what was typed", tc.change)
		}
	}
	if count() != 0 {
		t.Fatal("a refused form created the item")
	}

	// The valid form: blank rows are skipped, yuan become fen exactly.
	res, body := cf.admin.post("/admin/items", itemForm(code, cf.ownDept))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create by form: %d %s", res.StatusCode, body)
	}
	_, out := cf.anon().api("GET", "/api/v1/items/"+code, "")
	if n := len(out["materials"].([]any)); n != 2 {
		t.Errorf("materials: %d", n)
	}
	if fees := out["fees"].([]any); len(fees) != 1 || fees[0].(map[string]any)["amount_fen"].(float64) != 8050 {
		t.Errorf("fees: %v", fees)
	}
	if th := out["themes"].([]any); len(th) != 2 {
		t.Errorf("themes: %v", th)
	}

	// The edit form shows the rows and three blank ones; saving a change
	// makes version 2, saving nothing new makes none.
	_, body = cf.admin.get("/admin/items/" + code)
	mustContain(t, "edit form", body, `name="materials.2.name" type="text" value="委托书"`, `name="materials.5.name"`, `value="80.50"`)
	if strings.Contains(body, `name="materials.6.name"`) {
		t.Error("more than three blank rows")
	}
	form := itemForm(code, cf.ownDept)
	form.Set("promised_days", "4")
	form.Set("steps.2.days", "2")
	if res, body := cf.admin.post("/admin/items/"+code, form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", res.StatusCode, body)
	}
	if v := cf.version(code); v != 2 {
		t.Errorf("version after edit: %v", v)
	}
	cf.admin.post("/admin/items/"+code, form)
	if v := cf.version(code); v != 2 {
		t.Errorf("version after saving nothing new: %v", v)
	}
	form.Set("promised_days", "30")
	res, body = cf.admin.post("/admin/items/"+code, form)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-promised_days">承诺时限不能超过法定时限`) {
		t.Errorf("edit error: %d", res.StatusCode)
	}

	// The API answers field errors in the usual shape.
	res, out = cf.admin.api("POST", "/api/v1/items", itemBody("ZZTEST-LT-004", "灯塔", cf.ownDept, "citizen", 10, 12, "[]"))
	e, _ := out["error"].(map[string]any)
	if res.StatusCode != http.StatusUnprocessableEntity || e["code"] != "EINVALID" || e["fields"].(map[string]any)["promised_days"] == nil {
		t.Errorf("API error: %d %v", res.StatusCode, out)
	}
	res, out = cf.admin.api("POST", "/api/v1/items", `{"code":"ZZTEST-LT-005","colour":"red"}`)
	if e, _ := out["error"].(map[string]any); res.StatusCode != http.StatusUnprocessableEntity || e["fields"].(map[string]any)["colour"] == nil {
		t.Errorf("unknown field: %d %v", res.StatusCode, out)
	}
}

func TestCompositesAndTypes(t *testing.T) {
	cf := newCatalogueFixture(t)
	body := fmt.Sprintf(`{"code":"ZZTEST-BL-001","name":"灯塔旅游开办一件事","lead_department_id":%d,"statutory_days":30,"promised_days":20,"item_codes":[%q,%q]}`,
		cf.other, keeperCode, boatCode)
	if res, out := cf.login("township").api("POST", "/api/v1/composites", body); res.StatusCode != http.StatusForbidden {
		t.Errorf("township admin: %d %v", res.StatusCode, out)
	}
	res, out := cf.admin.api("POST", "/api/v1/composites", body)
	if res.StatusCode != http.StatusCreated || len(out["items"].([]any)) != 2 {
		t.Fatalf("composite: %d %v", res.StatusCode, out)
	}
	_, out = cf.anon().api("GET", "/api/v1/composites", "")
	if out["total"].(float64) < 1 {
		t.Errorf("composites: %v", out)
	}
	_, page := cf.login("clerk").get("/admin/composites")
	mustContain(t, "composites page", page, "灯塔旅游开办一件事", keeperCode)
	res, page = cf.admin.post("/admin/composites", url.Values{"code": {"ZZTEST-BL-002"}, "name": {"x"}, "statutory_days": {"60"}, "item_codes": {keeperCode}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `id="e-item_codes"`) || !strings.Contains(page, `id="e-statutory_days"`) {
		t.Errorf("composite form errors: %d", res.StatusCode)
	}
	_, out = cf.anon().api("GET", "/api/v1/catalogue/types", "")
	if out["total"].(float64) != 8 {
		t.Errorf("types: %v", out)
	}
}

// upload posts a file as a browser's form would.
func (c *client) upload(path, name string, content []byte) (*http.Response, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf_token", c.csrf)
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(content)
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.f.ts.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

func TestWorkbookExportAndImport(t *testing.T) {
	cf := newCatalogueFixture(t)
	res, xlsx := cf.login("clerk").get("/admin/items/export.xlsx")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(xlsx, "PK") || !strings.Contains(res.Header.Get("Content-Disposition"), ".xlsx") {
		t.Fatalf("export: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	// Re-importing the export changes nothing.
	res, body := cf.admin.upload("/admin/items/import", "catalogue.xlsx", []byte(xlsx))
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="import-created">0<`) || !strings.Contains(body, `data-testid="import-updated">0<`) {
		t.Errorf("re-import: %d", res.StatusCode)
	}
	// A department admin may not import other departments' rows: every
	// problem is listed, translated, and nothing is imported.
	res, body = cf.login("deptadmin").upload("/admin/items/import", "catalogue.xlsx", []byte(xlsx))
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "未导入") || !strings.Contains(body, "不是您的部门") {
		t.Errorf("department admin import: %d", res.StatusCode)
	}
	if untranslated.MatchString(body) {
		t.Errorf("import problems: untranslated %q", untranslated.FindString(body))
	}
	// Not a workbook; no file at all.
	res, body = cf.admin.upload("/admin/items/import", "x.xlsx", []byte("not a workbook"))
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "无法读取") {
		t.Errorf("garbage: %d", res.StatusCode)
	}
	res, body = cf.admin.post("/admin/items/import", nil)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-file"`) {
		t.Errorf("no file: %d", res.StatusCode)
	}
	// The import may be larger than the 1 MiB every other body is held to.
	big := bytes.Repeat([]byte("x"), 2<<20)
	if res, _ := cf.admin.upload("/admin/items/import", "big.xlsx", big); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("2 MiB upload: %d, want it read (and refused as unreadable)", res.StatusCode)
	}
	if res, _ := cf.admin.upload("/admin/items", "big.xlsx", big); res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("2 MiB elsewhere: %d, want 413", res.StatusCode)
	}
	if res, _ := cf.admin.upload("/admin/items/import", "huge.xlsx", bytes.Repeat([]byte("x"), 11<<20)); res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("11 MiB import: %d, want 413", res.StatusCode)
	}
}

// Every new page renders for every role, in both languages, with no
// untranslated key and no server error.
func TestCataloguePagesRender(t *testing.T) {
	cf := newCatalogueFixture(t)
	cf.admin.api("PUT", "/api/v1/items/"+keeperCode, `{"visits":0}`)
	cf.admin.api("POST", "/api/v1/composites", fmt.Sprintf(`{"code":"ZZTEST-BL-001","name":"一件事","lead_department_id":%d,"statutory_days":30,"promised_days":20,"item_codes":[%q,%q]}`,
		cf.ownDept, keeperCode, boatCode))
	cf.admin.api("POST", "/api/v1/items/"+boatCode+"/status", `{"status":"cancelled","reason":"划转"}`)
	pages := []string{"/", "/guide", "/guide?q=灯塔", "/guide?audience=citizen&theme=文化旅游", "/guide?department=" + fmt.Sprint(cf.ownDept),
		"/guide/items/" + keeperCode, "/guide/items/" + keeperCode + "?v=1", "/guide/items/" + boatCode, "/guide/items/" + keeperCode + "/print",
		"/guide/items/" + keeperCode + "/versions", "/admin/items", "/admin/items?status=cancelled&type=licensing", "/admin/items/new",
		"/admin/items/" + keeperCode, "/admin/items/" + boatCode, "/admin/items/" + keeperCode + "/versions", "/admin/items/import",
		"/admin/composites", "/admin/composites/new", "/admin/catalogue/stats", "/admin/audit"}
	for _, u := range users {
		var c *client
		if u == "" {
			c = cf.anon()
		} else {
			c = cf.login(u)
		}
		for _, lang := range []string{"en", "zh-CN"} {
			for _, p := range pages {
				sep := "?"
				if strings.Contains(p, "?") {
					sep = "&"
				}
				res, body := c.get(p + sep + "lang=" + lang)
				if res.StatusCode == http.StatusForbidden || (u == "" && res.StatusCode == http.StatusSeeOther) {
					continue
				}
				if res.StatusCode != http.StatusOK {
					t.Errorf("%q %s [%s]: %d", u, p, lang, res.StatusCode)
					continue
				}
				if m := untranslated.FindString(body); m != "" {
					t.Errorf("%q %s [%s]: untranslated %q", u, p, lang, m)
				}
				if !strings.Contains(body, `<html lang="`+lang+`"`) {
					t.Errorf("%q %s: not in %s", u, p, lang)
				}
			}
		}
	}
	_, body := cf.login("admin").get("/admin/audit?lang=en")
	if strings.Contains(body, "audit.action.") {
		t.Error("the audit log shows an untranslated catalogue action")
	}
}

var refRE = regexp.MustCompile(`"#/components/schemas/([A-Za-z0-9_]+)"`)

// The OpenAPI document describes exactly the /api/v1 routes the server
// has, method by method, and its references resolve.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	f := newFixture(t)
	res, text := f.anon().get("/api/v1/openapi.json")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("openapi: %d", res.StatusCode)
	}
	var doc struct {
		OpenAPI    string                               `json:"openapi"`
		Paths      map[string]map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatalf("openapi JSON: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.0") {
		t.Errorf("openapi version %q", doc.OpenAPI)
	}
	routes := map[string]bool{}
	for _, r := range f.srv.Routes() {
		method, path, _ := strings.Cut(r.Pattern, " ")
		if !strings.HasPrefix(path, "/api/v1/") {
			continue
		}
		routes[strings.ToLower(method)+" "+path] = true
		op, ok := doc.Paths[path][strings.ToLower(method)]
		if !ok {
			t.Errorf("%s is not in openapi.json", r.Pattern)
			continue
		}
		if op["responses"] == nil || op["summary"] == nil {
			t.Errorf("%s: no summary or responses", r.Pattern)
		}
		// Every operation states its security; one the document calls
		// public must be public in the server too (a public route may
		// still check a session in its handler, so not the converse).
		sec, ok := op["security"].([]any)
		if !ok {
			t.Errorf("%s: no security stated", r.Pattern)
		} else if len(sec) == 0 && !r.Allow.Public {
			t.Errorf("%s: the document says public, the server does not", r.Pattern)
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			if !routes[method+" "+path] {
				t.Errorf("openapi.json describes %s %s, which the server does not have", strings.ToUpper(method), path)
			}
		}
	}
	for _, ref := range refRE.FindAllStringSubmatch(text, -1) {
		if doc.Components.Schemas[ref[1]] == nil {
			t.Errorf("unresolved $ref %s", ref[0])
		}
	}
}
