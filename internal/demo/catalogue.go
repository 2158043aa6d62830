package demo

import (
	"context"
	"database/sql"
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
// through the catalogue's own validation, in the caller's transaction.
func loadCatalogue(ctx context.Context, tx *sql.Tx, db *store.DB, now time.Time) (int, error) {
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
	depts := map[string]int64{}
	seated := map[string]bool{}
	rows, err = tx.QueryContext(ctx, `SELECT code, id, mode FROM departments`)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var code, mode string
		var id int64
		if err := rows.Scan(&code, &id, &mode); err != nil {
			rows.Close()
			return 0, err
		}
		depts[code], seated[code] = id, mode == "seated"
	}
	rows.Close()
	n := 0
	for _, it := range data.CatalogueItems() {
		c := catalogue.Content{Name: it.Name, Type: types[it.Type], DepartmentID: depts[it.Department], Audience: it.Audience, Themes: it.Themes,
			LegalBasis: it.LegalBasis, Conditions: it.Conditions, StatutoryDays: it.StatutoryDays, PromisedDays: it.PromisedDays,
			Immediate: it.Immediate, Visits: it.Visits, Online: it.Online, AtHall: true, AtTownship: it.AtTownship,
			Commissioned: !seated[it.Department], DeemedApproval: it.DeemedApproval, DeemedNote: it.DeemedNote}
		for _, m := range it.Materials {
			if !materialForms[m.Form] {
				return 0, fmt.Errorf("demo item %s: material form %q", it.Code, m.Form)
			}
			c.Materials = append(c.Materials, catalogue.Material{Name: m.Name, Required: m.Required, Condition: m.Condition, Form: m.Form,
				Copies: m.Copies, BlankForm: m.BlankForm, Notes: m.Notes})
		}
		for _, f := range it.Fees {
			c.Fees = append(c.Fees, catalogue.Fee{Name: f.Name, AmountFen: f.AmountFen, Basis: f.Basis})
		}
		for _, s := range it.Steps {
			c.Steps = append(c.Steps, catalogue.Step{Name: s.Name, Role: s.Role, Days: s.Days})
		}
		created := now
		if it.Cancelled {
			// Cancelled items were listed before the clean-up.
			created = time.Date(2025, 1, 2, 1, 0, 0, 0, time.UTC)
		}
		id, err := svc.CreateIn(ctx, tx, who, it.Code, c, "目录初始导入", created)
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
		in := catalogue.CompositeInput{Code: cs.Code, Name: cs.Name, LeadDepartmentID: depts[cs.LeadDepartment], StatutoryDays: cs.StatutoryDays,
			PromisedDays: cs.PromisedDays, ItemCodes: cs.Items}
		if _, err := svc.CreateCompositeIn(ctx, tx, who, in, now); err != nil {
			return 0, fmt.Errorf("demo composite %s: %w", cs.Code, err)
		}
	}
	return n, nil
}
