package request_test

import (
	"testing"

	"onestop/internal/apperr"
	"onestop/internal/disclosure"
	"onestop/internal/disclosure/request"
)

// The hand-counted working days from Wednesday 30 September 2026 (1–7
// October are the National Day holiday, Saturday 10 October is worked):
// 8, 9, 10, 12, 13, 14, 15 October are working days 1–7, and the 20th is
// Tuesday 3 November.

func TestFilingByChannel(t *testing.T) {
	f := newFixture(t)
	// Online: filed, no receipt day, until the office confirms (Art. 31(3)).
	r, err := f.svc.FileOnline(f.ctx, f.app.ID, f.input())
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != request.Filed || r.ReceivedOn != nil || r.DueOn != nil || r.Channel != disclosure.Online || len(r.No) != len("GK-20260930-0001") {
		t.Fatalf("online request: %+v", r)
	}
	f.set("2026-10-09")
	if _, err := f.svc.Confirm(f.ctx, f.staff["reviewer"], r.No); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("a reviewer without a grant confirms: %v", err)
	}
	if _, err := f.svc.Confirm(f.ctx, f.staff["supervisor"], r.No); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("a supervisor confirms: %v", err)
	}
	r, err = f.svc.Confirm(f.ctx, f.staff["clerk"], r.No)
	if err != nil {
		t.Fatal(err)
	}
	// Received on the confirmation day; 20 working days: 10, 12–16, 19–23, 26–30 Oct, 2–5 Nov.
	if r.Status != request.Open || day(r.ReceivedOn) != "2026-10-09" || day(r.DueOn) != "2026-11-05" {
		t.Fatalf("confirmed: %s received %s due %s", r.Status, day(r.ReceivedOn), day(r.DueOn))
	}
	if _, err := f.svc.Confirm(f.ctx, f.staff["clerk"], r.No); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("confirmed twice: %v", err)
	}

	// By post: the day signed for, entered by the officer, never in the future.
	in := f.input()
	in.Channel = disclosure.Post
	in.ReceivedOn = "2026-10-10"
	if _, err := f.svc.Register(f.ctx, f.staff["clerk"], in); fieldKey(err, "received_on") == "" {
		t.Fatalf("a signing day tomorrow: %v", err)
	}
	in.ReceivedOn = "2026-09-30"
	p, err := f.svc.Register(f.ctx, f.staff["clerk"], in)
	if err != nil {
		t.Fatal(err)
	}
	if day(p.ReceivedOn) != "2026-09-30" || day(p.DueOn) != "2026-11-03" {
		t.Fatalf("post: received %s due %s", day(p.ReceivedOn), day(p.DueOn))
	}
	// In person and by fax: the day registered.
	for _, ch := range []disclosure.Channel{disclosure.InPerson, disclosure.Fax} {
		in := f.input()
		in.Channel = ch
		x, err := f.svc.Register(f.ctx, f.staff["clerk"], in)
		if err != nil || day(x.ReceivedOn) != "2026-10-09" {
			t.Fatalf("%s: %v %+v", ch, err, x)
		}
	}
	// Online is not a channel the office registers.
	in.Channel = disclosure.Online
	if _, err := f.svc.Register(f.ctx, f.staff["clerk"], in); fieldKey(err, "channel") == "" {
		t.Fatalf("office registers an online request: %v", err)
	}

	// Art. 29's contents are required; a bad one changes nothing.
	before := f.count(`SELECT COUNT(*) FROM disclosure_requests`)
	bad := request.Input{OrganID: f.organ, ApplicantType: "alien", IDNumber: "123", Phone: "12", Form: "telepathy", Channel: disclosure.InPerson}
	_, err = f.svc.Register(f.ctx, f.staff["clerk"], bad)
	for _, field := range []string{"applicant_type", "name", "phone", "content", "form"} {
		if fieldKey(err, field) == "" {
			t.Errorf("no error on %s: %v", field, err)
		}
	}
	biz := f.input()
	biz.ApplicantType, biz.Channel = disclosure.Business, disclosure.InPerson // a company must give its credit code
	if _, err := f.svc.Register(f.ctx, f.staff["clerk"], biz); fieldKey(err, "id_number") == "" {
		t.Errorf("a business with a resident ID: %v", err)
	}
	long := f.input()
	long.Content = repeat("信", 50000)
	if _, err := f.svc.FileOnline(f.ctx, f.app.ID, long); fieldKey(err, "content") == "" {
		t.Errorf("50,000 characters: %v", err)
	}
	// Online, the identity is the signed-in account's own.
	someone := f.input()
	someone.IDNumber = "110101199003070011"
	if _, err := f.svc.FileOnline(f.ctx, f.app.ID, someone); fieldKey(err, "id_number") != "disclosure_req.error.own_id" {
		t.Errorf("filing in another's name: %v", err)
	}
	if n := f.count(`SELECT COUNT(*) FROM disclosure_requests`); n != before {
		t.Fatalf("bad input wrote %d requests", n-before)
	}
	// Events: every step is a row.
	if n := f.count(`SELECT COUNT(*) FROM disclosure_request_events e JOIN disclosure_requests r ON r.id = e.request_id WHERE r.no = $1`, r.No); n != 2 {
		t.Fatalf("%d events after filing and confirming", n)
	}
}

