package bundles

import (
	"context"
	"slices"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/cases"
	"onestop/internal/org"
	"onestop/internal/store"
)

// DeliverInput hands over a decided bundle.
type DeliverInput struct {
	Version  int    `json:"version"`
	Delivery string `json:"delivery"` // window, post, electronic
}

// Deliver is the one combined delivery (一次办结、统一出件) by the lead
// department's window clerk: every decided part is completed (办结) and
// delivered in one act and one transaction.
func (s *Service) Deliver(ctx context.Context, a org.Actor, no string, in DeliverInput) (*Bundle, error) {
	if !slices.Contains(cases.DeliveryMethods, in.Delivery) {
		f := apperr.Fields{}
		f.Add("delivery", "error.choose")
		return nil, f.Err()
	}
	return s.atLeadWindow(ctx, a, no, in.Version, Decided, "bundle.not_decided", func(q store.Querier, b *Bundle, batch *cases.Batch, now time.Time) error {
		clerk := cases.StaffActor(a)
		// Where a part's fees are paid before delivery (DOMAIN.md §19),
		// nothing is handed over until the bundle's notice is paid.
		for _, p := range b.Parts {
			if p.State != cases.Approved && p.State != cases.Completed {
				continue
			}
			c, err := s.Cases.Load(ctx, q, p.No)
			if err != nil {
				return err
			}
			if cases.PaidBeforeDelivery(c) != nil {
				return apperr.New(apperr.Conflict, "bundle.payment_due", "Case", p.No)
			}
		}
		for _, p := range b.Parts {
			if p.State == cases.Approved || p.State == cases.Refused {
				if _, err := batch.Act(ctx, clerk, p.No, cases.ActComplete, cases.Input{}); err != nil {
					return err
				}
				p.State = cases.Completed
			}
			if p.State == cases.Completed {
				if _, err := batch.Act(ctx, clerk, p.No, cases.ActDeliver, cases.Input{Delivery: in.Delivery}); err != nil {
					return err
				}
			}
		}
		if err := bump(ctx, q, b, `state = $1, delivered_at = $2, delivered_by = $3`, Delivered, now, a.StaffID); err != nil {
			return err
		}
		return audit.Write(ctx, q, now, a.Who(), "deliver", "bundle", no, b.CentreID, b.LeadDepartmentID, nil, in)
	})
}
