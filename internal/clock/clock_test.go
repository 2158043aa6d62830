package clock

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"onestop/internal/calendar"
)

var cal = calendar.MustNew(calendar.Builtin()...)

var d = calendar.MustParseDate

// at reads a Shanghai wall-clock time, "2006-01-02 15:04".
func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, Shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

// brief renders notes compactly for comparison.
func brief(ns []calendar.Note) []string {
	var out []string
	for _, n := range ns {
		s := string(n.Kind)
		switch n.Kind {
		case calendar.NoteHoliday:
			s += " " + n.Name + " " + n.From.String() + ".." + n.To.String() + " " + strconv.Itoa(n.Days)
		case calendar.NoteAdjustedWorkday:
			s += " " + n.From.String()
		case calendar.NotePause:
			to := "ongoing"
			if !n.To.IsZero() {
				to = n.To.String()
			}
			s += " " + n.Reason + " " + n.From.String() + ".." + to + " " + strconv.Itoa(n.Days)
			if n.AfterDeadline {
				s += " late"
			}
		case calendar.NoteMissingYear:
			for _, y := range n.Years {
				s += " " + strconv.Itoa(y)
			}
		default:
			s += " " + strconv.Itoa(n.Days)
		}
		out = append(out, s)
	}
	return out
}

type want struct {
	promised, statutory string
	used, left, paused  int
	isPaused            bool
	light               Light
	asOf                string
	notes               []string // nil: not checked
	missing             []int
}

func check(t *testing.T, st Status, w want) {
	t.Helper()
	if st.PromisedDeadline != d(w.promised) {
		t.Errorf("PromisedDeadline = %s, want %s", st.PromisedDeadline, w.promised)
	}
	if w.statutory != "" && st.StatutoryDeadline != d(w.statutory) {
		t.Errorf("StatutoryDeadline = %s, want %s", st.StatutoryDeadline, w.statutory)
	}
	if st.UsedDays != w.used || st.LeftDays != w.left {
		t.Errorf("UsedDays, LeftDays = %d, %d; want %d, %d", st.UsedDays, st.LeftDays, w.used, w.left)
	}
	if st.PausedDays != w.paused || st.Paused != w.isPaused {
		t.Errorf("PausedDays, Paused = %d, %v; want %d, %v", st.PausedDays, st.Paused, w.paused, w.isPaused)
	}
	if st.Light != w.light {
		t.Errorf("Light = %s, want %s", st.Light, w.light)
	}
	if w.asOf != "" && st.AsOf != d(w.asOf) {
		t.Errorf("AsOf = %s, want %s", st.AsOf, w.asOf)
	}
	if !slices.Equal(st.MissingYears, w.missing) || st.Provisional != (len(w.missing) > 0) {
		t.Errorf("MissingYears, Provisional = %v, %v; want %v", st.MissingYears, st.Provisional, w.missing)
	}
	if w.notes != nil {
		if got := brief(st.Explanation); !slices.Equal(got, w.notes) {
			t.Errorf("explanation:\n got %q\nwant %q", got, w.notes)
		}
	}
}

func TestShanghai(t *testing.T) {
	if Shanghai == nil {
		t.Fatal("no zone")
	}
	// time/tzdata is embedded, so the named zone must load even without a
	// system zoneinfo database.
	if Shanghai.String() != "Asia/Shanghai" {
		t.Errorf("zone = %s; the embedded tzdata did not load", Shanghai)
	}
	if _, off := time.Date(2026, 7, 1, 0, 0, 0, 0, Shanghai).Zone(); off != 8*3600 {
		t.Errorf("offset = %d", off)
	}
	if got := Today(time.Date(2026, 2, 12, 16, 0, 0, 0, time.UTC)); got != d("2026-02-13") {
		t.Errorf("Today at midnight Shanghai = %s", got)
	}
	if got := Today(time.Date(2026, 2, 12, 15, 59, 59, 0, time.UTC)); got != d("2026-02-12") {
		t.Errorf("Today a second before midnight Shanghai = %s", got)
	}
}

func TestAcceptanceDateIsTakenInShanghai(t *testing.T) {
	// 17:30 UTC on Thu 12 Feb is 01:30 on Fri 13 Feb in Shanghai, so the
	// count starts from Friday 13 Feb: 20 days end Thu 19 Mar (see the
	// calendar tests). Counting from the UTC date, Thursday, would give
	// Wed 18 Mar.
	st := Compute(cal, Input{
		AcceptedAt:   time.Date(2026, 2, 12, 17, 30, 0, 0, time.UTC),
		PromisedDays: 20, StatutoryDays: 20,
		Now: time.Date(2026, 2, 12, 18, 0, 0, 0, time.UTC),
	}, DefaultLightRule)
	check(t, st, want{promised: "2026-03-19", statutory: "2026-03-19", used: 0, left: 20, light: Green, asOf: "2026-02-13"})
}

