package web

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"onestop/internal/apperr"
)

// consoleText is the translator the command line uses, loaded on first
// use (a server never needs it).
var consoleText = sync.OnceValues(newTranslator)

// Explain puts an error into words for a console, in lang ("zh-CN", the
// default, or "en"), from the same translations as the pages: its message
// and then each field's, one to a line. An error that is not an apperr is
// returned as it reads.
func Explain(err error, lang string) string {
	ae := apperr.As(err)
	if ae == nil {
		return err.Error()
	}
	tr, terr := consoleText()
	if terr != nil {
		return err.Error() // the embedded translations are broken; tests catch that
	}
	if !slices.Contains(langs, lang) {
		lang = defaultLang
	}
	var b strings.Builder
	b.WriteString(tr.Msg(lang, ae.Msg))
	fields := make([]string, 0, len(ae.Fields))
	for f := range ae.Fields {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	for _, f := range fields {
		fmt.Fprintf(&b, "\n  %s: %s", f, tr.Msg(lang, ae.Fields[f]))
	}
	return b.String()
}
