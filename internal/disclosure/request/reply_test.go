package request_test

import (
	"testing"

	"onestop/internal/apperr"
	"onestop/internal/disclosure"
	"onestop/internal/disclosure/request"
)

// Each Art. 36 reply type with its required contents missing is refused
// field by field; with them it closes the request on the day, and a
// closed request never changes.
func TestEachReplyTypeNeedsItsContents(t *testing.T) {
	f := newFixture(t)
	earlier := f.inPerson()
	cases := []struct {
		bad    request.Reply
		fields []string
		good   request.Reply
	}{
		{request.Reply{Type: 1, Outcome: disclosure.Disclosed}, []string{"text"},
			request.Reply{Type: 1, Outcome: disclosure.Disclosed, Text: "已在县政府门户网站“政府信息公开”栏目主动公开，网址……"}},
		{request.Reply{Type: 2, Outcome: disclosure.Partial, Text: "附件"}, []string{"withheld", "reason"},
			request.Reply{Type: 2, Outcome: disclosure.Partial, Text: "见附件一。", Withheld: "第三方商业信息", Reason: "涉及商业秘密（条例第十五条）"}},
		{request.Reply{Type: 3, Outcome: disclosure.WithheldSecret}, []string{"reason", "basis"},
			request.Reply{Type: 3, Outcome: disclosure.WithheldProcess, Reason: "属于讨论记录等过程性信息", Basis: "《政府信息公开条例》第十六条第二款"}},
		{request.Reply{Type: 4, Outcome: disclosure.Disclosed}, []string{"outcome"},
			request.Reply{Type: 4, Outcome: disclosure.UnableNotHeld, Text: "经检索档案室及业务系统，未找到。"}},
		{request.Reply{Type: 5, Outcome: disclosure.UnableNotHeld, Organ: "县自然资源局"}, []string{"reason", "contact"},
			request.Reply{Type: 5, Outcome: disclosure.UnableNotHeld, Reason: "该信息由县自然资源局制作", Organ: "县自然资源局", Contact: "0735-1234567"}},
		{request.Reply{Type: 6, Outcome: disclosure.DeclinedRepeat, Earlier: "GK-20990101-0001"}, []string{"earlier"},
			request.Reply{Type: 6, Outcome: disclosure.DeclinedRepeat}},
		{request.Reply{Type: 7, Outcome: disclosure.WithheldQuery}, []string{"law"},
			request.Reply{Type: 7, Outcome: disclosure.WithheldQuery, Law: "《不动产登记暂行条例》第二十七条"}},
	}
	// The earlier request type 6 names must be this organ's and answered.
	if _, err := f.svc.Answer(f.ctx, f.staff["clerk"], earlier.No, cases[0].good); err != nil {
		t.Fatal(err)
	}
	cases[5].good.Earlier = earlier.No
	for _, c := range cases {
		r := f.inPerson()
		_, err := f.svc.Answer(f.ctx, f.staff["clerk"], r.No, c.bad)
		for _, field := range c.fields {
			if fieldKey(err, field) == "" {
				t.Errorf("type %d without %s: %v", c.bad.Type, field, err)
			}
		}
		if n := f.count(`SELECT COUNT(*) FROM disclosure_requests WHERE no = $1 AND status = 'closed'`, r.No); n != 0 {
			t.Fatalf("a refused reply closed %s", r.No)
		}
		x, err := f.svc.Answer(f.ctx, f.staff["clerk"], r.No, c.good)
		if err != nil {
			t.Fatalf("type %d: %v", c.good.Type, err)
		}
		if x.Status != request.Closed || x.ReplyType != c.good.Type || x.Outcome != c.good.Outcome || day(x.ClosedOn) != "2026-09-30" {
			t.Fatalf("type %d: %+v", c.good.Type, x)
		}
		evs, err := f.svc.Events(f.ctx, x)
		if err != nil {
			t.Fatal(err)
		}
		if ev := request.Last(evs, request.EvReplied); ev == nil || int(ev.Data["type"].(float64)) != int(c.good.Type) {
			t.Fatalf("type %d: reply event %+v", c.good.Type, ev)
		}
	}
	// A closed request can't change.
	if _, err := f.svc.Answer(f.ctx, f.staff["clerk"], earlier.No, cases[0].good); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("answered twice: %v", err)
	}
	if _, err := f.svc.Extend(f.ctx, f.staff["approver"], earlier.No, 5, "理由"); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("a closed request extended: %v", err)
	}
	// A reviewer without a grant cannot answer (not found); an unknown type is a field error.
	r := f.inPerson()
	if _, err := f.svc.Answer(f.ctx, f.staff["reviewer"], r.No, cases[0].good); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("reviewer answers: %v", err)
	}
	if _, err := f.svc.Answer(f.ctx, f.staff["clerk"], r.No, request.Reply{Type: 8}); fieldKey(err, "type") == "" {
		t.Fatalf("type 8: %v", err)
	}
	// Notices: unclear needs a supplement first; a petition concludes.
	if _, err := f.svc.Conclude(f.ctx, f.staff["clerk"], r.No, disclosure.UnableUnclear, "仍不明确"); fieldKey(err, "outcome") == "" {
		t.Fatalf("unclear without a supplement: %v", err)
	}
	if _, err := f.svc.Conclude(f.ctx, f.staff["clerk"], r.No, disclosure.Disclosed, "理由"); fieldKey(err, "outcome") == "" {
		t.Fatalf("disclosed by a notice: %v", err)
	}
	x, err := f.svc.Conclude(f.ctx, f.staff["clerk"], r.No, disclosure.DeclinedPetition, "属于信访举报，已告知按《信访工作条例》办理。")
	if err != nil || x.Outcome != disclosure.DeclinedPetition || x.ReplyType != 0 {
		t.Fatalf("petition: %v %+v", err, x)
	}
	if n := f.count(`SELECT COUNT(*) FROM sms_outbox WHERE template_key = 'notify.disclosure.replied'`); n != len(cases)+2 {
		t.Fatalf("%d reply messages queued", n)
	}
}
