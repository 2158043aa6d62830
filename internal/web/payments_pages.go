package web

import (
	"io"
	"net/http"
	"strconv"

	"onestop/internal/apperr"
	"onestop/internal/cases"
	"onestop/internal/org"
	"onestop/internal/payments"
)

// The fees pages for the people who do the work (issue 14 §2): the payment
// section of the case page with the window clerk's issuing form, the
// cashier window (/payments) and the bank statement import
// (/payments/statements). Every rule — who may issue, who is a cashier,
// what a deviation needs — is payments.Service's; these handlers only read
// forms and show what it answers.
func (s *Server) registerPaymentPages() {
	s.handle("POST /cases/{no}/payment-notice", noticeIssuers, s.issueNoticeForm)
	s.handle("GET /payments", cashiers, s.cashierPage)
	s.handle("POST /payments/notices/{ref}/payments", cashiers, s.payForm)
	s.handle("POST /payments/notices/{ref}/refunds", cashiers, s.refundForm)
	s.handle("GET /payments/statements", cashiers, s.statementPage)
	s.handle("POST /payments/statements", cashiers, s.statementUpload)
}

// casePayment is the case page's payment section: the notice if one is
// issued, and whether the viewer may issue it now.
type casePayment struct {
	Notice   *payments.Notice
	Status   string // none, due, paid, refunded
	Fees     []feeRow
	CanIssue bool
}

// feeRow is one fee of the issuing form, prefilled with the catalogue's
// standard amount.
type feeRow struct {
	Seq         int
	Name        string
	Basis       string
	StandardFen int64
	Standard    string // in yuan, as the amount field shows it
}

// casePayment reads the section for the case; viewer nil is the
// applicant's own page, which never gets the form.
func (s *Server) casePayment(r *http.Request, c *cases.Case, viewer *org.Actor) (*casePayment, error) {
	n, err := s.Payments.ForCase(r.Context(), c.No)
	if err != nil {
		return nil, err
	}
	cp := &casePayment{Notice: n, Status: "none"}
	if n != nil {
		cp.Status = n.Status()
		return cp, nil
	}
	if c.Item == nil || c.Item.Free() {
		return nil, nil
	}
	cp.CanIssue = viewer != nil && payments.Chargeable(c) && cases.StaffActor(*viewer).ClerkHere(c)
	for i, f := range c.Item.Fees {
		cp.Fees = append(cp.Fees, feeRow{Seq: i + 1, Name: f.Name, Basis: f.Basis, StandardFen: f.AmountFen, Standard: payments.FormatYuan(f.AmountFen)})
	}
	return cp, nil
}

// FeeVal is what the issuing form's field holds: what was typed when the
// form came back with a problem, else the standard amount.
func (v *caseView) FeeVal(f feeRow, field string) string {
	name := "fees." + strconv.Itoa(f.Seq) + "." + field
	if v.Posted == "payment" {
		return v.p.Form[name]
	}
	if field == "amount" {
		return f.Standard
	}
	return ""
}

// FeeErr is the problem with a fee's field of the issuing form.
func (v *caseView) FeeErr(f feeRow, field string) string {
	if v.Posted != "payment" {
		return ""
	}
	return v.p.Errors["fees."+strconv.Itoa(f.Seq)+"."+field]
}

// issueNoticeForm issues the case's notice from the case page: one amount
// in yuan per fee, and the reason for an amount off the standard.
func (s *Server) issueNoticeForm(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	no := caseNo(r)
	// Scope first: a case outside it is a 404 whatever the form says.
	c, err := s.Cases.Get(r.Context(), cases.StaffActor(a), no)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	// The form carries the case's version as every case form does: a page
	// left open while the case moved on (withdrawn, another notice) is
	// told so instead of charging a state the clerk never saw.
	if v, err := strconv.Atoi(r.PostFormValue("version")); err != nil || v != c.Version {
		return s.renderCase(w, r, "payment", apperr.New(apperr.Conflict, "case.changed"))
	}
	in := payments.CaseFees{CaseNo: no, Amounts: map[int]payments.Override{}}
	f := apperr.Fields{}
	if c.Item != nil {
		for i, fee := range c.Item.Fees {
			seq := strconv.Itoa(i + 1)
			typed := r.PostFormValue("fees." + seq + ".amount")
			fen, ok := payments.ParseYuan(typed)
			if !ok {
				f.Add("fees."+seq+".amount", "payments.yuan_form")
				continue
			}
			if fen != fee.AmountFen {
				in.Amounts[i+1] = payments.Override{AmountFen: fen, Reason: r.PostFormValue("fees." + seq + ".reason")}
			}
		}
	}
	err = f.Err()
	if err == nil {
		_, err = s.Payments.Issue(r.Context(), a, []payments.CaseFees{in})
	}
	if ae := apperr.As(err); ae != nil {
		// The service names an amount's field by what it holds (fen); the
		// form's field holds yuan.
		for k, m := range ae.Fields {
			if len(k) > 4 && k[len(k)-4:] == "_fen" {
				delete(ae.Fields, k)
				ae.Fields[k[:len(k)-4]] = m
			}
		}
	}
	return s.finishAction(w, r, err, func(err error) error { return s.renderCase(w, r, "payment", err) }, "payments.issued_flash", "/cases/"+no)
}

// cashierView is the cashier window: the reference looked up and the
// notice found, with the form that was posted (pay or refund).
type cashierView struct {
	Ref     string
	Notice  *payments.Notice
	Grouped string
	Methods []string
	Posted  string
}

