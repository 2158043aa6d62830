package bundles_test

import (
	"context"
	"testing"

	"onestop/internal/bundles"
	"onestop/internal/cases"
	"onestop/internal/catalogue"
)

// The bench row of issue 14: a bundle of three items (BL-005) from
// application to combined delivery, against one case's lifecycle (its
// first part's item alone) on the same database. The ratio is what
// docs/PERFORMANCE.md records; three parts plus the bundle's own
// writes make about 3.x the work of one case.
func BenchmarkBundleOfThree(b *testing.B) {
	w := newWorld(b)
	ctx := context.Background()
	comp, _ := w.cat.Composite(ctx, "BL-005")
	clerk := w.staff("ZJJ", "clerk")
	for b.Loop() {
		bu, err := w.svc.Submit(ctx, cases.StaffActor(clerk), bundles.SubmitInput{CompositeCode: "BL-005", ApplicantID: w.app.ID, Received: all(comp, nil)})
		if err != nil {
			b.Fatal(err)
		}
		if bu, err = w.svc.Accept(ctx, clerk, bu.No, bundles.AcceptInput{}); err != nil {
			b.Fatal(err)
		}
		for _, p := range bu.Parts {
			w.decide(deptCode(w, p.DepartmentID), p.No, cases.ActApprove)
		}
		if _, err := w.svc.Deliver(ctx, clerk, bu.No, bundles.DeliverInput{Delivery: "window"}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSingleCaseLifecycle(b *testing.B) {
	w := newWorld(b)
	ctx := context.Background()
	comp, _ := w.cat.Composite(ctx, "BL-005")
	it := comp.Items[0]
	clerk := cases.StaffActor(w.staff(deptCodeOf(w, it), "clerk"))
	var marks []cases.MaterialChange
	for i := range it.Materials {
		marks = append(marks, cases.MaterialChange{Seq: i + 1, Paper: true})
	}
	for b.Loop() {
		c, err := w.eng.Submit(ctx, clerk, cases.SubmitInput{ItemCode: it.Code, ApplicantID: w.app.ID, Materials: marks})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := w.eng.Act(ctx, clerk, c.No, cases.ActAccept, cases.Input{}); err != nil {
			b.Fatal(err)
		}
		w.decide(deptCodeOf(w, it), c.No, cases.ActApprove)
		if _, err := w.eng.Act(ctx, clerk, c.No, cases.ActComplete, cases.Input{}); err != nil {
			b.Fatal(err)
		}
		if _, err := w.eng.Act(ctx, clerk, c.No, cases.ActDeliver, cases.Input{Delivery: "window"}); err != nil {
			b.Fatal(err)
		}
	}
}

func deptCodeOf(w *world, it catalogue.Item) string { return deptCode(w, it.DepartmentID) }
