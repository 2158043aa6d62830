package web

import (
	"net/url"
	"strings"
	"testing"

	"onestop/internal/apperr"
	"onestop/internal/applicants"
	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/org"
)

// FuzzDecodeJSON feeds arbitrary bodies to the API decoder for each input
// type: it must never panic, and any failure must be a user-facing error
// (invalid or too large), never an internal one.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{}`, `{"code":"FGJ","name":"发改局"}`, `{"centre_id":"1"}`, `{"role":5}`, `[1,2]`, `{"absent":"yes"}`,
		`{"centre_id":1e400}`, `{"name":"\ud800"}`, `{"x":1}`, "\xff", `{"centre_id":-9223372036854775809}`,
		`{"materials":[{"seq":1,"status":"missing","note":"x"}],"version":3}`, `{"item_code":"JYJ-001","materials":[{"seq":"1"}]}`,
		`{"holidays":[{"day":"2027-13-01"}]}`, `{"materials":null,"days":-1}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		// Every type an /api/v1 handler decodes a body into.
		for _, dst := range []any{&org.DepartmentInput{}, &org.StaffInput{}, &org.WindowInput{}, &org.RegionInput{}, &org.CentreInput{}, &applicants.Input{},
			&cases.Input{}, &cases.SubmitInput{}, &calendar.YearData{}, &itemInput{}, &catalogue.CompositeInput{}} {
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

// FuzzDeadlinePauses feeds arbitrary pause parameters to the public
// deadline calculator's parser and then to the clock: never a panic; what
// is accepted is in order, starts on or after the start date, and gives a
// deadline no earlier than the one without pauses; what is refused is a
// field error on "pause". A pause may span centuries, so the clock's cost
// must not grow with its length (the fuzzer would time out).
func FuzzDeadlinePauses(f *testing.F) {
	for _, s := range []string{"2026-09-29~2026-10-09", "2026-10-01~2026-10-01,2026-10-05~2026-10-06", "x", "~", "2026-10-09~2026-09-29",
		"2026-09-01~2026-09-02", "2026-09-29~9999-12-31", "2026-09-29~2026-10-01，2026-10-02~2026-10-03"} {
		f.Add(s, 5)
	}
	cal, err := calendar.New(calendar.Builtin()...)
	if err != nil {
		f.Fatal(err)
	}
	from, _ := calendar.ParseDate("2026-09-28")
	f.Fuzz(func(t *testing.T, raw string, days int) {
		if days < 0 || days > maxDeadlineDays {
			return
		}
		fields := apperr.Fields{}
		pauses := parsePauses([]string{raw}, from, fields)
		if err := fields.Err(); err != nil {
			ae := apperr.As(err)
			if ae == nil || ae.Code != apperr.Invalid || len(ae.Fields) == 0 {
				t.Fatalf("%q: %v", raw, err)
			}
			return
		}
		plain := cal.AddWorkingDays(from, days).Deadline
		for _, p := range pauses {
			if p.To.Before(p.From) || p.From.Before(from) {
				t.Fatalf("%q: accepted %+v", raw, p)
			}
		}
		if len(pauses) == 0 {
			return
		}
		if got := withPauses(cal, from, days, pauses).Deadline; got.Before(plain) {
			t.Fatalf("%q: pauses brought the deadline forward: %s < %s", raw, got, plain)
		}
	})
}
