package web

import (
	"io"
	"net/http"

	"onestop/internal/org"
	"onestop/internal/payments"
)

// Bundled fees and payment (issue 14 §2), over the JSON API: the case's
// window clerk issues the notice; the centre's clerks and admin keep the
// cashier window and reconcile the bank statement (payments.Cashier). The
// services check scope on every call; these routes only admit the roles.
var (
	noticeReaders = roles(org.Clerk, org.Reviewer, org.Approver, org.DeptAdmin, org.CentreAdmin, org.Supervisor, org.Leader)
	noticeIssuers = roles(org.Clerk)
	cashiers      = roles(org.Clerk, org.CentreAdmin)
)

func (s *Server) registerPayments() {
	s.handle("GET /payments/notices/{ref}", noticeReaders, s.paymentNoticePage)
	s.handle("GET /api/v1/payments/notices/{ref}", noticeReaders, s.apiNotice)
	s.handle("GET /api/v1/cases/{no}/payment-notice", noticeReaders, s.apiCaseNotice)
	s.handle("POST /api/v1/cases/{no}/payment-notice", noticeIssuers, s.apiIssueNotice)
	s.handle("POST /api/v1/payments/notices/{ref}/payments", cashiers, s.apiPay)
	s.handle("POST /api/v1/payments/notices/{ref}/refunds", cashiers, s.apiRefund)
	s.handle("POST /api/v1/payments/statements", cashiers, s.apiStatement)
}

func (s *Server) apiNotice(w http.ResponseWriter, r *http.Request) error {
	n, err := s.Payments.Read(r.Context(), actor(r), r.PathValue("ref"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, n)
}

// apiCaseNotice answers {"notice": …} with the case's notice, null when
// none is issued yet; the case is read with the caller's scope first.
func (s *Server) apiCaseNotice(w http.ResponseWriter, r *http.Request) error {
	ca, err := s.apiActor(r, false)
	if err != nil {
		return err
	}
	c, err := s.Cases.Get(r.Context(), ca, caseNo(r))
	if err != nil {
		return err
	}
	n, err := s.Payments.ForCase(r.Context(), c.No)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]*payments.Notice{"notice": n})
}

// apiIssueNotice issues the notice of one case, with any deviating
// amounts: {"amounts": {"1": {"amount_fen": 4000, "reason": "…"}}}.
func (s *Server) apiIssueNotice(w http.ResponseWriter, r *http.Request) error {
	// Scope first: a case outside it is a 404 whatever the body says.
	ca, err := s.apiActor(r, false)
	if err != nil {
		return err
	}
	if _, err := s.Cases.Get(r.Context(), ca, caseNo(r)); err != nil {
		return err
	}
	var in payments.CaseFees
	if err := decode(r, &in); err != nil {
		return err
	}
	in.CaseNo = caseNo(r)
	n, err := s.Payments.Issue(r.Context(), actor(r), []payments.CaseFees{in})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, n)
}

func (s *Server) apiPay(w http.ResponseWriter, r *http.Request) error {
	var in payments.PayInput
	if err := decode(r, &in); err != nil {
		return err
	}
	n, err := s.Payments.Pay(r.Context(), actor(r), r.PathValue("ref"), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, n)
}

func (s *Server) apiRefund(w http.ResponseWriter, r *http.Request) error {
	var in payments.RefundInput
	if err := decode(r, &in); err != nil {
		return err
	}
	n, err := s.Payments.Refund(r.Context(), actor(r), r.PathValue("ref"), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, n)
}

// apiStatement imports a bank statement sent as the request body (CSV or
// XLSX) and answers the report.
func (s *Server) apiStatement(w http.ResponseWriter, r *http.Request) error {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return errTooLarge
	}
	rep, err := s.Payments.Import(r.Context(), actor(r), data)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rep)
}

// paymentNoticePage is the printable payment notice.
func (s *Server) paymentNoticePage(w http.ResponseWriter, r *http.Request) error {
	n, err := s.Payments.Read(r.Context(), actor(r), r.PathValue("ref"))
	if err != nil {
		return err
	}
	p := s.page(r, "entity.payment_notice")
	p.Data = struct {
		*payments.Notice
		Grouped string
	}{n, payments.GroupRef(n.Ref)}
	return s.render(w, r, "payment_notice", p)
}
