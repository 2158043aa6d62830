package web

import (
	"html/template"
	"time"

	"onestop/internal/calendar"
)

// A document issued under the Administrative Licensing Law is an act of a
// Chinese organ: its text in force is Chinese, whatever language the person
// reading the page chose (the Law on the Standard Spoken and Written Chinese
// Language, Art. 9: state organs use standard Chinese as their official
// language). An English page therefore prints the Chinese text and adds
// the English only as an aid, marked as such, under each part.

// docKey is a translation key passed as a document argument, translated in
// each language on its own (the name of a special procedure, say).
type docKey string

// docLang gives the document its two translators: zh for the text in force,
// aid for the reader's language when that is not Chinese (nil otherwise).
type docLang struct {
	zh  *Page
	aid *Page
}

func newDocLang(p *Page) docLang {
	zh := *p
	zh.Lang = "zh-CN"
	l := docLang{zh: &zh}
	if p.Lang != zh.Lang {
		l.aid = p
	}
	return l
}

// Key marks an argument as a key to translate per language.
func (docLang) Key(k string) docKey { return docKey(k) }

// Z is the Chinese text of a key: labels and table headings.
func (l docLang) Z(key string, kv ...any) string { return l.text(l.zh, key, kv) }

// Day is a date in the document's Chinese form.
func (l docLang) Day(v any) string { return l.zh.CaseDay(v) }

// Aid reports whether the document carries an aid translation.
func (l docLang) Aid() bool { return l.aid != nil }

// AidT is the reader's-language text of a key, for headings' aid lines.
func (l docLang) AidT(key string, kv ...any) string {
	if l.aid == nil {
		return ""
	}
	return l.text(l.aid, key, kv)
}

// L is a sentence of the document: the Chinese text, followed on a
// non-Chinese page by its translation as an aid.
func (l docLang) L(key string, kv ...any) template.HTML {
	out := template.HTMLEscapeString(l.text(l.zh, key, kv))
	if l.aid != nil {
		out += `<span class="doc-aid" lang="` + template.HTMLEscapeString(l.aid.Lang) + `">` +
			template.HTMLEscapeString(l.text(l.aid, key, kv)) + `</span>`
	}
	return template.HTML(out)
}

// text translates key in p's language, first putting dates and keys among
// the arguments into that language too.
func (docLang) text(p *Page, key string, kv []any) string {
	args := make([]any, len(kv))
	for i, v := range kv {
		switch x := v.(type) {
		case docKey:
			v = p.T(string(x))
		case calendar.Date, *calendar.Date, time.Time, *time.Time:
			v = p.CaseDay(x)
		}
		args[i] = v
	}
	return p.T(key, args...)
}