func TestPauseAcrossSpringFestival(t *testing.T) {
	// Accepted Mon 2026-02-09, 20 days. Without a pause: 10–13 Feb (1–4),
	// Sat 14 adjusted (5), holiday 15–23, 24–27 (6–9), Sat 28 (10),
	// 2–6 Mar (11–15), 9–13 (16–20) → Fri 13 Mar.
	//
	// Paused Thu 12 Feb 15:00 to Wed 25 Feb 10:00: excluded are the working
	// days after 12 Feb up to 25 Feb: 13, 14 (adjusted), 24, 25 = 4. The
	// nine holiday days in between were never working days, so they do not
	// count again. Deadline = 24th working day: 16 (21), 17, 18, Thu 19 Mar.
	//
	// On Mon 2 Mar: used = 10, 11, 12, 26, 27, 28 Feb, 2 Mar = 7;
	// left = 3–6 (4) + 9–13 (5) + 16–19 (4) = 13.
	in := Input{
		AcceptedAt:   at("2026-02-09 09:00"),
		PromisedDays: 20, StatutoryDays: 20,
		Pauses: []Pause{{From: at("2026-02-12 15:00"), To: at("2026-02-25 10:00"), Reason: "专家评审", ExpectedDays: 10}},
		Now:    at("2026-03-02 10:00"),
	}
	st := Compute(cal, in, DefaultLightRule)
	check(t, st, want{
		promised: "2026-03-19", statutory: "2026-03-19", used: 7, left: 13, paused: 4, light: Green, asOf: "2026-03-02",
		notes: []string{
			"pause 专家评审 2026-02-12..2026-02-25 4",
			"adjusted_workday 2026-02-14",
			"holiday 春节 2026-02-15..2026-02-23 6",
			"adjusted_workday 2026-02-28",
			"weekends 5",
		},
	})
	if got := st.Explanation[0].Text("zh"); got != "暂停计时（专家评审）2026-02-12 至 2026-02-25，告知需 10 日，顺延 4 个工作日" {
		t.Errorf("pause note: %s", got)
	}
	if no := Compute(cal, Input{AcceptedAt: in.AcceptedAt, PromisedDays: 20, Now: in.Now}, DefaultLightRule); no.PromisedDeadline != d("2026-03-13") {
		t.Errorf("without the pause: %s, want 2026-03-13", no.PromisedDeadline)
	}
}

func TestOngoingPause(t *testing.T) {
	// Accepted Mon 2026-02-09 (20 days, unpaused deadline Fri 13 Mar).
	// Paused Wed 4 Mar, still paused on Tue 10 Mar. Counted before the
	// pause: 10–14 Feb (5), 24–28 Feb (10), 2–4 Mar (13). Excluded so far:
	// 5, 6, 9, 10 Mar = 4, so the deadline is the 24th working day, Thu
	// 19 Mar, and 7 days are left — the same 7 as on 4 Mar.
	in := Input{
		AcceptedAt:   at("2026-02-09 09:00"),
		PromisedDays: 20, StatutoryDays: 30,
		Pauses: []Pause{{From: at("2026-03-04 09:00"), Reason: "检测"}},
		Now:    at("2026-03-10 16:00"),
	}
	st := Compute(cal, in, DefaultLightRule)
	check(t, st, want{promised: "2026-03-19", used: 13, left: 7, paused: 4, isPaused: true, light: Green, asOf: "2026-03-04"})
	if n := st.Explanation[len(st.Explanation)-2]; n.Kind != calendar.NotePause || !n.To.IsZero() || n.Days != 4 {
		t.Errorf("pause note %+v", n)
	}
	// Statutory 30: 30th working day + 4 = 34th: 20th is 13 Mar, 16–20
	// (25), 23–27 (30), 30 Mar–2 Apr (34) → Thu 2 Apr 2026 (清明 is 4–6 Apr).
	if st.StatutoryDeadline != d("2026-04-02") || st.StatutoryLeftDays != 17 {
		t.Errorf("statutory %s, left %d; want 2026-04-02, 17", st.StatutoryDeadline, st.StatutoryLeftDays)
	}

	// One day later the deadline moves one more working day (Fri 20 Mar);
	// the days left do not change while paused.
	in.Now = at("2026-03-11 08:00")
	check(t, Compute(cal, in, DefaultLightRule),
		want{promised: "2026-03-20", used: 13, left: 7, paused: 5, isPaused: true, light: Green, asOf: "2026-03-04"})

	// A planned resumption after Now is still an ongoing pause.
	in.Now = at("2026-03-10 16:00")
	in.Pauses[0].To = at("2026-03-20 09:00")
	check(t, Compute(cal, in, DefaultLightRule),
		want{promised: "2026-03-19", used: 13, left: 7, paused: 4, isPaused: true, light: Green, asOf: "2026-03-04"})
}

