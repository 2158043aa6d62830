package voice_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/voice"
)

// Each kind gets its own number series per Shanghai day and a reply
// deadline counted in working days over the 2026 National Day holiday
// (1–7 October off, Saturday 10 October worked): filed on Wednesday 30
// September, help (3) is due Saturday 10 October, a consultation (5) on
// Tuesday 13 October, a complaint (10) on Tuesday 20 October.
func TestFileIssuesNumberAndDeadline(t *testing.T) {
	f := newFixture(t)
	c1 := f.file(f.consult())
	c2 := f.file(f.consult())
	in := f.consult()
	in.Kind, in.DepartmentID = voice.Complaint, 0
	ts := f.file(in)
	in.Kind = voice.Help
	qz := f.file(in)
	for _, tc := range []struct {
		e       *voice.Enquiry
		no, due string
	}{
		{c1, "ZX-20260930-0001", "2026-10-13"},
		{c2, "ZX-20260930-0002", "2026-10-13"},
		{ts, "TS-20260930-0001", "2026-10-20"},
		{qz, "QZ-20260930-0001", "2026-10-10"},
	} {
		if tc.e.No != tc.no || tc.e.Due.String() != tc.due || tc.e.State != voice.Open {
			t.Errorf("%s: number %s due %s state %s; want %s due %s, open", tc.e.Kind, tc.e.No, tc.e.Due, tc.e.State, tc.no, tc.due)
		}
	}
	// 00:30 on 1 October in Shanghai is still 30 September in UTC: the
	// number takes the Shanghai day.
	f.set(time.Date(2026, 9, 30, 16, 30, 0, 0, time.UTC))
	if e := f.file(f.consult()); e.No != "ZX-20261001-0001" {
		t.Errorf("after midnight in Shanghai: %s", e.No)
	}
	// An ordinary weekend: filed on Friday 6 November, a consultation is
	// due on Friday 13 November, a help request on Wednesday 11 November.
	f.set(at("2026-11-06"))
	if e := f.file(f.consult()); e.Due.String() != "2026-11-13" {
		t.Errorf("consultation over a weekend: due %s", e.Due)
	}
	in.Kind = voice.Help
	if e := f.file(in); e.Due.String() != "2026-11-11" {
		t.Errorf("help over a weekend: due %s", e.Due)
	}
	got, err := f.svc.ByNo(f.ctx, " zx-20260930-0002 ")
	if err != nil || got.ID != c2.ID || got.Department != "发改局" || got.Centre == "" || got.Due != c2.Due {
		t.Fatalf("by number: %+v %v", got, err)
	}
	if _, err := f.svc.ByNo(f.ctx, "ZX-20260930-0099"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("unknown number: %v", err)
	}
	if _, err := f.svc.ByNo(f.ctx, strings.Repeat("Z", 50000)); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("50,000-character number: %v", err)
	}
}

