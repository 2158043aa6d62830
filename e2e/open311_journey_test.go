package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"onestop/internal/demo"
)

// The county hall's admin issues an Open311 key to a civic app from the
// menu, the app files a consultation with it and anyone reads its state;
// the admin revokes the key and the app can file no more.
func TestAdminIssuesOpen311KeyAppFiles(t *testing.T) {
	t.Parallel()
	app, b := Start(t)

	b.Login("admin", demo.Password)
	b.ClickAndWait(`nav a[href="/admin/open311"]`)
	b.ExpectPath("/admin/open311")
	b.ExpectText("h1", "Open311 接口密钥")
	b.Fill("#f-name", "城关街道 App")
	b.Submit()
	b.WaitVisible(`[data-testid="open311-key"]`)
	key := b.Text(`[data-testid="open311-key"]`)
	if !strings.HasPrefix(key, "o311_") {
		b.Fatalf("the key shown: %q", key)
	}
	b.ExpectTextContains(`[data-testid="open311-clients"] tbody tr`, "城关街道 App")

	post := func() (int, string) {
		form := url.Values{"api_key": {key}, "service_code": {"consult"}, "attribute[department]": {"FGJ"},
			"address_string": {"宜章县政务服务中心"}, "phone": {"13800138000"}, "description": {"企业投资项目备案需要哪些材料？"}}
		res, err := http.PostForm(app.URL+"/open311/v2/requests.json", form)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(body)
	}
	status, body := post()
	var created []struct {
		ID string `json:"service_request_id"`
	}
	if status != http.StatusOK || json.Unmarshal([]byte(body), &created) != nil || len(created) != 1 {
		t.Fatalf("the app files: %d %s", status, body)
	}
	res, err := http.Get(app.URL + "/open311/v2/requests/" + created[0].ID + ".xml")
	if err != nil {
		t.Fatal(err)
	}
	xml, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(xml), "<status>open</status>") || strings.Contains(string(xml), "13800138000") {
		t.Errorf("anyone reads the request, without the asker's phone: %s", xml)
	}

	b.ClickAndWait(`[data-testid="open311-clients"] form[action$="/revoke"] button`)
	b.ExpectPath("/admin/open311")
	b.ExpectTextContains("p.flash", "密钥已吊销")
	b.ExpectTextContains(`[data-testid="open311-clients"] tbody tr`, "已吊销")
	if status, body := post(); status != http.StatusForbidden || !strings.Contains(body, `"code":403`) {
		t.Errorf("a revoked key files: %d %s", status, body)
	}
}