func TestPauseOnTheDeadlineDay(t *testing.T) {
	// Accepted Mon 2025-03-03, 20 days → Mon 31 Mar. Paused on 31 Mar, still
	// paused on Tue 8 Apr: excluded 1, 2, 3 Apr and 7, 8 Apr (4 Apr is
	// 清明, 5–6 the weekend) = 5, so the deadline is the 25th working day,
	// Tue 8 Apr. As of the pause start the deadline is today: yellow.
	base := Input{
		AcceptedAt:   at("2025-03-03 09:00"),
		PromisedDays: 20, StatutoryDays: 20,
		Pauses: []Pause{{From: at("2025-03-31 10:00"), Reason: "现场核查"}},
		Now:    at("2025-04-08 12:00"),
	}
	st := Compute(cal, base, DefaultLightRule)
	check(t, st, want{promised: "2025-04-08", used: 20, left: 0, paused: 5, isPaused: true, light: Yellow, asOf: "2025-03-31",
		notes: []string{"pause 现场核查 2025-03-31..ongoing 5", "holiday 清明节 2025-04-04..2025-04-06 1", "weekends 8"}})

	// Resumed on 8 Apr: that day is not counted, so the case is still on its
	// last day (yellow); on 9 Apr it is overdue.
	base.Pauses[0].To = at("2025-04-08 14:00")
	base.Now = at("2025-04-08 18:00")
	check(t, Compute(cal, base, DefaultLightRule),
		want{promised: "2025-04-08", used: 20, left: 0, paused: 5, light: Yellow, asOf: "2025-04-08"})
	base.Now = at("2025-04-09 09:00")
	check(t, Compute(cal, base, DefaultLightRule),
		want{promised: "2025-04-08", used: 21, left: -1, paused: 5, light: Red, asOf: "2025-04-09"})
}

func TestPauseAfterTheDeadline(t *testing.T) {
	// Accepted Fri 2025-03-07, 5 days → Fri 14 Mar. Paused Tue 18 to Thu 20
	// Mar, after the deadline: the case stays overdue and the deadline
	// stays. The paused days (19, 20 Mar) still leave the counts: on Fri 21
	// Mar used = 10–14, 17, 18, 21 = 8 and left = −(17, 18, 21) = −3.
	st := Compute(cal, Input{
		AcceptedAt:   at("2025-03-07 09:00"),
		PromisedDays: 5, StatutoryDays: 20,
		Pauses: []Pause{{From: at("2025-03-18 09:00"), To: at("2025-03-20 17:00"), Reason: "检验"}},
		Now:    at("2025-03-21 10:00"),
	}, DefaultLightRule)
	check(t, st, want{promised: "2025-03-14", used: 8, left: -3, paused: 2, light: Red,
		notes: []string{"pause 检验 2025-03-18..2025-03-20 0 late", "weekends 2"}})
}

