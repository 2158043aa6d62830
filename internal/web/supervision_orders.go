package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"onestop/internal/apperr"
	"onestop/internal/cases"
	"onestop/internal/corrections"
	"onestop/internal/org"
)

// Correction orders (督办/纠错, issue 12 item 3). The route lets in who may
// ever use the page; corrections.Service decides scope (another county's
// or department's order is "not found") and who takes which step.
var (
	orderReaders = roles(org.Supervisor, org.Leader, org.DeptAdmin, org.Approver)
	orderActors  = roles(org.Supervisor, org.DeptAdmin, org.Approver)
	orderIssuers = roles(org.Supervisor)
)

// The audit log shows an order's fields and states in the orders' words
// (orders.subject, orders.state.replied …).
func init() { auditAreas["correction_order"] = []string{"orders"} }

func (s *Server) registerOrders() {
	s.handle("GET /supervision/orders", orderReaders, s.ordersPage)
	s.handle("GET /supervision/orders/new", orderIssuers, s.orderNewPage)
	s.handle("POST /supervision/orders", orderIssuers, s.orderIssue)
	s.handle("GET /supervision/orders/{id}", orderReaders, s.orderPage)
	s.handle("POST /supervision/orders/{id}/{action}", orderActors, s.orderStep)
	s.handle("GET /api/v1/supervision/orders", orderReaders, s.apiOrders)
	s.handle("POST /api/v1/supervision/orders", orderIssuers, s.apiOrderIssue)
	s.handle("GET /api/v1/supervision/orders/{id}", orderReaders, s.apiOrder)
	s.handle("POST /api/v1/supervision/orders/{id}/{action}", orderActors, s.apiOrderStep)
}

// orderID reads {id}; anything but a positive number names no order.
func orderID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.NotFoundf("entity.order")
	}
	return id, nil
}

// orderFilter reads ?state=&department=&overdue=&escalated=&limit=&offset=.
// A state that is not one is a field error, never "all states".
func orderFilter(r *http.Request) (corrections.Filter, error) {
	q := readQuery(r)
	f := corrections.Filter{State: q.Text("state"), DepartmentID: q.ID("department"), Overdue: q.Flag("overdue"),
		Escalated: q.Flag("escalated")}
	if f.State != "" && !slices.Contains(corrections.States, f.State) {
		q.f.Add("state", "error.choose")
	}
	f.Limit, f.Offset = q.Page(50, 200)
	return f, q.Err()
}

// ordersView is the list page's data.
type ordersView struct {
	Items       []*corrections.Order
	Total       int
	Filter      corrections.Filter
	States      []string
	Departments []org.Department
	CanIssue    bool
	// Escalated counts the open orders put before the leader (shown to
	// the leader above the list).
	Escalated  int
	Prev, Next string
}

func (s *Server) ordersPage(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	f, err := orderFilter(r)
	if err != nil {
		return err
	}
	items, total, err := s.Orders.List(r.Context(), a, f)
	if err != nil {
		return err
	}
	v := &ordersView{Items: items, Total: total, Filter: f, States: corrections.States, CanIssue: a.Role == org.Supervisor}
	if a.Role == org.Supervisor || a.Role == org.Leader {
		if v.Departments, err = s.orderDepartments(r, a); err != nil {
			return err
		}
	}
	if a.Role == org.Leader {
		if _, v.Escalated, err = s.Orders.List(r.Context(), a, corrections.Filter{Escalated: true, Limit: 1}); err != nil {
			return err
		}
	}
	page := func(off int) string {
		q := r.URL.Query()
		q.Set("offset", strconv.Itoa(off))
		return "/supervision/orders?" + q.Encode()
	}
	if f.Offset > 0 {
		v.Prev = page(max(0, f.Offset-f.Limit))
	}
	if f.Offset+len(items) < total {
		v.Next = page(f.Offset + f.Limit)
	}
	p := s.page(r, "orders.title")
	p.Data = v
	return s.render(w, r, "orders", p)
}

