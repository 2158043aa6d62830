package calendar

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

var d = MustParseDate

func builtin(t testing.TB) *Calendar {
	t.Helper()
	c, err := New(Builtin()...)
	if err != nil {
		t.Fatalf("New(Builtin()): %v", err)
	}
	return c
}

func TestBuiltinMatchesDomain(t *testing.T) {
	// docs/DOMAIN.md §4, day by day: a typo in builtin.go must not survive.
	want := map[int]struct{ off, worked string }{
		2025: {
			off: "2025-01-01 2025-01-28 2025-01-29 2025-01-30 2025-01-31 2025-02-01 2025-02-02 2025-02-03 2025-02-04 " +
				"2025-04-04 2025-04-05 2025-04-06 2025-05-01 2025-05-02 2025-05-03 2025-05-04 2025-05-05 " +
				"2025-05-31 2025-06-01 2025-06-02 2025-10-01 2025-10-02 2025-10-03 2025-10-04 2025-10-05 2025-10-06 2025-10-07 2025-10-08",
			worked: "2025-01-26 2025-02-08 2025-04-27 2025-09-28 2025-10-11",
		},
		2026: {
			off: "2026-01-01 2026-01-02 2026-01-03 2026-02-15 2026-02-16 2026-02-17 2026-02-18 2026-02-19 2026-02-20 2026-02-21 2026-02-22 2026-02-23 " +
				"2026-04-04 2026-04-05 2026-04-06 2026-05-01 2026-05-02 2026-05-03 2026-05-04 2026-05-05 2026-06-19 2026-06-20 2026-06-21 " +
				"2026-09-25 2026-09-26 2026-09-27 2026-10-01 2026-10-02 2026-10-03 2026-10-04 2026-10-05 2026-10-06 2026-10-07",
			worked: "2026-01-04 2026-02-14 2026-02-28 2026-05-09 2026-09-20 2026-10-10",
		},
	}
	sources := map[int]string{2025: "国办发明电〔2024〕12号", 2026: "国务院办公厅关于2026年部分节假日安排的通知（2025-11-04）"}
	names := []string{"元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"}
	for _, y := range Builtin() {
		w, ok := want[y.Year]
		if !ok {
			t.Fatalf("unexpected builtin year %d", y.Year)
		}
		if y.Source != sources[y.Year] {
			t.Errorf("%d source = %q", y.Year, y.Source)
		}
		var off, worked []string
		for _, day := range y.Days() {
			if day.Kind == DayHoliday {
				off = append(off, day.Date.String())
			} else {
				worked = append(worked, day.Date.String())
			}
			for _, part := range strings.Split(day.Name, "、") {
				if !slices.Contains(names, part) {
					t.Errorf("%s: unexpected holiday name %q", day.Date, day.Name)
				}
			}
		}
		if got := strings.Join(off, " "); got != w.off {
			t.Errorf("%d holidays:\n got %s\nwant %s", y.Year, got, w.off)
		}
		if got := strings.Join(worked, " "); got != w.worked {
			t.Errorf("%d adjusted working days:\n got %s\nwant %s", y.Year, got, w.worked)
		}
	}
	if len(Builtin()) != 2 {
		t.Errorf("Builtin has %d years, want 2", len(Builtin()))
	}
	// Callers may edit what they get.
	b := Builtin()
	b[0].Holidays[0].Name = "changed"
	if Builtin()[0].Holidays[0].Name != "元旦" {
		t.Error("Builtin shares its slices between calls")
	}
}

func TestIsWorkingDay(t *testing.T) {
	c := builtin(t)
	cases := []struct {
		date           string
		working, known bool
	}{
		{"2026-02-14", true, true},   // Saturday, adjusted working day
		{"2026-02-16", false, true},  // Monday in the Spring Festival
		{"2026-02-21", false, true},  // Saturday inside the holiday
		{"2026-03-07", false, true},  // ordinary Saturday
		{"2026-03-09", true, true},   // ordinary Monday
		{"2025-10-11", true, true},   // Saturday, adjusted
		{"2025-10-08", false, true},  // Wednesday, National Day
		{"2027-01-01", true, false},  // Friday, no 2027 data: weekends only
		{"2027-01-02", false, false}, // Saturday, no data
		{"2024-12-31", true, false},  // Tuesday, no 2024 data
	}
	for _, tc := range cases {
		w, k := c.IsWorkingDay(d(tc.date))
		if w != tc.working || k != tc.known {
			t.Errorf("IsWorkingDay(%s) = %v, %v; want %v, %v", tc.date, w, k, tc.working, tc.known)
		}
	}
}