func TestOverlappingAndClippedPauses(t *testing.T) {
	// Accepted Mon 2025-03-03, 20 days. Pause A 10→14 Mar excludes 11–14
	// (4); pause B 12→18 Mar overlaps it and adds only 17, 18 (2). Six
	// days: the 26th working day is 31 Mar (20), 1–3 Apr (23), 7–9 Apr
	// (26) → Wed 9 Apr. On Thu 20 Mar: used = 4–7, 10, 19, 20 = 7,
	// left = 20 − 7 = 13.
	st := Compute(cal, Input{
		AcceptedAt:   at("2025-03-03 09:00"),
		PromisedDays: 20, StatutoryDays: 20,
		Pauses: []Pause{
			{From: at("2025-03-12 09:00"), To: at("2025-03-18 09:00"), Reason: "B"},
			{From: at("2025-03-10 09:00"), To: at("2025-03-14 09:00"), Reason: "A"},
			{From: at("2025-03-25 09:00"), Reason: "future"}, // starts after Now: ignored
			{Reason: "no start"}, // zero From: ignored
		},
		Now: at("2025-03-20 10:00"),
	}, DefaultLightRule)
	check(t, st, want{promised: "2025-04-09", used: 7, left: 13, paused: 6, light: Green})
	var pauses []string
	for _, n := range st.Explanation {
		if n.Kind == calendar.NotePause {
			pauses = append(pauses, n.Reason+" "+strconv.Itoa(n.Days))
		}
	}
	if !slices.Equal(pauses, []string{"A 4", "B 2"}) {
		t.Errorf("pause notes %v", pauses)
	}

	// A pause recorded from before the acceptance counts only from it:
	// 28 Feb → 5 Mar excludes 4, 5 Mar.
	st = Compute(cal, Input{
		AcceptedAt: at("2025-03-03 09:00"), PromisedDays: 20,
		Pauses: []Pause{{From: at("2025-02-28 09:00"), To: at("2025-03-05 09:00")}},
		Now:    at("2025-03-05 10:00"),
	}, DefaultLightRule)
	check(t, st, want{promised: "2025-04-02", used: 0, left: 20, paused: 2, light: Green})
}

func TestOverlapEndingOnAWeekend(t *testing.T) {
	// Found by the pause-order property. Accepted Mon 2025-03-03, 1 day:
	// due Tue 4 Mar. Pause A, begun on that deadline day and resumed Sat
	// 8 Mar, excludes 5, 6, 7 (3): due Fri 7 Mar. Pause B began Wed 5 Mar,
	// in time, and ran to Wed 12 Mar; beyond A it excludes 10, 11, 12 (3).
	// B counts even though the part A did not already cover starts on Sat
	// 8 Mar, after the 7 Mar deadline: 1 + 6 = 7th working day = Wed
	// 12 Mar, which is today: yellow, not red.
	st := Compute(cal, Input{
		AcceptedAt:   at("2025-03-03 09:00"),
		PromisedDays: 1,
		Pauses: []Pause{
			{From: at("2025-03-04 10:00"), To: at("2025-03-08 10:00"), Reason: "A"},
			{From: at("2025-03-05 10:00"), To: at("2025-03-12 10:00"), Reason: "B"},
		},
		Now: at("2025-03-12 18:00"),
	}, DefaultLightRule)
	check(t, st, want{promised: "2025-03-12", used: 1, left: 0, paused: 6, light: Yellow})
}

func TestExtension(t *testing.T) {
	// Accepted Mon 2025-03-03; promised 15 + 10 = 25: 31 Mar (20), 1–3 Apr
	// (23), 清明 4–6 Apr, 7 (24), Tue 8 Apr (25). Statutory 20 + 10 = 30:
	// 9–11 (28), 14 (29), Tue 15 Apr (30). On Mon 10 Mar: used 4–7, 10 = 5.
	st := Compute(cal, Input{
		AcceptedAt:   at("2025-03-03 09:00"),
		PromisedDays: 15, StatutoryDays: 20, ExtensionDays: 10,
		Now: at("2025-03-10 11:00"),
	}, DefaultLightRule)
	check(t, st, want{promised: "2025-04-08", statutory: "2025-04-15", used: 5, left: 20, light: Green,
		notes: []string{"holiday 清明节 2025-04-04..2025-04-06 1", "extension 10", "weekends 8"}})
	if st.StatutoryLeftDays != 25 {
		t.Errorf("StatutoryLeftDays = %d, want 25", st.StatutoryLeftDays)
	}
}