func repeat(s string, n int) string {
	b := make([]byte, 0, len(s)*n)
	for range n {
		b = append(b, s...)
	}
	return string(b)
}

func TestSupplementOnceWithinSevenDaysRestartsTheClock(t *testing.T) {
	f := newFixture(t)
	late := f.inPerson()
	r, err := f.svc.FileOnline(f.ctx, f.app.ID, f.input())
	if err != nil {
		t.Fatal(err)
	}
	if r, err = f.svc.Confirm(f.ctx, f.staff["clerk"], r.No); err != nil {
		t.Fatal(err)
	}
	ask := request.SupplementAsk{What: "请写明所需许可事项的名称和年份。", DueOn: "2026-10-23"}
	// 15 October is the 7th working day after 30 September: the last day.
	f.set("2026-10-15")
	if _, err := f.svc.AskSupplement(f.ctx, f.staff["clerk"], r.No, request.SupplementAsk{DueOn: "2026-10-10"}); fieldKey(err, "what") == "" || fieldKey(err, "due_on") == "" {
		t.Fatalf("a notice without what, due in the past: %v", err)
	}
	if r, err = f.svc.AskSupplement(f.ctx, f.staff["clerk"], r.No, ask); err != nil {
		t.Fatal(err)
	}
	if r.Status != request.Supplement || day(r.SupplementDueOn) != "2026-10-23" {
		t.Fatalf("asked: %+v", r)
	}
	if n := f.count(`SELECT COUNT(*) FROM sms_outbox WHERE template_key = 'notify.disclosure.supplement' AND phone = '13800138000'`); n != 1 {
		t.Fatalf("%d supplement messages queued", n)
	}
	f.set("2026-10-16")
	if _, err := f.svc.AskSupplement(f.ctx, f.staff["clerk"], late.No, ask); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("a notice on the 8th working day: %v", err)
	}
	// Someone else cannot supply it; the requester can, and the clock restarts.
	f.set("2026-10-20")
	if _, err := f.svc.Supply(f.ctx, f.other.ID, r.No, "补充"); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("another applicant supplies: %v", err)
	}
	if r, err = f.svc.Supply(f.ctx, f.app.ID, r.No, "2025年度建设工程规划许可。"); err != nil {
		t.Fatal(err)
	}
	// 20 working days from 20 October: 21–23, 26–30 Oct, 2–6, 9–13 Nov, 16, 17 Nov.
	if r.Status != request.Open || day(r.ClockFrom) != "2026-10-20" || day(r.DueOn) != "2026-11-17" || day(r.ReceivedOn) != "2026-09-30" {
		t.Fatalf("supplied: %s from %s due %s", r.Status, day(r.ClockFrom), day(r.DueOn))
	}
	// Only one supplement notice.
	if _, err := f.svc.AskSupplement(f.ctx, f.staff["clerk"], r.No, request.SupplementAsk{What: "再补", DueOn: "2026-10-30"}); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("a second notice: %v", err)
	}

	// Only one notice, even within the seven days: a request asked and
	// supplied on its first working days cannot be asked again.
	f.set("2026-10-08")
	o := f.inPerson()
	if _, err := f.svc.AskSupplement(f.ctx, f.staff["clerk"], o.No, request.SupplementAsk{What: "身份证明", DueOn: "2026-10-12"}); err != nil {
		t.Fatal(err)
	}
	f.set("2026-10-09")
	if _, err := f.svc.RecordSupply(f.ctx, f.staff["clerk"], o.No, "已补交身份证复印件。"); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.AskSupplement(f.ctx, f.staff["clerk"], o.No, request.SupplementAsk{What: "再补", DueOn: "2026-10-13"})
	if e := apperr.As(err); e == nil || e.Msg.Key != "disclosure_req.error.supplement_once" {
		t.Fatalf("a second notice within the seven days: %v", err)
	}

	// No supplement by the day: concluded as 视为放弃 once the day has passed.
	f.set("2026-10-09")
	n := f.inPerson()
	if _, err := f.svc.AskSupplement(f.ctx, f.staff["clerk"], n.No, request.SupplementAsk{What: "身份证明", DueOn: "2026-10-16"}); err != nil {
		t.Fatal(err)
	}
	f.set("2026-10-16")
	if _, err := f.svc.Lapse(f.ctx, f.staff["clerk"], n.No); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("lapsed on its due day: %v", err)
	}
	f.set("2026-10-19")
	if _, err := f.svc.RecordSupply(f.ctx, f.staff["clerk"], n.No, "迟到的补正"); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("a supplement after its day: %v", err)
	}
	x, err := f.svc.Lapse(f.ctx, f.staff["clerk"], n.No)
	if err != nil || x.Status != request.Closed || x.Outcome != disclosure.OtherNoSupplement || day(x.ClosedOn) != "2026-10-19" {
		t.Fatalf("lapse: %v %+v", err, x)
	}
}