// Every bad field is refused with its own field error and writes nothing.
func TestFileRefusesBadInput(t *testing.T) {
	f := newFixture(t)
	long := strings.Repeat("长", 50000)
	lat := 28.0
	bad := 91.0
	for _, tc := range []struct {
		name  string
		mod   func(*voice.Input)
		field string
	}{
		{"no kind", func(in *voice.Input) { in.Kind = "" }, "kind"},
		{"unknown kind", func(in *voice.Input) { in.Kind = "praise" }, "kind"},
		{"no channel", func(in *voice.Input) { in.Channel = "" }, "channel"},
		{"no subject", func(in *voice.Input) { in.Subject = "  " }, "subject"},
		{"long subject", func(in *voice.Input) { in.Subject = strings.Repeat("题", voice.MaxSubject+1) }, "subject"},
		{"50,000-character body", func(in *voice.Input) { in.Body = long }, "body"},
		{"no body", func(in *voice.Input) { in.Body = "" }, "body"},
		{"control characters", func(in *voice.Input) { in.Subject = "营业\x1b[31m执照" }, "subject"},
		{"NUL in the body", func(in *voice.Input) { in.Body = "a\x00b" }, "body"},
		{"50,000-character name", func(in *voice.Input) { in.Name = long }, "name"},
		{"no phone", func(in *voice.Input) { in.Phone = "" }, "phone"},
		{"bad phone", func(in *voice.Input) { in.Phone = "12345" }, "phone"},
		{"50,000-character phone", func(in *voice.Input) { in.Phone = long }, "phone"},
		{"bad email", func(in *voice.Input) { in.Email = "nobody" }, "email"},
		{"consultation without department", func(in *voice.Input) { in.DepartmentID = 0 }, "department_id"},
		{"unknown department", func(in *voice.Input) { in.DepartmentID = 999999 }, "department_id"},
		{"unknown case", func(in *voice.Input) { in.CaseNo = "YZ202609309999" }, "case_no"},
		{"50,000-character case", func(in *voice.Input) { in.CaseNo = long }, "case_no"},
		{"someone else's case", func(in *voice.Input) { in.CaseNo, in.ApplicantID = f.caseNo, f.other.ID }, "case_no"},
		{"latitude without longitude", func(in *voice.Input) { in.Lat = &lat }, "lat"},
		{"latitude out of range", func(in *voice.Input) { in.Lat, in.Long = &bad, &lat }, "lat"},
		{"script address", func(in *voice.Input) { in.MediaURL = "javascript:alert(1)" }, "media_url"},
	} {
		in := f.consult()
		tc.mod(&in)
		_, err := f.svc.File(f.ctx, in)
		e := apperr.As(err)
		if e == nil || e.Code != apperr.Invalid || e.Fields[tc.field].Key == "" {
			t.Errorf("%s: %v, want a field error on %s", tc.name, err, tc.field)
		}
	}
	var n int
	if err := f.db.R.QueryRow(`SELECT COUNT(*) FROM enquiries`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("refused filings wrote %d enquiries (%v)", n, err)
	}
	// An Open311 client may leave the phone out; a portal form may not.
	in := f.consult()
	in.Channel, in.Phone = "open311", ""
	f.file(in)
}

// A case number from a stranger is only checked for existence: the
// complaint does not take the case's department, so nothing about the
// case comes back. Its owner's complaint goes to the case's department.
func TestCaseNumberRevealsNothingToStrangers(t *testing.T) {
	f := newFixture(t)
	in := f.consult()
	in.Kind, in.DepartmentID, in.CaseNo = voice.Complaint, 0, strings.ToLower(f.caseNo)
	stranger := f.file(in)
	if stranger.DepartmentID != 0 || stranger.Department != "" || stranger.CaseNo != f.caseNo {
		t.Errorf("a stranger's complaint: department %d %q, case %q", stranger.DepartmentID, stranger.Department, stranger.CaseNo)
	}
	in.ApplicantID = f.app.ID
	own := f.file(in)
	if own.DepartmentID != f.staff("clerk").DepartmentID {
		t.Errorf("the owner's complaint went to department %d", own.DepartmentID)
	}
}

// Twenty filings at once get twenty distinct numbers 0001…0020.
func TestConcurrentNumbering(t *testing.T) {
	f := newFixture(t)
	const n = 20
	nos := make(chan string, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			in := f.consult()
			in.Channel = "window" // a clerk at the window: no sender limit
			e, err := f.svc.File(f.ctx, in)
			if err != nil {
				t.Error(err)
				return
			}
			nos <- e.No
		})
	}
	wg.Wait()
	close(nos)
	seen := map[string]bool{}
	for no := range nos {
		seen[no] = true
	}
	for i := 1; i <= n; i++ {
		if no := fmt.Sprintf("ZX-20260930-%04d", i); !seen[no] {
			t.Errorf("%s was not issued (got %d numbers)", no, len(seen))
		}
	}
}