func TestLights(t *testing.T) {
	// Accepted Mon 2025-03-03 09:00, 20 days → Mon 31 Mar 2025.
	base := Input{AcceptedAt: at("2025-03-03 09:00"), PromisedDays: 20, StatutoryDays: 20}
	cases := []struct {
		name       string
		now        time.Time
		rule       LightRule
		light      Light
		used, left int
	}{
		{"acceptance instant", at("2025-03-03 09:00"), DefaultLightRule, Green, 0, 20},
		{"before acceptance counts as acceptance", at("2025-03-01 09:00"), DefaultLightRule, Green, 0, 20},
		{"far away", at("2025-03-04 10:00"), DefaultLightRule, Green, 1, 19},
		{"2 days left", at("2025-03-27 10:00"), DefaultLightRule, Green, 18, 2},
		{"1 day left", at("2025-03-28 10:00"), DefaultLightRule, Yellow, 19, 1},
		{"weekend before the deadline", at("2025-03-30 10:00"), DefaultLightRule, Yellow, 19, 1},
		{"deadline day", at("2025-03-31 08:00"), DefaultLightRule, Yellow, 20, 0},
		{"last second of the deadline day", time.Date(2025, 3, 31, 15, 59, 59, 0, time.UTC), DefaultLightRule, Yellow, 20, 0},
		{"first second after it", time.Date(2025, 3, 31, 16, 0, 0, 0, time.UTC), DefaultLightRule, Red, 21, -1},
		{"a week later", at("2025-04-08 10:00"), DefaultLightRule, Red, 25, -5},
		{"rule 3: 3 left", at("2025-03-26 10:00"), LightRule{3}, Yellow, 17, 3},
		{"rule 3: 4 left", at("2025-03-25 10:00"), LightRule{3}, Green, 16, 4},
		{"rule 0: 1 left", at("2025-03-28 10:00"), LightRule{}, Green, 19, 1},
		{"rule 0: deadline day", at("2025-03-31 10:00"), LightRule{}, Yellow, 20, 0},
		{"negative rule acts as 0", at("2025-03-31 10:00"), LightRule{-5}, Yellow, 20, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := base
			in.Now = tc.now
			st := Compute(cal, in, tc.rule)
			if st.Light != tc.light || st.UsedDays != tc.used || st.LeftDays != tc.left {
				t.Errorf("light %s used %d left %d; want %s %d %d", st.Light, st.UsedDays, st.LeftDays, tc.light, tc.used, tc.left)
			}
		})
	}

	// Accepted Fri 2025-03-07, 5 days → Fri 14 Mar. On Saturday the deadline
	// day has ended: red, although no working day has passed (left 0).
	fri := Input{AcceptedAt: at("2025-03-07 09:00"), PromisedDays: 5, Now: at("2025-03-15 10:00")}
	check(t, Compute(cal, fri, DefaultLightRule), want{promised: "2025-03-14", used: 5, left: 0, light: Red})
	fri.Now = at("2025-03-17 10:00")
	check(t, Compute(cal, fri, DefaultLightRule), want{promised: "2025-03-14", used: 6, left: -1, light: Red})

	// An immediate item (0 days) is due the day of acceptance.
	imm := Input{AcceptedAt: at("2025-03-07 09:00"), Now: at("2025-03-07 17:00")}
	check(t, Compute(cal, imm, DefaultLightRule), want{promised: "2025-03-07", statutory: "2025-03-07", light: Yellow})
	imm.Now = at("2025-03-08 09:00")
	check(t, Compute(cal, imm, DefaultLightRule), want{promised: "2025-03-07", light: Red})
}

func TestMissingYear(t *testing.T) {
	// Accepted Fri 2026-12-25, 5 days: 28–31 Dec (4), Fri 1 Jan 2027 (5)
	// because 2027 has no data yet.
	st := Compute(cal, Input{AcceptedAt: at("2026-12-25 09:00"), PromisedDays: 5, StatutoryDays: 5, Now: at("2026-12-28 09:00")}, DefaultLightRule)
	check(t, st, want{promised: "2027-01-01", used: 1, left: 4, light: Green, missing: []int{2027},
		notes: []string{"weekends 2", "missing_year 2027"}})

	// The deadline is in 2026, but counting the overdue days runs into 2027:
	// accepted Tue 1 Dec 2026, 1 day → Wed 2 Dec. On Tue 5 Jan 2027 used =
	// 22 December working days (2–4, 7–11, 14–18, 21–25, 28–31) + Fri 1,
	// Mon 4, Tue 5 Jan = 25.
	st = Compute(cal, Input{AcceptedAt: at("2026-12-01 09:00"), PromisedDays: 1, Now: at("2027-01-05 09:00")}, DefaultLightRule)
	check(t, st, want{promised: "2026-12-02", used: 25, left: -24, light: Red, missing: []int{2027},
		notes: []string{"missing_year 2027"}})

	// A nil calendar counts weekends only and says so.
	st = Compute(nil, Input{AcceptedAt: at("2026-02-13 09:00"), PromisedDays: 1, Now: at("2026-02-13 10:00")}, DefaultLightRule)
	check(t, st, want{promised: "2026-02-16", left: 1, light: Yellow, missing: []int{2026}})
}
