package demo

import (
	"database/sql"
	"errors"
	"fmt"

	"onestop/internal/applicants"
	"onestop/internal/bundles"
	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/org"
	"onestop/internal/payments"
)

// seedBundles puts two construction bundles (BL-005, issue 14 §1) on the
// demo's last day, once: one received online and waiting for the 住建局
// window to accept it, one accepted with its three parts running in their
// departments (自然资源局's part already approved).
func (s *simulator) seedBundles() error {
	ctx, db := s.ctx, s.db
	var done string
	err := db.R.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'demo_bundles_done'`).Scan(&done)
	if err == nil {
		return nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	svc := bundles.New(db, s.eng, s.eng.Catalogue, s.clock)
	s.eng.Witnesses = append(s.eng.Witnesses, svc)
	clerk, comp, all, err := s.bundleDesk("ZJJ", "BL-005")
	if err != nil {
		return err
	}
	online, err := s.applicant(applicants.Organisation)
	if err != nil {
		return err
	}
	if _, err := svc.Submit(ctx, cases.Actor{ApplicantID: online, Address: "demo"}, bundles.SubmitInput{CompositeCode: comp.Code}); err != nil {
		return fmt.Errorf("demo bundle online: %w", err)
	}
	walkIn, err := s.applicant(applicants.Organisation)
	if err != nil {
		return err
	}
	b, err := svc.Submit(ctx, cases.StaffActor(clerk), bundles.SubmitInput{CompositeCode: comp.Code, ApplicantID: walkIn, Received: all})
	if err != nil {
		return fmt.Errorf("demo bundle at the window: %w", err)
	}
	if b, err = svc.Accept(ctx, clerk, b.No, bundles.AcceptInput{}); err != nil {
		return fmt.Errorf("demo bundle acceptance: %w", err)
	}
	for _, p := range b.Parts {
		if p.ItemCode == comp.Items[0].Code {
			if err := s.decidePart(p.No, p.DepartmentID, comp.Items[0]); err != nil {
				return err
			}
		}
	}
	if err := s.seedFeeBundle(svc); err != nil {
		return err
	}
	_, err = db.W.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('demo_bundles_done', '1')`)
	return err
}

// seedFeeBundle puts a second-hand home transfer (BL-006) on the demo:
// both parts approved and the bundle's one payment notice issued by the
// 不动产登记中心 window and still due, so the cashier window and the
// applicant's page have a bundle notice to show.
func (s *simulator) seedFeeBundle(svc *bundles.Service) error {
	ctx, db := s.ctx, s.db
	clerk, comp, all, err := s.bundleDesk("BDC", "BL-006")
	if err != nil {
		return err
	}
	buyer, err := s.applicant(applicants.Citizen)
	if err != nil {
		return err
	}
	b, err := svc.Submit(ctx, cases.StaffActor(clerk), bundles.SubmitInput{CompositeCode: comp.Code, ApplicantID: buyer, Received: all})
	if err != nil {
		return fmt.Errorf("demo fee bundle: %w", err)
	}
	if b, err = svc.Accept(ctx, clerk, b.No, bundles.AcceptInput{}); err != nil {
		return fmt.Errorf("demo fee bundle acceptance: %w", err)
	}
	for i, p := range b.Parts {
		if err := s.decidePart(p.No, p.DepartmentID, comp.Items[i]); err != nil {
			return fmt.Errorf("demo fee bundle part %s: %w", p.No, err)
		}
	}
	if b, err = svc.Get(ctx, cases.SystemActor, b.No); err != nil {
		return err
	}
	svc.Payments = &payments.Service{DB: db, Cases: s.eng, Now: s.clock}
	if _, err := svc.IssueNotice(ctx, clerk, b.No, bundles.NoticeInput{Version: b.Version}); err != nil {
		return fmt.Errorf("demo fee bundle notice: %w", err)
	}
	return nil
}

// decidePart takes a part through its review steps to approval by its own
// department's reviewer and approver.
func (s *simulator) decidePart(no string, dept int64, _ catalogue.Item) error {
	for range 5 {
		c, err := s.eng.Get(s.ctx, cases.SystemActor, no)
		if err != nil {
			return err
		}
		if c.State != cases.InProgress {
			return nil
		}
		var username string
		if err := s.db.R.QueryRowContext(s.ctx, `SELECT username FROM staff WHERE department_id = $1 AND role = $2 ORDER BY id LIMIT 1`,
			dept, c.StepRole).Scan(&username); err != nil {
			return err
		}
		st, err := (&org.Service{DB: s.db, Now: s.clock}).StaffByUsername(s.ctx, username)
		if err != nil {
			return err
		}
		act := cases.ActForward
		if cases.IsDecisionStep(c) {
			act = cases.ActApprove
		}
		if _, err := s.eng.Act(s.ctx, cases.StaffActor(st.Actor("demo")), no, act, cases.Input{Opinion: "经审查，符合法定条件。"}); err != nil {
			return err
		}
	}
	return nil
}

// bundleDesk is what a demo bundle at the hall starts from: the lead
// department's first window clerk there, the composite, and the numbers
// of its shared materials (all received at the window).
func (s *simulator) bundleDesk(dept, code string) (org.Actor, catalogue.Composite, []int, error) {
	var clerkName string
	if err := s.db.R.QueryRowContext(s.ctx, `SELECT s.username FROM staff s JOIN departments d ON d.id = s.department_id
		WHERE d.code = $1 AND s.role = 'clerk' AND s.centre_id = (SELECT id FROM centres WHERE kind = 'hall' ORDER BY id LIMIT 1)
		ORDER BY s.id LIMIT 1`, demoCounty.dept(dept)).Scan(&clerkName); err != nil {
		return org.Actor{}, catalogue.Composite{}, nil, fmt.Errorf("demo bundle %s: the lead clerk: %w", code, err)
	}
	st, err := (&org.Service{DB: s.db, Now: s.clock}).StaffByUsername(s.ctx, clerkName)
	if err != nil {
		return org.Actor{}, catalogue.Composite{}, nil, err
	}
	comp, err := s.eng.Catalogue.Composite(s.ctx, demoCounty.item(code))
	if err != nil {
		return org.Actor{}, catalogue.Composite{}, nil, err
	}
	var all []int
	for _, m := range bundles.SharedMaterials(comp) {
		all = append(all, m.Seq)
	}
	return st.Actor("demo"), comp, all, nil
}
