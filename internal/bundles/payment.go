package bundles

import (
	"context"
	"sort"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/cases"
	"onestop/internal/org"
	"onestop/internal/payments"
	"onestop/internal/store"
)

// NoticeInput issues the bundle's one payment notice. Amounts changes a
// sub-case's fee (by case number, then the fee's 1-based number in the
// catalogue) with the reason a deviation needs, exactly as for one case.
type NoticeInput struct {
	Version int                                  `json:"version"`
	Amounts map[string]map[int]payments.Override `json:"amounts,omitempty"`
}

// IssueNotice issues one payment notice (缴款通知书) for every approved
// sub-case with fees, by the lead department's window clerk once every
// part is decided (docs/DOMAIN.md §19, §21: all fees of every sub-case of
// a bundle on one notice). Refused and ended parts carry no fee; an
// all-or-nothing bundle that was refused charges nothing. The fee rules
// themselves are payments.IssueTx's, in this one transaction.
func (s *Service) IssueNotice(ctx context.Context, a org.Actor, no string, in NoticeInput) (string, error) {
	var ref string
	_, err := s.atLeadWindow(ctx, a, no, in.Version, Decided, "bundle.notice_not_decided", func(q store.Querier, b *Bundle, _ *cases.Batch, now time.Time) error {
		parts, err := s.charged(ctx, q, b)
		if err != nil {
			return err
		}
		if len(parts) == 0 {
			return apperr.New(apperr.Conflict, "bundle.nothing_to_charge")
		}
		var fees []payments.CaseFees
		charged := map[string]bool{}
		for _, c := range parts {
			charged[c.No] = true
			fees = append(fees, payments.CaseFees{CaseNo: c.No, Amounts: in.Amounts[c.No]})
		}
		// A deviation named for a part that is not charged is a mistake,
		// not something to drop silently.
		for caseNo := range in.Amounts {
			if !charged[caseNo] {
				return apperr.New(apperr.Invalid, "bundle.not_charged_part")
			}
		}
		// The lead department's clerk decides for every part: that clerk
		// is the bundle's one door out (leadClerk checked it above).
		ref, err = s.Payments.IssueTx(ctx, q, a, fees, func(*cases.Case) error { return nil })
		if err != nil {
			return err
		}
		return audit.Write(ctx, q, now, a.Who(), "payment_notice", "bundle", no, b.CentreID, b.LeadDepartmentID, nil, map[string]any{"ref": ref, "cases": sortedKeys(charged)})
	})
	if err != nil {
		return "", err
	}
	return ref, nil
}

// charged lists the parts the bundle's notice charges: every approved
// part whose item has fees; none when an all-or-nothing bundle was refused
// (a part approved before the refusal included). The order is the
// bundle's parts' order, which is also the order of the notice's
// cases (and so of payments.FieldName's case numbers).
func (s *Service) charged(ctx context.Context, q store.Querier, b *Bundle) ([]*cases.Case, error) {
	if b.Outcome == Refused {
		return nil, nil
	}
	var out []*cases.Case
	for _, p := range b.Parts {
		if p.Decision != "approved" {
			continue
		}
		c, err := s.Cases.Load(ctx, q, p.No)
		if err != nil {
			return nil, err
		}
		if c.Item != nil && !c.Item.Free() {
			out = append(out, c)
		}
	}
	return out, nil
}

// Charges lists the parts of a decided bundle whose fees go on its notice,
// in the notice's order, so the bundle page offers issuing one (with each
// fee's amount to confirm) only when there is something to charge.
func (s *Service) Charges(ctx context.Context, b *Bundle) ([]*cases.Case, error) {
	if b.State != Decided {
		return nil, nil
	}
	return s.charged(ctx, s.DB.Read(), b)
}

// Notice returns the bundle's payment notice, nil when none is issued
// yet. Every part on it shares the one notice, so the first charged part
// finds it. The caller has already read the bundle within its scope.
func (s *Service) Notice(ctx context.Context, b *Bundle) (*payments.Notice, error) {
	for _, p := range b.Parts {
		n, err := s.Payments.ForCase(ctx, p.No)
		if err != nil {
			return nil, err
		}
		if n != nil {
			return n, nil
		}
	}
	return nil, nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
