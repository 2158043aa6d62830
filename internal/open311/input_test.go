package open311

import (
	"net/url"
	"testing"
	"time"
)

func TestSplit(t *testing.T) {
	for seg, want := range map[string]struct {
		name string
		f    Format
		ok   bool
	}{
		"services.json":             {"services", JSON, true},
		"services.xml":              {"services", XML, true},
		"ZX-20261205-0001.json":     {"ZX-20261205-0001", JSON, true},
		"a.b.xml":                   {"a.b", XML, true},
		"services.JSON":             {}, // the specification's suffixes are lower case
		"services.html":             {},
		"services":                  {},
		".json":                     {},
		"services.json.":            {},
		"431022-FGJ-20261205-0001.": {},
	} {
		name, f, ok := Split(seg)
		if name != want.name || f != want.f || ok != want.ok {
			t.Errorf("%q: %q %q %v, want %+v", seg, name, f, ok, want)
		}
	}
}

// The window of a query: the last 90 days by default, 90 days from a
// start or up to an end, never wider.
func TestQueryWindow(t *testing.T) {
	now := time.Date(2026, 12, 5, 2, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	for q, want := range map[string][2]time.Time{
		"":                                       {now.Add(-90 * day), now},
		"start_date=2026-11-01T00:00:00%2B08:00": {time.Date(2026, 10, 31, 16, 0, 0, 0, time.UTC), time.Date(2026, 10, 31, 16, 0, 0, 0, time.UTC).Add(90 * day)},
		"end_date=2026-11-01T00:00:00Z":          {time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Add(-90 * day), time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)},
	} {
		v, _ := url.ParseQuery(q)
		got, f := ReadQuery(v, now)
		if len(f) > 0 || !got.From.Equal(want[0]) || !got.To.Equal(want[1]) || !got.Open || !got.Closed {
			t.Errorf("%q: %v–%v %v, want %v–%v", q, got.From, got.To, f, want[0], want[1])
		}
	}
}

// Markup is refused, plain text with the same characters is not.
func TestHTMLInDescription(t *testing.T) {
	for text, isHTML := range map[string]bool{
		"<b>粗体</b>": true, "<script>x</script>": true, "</p>": true, "<!-- x -->": true, "<?php ?>": true,
		"&lt;b&gt;": true, "&#60;": true, "&#x3c;": true, "<img src=x onerror=alert(1)>": true,
		"a < b": false, "A&B 公司": false, "3<5": false, "费用 < 100 元 & 免费": false, "<<>>": false, "x &y; z": true,
	} {
		if got := html.MatchString(text); got != isHTML {
			t.Errorf("%q: html %v, want %v", text, got, isHTML)
		}
	}
}
