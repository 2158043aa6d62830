package anomaly

import (
	"context"
	"time"

	"onestop/internal/cases"
	"onestop/internal/store"
)

// FeeCharged judges what a payment notice really charges a case against
// the item version's standard (DOMAIN.md §5: fees only as listed in the
// catalogue; a deviation is a supervision anomaly), in the notice's own
// transaction q, with the fee rules F01 and F02 as they judge a case's
// recorded fee. The notice is no case event, so the finding names no
// event and carries the notice's reference instead.
func (s *Service) FeeCharged(ctx context.Context, q store.Querier, c *cases.Case, chargedFen int64, ref string, at time.Time) error {
	cfgs, err := s.configs(ctx, q)
	if err != nil {
		return err
	}
	charged := *c
	charged.FeesFen = chargedFen
	// No Before: the amount is new to the rules, as at a submission.
	in := Input{Change: cases.Change{Case: &charged, Event: cases.Event{Action: "payment_notice", At: at}}}
	fs := evaluate(in, cfgs, Fee)
	for i := range fs {
		fs[i].Fact = "notice:" + ref + ":" + fs[i].Fact
		fs[i].Detail["notice"] = ref
	}
	if len(fs) == 0 {
		return nil
	}
	_, err = raiseAll(ctx, q, Where{c.ID, c.DepartmentID, c.CentreID}, fs, cfgs, at)
	return err
}
