package bench

import (
	"context"
	"fmt"
	"strings"
	"time"

	"onestop/internal/bundles"
	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/demo/bulk"
	"onestop/internal/store"
	"onestop/internal/supervision"
)

// bundleComposite is the demo's bundle of three items in three
// departments (规划许可、施工许可、消防设计审查; issue 14 §1).
const bundleComposite = "BL-005"

// lifecycles measures whole lives, one client, through the real services:
// one case of the transitions row's item from application to delivery,
// and a bundle of three items from application through the one
// acceptance, each part's review in its own department, to the combined
// delivery (issue 14 §1: "a row for a bundle of three items, as a ratio
// to a single case's lifecycle"). Every life is run to its end, so none
// is left open to skew the rows after it.
func (r *runner) lifecycles(ctx context.Context, clerk bulk.Staff) error {
	single, err := chooseFlow(ctx, r.db, clerk.DeptID)
	if err != nil {
		return err
	}
	cat := &catalogue.Service{DB: r.db, Now: time.Now}
	eng := cases.New(r.db, cat, time.Now)
	supervision.Watch(eng, r.db, time.Now)
	bsvc := bundles.New(r.db, eng, cat, time.Now)
	// The bundle service learns of its parts' decisions as the server's
	// does: as a witness of the engine.
	eng.Witnesses = append(eng.Witnesses, bsvc)
	var applicant int64
	if err := r.db.R.QueryRowContext(ctx, `SELECT id FROM applicants WHERE kind = 'organisation' ORDER BY id LIMIT 1`).Scan(&applicant); err != nil {
		return fmt.Errorf("lifecycles: an organisation applicant: %w", err)
	}
	d := r.opt.Duration / 2

	var marks []cases.MaterialChange
	for i := range single.item.Materials {
		marks = append(marks, cases.MaterialChange{Seq: i + 1, Paper: true})
	}
	submitter := single.steps[0].actor
	caseRate, err := repeatFor(ctx, d, func() error {
		c, err := eng.Submit(ctx, submitter, cases.SubmitInput{ItemCode: single.item.Code, ApplicantID: applicant, Materials: marks})
		if err != nil {
			return fmt.Errorf("submit: %w", err)
		}
		for _, s := range single.steps {
			if err := s.act(ctx, eng, c.No); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("single case lifecycle: %w", err)
	}
	var actions []string
	for _, s := range single.steps {
		actions = append(actions, s.action)
	}
	r.add(Row{What: "single case lifecycle, 1 client", Value: caseRate, Unit: "cases/s",
		Note: fmt.Sprintf("item %s, submit→%s through cases.Service (the transitions row's item and steps, plus the application)", single.item.Code, strings.Join(actions, "→"))})

	run, comp, err := bundleLife(ctx, r.db, eng, bsvc, applicant)
	if err != nil {
		return err
	}
	bundleRate, err := repeatFor(ctx, d, run)
	if err != nil {
		return fmt.Errorf("bundle lifecycle: %w", err)
	}
	row := Row{What: fmt.Sprintf("bundle of %d items (%s), 1 client", len(comp.Items), comp.Code), Value: bundleRate, Unit: "bundles/s",
		Note: "application, one acceptance opening every part, each part's review and approval by its own department's holders, one combined delivery completing and delivering every part, through bundles.Service and cases.Service; ratio = a bundle's time over one single case's lifecycle (the row above) in the same run"}
	if bundleRate > 0 {
		row.Ratio = caseRate / bundleRate
	}
	r.add(row)
	return nil
}

// bundleLife is one bundle's whole life as a function to repeat, with
// the composite it runs.
func bundleLife(ctx context.Context, db *store.DB, eng *cases.Service, bsvc *bundles.Service, applicant int64) (func() error, catalogue.Composite, error) {
	comp, err := bsvc.Catalogue.Composite(ctx, bundleComposite)
	if err != nil {
		return nil, comp, fmt.Errorf("bundle row: composite %s: %w", bundleComposite, err)
	}
	county, err := bulk.LoadCounty(ctx, db)
	if err != nil {
		return nil, comp, err
	}
	// Each part runs its item's review steps, as the transitions row's
	// case does; acceptance and delivery are the bundle's.
	review := map[string][]flowStep{}
	for _, it := range comp.Items {
		f := itemFlow(county, it)
		if f == nil {
			return nil, comp, fmt.Errorf("bundle row: no hall clerk for %s", it.Code)
		}
		review[it.Code] = f.review()
	}
	lead := county.HallClerk(comp.LeadDepartmentID)
	if lead.ID == 0 {
		return nil, comp, fmt.Errorf("bundle row: no hall clerk in the lead department of %s", comp.Code)
	}
	clerk := orgActor(lead)
	var received []int
	for _, m := range bundles.SharedMaterials(comp) {
		received = append(received, m.Seq)
	}
	return func() error {
		b, err := bsvc.Submit(ctx, cases.StaffActor(clerk), bundles.SubmitInput{CompositeCode: comp.Code, ApplicantID: applicant, Received: received})
		if err != nil {
			return fmt.Errorf("submit: %w", err)
		}
		if b, err = bsvc.Accept(ctx, clerk, b.No, bundles.AcceptInput{}); err != nil {
			return fmt.Errorf("accept %s: %w", b.No, err)
		}
		for _, p := range b.Parts {
			for _, s := range review[p.ItemCode] {
				if err := s.act(ctx, eng, p.No); err != nil {
					return err
				}
			}
		}
		if _, err := bsvc.Deliver(ctx, clerk, b.No, bundles.DeliverInput{Delivery: "window"}); err != nil {
			return fmt.Errorf("deliver %s: %w", b.No, err)
		}
		return nil
	}, comp, nil
}

// repeatFor runs one whole life after another for about d (at least
// three, so a slow engine still gives a figure) and returns lives per
// second over the time used.
func repeatFor(ctx context.Context, d time.Duration, life func() error) (float64, error) {
	start := time.Now()
	n := 0
	for n < 3 || time.Since(start) < d {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		if err := life(); err != nil {
			return 0, err
		}
		n++
	}
	return float64(n) / time.Since(start).Seconds(), nil
}
