package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The two grant holes of issue 10, as they were reproduced against the
// demo over the JSON API: each must answer with a field error and leave
// the organisation as it was.
func TestEscalationOverTheAPI(t *testing.T) {
	f := newFixture(t)
	tw := f.login("township")
	self := f.idOf(`SELECT id FROM staff WHERE username = 'township'`)
	hallDept := f.idOf(`SELECT department_id FROM staff WHERE username = 'clerk'`)
	ownCentre := f.idOf(`SELECT centre_id FROM staff WHERE username = 'township'`)
	accounts := f.idOf(`SELECT COUNT(*) FROM staff`)
	grants := f.idOf(`SELECT COUNT(*) FROM audit_log WHERE entity = 'staff'`)

	attempts := []struct {
		method, path, body, field string
	}{
		// 1. One request made a township admin the county's.
		{"PUT", fmt.Sprintf("/api/v1/staff/%d", self), `{"name":"乡镇管理员","role":"centre_admin","centre_id":0}`, "centre_id"},
		{"PUT", fmt.Sprintf("/api/v1/staff/%d", self), fmt.Sprintf(`{"name":"乡镇管理员","role":"centre_admin","centre_id":%d,"scope":"province"}`, ownCentre), "scope"},
		{"POST", "/api/v1/staff", `{"username":"evil.admin","name":"某人","role":"centre_admin","centre_id":0,"password":"abcd1234"}`, "centre_id"},
		{"POST", "/api/v1/staff", `{"username":"evil.admin","name":"某人","role":"centre_admin","scope":"province","password":"abcd1234"}`, "scope"},
		// 2. Reviewers, approvers and department admins of a hall department.
		{"POST", "/api/v1/staff", fmt.Sprintf(`{"username":"evil.rev","name":"某人","role":"reviewer","centre_id":%d,"department_id":%d,"password":"abcd1234"}`, ownCentre, hallDept), "role"},
		{"POST", "/api/v1/staff", fmt.Sprintf(`{"username":"evil.appr","name":"某人","role":"approver","centre_id":%d,"department_id":%d,"password":"abcd1234"}`, ownCentre, hallDept), "role"},
		{"POST", "/api/v1/staff", fmt.Sprintf(`{"username":"evil.da","name":"某人","role":"dept_admin","centre_id":%d,"department_id":%d,"password":"abcd1234"}`, ownCentre, hallDept), "role"},
	}
	for _, at := range attempts {
		res, out := tw.api(at.method, at.path, at.body)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s %s %s: status %d, want 422 (%v)", at.method, at.path, at.body, res.StatusCode, out)
			continue
		}
		fields, _ := out["error"].(map[string]any)["fields"].(map[string]any)
		if msg, _ := fields[at.field].(string); msg == "" {
			t.Errorf("%s %s: no message on field %s: %v", at.method, at.body, at.field, out)
		}
	}
	if n := f.idOf(`SELECT COUNT(*) FROM staff`); n != accounts {
		t.Fatalf("refused grants created %d accounts", n-accounts)
	}
	if n := f.idOf(`SELECT COUNT(*) FROM audit_log WHERE entity = 'staff'`); n != grants {
		t.Fatalf("refused grants wrote %d audit entries", n-grants)
	}
	if role := f.idOf(`SELECT COUNT(*) FROM staff WHERE id = $1 AND role = 'centre_admin' AND centre_id = $2 AND scope = ''`, self, ownCentre); role != 1 {
		t.Fatal("the township admin's own account changed")
	}
	// Still a township admin: the hall's accounts stay out of sight.
	hallAdmin := f.idOf(`SELECT id FROM staff WHERE username = 'admin'`)
	if res, _ := tw.api("GET", fmt.Sprintf("/api/v1/staff/%d", hallAdmin), ""); res.StatusCode != http.StatusNotFound {
		t.Fatalf("township admin reads the hall admin's account: %d", res.StatusCode)
	}
}

