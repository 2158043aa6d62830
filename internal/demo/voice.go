package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/corrections"
	"onestop/internal/org"
	"onestop/internal/store"
	"onestop/internal/voice"
)

// EnsureEnquiries seeds the demo's consultations, complaints and help
// requests once (issue 13 §3), through the voice service with a clock
// that walks back from now: an answered consultation, an open complaint
// the supervisor turned into a correction order, and a help request left
// overdue for supervision's board. text renders the SMS the answer sends.
func EnsureEnquiries(ctx context.Context, db *store.DB, now time.Time, text func(lang, key string, args map[string]any) string) error {
	var done string
	err := db.R.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'demo_enquiries'`).Scan(&done)
	if err == nil {
		return nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	var mu sync.Mutex
	at := now
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return at }
	set := func(t time.Time) { mu.Lock(); at = t; mu.Unlock() }
	eng := cases.New(db, &catalogue.Service{DB: db, Now: clock}, clock)
	orders := &corrections.Service{DB: db, Cases: eng, Now: clock}
	v := &voice.Service{DB: db, Cases: eng, Orders: orders, Now: clock, Text: text, TrackURL: "/voice/track"}
	orders.Witnesses = append(orders.Witnesses, v.OrderWitness)
	o := &org.Service{DB: db, Now: clock}
	staff := func(username string) (org.Actor, error) {
		st, err := o.StaffByUsername(ctx, username)
		return st.Actor("127.0.0.1"), err
	}
	clerk, err := staff("clerk")
	if err != nil {
		return err
	}
	sup, err := staff("supervisor")
	if err != nil {
		return err
	}
	day := 24 * time.Hour

	set(now.Add(-6 * day))
	c, err := v.File(ctx, voice.Input{Kind: voice.Consult, DepartmentID: clerk.DepartmentID, Channel: "portal", Subject: "企业投资项目备案需要哪些材料",
		Body: "我公司计划在县工业园新建一条生产线，备案需要提交哪些材料？能否网上办理？", Name: "赵先生", Phone: "13800000001", Public: true})
	if err != nil {
		return fmt.Errorf("demo consultation: %w", err)
	}
	set(now.Add(-5 * day))
	if _, err := v.Act(ctx, clerk, c.No, voice.ActAnswer, voice.StepInput{Version: c.Version,
		Text: "企业投资项目备案可在投资项目在线审批监管平台网上办理，需填报项目名称、建设地点、建设规模和内容、总投资额等信息，并承诺信息真实。无需到窗口提交纸质材料。"}); err != nil {
		return fmt.Errorf("demo answer: %w", err)
	}

	set(now.Add(-3 * day))
	ts, err := v.File(ctx, voice.Input{Kind: voice.Complaint, DepartmentID: clerk.DepartmentID, Channel: "portal", Subject: "窗口人员让我多次往返",
		Body: "我上周两次到发改窗口办理，每次都被告知缺少不同的材料，没有一次性告知。", Name: "钱女士", Phone: "13800000002"})
	if err != nil {
		return fmt.Errorf("demo complaint: %w", err)
	}
	set(now.Add(-2 * day))
	if _, err := v.Refer(ctx, sup, ts.No, voice.ReferInput{Version: ts.Version, DepartmentID: clerk.DepartmentID, DeadlineDays: 5,
		Instruction: "请核实窗口是否落实一次性告知制度，向投诉人说明情况并整改。"}); err != nil {
		return fmt.Errorf("demo referral: %w", err)
	}

	set(now.Add(-14 * day))
	if _, err := v.File(ctx, voice.Input{Kind: voice.Help, Channel: "phone", Subject: "老人无法使用网上申报",
		Body: "家中老人需要办理高龄津贴，不会使用手机申报，希望有人帮办。", Name: "孙先生", Phone: "13800000003"}); err != nil {
		return fmt.Errorf("demo help request: %w", err)
	}
	_, err = db.W.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('demo_enquiries', '3')`)
	return err
}
