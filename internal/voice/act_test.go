package voice_test

import (
	"strings"
	"testing"

	"onestop/internal/apperr"
	"onestop/internal/corrections"
	"onestop/internal/voice"
)

// Who may open and answer what: a consultation its department's staff
// (another department's clerk: not found); a help request the centre's
// admin; a complaint the supervisor only (a clerk of the department it
// names: not found; the leader: read, never answer). Each step needs the
// version the actor saw.
func TestStaffScopeAndRoles(t *testing.T) {
	f := newFixture(t)
	f.svc.Text = func(_, key string, args map[string]any) string { return key + " " + args["No"].(string) }
	c := f.file(f.consult())
	in := f.consult()
	in.Kind = voice.Complaint
	ts := f.file(in)
	in.Kind = voice.Help
	qz := f.file(in)
	mzj := f.staff("clerk")
	mzj.DepartmentID = f.dept("MZJ")
	for _, tc := range []struct {
		who  string
		no   string
		want apperr.Code // of Get; "" = sees it
	}{
		{"clerk", c.No, ""},
		{"deptadmin", c.No, ""},
		{"supervisor", c.No, ""},
		{"leader", ts.No, ""},
		{"admin", qz.No, ""},
		{"clerk", ts.No, apperr.NotFound},
		{"deptadmin", ts.No, apperr.NotFound},
		{"clerk", qz.No, apperr.NotFound},
		{"admin", c.No, apperr.NotFound},
		{"township", qz.No, apperr.NotFound},
		{"tclerk", c.No, apperr.NotFound},
	} {
		_, err := f.svc.Get(f.ctx, f.staff(tc.who), tc.no)
		if (tc.want == "" && err != nil) || (tc.want != "" && !apperr.Is(err, tc.want)) {
			t.Errorf("%s opens %s: %v, want %q", tc.who, tc.no, err, tc.want)
		}
	}
	if _, err := f.svc.Get(f.ctx, mzj, c.No); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("another department's clerk opened a consultation: %v", err)
	}
	answer := func(who string, a interface{}, no string, v int) error {
		_, err := f.svc.Act(f.ctx, f.staff(who), no, voice.ActAnswer, voice.StepInput{Version: v, Text: "请带身份证原件。"})
		return err
	}
	if err := answer("clerk", nil, ts.No, 1); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("a clerk answered a complaint: %v", err)
	}
	if err := answer("leader", nil, ts.No, 1); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("the leader answered a complaint: %v", err)
	}
	if err := answer("supervisor", nil, c.No, 1); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("the supervisor answered a consultation: %v", err)
	}
	if err := answer("clerk", nil, c.No, 0); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("an answer without the version: %v", err)
	}
	if _, err := f.svc.Act(f.ctx, f.staff("clerk"), c.No, voice.ActAnswer, voice.StepInput{Version: 1, Text: strings.Repeat("长", 50000)}); apperr.As(err) == nil || apperr.As(err).Fields["text"].Key == "" {
		t.Errorf("a 50,000-character reply: %v", err)
	}
	if err := answer("clerk", nil, c.No, 1); err != nil {
		t.Fatal(err)
	}
	if err := answer("clerk", nil, c.No, 2); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("answered twice: %v", err)
	}
	if err := answer("admin", nil, qz.No, 1); err != nil {
		t.Errorf("the hall's admin answers help: %v", err)
	}
	var sms string
	if err := f.db.R.QueryRow(`SELECT text FROM sms_outbox WHERE phone = '13800138000' ORDER BY id LIMIT 1`).Scan(&sms); err != nil || !strings.Contains(sms, c.No) {
		t.Errorf("SMS to the asker: %q %v", sms, err)
	}
	r, err := f.svc.Get(f.ctx, f.staff("clerk"), c.No)
	if err != nil || r.State != voice.Answered || len(r.Events) != 2 || r.Events[1].Action != voice.ActAnswer || r.Phone == "13800138000" {
		t.Errorf("record after the answer: %+v %v", r, err)
	}
}

// The asker follows the number with the phone it was filed with: a wrong
// phone reads exactly like a wrong number; they close it after the reply.
func TestTrackAndConfirm(t *testing.T) {
	f := newFixture(t)
	c := f.file(f.consult())
	if _, err := f.svc.Track(f.ctx, c.No, "+86 138 0013 8000"); err != nil {
		t.Errorf("the asker's phone, written otherwise: %v", err)
	}
	for _, phone := range []string{"13900139000", "", strings.Repeat("1", 50000), "1380013800\x00"} {
		if _, err := f.svc.Track(f.ctx, c.No, phone); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("phone %.20q: %v", phone, err)
		}
	}
	if _, err := f.svc.Confirm(f.ctx, c.No, "13800138000", 0, 1); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("confirmed before the answer: %v", err)
	}
	if _, err := f.svc.Act(f.ctx, f.staff("clerk"), c.No, voice.ActAnswer, voice.StepInput{Version: 1, Text: "答复"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Confirm(f.ctx, c.No, "13900139000", 0, 2); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("someone else confirmed: %v", err)
	}
	if _, err := f.svc.Confirm(f.ctx, c.No, "", f.other.ID, 2); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("another applicant confirmed: %v", err)
	}
	e, err := f.svc.Confirm(f.ctx, c.No, "13800138000", 0, 2)
	if err != nil || e.State != voice.Closed {
		t.Errorf("the asker closes it: %+v %v", e, err)
	}
}

