package web

import (
	"net/url"
	"strings"
	"testing"

	"onestop/internal/apperr"
	"onestop/internal/applicants"
	"onestop/internal/org"
)

// FuzzDecodeJSON feeds arbitrary bodies to the API decoder for each input
// type: it must never panic, and any failure must be a user-facing error
// (invalid or too large), never an internal one.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{}`, `{"code":"FGJ","name":"发改局"}`, `{"centre_id":"1"}`, `{"role":5}`, `[1,2]`, `{"absent":"yes"}`,
		`{"centre_id":1e400}`, `{"name":"\ud800"}`, `{"x":1}`, "\xff", `{"centre_id":-9223372036854775809}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, dst := range []any{&org.DepartmentInput{}, &org.StaffInput{}, &org.WindowInput{}, &org.RegionInput{}, &org.CentreInput{}, &applicants.Input{}} {
			if err := decodeJSON(strings.NewReader(body), dst); err != nil {
				if c := apperr.CodeOf(err); c != apperr.Invalid && c != apperr.TooLarge {
					t.Fatalf("%q: %v", body, err)
				}
			}
		}
	})
}

// FuzzDecodeForm does the same for form posts, and checks that a decoded
// form round-trips through formValues.
func FuzzDecodeForm(f *testing.F) {
	for _, s := range []string{"name=a&centre_id=1", "centre_id=abc", "absent=on&role=clerk", "centre_id=99999999999999999999", "a=%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		vals, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		var in org.StaffInput
		if err := decodeValues(vals, &in); err != nil {
			if apperr.CodeOf(err) != apperr.Invalid {
				t.Fatalf("%q: %v", raw, err)
			}
			return
		}
		var again org.StaffInput
		back := url.Values{}
		for k, v := range formValues(in) {
			back.Set(k, v)
		}
		if err := decodeValues(back, &again); err != nil || again != in {
			t.Fatalf("%q: round trip %+v → %+v (%v)", raw, in, again, err)
		}
	})
}
