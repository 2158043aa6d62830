package calendar

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	good := []string{"2026-02-14", "2024-02-29", "2000-02-29", "0001-01-01", "9999-12-31"}
	for _, s := range good {
		got, err := ParseDate(s)
		if err != nil || got.String() != s {
			t.Errorf("ParseDate(%q) = %v, %v", s, got, err)
		}
	}
	bad := []string{"", "2026-2-14", "2026/02/14", "2026-02-30", "2025-02-29", "1900-02-29",
		"2026-13-01", "2026-00-10", "2026-01-00", "0000-01-01", "+026-01-01", "2026-01-1x",
		"2026-01-011", " 2026-01-01", "２０２６-01-01"}
	for _, s := range bad {
		if got, err := ParseDate(s); err == nil {
			t.Errorf("ParseDate(%q) = %v, want an error", s, got)
		}
	}
}

func TestDateArithmeticAgreesWithTime(t *testing.T) {
	// Walk 1800-01-01 … 2200-12-31 and compare every day with package time.
	start := time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC)
	dt := Date{1800, time.January, 1}
	for i := 0; i < 146097+365; i++ {
		tm := start.AddDate(0, 0, i)
		want := DateOf(tm, time.UTC)
		if got := dt.AddDays(i); got != want {
			t.Fatalf("AddDays(%d) = %s, want %s", i, got, want)
		}
		if want.Weekday() != tm.Weekday() {
			t.Fatalf("%s Weekday = %s, want %s", want, want.Weekday(), tm.Weekday())
		}
		if back := want.AddDays(-i); back != dt {
			t.Fatalf("%s AddDays(-%d) = %s", want, i, back)
		}
	}
	// Hand-built out-of-range dates normalise like time.Date.
	if got := (Date{2026, 2, 30}).AddDays(0); got != d("2026-03-02") {
		t.Errorf("2026-02-30 normalises to %s", got)
	}
	if got := (Date{2026, 13, 1}).AddDays(0); got != d("2027-01-01") {
		t.Errorf("2026-13-01 normalises to %s", got)
	}
	if got := (Date{2026, 0, 1}).AddDays(0); got != d("2025-12-01") {
		t.Errorf("2026-00-01 normalises to %s", got)
	}
}

func TestDateCompare(t *testing.T) {
	a, b := d("2025-12-31"), d("2026-01-01")
	if !a.Before(b) || a.After(b) || a.Equal(b) || !b.After(a) || !a.Equal(d("2025-12-31")) {
		t.Error("Before/After/Equal")
	}
	if a.Compare(b) != -1 || b.Compare(a) != 1 || a.Compare(a) != 0 {
		t.Error("Compare")
	}
	if a.DaysUntil(b) != 1 || b.DaysUntil(a) != -1 {
		t.Error("DaysUntil")
	}
	if !(Date{}).IsZero() || a.IsZero() {
		t.Error("IsZero")
	}
	if (Date{}).Valid() || !a.Valid() || (Date{2026, 2, 29}).Valid() {
		t.Error("Valid")
	}
}

func TestDateJSON(t *testing.T) {
	type doc struct {
		Due  Date `json:"due"`
		None Date `json:"none"`
		Skip Date `json:"skip,omitzero"`
	}
	b, err := json.Marshal(doc{Due: d("2026-02-28")})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"due":"2026-02-28","none":""}`; string(b) != want {
		t.Errorf("Marshal = %s, want %s", b, want)
	}
	var back doc
	if err := json.Unmarshal(b, &back); err != nil || back.Due != d("2026-02-28") || !back.None.IsZero() {
		t.Errorf("Unmarshal = %+v, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"due":"2026-02-30"}`), &back); err == nil {
		t.Error("Unmarshal accepted 2026-02-30")
	}
	if _, err := json.Marshal(doc{Due: Date{2026, 2, 30}}); err == nil || !strings.Contains(err.Error(), "invalid date") {
		t.Errorf("Marshal of an invalid date: %v", err)
	}
	// Note and Result go through JSON for the web layer.
	n := Note{Kind: NoteHoliday, Name: "春节", From: d("2026-02-15"), To: d("2026-02-23"), Days: 6}
	b, _ = json.Marshal(n)
	if want := `{"kind":"holiday","name":"春节","from":"2026-02-15","to":"2026-02-23","days":6}`; string(b) != want {
		t.Errorf("Note JSON = %s, want %s", b, want)
	}
}
