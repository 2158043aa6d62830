package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// An applicant finds a bundle (一件事) through the guide's search and the
// public API like any item (issue 14 §1): by its name, its code or one of
// its parts' names; a retired composite is found by neither, and a
// hostile query is an empty answer, never a 500.
func TestGuideSearchFindsBundles(t *testing.T) {
	f := newFixture(t)
	anon := f.anon()
	guide := func(q string) string {
		t.Helper()
		res, body := anon.get("/guide?q=" + url.QueryEscape(q))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("/guide?q=%.40s: %d", q, res.StatusCode)
		}
		return body
	}
	api := func(q string) []string {
		t.Helper()
		res, body := anon.get("/api/v1/composites?q=" + url.QueryEscape(q))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("/api/v1/composites?q=%.40s: %d %s", q, res.StatusCode, body)
		}
		var out struct {
			Items []struct {
				Code string `json:"code"`
			} `json:"items"`
			Total int `json:"total"`
		}
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, c := range out.Items {
			codes = append(codes, c.Code)
		}
		if out.Total != len(codes) {
			t.Errorf("total %d for %d composites", out.Total, len(codes))
		}
		return codes
	}
	// By name: the bundle is listed and links to its guide page.
	body := guide("企业开办")
	if !strings.Contains(body, `data-testid="guide-bundles"`) || !strings.Contains(body, `href="/guide/bundles/BL-004"`) {
		t.Fatalf("guide search 企业开办 does not list BL-004")
	}
	if strings.Contains(body, `href="/guide/bundles/BL-005"`) {
		t.Errorf("guide search 企业开办 lists BL-005")
	}
	if got := api("企业开办"); len(got) != 1 || got[0] != "BL-004" {
		t.Errorf("API 企业开办: %v", got)
	}
	// By code, by two words, and by one of its parts' names.
	for _, q := range []string{"bl-005", "小型 开工", "雷电防护装置设计审核"} {
		if !strings.Contains(guide(q), `href="/guide/bundles/BL-005"`) {
			t.Errorf("guide search %q does not list BL-005", q)
		}
		if got := api(q); !slices.Contains(got, "BL-005") {
			t.Errorf("API %q: %v", q, got)
		}
	}
	// LIKE's wildcards are characters, not patterns.
	for _, q := range []string{"%", "_", `\`} {
		if strings.Contains(guide(q), `data-testid="guide-bundles"`) || len(api(q)) != 0 {
			t.Errorf("search %q finds bundles", q)
		}
	}
	// 50,000 characters, one word and many: the query is refused with a
	// field error on q (checkQuery), never a 500 nor a list.
	for _, q := range []string{strings.Repeat("企", 50_000), strings.Repeat("a ", 25_000)} {
		for _, path := range []string{"/guide?q=", "/api/v1/composites?q="} {
			res, body := anon.get(path + url.QueryEscape(q))
			if res.StatusCode != http.StatusUnprocessableEntity || strings.Contains(body, "BL-00") {
				t.Errorf("%s<50,000 characters>: %d", path, res.StatusCode)
			}
		}
	}
	// The longest query allowed (100 characters), of fifty words: each word a LIKE, so their
	// number is bounded; still an answer, and no bundle.
	if got := api(strings.TrimSpace(strings.Repeat("a ", 50))); len(got) != 0 {
		t.Errorf("fifty words: %v", got)
	}
	// A retired (cancelled) composite is found by neither.
	if _, err := f.db.W.Exec(`UPDATE composites SET retired_at = updated_at WHERE code = 'BL-004'`); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(guide("企业开办"), `href="/guide/bundles/BL-004"`) {
		t.Errorf("the guide finds a retired composite")
	}
	if got := api("企业开办"); len(got) != 0 {
		t.Errorf("the API finds a retired composite: %v", got)
	}
	if got := api(""); slices.Contains(got, "BL-004") || !slices.Contains(got, "BL-005") {
		t.Errorf("API without q: %v", got)
	}
}
