package web_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/applicants"
	"onestop/internal/files"
)

// pdfWith is a distinct small PDF: uploads in these tests must not share
// bytes unless the test means them to.
func pdfWith(marker string) []byte {
	return append(append([]byte{}, tinyPDF...), []byte("% "+marker+"\n")...)
}

// otherApplicant registers a second applicant and signs them in.
func (cf *caseFixture) otherApplicant(seq int, phone string) *client {
	cf.t.Helper()
	number := residentID(seq)
	as := &applicants.Service{DB: cf.db, Now: cf.clock}
	if _, err := as.Register(context.Background(), applicants.Input{Kind: "citizen", IDNumber: number, Name: "李四", Phone: phone, Password: "other12345"}, true); err != nil {
		cf.t.Fatal(err)
	}
	c := cf.anon()
	if !c.signin(number, "other12345") {
		cf.t.Fatal("sign-in")
	}
	c.get("/me")
	return c
}

func upload(t *testing.T, c *client, name string, data []byte) string {
	t.Helper()
	res, ref := uploadAPI(c, name, data)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("upload %s: %d %v", name, res.StatusCode, ref)
	}
	return ref["sha256"].(string)
}

func submitWith(c *client, sha string) (*http.Response, map[string]any) {
	return c.api("POST", "/api/v1/cases", fmt.Sprintf(`{"item_code":"T-001","materials":[{"seq":1,"file":{"sha256":%q,"name":"申请表.pdf"}}]}`, sha))
}

// The hole: naming the hash of another applicant's upload attached it to
// one's own case, and then served it; a hash nobody uploaded got another
// answer, so the store also told whether a file existed.
func TestForeignHashRefusedLikeUnknown(t *testing.T) {
	cf := newCaseFixture(t)
	victim := cf.applicant()
	secret := pdfWith("victim's ID card scan")
	sha := upload(t, victim, "身份证.pdf", secret)

	thief := cf.otherApplicant(81, "13900000081")
	fres, foreign := submitWith(thief, sha)
	ures, unknown := submitWith(thief, strings.Repeat("b", 64))
	if fres.StatusCode != http.StatusUnprocessableEntity || fieldOf(foreign, "materials.1.file") == "" {
		t.Fatalf("foreign hash: %d %v", fres.StatusCode, foreign)
	}
	if fres.StatusCode != ures.StatusCode || !reflect.DeepEqual(foreign["error"], unknown["error"]) {
		t.Fatalf("foreign %d %v\nunknown %d %v", fres.StatusCode, foreign, ures.StatusCode, unknown)
	}
	if mine, _ := cf.srv.Cases.ForApplicant(t.Context(), cf.idOf(`SELECT id FROM applicants WHERE phone = '13900000081'`), 10); len(mine) != 0 {
		t.Fatal("the thief opened a case")
	}
	// A clerk cannot attach an applicant's online upload either.
	clerk := cf.login("clerk")
	res, out := clerk.api("POST", "/api/v1/cases", fmt.Sprintf(`{"item_code":"T-001","applicant_id":%d,"materials":[{"seq":1,"file":{"sha256":%q,"name":"x.pdf"}}]}`, cf.app.ID, sha))
	if res.StatusCode != http.StatusUnprocessableEntity || !reflect.DeepEqual(out["error"], unknown["error"]) {
		t.Fatalf("clerk with an applicant's hash: %d %v", res.StatusCode, out)
	}
	// Identical bytes uploaded by the thief are the thief's own: allowed,
	// and the victim's binding is untouched.
	if got := upload(t, thief, "mine.pdf", secret); got != sha {
		t.Fatalf("same bytes, other hash: %s", got)
	}
	if res, out := submitWith(thief, sha); res.StatusCode != http.StatusCreated {
		t.Fatalf("own upload of the same bytes: %d %v", res.StatusCode, out)
	}
	if res, out := submitWith(victim, sha); res.StatusCode != http.StatusCreated {
		t.Fatalf("the victim's own file: %d %v", res.StatusCode, out)
	}
	// A case's own file may be named again in its actions; another
	// case's file may not.
	res, out = clerk.api("POST", "/api/v1/cases", fmt.Sprintf(`{"item_code":"T-001","applicant_id":%d,"materials":[{"seq":1,"paper":true}]}`, cf.app.ID))
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("window case: %d %v", res.StatusCode, out)
	}
	no := out["no"].(string)
	clerk.api("POST", "/api/v1/cases/"+no+"/actions/supplement", `{"materials":[{"seq":2,"status":"missing","note":"身份证复印件"}]}`)
	resubmit := func(sha string) (*http.Response, map[string]any) {
		return clerk.api("POST", "/api/v1/cases/"+no+"/actions/resubmit", fmt.Sprintf(`{"materials":[{"seq":2,"file":{"sha256":%q,"name":"x.pdf"}}]}`, sha))
	}
	res, out = resubmit(sha)
	_, unknown = resubmit(strings.Repeat("b", 64))
	if res.StatusCode != http.StatusUnprocessableEntity || fieldOf(out, "materials.2.file") == "" || !reflect.DeepEqual(out["error"], unknown["error"]) {
		t.Fatalf("resubmit with another case's file: %d %v", res.StatusCode, out)
	}
}