// orderDepartments are the departments a county-wide actor may order: the
// active departments of their county (every county's for a province-wide
// account).
func (s *Server) orderDepartments(r *http.Request, a org.Actor) ([]org.Department, error) {
	df := org.DepartmentFilter{}
	if !a.Province {
		df.RegionCode = a.County()
		if df.RegionCode == "" {
			return nil, nil
		}
	}
	list, _, err := s.Org.Departments(r.Context(), df, allOptions)
	return list, err
}

// orderFormView is the new-order form's data.
type orderFormView struct {
	Departments []org.Department
	Min, Max    int
}

func (s *Server) orderNewPage(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	p := s.page(r, "orders.new")
	q := readQuery(r)
	p.Form["deadline_days"] = "5"
	// Opened from a case page or an anomaly: the case is named and its
	// department chosen. A case out of scope is not named (it would say
	// that it exists).
	if no := strings.ToUpper(q.Text("case")); no != "" {
		if c, err := s.Cases.Get(r.Context(), cases.StaffActor(a), no); err == nil {
			p.Form["cases"] = c.No
			p.Form["department_id"] = strconv.FormatInt(c.DepartmentID, 10)
			p.Form["subject"] = p.T("orders.subject_for_case", "No", c.No)
		} else if !apperr.Is(err, apperr.NotFound) {
			return err
		}
	}
	if an := q.ID("anomaly"); an != 0 {
		// From an anomaly: its case names the department. An anomaly out
		// of scope is not named either.
		no, err := s.Orders.AnomalyCase(r.Context(), an)
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
		if c, err := s.Cases.Get(r.Context(), cases.StaffActor(a), no); err == nil && no != "" {
			p.Form["anomalies"] = strconv.FormatInt(an, 10)
			p.Form["department_id"] = strconv.FormatInt(c.DepartmentID, 10)
			if p.Form["subject"] == "" {
				p.Form["subject"] = p.T("orders.subject_for_case", "No", c.No)
			}
		} else if err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
	}
	return s.renderOrderForm(w, r, p)
}

func (s *Server) renderOrderForm(w http.ResponseWriter, r *http.Request, p *Page) error {
	deps, err := s.orderDepartments(r, actor(r))
	if err != nil {
		return err
	}
	p.Data = &orderFormView{Departments: deps, Min: corrections.MinDeadlineDays, Max: corrections.MaxDeadlineDays}
	return s.render(w, r, "order_new", p)
}

// splitList reads a list typed into one box: case numbers or ids separated
// by line breaks, commas, semicolons or spaces (full-width ones too).
func splitList(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool {
		return r == ',' || r == ';' || r == '，' || r == '；' || r == '、' || r == ' ' || r == '\n' || r == '\r' || r == '\t' || r == '　'
	})
}

func (s *Server) orderIssue(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	p := s.page(r, "orders.new")
	for _, k := range []string{"department_id", "cases", "anomalies", "subject", "instruction", "deadline_days"} {
		p.Form[k] = r.PostFormValue(k)
	}
	in := corrections.IssueInput{Subject: p.Form["subject"], Instruction: p.Form["instruction"], Cases: splitList(p.Form["cases"])}
	f := apperr.Fields{}
	var err error
	if v := strings.TrimSpace(p.Form["department_id"]); v != "" {
		if in.DepartmentID, err = strconv.ParseInt(v, 10, 64); err != nil {
			f.Add("department_id", "order.department_unknown")
		}
	}
	if in.DeadlineDays, err = strconv.Atoi(strings.TrimSpace(p.Form["deadline_days"])); err != nil {
		f.Add("deadline_days", "order.deadline_range", "Min", corrections.MinDeadlineDays, "Max", corrections.MaxDeadlineDays)
	}
	for _, v := range splitList(p.Form["anomalies"]) {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			f.Add("anomalies", "order.anomaly_unknown", "ID", v)
			continue
		}
		in.Anomalies = append(in.Anomalies, id)
	}
	err = f.Err()
	var o *corrections.Order
	if err == nil {
		o, err = s.Orders.Issue(r.Context(), actor(r), in)
	}
	if err != nil {
		ae := apperr.As(err)
		if ae == nil || (ae.Code != apperr.Invalid && ae.Code != apperr.Conflict) {
			return err
		}
		p.Problem, p.Status = s.i18n.Msg(p.Lang, ae.Msg), statusOf(ae.Code)
		for k, m := range ae.Fields {
			p.Errors[k] = s.i18n.Msg(p.Lang, m)
		}
		return s.renderOrderForm(w, r, p)
	}
	s.flash(r, "orders.issued")
	http.Redirect(w, r, "/supervision/orders/"+strconv.FormatInt(o.ID, 10), http.StatusSeeOther)
	return nil
}

