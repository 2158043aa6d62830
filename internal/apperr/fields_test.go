package apperr

import (
	"strings"
	"testing"
)

// The one rule for free text, and the one for phones, as every input
// struct and query parameter meets them.
func TestTextRule(t *testing.T) {
	for _, tc := range []struct {
		v     string
		lines bool
		key   string // "" when accepted
	}{
		{"宜章县发展和改革局", false, ""},
		{"  trimmed  ", false, ""},
		{strings.Repeat("名", 10), false, ""},
		{strings.Repeat("名", 11), false, "error.too_long"},
		{"ab\xffcd", false, "error.bad_characters"},
		{"ab\x00cd", false, "error.bad_characters"},
		{"ab\x1b[2Jcd", false, "error.bad_characters"},
		{"ab\u0085cd", false, "error.bad_characters"}, // C1 control
		{"第一行\n第二行", false, "error.bad_characters"},
		{"第一行\r\n第二行\t缩进", true, ""},
		{"第一行\r第二行", true, "error.bad_characters"},
		{"ab\x00cd", true, "error.bad_characters"},
	} {
		f := Fields{}
		if tc.lines {
			f.Para("x", tc.v, false, 10)
		} else {
			f.Text("x", tc.v, false, 10)
		}
		if got := f["x"].Key; got != tc.key {
			t.Errorf("%q (lines %v): %q, want %q", tc.v, tc.lines, got, tc.key)
		}
	}
	if Storable("ab\xff") || Storable("a\x00") || !Storable("a\x01\t中") {
		t.Error("Storable: only invalid UTF-8 and NUL cannot be stored")
	}
}

func TestPhoneField(t *testing.T) {
	for typed, want := range map[string]string{
		"13800138000": "13800138000", "+86 138-0013-8000": "13800138000", "86 13800138000": "13800138000",
		"0086 138 0013 8000": "13800138000", "(0735) 3712345": "0735-3712345", "0735-3712345": "0735-3712345",
	} {
		f := Fields{}
		if got := f.Phone("phone", typed, true); got != want || len(f) != 0 {
			t.Errorf("%q: %q %v, want %q", typed, got, f, want)
		}
	}
	for typed, key := range map[string]string{"12345": "ident.phone", "": "error.required", strings.Repeat("1", 31): "error.too_long", "138\x0013800": "error.bad_characters"} {
		f := Fields{}
		f.Phone("phone", typed, true)
		if f["phone"].Key != key {
			t.Errorf("%q: %v, want %s", typed, f, key)
		}
	}
	if f := (Fields{}); f.Phone("phone", "", false) != "" || len(f) != 0 {
		t.Error("an optional phone left out is no problem")
	}
}
