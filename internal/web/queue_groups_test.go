package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

func init() {
	for _, r := range []string{"GET /admin/queue/groups/{id}", "POST /admin/queue/groups/{id}", "POST /admin/queue/groups/{id}/retire"} {
		expected[r] = centreAdm
		// Another centre's group is not found: TestQueueGroupEditRetire.
		scopeRoutes[r] = kNone
	}
}

// The centre admin renames a queue group and changes its windows, then
// retires it: the kiosk, the portal and a window's walk-in each refuse it
// in words, the kiosk no longer lists it, its tickets stay, and both
// changes are in the audit log. A township's admin finds the hall's group
// nowhere; a forged form changes nothing; a 50,000-character name is a
// field error.
func TestQueueGroupEditRetire(t *testing.T) {
	f := newFixture(t)
	hall := hallCode(f)
	group := f.idOf(`SELECT id FROM queue_groups WHERE prefix = 'D' AND centre_id = (SELECT centre_id FROM staff WHERE username = 'clerk')`)
	gid := strconv.FormatInt(group, 10)
	page := "/admin/queue/groups/" + gid
	hallWin := strconv.FormatInt(f.idOf(`SELECT window_id FROM staff WHERE username = 'clerk'`), 10)
	admin := f.login("admin")
	if _, body := admin.get("/admin/queue?centre=" + hall); !strings.Contains(body, `href="`+page+`"`) {
		t.Fatal("no edit link on the queue page")
	}
	if res, body := admin.get(page); res.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="queue-group-edit"`) {
		t.Fatalf("edit page: %d %s", res.StatusCode, problemOf(body))
	}
	township := f.login("township")
	for _, p := range []string{page} {
		if res, _ := township.get(p); res.StatusCode != http.StatusNotFound {
			t.Errorf("township admin reads the hall's group: %d", res.StatusCode)
		}
	}
	if res, _ := township.post(page, url.Values{"prefix": {"D"}, "name": {"x"}, "windows": {hallWin}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("township admin edits the hall's group: %d", res.StatusCode)
	}
	if res, _ := township.post(page+"/retire", url.Values{}); res.StatusCode != http.StatusNotFound {
		t.Errorf("township admin retires the hall's group: %d", res.StatusCode)
	}
	if res, _ := admin.post(page, url.Values{"prefix": {"D"}, "name": {"伪造"}, "windows": {hallWin}, "csrf_token": {"forged"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("forged edit: %d", res.StatusCode)
	}
	if res, _ := admin.post(page+"/retire", url.Values{"csrf_token": {"forged"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("forged retire: %d", res.StatusCode)
	}
	res, body := admin.post(page, url.Values{"prefix": {"D"}, "name": {strings.Repeat("名", 50000)}, "windows": {hallWin}})
	if res.StatusCode != http.StatusUnprocessableEntity && res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("long name: %d %s", res.StatusCode, problemOf(body))
	}
	if res, _ := admin.post(page, url.Values{"prefix": {"D"}, "name": {"企业开办专区"}, "windows": {hallWin}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", res.StatusCode)
	}
	if _, body := f.anon().get("/queue/kiosk/" + hall); !strings.Contains(body, "企业开办专区") {
		t.Error("the kiosk does not show the new name")
	}

	// A kiosk ticket, taken before the retirement, and served.
	res, _ = f.anon().post("/queue/kiosk/"+hall, url.Values{"group": {gid}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("kiosk ticket: %d", res.StatusCode)
	}
	// Retiring with that ticket waiting is refused in words.
	if res, body := admin.post(page+"/retire", url.Values{}); res.StatusCode != http.StatusConflict || !strings.Contains(body, "办完后再停用") {
		t.Errorf("retire with a waiting ticket: %d %s", res.StatusCode, problemOf(body))
	}
	f.exec(`UPDATE queue_tickets SET state = 'done' WHERE group_id = $1`, group)
	if res, _ := admin.post(page+"/retire", url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("retire: %d", res.StatusCode)
	}
	const refused = "该业务已停止取号"
	if res, body := f.anon().post("/queue/kiosk/"+hall, url.Values{"group": {gid}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, refused) {
		t.Errorf("kiosk: %d %s", res.StatusCode, problemOf(body))
	}
	if res, body := f.anon().post("/queue/take/"+hall, url.Values{"group": {gid}, "phone": {"13900139000"}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, refused) {
		t.Errorf("portal: %d %s", res.StatusCode, problemOf(body))
	}
	clerk := f.login("clerk")
	if res, _ := clerk.post("/workbench/queue/issue", url.Values{"group": {gid}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("walk-in: %d", res.StatusCode)
	}
	if _, body := clerk.get("/workbench"); !strings.Contains(body, refused) {
		t.Error("the window's walk-in is not refused in words")
	}
	if _, body := f.anon().get("/queue/kiosk/" + hall); strings.Contains(body, `data-testid="kiosk-group-D"`) {
		t.Error("the kiosk still offers the retired group")
	}
	if n := f.idOf(`SELECT COUNT(*) FROM queue_tickets WHERE group_id = $1`, group); n != 1 {
		t.Errorf("the retired group's tickets: %d", n)
	}
	if n := f.idOf(`SELECT COUNT(*) FROM audit_log WHERE entity = 'queue_group' AND action IN ('update','retire')`); n != 2 {
		t.Errorf("%d audit entries for an edit and a retirement", n)
	}
	if _, body := admin.get(page); !strings.Contains(body, `data-testid="group-retired"`) {
		t.Error("the retired group's page does not say so")
	}
}
