package web

import (
	"net/http"
	"strconv"
	"strings"

	"onestop/internal/apperr"
	"onestop/internal/bundles"
	"onestop/internal/cases"
	"onestop/internal/payments"
)

// The bundle's one payment notice (issue 14 §2, docs/DOMAIN.md §19, §21):
// the lead department's window clerk issues it on the bundle page or over
// the API once every part is decided; bundles.IssueNotice holds the rule.
func (s *Server) registerBundlePayment() {
	s.handle("POST /bundles/{no}/payment-notice", clerks, s.bundleIssueNotice)
	s.handle("POST /api/v1/bundles/{no}/payment-notice", noticeIssuers, s.apiIssueBundleNotice)
}

// bundleFees lists the issuing form's rows for the charged parts, in the
// notice's order.
func bundleFees(parts []*cases.Case) []bundleFee {
	var out []bundleFee
	for i, c := range parts {
		for j, f := range c.Item.Fees {
			out = append(out, bundleFee{
				feeRow:   feeRow{Seq: j + 1, Name: f.Name, Basis: f.Basis, StandardFen: f.AmountFen, Standard: payments.FormatYuan(f.AmountFen)},
				CaseNo:   c.No,
				ItemName: c.Item.Name,
				Field:    payments.FieldName(len(parts) > 1, i, j+1),
			})
		}
	}
	return out
}

// bundleIssueNotice issues the bundle's notice from its page: one amount
// in yuan per fee of each charged part, and the reason for an amount off
// the standard (the rule is payments.IssueTx's, as for one case).
func (s *Server) bundleIssueNotice(w http.ResponseWriter, r *http.Request) error {
	// Scope first: a bundle outside it is a 404 whatever the form says.
	b, err := s.Bundles.Get(r.Context(), cases.StaffActor(actor(r)), caseNo(r))
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	in := bundles.NoticeInput{Version: version, Amounts: map[string]map[int]payments.Override{}}
	f := apperr.Fields{}
	parts, err := s.Bundles.Charges(r.Context(), b)
	if err != nil {
		return err
	}
	for _, fee := range bundleFees(parts) {
		// A fee the form did not carry (an older page, a script) is
		// charged at its standard; one it carried is read as typed.
		if _, sent := r.PostForm[fee.Field+"amount"]; !sent {
			continue
		}
		fen, ok := payments.ParseYuan(r.PostFormValue(fee.Field + "amount"))
		if !ok {
			f.Add(fee.Field+"amount", "payments.yuan_form")
			continue
		}
		if fen != fee.StandardFen {
			if in.Amounts[fee.CaseNo] == nil {
				in.Amounts[fee.CaseNo] = map[int]payments.Override{}
			}
			in.Amounts[fee.CaseNo][fee.Seq] = payments.Override{AmountFen: fen, Reason: r.PostFormValue(fee.Field + "reason")}
		}
	}
	err = f.Err()
	if err == nil {
		_, err = s.Bundles.IssueNotice(r.Context(), actor(r), caseNo(r), in)
	}
	if ae := apperr.As(err); ae != nil && (ae.Code == apperr.Invalid || ae.Code == apperr.Conflict) {
		// The service names an amount's field by what it holds (fen); the
		// form's field holds yuan.
		for k, m := range ae.Fields {
			if yuan, ok := strings.CutSuffix(k, "amount_fen"); ok {
				delete(ae.Fields, k)
				ae.Fields[yuan+"amount"] = m
			}
		}
		return s.renderBundle(w, r, err)
	}
	if err != nil {
		return err
	}
	s.flash(r, "bundle.notice_issued")
	http.Redirect(w, r, "/bundles/"+caseNo(r), http.StatusSeeOther)
	return nil
}

// apiIssueBundleNotice issues the bundle's notice, with any deviating
// amounts by sub-case and fee number:
// {"amounts": {"<case no>": {"1": {"amount_fen": 4000, "reason": "…"}}}}.
func (s *Server) apiIssueBundleNotice(w http.ResponseWriter, r *http.Request) error {
	// Scope first: a bundle outside it is a 404 whatever the body says.
	ca, err := s.apiActor(r, false)
	if err != nil {
		return err
	}
	if _, err := s.Bundles.Get(r.Context(), ca, caseNo(r)); err != nil {
		return err
	}
	var in bundles.NoticeInput
	if err := decode(r, &in); err != nil {
		return err
	}
	ref, err := s.Bundles.IssueNotice(r.Context(), actor(r), caseNo(r), in)
	if err != nil {
		return err
	}
	n, err := s.Payments.Read(r.Context(), actor(r), ref)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, n)
}