// Scans are served only with no-store: no copy in any cache.
func TestCaseFileNotCached(t *testing.T) {
	cf := newCaseFixture(t)
	app := cf.applicant()
	sha := upload(t, app, "申请表.pdf", pdfWith("no-store"))
	res, out := submitWith(app, sha)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("submit: %d %v", res.StatusCode, out)
	}
	no := out["no"].(string)
	for _, c := range []struct {
		who  *client
		path string
	}{{app, "/my/cases/" + no + "/files/" + sha}, {cf.login("clerk"), "/cases/" + no + "/files/" + sha}} {
		res, body := c.who.get(c.path)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "no-store") || res.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("%s: %d %q", c.path, res.StatusCode, res.Header.Get("Cache-Control"))
		}
	}
}

// An applicant uploads at most files.DailyQuota a day.
func TestUploadQuota(t *testing.T) {
	cf := newCaseFixture(t)
	app := cf.applicant()
	upload(t, app, "a.pdf", pdfWith("first"))
	// What was uploaded earlier today, nearly the whole quota.
	if _, err := cf.db.W.Exec(`INSERT INTO file_owners (sha256, owner_kind, owner_id, size, created_at) VALUES ($1, 'applicant', $2, $3, $4)`,
		strings.Repeat("c", 64), cf.app.ID, files.DailyQuota-200, cf.clock().Add(-time.Hour).UTC()); err != nil {
		t.Fatal(err)
	}
	data := pdfWith("over the quota")
	res, out := uploadAPI(app, "b.pdf", data)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(fieldOf(out, "file"), "上限") {
		t.Fatalf("over the quota: %d %v", res.StatusCode, out)
	}
	// The form path refuses the same way, and nothing is stored.
	app.get("/apply/T-001")
	res, body := app.uploadFiles("/apply/T-001", nil, map[string]fileBody{"m1": {"b.pdf", data}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "上限") {
		t.Fatalf("form over the quota: %d %s", res.StatusCode, problemOf(body))
	}
	if _, err := cf.srv.Files.Open(fmt.Sprintf("%x", sha256sum(data))); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("a refused upload was stored: %v", err)
	}
	// A day later the quota is free again; clerks have none.
	cf.set(cf.clock().Add(25 * time.Hour))
	upload(t, cf.applicant(), "b.pdf", data)
	clerkID := cf.idOf(`SELECT id FROM staff WHERE username = 'clerk'`)
	if _, err := cf.db.W.Exec(`INSERT INTO file_owners (sha256, owner_kind, owner_id, size, created_at) VALUES ($1, 'staff', $2, $3, $4)`,
		strings.Repeat("d", 64), clerkID, 2*files.DailyQuota, cf.clock().UTC()); err != nil {
		t.Fatal(err)
	}
	upload(t, cf.login("clerk"), "scan.pdf", pdfWith("window scan"))
}

func sha256sum(b []byte) [32]byte { return sha256.Sum256(b) }

func exists(t *testing.T, st *files.Store, sha string) bool {
	t.Helper()
	f, err := st.Open(sha)
	if err == nil {
		f.Close()
		return true
	}
	if !apperr.Is(err, apperr.NotFound) {
		t.Fatal(err)
	}
	return false
}