// A complaint turned into an order: the department replies on the order,
// the supervisor accepts with an edited text, and the complaint is
// answered with that text; the whole way is on its record.
func TestComplaintThroughOrder(t *testing.T) {
	f := newFixture(t)
	f.svc.Orders = &corrections.Service{DB: f.db, Cases: f.cases, Now: f.clock}
	f.svc.Orders.Witnesses = append(f.svc.Orders.Witnesses, f.svc.OrderWitness)
	f.svc.Text = func(_, key string, args map[string]any) string { return key }
	in := f.consult()
	in.Kind, in.DepartmentID, in.CaseNo, in.ApplicantID = voice.Complaint, 0, f.caseNo, f.app.ID
	ts := f.file(in)
	sup := f.staff("supervisor")
	dept := f.staff("deptadmin")
	if _, err := f.svc.Refer(f.ctx, f.staff("leader"), ts.No, voice.ReferInput{Version: 1, DepartmentID: dept.DepartmentID, Instruction: "核查", DeadlineDays: 5}); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("the leader referred: %v", err)
	}
	o, err := f.svc.Refer(f.ctx, sup, ts.No, voice.ReferInput{Version: 1, DepartmentID: dept.DepartmentID, Instruction: "请核查并答复投诉人。", DeadlineDays: 5})
	if err != nil {
		t.Fatal(err)
	}
	// The ordered department's admin now reads the complaint (to answer
	// the order), but does not answer it; its clerk still does not see it.
	if _, err := f.svc.Get(f.ctx, dept, ts.No); err != nil {
		t.Errorf("the ordered department's admin: %v", err)
	}
	if _, err := f.svc.Get(f.ctx, f.staff("clerk"), ts.No); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("the department's clerk: %v", err)
	}
	if _, err := f.svc.Act(f.ctx, dept, ts.No, voice.ActAnswer, voice.StepInput{Version: 2, Text: "x"}); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("the department answered the complaint itself: %v", err)
	}
	if l, _, err := f.svc.List(f.ctx, dept, voice.Filter{}); err != nil || len(l) != 1 || l[0].No != ts.No {
		t.Errorf("the department's list: %v %v", l, err)
	}
	if len(o.Items) != 1 || o.Items[0].CaseNo != f.caseNo {
		t.Errorf("the order names %+v, want the complaint's case", o.Items)
	}
	if _, err := f.svc.Act(f.ctx, sup, ts.No, voice.ActAnswer, voice.StepInput{Version: 2, Text: "x"}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("answered directly while referred: %v", err)
	}
	if _, err := f.svc.Refer(f.ctx, sup, ts.No, voice.ReferInput{Version: 2, DepartmentID: dept.DepartmentID, Instruction: "再", DeadlineDays: 5}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("referred twice: %v", err)
	}
	if o, err = f.svc.Orders.Act(f.ctx, dept, o.ID, corrections.ActReply, corrections.StepInput{Version: 1, Text: "已整改，窗口人员已培训。"}); err != nil {
		t.Fatal(err)
	}
	if e, _ := f.svc.ByNo(f.ctx, ts.No); e.State != voice.Open {
		t.Errorf("answered before the supervisor accepted: %s", e.State)
	}
	if _, err = f.svc.Orders.Act(f.ctx, sup, o.ID, corrections.ActAccept, corrections.StepInput{Version: o.Version, Public: "经核查，已整改。感谢监督。"}); err != nil {
		t.Fatal(err)
	}
	r, err := f.svc.Get(f.ctx, sup, ts.No)
	if err != nil || r.State != voice.Answered || r.Reply != "经核查，已整改。感谢监督。" || r.OrderNo == "" || r.DeptReply != "已整改，窗口人员已培训。" {
		t.Fatalf("after acceptance: %+v %v", r, err)
	}
	var actions []string
	for _, ev := range r.Events {
		actions = append(actions, ev.Action)
	}
	if strings.Join(actions, ",") != "file,refer,order_reply,answer" {
		t.Errorf("record: %v", actions)
	}
	var n int
	if err := f.db.R.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE entity = 'enquiry' AND entity_id = $1`, ts.No).Scan(&n); err != nil || n != 2 {
		t.Errorf("audit entries for the complaint: %d %v", n, err)
	}
}
