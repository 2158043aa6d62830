package web

import (
	"embed"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"onestop/internal/apperr"
)

//go:embed locales
var localeFS embed.FS

const defaultLang = "zh-CN"

// langs are the languages offered, Chinese first.
var langs = []string{"zh-CN", "en"}

type translator struct {
	bundle     *i18n.Bundle
	localizers map[string]*i18n.Localizer
	// plain caches translations without arguments (lang + "\x00" + key):
	// go-i18n runs a template per call, and a page shows a hundred labels
	// (a tenth of a case page's CPU). The files never change at run time.
	plain sync.Map
}

// newTranslator loads every locales/*.<lang>.toml file; each area of the
// product keeps its own file so parallel work does not collide.
func newTranslator() (*translator, error) {
	b := i18n.NewBundle(language.SimplifiedChinese)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	err := fs.WalkDir(localeFS, "locales", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".toml") {
			return err
		}
		_, err = b.LoadMessageFileFS(localeFS, path)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("translations: %w", err)
	}
	t := &translator{bundle: b, localizers: map[string]*i18n.Localizer{}}
	for _, l := range langs {
		t.localizers[l] = i18n.NewLocalizer(b, l)
	}
	return t, nil
}

// pick chooses the language: ?lang= (remembered in a cookie), the cookie,
// then Chinese. Accept-Language is ignored on purpose: the hall's shared
// terminals must show Chinese whatever the browser says.
func (t *translator) pick(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); t.localizers[l] != nil {
		return l
	}
	if c, err := r.Cookie("lang"); err == nil && t.localizers[c.Value] != nil {
		return c.Value
	}
	return defaultLang
}

// T translates key; a missing key shows the key itself (and a test fails),
// never an empty string.
func (t *translator) T(lang, key string, args map[string]any) string {
	if len(args) == 0 {
		ck := lang + "\x00" + key
		if s, ok := t.plain.Load(ck); ok {
			return s.(string)
		}
		s := t.localize(lang, key, nil)
		t.plain.Store(ck, s)
		return s
	}
	return t.localize(lang, key, args)
}

func (t *translator) localize(lang, key string, args map[string]any) string {
	l := t.localizers[lang]
	if l == nil {
		l = t.localizers[defaultLang]
	}
	s, err := l.Localize(&i18n.LocalizeConfig{MessageID: key, TemplateData: args})
	if err != nil || s == "" {
		return key
	}
	return s
}

// Has reports whether key exists in lang (for the completeness test).
func (t *translator) Has(lang, key string) bool {
	_, tag, err := t.localizers[lang].LocalizeWithTag(&i18n.LocalizeConfig{MessageID: key})
	return err == nil && tag.String() == lang
}

// Msg translates an apperr message, translating arguments that are
// themselves message keys (like "entity.department").
func (t *translator) Msg(lang string, m apperr.Msg) string {
	if len(m.Args) == 0 {
		return t.T(lang, m.Key, nil)
	}
	args := map[string]any{}
	for k, v := range m.Args {
		if s, ok := v.(string); ok && strings.Contains(s, ".") && !strings.ContainsAny(s, " /") {
			if tr := t.T(lang, s, nil); tr != s {
				v = tr
			}
		}
		args[k] = v
	}
	return t.T(lang, m.Key, args)
}
