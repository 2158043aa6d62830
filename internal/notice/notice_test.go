package notice

import (
	"slices"
	"testing"
)

// A notice's body is laid out in paragraphs at blank lines, whatever line
// endings the browser sent; single line breaks stay inside a paragraph,
// and blank runs never make empty paragraphs.
func TestParagraphs(t *testing.T) {
	for _, c := range []struct {
		body string
		want []string
	}{
		{"一\r\n\r\n二", []string{"一", "二"}},
		{"一\n第二行\n\n\n\n  二  \n\n", []string{"一\n第二行", "二"}},
		{"  \n\n ", nil},
		{"<b>x</b>", []string{"<b>x</b>"}}, // kept as text: the template escapes it
	} {
		if got := (Notice{Body: c.body}).Paragraphs(); !slices.Equal(got, c.want) {
			t.Errorf("%q: %q, want %q", c.body, got, c.want)
		}
	}
}
