package demo

import (
	"context"
	"time"

	"onestop/internal/catalogue"
	"onestop/internal/modes"
	"onestop/internal/store"
)

// seedModes offers the acceptance modes on a few online items of the demo
// catalogue, as a county would start: 告知承诺 in place of one certificate
// (verified 10 working days after approval), 容缺 for one minor material
// (supplied within the Shenzhen limits). Items whose theme 国办发〔2020〕42号
// excludes, or that Validate refuses, are skipped.
func seedModes(ctx context.Context, db *store.DB, now time.Time) error {
	cat := &catalogue.Service{DB: db, Now: func() time.Time { return now }}
	items, _, err := cat.List(ctx, catalogue.Filter{Status: catalogue.InForce, Online: true, Limit: 200})
	if err != nil {
		return err
	}
	seeded := 0
	for _, it := range items {
		if seeded == 3 {
			break
		}
		var required []string
		for _, m := range it.Materials {
			if m.Required {
				required = append(required, m.Name)
			}
		}
		if len(required) < 2 || it.Immediate || it.PromisedDays < 5 {
			continue
		}
		last := required[len(required)-1]
		st, err := modes.Settings{Commitment: true, Replaced: []string{last}, VerifyDays: 10,
			Terms:   "申请人承诺符合本事项的申请条件，所提交信息真实、准确、完整，并承诺" + last + "所证明的事项属实。",
			Lenient: true, Minor: []string{last}, SupplyDays: min(modes.MaxSupplyDays, it.PromisedDays-modes.MinMargin), Margin: modes.MinMargin}.Validate(it)
		if err != nil {
			continue
		}
		if err := modes.Store(ctx, db.W, it.ID, st, 0, now); err != nil {
			return err
		}
		seeded++
	}
	return nil
}
