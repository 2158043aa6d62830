package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// bodyProbe is one API write and the text fields of its body.
type bodyProbe struct {
	user, method, path string
	body               string   // a body that is valid, or nearly
	fields             []string // dotted paths into the body: "materials.0.name"
}

// setPath puts v at a dotted path of a decoded JSON object.
func setPath(t *testing.T, obj map[string]any, path string, v any) {
	t.Helper()
	parts := strings.Split(path, ".")
	var cur any = obj
	for i, p := range parts {
		last := i == len(parts)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				c[p] = v
				return
			}
			cur = c[p]
		case []any:
			n, _ := strconv.Atoi(p)
			if last {
				c[n] = v
				return
			}
			cur = c[n]
		default:
			t.Fatalf("no %s in the body", path)
		}
	}
}

// hasFieldError reports whether the answer carries a field message for the
// probed field: its own name, or a path ending in it (materials[0].name).
func hasFieldError(out map[string]any, path string) bool {
	e, _ := out["error"].(map[string]any)
	fields, _ := e["fields"].(map[string]any)
	parts := strings.Split(path, ".")
	leaf := parts[len(parts)-1]
	for k := range fields {
		if k == path || k == leaf || strings.HasSuffix(k, "."+leaf) || strings.HasSuffix(k, "]"+leaf) || strings.HasPrefix(k, parts[0]) {
			return true
		}
	}
	return false
}

// TestJSONBodiesRefuseBadText: every text field of every API body, given
// 360 KB, control characters or a NUL, answers 422 with a message for that
// field and stores nothing; a body that is not UTF-8 is refused whole.
func TestJSONBodiesRefuseBadText(t *testing.T) {
	cf := newCaseFixture(t)
	clerkDept := cf.idOf(`SELECT department_id FROM staff WHERE username = 'clerk'`)
	hall := cf.idOf(`SELECT centre_id FROM staff WHERE username = 'clerk'`)
	no := cf.intake(cf.login("clerk"), "T-001", 1, 2)
	item := itemBody("ZZ-IN-001", "输入测试事项", clerkDept, "citizen", 20, 5, "[]")
	probes := []bodyProbe{
		{"admin", "POST", "/api/v1/regions", `{"code":"431099","name":"测试镇","kind":"township","parent_code":"431022"}`, []string{"code", "name"}},
		{"admin", "PUT", "/api/v1/regions/431022", `{"code":"431022","name":"宜章县","kind":"county","parent_code":"431000"}`, []string{"name"}},
		{"admin", "POST", "/api/v1/centres", `{"code":"ZZC","name":"测试中心","kind":"township","region_code":"431022","address":"某路1号","phone":"0735-3712345","hours":"8:00-17:00"}`,
			[]string{"code", "name", "kind", "region_code", "address", "phone", "hours"}},
		{"admin", "POST", "/api/v1/departments", `{"code":"ZZJ","name":"测试局","short_name":"测试","mode":"seated","phone":"0735-3712345"}`,
			[]string{"code", "name", "short_name", "mode", "phone", "region_code"}},
		{"admin", "POST", "/api/v1/windows", fmt.Sprintf(`{"centre_id":%d,"department_id":%d,"number":"A99","name":"测试窗口"}`, hall, clerkDept), []string{"number", "name"}},
		{"admin", "POST", "/api/v1/staff", fmt.Sprintf(`{"username":"zz.test","name":"测试","role":"clerk","centre_id":%d,"department_id":%d,"phone":"13800138000","password":"abc12345xyz"}`, hall, clerkDept),
			[]string{"username", "name", "role", "phone"}},
		{"clerk", "POST", "/api/v1/applicants", `{"kind":"citizen","id_number":"110105198001010016","name":"张三","phone":"13800138000","email":"a@b.cn","password":"abc12345"}`,
			[]string{"kind", "id_number", "name", "phone", "email"}},
		{"admin", "POST", "/api/v1/items", item, []string{"code", "name", "type", "audience", "legal_basis", "conditions", "deemed_note", "change_note",
			"themes.0", "materials.0.name", "materials.1.condition", "steps.0.name"}},
		{"admin", "POST", "/api/v1/items/T-001/status", `{"status":"suspended","reason":"测试"}`, []string{"status", "reason"}},
		{"admin", "POST", "/api/v1/composites", `{"code":"ZZ-CP-001","name":"测试并联","lead_department_id":` + strconv.FormatInt(clerkDept, 10) + `,"statutory_days":20,"promised_days":10,"item_codes":["T-001","T-003"]}`,
			[]string{"code", "name", "item_codes.0"}},
		{"clerk", "POST", "/api/v1/cases", fmt.Sprintf(`{"item_code":"T-001","applicant_id":%d,"channel":"window","materials":[{"seq":1,"paper":true}]}`, cf.app.ID), []string{"item_code", "channel"}},
		{"clerk", "POST", "/api/v1/cases/" + no + "/actions/decline", `{"reason":"不符合条件","remedy":"可申请复议","right_organ":"县人民政府"}`, []string{"reason", "right_organ"}},
		{"admin", "PUT", "/api/v1/calendar/years/2030", `{"year":2030,"source":"国办发明电〔2029〕1号","holidays":[{"name":"元旦","from":"2030-01-01","to":"2030-01-01"}],"workdays":[]}`,
			[]string{"source", "holidays.0.name"}},
	}
	clients := map[string]*client{}
	for _, p := range probes {
		if clients[p.user] == nil {
			clients[p.user] = cf.login(p.user)
		}
		c := clients[p.user]
		for _, field := range p.fields {
			for name, v := range map[string]string{"360 KB": strings.Repeat("a", 360<<10), "control": "ab\x01cd", "NUL": "ab\x00cd", "escape": "ab\x1b[2Jcd"} {
				var obj map[string]any
				if err := json.Unmarshal([]byte(p.body), &obj); err != nil {
					t.Fatalf("%s %s: bad probe body: %v", p.method, p.path, err)
				}
				setPath(t, obj, field, v)
				b, _ := json.Marshal(obj)
				res, out := c.api(p.method, p.path, string(b))
				if res.StatusCode != http.StatusUnprocessableEntity || !hasFieldError(out, field) {
					t.Errorf("%s %s %s=%s: %d %.300v, want 422 for %s", p.method, p.path, field, name, res.StatusCode, out, field)
				}
			}
		}
		// Not UTF-8 at all: the body is refused before anything reads it
		// (the decoder would turn the bytes into U+FFFD and store those).
		field := p.fields[0]
		if slices.Contains(p.fields, "name") {
			field = "name"
		}
		if !strings.Contains(p.body, `"`+field+`":"`) {
			t.Fatalf("%s %s: no %s in the body", p.method, p.path, field)
		}
		res, out := c.api(p.method, p.path, strings.Replace(p.body, `"`+field+`":"`, `"`+field+`":"`+badUTF8, 1))
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s %s with invalid UTF-8: %d %v", p.method, p.path, res.StatusCode, out)
		}
	}
	for _, q := range []string{`SELECT COUNT(*) FROM regions WHERE code = '431099'`, `SELECT COUNT(*) FROM centres WHERE code = 'ZZC'`,
		`SELECT COUNT(*) FROM departments WHERE code = 'ZZJ'`, `SELECT COUNT(*) FROM staff WHERE username = 'zz.test'`,
		`SELECT COUNT(*) FROM applicants WHERE id_number = '110105198001010016'`} {
		if n := cf.idOf(q); n != 0 {
			t.Errorf("bad input was stored: %s → %d", q, n)
		}
	}
}