func TestConsultationIsNotCountedAndOneExtensionByTheHead(t *testing.T) {
	f := newFixture(t)
	r := f.inPerson() // received 30 September, due 3 November
	f.set("2026-10-08")
	r, err := f.svc.Consult(f.ctx, f.staff["clerk"], r.No, "某建筑有限公司")
	if err != nil || r.Status != request.Consulting {
		t.Fatalf("consult: %v %+v", err, r)
	}
	f.set("2026-10-12")
	if _, err := f.svc.ConsultDone(f.ctx, f.staff["clerk"], r.No, true, ""); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("lapsed after 3 of 15 working days: %v", err)
	}
	f.set("2026-10-13")
	// 9, 10, 12, 13 October: 4 working days not counted; due 3 Nov + 4 = 9 Nov.
	if r, err = f.svc.ConsultDone(f.ctx, f.staff["clerk"], r.No, false, "第三方不同意公开其商业秘密部分。"); err != nil {
		t.Fatal(err)
	}
	if r.PausedDays != 4 || day(r.DueOn) != "2026-11-09" {
		t.Fatalf("after consultation: paused %d due %s", r.PausedDays, day(r.DueOn))
	}
	// The extension needs the head's grant, a reason, at most 20 working days.
	if _, err := f.svc.Extend(f.ctx, f.staff["clerk"], r.No, 10, "需调取档案"); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("an officer extends: %v", err)
	}
	_, err = f.svc.Extend(f.ctx, f.staff["approver"], r.No, 21, "")
	if fieldKey(err, "days") == "" || fieldKey(err, "reason") == "" {
		t.Fatalf("21 days without a reason: %v", err)
	}
	if r, err = f.svc.Extend(f.ctx, f.staff["approver"], r.No, 20, "涉及多个年度档案，需调取核对。"); err != nil {
		t.Fatal(err)
	}
	// 20 more working days after 9 November: 10–13, 16–20, 23–27 Nov, 30 Nov – 4 Dec, 7 Dec.
	if r.ExtensionDays != 20 || day(r.DueOn) != "2026-12-07" {
		t.Fatalf("extended: %d days, due %s", r.ExtensionDays, day(r.DueOn))
	}
	if _, err := f.svc.Extend(f.ctx, f.staff["approver"], r.No, 1, "再延"); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("a second extension: %v", err)
	}
	if n := f.count(`SELECT COUNT(*) FROM sms_outbox WHERE template_key = 'notify.disclosure.extended'`); n != 1 {
		t.Fatalf("%d extension messages queued", n)
	}
	// An extension after the limit has run out is refused.
	f.set("2026-10-13")
	late := f.inPerson() // due 10 November
	f.set("2026-11-11")
	if _, err := f.svc.Extend(f.ctx, f.staff["approver"], late.No, 5, "太迟"); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("an extension after the due day: %v", err)
	}
}

