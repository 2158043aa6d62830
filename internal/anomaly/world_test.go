package anomaly_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"onestop/internal/anomaly"
	"onestop/internal/applicants"
	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/demo"
	"onestop/internal/org"
	"onestop/internal/store"
	"onestop/internal/testutil"
)

// world is the case engine's test world (internal/cases/cases_test.go: the
// demo county, test items of the clerk's department, one applicant, a
// clock the test moves) with the anomaly witness registered on the engine
// as web.NewServices registers it.
type world struct {
	t      *testing.T
	db     *store.DB
	now    time.Time
	mu     sync.Mutex
	eng    *cases.Service
	an     *anomaly.Service
	cal    *calendar.Calendar
	actors map[string]cases.Actor
	orgs   map[string]org.Actor
	app    applicants.Applicant
}

func (w *world) clock() time.Time { w.mu.Lock(); defer w.mu.Unlock(); return w.now }
func (w *world) set(t time.Time)  { w.mu.Lock(); w.now = t; w.mu.Unlock() }

// at is 10:00 Shanghai time on a day.
func at(d calendar.Date) time.Time { return time.Date(d.Year, d.Month, d.Day, 2, 0, 0, 0, time.UTC) }

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{t: t, db: testutil.NewTestDB(t), now: at(calendar.MustParseDate("2026-09-28")), actors: map[string]cases.Actor{}, orgs: map[string]org.Actor{}}
	if _, err := demo.Ensure(ctx, w.db, 431022); err != nil {
		t.Fatal(err)
	}
	if err := cases.EnsureCalendar(ctx, w.db, w.now); err != nil {
		t.Fatal(err)
	}
	cal, err := cases.Calendar(ctx, w.db.Read())
	if err != nil {
		t.Fatal(err)
	}
	w.cal = cal
	os := &org.Service{DB: w.db, Now: w.clock}
	for _, u := range []string{"admin", "clerk", "reviewer", "approver", "supervisor", "leader"} {
		st, err := os.StaffByUsername(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		w.orgs[u] = st.Actor("192.0.2.7")
		w.actors[u] = cases.StaffActor(w.orgs[u])
	}
	cat := &catalogue.Service{DB: w.db, Now: w.clock}
	w.eng = cases.New(w.db, cat, w.clock)
	w.an = anomaly.New(w.db, w.clock)
	w.eng.Witnesses = append(w.eng.Witnesses, w.an)
	dept := w.orgs["clerk"].DepartmentID
	base := catalogue.Content{Type: "licensing", DepartmentID: dept, Audience: "both", LegalBasis: "《中华人民共和国行政许可法》第十二条",
		StatutoryDays: 20, PromisedDays: 5, Visits: 1, Online: true, AtHall: true,
		Materials: []catalogue.Material{{Name: "申请表", Required: true, Form: "original", Copies: 1}, {Name: "身份证件", Required: true, Form: "copy", Copies: 1},
			{Name: "授权委托书", Required: false, Condition: "委托他人办理的", Form: "original", Copies: 1}},
		Steps: catalogue.DefaultSteps(5)}
	mk := func(code, name string, mod func(*catalogue.Content)) {
		c := base
		c.Name = name
		if mod != nil {
			mod(&c)
		}
		if _, err := cat.Create(ctx, w.orgs["admin"], code, c, ""); err != nil {
			t.Fatalf("item %s: %v", code, err)
		}
	}
	mk("T-001", "测试许可", nil)
	mk("T-002", "测试备案（超时默认）", func(c *catalogue.Content) {
		c.Type, c.DeemedApproval, c.DeemedNote = "filing", true, "依据《宜章县行政审批超时默认办理暂行办法》第五条，视为同意。"
	})
	mk("T-004", "测试收费许可", func(c *catalogue.Content) {
		c.Fees = []catalogue.Fee{{Name: "工本费", AmountFen: 1000, Basis: "湘价费〔2019〕1号"}}
	})
	as := &applicants.Service{DB: w.db, Now: w.clock}
	app, err := as.Register(ctx, applicants.Input{Kind: "citizen", IDNumber: "11010519491231002X", Name: "王小明", Phone: "13800138000"}, false)
	if err != nil {
		t.Fatal(err)
	}
	w.app = app
	w.actors["applicant"] = cases.Actor{ApplicantID: app.ID, ApplicantName: app.Name, Address: "198.51.100.1"}
	return w
}

func (w *world) submit(item string, materials ...int) *cases.Case {
	w.t.Helper()
	var ch []cases.MaterialChange
	for _, m := range materials {
		ch = append(ch, cases.MaterialChange{Seq: m, Paper: true})
	}
	c, err := w.eng.Submit(context.Background(), w.actors["clerk"], cases.SubmitInput{ItemCode: item, ApplicantID: w.app.ID, Materials: ch})
	if err != nil {
		w.t.Fatalf("submit %s: %v", item, err)
	}
	return c
}

func (w *world) act(who, no, action string, in cases.Input) *cases.Case {
	w.t.Helper()
	c, err := w.eng.Act(context.Background(), w.actors[who], no, action, in)
	if err != nil {
		w.t.Fatalf("%s %s: %v", who, action, err)
	}
	return c
}

// decided takes a case from acceptance to delivery through the engine.
func (w *world) decided(no string) {
	w.t.Helper()
	w.act("clerk", no, cases.ActAccept, cases.Input{})
	w.act("reviewer", no, cases.ActForward, cases.Input{Opinion: "材料齐全"})
	w.act("approver", no, cases.ActApprove, cases.Input{})
	w.act("clerk", no, cases.ActComplete, cases.Input{})
	w.act("clerk", no, cases.ActDeliver, cases.Input{Delivery: "window"})
}