// TestFormsRefuseBadText: the same through the forms, including fields no
// domain rule reads as text (a username looked up at sign-in, a password):
// invalid UTF-8 there once reached PostgreSQL and answered a 500.
func TestFormsRefuseBadText(t *testing.T) {
	f := newFixture(t)
	admin := f.login("admin")
	before := countDepartments(f)
	for name, v := range map[string]string{"360 KB": strings.Repeat("a", 360<<10), "invalid UTF-8": badUTF8, "control": controlChr} {
		form := url.Values{"code": {"ZZJ"}, "name": {v}, "short_name": {"测试"}, "mode": {"seated"}}
		if res, body := admin.post("/admin/departments", form); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#f-name"`) {
			t.Errorf("department form, name %s: %d %s", name, res.StatusCode, problemOf(body))
		}
		anon := f.anon()
		for _, field := range []string{"username", "password"} {
			form := url.Values{"username": {"clerk"}, "password": {"whatever1"}}
			form.Set(field, v)
			if res, body := anon.post("/login", form); res.StatusCode >= 500 || res.StatusCode == http.StatusSeeOther {
				t.Errorf("login, %s %s: %d %s", field, name, res.StatusCode, problemOf(body))
			}
		}
		anon.get("/signin")
		if res, body := anon.post("/signin", url.Values{"id_number": {v}, "password": {"whatever1"}}); res.StatusCode >= 500 || res.StatusCode == http.StatusSeeOther {
			t.Errorf("applicant sign-in, id_number %s: %d %s", name, res.StatusCode, problemOf(body))
		}
		reg := f.anon()
		reg.get("/register")
		form = url.Values{"kind": {"citizen"}, "id_number": {"110105198001010016"}, "name": {v}, "phone": {"13800138000"}, "password": {"abc12345"}, "again": {"abc12345"}}
		if res, body := reg.post("/register", form); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("register, name %s: %d %s", name, res.StatusCode, problemOf(body))
		}
	}
	if countDepartments(f) != before || f.idOf(`SELECT COUNT(*) FROM applicants WHERE id_number = '110105198001010016'`) != 0 {
		t.Fatal("bad input was stored")
	}
}
