package bundles

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/cases"
	"onestop/internal/org"
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
	cal, err := s.Cases.WorkingCalendar(ctx)
	if err != nil {
		return nil, err
	}
	now := s.Now().UTC().Truncate(time.Millisecond)
	var batch *cases.Batch
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		q := s.DB.InTx(tx)
		b, err := s.load(ctx, q, no)
		if err != nil {
			return err
		}
		if err := leadClerk(a, b); err != nil {
			return err
		}
		if in.Version != 0 && in.Version != b.Version {
			return apperr.New(apperr.Conflict, "case.changed", "Version", b.Version)
		}
		if b.State != Decided {
			return apperr.New(apperr.Conflict, "bundle.not_decided")
		}
		clerk := cases.StaffActor(a)
		batch = s.Cases.Batch(q, cal, now)
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
		res, err := q.ExecContext(ctx, `UPDATE bundles SET state = $1, delivered_at = $2, delivered_by = $3, version = version + 1, updated_at = $2
			WHERE id = $4 AND version = $5`, Delivered, now, a.StaffID, b.ID, b.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "case.changed", "Version", b.Version+1)
		}
		return audit.Write(ctx, q, now, a.Who(), "deliver", "bundle", no, b.CentreID, b.LeadDepartmentID, nil, in)
	})
	if err != nil {
		return nil, err
	}
	batch.Announce()
	return s.Get(ctx, cases.StaffActor(a), no)
}