// note is a compact form of a Note for table expectations.
func note(n Note) string {
	switch n.Kind {
	case NoteHoliday:
		return "holiday " + n.Name + " " + n.From.String() + ".." + n.To.String() + " " + itoa(n.Days)
	case NoteAdjustedWorkday:
		return "adjusted " + n.Name + " " + n.From.String()
	case NoteWeekends:
		return "weekends " + itoa(n.Days)
	case NoteMissingYear:
		s := "missing"
		for _, y := range n.Years {
			s += " " + itoa(y)
		}
		return s
	}
	return string(n.Kind)
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestAddWorkingDays(t *testing.T) {
	c := builtin(t)
	cases := []struct {
		name     string
		from     string
		n        int
		want     string
		notes    []string
		provisnl bool
	}{
		{
			// Fri 2025-01-24. Sat 25 weekend; Sun 26 adjusted (1); Mon 27 (2);
			// Tue 28 Jan – Tue 4 Feb Spring Festival, 6 of them weekdays;
			// Wed 5 (3), Thu 6 (4), Fri 7 (5), Sat 8 adjusted (6); Sun 9;
			// 10–14 (7–11); 15/16; 17–21 (12–16); 22/23; 24 (17), 25 (18),
			// 26 (19), Thu 27 Feb (20). Weekends: 25 Jan, 9, 15, 16, 22, 23 Feb.
			name: "Spring Festival 2025 from a Friday", from: "2025-01-24", n: 20, want: "2025-02-27",
			notes: []string{"adjusted 春节 2025-01-26", "holiday 春节 2025-01-28..2025-02-04 6",
				"adjusted 春节 2025-02-08", "weekends 6"},
		},
		{
			// Fri 2026-02-13. Sat 14 adjusted (1); 15–23 Feb holiday
			// (weekdays 16–20 and 23: 6); Tue 24 (2) … Fri 27 (5); Sat 28
			// adjusted (6); Sun 1 Mar; 2–6 (7–11); 7/8; 9–13 (12–16); 14/15;
			// 16 (17), 17 (18), 18 (19), Thu 19 Mar (20).
			name: "Spring Festival 2026 from a Friday", from: "2026-02-13", n: 20, want: "2026-03-19",
			notes: []string{"adjusted 春节 2026-02-14", "holiday 春节 2026-02-15..2026-02-23 6",
				"adjusted 春节 2026-02-28", "weekends 5"},
		},
		{
			// Accepted Wed 2026-02-18, inside the holiday: 19–23 are holiday
			// (weekdays 19, 20, 23: 3); 24 (1), 25 (2), 26 (3), 27 (4),
			// Sat 28 adjusted (5) — a Saturday deadline.
			name: "accepted on a holiday", from: "2026-02-18", n: 5, want: "2026-02-28",
			notes: []string{"holiday 春节 2026-02-19..2026-02-23 3", "adjusted 春节 2026-02-28"},
		},
		{
			// Accepted Sat 2026-02-14, itself an adjusted working day and not
			// counted: 15–23 holiday; 24 (1), 25 (2), 26 (3).
			name: "accepted on an adjusted Saturday, 3 days", from: "2026-02-14", n: 3, want: "2026-02-26",
			notes: []string{"holiday 春节 2026-02-15..2026-02-23 6"},
		},
		{
			// Same start, 20 days: 24–27 (1–4), Sat 28 (5), Mar 2–6 (6–10),
			// 9–13 (11–15), 16–20 (16–20) → Fri 20 Mar. Weekends: 1, 7, 8,
			// 14, 15 Mar.
			name: "accepted on an adjusted Saturday, 20 days", from: "2026-02-14", n: 20, want: "2026-03-20",
			notes: []string{"holiday 春节 2026-02-15..2026-02-23 6", "adjusted 春节 2026-02-28", "weekends 5"},
		},
		{
			// Fri 2025-09-26. Sat 27; Sun 28 adjusted (1); 29 (2), 30 (3);
			// 1–8 Oct holiday (weekdays 1, 2, 3, 6, 7, 8: 6); Thu 9 (4),
			// Fri 10 (5), Sat 11 adjusted (6); Sun 12; 13–17 (7–11); 18/19;
			// 20–24 (12–16); 25/26; 27 (17), 28 (18), 29 (19), Thu 30 (20).
			name: "National Day 2025 from a Friday", from: "2025-09-26", n: 20, want: "2025-10-30",
			notes: []string{"adjusted 国庆节、中秋节 2025-09-28", "holiday 国庆节、中秋节 2025-10-01..2025-10-08 6",
				"adjusted 国庆节、中秋节 2025-10-11", "weekends 6"},
		},
		{
			// Wed 2026-09-30. 1–7 Oct holiday (weekdays 1, 2, 5, 6, 7: 5);
			// Thu 8 (1), Fri 9 (2), Sat 10 adjusted (3); Sun 11; 12–16 (4–8);
			// 17/18; 19–23 (9–13); 24/25; 26–30 (14–18); 31 Oct, 1 Nov;
			// Mon 2 Nov (19), Tue 3 Nov (20).
			name: "National Day 2026", from: "2026-09-30", n: 20, want: "2026-11-03",
			notes: []string{"holiday 国庆节 2026-10-01..2026-10-07 5", "adjusted 国庆节 2026-10-10", "weekends 7"},
		},
		{
			// Fri 2026-09-18. Sat 19; Sun 20 adjusted (1); 21–24 (2–5);
			// 25–27 Mid-Autumn (only Fri 25 a weekday); 28 (6), 29 (7),
			// 30 (8); 1–7 Oct (5 weekdays); 8 (9), 9 (10), Sat 10 (11);
			// Sun 11; 12–16 (12–16); 17/18; 19 (17) … Thu 22 Oct (20).
			name: "Mid-Autumn and National Day 2026", from: "2026-09-18", n: 20, want: "2026-10-22",
			notes: []string{"adjusted 国庆节 2026-09-20", "holiday 中秋节 2026-09-25..2026-09-27 1",
				"holiday 国庆节 2026-10-01..2026-10-07 5", "adjusted 国庆节 2026-10-10", "weekends 4"},
		},
		{
			// Mon 2025-03-03, no holiday near: four weeks → Mon 31 Mar.
			name: "ordinary month", from: "2025-03-03", n: 20, want: "2025-03-31",
			notes: []string{"weekends 8"},
		},
		{
			// Fri 2025-03-07: the weekend is skipped, day 1 is Monday.
			name: "Friday, 1 day", from: "2025-03-07", n: 1, want: "2025-03-10",
			notes: []string{"weekends 2"},
		},
		{
			name: "Friday, 5 days", from: "2025-03-07", n: 5, want: "2025-03-14",
			notes: []string{"weekends 2"},
		},
		{
			// Labour Day 2025 from Fri 25 Apr: Sat 26; Sun 27 adjusted (1);
			// 28 (2), 29 (3), 30 (4); 1–5 May (Thu, Fri, Mon weekdays: 3);
			// Tue 6 May (5).
			name: "Labour Day 2025", from: "2025-04-25", n: 5, want: "2025-05-06",
			notes: []string{"adjusted 劳动节 2025-04-27", "holiday 劳动节 2025-05-01..2025-05-05 3", "weekends 1"},
		},
		{
			name: "n=0 on a holiday is the day itself", from: "2026-02-15", n: 0, want: "2026-02-15",
		},
		{
			// Nothing is examined, so a year without data does not matter.
			name: "n=0 in a year without data", from: "2027-03-06", n: 0, want: "2027-03-06",
		},
		{
			// Fri 2026-12-25: Sat 26, Sun 27; 28 (1) … Thu 31 (4); Fri
			// 2027-01-01 counts (5) because 2027 has no data yet.
			name: "into 2027", from: "2026-12-25", n: 5, want: "2027-01-01", provisnl: true,
			notes: []string{"weekends 2", "missing 2027"},
		},
		{
			// Only 2026 is examined: Thu 31 Dec.
			name: "up to the last day of 2026", from: "2026-12-30", n: 1, want: "2026-12-31",
		},
		{
			// From a day in 2024 (no data) but only 2025 days are examined:
			// 1 Jan 2025 is a holiday, Thu 2 Jan is day 1.
			name: "from a year without data", from: "2024-12-31", n: 1, want: "2025-01-02",
			notes: []string{"holiday 元旦 2025-01-01..2025-01-01 1"},
		},
		{
			// Backwards: 1 working day before Mon 2026-02-16 (holiday) is the
			// adjusted Sat 14 Feb; 2 before is Fri 13 Feb.
			name: "backwards over the holiday", from: "2026-02-24", n: -2, want: "2026-02-13",
			notes: []string{"adjusted 春节 2026-02-14", "holiday 春节 2026-02-15..2026-02-23 6"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := c.AddWorkingDays(d(tc.from), tc.n)
			if r.Deadline != d(tc.want) {
				t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", tc.from, tc.n, r.Deadline, tc.want)
			}
			if r.Provisional != tc.provisnl || (len(r.MissingYears) > 0) != tc.provisnl {
				t.Errorf("provisional = %v %v, want %v", r.Provisional, r.MissingYears, tc.provisnl)
			}
			var got []string
			for _, n := range r.Explanation {
				got = append(got, note(n))
			}
			if !slices.Equal(got, tc.notes) {
				t.Errorf("explanation:\n got %q\nwant %q", got, tc.notes)
			}
			dl, prov := c.Deadline(d(tc.from), tc.n)
			if dl != r.Deadline || prov != r.Provisional {
				t.Errorf("Deadline = %s, %v; AddWorkingDays = %s, %v", dl, prov, r.Deadline, r.Provisional)
			}
			if tc.n >= 0 {
				if got := c.WorkingDaysBetween(d(tc.from), r.Deadline); got != tc.n {
					t.Errorf("WorkingDaysBetween(%s, %s) = %d, want %d", tc.from, r.Deadline, got, tc.n)
				}
			}
		})
	}
}

func TestWorkingDaysBetween(t *testing.T) {
	c := builtin(t)
	cases := []struct {
		a, b string
		want int
	}{
		{"2025-01-24", "2025-02-27", 20},
		{"2025-02-27", "2025-01-24", -20},
		{"2026-02-15", "2026-02-15", 0},
		{"2026-02-14", "2026-02-23", 0}, // only holiday days after the start
		{"2026-02-13", "2026-02-14", 1}, // the adjusted Saturday itself
		{"2026-12-31", "2027-01-04", 2}, // Fri 1 Jan and Mon 4 Jan, weekends only
		// All of 2026: it starts on a Thursday, so 52 weeks + 1 Thursday = 261
		// weekdays; holidays take 2 (Jan 1–2) + 6 + 1 (Apr 6) + 3 (May 1, 4, 5)
		// + 1 (Jun 19) + 1 (Sep 25) + 5 = 19; 6 adjusted days are added.
		{"2025-12-31", "2026-12-31", 248},
	}
	for _, tc := range cases {
		if got := c.WorkingDaysBetween(d(tc.a), d(tc.b)); got != tc.want {
			t.Errorf("WorkingDaysBetween(%s, %s) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestYearsAndHas(t *testing.T) {
	c := builtin(t)
	if got := c.Years(); !slices.Equal(got, []int{2025, 2026}) {
		t.Errorf("Years() = %v", got)
	}
	if !c.Has(2025) || !c.Has(2026) || c.Has(2027) || c.Has(2024) {
		t.Error("Has gives wrong answers")
	}
	y, ok := c.Year(2026)
	if !ok || len(y.Holidays) != 7 || len(y.Workdays) != 6 {
		t.Errorf("Year(2026) = %+v, %v", y, ok)
	}
	y.Holidays[0].Name = "changed"
	if y2, _ := c.Year(2026); y2.Holidays[0].Name != "元旦" {
		t.Error("Year returns shared slices")
	}

	empty := MustNew()
	if len(empty.Years()) != 0 || empty.Has(2026) {
		t.Error("empty calendar claims data")
	}
	r := empty.AddWorkingDays(d("2026-02-13"), 1) // weekends only: Mon 16 Feb
	if r.Deadline != d("2026-02-16") || !r.Provisional || !slices.Equal(r.MissingYears, []int{2026}) {
		t.Errorf("empty calendar: %+v", r)
	}

	// Non-adjacent years leave a gap with no data.
	y25, y26 := Builtin()[0], Builtin()[1]
	y27 := y26
	y27.Year, y27.Holidays, y27.Workdays = 2028, nil, nil
	gap := MustNew(y27, y25)
	if got := gap.Years(); !slices.Equal(got, []int{2025, 2028}) {
		t.Errorf("Years() = %v", got)
	}
	if gap.Has(2026) || gap.Has(2027) || !gap.Has(2028) {
		t.Error("gap years")
	}
}

func TestNewRejects(t *testing.T) {
	b := Builtin()
	if _, err := New(b[0], b[1], b[0]); err == nil || !strings.Contains(err.Error(), "2025: holiday data given twice") {
		t.Errorf("duplicate year: err = %v", err)
	}
	bad := b[1]
	bad.Workdays = append(bad.Workdays, AdjustedDay{d("2026-03-02"), "春节"})
	if _, err := New(bad); err == nil || !strings.Contains(err.Error(), "is a Monday") {
		t.Errorf("invalid year accepted: err = %v", err)
	}
}

func TestNoteText(t *testing.T) {
	cases := []struct {
		n      Note
		zh, en string
	}{
		{
			Note{Kind: NoteHoliday, Name: "春节", From: d("2026-02-15"), To: d("2026-02-23"), Days: 6},
			"跳过春节假期 2026-02-15 至 2026-02-23（其中 6 个工作日）",
			"Skipped Spring Festival holiday 2026-02-15 to 2026-02-23 (6 weekdays)",
		},
		{
			Note{Kind: NoteHoliday, Name: "元旦", From: d("2025-01-01"), To: d("2025-01-01"), Days: 1},
			"跳过元旦假期 2025-01-01（其中 1 个工作日）",
			"Skipped New Year's Day holiday 2025-01-01 (1 weekday)",
		},
		{
			Note{Kind: NoteHoliday, Name: "国庆节、中秋节", From: d("2025-10-01"), To: d("2025-10-08"), Days: 6},
			"跳过国庆节、中秋节假期 2025-10-01 至 2025-10-08（其中 6 个工作日）",
			"Skipped National Day and Mid-Autumn Festival holiday 2025-10-01 to 2025-10-08 (6 weekdays)",
		},
		{
			Note{Kind: NoteAdjustedWorkday, Name: "春节", From: d("2026-02-14"), To: d("2026-02-14"), Days: 1},
			"2026-02-14（周六）为春节调休上班日，计为工作日",
			"2026-02-14 (Saturday) is a working day in exchange for the Spring Festival holiday and was counted",
		},
		{
			Note{Kind: NoteWeekends, Days: 5},
			"跳过 5 个周末休息日",
			"Skipped 5 weekend days",
		},
		{
			Note{Kind: NoteMissingYear, Years: []int{2027, 2028}},
			"2027、2028 年尚无节假日安排数据，暂按仅双休日计算，期限为临时结果",
			"No holiday data for 2027, 2028: counted with weekends only, so the deadline is provisional",
		},
		{
			Note{Kind: NotePause, Reason: "专家评审", From: d("2026-02-12"), To: d("2026-02-25"), Days: 4, Expected: 10},
			"暂停计时（专家评审）2026-02-12 至 2026-02-25，告知需 10 日，顺延 4 个工作日",
			"Clock paused (专家评审) from 2026-02-12 to 2026-02-25, announced as 10 days; deadline moved by 4 working days",
		},
		{
			Note{Kind: NotePause, Reason: "检测", From: d("2026-03-04"), Days: 4},
			"暂停计时（检测）2026-03-04 至今（仍在暂停），顺延 4 个工作日",
			"Clock paused (检测) from 2026-03-04 to now (still paused); deadline moved by 4 working days",
		},
		{
			Note{Kind: NotePause, From: d("2025-03-18"), To: d("2025-03-20"), AfterDeadline: true},
			"暂停计时（—）2025-03-18 至 2025-03-20，开始于期限届满之后，期限不顺延",
			"Clock paused (—) from 2025-03-18 to 2025-03-20; it began after the deadline, which did not move",
		},
		{
			Note{Kind: NoteExtension, Days: 10},
			"延长 10 个工作日",
			"Extended by 10 working days",
		},
	}
	for _, tc := range cases {
		if got := tc.n.Text("zh"); got != tc.zh {
			t.Errorf("zh:\n got %s\nwant %s", got, tc.zh)
		}
		if got := tc.n.Text("zh-CN"); got != tc.zh {
			t.Errorf("zh-CN:\n got %s\nwant %s", got, tc.zh)
		}
		if got := tc.n.Text("en"); got != tc.en {
			t.Errorf("en:\n got %s\nwant %s", got, tc.en)
		}
	}
	if got := EnglishName("县庆"); got != "县庆" {
		t.Errorf("unknown names pass through, got %q", got)
	}
}

func TestDateOfUsesTheZone(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	// 17:30 UTC on 12 Feb is 01:30 on 13 Feb in China.
	tm := time.Date(2026, 2, 12, 17, 30, 0, 0, time.UTC)
	if got := DateOf(tm, cst); got != d("2026-02-13") {
		t.Errorf("DateOf CST = %s", got)
	}
	if got := DateOf(tm, nil); got != d("2026-02-12") {
		t.Errorf("DateOf nil = %s", got)
	}
	if got := d("2026-02-13").Time(cst); !got.Equal(time.Date(2026, 2, 12, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("Time = %s", got)
	}
}