// raised is one stored anomaly of a case.
type raised struct {
	Rule, Fact, Severity string
	Events               []int
	Detail               map[string]any
}

// raised lists a case's anomalies by rule.
func (w *world) raised(no string) map[string][]raised {
	w.t.Helper()
	rows, err := w.db.Read().QueryContext(context.Background(), `SELECT a.rule, a.fact_key, a.severity, a.events, a.detail FROM anomalies a
		JOIN cases c ON c.id = a.case_id WHERE c.no = $1 ORDER BY a.id`, no)
	if err != nil {
		w.t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]raised{}
	for rows.Next() {
		var r raised
		var ev, det string
		if err := rows.Scan(&r.Rule, &r.Fact, &r.Severity, &ev, &det); err != nil {
			w.t.Fatal(err)
		}
		_ = json.Unmarshal([]byte(ev), &r.Events)
		_ = json.Unmarshal([]byte(det), &r.Detail)
		out[r.Rule] = append(out[r.Rule], r)
	}
	return out
}

// scan replays the whole record.
func (w *world) scan() anomaly.ScanResult {
	w.t.Helper()
	res, err := anomaly.Scan(context.Background(), w.db, anomaly.ScanOptions{Light: w.eng.Light})
	if err != nil {
		w.t.Fatal(err)
	}
	return res
}

// sweep runs the time path.
func (w *world) sweep() int {
	w.t.Helper()
	n, err := w.an.Sweep(context.Background())
	if err != nil {
		w.t.Fatal(err)
	}
	return n
}

// counted checks that the running totals count every anomaly once: the
// anomalies figure of supervision_totals and of supervision_months both
// equal the rows of anomalies.
func (w *world) counted() {
	w.t.Helper()
	var rows, days, months int
	r := w.db.Read()
	ctx := context.Background()
	if err := r.QueryRowContext(ctx, `SELECT COUNT(*) FROM anomalies`).Scan(&rows); err != nil {
		w.t.Fatal(err)
	}
	if err := r.QueryRowContext(ctx, `SELECT COALESCE(SUM(anomalies), 0) FROM supervision_totals`).Scan(&days); err != nil {
		w.t.Fatal(err)
	}
	if err := r.QueryRowContext(ctx, `SELECT COALESCE(SUM(anomalies), 0) FROM supervision_months`).Scan(&months); err != nil {
		w.t.Fatal(err)
	}
	if days != rows || months != rows {
		w.t.Fatalf("running totals count %d (days) and %d (months) anomalies, the table holds %d", days, months, rows)
	}
}

// forge rewrites a case's record the way a bulk load, a restore or a direct
// write would: edit lets the test change the events (payloads, actors) and
// append new ones, then every hash is rechained with cases.HashEvent and
// the case row's version and last hash follow, so the chain verifies. The
// rules the engine enforces can only be broken this way.
func (w *world) forge(no string, edit func(evs []cases.Event) []cases.Event) {
	w.t.Helper()
	ctx := context.Background()
	admin := cases.SystemActor
	c, err := w.eng.Get(ctx, admin, no)
	if err != nil {
		w.t.Fatal(err)
	}
	old := len(c.Events)
	evs := edit(c.Events)
	prev := ""
	err = w.db.Tx(ctx, func(tx *sql.Tx) error {
		for i := range evs {
			e := &evs[i]
			e.Seq, e.PrevHash = i+1, prev
			e.At = e.At.UTC().Truncate(time.Millisecond)
			e.Hash = cases.HashEvent(no, *e)
			prev = e.Hash
			if i < old {
				if _, err := tx.ExecContext(ctx, `UPDATE case_events SET actor_id = $1, actor = $2, role = $3, action = $4, payload = $5, prev_hash = $6, hash = $7
					WHERE case_id = $8 AND seq = $9`,
					store.NullID(e.ActorID), e.Actor, e.Role, e.Action, string(e.Payload), e.PrevHash, e.Hash, c.ID, e.Seq); err != nil {
					return err
				}
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO case_events (case_id, seq, at, actor_id, actor, role, place, action, payload, prev_hash, hash)
				VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`, c.ID, e.Seq, e.At, store.NullID(e.ActorID), e.Actor, e.Role, e.Place, e.Action,
				string(e.Payload), e.PrevHash, e.Hash); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE cases SET version = $1, last_hash = $2 WHERE id = $3`, len(evs), prev, c.ID)
		return err
	})
	if err != nil {
		w.t.Fatal(err)
	}
}

// event is a forged event by a staff member (or the system) with a
// payload whose record changes the given row columns.
func (w *world) event(who, action string, at time.Time, fields map[string]any, row map[string]string) cases.Event {
	w.t.Helper()
	p := map[string]any{}
	for k, v := range fields {
		p[k] = v
	}
	if row != nil {
		p["record"] = map[string]any{"row": row}
	}
	b, err := json.Marshal(p)
	if err != nil {
		w.t.Fatal(err)
	}
	e := cases.Event{At: at, Action: action, Payload: b, Actor: "系统", Role: "system", Place: "test"}
	if who != "system" {
		a := w.orgs[who]
		e.ActorID, e.Actor, e.Role = a.StaffID, a.Name, string(a.Role)
	}
	return e
}

// setRecord changes one event's recorded row columns.
func setRecord(t *testing.T, e *cases.Event, row map[string]string) {
	t.Helper()
	var p map[string]any
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		t.Fatal(err)
	}
	rec, _ := p["record"].(map[string]any)
	if rec == nil {
		rec = map[string]any{}
	}
	r, _ := rec["row"].(map[string]any)
	if r == nil {
		r = map[string]any{}
	}
	for k, v := range row {
		r[k] = v
	}
	rec["row"] = r
	p["record"] = rec
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	e.Payload = b
}
