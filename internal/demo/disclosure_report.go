package demo

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/clock"
	"onestop/internal/disclosure"
	"onestop/internal/disclosure/annual"
	"onestop/internal/org"
	"onestop/internal/store"
)

// SeedDisclosureReports shows the annual disclosure report (issue 16
// item 3) for last year: the county's organs with two offices staffed
// (the clerk as officer and the department admin as head at the clerk's
// department; the centre admin as head at the county government), a few
// of last year's requests and reviews where the organs have none, the
// department's report published and the government's a draft. It runs
// once: any report stored means it is done.
func SeedDisclosureReports(ctx context.Context, db *store.DB, until time.Time) error {
	var n int
	if err := db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM disclosure_reports`).Scan(&n); err != nil || n > 0 {
		return err
	}
	os := &org.Service{DB: db, Now: func() time.Time { return until }}
	actors := map[string]org.Actor{}
	for _, u := range []string{"admin", "clerk", "deptadmin"} {
		st, err := os.StaffByUsername(ctx, u)
		if err != nil {
			return err
		}
		actors[u] = st.Actor("console")
	}
	admin := actors["admin"]
	if err := disclosure.EnsureOrgans(ctx, db, until, admin.County()); err != nil {
		return err
	}
	var dept, gov int64
	if err := db.R.QueryRowContext(ctx, `SELECT id FROM disclosure_organs WHERE department_id = $1`, actors["clerk"].DepartmentID).Scan(&dept); err != nil {
		return err
	}
	if err := db.R.QueryRowContext(ctx, `SELECT id FROM disclosure_organs WHERE kind = 'government' AND region_code = $1`, admin.County()).Scan(&gov); err != nil {
		return err
	}
	for _, g := range []struct {
		organ int64
		who   string
		duty  disclosure.Duty
	}{{dept, "clerk", disclosure.Officer}, {dept, "deptadmin", disclosure.Head}, {gov, "admin", disclosure.Head}} {
		if err := disclosure.Grant(ctx, db, until, admin, g.organ, actors[g.who].StaffID, g.duty); err != nil {
			return err
		}
	}
	year := clock.Today(until).Year - 1
	if err := seedDisclosureRecord(ctx, db, until, year, dept, gov, admin.StaffID); err != nil {
		return err
	}
	svc := &annual.Service{DB: db, Now: func() time.Time { return until },
		Calendar: func(ctx context.Context) (*calendar.Calendar, error) { return cases.Calendar(ctx, db.R) }}
	r, err := svc.Generate(ctx, actors["clerk"], dept, year)
	if err != nil {
		return err
	}
	if r, err = svc.EditTexts(ctx, actors["clerk"], r.ID, r.Version, annual.Texts{
		Overview: fmt.Sprintf("%d年，本机关认真贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外，依法做好主动公开和依申请公开工作，政府信息公开专栏按目录及时更新。", year),
		Problems: "一是部分业务信息公开的及时性仍需提高；二是依申请公开答复文书的规范性有待加强。下一步将完善公开目录，加强业务培训。",
		Other:    "无其他需要报告的事项。"}); err != nil {
		return err
	}
	head := actors["deptadmin"]
	if r, err = svc.Approve(ctx, head, r.ID, r.Version); err != nil {
		return err
	}
	if _, err = svc.Publish(ctx, head, r.ID, r.Version); err != nil {
		return err
	}
	g, err := svc.Generate(ctx, admin, gov, year)
	if err != nil {
		return err
	}
	_, err = svc.EditTexts(ctx, admin, g.ID, g.Version, annual.Texts{
		Overview: fmt.Sprintf("%d年，县人民政府持续深化政务公开，围绕重点领域做好信息发布、解读和回应。（草稿，待完善）", year)})
	return err
}

// seedDisclosureRecord writes last year's requests and reviews of the two
// organs, only for an organ that has none of its own.
func seedDisclosureRecord(ctx context.Context, db *store.DB, now time.Time, year int, dept, gov, staff int64) error {
	day := func(m time.Month, d int) string { return calendar.Date{Year: year, Month: m, Day: d}.String() }
	type req struct {
		typ              disclosure.ApplicantType
		received, closed string
		outcome          disclosure.Outcome
		content          string
	}
	sets := map[int64][]req{
		dept: {
			{disclosure.Person, day(2, 20), day(3, 6), disclosure.Disclosed, "申请公开本单位2023年度行政许可事项办理情况"},
			{disclosure.Person, day(4, 8), day(4, 28), disclosure.Partial, "申请公开某项目建设审批材料"},
			{disclosure.Business, day(5, 12), day(5, 30), disclosure.UnableNotHeld, "申请公开某企业资质审查意见"},
			{disclosure.Person, day(7, 1), day(7, 10), disclosure.DeclinedPetition, "反映某小区物业问题并要求处理"},
			{disclosure.LegalService, day(9, 3), day(9, 25), disclosure.WithheldThirdParty, "申请公开某行政处罚案件当事人信息"},
			{disclosure.Person, day(12, 26), "", "", "申请公开本年度财政专项资金使用情况"},
		},
		gov: {
			{disclosure.Person, day(3, 15), day(4, 2), disclosure.Disclosed, "申请公开县政府常务会议纪要"},
			{disclosure.Research, day(6, 18), day(7, 9), disclosure.Disclosed, "申请公开县域经济统计数据"},
			{disclosure.Person, day(10, 10), day(10, 20), disclosure.DeclinedRepeat, "再次申请公开已答复的征地批复"},
		},
	}
	return db.Tx(ctx, func(tx *sql.Tx) error {
		for organ, reqs := range sets {
			var have int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM disclosure_requests WHERE organ_id = $1`, organ).Scan(&have); err != nil {
				return err
			}
			if have > 0 {
				continue
			}
			for i, r := range reqs {
				status, outcome, closed := "open", any(nil), any(nil)
				if r.closed != "" {
					status, outcome, closed = "closed", string(r.outcome), r.closed
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO disclosure_requests (no, organ_id, applicant_type, name, channel, content, received_on, clock_from, due_on,
					status, outcome, closed_on, created_at, updated_at) VALUES ($1, $2, $3, $4, 'in_person', $5, $6, $6, $6, $7, $8, $9, $10, $10)`,
					fmt.Sprintf("GK%d-%d-%02d", year, organ, i+1), organ, string(r.typ), "申请人"+fmt.Sprint(i+1), r.content, r.received, status, outcome, closed, now); err != nil {
					return err
				}
			}
		}
		var have int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM disclosure_appeals WHERE organ_id IN ($1, $2)`, dept, gov).Scan(&have); err != nil || have > 0 {
			return err
		}
		for _, p := range []struct {
			organ                          int64
			kind, filed, result, concluded string
		}{
			{dept, annual.Review, day(5, 20), annual.Maintained, day(7, 15)},
			{dept, annual.SuitDirect, day(10, 8), "", ""},
			{gov, annual.Review, day(11, 2), annual.Corrected, day(12, 20)},
		} {
			var result, concluded any
			if p.result != "" {
				result, concluded = p.result, p.concluded
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO disclosure_appeals (organ_id, kind, filed_on, result, concluded_on, recorded_by, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`, p.organ, p.kind, p.filed, result, concluded, staff, now); err != nil {
				return err
			}
		}
		return nil
	})
}
