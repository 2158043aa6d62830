package web_test

import (
	"encoding/base64"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"onestop/internal/testutil"
	"onestop/internal/web"
)

// getAs requests path with a forged Host header.
func (c *client) getAs(host, path string) (*http.Response, string) {
	req, _ := http.NewRequest(http.MethodGet, c.f.ts.URL+path, nil)
	req.Host = host
	// The jar files cookies under the Host the request names; send the
	// browser's own by hand.
	for _, ck := range c.hc.Jar.Cookies(req.URL) {
		req.AddCookie(ck)
	}
	return c.do(req)
}

var docQRRE = regexp.MustCompile(`src="data:image/png;base64,([^"]+)"[^>]*data-testid="doc-qr"`)

const publicBase = "https://zwfw.yizhang.gov.cn"

// A notice's QR code holds the configured public address of the progress
// query for its case, whatever Host the request named; opened, that page
// has the number filled in and asks only for the phone, without an error.
func TestNoticeQRLeadsToProgressPage(t *testing.T) {
	cf := newCaseFixture(t)
	cf.srv.Config.PublicURL = publicBase
	clerk := cf.login("clerk")
	no := cf.intake(clerk, "T-001", 1, 2)
	res, body := clerk.getAs("evil.example", "/cases/"+no+"/documents/receipt")
	m := docQRRE.FindStringSubmatch(body)
	if res.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("receipt: %d %s, QR found %v", res.StatusCode, res.Header.Get("Location"), m != nil)
	}
	data, err := base64.StdEncoding.DecodeString(html.UnescapeString(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	got := testutil.DecodeQR(t, data)
	if want := publicBase + "/progress?no=" + no; got != want {
		t.Fatalf("the notice's QR holds %q, want %q", got, want)
	}
	// The citizen's phone opens it.
	res, page := cf.anon().get(strings.TrimPrefix(got, publicBase))
	if res.StatusCode != http.StatusOK || !strings.Contains(page, `name="no" type="text" value="`+no+`"`) {
		t.Fatalf("the QR's page: %d, number not filled in\n%s", res.StatusCode, problemOf(page))
	}
	if strings.Contains(page, `class="err"`) || strings.Contains(page, `aria-invalid`) || strings.Contains(page, `role="alert"`) {
		t.Fatalf("the QR's page shows an error:\n%s", page)
	}
	// A submitted form without the phone still says what is missing.
	res, page = cf.anon().get("/progress?no=" + no + "&phone=")
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `class="err"`) {
		t.Fatalf("a submitted form without the phone: %d", res.StatusCode)
	}
}

// The service guide card's QR code holds the public address too.
func TestGuideQRUsesPublicURL(t *testing.T) {
	cf := newCaseFixture(t)
	cf.srv.Config.PublicURL = publicBase
	res, img := cf.anon().getAs("evil.example", "/guide/items/T-001/qr.png")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("qr: %d", res.StatusCode)
	}
	if got, want := testutil.DecodeQR(t, []byte(img)), publicBase+"/guide/items/T-001"; got != want {
		t.Fatalf("the guide's QR holds %q, want %q", got, want)
	}
}

// Someone typing wrong phones for a case from one address waits longer and
// longer; the case's owner with the right phone elsewhere gets the answer
// after a short wait at most.
func TestProgressOwnerNotLockedOut(t *testing.T) {
	cf := newCaseFixture(t)
	no := cf.intake(cf.login("clerk"), "T-001", 1, 2)
	guesser, owner := cf.from("10.0.0.66"), cf.from("10.0.0.7")
	query := func(c *client, phone string) (*http.Response, string) {
		return c.get("/progress?no=" + no + "&phone=" + phone)
	}
	for fails := 0; fails < 16; {
		res, body := query(guesser, "13900139000")
		switch res.StatusCode {
		case http.StatusTooManyRequests:
			cf.set(cf.clock().Add(waitOf(t, body)))
		case http.StatusNotFound:
			fails++
		default:
			t.Fatalf("a wrong phone: %d", res.StatusCode)
		}
	}
	if res, body := query(guesser, appPhone); res.StatusCode != http.StatusTooManyRequests || waitOf(t, body) < 10*time.Minute {
		t.Fatalf("the guesser's address, even with the right phone: %d", res.StatusCode)
	}
	res, body := query(owner, appPhone)
	if res.StatusCode == http.StatusTooManyRequests {
		w := waitOf(t, body)
		if w > 30*time.Second {
			t.Fatalf("the owner must wait %v", w)
		}
		cf.set(cf.clock().Add(w))
		res, body = query(owner, appPhone)
	}
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="progress"`) {
		t.Fatalf("the owner with the right phone: %d %s", res.StatusCode, problemOf(body))
	}
}

// Over TLS the server asks browsers to stay on TLS; over plain HTTP it
// does not (the header would be ignored and is misleading there).
func TestHSTSOverTLS(t *testing.T) {
	db := testutil.NewTestDB(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	hsts := func(cfg web.Config, tls bool) string {
		t.Helper()
		svc, err := web.NewServices(db, log, cfg)
		if err != nil {
			t.Fatal(err)
		}
		srv, err := web.New(svc, cfg)
		if err != nil {
			t.Fatal(err)
		}
		var ts *httptest.Server
		if tls {
			ts = httptest.NewTLSServer(srv.Handler())
		} else {
			ts = httptest.NewServer(srv.Handler())
		}
		defer ts.Close()
		res, err := ts.Client().Get(ts.URL + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.Header.Get("Strict-Transport-Security")
	}
	if h := hsts(web.Config{HSTS: true}, true); !strings.Contains(h, "max-age=31536000") {
		t.Fatalf("over TLS: %q", h)
	}
	if h := hsts(web.Config{HSTS: true}, false); h != "" {
		t.Fatalf("over plain HTTP: %q", h)
	}
}

func TestParsePublicURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://zwfw.yizhang.gov.cn/":      "https://zwfw.yizhang.gov.cn",
		"http://10.1.2.3:8080":              "http://10.1.2.3:8080",
		" https://example.gov.cn/onestop/ ": "https://example.gov.cn/onestop",
	} {
		if got, err := web.ParsePublicURL(in); err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "zwfw.yizhang.gov.cn", "ftp://x.cn", "https://", "http://:8080", "https://a.cn/?x=1", "https://u:p@a.cn", "javascript:alert(1)"} {
		if got, err := web.ParsePublicURL(bad); err == nil {
			t.Errorf("%q accepted as %q", bad, got)
		}
	}
}