// cashierPage finds a notice by reference (?ref=). A reference with a
// wrong check digit is the clerk's typing mistake, told at the field; one
// that is not found (or not this centre's) is told there as well.
func (s *Server) cashierPage(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "payments.cashier_title")
	ref := r.URL.Query().Get("ref")
	p.Form["ref"] = ref
	v := &cashierView{Ref: ref, Methods: payments.Methods}
	p.Data = v
	if ref == "" {
		return s.render(w, r, "payments", p)
	}
	n, err := s.cashierNotice(r, ref)
	if err != nil {
		return s.formFailed(w, r, "payments", p, err)
	}
	v.Notice, v.Grouped = n, payments.GroupRef(n.Ref)
	return s.render(w, r, "payments", p)
}

// cashierNotice reads a notice for the cashier window: a malformed
// reference and one out of reach are field errors of the search form.
func (s *Server) cashierNotice(r *http.Request, ref string) (*payments.Notice, error) {
	if !payments.ValidRef(payments.NormalRef(ref)) {
		return nil, apperr.Fields{"ref": apperr.M("payments.ref_check")}.Err()
	}
	a := actor(r)
	n, err := s.Payments.Read(r.Context(), a, ref)
	if err == nil && !payments.Cashier(a, n.CentreID) {
		// A case worker may read a notice of a case they see, but the
		// cashier window is its centre's only.
		err = apperr.NotFoundf("entity.payment_notice")
	}
	if apperr.CodeOf(err) == apperr.NotFound {
		f := apperr.Fields{"ref": apperr.M("payments.ref_unknown")}
		return nil, f.Err()
	}
	return n, err
}

// payForm records the notice paid at the window.
func (s *Server) payForm(w http.ResponseWriter, r *http.Request) error {
	return s.cashierMove(w, r, "pay", func(ref string) error {
		_, err := s.Payments.Pay(r.Context(), actor(r), ref, payments.PayInput{Method: r.PostFormValue("method"), ReceiptNo: r.PostFormValue("receipt_no")})
		return err
	})
}

// refundForm records a refund of an amount typed in yuan.
func (s *Server) refundForm(w http.ResponseWriter, r *http.Request) error {
	return s.cashierMove(w, r, "refund", func(ref string) error {
		fen, ok := payments.ParseYuan(r.PostFormValue("amount"))
		in := payments.RefundInput{AmountFen: fen, Reason: r.PostFormValue("reason"), Method: r.PostFormValue("method")}
		if !ok {
			// Still ask the service, so every other field's problem is
			// told at once; an unreadable amount is never a refund.
			in.AmountFen = -1
		}
		_, err := s.Payments.Refund(r.Context(), actor(r), ref, in)
		if ae := apperr.As(err); ae != nil {
			if m, ok := ae.Fields["amount_fen"]; ok {
				delete(ae.Fields, "amount_fen")
				ae.Fields["amount"] = m
			}
		}
		return err
	})
}

// cashierMove runs one cashier form: success goes back to the notice
// (post/redirect/get); a mistake shows the window again with what was
// typed; a notice out of reach is the same 404 as none.
func (s *Server) cashierMove(w http.ResponseWriter, r *http.Request, form string, fn func(ref string) error) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	ref := payments.NormalRef(r.PathValue("ref"))
	err := fn(ref)
	if err == nil {
		s.flash(r, "payments.done."+form)
		http.Redirect(w, r, "/payments?ref="+ref, http.StatusSeeOther)
		return nil
	}
	if c := apperr.CodeOf(err); c != apperr.Invalid && c != apperr.Conflict {
		return err
	}
	n, rerr := s.cashierNotice(r, ref)
	if rerr != nil {
		return rerr
	}
	p := s.page(r, "payments.cashier_title")
	for k, vs := range r.PostForm {
		if k != "csrf_token" && len(vs) > 0 {
			p.Form[k] = vs[0]
		}
	}
	p.Form["ref"] = ref
	p.Data = &cashierView{Ref: ref, Notice: n, Grouped: payments.GroupRef(n.Ref), Methods: payments.Methods, Posted: form}
	return s.formFailed(w, r, "payments", p, err)
}

func (s *Server) statementPage(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "payments.statements_title")
	p.Data = (*payments.ImportReport)(nil)
	return s.render(w, r, "payment_statements", p)
}

// statementUpload imports the uploaded statement (CSV or XLSX) and shows
// the report; the service keeps every line's key, so the same file again
// reports every line a duplicate and pays nothing.
func (s *Server) statementUpload(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "payments.statements_title")
	p.Data = (*payments.ImportReport)(nil)
	if err := parseAnyForm(r); err != nil {
		if apperr.CodeOf(err) == apperr.TooLarge {
			err = apperr.Fields{"file": apperr.M("payments.statement_too_large")}.Err()
		}
		return s.formFailed(w, r, "payment_statements", p, err)
	}
	file, _, err := r.FormFile("file")
	if err != nil {
		return s.formFailed(w, r, "payment_statements", p, apperr.Fields{"file": apperr.M("payments.statement_choose")}.Err())
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, payments.MaxStatementBytes+1))
	if err != nil {
		return err
	}
	rep, err := s.Payments.Import(r.Context(), actor(r), data)
	if err != nil {
		// An unreadable or oversized file is the upload field's problem.
		if ae := apperr.As(err); ae != nil && (ae.Code == apperr.Invalid || ae.Code == apperr.TooLarge) && len(ae.Fields) == 0 {
			err = apperr.Fields{"file": ae.Msg}.Err()
		}
		return s.formFailed(w, r, "payment_statements", p, err)
	}
	p.Data = rep
	return s.render(w, r, "payment_statements", p)
}
