package demo

import (
	"context"
	"database/sql"
	"time"

	"onestop/internal/cases"
	"onestop/internal/clock"
	"onestop/internal/disclosure"
	"onestop/internal/store"
)

// seedDisclosure shows government information disclosure (issue 16): the
// county government and every department registered as organs, and the
// duties the other issue-16 parts rely on (docs/ARCHITECTURE.md §25):
//
//   - clerk: officer of the disclosure office of the clerk's department;
//   - approver: head of that same department's office;
//   - admin: head of the county government's office.
//
// A few catalogue entries show the clock: the government's functions and
// a normative document published, one of its plans under review; the
// clerk's department has a draft past its 20-working-day deadline.
func seedDisclosure(ctx context.Context, db *store.DB, now time.Time) error {
	if err := disclosure.EnsureOrgans(ctx, db, now, demoCounty.Code); err != nil {
		return err
	}
	cal, err := cases.Calendar(ctx, db.Read())
	if err != nil {
		return err
	}
	var gov, dept, admin, clerk, approver int64
	q := db.Read()
	for _, v := range []struct {
		dst   *int64
		query string
	}{
		{&gov, `SELECT id FROM disclosure_organs WHERE kind = 'government' AND region_code = '` + demoCounty.Code + `'`},
		{&dept, `SELECT o.id FROM disclosure_organs o JOIN staff s ON s.department_id = o.department_id WHERE s.username = 'clerk'`},
		{&admin, `SELECT id FROM staff WHERE username = 'admin'`},
		{&clerk, `SELECT id FROM staff WHERE username = 'clerk'`},
		{&approver, `SELECT id FROM staff WHERE username = 'approver'`},
	} {
		if err := q.QueryRowContext(ctx, v.query).Scan(v.dst); err != nil {
			return err
		}
	}
	today := clock.Today(now)
	return db.Tx(ctx, func(tx *sql.Tx) error {
		for _, g := range []struct {
			organ, staff int64
			duty         disclosure.Duty
		}{{dept, clerk, disclosure.Officer}, {dept, approver, disclosure.Head}, {gov, admin, disclosure.Head}} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO disclosure_officers (organ_id, staff_id, duty, granted_by, granted_at) VALUES ($1,$2,$3,$4,$5)`,
				g.organ, g.staff, string(g.duty), admin, now); err != nil {
				return err
			}
		}
		for _, e := range []struct {
			organ, by              int64
			category, kind         string
			title, docNo, body     string
			ago                    int // calendar days before today the information was created
			status                 string
			issuedAgo, repealedAgo int // policy documents: days before today; -1 none
		}{
			{gov, admin, "functions", "", "县人民政府办公室主要职责", "", "负责县人民政府日常工作的综合协调，督促检查县人民政府各部门和各乡镇对县人民政府文件、决定事项的贯彻落实情况。", 120, "published", -1, -1},
			{gov, admin, "policy", "normative", "关于进一步优化营商环境的若干措施", "县政发〔2026〕3号", "为深化\"放管服\"改革，持续优化营商环境，结合本县实际，制定以下措施。", 90, "published", 92, -1},
			{gov, admin, "policy", "normative", "关于印发县政务服务中心窗口管理办法的通知", "县政办发〔2024〕11号", "本办法自印发之日起施行。", 700, "published", 700, 60},
			{gov, admin, "plans", "", "2027年度政务公开工作要点", "", "围绕县委县政府中心工作，深化重点领域信息公开。", 6, "review", -1, -1},
			{dept, clerk, "fees", "", "行政事业性收费项目及标准", "", "本部门现行收费项目、标准及依据。", 45, "draft", -1, -1},
			{dept, clerk, "decisions", "licensing", "2026年11月行政许可决定公示", "", "本月作出的行政许可决定。", 3, "draft", -1, -1},
		} {
			created := today.AddDays(-e.ago)
			due, _ := cal.Deadline(created, disclosure.PublishDays)
			day := func(ago int) any {
				if ago < 0 {
					return nil
				}
				return today.AddDays(-ago).String()
			}
			var pubAt, pubOn, pubBy any
			if e.status == "published" {
				pubAt, pubOn, pubBy = now.AddDate(0, 0, -e.ago+5), created.AddDays(5).String(), approver
				if e.organ == gov {
					pubBy = admin
				}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO disclosure_entries (organ_id, category, doc_kind, title, doc_no, body, created_on, due_on,
				issued_on, repealed_on, status, drafted_by, published_by, published_at, published_on, created_at, updated_at)
				VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$16)`,
				e.organ, e.category, e.kind, e.title, e.docNo, e.body, created.String(), due.String(), day(e.issuedAgo), day(e.repealedAgo),
				e.status, e.by, pubBy, pubAt, pubOn, now); err != nil {
				return err
			}
		}
		return nil
	})
}
