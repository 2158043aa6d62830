package web_test

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// untranslated finds message keys that leaked into a page: a dotted
// identifier standing alone between tags whose first part is one of the
// translation files' namespaces.
var untranslated = func() *regexp.Regexp {
	files, _ := filepath.Glob("locales/*.zh-CN.toml")
	spaces := map[string]bool{}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		m := map[string]any{}
		_ = toml.Unmarshal(b, &m)
		for k := range m {
			spaces[strings.Split(k, ".")[0]] = true
		}
	}
	var alt []string
	for s := range spaces {
		alt = append(alt, s)
	}
	return regexp.MustCompile(`>\s*(` + strings.Join(alt, "|") + `)\.[a-z_.]+\s*<`)
}()

// Every page a role can open renders in Chinese and in English with no
// untranslated key and no server error.
func TestEveryPageRendersForEveryRole(t *testing.T) {
	f := newFixture(t)
	pages := []string{"/", "/account/password", "/account/tokens", "/applicants?q=王", "/admin/regions", "/admin/regions/431022",
		"/admin/centres", "/admin/departments", "/admin/windows", "/admin/staff", "/admin/audit", "/admin/regions/new",
		"/admin/centres/new", "/admin/departments/new", "/admin/windows/new", "/admin/staff/new"}
	for _, u := range users[1:] {
		c := f.login(u)
		for _, lang := range []string{"en", "zh-CN"} {
			for _, p := range pages {
				sep := "?"
				if strings.Contains(p, "?") {
					sep = "&"
				}
				res, body := c.get(p + sep + "lang=" + lang)
				if res.StatusCode == http.StatusForbidden {
					continue
				}
				if res.StatusCode != http.StatusOK {
					t.Errorf("%s %s [%s]: %d", u, p, lang, res.StatusCode)
					continue
				}
				if m := untranslated.FindString(body); m != "" {
					t.Errorf("%s %s [%s]: untranslated %q", u, p, lang, m)
				}
				if !strings.Contains(body, `<html lang="`+lang+`"`) {
					t.Errorf("%s %s: not in %s", u, p, lang)
				}
			}
		}
	}
	for _, p := range []string{"/", "/login", "/register", "/signin"} {
		res, body := f.anon().get(p)
		if res.StatusCode != http.StatusOK || untranslated.MatchString(body) {
			t.Errorf("visitor %s: %d", p, res.StatusCode)
		}
	}
}

// The Chinese and English files carry the same keys.
func TestTranslationsComplete(t *testing.T) {
	files, _ := filepath.Glob("locales/*.toml")
	keys := map[string]map[string]bool{}
	for _, file := range files {
		base := filepath.Base(file)
		parts := strings.Split(base, ".")
		area, lang := parts[0], parts[1]
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]any{}
		if err := toml.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for k := range m {
			if keys[area+"/"+k] == nil {
				keys[area+"/"+k] = map[string]bool{}
			}
			keys[area+"/"+k][lang] = true
		}
	}
	if len(keys) < 100 {
		t.Fatalf("only %d keys found", len(keys))
	}
	for k, langs := range keys {
		if !langs["zh-CN"] || !langs["en"] {
			t.Errorf("%s is in %v only", k, langs)
		}
	}
}
