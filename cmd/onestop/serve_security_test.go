package main

import (
	"bytes"
	"log/slog"
	"os"
	"strings"
	"testing"
)

func bufLog() (*slog.Logger, *bytes.Buffer) {
	var b bytes.Buffer
	return slog.New(slog.NewTextHandler(&b, nil)), &b
}

// --public-url sets the address in QR codes; a bad one stops the start
// with the flag named; without it the address comes from --addr (never from
// a request) and the start warns.
func TestPublicURLFlag(t *testing.T) {
	code, _, errOut := runCmd(t, "serve", "--public-url", "zwfw.yizhang.gov.cn", "--data", t.TempDir())
	if code != 1 || !strings.Contains(errOut, "--public-url") {
		t.Fatalf("a bad --public-url: %d %s", code, errOut)
	}
	log, buf := bufLog()
	if u, err := publicAddress("https://zwfw.yizhang.gov.cn/", false, "127.0.0.1:8080", log); err != nil || u != "https://zwfw.yizhang.gov.cn" || buf.Len() != 0 {
		t.Fatalf("set: %q %v, log %q", u, err, buf)
	}
	host, _ := os.Hostname()
	for addr, want := range map[string]string{"127.0.0.1:8080": "http://127.0.0.1:8080", ":8080": "http://" + host + ":8080", "0.0.0.0:80": "http://" + host + ":80"} {
		log, buf := bufLog()
		u, err := publicAddress("", false, addr, log)
		if err != nil || u != want || !strings.Contains(buf.String(), "--public-url is not set") {
			t.Errorf("unset, --addr %s: %q %v, want %q; log %q", addr, u, err, want, buf)
		}
	}
	if u, _ := publicAddress("", true, "127.0.0.1:8443", slog.New(slog.DiscardHandler)); u != "https://127.0.0.1:8443" {
		t.Errorf("unset with TLS: %q", u)
	}
}

// --secure-cookies false while serving TLS is allowed but warned about.
func TestSecureCookiesWarning(t *testing.T) {
	for _, tc := range []struct {
		flag       string
		tls        bool
		addr       string
		want, warn bool
	}{
		{"false", true, "10.0.0.1:443", false, true},
		{"false", false, "10.0.0.1:80", false, false},
		{"auto", true, "10.0.0.1:443", true, false},
		{"auto", false, "127.0.0.1:8080", true, false},
		{"auto", false, "10.0.0.1:80", false, true},
		{"true", false, "10.0.0.1:80", true, false},
	} {
		log, buf := bufLog()
		got := secureCookies(tc.flag, tc.tls, tc.addr, log)
		if got != tc.want || (buf.Len() > 0) != tc.warn {
			t.Errorf("%+v: secure %v, log %q", tc, got, buf)
		}
	}
}
