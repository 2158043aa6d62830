package payments_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"onestop/internal/anomaly"
	"onestop/internal/applicants"
	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/demo"
	"onestop/internal/org"
	"onestop/internal/payments"
	"onestop/internal/store"
	"onestop/internal/testutil"
)

// world is the demo county on a real database with the case engine (the
// anomaly witness registered as web.NewServices does), test items of the
// clerk's department with fees, one applicant and the payments service
// with supervision's fee witness.
type world struct {
	t      *testing.T
	db     *store.DB
	now    time.Time
	eng    *cases.Service
	pay    *payments.Service
	orgs   map[string]org.Actor
	actors map[string]cases.Actor
	app    applicants.Applicant
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{t: t, db: testutil.NewTestDB(t), now: time.Date(2026, 9, 28, 2, 0, 0, 0, time.UTC), orgs: map[string]org.Actor{}, actors: map[string]cases.Actor{}}
	clk := func() time.Time { return w.now }
	if _, err := demo.Ensure(ctx, w.db, 431022); err != nil {
		t.Fatal(err)
	}
	if err := cases.EnsureCalendar(ctx, w.db, w.now); err != nil {
		t.Fatal(err)
	}
	os := &org.Service{DB: w.db, Now: clk}
	for _, u := range []string{"admin", "clerk", "reviewer", "approver", "supervisor", "tclerk", "township"} {
		st, err := os.StaffByUsername(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		w.orgs[u] = st.Actor("192.0.2.7")
	}
	// A clerk of another department at the same hall.
	var other string
	if err := w.db.R.QueryRowContext(ctx, `SELECT username FROM staff WHERE role = 'clerk' AND centre_id = $1 AND department_id <> $2 ORDER BY id LIMIT 1`,
		w.orgs["clerk"].CentreID, w.orgs["clerk"].DepartmentID).Scan(&other); err != nil {
		t.Fatal(err)
	}
	st, err := os.StaffByUsername(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	w.orgs["otherclerk"] = st.Actor("192.0.2.8")
	for k, a := range w.orgs {
		w.actors[k] = cases.StaffActor(a)
	}
	cat := &catalogue.Service{DB: w.db, Now: clk}
	w.eng = cases.New(w.db, cat, clk)
	an := anomaly.New(w.db, clk)
	w.eng.Witnesses = append(w.eng.Witnesses, an)
	w.pay = &payments.Service{DB: w.db, Cases: w.eng, Now: clk, Fees: an}
	base := catalogue.Content{Type: "licensing", DepartmentID: w.orgs["clerk"].DepartmentID, Audience: "both", LegalBasis: "《中华人民共和国行政许可法》第十二条",
		StatutoryDays: 20, PromisedDays: 5, Visits: 1, Online: true, AtHall: true,
		Materials: []catalogue.Material{{Name: "申请表", Required: true, Form: "original", Copies: 1}},
		Steps:     catalogue.DefaultSteps(5)}
	mk := func(code, name string, fees ...catalogue.Fee) {
		c := base
		c.Name, c.Fees = name, fees
		if _, err := cat.Create(ctx, w.orgs["admin"], code, c, ""); err != nil {
			t.Fatalf("item %s: %v", code, err)
		}
	}
	mk("P-001", "测试收费许可（两项收费）", catalogue.Fee{Name: "登记费", AmountFen: 8000, Basis: "湘价费〔2019〕1号"},
		catalogue.Fee{Name: "工本费", AmountFen: 1050, Basis: "财税〔2016〕42号"})
	mk("P-002", "测试收费许可（先缴费后发证）", catalogue.Fee{Name: "证照工本费", AmountFen: 2000, Basis: "湘价费〔2020〕3号", BeforeDelivery: true})
	mk("P-003", "测试受理时收费", catalogue.Fee{Name: "审查费", AmountFen: 5000, Basis: "湘价费〔2021〕7号", OnAcceptance: true})
	mk("P-004", "测试免费事项")
	as := &applicants.Service{DB: w.db, Now: clk}
	w.app, err = as.Register(ctx, applicants.Input{Kind: "citizen", IDNumber: "11010519491231002X", Name: "王小明", Phone: "13800138000"}, false)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) submit(item string) *cases.Case {
	w.t.Helper()
	c, err := w.eng.Submit(context.Background(), w.actors["clerk"], cases.SubmitInput{ItemCode: item, ApplicantID: w.app.ID,
		Materials: []cases.MaterialChange{{Seq: 1, Paper: true}}})
	if err != nil {
		w.t.Fatalf("submit %s: %v", item, err)
	}
	return c
}

func (w *world) act(who, no, action string, in cases.Input) error {
	_, err := w.eng.Act(context.Background(), w.actors[who], no, action, in)
	return err
}

func (w *world) must(who, no, action string, in cases.Input) {
	w.t.Helper()
	if err := w.act(who, no, action, in); err != nil {
		w.t.Fatalf("%s %s %s: %v", who, action, no, err)
	}
}

// approved takes a new case of the item to its approval.
func (w *world) approved(item string) string {
	w.t.Helper()
	no := w.submit(item).No
	w.must("clerk", no, cases.ActAccept, cases.Input{})
	w.must("reviewer", no, cases.ActForward, cases.Input{Opinion: "材料齐全"})
	w.must("approver", no, cases.ActApprove, cases.Input{})
	return no
}

func (w *world) issue(who string, in ...payments.CaseFees) (*payments.Notice, error) {
	return w.pay.Issue(context.Background(), w.orgs[who], in)
}

func (w *world) count(table string) int {
	w.t.Helper()
	var n int
	if err := w.db.R.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

func (w *world) casePayment(no string) string {
	w.t.Helper()
	var p string
	if err := w.db.R.QueryRow(`SELECT payment FROM cases WHERE no = $1`, no).Scan(&p); err != nil && err != sql.ErrNoRows {
		w.t.Fatal(err)
	}
	return p
}

// anomalies lists a case's stored fee anomalies' fact keys by rule.
func (w *world) anomalies(no string) map[string][]string {
	w.t.Helper()
	rows, err := w.db.R.Query(`SELECT a.rule, a.fact_key FROM anomalies a JOIN cases c ON c.id = a.case_id WHERE c.no = $1 AND a.rule LIKE 'F%'`, no)
	if err != nil {
		w.t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var r, f string
		if err := rows.Scan(&r, &f); err != nil {
			w.t.Fatal(err)
		}
		out[r] = append(out[r], f)
	}
	return out
}