// orderView is the detail page's data.
type orderView struct {
	*corrections.Order
	Allowed []string
	// Reply: the form is the department's.
	Reply bool
	// Steps: the supervisor's form, with a button per allowed step.
	Steps []string
}

func (s *Server) orderPage(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "orders.one")
	return s.renderOrder(w, r, p)
}

func (s *Server) renderOrder(w http.ResponseWriter, r *http.Request, p *Page) error {
	id, err := orderID(r)
	if err != nil {
		return err
	}
	a := actor(r)
	o, err := s.Orders.Get(r.Context(), a, id)
	if err != nil {
		return err
	}
	v := &orderView{Order: o, Allowed: corrections.Allowed(o, a)}
	for _, act := range v.Allowed {
		if act == corrections.ActReply {
			v.Reply = true
		} else {
			v.Steps = append(v.Steps, act)
		}
	}
	p.Title = p.T("orders.one_title", "No", o.No)
	p.Data = v
	return s.render(w, r, "order", p)
}

func (s *Server) orderStep(w http.ResponseWriter, r *http.Request) error {
	id, err := orderID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	action := r.PathValue("action")
	// The department's form has its own box (reply); the supervisor's
	// one box (text) serves the note of every step.
	field := "text"
	if action == corrections.ActReply {
		field = "reply"
	}
	in := corrections.StepInput{Text: r.PostFormValue(field)}
	// The form carries the version it showed; without one the step is
	// refused as stale (corrections.Service.Act).
	in.Version, _ = strconv.Atoi(r.PostFormValue("version"))
	_, err = s.Orders.Act(r.Context(), actor(r), id, action, in)
	if err != nil {
		ae := apperr.As(err)
		if ae == nil || (ae.Code != apperr.Invalid && ae.Code != apperr.Conflict) {
			return err
		}
		p := s.page(r, "orders.one")
		p.Problem, p.Status = s.i18n.Msg(p.Lang, ae.Msg), statusOf(ae.Code)
		for k, m := range ae.Fields {
			if k == "text" {
				k = field
			}
			p.Errors[k] = s.i18n.Msg(p.Lang, m)
		}
		p.Form[field] = in.Text
		return s.renderOrder(w, r, p)
	}
	s.flash(r, "orders.done."+action)
	http.Redirect(w, r, "/supervision/orders/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}

func (s *Server) apiOrders(w http.ResponseWriter, r *http.Request) error {
	f, err := orderFilter(r)
	if err != nil {
		return err
	}
	items, total, err := s.Orders.List(r.Context(), actor(r), f)
	if err != nil {
		return err
	}
	return listJSON(w, items, total)
}

func (s *Server) apiOrderIssue(w http.ResponseWriter, r *http.Request) error {
	var in corrections.IssueInput
	if err := decode(r, &in); err != nil {
		return err
	}
	o, err := s.Orders.Issue(r.Context(), actor(r), in)
	if err != nil {
		return err
	}
	if o, err = s.Orders.Get(r.Context(), actor(r), o.ID); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/supervision/orders/"+strconv.FormatInt(o.ID, 10))
	return writeJSON(w, http.StatusCreated, o)
}

func (s *Server) apiOrder(w http.ResponseWriter, r *http.Request) error {
	id, err := orderID(r)
	if err != nil {
		return err
	}
	o, err := s.Orders.Get(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, o)
}

func (s *Server) apiOrderStep(w http.ResponseWriter, r *http.Request) error {
	id, err := orderID(r)
	if err != nil {
		return err
	}
	var in corrections.StepInput
	if err := decode(r, &in); err != nil {
		return err
	}
	if _, err := s.Orders.Act(r.Context(), actor(r), id, r.PathValue("action"), in); err != nil {
		return err
	}
	o, err := s.Orders.Get(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, o)
}
