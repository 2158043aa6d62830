package tell

import (
	"context"
	"time"

	"onestop/internal/cases"
	"onestop/internal/notify"
	"onestop/internal/payments"
	"onestop/internal/store"
)

// PaymentDue is the payments service's OnDue hook: when a notice falls
// due the applicant is told its reference and total, queued in the same
// transaction that issued the notice (issue 14 §4, "payment due"), on the
// channels they chose for their cases. A bundle's notice goes to the
// bundle's applicant once, named by its lead case.
func PaymentDue(now func() time.Time) payments.DueHook {
	return func(ctx context.Context, q store.Querier, c *cases.Case, ref string, totalFen int64) error {
		to, err := applicantChannels(ctx, q, c)
		if err != nil {
			return err
		}
		params := caseParams(c)
		params["Ref"], params["Amount"] = ref, payments.FormatYuan(totalFen)
		for _, m := range to {
			m.Key, m.Params, m.Region = "notify.payment.due", params, c.RegionCode
			if err := notify.QueueMsg(ctx, q, m, now()); err != nil {
				return err
			}
		}
		return nil
	}
}
