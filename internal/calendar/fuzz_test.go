package calendar

import (
	"testing"
	"time"
)

var fuzzCal = MustNew(Builtin()...)

func FuzzAddWorkingDays(f *testing.F) {
	f.Add(0, 20)
	f.Add(390, 20)   // 2025-01-25
	f.Add(776, 5)    // 2026-02-14
	f.Add(1089, 5)   // 2026-12-25
	f.Add(775, -2)   // backwards from the Spring Festival
	f.Add(-1<<62, 0) // extreme offsets are folded into range
	f.Fuzz(func(t *testing.T, offset, n int) {
		// Fold the inputs into 2024-01-01 … 2029-06-22 and |n| ≤ 500: the
		// walk is linear in n, and that range already spans years with and
		// without data.
		from := d("2024-01-01").AddDays(int(uint(offset) % 2000))
		n %= 501
		if n < 0 {
			k := -n
			checkBackwards(t, fuzzCal, from, k, fuzzCal.AddWorkingDays(from, n).Deadline)
			return
		}
		checkInvariants(t, fuzzCal, from, n, fuzzCal.AddWorkingDays(from, n))
	})
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-02-14", "2024-02-29", "2025-02-29", "0000-01-01", "9999-12-31", "", "2026-1-01", "abcd-ef-gh"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseDate(s)
		tm, terr := time.Parse(time.DateOnly, s)
		// package time accepts year 0000 and nothing else we refuse.
		if terr == nil && tm.Year() >= 1 && len(s) == 10 {
			if err != nil {
				t.Fatalf("ParseDate(%q) refused what time.Parse takes: %v", s, err)
			}
			if got != DateOf(tm, time.UTC) {
				t.Fatalf("ParseDate(%q) = %s, time.Parse gives %s", s, got, tm)
			}
		}
		if err != nil {
			return
		}
		if terr != nil {
			t.Fatalf("ParseDate(%q) accepted what time.Parse refuses: %v", s, terr)
		}
		if !got.Valid() || got.String() != s {
			t.Fatalf("ParseDate(%q) = %v (valid %v)", s, got, got.Valid())
		}
		b, err := got.MarshalText()
		if err != nil || string(b) != s {
			t.Fatalf("MarshalText = %q, %v", b, err)
		}
		var back Date
		if err := back.UnmarshalText(b); err != nil || back != got {
			t.Fatalf("UnmarshalText = %v, %v", back, err)
		}
	})
}
