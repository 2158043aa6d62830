package demo

import (
	"fmt"
	"time"

	"onestop/internal/audit"
	"onestop/internal/catalogue"
	"onestop/internal/demo/data"
	"onestop/internal/store"
)

// formOf maps the data tables' material forms (the same words) and
// checks them early.
var materialForms = map[string]bool{"original": true, "copy": true, "original_and_copy": true, "electronic": true}

// loadCatalogue puts the demo county's 432 items (370 in force, 62
// cancelled in the yearly clean-up) and its composites into the database
// for county c through the catalogue's own validation, in g's transaction.
func loadCatalogue(g *gen, db *store.DB, c county) (int, error) {
	ctx, tx, now := g.ctx, g.tx, g.now
	svc := &catalogue.Service{DB: db, Now: func() time.Time { return now }}
	who := audit.Who{Name: "demo", Address: "console"}
	types := map[string]string{}
	rows, err := tx.QueryContext(ctx, `SELECT code, name FROM item_types`)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var code, name string
		if err := rows.Scan(&code, &name); err != nil {
			rows.Close()
			return 0, err
		}
		types[name] = code
	}
	rows.Close()
	depts, seated := g.deptIDs, map[string]bool{}
	for _, d := range data.Departments {
		seated[d.Code] = d.Seated
	}
	n := 0
	for _, it := range data.CatalogueItems() {
		ct := catalogue.Content{Name: c.text(it.Name), Type: types[it.Type], DepartmentID: depts[it.Department], Audience: it.Audience, Themes: it.Themes,
			LegalBasis: it.LegalBasis, Conditions: c.text(it.Conditions), StatutoryDays: it.StatutoryDays, PromisedDays: it.PromisedDays,
			Immediate: it.Immediate, Visits: it.Visits, Online: it.Online, AtHall: true, AtTownship: it.AtTownship,
			Commissioned: !seated[it.Department], DeemedApproval: it.DeemedApproval, DeemedNote: c.text(it.DeemedNote)}
		for _, m := range it.Materials {
			if !materialForms[m.Form] {
				return 0, fmt.Errorf("demo item %s: material form %q", it.Code, m.Form)
			}
			ct.Materials = append(ct.Materials, catalogue.Material{Name: m.Name, Required: m.Required, Condition: m.Condition, Form: m.Form,
				Copies: m.Copies, BlankForm: m.BlankForm, Notes: m.Notes})
		}
		for _, f := range it.Fees {
			ct.Fees = append(ct.Fees, catalogue.Fee{Name: f.Name, AmountFen: f.AmountFen, Basis: f.Basis})
		}
		for _, s := range it.Steps {
			ct.Steps = append(ct.Steps, catalogue.Step{Name: s.Name, Role: s.Role, Days: s.Days})
		}
		created := now
		if it.Cancelled {
			// Cancelled items were listed before the clean-up.
			created = time.Date(2025, 1, 2, 1, 0, 0, 0, time.UTC)
		}
		id, err := svc.CreateIn(ctx, tx, who, c.item(it.Code), ct, "目录初始导入", created)
		if err != nil {
			return 0, fmt.Errorf("demo item %s %s: %w", it.Code, it.Name, err)
		}
		if it.Cancelled {
			on, err := time.Parse("2006-01-02", it.CancelledOn)
			if err != nil {
				return 0, fmt.Errorf("demo item %s: %w", it.Code, err)
			}
			if err := svc.CancelIn(ctx, tx, who, id, on, it.CancelReason, now); err != nil {
				return 0, err
			}
		}
		n++
	}
	for _, cs := range data.Composites() {
		in := catalogue.CompositeInput{Code: c.item(cs.Code), Name: c.text(cs.Name), LeadDepartmentID: depts[cs.LeadDepartment], StatutoryDays: cs.StatutoryDays,
			PromisedDays: cs.PromisedDays, RefusalRule: cs.RefusalRule}
		for _, code := range cs.Items {
			in.ItemCodes = append(in.ItemCodes, c.item(code))
		}
		if _, err := svc.CreateCompositeIn(ctx, tx, who, in, now); err != nil {
			return 0, fmt.Errorf("demo composite %s: %w", cs.Code, err)
		}
	}
	return n, nil
}