func TestFeesOnlyBeyondTheFreeAmounts(t *testing.T) {
	// 国办函〔2020〕109号 第四条, 第五条, hand-computed.
	for _, c := range []struct {
		first, n int
		yuan     int64
	}{
		{1, 10, 0}, {10, 1, 0}, {11, 1, 100}, {30, 1, 100}, {31, 1, 200}, {40, 1, 200}, {41, 1, 300}, {9, 4, 200}, {29, 3, 400},
	} {
		if got := request.PieceFeeFen(c.first, c.n); got != c.yuan*100 {
			t.Errorf("pieces %d+%d: %d fen, want ¥%d", c.first, c.n, got, c.yuan)
		}
	}
	for _, c := range []struct {
		pages int
		yuan  int64
	}{{30, 0}, {31, 10}, {100, 700}, {101, 720}, {200, 2700}, {201, 2740}} {
		if got := request.VolumeFeeFen(c.pages); got != c.yuan*100 {
			t.Errorf("%d pages: %d fen, want ¥%d", c.pages, got, c.yuan)
		}
	}
	f := newFixture(t)
	r := f.inPerson()
	// The first request of the month is free: no notice.
	if _, err := f.svc.FeeNotice(f.ctx, f.staff["clerk"], r.No, request.FeeInput{Method: request.ByPiece, Pieces: 1}); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("a fee for a free piece: %v", err)
	}
	if _, err := f.svc.FeeNotice(f.ctx, f.staff["clerk"], r.No, request.FeeInput{Method: "both"}); fieldKey(err, "method") == "" {
		t.Fatalf("an unknown method: %v", err)
	}
	r, err := f.svc.FeeNotice(f.ctx, f.staff["clerk"], r.No, request.FeeInput{Method: request.ByVolume, Pages: 50})
	if err != nil || r.Status != request.FeeDue || r.FeeFen != 200_00 {
		t.Fatalf("50 pages: %v %+v", err, r)
	}
	f.set("2026-10-09") // paid 2 working days later (8, 9 Oct): due 3 Nov + 2
	if r, err = f.svc.FeePaid(f.ctx, f.staff["clerk"], r.No); err != nil {
		t.Fatal(err)
	}
	if r.PausedDays != 2 || day(r.DueOn) != "2026-11-05" || r.Status != request.Open {
		t.Fatalf("paid: paused %d due %s", r.PausedDays, day(r.DueOn))
	}
	// Unpaid for 20 working days after the notice: concluded as unpaid.
	f.set("2026-09-30")
	u := f.inPerson()
	if _, err := f.svc.FeeNotice(f.ctx, f.staff["clerk"], u.No, request.FeeInput{Method: request.ByVolume, Pages: 31}); err != nil {
		t.Fatal(err)
	}
	f.set("2026-11-03")
	if _, err := f.svc.Lapse(f.ctx, f.staff["clerk"], u.No); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("lapsed on the 20th working day: %v", err)
	}
	f.set("2026-11-04")
	if u, err = f.svc.Lapse(f.ctx, f.staff["clerk"], u.No); err != nil || u.Outcome != disclosure.OtherUnpaid {
		t.Fatalf("unpaid: %v %+v", err, u)
	}
}

func TestPieceFeesCountTheMonthsRequests(t *testing.T) {
	f := newFixture(t)
	var last string
	for range 11 {
		last = f.inPerson().No
	}
	r, err := f.svc.FeeNotice(f.ctx, f.staff["clerk"], last, request.FeeInput{Method: request.ByPiece, Pieces: 1})
	if err != nil || r.FeeFen != 100_00 {
		t.Fatalf("the 11th request of the month: %v %+v", err, r)
	}
}