// The county's supervisor sets the reply limits; nobody else may; a limit
// out of range is a field error; the change is in the audit log and
// holds for what is filed afterwards.
func TestReplyDaysConfigurable(t *testing.T) {
	f := newFixture(t)
	for _, who := range []string{"clerk", "admin", "leader", "deptadmin"} {
		if err := f.svc.SetReplyDays(f.ctx, f.staff(who), map[voice.Kind]int{voice.Consult: 2}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("%s set the limits: %v", who, err)
		}
	}
	sup := f.staff("supervisor")
	for _, n := range []int{0, -1, voice.MaxReplyDays + 1} {
		err := f.svc.SetReplyDays(f.ctx, sup, map[voice.Kind]int{voice.Consult: n})
		if e := apperr.As(err); e == nil || e.Fields["days_consult"].Key == "" {
			t.Errorf("%d days: %v", n, err)
		}
	}
	if err := f.svc.SetReplyDays(f.ctx, sup, map[voice.Kind]int{voice.Consult: 2}); err != nil {
		t.Fatal(err)
	}
	if e := f.file(f.consult()); e.Due.String() != "2026-10-09" || e.ReplyDays != 2 {
		t.Errorf("2 working days from 30 September: %s (%d)", e.Due, e.ReplyDays)
	}
	var n int
	if err := f.db.R.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE entity = 'enquiry_deadlines' AND after LIKE '%"consult":2%'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("audit entries: %d %v", n, err)
	}
}

// Find never reads an empty kind as every kind, and filters by kind,
// number and state.
func TestFindFilters(t *testing.T) {
	f := newFixture(t)
	c := f.file(f.consult())
	in := f.consult()
	in.Kind = voice.Help
	h := f.file(in)
	if _, err := f.svc.Find(f.ctx, voice.Filter{}); err == nil {
		t.Error("a filter without a kind listed enquiries")
	}
	got, err := f.svc.Find(f.ctx, voice.Filter{Kinds: []voice.Kind{voice.Help}})
	if err != nil || len(got) != 1 || got[0].No != h.No {
		t.Errorf("help only: %v %v", got, err)
	}
	got, err = f.svc.Find(f.ctx, voice.Filter{Kinds: voice.Kinds, Nos: []string{c.No, "ZX-X"}})
	if err != nil || len(got) != 1 || got[0].No != c.No {
		t.Errorf("by number: %v %v", got, err)
	}
	got, err = f.svc.Find(f.ctx, voice.Filter{Kind: voice.Consult, State: voice.Answered})
	if err != nil || len(got) != 0 {
		t.Errorf("answered: %v %v", got, err)
	}
	if _, err := f.svc.Find(f.ctx, voice.Filter{Kind: voice.Consult, State: "everything"}); err == nil {
		t.Error("an unknown state listed enquiries")
	}
}

// The portal's limits: five filings an hour from one address, ten a day
// from one phone; the refusal is "too many" and writes nothing; an hour
// later the address may file again, and the window is not limited.
func TestFilingLimits(t *testing.T) {
	f := newFixture(t)
	in := f.consult()
	in.From = "203.0.113.7"
	for i := range 5 {
		in.Phone = fmt.Sprintf("1390000%04d", i)
		f.file(in)
	}
	in.Phone = "13900009999"
	if _, err := f.svc.File(f.ctx, in); !apperr.Is(err, apperr.TooMany) {
		t.Fatalf("sixth filing from one address in an hour: %v", err)
	}
	f.set(f.clock().Add(61 * time.Minute))
	f.file(in)
	in.From = ""
	in.Phone = "13800138000"
	for i := range 10 {
		in.Subject = fmt.Sprint("问题", i)
		f.file(in)
	}
	if _, err := f.svc.File(f.ctx, in); !apperr.Is(err, apperr.TooMany) {
		t.Fatalf("eleventh filing from one phone in a day: %v", err)
	}
	var n int
	if err := f.db.R.QueryRow(`SELECT COUNT(*) FROM enquiries`).Scan(&n); err != nil || n != 16 {
		t.Errorf("%d enquiries, want 16 (%v)", n, err)
	}
	in.Channel = "window"
	f.file(in)
}