// Everyone keeps their own name and phone current, on the page and over
// the API, and nothing else of their account: a role or centre sent along
// is refused on that field and changes nothing.
func TestOwnAccountNameAndPhoneOnly(t *testing.T) {
	f := newFixture(t)
	c := f.login("clerk")
	res, page := c.get("/account")
	if res.StatusCode != http.StatusOK || !strings.Contains(page, `name="phone"`) {
		t.Fatalf("account page: %d", res.StatusCode)
	}
	res, _ = c.post("/account", url.Values{"name": {"李新名"}, "phone": {"13912345678"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save own name: %d", res.StatusCode)
	}
	if n := f.idOf(`SELECT COUNT(*) FROM staff WHERE username = 'clerk' AND name = '李新名' AND phone = '13912345678' AND role = 'clerk'`); n != 1 {
		t.Fatal("own name and phone not stored")
	}
	res, out := c.api("PUT", "/api/v1/me", `{"name":"李新名","phone":"13912345678","role":"centre_admin"}`)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("role through /api/v1/me: %d %v", res.StatusCode, out)
	}
	res, _ = c.api("PUT", "/api/v1/me", `{"name":"","phone":"13912345678"}`)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("empty name: %d", res.StatusCode)
	}
	if n := f.idOf(`SELECT COUNT(*) FROM staff WHERE username = 'clerk' AND name = '李新名' AND role = 'clerk'`); n != 1 {
		t.Fatal("a refused self-edit changed the account")
	}
	// The staff API, which admins use, stays closed to a clerk even for
	// their own id.
	self := f.idOf(`SELECT id FROM staff WHERE username = 'clerk'`)
	if res, _ := c.api("PUT", fmt.Sprintf("/api/v1/staff/%d", self), `{"name":"x","role":"centre_admin"}`); res.StatusCode != http.StatusForbidden {
		t.Fatalf("clerk PUT own staff record: %d", res.StatusCode)
	}
}

// A staff member sets the e-mail address their notes also go to, on the
// account page and over the API: a malformed address changes nothing,
// not even the name sent with it; the change is on the audit record; an
// API call without the field keeps the address.
func TestOwnAccountEmail(t *testing.T) {
	f := newFixture(t)
	c := f.login("clerk")
	email := func() string { return f.text(`SELECT email FROM staff WHERE username = 'clerk'`) }
	for _, bad := range []string{"li@@example", "李 <li@example.cn>", strings.Repeat("a", 50000) + "@example.cn"} {
		res, page := c.post("/account", url.Values{"name": {"改名"}, "phone": {"13912345678"}, "email": {bad}})
		if res.StatusCode != http.StatusUnprocessableEntity && res.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("%.40q: %d", bad, res.StatusCode)
		}
		if res.StatusCode == http.StatusUnprocessableEntity && fieldErrors(page)["email"] == "" {
			t.Errorf("%.40q: no error on the e-mail field: %v", bad, fieldErrors(page))
		}
	}
	if email() != "" || f.idOf(`SELECT COUNT(*) FROM staff WHERE name = '改名'`) != 0 {
		t.Fatal("a refused address changed the account")
	}
	if res, page := c.post("/account", url.Values{"name": {"李新名"}, "phone": {"13912345678"}, "email": {"li@example.cn"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d %v", res.StatusCode, fieldErrors(page))
	}
	if email() != "li@example.cn" {
		t.Fatalf("address saved as %q", email())
	}
	if _, page := c.get("/account"); !strings.Contains(page, `value="li@example.cn"`) {
		t.Error("the account page does not show the saved address")
	}
	if n := f.idOf(`SELECT COUNT(*) FROM audit_log WHERE entity = 'staff' AND after LIKE '%li@example.cn%'`); n != 1 {
		t.Errorf("%d audit rows for the address, want 1", n)
	}
	if res, _ := c.api("PUT", "/api/v1/me", `{"name":"李新名","phone":"13912345678"}`); res.StatusCode != http.StatusOK || email() != "li@example.cn" {
		t.Errorf("API without e-mail: %d, address %q", res.StatusCode, email())
	}
	if res, _ := c.api("PUT", "/api/v1/me", `{"name":"李新名","phone":"13912345678","email":""}`); res.StatusCode != http.StatusOK || email() != "" {
		t.Errorf("API clearing e-mail: %d, address %q", res.StatusCode, email())
	}
}
