package cases

import (
	"context"

	"onestop/internal/store"
)

// The case's payment fact (cases.payment) is kept by the payments package
// in the transaction that issues a notice or records a payment; the case
// engine only reads it, so cases never imports payments.
const (
	PaymentNone = ""     // no payment notice issued
	PaymentDue  = "due"  // a notice is issued and not paid in full
	PaymentPaid = "paid" // paid in full
)

// paidBeforeDelivery: where the item's fees must be paid before the result
// is handed over (catalogue.Fee.BeforeDelivery, docs/DOMAIN.md §19), the
// case is delivered only once its notice is paid.
func paidBeforeDelivery(c *Case) func() error {
	return func() error {
		if c.Item == nil || !c.Item.PayBeforeDelivery() || c.Payment == PaymentPaid {
			return nil
		}
		if c.Payment == PaymentNone {
			return refuse("case.payment_not_issued")
		}
		return refuse("case.payment_due")
	}
}

// PaidBeforeDelivery is the same rule for a bundle's combined delivery,
// which names the unpaid part before handing anything over.
func PaidBeforeDelivery(c *Case) error { return paidBeforeDelivery(c)() }

// ClerkHere reports whether the actor is a window clerk who may act on the
// case at its centre (the same test accept, complete and deliver use):
// the payments package lets that clerk issue the case's payment notice.
func (a Actor) ClerkHere(c *Case) bool { return a.isClerkHere(c) }

// Sees reports whether the actor may read the case (the payments package
// shows a notice to whoever sees one of its cases).
func (a Actor) Sees(c *Case) bool { return a.sees(c) }

// Load reads a case with its item version inside the caller's
// transaction q, without a scope check: the payments package issues a
// notice and sets the case's payment fact in one transaction.
func (s *Service) Load(ctx context.Context, q store.Querier, no string) (*Case, error) {
	return s.load(ctx, q, no)
}
