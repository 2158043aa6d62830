package demo

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/applicants"
	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/clock"
	"onestop/internal/disclosure"
	"onestop/internal/disclosure/request"
	"onestop/internal/org"
	"onestop/internal/store"
)

// DisclosureApplicant is the demo's portal account that follows its
// disclosure requests online (password: Password).
const DisclosureApplicant = "431022198506120022"

// EnsureDisclosureRequests shows requests for disclosure (issue 16 item 2)
// at every stage, written through the request service on their own days
// so each clock is what it would have been live: one overdue (red on the
// supervision list), one extended by the head, one waiting for the
// demo applicant's supplement on the portal, one filed online and not yet
// confirmed, one with a third party consulted, one with a fee due, and
// three concluded (disclosed, withheld as process information, a
// petition). It needs the clerk as officer and the approver as head of
// the clerk's department's office; the demo's disclosure seeding grants
// them, so they are added here only when missing. The server calls it
// after demo.Ensure (as EnsureEnquiries), once: a database that already
// holds requests is left alone.
func EnsureDisclosureRequests(ctx context.Context, db *store.DB, now time.Time) error {
	var n int
	if err := db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM disclosure_requests`).Scan(&n); err != nil || n > 0 {
		return err
	}
	if err := disclosure.EnsureOrgans(ctx, db, now, demoCounty.Code); err != nil {
		return err
	}
	var mu sync.Mutex
	at := now
	clk := func() time.Time { mu.Lock(); defer mu.Unlock(); return at }
	os := &org.Service{DB: db, Now: clk}
	staff := map[string]org.Actor{}
	for _, u := range []string{"admin", "clerk", "approver"} {
		st, err := os.StaffByUsername(ctx, u)
		if err != nil {
			return err
		}
		staff[u] = st.Actor("demo")
	}
	var organ int64
	if err := db.R.QueryRowContext(ctx, `SELECT id FROM disclosure_organs WHERE department_id = $1`, staff["clerk"].DepartmentID).Scan(&organ); err != nil {
		return err
	}
	for u, d := range map[string]disclosure.Duty{"clerk": disclosure.Officer, "approver": disclosure.Head} {
		if _, err := db.W.ExecContext(ctx, `INSERT INTO disclosure_officers (organ_id, staff_id, duty, granted_by, granted_at)
			SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS (SELECT 1 FROM disclosure_officers WHERE organ_id = $1 AND staff_id = $2)`,
			organ, staff[u].StaffID, string(d), staff["admin"].StaffID, now); err != nil {
			return err
		}
	}
	as := &applicants.Service{DB: db, Now: clk}
	app, err := as.ByNumber(ctx, DisclosureApplicant)
	if apperr.Is(err, apperr.NotFound) {
		app, err = as.Register(ctx, applicants.Input{Kind: applicants.Citizen, IDNumber: DisclosureApplicant, Name: "周晓琳", Phone: "13807351234",
			Password: Password}, true)
	}
	if err != nil {
		return fmt.Errorf("demo disclosure applicant: %w", err)
	}
	cal, err := cases.Calendar(ctx, db.R)
	if err != nil {
		return err
	}
	svc := &request.Service{DB: db, Cases: cases.New(db, &catalogue.Service{DB: db, Now: clk}, clk), Now: clk}
	today := clock.Today(now)
	// ago is the working day n working days before today, at 10:00.
	ago := func(n int) calendar.Date { d, _ := cal.Deadline(today, -n); return d }
	set := func(d calendar.Date) {
		mu.Lock()
		at = d.Time(clock.Shanghai).Add(10 * time.Hour)
		if at.After(now) {
			at = now
		}
		mu.Unlock()
	}
	person := func(name, id, phone, content string) request.Input {
		return request.Input{OrganID: organ, ApplicantType: disclosure.Person, Name: name, IDNumber: id, Phone: phone,
			Address: "湖南省" + demoCounty.Name + "城关镇", Content: content, Form: "paper"}
	}
	mine := person("周晓琳", DisclosureApplicant, "13807351234", "")
	mine.Form, mine.Address = "electronic", ""
	var errs []error
	try := func(_ *request.Request, err error) { errs = append(errs, err) }
	reg := func(day int, in request.Input, ch disclosure.Channel) *request.Request {
		set(ago(day))
		in.Channel = ch
		if ch == disclosure.Post {
			in.ReceivedOn = ago(day + 1).String()
		}
		r, err := svc.Register(ctx, staff["clerk"], in)
		errs = append(errs, err)
		return r
	}
	steps := func(r *request.Request, fn func(no string)) {
		if r != nil {
			fn(r.No)
		}
	}

	// Overdue: received 25 working days ago and never answered.
	reg(25, person("刘建国", "43102219720309001X", "13973501122", "申请公开2025年城区道路改造工程资金使用明细。"), disclosure.InPerson)

	// Extended by the office head on the 18th working day.
	steps(reg(22, person("陈桂英", "431022198506120022", "13807359876", "申请公开本单位2024年度政府采购项目合同。"), disclosure.Post), func(no string) {
		set(ago(4))
		try(svc.Extend(ctx, staff["approver"], no, 15, "涉及多个年度合同档案，需调取核对。"))
	})

	// The demo applicant's online request, confirmed, with a supplement to give on the portal.
	mine.Content = "申请公开我村2025年农村人居环境整治项目的补助资金发放情况。"
	set(ago(3))
	r, err := svc.FileOnline(ctx, app.ID, mine)
	errs = append(errs, err)
	steps(r, func(no string) {
		try(svc.Confirm(ctx, staff["clerk"], no))
		set(ago(2))
		try(svc.AskSupplement(ctx, staff["clerk"], no, request.SupplementAsk{What: "请写明村名及所属乡镇，以便查找对应项目档案。",
			DueOn: ago(2).AddDays(14).String()}))
	})

	// The demo applicant's second request, filed online today, awaiting confirmation.
	mine.Content = "申请公开本县2026年第三季度政务服务“好差评”统计结果。"
	set(today)
	_, err = svc.FileOnline(ctx, app.ID, mine)
	errs = append(errs, err)

	// A third party consulted (Art. 32).
	steps(reg(6, person("黄丽华", "431022198506120022", "13607351234", "申请公开某建筑公司在我镇中标项目的投标文件。"), disclosure.InPerson), func(no string) {
		set(ago(4))
		try(svc.Consult(ctx, staff["clerk"], no, "湖南某建筑工程有限公司"))
	})

	// A fee notice for 80 pages (¥500 under 国办函〔2020〕109号 第五条).
	steps(reg(5, person("赵明", "43102219720309001X", "13973509988", "申请提供2020年以来本部门全部行政许可决定书复印件。"), disclosure.Post), func(no string) {
		set(ago(3))
		try(svc.FeeNotice(ctx, staff["clerk"], no, request.FeeInput{Method: request.ByVolume, Pages: 80}))
	})

	// Concluded: disclosed, withheld (process information), a petition.
	steps(reg(15, person("王志强", "431022198506120022", "13807350001", "申请公开2025年度本部门行政事业性收费项目及标准。"), disclosure.InPerson), func(no string) {
		set(ago(5))
		try(svc.Answer(ctx, staff["clerk"], no, request.Reply{Type: 2, Outcome: disclosure.Disclosed, Text: "现随本告知书提供《2025年度行政事业性收费项目及标准目录》电子版一份。"}))
	})
	biz := request.Input{OrganID: organ, ApplicantType: disclosure.Business, Name: "湖南某房地产开发有限公司", IDNumber: "91431022MA4L0XY20G",
		Phone: "0735-5201234", Address: "湖南省" + demoCounty.Name + "建设路8号", Content: "申请公开某地块规划条件论证会议纪要。", Form: "paper"}
	steps(reg(12, biz, disclosure.Fax), func(no string) {
		set(ago(2))
		try(svc.Answer(ctx, staff["clerk"], no, request.Reply{Type: 3, Outcome: disclosure.WithheldProcess,
			Reason: "所申请信息为规划条件论证过程中的讨论记录，属于过程性信息。", Basis: "《中华人民共和国政府信息公开条例》第十六条第二款"}))
	})
	steps(reg(9, person("李红梅", "43102219720309001X", "13807352222", "反映邻居违章搭建问题，要求查处并公开处理结果。"), disclosure.InPerson), func(no string) {
		set(ago(8))
		try(svc.Conclude(ctx, staff["clerk"], no, disclosure.DeclinedPetition, "所提事项属于投诉举报，已告知通过12345热线或信访渠道反映。"))
	})
	return errors.Join(errs...)
}