// Files nobody attached go after files.Retention; a file a case named
// stays, even once a resubmission replaced it in the case.
func TestUnattachedFilesCleanup(t *testing.T) {
	cf := newCaseFixture(t)
	cf.srv.Files.Now = cf.clock
	app := cf.applicant()
	clerk := cf.login("clerk")
	loose := upload(t, app, "loose.pdf", pdfWith("never attached"))
	renewed := upload(t, app, "renewed.pdf", pdfWith("uploaded again"))
	first := upload(t, app, "first.pdf", pdfWith("first version"))
	res, out := submitWith(app, first)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("submit: %d %v", res.StatusCode, out)
	}
	no := out["no"].(string)
	if res, out := clerk.api("POST", "/api/v1/cases/"+no+"/actions/supplement", `{"materials":[{"seq":1,"status":"defective","note":"缺少签名"},{"seq":2,"status":"missing","note":"身份证复印件"}]}`); res.StatusCode != http.StatusOK {
		t.Fatalf("supplement: %d %v", res.StatusCode, out)
	}
	second := upload(t, app, "second.pdf", pdfWith("second version"))
	if res, out := app.api("POST", "/api/v1/cases/"+no+"/actions/resubmit", fmt.Sprintf(`{"materials":[{"seq":1,"file":{"sha256":%q,"name":"申请表.pdf"}}]}`, second)); res.StatusCode != http.StatusOK {
		t.Fatalf("resubmit: %d %v", res.StatusCode, out)
	}
	// A file the case names but whose attachment was never marked (the
	// process stopped between the case's commit and the mark) is kept
	// because the case names it.
	if _, err := cf.db.W.Exec(`UPDATE file_owners SET attached_at = NULL WHERE sha256 = $1`, second); err != nil {
		t.Fatal(err)
	}
	owners := &files.Owners{DB: cf.db}
	cf.set(cf.clock().Add(6 * 24 * time.Hour))
	if n, err := owners.Cleanup(t.Context(), cf.srv.Files, cf.clock()); err != nil || n != 0 {
		t.Fatalf("cleanup within the retention period: %d %v", n, err)
	}
	app = cf.applicant() // the session ended meanwhile
	upload(t, app, "renewed.pdf", pdfWith("uploaded again"))
	cf.set(cf.clock().Add(2 * 24 * time.Hour))
	app = cf.applicant()
	n, err := owners.Cleanup(t.Context(), cf.srv.Files, cf.clock())
	if err != nil || n != 1 {
		t.Fatalf("cleanup: %d %v", n, err)
	}
	if exists(t, cf.srv.Files, loose) {
		t.Fatal("the file never attached is still there")
	}
	for name, sha := range map[string]string{"renewed": renewed, "replaced": first, "current": second} {
		if !exists(t, cf.srv.Files, sha) {
			t.Fatalf("the %s file was removed", name)
		}
	}
	// The replaced file is still what the record names... and the
	// current one is served.
	if res, _ := app.get("/my/cases/" + no + "/files/" + second); res.StatusCode != http.StatusOK {
		t.Fatalf("current file: %d", res.StatusCode)
	}
	// The removed file can no longer be attached, with the usual answer.
	res, out = submitWith(app, loose)
	_, unknown := submitWith(app, strings.Repeat("e", 64))
	if res.StatusCode != http.StatusUnprocessableEntity || !reflect.DeepEqual(out["error"], unknown["error"]) {
		t.Fatalf("removed file: %d %v", res.StatusCode, out)
	}
}

// A document reprints the addressee it was issued to, not the
// applicant's name as it is now.
func TestReprintShowsOriginalAddressee(t *testing.T) {
	cf := newCaseFixture(t)
	clerk := cf.login("clerk")
	no := cf.intake(clerk, "T-001", 1, 2)
	if _, err := cf.db.W.Exec(`UPDATE applicants SET name = '王大明' WHERE id = $1`, cf.app.ID); err != nil {
		t.Fatal(err)
	}
	cf.mustAct(clerk, no, "accept", nil)
	app := cf.applicant()
	for _, d := range []struct {
		c          *client
		path, want string
	}{
		{clerk, "/cases/" + no + "/documents/receipt", "王小明"},
		{app, "/my/cases/" + no + "/documents/receipt", "王小明"},
		{clerk, "/cases/" + no + "/documents/acceptance", "王大明"},
	} {
		res, body := d.c.get(d.path + "?lang=zh-CN")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", d.path, res.StatusCode)
		}
		to := docToRE.FindStringSubmatch(body)
		if to == nil || !strings.Contains(to[1], d.want) {
			t.Fatalf("%s addressed %q, want %s", d.path, to, d.want)
		}
	}
	// Staff who see names masked see the recorded one masked too, on the
	// document and in the record the API returns.
	sup := cf.login("supervisor")
	_, body := sup.get("/cases/" + no + "/documents/receipt")
	if to := docToRE.FindStringSubmatch(body); to == nil || strings.Contains(to[1], "小明") {
		t.Fatalf("supervisor's receipt: %q", to)
	}
	res, text := sup.get("/api/v1/cases/" + no)
	if res.StatusCode != http.StatusOK || strings.Contains(text, "小明") || strings.Contains(text, "大明") {
		t.Fatalf("supervisor's API view names the applicant: %d", res.StatusCode)
	}
	if _, text := clerk.get("/api/v1/cases/" + no); !strings.Contains(text, `"addressee":"王小明"`) {
		t.Fatal("the record does not keep the addressee")
	}
}

var docToRE = regexp.MustCompile(`data-testid="doc-to">([^<]*)<`)
